#!/bin/sh
# One libFuzzer target for a few seconds, as a meson test (suite "fuzz"):
# new inputs go to a temporary folder, so the committed corpus is only
# read and CI never changes the checkout.
#
#   tests/fuzz/ci.sh TARGET-BINARY CORPUS-DIR SECONDS
set -eu

[ $# -eq 3 ] || { echo "usage: $0 BINARY CORPUS SECONDS" >&2; exit 2; }
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
. "$fuzz_dir/libfuzzer.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/cellftpd-fuzz-ci.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"
# a finding exits non-zero; its input is printed in the log as base64
libfuzzer "$1" -max_total_time="$3" -artifact_prefix="$work/" -print_pcs=0 \
	"$work/new" "$2" 2>&1 || {
	rc=$?
	for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* \
	    "$work"/oom-*; do
		[ -f "$a" ] || continue
		echo "finding: $(basename "$a"): $(base64 -w0 "$a")"
	done
	exit $rc
}
