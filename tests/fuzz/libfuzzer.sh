# Sourced by run.sh and ci.sh once $fuzz_dir names this folder: the leak
# suppressions and the limits of every run of a target here.
#   libfuzzer BINARY [LIBFUZZER-ARGUMENT...] [CORPUS-DIR...]
LSAN_OPTIONS="suppressions=$fuzz_dir/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

libfuzzer() {
	_bin=$1
	shift
	"$_bin" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
		-print_final_stats=1 "$@"
}
