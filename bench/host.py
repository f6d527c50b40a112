"""
Preparing the machine for bench/compare: the peer servers (vsftpd from
apt; pure-ftpd and proftpd unpacked from their .debs, since the three
packages conflict), gnuplot, the throwaway system user every server logs
in as (one yescrypt hash for all), and the data set in its home.
"""

import ctypes
import os
import pwd
import re
import secrets
import shutil
import string
import subprocess
import time

POLICY_RC = "/usr/sbin/policy-rc.d"
UNPACKED = ["pure-ftpd", "proftpd-basic", "proftpd-core"]
MIB = 1024 * 1024


def log(msg):
	print("compare: %s" % msg, flush=True)


def run(argv, **kw):
	"""Run a command; raise with its output when it fails."""
	r = subprocess.run(argv, stdout=subprocess.PIPE,
			   stderr=subprocess.STDOUT, text=True, **kw)
	if r.returncode != 0:
		raise RuntimeError("%s failed (%d):\n%s"
				   % (" ".join(argv), r.returncode, r.stdout[-3000:]))
	return r.stdout


def installed(pkg):
	r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
			   capture_output=True, text=True)
	return r.returncode == 0 and r.stdout.endswith("installed")


def _apt(argv, **kw):
	"""run() an apt-get command, again after apt-get update if it fails
	(the package lists may be stale or missing)."""
	try:
		return run(argv, **kw)
	except RuntimeError:
		run(["apt-get", "update", "-q"], env=kw.get("env"))
		return run(argv, **kw)


