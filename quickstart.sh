#!/bin/bash
# Quick start for a fresh Debian 12 checkout.
#   ./quickstart.sh run     install build packages (as root), build, install
#                           into var/prefix, create the first accounts, serve
#                           on 127.0.0.1:2121 in the foreground
#   ./quickstart.sh test    the same set-up, then every test: plain, then
#                           under ASan+UBSan and (pool, quota, list) TSan, then
#                           each libFuzzer target for a few seconds; extra
#                           arguments go to a plain meson test run only
#   ./quickstart.sh deps    only install the missing build packages
set -euo pipefail

# Everything the build and the tests need; .ci/run installs it through us.
DEPS=(build-essential meson ninja-build pkg-config libconfig-dev libcrypt-dev
      libcmocka-dev libpam0g-dev libssl-dev lftp curl python3 clang
      libclang-rt-14-dev logrotate openssl e2fsprogs libpam-wrapper
      libpamtest0-dev libnss-wrapper passwd)

cd "$(dirname "$(readlink -f "$0")")"
BUILD=build
PREFIX="$PWD/var/prefix"

say() { printf 'quickstart: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

missing_deps() {
	local p
	for p in "${DEPS[@]}"; do
		if [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" \
			2>/dev/null)" != ii* ]]; then
			printf '%s\n' "$p"
		fi
	done
}

cmd_deps() {
	local missing
	if ! command -v dpkg-query >/dev/null; then
		say "not a Debian system: install by hand: ${DEPS[*]}"
		return 0
	fi
	mapfile -t missing < <(missing_deps)
	if [ "${#missing[@]}" -eq 0 ]; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages: ${missing[*]}
  as root: apt-get install ${missing[*]}"
	fi
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -qq update </dev/null
	apt-get -qq -y -o Dpkg::Use-Pty=0 install "${missing[@]}" </dev/null \
		>/dev/null
	mapfile -t missing < <(missing_deps)
	[ "${#missing[@]}" -eq 0 ] || die "still missing: ${missing[*]}"
}

cmd_configure() {
	local opts=(--prefix "$PREFIX" -Dwerror=false)
	if [ "${CI:-}" = true ]; then
		opts=(--prefix "$PREFIX" -Dwerror=true)
	fi
	if [ -f "$BUILD/meson-private/coredata.dat" ]; then
		meson setup --reconfigure "${opts[@]}" "$BUILD" >/dev/null ||
			meson setup --wipe "${opts[@]}" "$BUILD"
	else
		meson setup "${opts[@]}" "$BUILD"
	fi
}

cmd_build() {
	cmd_deps
	cmd_configure
	meson compile -C "$BUILD"
}

