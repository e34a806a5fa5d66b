#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release that runs on Node 20) into
# .cache/code-server inside the clone, offline apart from the npm registry.
# Needs Debian's ripgrep and libkrb5-dev (installed by .ci/run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/code-server"
version=4.100.3
if [ -x "$dest/node_modules/.bin/code-server" ] && grep -q "\"version\": \"$version\"" "$dest/node_modules/code-server/package.json" 2>/dev/null; then
  exit 0
fi
command -v rg >/dev/null || { echo "install-code-server: ripgrep (rg) is missing: apt-get install ripgrep" >&2; exit 2; }
mkdir -p "$dest" "$root/.cache/tmp"
# @vscode/ripgrep downloads a binary at install time; give it a cache that already holds Debian's rg.
export TMPDIR="$root/.cache/tmp"
cache="$TMPDIR/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
if [ ! -f "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ]; then
  work="$(mktemp -d)"
  cp "$(command -v rg)" "$work/rg"
  tar -C "$work" -czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
  rm -rf "$work"
fi
cd "$dest"
[ -f package.json ] || echo '{"name":"flowmage-code-server","private":true}' > package.json
# node-pty's install runs npx; as root npm needs --unsafe-perm and must not prompt.
npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm --foreground-scripts \
  "code-server@$version" >"$root/.cache/code-server-install.log" 2>&1 || {
  echo "install-code-server: npm install failed, see .cache/code-server-install.log" >&2
  tail -30 "$root/.cache/code-server-install.log" >&2
  exit 2
}
echo "code-server $version installed in $dest"
