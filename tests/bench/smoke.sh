#!/bin/bash
# bench/compare --smoke: every scenario once with tiny sizes against
# cellftpd (and the installed peers, as root), failing only when the
# harness itself breaks: a run that cannot start, errors, no result.
# Exit 77 (meson's SKIP) with the reason when something it needs is
# missing.
set -u

skip() {
	echo "1..0 # SKIP $*"
	exit 77
}

for v in CELLFTPD_BIN CELLFTP_BENCH_BIN CELLFTPD_MODULES CELLFTPD_SOURCE_ROOT
do
	[ -n "${!v:-}" ] || skip "$v is not set (run through meson test)"
done
for f in "$CELLFTPD_BIN" "$CELLFTP_BENCH_BIN"; do
	[ -x "$f" ] || skip "$f is not built"
done
command -v python3 >/dev/null || skip "python3 is not installed"
compare=$CELLFTPD_SOURCE_ROOT/bench/compare
[ -f "$compare" ] || skip "$compare is missing"

out=$(mktemp -d "${TMPDIR:-/tmp}/cellftp-bench-smoke.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT

python3 "$compare" --smoke --out "$out"
rc=$?
if [ $rc -ne 0 ]; then
	echo "bench/compare --smoke failed ($rc); its runs:" >&2
	cat "$out/bench.log" >&2 2>/dev/null
fi
exit $rc
