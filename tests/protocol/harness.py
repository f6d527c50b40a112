"""
Protocol-test harness: starts a real cellftpd on an ephemeral loopback port
with a temporary root, and gives tests clients that check every reply (and
every listing line) for leaked real paths and malformed multi-line replies.

Environment (set by tests/protocol/meson.build, or by hand to run a file
standalone): CELLFTPD_BIN, CELLFTPD_USER_BIN, CELLFTPD_MODULES (':'-joined
paths of auth_file.so and log_file.so).
"""

import atexit
import ctypes
import ftplib
import hashlib
import os
import pwd
import random
import resource
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SKIP = 77
TMP_PREFIX = "cellftpd-ptest-"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
NET_TIMEOUT = 15.0
RUN_AS_ROOT = "nobody"		# server.run_as when the tests run as root

# ---------------------------------------------------------------- environment


def env_path(name):
	v = os.environ.get(name)
	if not v:
		sys.stderr.write("harness: %s is not set; run through `meson test` "
				 "or export CELLFTPD_BIN, CELLFTPD_USER_BIN and "
				 "CELLFTPD_MODULES\n" % name)
		sys.exit(2)
	return v


def binaries():
	"""(cellftpd, cellftpd-user, [module .so paths]); exits if unset."""
	srv = env_path("CELLFTPD_BIN")
	user = env_path("CELLFTPD_USER_BIN")
	mods = [m for m in env_path("CELLFTPD_MODULES").split(":") if m]
	for p in [srv, user] + mods:
		if not os.path.exists(p):
			sys.stderr.write("harness: %s does not exist (not built?)\n" % p)
			sys.exit(2)
	return srv, user, mods


def skip_file(reason):
	"""Skip the whole test file (meson reads exit 77 as SKIP)."""
	print("1..0 # SKIP %s" % reason)
	sys.stdout.flush()
	sys.exit(SKIP)


def have_ipv6_loopback():
	if not socket.has_ipv6:
		return False
	try:
		s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
	except OSError:
		return False
	try:
		s.bind(("::1", 0))
		return True
	except OSError:
		return False
	finally:
		s.close()


# ------------------------------------------------------------- leak checking

# Strings no reply, listing or client output may ever contain: the real
# paths of every temporary directory the tests make.
_forbidden = set()
_forbidden_lock = threading.Lock()


def forbid(path):
	with _forbidden_lock:
		_forbidden.add(path)
		_forbidden.add(os.path.realpath(path))


def leaks(text, sent=""):
	"""The forbidden strings found in text (str or bytes).  A string the
	client itself sent (`sent`, the command) may be echoed back."""
	if isinstance(text, bytes):
		text = text.decode("utf-8", "replace")
	found = []
	with _forbidden_lock:
		pats = sorted(_forbidden) + [TMP_PREFIX]
	for p in pats:
		if p and p in text and p not in sent:
			found.append(p)
	return found


def check_no_leak(text, where="reply", sent=""):
	found = leaks(text, sent)
	if found:
		raise AssertionError("%s leaks a real path %r: %r"
				     % (where, found[0], text))


# ------------------------------------------------------------ config writing


class Raw:
	"""A libconfig value written as is (for deliberately bad configs)."""

	def __init__(self, text):
		self.text = text


def cfg_scalar(v):
	if isinstance(v, Raw):
		return v.text
	if isinstance(v, bool):
		return "true" if v else "false"
	if isinstance(v, int):
		return str(v)
	if isinstance(v, float):
		return repr(v)
	if isinstance(v, str):
		return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
	if isinstance(v, list):
		return "[ " + ", ".join(cfg_scalar(x) for x in v) + " ]"
	raise TypeError("no libconfig form for %r" % (v,))


def cfg_group_lines(d, indent):
	"""Lines of `key = value;` for a dict, one setting per line."""
	pad = "  " * indent
	out = []
	for k, v in d.items():
		if isinstance(v, dict):
			out.append("%s%s: {" % (pad, k))
			out += cfg_group_lines(v, indent + 1)
			out.append("%s};" % pad)
		elif isinstance(v, tuple):
			out.append("%s%s = (" % (pad, k))
			for i, g in enumerate(v):
				out.append("%s  {" % pad)
				out += cfg_group_lines(g, indent + 2)
				out.append("%s  }%s" % (pad, "," if i + 1 < len(v) else ""))
			out.append("%s);" % pad)
		else:
			out.append("%s%s = %s;" % (pad, k, cfg_scalar(v)))
	return out


