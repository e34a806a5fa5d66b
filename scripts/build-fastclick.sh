#!/usr/bin/env bash
# Builds a minimal FastClick driver (`minclick`) against Debian's DPDK for the element classes of the
# configurations the real-FastClick tests load (README, "Testing against real FastClick"), and prints its path on stdout.
#
#   bash scripts/build-fastclick.sh [FILE.click ...]   build (or find) minclick; the classes of the
#                                                      given files are added to the default set
#   bash scripts/build-fastclick.sh --extract-only     only extract the archive; print the source dir
#
# Default classes: FastClick's conf/ files that use FromDPDKDevice, and test/fixtures/upstream/.
# Classes FastClick's elementmap does not know are left out (loading such a configuration fails, in
# the original as in the optimized one). Everything lives in .cache/fastclick/ (never committed):
#   ../fastclick-src/<archive sha>/fastclick/    the archive, extracted untouched (analysis source;
#                                                the same place test/support's extraction uses)
#   <archive sha>-dpdk<version>/fastclick/       the build tree, patched for DPDK 22.11
#   <archive sha>-dpdk<version>/bin/minclick-<class list sha>   one driver per class list
# (the build tree is for this machine's CPU kind: -march=native; another kind rebuilds it).
# A second run with the same archive, DPDK and class list does no work. Requires the packages that
# scripts/install-fastclick-deps.sh installs, and `npm run build` (the class list uses dist/cli.js).
# Environment: FLOWMAGE_FASTCLICK_ARCHIVE (default ../shared/fastclick/fastclick-93ca5a6.tar.gz from the
# repository root), FLOWMAGE_CACHE_DIR (default .cache), JOBS (default 2).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCHIVE=${FLOWMAGE_FASTCLICK_ARCHIVE:-$ROOT/../shared/fastclick/fastclick-93ca5a6.tar.gz}
CACHE=${FLOWMAGE_CACHE_DIR:-$ROOT/.cache}/fastclick
JOBS=${JOBS:-2}
SETUP_HINT="run: sudo bash scripts/install-fastclick-deps.sh"

log() { printf 'build-fastclick: %s\n' "$*" >&2; }
die() { printf 'build-fastclick: ERROR: %s\n' "$*" >&2; exit 1; }
# Never fail silently: an unexpected failing command says where it was.
trap 'die "unexpected failure (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
# Runs a build step with its output in a log file; on failure shows the end of the log.
step() {
  local name=$1; shift
  local logfile="$BUILD/logs/$name.log"
  mkdir -p "$BUILD/logs"
  log "$name"
  if ! "$@" >"$logfile" 2>&1; then
    tail -n 40 "$logfile" >&2
    die "step '$name' failed; full log: $logfile"
  fi
}

[ -f "$ARCHIVE" ] || die "FastClick archive not found: $ARCHIVE (set FLOWMAGE_FASTCLICK_ARCHIVE)"
SHA=$(sha256sum "$ARCHIVE" | cut -c1-12)
mkdir -p "$CACHE"

# 1. The untouched extraction, shared with the unit tests.
# Concurrent runs (unit tests and the suite may both ask) wait for each other: one lock for the
# extraction, another for the build, so extracting never waits for a build.
SRC_DIR="$(dirname "$CACHE")/fastclick-src/$SHA"
SRC="$SRC_DIR/fastclick"
mkdir -p "$(dirname "$SRC_DIR")"
exec 9>"$(dirname "$SRC_DIR")/.extract.lock"
flock 9
if [ ! -d "$SRC/elements" ]; then
  log "extracting $ARCHIVE"
  TMP="$SRC_DIR.tmp-$$"
  rm -rf "$TMP"
  mkdir -p "$TMP" "$SRC_DIR"
  tar -xzf "$ARCHIVE" -C "$TMP" || die "cannot extract $ARCHIVE"
  [ -d "$TMP/fastclick/elements" ] || die "$ARCHIVE does not hold fastclick/elements/"
  # A rename, so that an interrupted extraction is never taken for a complete one.
  mv "$TMP/fastclick" "$SRC"
  rm -rf "$TMP"
fi
exec 9>&-
if [ "${1:-}" = "--extract-only" ]; then
  echo "$SRC"
  exit 0
fi

# 2. Prerequisites.
for tool in pkg-config make g++ gcc sed node flock; do
  command -v "$tool" >/dev/null || die "'$tool' is missing; $SETUP_HINT"
done
pkg-config --exists libdpdk || die "Debian's DPDK (libdpdk-dev) is missing; $SETUP_HINT"
DPDK_VERSION=$(pkg-config --modversion libdpdk)
[ -e "$(pkg-config --variable=includedir libdpdk)/rte_build_config.h" ] \
  || die "rte_build_config.h is not in DPDK's include dir (FastClick's configure reads the version there); $SETUP_HINT"
