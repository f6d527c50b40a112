#!/bin/sh
# Build the libFuzzer targets (clang, -Dfuzz=true) and run each one for a
# few seconds on a copy of its committed seed corpus, so a run never
# changes the checkout.  Exits non-zero if a target finds anything; the
# input that did it is left in the work folder it names.
#
#   tests/fuzz/run.sh [-m] [SECONDS] [TARGET...]
#
# SECONDS defaults to 5; TARGETs default to all (proto vpath dataaddr users
# cfg).  -m merges what the run found into corpus/<target>/ (minimised),
# for a maintainer to review and commit.  FUZZ_BUILD overrides the build
# folder (default: build-fuzz in the source tree).
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD:-$src/build-fuzz}
merge=0
if [ "${1:-}" = "-m" ]; then
	merge=1
	shift
fi
secs=${1:-5}
case $secs in
''|*[!0-9]*) echo "usage: $0 [-m] [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac
[ $# -gt 0 ] && shift
targets=${*:-proto vpath dataaddr users cfg}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true -Dtests=false \
		-Dbuildtype=debugoptimized >/dev/null
fi
set --
for t in $targets; do
	set -- "$@" "tests/fuzz/fuzz_$t"
done
ninja -C "$build" "$@" >/dev/null

fuzz_dir=$src/tests/fuzz
. "$fuzz_dir/libfuzzer.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/cellftpd-fuzz.XXXXXX")
failed=
for t in $targets; do
	mkdir -p "$work/$t"
	echo "fuzz_$t: ${secs}s"
	# new inputs go to $work/$t; the committed corpus is only read
	if ! libfuzzer "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" \
	    -artifact_prefix="$work/$t-" \
	    "$work/$t" "$fuzz_dir/corpus/$t" >"$work/$t.log" 2>&1; then
		tail -n 40 "$work/$t.log" >&2
		failed="$failed $t"
		continue
	fi
	grep -E '^stat::(number_of_executed_units|new_units_added)' \
		"$work/$t.log" || true
	if [ $merge = 1 ]; then
		"$build/tests/fuzz/fuzz_$t" -merge=1 \
			"$fuzz_dir/corpus/$t" "$work/$t" >/dev/null 2>&1
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: findings in:$failed (inputs and logs in $work)" >&2
	exit 1
fi
rm -rf "$work"
echo "fuzz: no findings"