# -------------------------------------------------------------------- server

_servers = []
_PR_SET_PDEATHSIG = 1


def _child_setup(nofile=None):
	# Die with the test process, even if it is SIGKILLed by a timeout.
	try:
		libc = ctypes.CDLL(None, use_errno=True)
		libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
	except Exception:
		pass
	if nofile is not None:
		resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))


class ServerError(Exception):
	pass


class Server:
	"""
	One cellftpd in a temporary directory:
	  tmp/root (server root, cells root/<login>), tmp/mods (module copies),
	  tmp/log, tmp/users, tmp/cellftpd.conf.
	users: iterable of (login, password, admin, quota-or-None).
	server: extra or overriding server.* keys.
	"""

	def __init__(self, users=(("alice", "alice-Pw.1", False, None),),
		     server=None, listen=("127.0.0.1:0",), auth=None,
		     log=None, start=True, extra_modules=(), env=None,
		     nofile=None):
		self.bin, self.user_bin, self.modules = binaries()
		self.tmp = tempfile.mkdtemp(prefix=TMP_PREFIX)
		forbid(self.tmp)
		self.root = os.path.join(self.tmp, "root")
		self.mods = os.path.join(self.tmp, "mods")
		self.logdir = os.path.join(self.tmp, "log")
		self.users_file = os.path.join(self.tmp, "users")
		self.conf = os.path.join(self.tmp, "cellftpd.conf")
		self.proc = None
		self.out = []			# lines from stdout + stderr
		self.out_lock = threading.Condition()
		self.threads = []
		self.addrs = []			# [(host, port)] from "listening on"
		self.passwords = {}
		self.cleaned = False
		self.env = dict(os.environ, **(env or {}))
		self.nofile = nofile		# a descriptor limit to start with
		_servers.append(self)
		try:
			self._make_tree()
			p = random.randint(20000, 60000)
			self.pasv_range = (p, p + 199)
			self.server_keys = {
				"listen": list(listen),
				"root": self.root,
				"workers": 2,
				"blocking_threads": 2,
				"idle_timeout": 30,
				"data_timeout": 20,
				"login_delay": 0.2,
				"max_login_attempts": 3,
				"passive_ports": [p, p + 199],
				"max_sessions": 100,
				"max_sessions_per_ip": 50,
				# the tests open many sessions and fail logins
				# from 127.0.0.1 on purpose: test_abuse sets its own
				"max_unauth_per_ip": 50,
				"ban_failures": 0,
			}
			# root never serves without run_as (test_privdrop)
			if os.geteuid() == 0:
				self.server_keys["run_as"] = RUN_AS_ROOT
			self.server_keys.update(server or {})
			self.auth_keys = {"name": "auth_file",
					  "users": self.users_file,
					  "registration": "admin",
					  "default_quota": "none"}
			self.auth_keys.update(auth or {})
			self.log_keys = {"name": "log_file", "dir": self.logdir}
			self.log_keys.update(log or {})
			# more modules.load entries, e.g. {"name": "quota_disk"}
			self.extra_modules = [dict(m) for m in extra_modules]
			self.write_conf()
			for u in users:
				self.add_user(*u)
			if start:
				self.start()
		except BaseException:
			self.cleanup()
			raise

	# -- files

	def _make_tree(self):
		os.chmod(self.tmp, 0o755)
		for d in (self.root, self.mods, self.logdir):
			os.mkdir(d)
			os.chmod(d, 0o755)
		for m in self.modules:
			dst = os.path.join(self.mods, os.path.basename(m))
			shutil.copyfile(m, dst)
			os.chmod(dst, 0o644)
		# An empty users file: cellftpd-user adds to it.
		with open(self.users_file, "w"):
			pass
		os.chmod(self.users_file, 0o600)
		# Like a real install, run_as owns the users file's folder (lock,
		# atomic rewrite), the cells and the logs.  The modules stay
		# root's (the loader checks them).
		give_to_run_as(self.tmp, self.root, self.logdir, self.users_file)

	def conf_lines(self):
		d = {
			"server": self.server_keys,
			"modules": {"path": self.mods,
				    "load": tuple([self.auth_keys, self.log_keys] +
						  self.extra_modules)},
		}
		return ["# written by tests/protocol/harness.py"] + \
			cfg_group_lines(d, 0)

	def write_conf(self, lines=None, path=None):
		lines = self.conf_lines() if lines is None else lines
		with open(path or self.conf, "w") as f:
			f.write("\n".join(lines) + "\n")

	def cell(self, login="alice"):
		return os.path.join(self.root, login)

	def on_disk(self, *parts, login="alice"):
		"""The real path of a path in login's cell."""
		return os.path.join(self.cell(login), *parts)

	def read_disk(self, *parts, login="alice"):
		"""The bytes of a file in login's cell, read from disk."""
		with open(self.on_disk(*parts, login=login), "rb") as f:
			return f.read()

	def add_user(self, login, password, admin=False, quota=None):
		argv = [self.user_bin, "-c", self.conf, "add", login]
		if admin:
			argv.append("--admin")
		if quota:
			argv += ["--quota", quota]
		r = subprocess.run(argv, input=(password + "\n").encode(),
				   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
				   timeout=60)
		if r.returncode != 0:
			raise ServerError("%s failed (%d): %s%s" % (
				" ".join(argv), r.returncode,
				r.stdout.decode(errors="replace"),
				r.stderr.decode(errors="replace")))
		self.passwords[login] = password
		return r

	def check_config(self, path=None):
		"""Run `cellftpd -t -c FILE`: (exit status, output)."""
		r = subprocess.run([self.bin, "-t", "-c", path or self.conf],
				   stdin=subprocess.DEVNULL, env=self.env,
				   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
				   timeout=30)
		return r.returncode, r.stdout.decode("utf-8", "replace")

	# -- process

	def _drain(self, stream):
		for raw in iter(stream.readline, b""):
			line = raw.decode("utf-8", "replace").rstrip("\n")
			with self.out_lock:
				self.out.append(line)
				self.out_lock.notify_all()
		with self.out_lock:
			self.out_lock.notify_all()

	def start(self, timeout=START_TIMEOUT):
		self.addrs = []
		with self.out_lock:
			self.out = []
		self.proc = subprocess.Popen(
			[self.bin, "-c", self.conf], stdin=subprocess.DEVNULL,
			stdout=subprocess.PIPE, stderr=subprocess.PIPE,
			cwd=self.tmp, env=self.env,
			preexec_fn=lambda: _child_setup(self.nofile))
		self.threads = []
		for s in (self.proc.stdout, self.proc.stderr):
			t = threading.Thread(target=self._drain, args=(s,),
					     daemon=True)
			t.start()
			self.threads.append(t)
		pat = re.compile(r"cellftpd: listening on "
				 r"(\[[^\]]+\]|[^\s\[\]:]+):(\d+)\s*$")
		deadline = time.monotonic() + timeout
		seen = 0
		with self.out_lock:
			while True:
				while seen < len(self.out):
					line = self.out[seen]
					seen += 1
					m = pat.search(line)
					if m:
						h = m.group(1).strip("[]")
						self.addrs.append((h, int(m.group(2))))
					if line.strip().endswith("cellftpd: ready"):
						if not self.addrs:
							raise ServerError(
								"ready without a listening line:\n"
								+ self.log_text())
						return
				if self.proc.poll() is not None:
					self.out_lock.wait(0.2)
					if seen == len(self.out):
						raise ServerError(
							"cellftpd exited with %s before ready:\n%s"
							% (self.proc.returncode,
							   "\n".join(self.out)))
					continue
				left = deadline - time.monotonic()
				if left <= 0:
					raise ServerError(
						"cellftpd not ready after %.0fs:\n%s"
						% (timeout, "\n".join(self.out)))
				self.out_lock.wait(min(left, 0.5))

	def log_text(self):
		with self.out_lock:
			return "\n".join(self.out)

	def wait_output(self, pattern, timeout=10.0, start=0):
		"""Wait until an output line (from index start) matches."""
		rx = re.compile(pattern)
		deadline = time.monotonic() + timeout
		with self.out_lock:
			while True:
				for line in self.out[start:]:
					if rx.search(line):
						return line
				left = deadline - time.monotonic()
				if left <= 0:
					return None
				self.out_lock.wait(min(left, 0.5))

	def out_len(self):
		with self.out_lock:
			return len(self.out)

	def alive(self):
		return self.proc is not None and self.proc.poll() is None

	def addr(self, family=socket.AF_INET):
		for h, p in self.addrs:
			if (":" in h) == (family == socket.AF_INET6):
				return h, p
		raise ServerError("no %s listener in %r" % (
			"IPv6" if family == socket.AF_INET6 else "IPv4", self.addrs))

	@property
	def host(self):
		return self.addr()[0]

	@property
	def port(self):
		return self.addr()[1]

	def send_signal(self, sig):
		self.proc.send_signal(sig)

	def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
		"""Send sig and wait: (exit status or None if still running, secs)."""
		if not self.alive():
			return (self.proc.returncode if self.proc else None), 0.0
		t0 = time.monotonic()
		self.proc.send_signal(sig)
		try:
			rc = self.proc.wait(timeout)
		except subprocess.TimeoutExpired:
			rc = None
		return rc, time.monotonic() - t0

	def kill(self):
		if self.alive():
			self.proc.kill()
			try:
				self.proc.wait(10)
			except subprocess.TimeoutExpired:
				pass
		for t in self.threads:
			t.join(2)

	def cleanup(self):
		if self.cleaned:
			return
		self.cleaned = True
		self.kill()
		for s in (self.proc.stdout, self.proc.stderr) if self.proc else ():
			try:
				s.close()
			except OSError:
				pass
		shutil.rmtree(self.tmp, ignore_errors=True)

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.cleanup()

	# -- clients

	def ftp(self, login="alice", password=None, family=socket.AF_INET,
		passive=True, source=None):
		"""A logged-in checking ftplib client."""
		f = self.connect(family, source=source)
		f.login(login, self.passwords[login] if password is None
			else password)
		f.set_pasv(passive)
		return f

	def connect(self, family=socket.AF_INET, source=None):
		h, p = self.addr(family)
		f = FTP(timeout=NET_TIMEOUT)
		f.connect(h, p, source_address=(source, 0) if source else None)
		return f

	def ctl(self, family=socket.AF_INET, source=None, banner=True):
		h, p = self.addr(family)
		c = Ctl(h, p, source=source)
		if banner:
			r = c.reply()
			if r.code != 220:
				raise AssertionError("banner: %s" % r)
		return c