command -v dpdk-testpmd >/dev/null || die "dpdk-testpmd (package dpdk-dev) is missing; $SETUP_HINT"
[ -f "$ROOT/dist/cli.js" ] || die "dist/cli.js is missing: run npm run build first"

BUILD="$CACHE/$SHA-dpdk$DPDK_VERSION"
TREE="$BUILD/fastclick"
mkdir -p "$BUILD/bin"
exec 8>"$BUILD/.lock"
flock 8

# 3. DPDK's testpmd sources (FastClick's flow-rule parser compiles them): from Debian's source package.
RTE_SDK="$BUILD/dpdk-src"
if [ ! -f "$RTE_SDK/.complete" ]; then
  rm -rf "$RTE_SDK" "$BUILD/dpdk-download"
  mkdir -p "$BUILD/dpdk-download" "$RTE_SDK"
  DEB_VERSION=$(dpkg-query -W -f='${source:Version}' libdpdk-dev 2>/dev/null || true)
  log "downloading the dpdk source package ${DEB_VERSION:-(any version)}"
  ( cd "$BUILD/dpdk-download" && apt-get source --download-only "dpdk${DEB_VERSION:+=$DEB_VERSION}" ) >"$BUILD/dpdk-download.log" 2>&1 \
    || ( cd "$BUILD/dpdk-download" && apt-get source --download-only dpdk ) >>"$BUILD/dpdk-download.log" 2>&1 \
    || { tail -n 20 "$BUILD/dpdk-download.log" >&2; die "apt-get source dpdk failed (no deb-src entry?); $SETUP_HINT"; }
  ORIGS=("$BUILD"/dpdk-download/dpdk_*.orig.tar.*)
  ORIG=${ORIGS[0]}
  [ -f "$ORIG" ] || die "no dpdk_*.orig.tar.* in $BUILD/dpdk-download"
  tar -xf "$ORIG" -C "$RTE_SDK" --strip-components=1 --wildcards '*/app/test-pmd/*' '*/drivers/net/mlx5/mlx5_testpmd.h' \
    || die "cannot extract testpmd sources from $ORIG"
  [ -f "$RTE_SDK/app/test-pmd/cmdline_flow.c" ] || die "$ORIG holds no app/test-pmd/cmdline_flow.c"
  rm -rf "$BUILD/dpdk-download"
  touch "$RTE_SDK/.complete"
fi

# 4. The build tree: a patched copy, configured once, with the tools the minimal driver needs.
# FastClick compiles with -march=native: a tree built on another kind of CPU is rebuilt, not reused.
MARCH=$(gcc -march=native -Q --help=target 2>/dev/null | awk '$1=="-march=" {m = $2} END {print m}')
if [ -f "$BUILD/.configured" ] && [ "$(cat "$BUILD/.march" 2>/dev/null)" != "$MARCH" ]; then
  log "the cached build is for CPU '$(cat "$BUILD/.march" 2>/dev/null)', this one is '$MARCH': rebuilding"
  rm -rf "$TREE" "$BUILD/bin" "$BUILD/.configured"
  mkdir -p "$BUILD/bin"
fi
if [ ! -f "$BUILD/.configured" ]; then
  rm -rf "$TREE"
  cp -a "$SRC" "$TREE"
  # DPDK 22.11 made testpmd's main_ctx a pointer; the array is builtin_ctx (tbarbette/fastclick#391).
  sed -i 's/^extern cmdline_parse_ctx_t main_ctx\[\];$/extern cmdline_parse_ctx_t builtin_ctx[];\n#define main_ctx builtin_ctx/' \
    "$TREE/include/click/flowruleparser.hh"
  grep -q '^#define main_ctx builtin_ctx$' "$TREE/include/click/flowruleparser.hh" \
    || die "the main_ctx fix did not apply to include/click/flowruleparser.hh (has upstream changed it?)"
  cd "$TREE"
  step configure ./configure --enable-dpdk --enable-flow-api --enable-flow --enable-research \
    --disable-linuxmodule --disable-task-stats --disable-cpu-load \
    RTE_SDK="$RTE_SDK" CFLAGS="-O0 -g0" CXXFLAGS="-std=c++17 -O0 -g0"
  step tools make -j"$JOBS" RTE_SDK="$RTE_SDK" bin/click-buildtool bin/click-compile stamp-h
  step mkmindriver make -C tools -j"$JOBS" RTE_SDK="$RTE_SDK" click-mkmindriver
  step elementmap make RTE_SDK="$RTE_SDK" share/click/elementmap.xml
  [ -x "$TREE/bin/click-mkmindriver" ] || die "bin/click-mkmindriver was not built"
  [ -f "$TREE/share/click/elementmap.xml" ] || die "share/click/elementmap.xml was not built"
  echo "$MARCH" >"$BUILD/.march"
  touch "$BUILD/.configured"
