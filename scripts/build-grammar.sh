#!/usr/bin/env bash
# Regenerates server/grammar/src/ from grammar.js with the tree-sitter CLI, then builds
# tree-sitter-click.wasm with Debian's emscripten (DESIGN.md §7). Both outputs are committed, so only
# someone who changes the grammar needs this. Usage: scripts/build-grammar.sh [--wasm-only]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/server/grammar"

if [ "${1:-}" != "--wasm-only" ]; then
  ts="$(bash "$root/scripts/fetch-tree-sitter-cli.sh")"
  "$ts" generate --no-bindings
  # The CLI may leave files we do not ship.
  rm -rf bindings binding.gyp Cargo.toml setup.py pyproject.toml Package.swift Makefile CMakeLists.txt .editorconfig .gitattributes
fi

command -v emcc >/dev/null || { echo "build-grammar: emcc is missing: apt-get install emscripten" >&2; exit 2; }
emcc -o tree-sitter-click.wasm -Os -fno-exceptions -fvisibility=hidden \
  -s WASM=1 -s SIDE_MODULE=2 -s EXPORTED_FUNCTIONS=_tree_sitter_click \
  -I src src/parser.c src/scanner.c
echo "build-grammar: wrote server/grammar/tree-sitter-click.wasm ($(wc -c < tree-sitter-click.wasm) bytes)"