def _cleanup_all():
	for s in list(_servers):
		try:
			s.cleanup()
		except Exception:
			pass


atexit.register(_cleanup_all)


def _on_term(signo, frame):
	# meson kills a test that times out with SIGTERM: still clean up.
	raise SystemExit(128 + signo)


signal.signal(signal.SIGTERM, _on_term)

# ----------------------------------------------------------- ftplib client


class FTP(ftplib.FTP):
	"""ftplib with every reply and listing line checked for leaks."""

	def __init__(self, *a, **kw):
		self.replies = []
		self.last_cmd = ""
		super().__init__(*a, **kw)

	def putcmd(self, line):
		self.last_cmd = line
		super().putcmd(line)

	def getmultiline(self):
		r = super().getmultiline()
		self.replies.append(r)
		check_no_leak(r, sent=self.last_cmd)
		return r

	def retrlines(self, cmd, callback=None):
		lines = []

		def cb(line):
			check_no_leak(line, "listing line of %r" % cmd)
			lines.append(line)
			if callback:
				callback(line)
		resp = super().retrlines(cmd, cb)
		self.last_lines = lines
		return resp

	def lines(self, cmd):
		"""Run a listing command, return its lines."""
		self.retrlines(cmd)
		return self.last_lines

	def get(self, path, rest=None):
		chunks = []
		self.retrbinary("RETR " + path, chunks.append, rest=rest)
		return b"".join(chunks)

	def put(self, path, data, cmd="STOR", rest=None):
		import io
		return self.storbinary("%s %s" % (cmd, path), io.BytesIO(data),
				       rest=rest)

	def code(self, line):
		"""Send a command, return (code, full reply) whatever the code."""
		self.putcmd(line)
		r = self.getmultiline()
		return int(r[:3]), r

	def close(self):
		try:
			super().close()
		except OSError:
			pass

	def bye(self):
		try:
			self.quit()
		except (OSError, EOFError, ftplib.Error):
			pass
		self.close()


