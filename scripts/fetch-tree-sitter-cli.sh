#!/usr/bin/env bash
# Downloads Debian trixie's tree-sitter CLI (0.22.6) and the libc it needs into .cache/tree-sitter-cli
# and prints the command that runs it (docs/ARCHITECTURE.md §8). Debian 12 has no tree-sitter CLI and the npm
# package downloads a binary, so we take trixie's .deb through a private apt configuration that points
# at trixie on the mirror this machine already uses. Nothing is installed system-wide.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/tree-sitter-cli"
runner="$dest/tree-sitter"
if [ -x "$runner" ] && "$runner" --version >/dev/null 2>&1; then
  echo "$runner"
  exit 0
fi

mirror="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
  | grep -v security | head -1 | sed -E 's/^(URIs:|deb) +//; s/ +$//' || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

apt="$dest/apt"
rm -rf "$apt"
mkdir -p "$apt/etc/sources.list.d" "$apt/etc/apt.conf.d" "$apt/etc/preferences.d" "$apt/state/lists/partial" "$apt/cache/archives/partial" "$dest/debs"
cat >"$apt/etc/sources.list.d/trixie.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
cat >"$apt/apt.conf" <<CONF
Dir::Etc "$apt/etc";
Dir::Etc::sourcelist "/dev/null";
Dir::Etc::sourceparts "$apt/etc/sources.list.d";
Dir::State "$apt/state";
Dir::State::status "/dev/null";
Dir::Cache "$apt/cache";
CONF
export APT_CONFIG="$apt/apt.conf"
echo "fetch-tree-sitter-cli: reading trixie's package lists from $mirror" >&2
apt-get -q update >&2
(cd "$dest/debs" && apt-get -q download tree-sitter-cli libc6 libgcc-s1 >&2)

rm -rf "$dest/root"
mkdir -p "$dest/root"
for deb in "$dest"/debs/*.deb; do dpkg-deb -x "$deb" "$dest/root"; done

# The binary asks for GLIBC 2.39 for two weak symbols only; running it through trixie's own loader
# and libc works on Debian 12 without touching the system.
cat >"$runner" <<RUN
#!/usr/bin/env bash
here="\$(cd "\$(dirname "\$0")" && pwd)"
lib="\$here/root/usr/lib/x86_64-linux-gnu"
exec "\$lib/ld-linux-x86-64.so.2" --library-path "\$lib" "\$here/root/usr/bin/tree-sitter" "\$@"
RUN
chmod +x "$runner"
"$runner" --version >&2
echo "$runner"