# 16 characters of [A-Za-z0-9] from the kernel's random source.
gen_password() {
	local pw=""
	while [ "${#pw}" -lt 16 ]; do
		pw+=$(head -c 256 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
	done
	printf '%s' "${pw:0:16}"
}

# Given twice, so it works whether cellftpd-user asks for a confirmation.
add_user() {
	local pw=$1
	shift
	printf '%s\n%s\n' "$pw" "$pw" | "$PREFIX/sbin/cellftpd-user" \
		${CELLFTPD_QS_CONF:+-c "$CELLFTPD_QS_CONF"} add "$@"
}

first_start() {
	local admin_pw demo_pw
	admin_pw=$(gen_password)
	demo_pw=$(gen_password)
	add_user "$admin_pw" admin --admin || die "could not create admin"
	add_user "$demo_pw" demo || die "could not create demo"
	(umask 077 && printf 'admin %s\ndemo %s\n' "$admin_pw" "$demo_pw" \
		>var/credentials)
	cat <<EOF

  First start: two accounts were created (also saved in var/credentials).

    admin login: admin    password: $admin_pw
    user  login: demo     password: $demo_pw

  Try:  curl -u demo:$demo_pw ftp://127.0.0.1:2121/

EOF
}

# As root, cellftpd refuses to serve without server.run_as: make a system
# user (no shell, no home) and a config for it whose data (cells, users
# file, logs) lives in var/srv, owned by that user; var/prefix (the
# binaries root runs) stays root's.  root_config CONF-FILE (called
# directly, not in $(...), so set -e holds inside it).
RUN_AS=cellftpd
root_config() {
	local conf=$1 d
	if ! id -u "$RUN_AS" >/dev/null 2>&1; then
		say "creating the system user $RUN_AS"
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$RUN_AS"
	fi
	# only what is made here is given to $RUN_AS: what the server and
	# cellftpd-user made since keeps the owner they gave it
	for d in var/srv var/srv/cells var/srv/log; do
		if [ ! -d "$d" ]; then
			mkdir "$d"
			chown "$RUN_AS:" "$d"
		fi
	done
	if [ ! -e var/srv/users ]; then
		(umask 077 && : >var/srv/users)
		chown "$RUN_AS:" var/srv/users
	fi
	chmod 0750 var/srv var/srv/log
	[ -e "$conf" ] || printf '%s\n' \
		"# written by quickstart.sh for a root start: edit freely" \
		"server: {" \
		"  listen = [ \"127.0.0.1:2121\" ];" \
		"  root = \"$PWD/var/srv/cells\";" \
		"  passive_ports = [ 50000, 50999 ];" \
		"  run_as = \"$RUN_AS\";" \
		"};" \
		"modules: {" \
		"  load = (" \
		"    { name = \"auth_file\"; users = \"$PWD/var/srv/users\";" \
		"      registration = \"admin\"; default_quota = \"1G\"; }," \
		"    { name = \"quota_disk\"; }," \
		"    { name = \"log_file\"; dir = \"$PWD/var/srv/log\"; }" \
		"  );" \
		"};" >"$conf"
}

cmd_run() {
	local conf="" users=var/users
	cmd_build
	meson install -C "$BUILD" --quiet
	mkdir -p var
	if [ "$(id -u)" -eq 0 ]; then
		conf=var/cellftpd.conf
		root_config "$conf"
		users=var/srv/users
		export CELLFTPD_QS_CONF="$conf"
	fi
	if [ ! -s "$users" ]; then
		first_start
	else
		say "accounts already exist: see var/credentials"
	fi
	say "serving on 127.0.0.1:2121, Ctrl-C stops"
	if [ -n "$conf" ]; then
		say "as root: config $conf, serving as user $RUN_AS"
		exec "$PREFIX/sbin/cellftpd" -c "$conf"
	fi
	exec "$PREFIX/sbin/cellftpd"
}

# A sanitizer build in its own folder: sanitize DIR -DOPTION... [TEST...]
# (the -D options go to meson setup, the rest to meson test; no tests
# named: all of them).  Never -Werror: another compiler's new warnings
# must not hide what the sanitizers find.
sanitize() {
	local dir=$1 opts=(-Db_lundef=false)
	shift
	while [ $# -gt 0 ] && [[ $1 == -D* ]]; do
		opts+=("$1")
		shift
	done
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		meson setup --reconfigure "${opts[@]}" "$dir" >/dev/null
	else
		meson setup "${opts[@]}" "$dir" >/dev/null
	fi || return 1
	meson compile -C "$dir" >/dev/null || return 1
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	TSAN_OPTIONS=halt_on_error=1 \
		meson test -C "$dir" --no-rebuild --print-errorlogs "$@"
}

# Every test: the plain build (as CI builds it), then all unit and protocol
# tests under AddressSanitizer + UndefinedBehaviorSanitizer, and the thread
# pool, the quota ledger and listings (read and stat'ed on two threads)
# under ThreadSanitizer.  Arguments go to the plain run only and skip the
# sanitizer runs (a quick focused loop).
cmd_test() {
	local rc=0
	cmd_build
	meson test -C "$BUILD" --print-errorlogs "$@" || rc=1
	if [ $# -eq 0 ] && [ "${CELLFTPD_SANITIZERS:-1}" = 1 ]; then
		say "again under ASan+UBSan (build-asan)"
		sanitize build-asan -Db_sanitize=address,undefined || rc=1
		say "the pool, the quota ledger and listings under TSan (build-tsan)"
		CC=clang sanitize build-tsan -Db_sanitize=thread pool quota list || rc=1
		say "each libFuzzer target for a few seconds (build-fuzz)"
		# clang, -Dfuzz=true, the folder tests/fuzz/run.sh uses: the
		# "fuzz" suite runs each target 5 seconds over a copy of the
		# committed corpus (tests/fuzz/ci.sh), so CI never grows it
		CC=clang sanitize build-fuzz -Dfuzz=true -Dtests=false \
			--suite fuzz || rc=1
	fi
	return $rc
}

case "${1:-}" in
deps)	cmd_deps ;;
run)	cmd_run ;;
test)	shift; cmd_test "$@" ;;
*)	echo "usage: $0 run | test [meson test args] | deps" >&2; exit 2 ;;
esac
