"""
The servers bench/compare runs side by side: cellftpd, vsftpd, pure-ftpd
and proftpd, each on its own loopback port and passive range, from a
config file written here (no system config is read), in its own process
group so that it and every session process it forks can be stopped.
"""

import ctypes
import os
import resource
import shutil
import signal
import socket
import subprocess
import time

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
_PR_SET_PDEATHSIG = 1


def _child_setup():
	# As many descriptors as allowed (10,000 sessions need 10,000+), and
	# die with bench/compare even if it is SIGKILLed.
	soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
	try:
		resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
	except (ValueError, OSError):
		pass
	try:
		libc = ctypes.CDLL(None, use_errno=True)
		libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
	except OSError:
		pass


def descendants(pid):
	"""pid and every process below it, from /proc."""
	parent = {}
	for name in os.listdir("/proc"):
		if not name.isdigit():
			continue
		try:
			with open("/proc/%s/stat" % name) as f:
				stat = f.read()
		except OSError:
			continue
		fields = stat[stat.rfind(")") + 2:].split()
		parent[int(name)] = int(fields[1])
	tree, more = {pid}, True
	while more:
		more = False
		for child, ppid in parent.items():
			if ppid in tree and child not in tree:
				tree.add(child)
				more = True
	return tree


class ServerError(Exception):
	pass


class Server:
	"""One server: write_config() then start(), stop() (idempotent)."""

	name = "?"

	def __init__(self, ctx, port, pasv):
		self.ctx = ctx		# user, home, data root, tmp, binaries
		self.port = port
		self.pasv = pasv	# (first, last)
		self.dir = os.path.join(ctx.tmp, self.name)
		self.proc = None
		self.logf = None
		self._version = None
		os.makedirs(self.dir, exist_ok=True)
		os.chmod(self.dir, 0o755)

	def argv(self):
		raise NotImplementedError

	def write_config(self):
		pass

	def version(self):
		"""The server's version, asked once."""
		if self._version is None:
			self._version = self._ask_version()
		return self._version

	def _ask_version(self):
		return "?"

	@property
	def pid(self):
		return self.proc.pid if self.proc else None

	def alive(self):
		return self.proc is not None and self.proc.poll() is None

	def start(self):
		if self.alive():
			return
		self.logf = open(os.path.join(self.dir, "output.log"), "ab")
		self.proc = subprocess.Popen(
			self.argv(), stdin=subprocess.DEVNULL, stdout=self.logf,
			stderr=subprocess.STDOUT, cwd=self.dir,
			start_new_session=True, preexec_fn=_child_setup)
		deadline = time.monotonic() + START_TIMEOUT
		while time.monotonic() < deadline:
			if not self.alive():
				raise ServerError("%s exited with %s at start; see %s"
						  % (self.name, self.proc.returncode,
						     self.logf.name))
			if self._banner():
				return
			time.sleep(0.1)
		self.stop()
		raise ServerError("%s did not answer on port %d within %.0fs"
				  % (self.name, self.port, START_TIMEOUT))

	def _banner(self):
		try:
			with socket.create_connection(("127.0.0.1", self.port),
						      timeout=2) as s:
				return s.recv(4).startswith(b"220")
		except OSError:
			return False

	def _signal_group(self, signo):
		"""Signal the server's process group, then give it time."""
		try:
			os.killpg(self.proc.pid, signo)
		except OSError:
			pass
		try:
			self.proc.wait(STOP_TIMEOUT)
		except subprocess.TimeoutExpired:
			pass

	def stop(self):
		if self.proc is None:
			return
		tree = descendants(self.proc.pid) if self.alive() else set()
		self._signal_group(signal.SIGTERM)
		# Session processes that left the group, and anything stuck.
		for pid in tree | {self.proc.pid}:
			try:
				os.kill(pid, signal.SIGKILL)
			except OSError:
				pass
		self._signal_group(signal.SIGKILL)
		self.proc = None
		if self.logf:
			self.logf.close()
			self.logf = None


class Cellftpd(Server):
	name = "cellftpd"

	def write_config(self):
		c = self.ctx
		mods = os.path.join(self.dir, "mods")
		logs = os.path.join(self.dir, "log")
		os.makedirs(mods, exist_ok=True)
		os.makedirs(logs, exist_ok=True)
		os.chmod(mods, 0o755)
		for m in c.modules:
			dst = os.path.join(mods, os.path.basename(m))
			shutil.copyfile(m, dst)
			os.chmod(dst, 0o644)
		users = os.path.join(self.dir, "users")
		with open(users, "w") as f:
			f.write("%s:%s:-:-\n" % (c.user, c.hash))
		os.chmod(users, 0o600)
		if c.uid is not None:
			os.chown(users, c.uid, c.gid)
			os.chown(logs, c.uid, c.gid)
		self.conf = os.path.join(self.dir, "cellftpd.conf")
		loads = ['{ name = "auth_file"; users = "%s"; '
			 'default_quota = "none"; }' % users]
		if any(os.path.basename(m) == "quota_disk.so" for m in c.modules):
			loads.append('{ name = "quota_disk"; }')
		loads.append('{ name = "log_file"; dir = "%s"; }' % logs)
		# Limits on unauthenticated connections and bans would refuse a
		# ramp of logins from one address: off.
		with open(self.conf, "w") as f:
			f.write("""# written by bench/compare
server: {
  listen = [ "127.0.0.1:%d" ];
  root = "%s";
  workers = 0;
  max_sessions = 30000;
  max_sessions_per_ip = 30000;
  max_unauth_per_ip = 30000;
  ban_failures = 0;
  idle_timeout = 900;
  login_timeout = 300;
  passive_ports = [ %d, %d ];
  run_as = "%s";
};
modules: {
  path = "%s";
  load = ( %s );
};
""" % (self.port, c.data_root, self.pasv[0], self.pasv[1],
       c.user if c.uid is not None else "", mods, ",\n    ".join(loads)))
		r = subprocess.run([c.cellftpd, "-t", "-c", self.conf],
				   stdin=subprocess.DEVNULL, capture_output=True,
				   text=True)
		if r.returncode != 0:
			raise ServerError("cellftpd -t refuses %s:\n%s"
					  % (self.conf, r.stdout + r.stderr))

	def argv(self):
		return [self.ctx.cellftpd, "-c", self.conf]

	def _ask_version(self):
		r = subprocess.run([self.ctx.cellftpd, "-V"], capture_output=True,
				   text=True)
		return r.stdout.strip().split()[-1] if r.returncode == 0 else "?"


