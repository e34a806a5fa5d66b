#!/usr/bin/env bash
# Regenerates server/grammar/src/ from grammar.js with the tree-sitter CLI, runs the corpus
# (server/grammar/test/corpus) on a native build with `tree-sitter test`, then builds
# tree-sitter-click.wasm with Debian's emscripten (docs/ARCHITECTURE.md §8). Both outputs are committed, so only
# someone who changes the grammar needs this; `npm run test:unit` runs the same corpus on the wasm.
# Usage: scripts/build-grammar.sh [--wasm-only] [--no-test]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/server/grammar"

wasm_only=false
run_tests=true
for arg in "$@"; do
  case "$arg" in
    --wasm-only) wasm_only=true ;;
    --no-test) run_tests=false ;;
    *) echo "build-grammar: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ "$wasm_only" = false ]; then
  ts="$(bash "$root/scripts/fetch-tree-sitter-cli.sh")"
  "$ts" generate --no-bindings
  # The CLI may leave files we do not ship.
  rm -rf bindings binding.gyp Cargo.toml setup.py pyproject.toml Package.swift Makefile CMakeLists.txt .editorconfig .gitattributes
  if [ "$run_tests" = true ]; then
    # The CLI compiles the parser with the system C compiler into its cache; keep that in the clone.
    XDG_CACHE_HOME="$root/.cache" "$ts" test
  fi
fi

command -v emcc >/dev/null || { echo "build-grammar: emcc is missing: apt-get install emscripten" >&2; exit 2; }
emcc -o tree-sitter-click.wasm -Os -fno-exceptions -fvisibility=hidden \
  -s WASM=1 -s SIDE_MODULE=2 -s EXPORTED_FUNCTIONS=_tree_sitter_click \
  -I src src/parser.c src/scanner.c
echo "build-grammar: wrote server/grammar/tree-sitter-click.wasm ($(wc -c < tree-sitter-click.wasm) bytes)"