# -------------------------------------------------------- raw control client


class Reply:
	def __init__(self, code, lines):
		self.code = code
		self.lines = lines		# without line ends

	@property
	def text(self):
		return "\n".join(self.lines)

	def __str__(self):
		return " | ".join(self.lines)

	__repr__ = __str__


class ProtocolError(AssertionError):
	pass


class Ctl:
	"""
	A raw control connection: send exact bytes, read replies checked for
	RFC 959 framing (CRLF line ends, a well formed multi-line reply) and
	for leaked paths.
	"""

	def __init__(self, host, port, source=None, timeout=NET_TIMEOUT):
		fam = socket.AF_INET6 if ":" in host else socket.AF_INET
		self.sock = socket.socket(fam, socket.SOCK_STREAM)
		self.sock.settimeout(timeout)
		if source:
			self.sock.bind((source, 0))
		self.sock.connect((host, port))
		self.timeout = timeout
		self.buf = b""
		self.eof = False
		self.log = []
		self.last_cmd = ""

	def close(self):
		try:
			self.sock.close()
		except OSError:
			pass

	def send(self, data):
		if isinstance(data, str):
			data = data.encode("utf-8")
		self.last_cmd = data.decode("utf-8", "replace")
		self.sock.sendall(data)

	def _fill(self, deadline):
		left = deadline - time.monotonic()
		if left <= 0:
			raise socket.timeout("no reply")
		r, _, _ = select.select([self.sock], [], [], left)
		if not r:
			raise socket.timeout("no reply")
		try:
			d = self.sock.recv(65536)
		except ConnectionResetError:
			d = b""
		if not d:
			self.eof = True
		self.buf += d

	def readline(self, timeout=None):
		"""One reply line (str, without CRLF), or None at EOF."""
		deadline = time.monotonic() + (timeout or self.timeout)
		while b"\n" not in self.buf:
			if self.eof:
				if self.buf:
					raise ProtocolError("partial line before EOF: %r"
							    % self.buf)
				return None
			self._fill(deadline)
		raw, self.buf = self.buf.split(b"\n", 1)
		if not raw.endswith(b"\r"):
			raise ProtocolError("reply line not ended by CRLF: %r" % raw)
		line = raw[:-1].decode("utf-8", "replace")
		check_no_leak(line, sent=self.last_cmd)
		self.log.append(line)
		return line

	def reply(self, timeout=None):
		"""Next complete reply; raises at EOF or on bad framing."""
		first = self.readline(timeout)
		if first is None:
			raise EOFError("connection closed, no reply")
		m = re.match(r"^([1-5]\d\d)([ -])", first)
		if not m:
			raise ProtocolError("reply line without code: %r" % first)
		code = m.group(1)
		lines = [first]
		if m.group(2) == "-":
			for _ in range(100000):
				line = self.readline(timeout)
				if line is None:
					raise ProtocolError(
						"EOF inside multi-line reply: %r" % lines)
				lines.append(line)
				if line.startswith(code + " "):
					break
			else:
				raise ProtocolError("multi-line reply never ends")
		return Reply(int(code), lines)

	def cmd(self, line, timeout=None):
		self.send(line + "\r\n")
		return self.reply(timeout)

	def expect(self, line, *codes):
		r = self.cmd(line)
		if r.code not in codes:
			raise AssertionError("%r: got %s, expected %s"
					     % (line, r, "/".join(map(str, codes))))
		return r

	def login(self, user, password):
		self.expect("USER " + user, 331)
		return self.expect("PASS " + password, 230)

	def pending(self, wait=0.3):
		"""Bytes the server sent without being asked (within wait)."""
		deadline = time.monotonic() + wait
		while not self.eof:
			try:
				self._fill(deadline)
			except socket.timeout:
				break
		return self.buf

	def wait_closed(self, timeout):
		"""Read until EOF: (closed?, lines read meanwhile)."""
		deadline = time.monotonic() + timeout
		got = []
		while time.monotonic() < deadline:
			try:
				line = self.readline(max(0.05, deadline - time.monotonic()))
			except socket.timeout:
				break
			except ProtocolError:
				raise
			if line is None:
				return True, got
			got.append(line)
		return False, got

	# -- data channel helpers

	def pasv(self):
		r = self.expect("PASV", 227)
		return parse_227(r.lines[0])

	def epsv(self, arg=None):
		r = self.expect("EPSV" + (" " + arg if arg else ""), 229)
		return parse_229(r.lines[0])

	def data_connect(self, addr, source=None):
		fam = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
		s = socket.socket(fam, socket.SOCK_STREAM)
		s.settimeout(self.timeout)
		if source:
			s.bind((source, 0))
		s.connect(addr)
		return s

	def peer_host(self):
		return self.sock.getpeername()[0]