class Vsftpd(Server):
	name = "vsftpd"

	def write_config(self):
		empty = os.path.join(self.dir, "empty")
		os.makedirs(empty, exist_ok=True)
		os.chmod(empty, 0o755)
		self.conf = os.path.join(self.dir, "vsftpd.conf")
		lines = {
			"listen": "YES", "listen_ipv6": "NO",
			"listen_address": "127.0.0.1", "listen_port": self.port,
			"background": "NO", "anonymous_enable": "NO",
			"local_enable": "YES", "write_enable": "YES",
			"local_umask": "022", "chroot_local_user": "YES",
			# Pitfalls: a writable chroot is refused without this, and
			# the seccomp sandbox kills LIST on Debian 12.
			"allow_writeable_chroot": "YES", "seccomp_sandbox": "NO",
			"pam_service_name": "vsftpd", "userlist_enable": "NO",
			"tcp_wrappers": "NO", "pasv_enable": "YES",
			"pasv_min_port": self.pasv[0],
			"pasv_max_port": self.pasv[1],
			"max_clients": 30000, "max_per_ip": 30000,
			"idle_session_timeout": 900,
			"data_connection_timeout": 300,
			"xferlog_enable": "YES",
			"vsftpd_log_file": os.path.join(self.dir, "vsftpd.log"),
			"secure_chroot_dir": empty, "dirmessage_enable": "NO",
			"ftpd_banner": "vsftpd",
		}
		with open(self.conf, "w") as f:
			f.write("# written by bench/compare\n")
			for k, v in lines.items():
				f.write("%s=%s\n" % (k, v))

	def argv(self):
		return [self.ctx.vsftpd, self.conf]

	def _ask_version(self):
		return _dpkg_version("vsftpd")


class PureFtpd(Server):
	name = "pure-ftpd"

	def argv(self):
		# Pitfalls: -E (no anonymous) and -A (chroot), and limits well
		# above the defaults: -c/-C sessions, -L files in one listing.
		return [self.ctx.pureftpd,
			"-S", "127.0.0.1,%d" % self.port, "-l", "unix",
			"-E", "-A", "-H", "-c", "30000", "-C", "30000",
			"-L", "100000:5", "-p", "%d:%d" % self.pasv, "-I", "15",
			"-U", "022:022", "-Y", "0",
			"-g", os.path.join(self.dir, "pure-ftpd.pid"),
			"-O", "stats:" + os.path.join(self.dir, "transfer.log")]

	def _ask_version(self):
		return self.ctx.deb_versions.get("pure-ftpd", "?")


class Proftpd(Server):
	name = "proftpd"

	def write_config(self):
		self.conf = os.path.join(self.dir, "proftpd.conf")
		d = self.dir
		with open(self.conf, "w") as f:
			f.write("""# written by bench/compare
ServerName "proftpd"
ServerType standalone
Port %d
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
User nobody
Group nogroup
PidFile %s/proftpd.pid
ScoreboardFile %s/proftpd.scoreboard
MaxInstances 30000
PassivePorts %d %d
DefaultRoot ~
RequireValidShell off
AuthPAM off
AuthOrder mod_auth_unix.c
UseReverseDNS off
WtmpLog off
TimeoutIdle 900
TimeoutNoTransfer 900
AllowOverwrite on
Umask 022
# Pitfall: mod_delay slows every login down on purpose.
DelayEngine off
SystemLog %s/system.log
TransferLog %s/xferlog
<IfModule mod_ident.c>
  IdentLookups off
</IfModule>
""" % (self.port, d, d, self.pasv[0], self.pasv[1], d, d))

	def argv(self):
		return [self.ctx.proftpd, "-n", "-c", self.conf]

	def _ask_version(self):
		return self.ctx.deb_versions.get("proftpd-core", "?")


def _dpkg_version(pkg):
	r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
			   capture_output=True, text=True)
	return r.stdout.strip() if r.returncode == 0 else "?"


KINDS = {c.name: c for c in (Cellftpd, Vsftpd, PureFtpd, Proftpd)}
ORDER = list(KINDS)
