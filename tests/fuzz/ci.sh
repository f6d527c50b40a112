#!/bin/sh
# One libFuzzer target for a few seconds, as a meson test (suite "fuzz"):
# new inputs go to a temporary folder, so the committed corpus is only
# read and CI never changes the checkout.
#
#   tests/fuzz/ci.sh TARGET-BINARY CORPUS-DIR SECONDS
set -eu

[ $# -eq 3 ] || { echo "usage: $0 BINARY CORPUS SECONDS" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cellftpd-fuzz-ci.XXXXXX")
trap 'rm -rf "$work"' EXIT
LSAN_OPTIONS="suppressions=$here/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
mkdir "$work/new"
# a finding exits non-zero; its input is printed in the log as base64
"$1" -max_total_time="$3" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
	-artifact_prefix="$work/" -print_final_stats=1 -print_pcs=0 \
	"$work/new" "$2" 2>&1 || {
	rc=$?
	for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* \
	    "$work"/oom-*; do
		[ -f "$a" ] || continue
		echo "finding: $(basename "$a"): $(base64 -w0 "$a")"
	done
	exit $rc
}