def parse_227(line):
	m = re.search(r"\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)", line)
	if not m:
		raise AssertionError("malformed 227: %r" % line)
	n = [int(x) for x in m.groups()]
	if any(x > 255 for x in n):
		raise AssertionError("malformed 227: %r" % line)
	return "%d.%d.%d.%d" % tuple(n[:4]), n[4] * 256 + n[5]


def parse_229(line):
	m = re.search(r"\((.)\1\1(\d+)\1\)", line)
	if not m:
		raise AssertionError("malformed 229 (RFC 2428 wants "
				     "'(|||port|)'): %r" % line)
	return int(m.group(2))


def recv_all(sock, limit=1 << 31, timeout=NET_TIMEOUT):
	sock.settimeout(timeout)
	chunks = []
	n = 0
	while n < limit:
		d = sock.recv(min(1 << 20, limit - n))
		if not d:
			break
		chunks.append(d)
		n += len(d)
	return b"".join(chunks)


def listen_socket(host):
	fam = socket.AF_INET6 if ":" in host else socket.AF_INET
	s = socket.socket(fam, socket.SOCK_STREAM)
	s.bind((host, 0))
	s.listen(1)
	s.settimeout(NET_TIMEOUT)
	return s


def port_arg(host, port):
	return ",".join(host.split(".") + [str(port >> 8), str(port & 255)])