fi

# 5. The class list: the configurations under test, plus the files given, filtered by the elementmap.
mapfile -t CONFS < <(node "$ROOT/scripts/fastclick-confs.mjs" list "$SRC") \
  || die "cannot list FastClick's configurations"
FIXTURES=("$ROOT"/test/fixtures/upstream/*.click)
[ -e "${FIXTURES[0]}" ] || FIXTURES=()
mapfile -t WANTED < <(node "$ROOT/scripts/fastclick-confs.mjs" classes "${CONFS[@]}" "${FIXTURES[@]}" "$@") \
  || die "cannot list the element classes of the configurations"
KNOWN=$(grep -o '<entry name="[^"]*"' "$TREE/share/click/elementmap.xml" | sed 's/<entry name="//; s/"$//' | sort -u)
CLASSES=()
UNKNOWN=()
for c in "${WANTED[@]}"; do
  if grep -qxF "$c" <<<"$KNOWN"; then CLASSES+=("$c"); else UNKNOWN+=("$c"); fi
done
[ "${#CLASSES[@]}" -gt 0 ] || die "no element class to build"
[ "${#UNKNOWN[@]}" -eq 0 ] || log "not in FastClick's elementmap, left out: ${UNKNOWN[*]}"
CLASS_SHA=$(printf '%s\n' "${CLASSES[@]}" | sha256sum | cut -c1-12)
DRIVER="$BUILD/bin/minclick-$CLASS_SHA"

# 5b. Upstream's flow-manager header uses Args without including it; the full build happens to
# include args.hh earlier, a minimal driver includes the header first and fails. Idempotent.
VFM="$TREE/include/click/flow/virtualflowmanager.hh"
if [ -f "$VFM" ] && ! grep -q '^#include <click/args.hh>$' "$VFM"; then
  sed -i 's|^#include <click/flow/flowelement.hh>$|#include <click/args.hh>\n#include <click/flow/flowelement.hh>|' "$VFM"
  grep -q '^#include <click/args.hh>$' "$VFM" || die "the args.hh fix did not apply to $VFM (has upstream changed it?)"
fi

# 5c. userlevel/Makefile tests `@HAVE_SSE42@`, which configure never substitutes, so the cuckoo++
# hash objects the per-thread flow managers need are never linked. Substitute it from the CPU.
if grep -q '^ifeq (@HAVE_SSE42@,yes)$' "$TREE/userlevel/Makefile"; then
  if grep -qw sse4_2 /proc/cpuinfo; then SSE42=yes; else SSE42=no; fi
  sed -i "s/^ifeq (@HAVE_SSE42@,yes)\$/ifeq ($SSE42,yes)/" "$TREE/userlevel/Makefile"
fi

# 6. The minimal driver, once per class list (objects already compiled for another list are reused).
if [ ! -x "$DRIVER" ]; then
  cd "$TREE/userlevel"
  printf '%s\n' "${CLASSES[@]}" >"$BUILD/classes-$CLASS_SHA.txt"
  E_ARGS=()
  for c in "${CLASSES[@]}"; do E_ARGS+=(-E "$c"); done
  step "mindriver-$CLASS_SHA" env CLICKPATH=../share/click ../bin/click-mkmindriver -p min -u "${E_ARGS[@]}"
  # testpmd's sources reference a handler of the mlx5 driver that Debian's DPDK does not export.
  printf '#include <stdint.h>\nvoid mlx5_test_avail_thresh_event_handler(uint16_t port, uint16_t rxq) { (void)port; (void)rxq; }\n' >mlx5_stub.c
  step stub gcc -c -O0 -o mlx5_stub.o mlx5_stub.c
  rm -f minclick
  step "minclick-$CLASS_SHA" make -j"$JOBS" minclick MINDRIVER=min RTE_SDK="$RTE_SDK" \
    ELEMENT_LIBS="$TREE/userlevel/mlx5_stub.o -ljansson -lrte_net_ixgbe -lrte_net_i40e -lrte_net_bond -lrte_net_dpaa -lrte_net_bnxt"
  [ -x minclick ] || die "make did not produce userlevel/minclick"
  cp minclick "$DRIVER.tmp" && mv "$DRIVER.tmp" "$DRIVER"
  log "built $DRIVER (${#CLASSES[@]} classes)"
fi
ln -sfn "$(basename "$DRIVER")" "$BUILD/bin/minclick"
echo "$DRIVER"