def _apt_install(pkgs):
	want = [p for p in pkgs if not installed(p)]
	if not want:
		return
	log("apt-get install %s" % " ".join(want))
	# No service may start from the install: we run our own instances.
	made = False
	if not os.path.exists(POLICY_RC):
		with open(POLICY_RC, "w") as f:
			f.write("#!/bin/sh\n# bench/compare: no service starts\n"
				"exit 101\n")
		os.chmod(POLICY_RC, 0o755)
		made = True
	try:
		_apt(["apt-get", "install", "-y", "-q", "--no-install-recommends"]
		     + want, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
	finally:
		if made:
			os.unlink(POLICY_RC)


def _lib_depends(deb):
	"""The shared-library packages a .deb depends on."""
	out = run(["dpkg-deb", "-f", deb, "Depends"])
	libs = []
	for alt in out.split(","):
		name = re.sub(r"\(.*?\)", "", alt.split("|")[0]).strip()
		if name.startswith(("lib", "zlib")) and name != "libpam-runtime":
			libs.append(name.split(":")[0])
	return libs


def install_peers(tmp):
	"""vsftpd and gnuplot installed; pure-ftpd and proftpd unpacked into
	tmp/peers.  Returns {package: version} of the unpacked ones."""
	_apt_install(["vsftpd", "gnuplot-nox"])
	debs = os.path.join(tmp, "debs")
	root = os.path.join(tmp, "peers")
	os.makedirs(debs)
	os.makedirs(root)
	log("apt-get download %s" % " ".join(UNPACKED))
	_apt(["apt-get", "download"] + UNPACKED, cwd=debs)
	versions, libs = {}, []
	for deb in sorted(os.listdir(debs)):
		path = os.path.join(debs, deb)
		pkg = run(["dpkg-deb", "-f", path, "Package"]).strip()
		versions[pkg] = run(["dpkg-deb", "-f", path, "Version"]).strip()
		libs += _lib_depends(path)
		run(["dpkg-deb", "-x", path, root])
	_apt_install(sorted(set(libs)))
	return versions


def find_peers(tmp):
	"""Paths of the peer binaries that exist: {name: path}, the ones
	install_peers unpacked into tmp/peers first."""
	unpacked = os.path.join(tmp, "peers/usr/sbin")
	where = {
		"vsftpd": ["/usr/sbin/vsftpd"],
		"pure-ftpd": [os.path.join(unpacked, "pure-ftpd"),
			      "/usr/sbin/pure-ftpd"],
		"proftpd": [os.path.join(unpacked, "proftpd"),
			    "/usr/sbin/proftpd"],
	}
	found = {}
	for name, paths in where.items():
		for p in paths:
			if os.access(p, os.X_OK):
				found[name] = p
				break
	return found


# ------------------------------------------------------------- the user

class Crypt:
	"""libcrypt through ctypes: yescrypt settings and hashing."""

	def __init__(self):
		lc = ctypes.CDLL("libcrypt.so.1")
		lc.crypt_gensalt.restype = ctypes.c_char_p
		lc.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong,
					     ctypes.c_char_p, ctypes.c_int]
		lc.crypt.restype = ctypes.c_char_p
		lc.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
		self.lc = lc

	def hash(self, password):
		setting = self.lc.crypt_gensalt(b"$y$", 0, None, 0)
		h = self.lc.crypt(password.encode(), setting)
		if not h or not h.startswith(b"$y$"):
			raise RuntimeError("libcrypt cannot make a yescrypt hash")
		return h.decode()

	def verify_ms(self, password, h, rounds=15):
		"""Median milliseconds of one verification."""
		times = []
		for _ in range(rounds):
			t = time.perf_counter()
			self.lc.crypt(password.encode(), h.encode())
			times.append((time.perf_counter() - t) * 1000)
		times.sort()
		return times[len(times) // 2]


def new_password():
	abc = string.ascii_letters + string.digits
	return "".join(secrets.choice(abc) for _ in range(20))


def add_system_user(name, home, hash_):
	"""useradd with the hash (retried: other tools may hold the lock)."""
	for attempt in range(10):
		r = subprocess.run(["useradd", "-M", "-d", home, "-s", "/bin/sh",
				    "-c", "cellftp-bench throwaway", "-p", hash_,
				    name], capture_output=True, text=True)
		if r.returncode == 0:
			pw = pwd.getpwnam(name)
			return pw.pw_uid, pw.pw_gid
		time.sleep(0.5)
	raise RuntimeError("useradd %s: %s" % (name, r.stderr.strip()))


def del_system_user(name):
	for attempt in range(10):
		r = subprocess.run(["userdel", name], capture_output=True)
		if r.returncode in (0, 6):	# 6: no such user
			return
		time.sleep(0.5)
	log("warning: userdel %s failed; remove the user by hand" % name)


def shadow_hash(name):
	out = run(["getent", "shadow", name])
	return out.split(":")[1]


# ------------------------------------------------------------- the data

def _write_file(path, size, block):
	"""size bytes of block (a memoryview: slices are not copies),
	repeated as needed."""
	with open(path, "wb") as f:
		left = size
		while left > 0:
			n = min(left, len(block))
			f.write(block[:n])
			left -= n


def make_data(home, sizes, uid, gid):
	"""big.bin, mid.bin, small/f00000.., list/ in home, owned by the
	user.  Just written, they are in the page cache: every server starts
	from a warm one."""
	block = memoryview(os.urandom(4 * MIB))
	_write_file(os.path.join(home, "big.bin"), sizes["big"], block)
	_write_file(os.path.join(home, "mid.bin"), sizes["mid"], block)
	small = os.path.join(home, "small")
	os.mkdir(small)
	for i in range(sizes["small_files"]):
		_write_file(os.path.join(small, "f%05d" % i), sizes["small"],
			    block[i:])
	lst = os.path.join(home, "list")
	os.mkdir(lst)
	for i in range(sizes["list"]):
		open(os.path.join(lst, "entry-%05d.dat" % i), "wb").close()
	if uid is not None:
		for d, dirs, files in os.walk(home):
			os.chown(d, uid, gid)
			for f in files:
				os.chown(os.path.join(d, f), uid, gid)


def remove_tree(path):
	shutil.rmtree(path, ignore_errors=True)