# ---------------------------------------------------------------- utilities


def log_lines(srv, name, pattern, want=1, timeout=10.0):
	"""Lines of the log file `name` matching pattern, once there are at
	least `want` of them (the logger thread writes soon, not at once)."""
	rx = re.compile(pattern)
	found = []

	def enough():
		try:
			with open(os.path.join(srv.logdir, name), "rb") as f:
				text = f.read().decode("utf-8", "replace")
		except FileNotFoundError:
			text = ""
		found[:] = [x for x in text.splitlines() if rx.search(x)]
		return len(found) >= want
	wait_for(enough, timeout, 0.1)
	return found


def wait_for(cond, timeout=10.0, step=0.05):
	"""Poll cond() until it is true (True) or timeout passes (False)."""
	deadline = time.monotonic() + timeout
	while not cond():
		if time.monotonic() > deadline:
			return False
		time.sleep(step)
	return True


def preload_env(*libs):
	"""Environment for a server with these libraries preloaded: they
	come before the sanitizer runtime, so ASan must not insist on being
	first."""
	asan = os.environ.get("ASAN_OPTIONS", "")
	return {"LD_PRELOAD": ":".join(libs),
		"ASAN_OPTIONS": (asan + ":" if asan else "") +
		"verify_asan_link_order=0"}


def proc_status(path):
	"""A /proc status file (/proc/PID/status, /proc/PID/task/TID/status)
	as {field: value}, the values stripped: {"Uid": "0\t0\t0\t0", ...}."""
	out = {}
	with open(path) as f:
		for line in f:
			k, sep, v = line.partition(":")
			if sep:
				out[k] = v.strip()
	return out


def sha256_file(path):
	h = hashlib.sha256()
	with open(path, "rb") as f:
		for chunk in iter(lambda: f.read(1 << 20), b""):
			h.update(chunk)
	return h.hexdigest()


def tree_state(top):
	"""Everything about a tree (names, types, modes, sizes, mtimes, link
	targets, content hashes), for before/after comparison."""
	state = {}
	for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
		for name in sorted(dirnames + filenames):
			p = os.path.join(dirpath, name)
			st = os.lstat(p)
			rel = os.path.relpath(p, top)
			entry = [stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode),
				 st.st_size, st.st_mtime_ns, st.st_nlink]
			if stat.S_ISLNK(st.st_mode):
				entry.append(os.readlink(p))
			elif stat.S_ISREG(st.st_mode):
				entry.append(sha256_file(p))
			state[rel] = tuple(entry)
	st = os.lstat(top)
	state["."] = (stat.S_IMODE(st.st_mode), st.st_mtime_ns, st.st_nlink)
	return state


def give_to_run_as(*paths):
	"""As root the server runs as RUN_AS_ROOT: give it these paths (as
	another user, nothing to do)."""
	if os.geteuid() != 0:
		return
	pw = pwd.getpwnam(RUN_AS_ROOT)
	for p in paths:
		os.chown(p, pw.pw_uid, pw.pw_gid)


def write_file(path, data, mtime=None):
	"""A file in a cell, and the folders above it, the server's."""
	make_dir(os.path.dirname(path))
	with open(path, "wb") as f:
		f.write(data)
	give_to_run_as(path)
	if mtime is not None:
		os.utime(path, (mtime, mtime))


def make_dir(path):
	"""A folder in a cell, the server's like what write_file writes, as
	is every folder above it that it has to make."""
	path = os.path.normpath(path)
	if os.path.isdir(path):
		return
	make_dir(os.path.dirname(path))
	os.mkdir(path)
	give_to_run_as(path)


def random_bytes(n, seed=None):
	if seed is None:
		return os.urandom(n)
	return random.Random(seed).randbytes(n)


def run(argv, timeout=120, input=None, check_leak=True):
	"""Run a client program: (status, stdout, stderr), outputs checked."""
	r = subprocess.run(argv, input=input, stdout=subprocess.PIPE,
			   stderr=subprocess.PIPE, timeout=timeout,
			   stdin=None if input is not None else subprocess.DEVNULL)
	out = r.stdout.decode("utf-8", "replace")
	err = r.stderr.decode("utf-8", "replace")
	if check_leak:
		check_no_leak(out, "%s stdout" % argv[0])
		check_no_leak(err, "%s stderr" % argv[0])
	return r.returncode, out, err


def code_of(exc_or_reply):
	"""Reply code of an ftplib error or reply string."""
	s = exc_or_reply.args[0] if isinstance(exc_or_reply, Exception) \
		else exc_or_reply
	return int(str(s)[:3])


# ------------------------------------------------------------------ running


class TestCase(unittest.TestCase):
	"""Base: bounded helpers shared by every protocol test."""

	maxDiff = 4000

	def assertCode(self, reply, *codes, msg=None):
		c = code_of(reply)
		if c not in codes:
			self.fail("%sgot %r, expected %s" % (
				(msg + ": ") if msg else "", reply,
				" or ".join(map(str, codes))))

	def assertFtpError(self, codes, fn, *a, **kw):
		"""fn must raise an ftplib error whose code is in codes."""
		try:
			r = fn(*a, **kw)
		except ftplib.all_errors as e:
			if not isinstance(e, ftplib.Error):
				raise
			c = code_of(e)
			if c not in codes:
				self.fail("expected %s, got %r" % (codes, e.args[0]))
			return e.args[0]
		self.fail("expected an error %s, got success %r" % (codes, r))


def main():
	"""Run the file's tests; show the servers' output on failure."""
	prog = unittest.main(exit=False, verbosity=2, buffer=False)
	res = prog.result
	ok = res.wasSuccessful()
	if not ok:
		for s in _servers:
			txt = s.log_text()
			if txt:
				sys.stderr.write("\n---- cellftpd output (%s) ----\n%s\n"
						 % (os.path.basename(s.tmp), txt))
	_cleanup_all()
	sys.stdout.flush()
	sys.stderr.flush()
	if res.testsRun == 0:
		sys.exit(1)
	sys.exit(0 if ok else 1)
