"""
System users through PAM (auth_pam.so), chained with the users file.

PAM and the system's user database are simulated without touching /etc:
pam_wrapper gives cellftpd a PAM service of our own (pam_matrix checks
passwords from a file; tests/pam/pam_cftest.so asks for pam_unix's failure
delay and expires listed accounts), nss_wrapper gives it passwd and group
files with the system users and their homes.  Where the tests run as root,
cellftpd serves as "nobody" and every ownership rule is checked for real:
the helper stays root, each PAM session's file agent runs as its user, and
files land with the user's uid and gid.
"""

import ftplib
import os
import pwd
import shutil
import signal
import socket
import tempfile
import threading
import time

import harness
from harness import log_lines, Server, TestCase

LIBDIR = "/usr/lib/x86_64-linux-gnu"
PAM_WRAPPER = os.path.join(LIBDIR, "libpam_wrapper.so")
NSS_WRAPPER = os.path.join(LIBDIR, "libnss_wrapper.so")
PAM_MATRIX = os.path.join(LIBDIR, "pam_wrapper", "pam_matrix.so")
ROOT = os.geteuid() == 0
DELAY_US = 1500000		# what pam_cftest asks for, like pam_unix's 2 s

# login: (uid, gid, password, service allowed by pam_matrix)
USERS = {
	"pat": (2001, 2001, "pat-Secret.1", "cellftpd"),
	"paula": (2002, 2002, "paula-Secret.1", "cellftpd"),	# ftpadmin
	"ed": (2003, 2003, "ed-Secret.1", "cellftpd"),		# expired
	"rita": (2004, 2004, "rita-Secret.1", "otherservice"),	# refused
	"denny": (2005, 2005, "denny-Secret.1", "cellftpd"),	# deny_users
	"otto": (2006, 2006, "otto-Secret.1", "cellftpd"),	# not in ftpusers
	"root": (0, 0, "root-Secret.1", "cellftpd"),
}
# alice is a users-file account only; "both" is in both with two passwords
FILE_USERS = (("alice", "alice-Pw.1", False, None),
	      ("both", "both-file-Pw.1", False, None),
	      ("admin", "admin-Pw.1", True, None))

world = None


class World:
	"""The simulated system: passwd, group, homes, PAM service files."""

	def __init__(self):
		self.dir = tempfile.mkdtemp(prefix="cellftpd-pam-")
		os.chmod(self.dir, 0o755)
		self.homes = os.path.join(self.dir, "home")
		os.mkdir(self.homes)
		os.chmod(self.homes, 0o755)
		users = dict(USERS, both=(2007, 2007, "both-pam-Pw.1", "cellftpd"))
		self.users = users
		passwd = ["nobody:x:65534:65534:nobody:/nonexistent:/bin/false"]
		for login, (uid, gid, _, _) in sorted(users.items()):
			home = self.home(login)
			os.mkdir(home)
			os.chmod(home, 0o700)
			if ROOT:
				os.chown(home, uid, gid)
			passwd.append("%s:x:%d:%d:%s:%s:/bin/sh" % (
				login, uid, gid, login, home))
		groups = ["nogroup:x:65534:", "ftpadmin:x:3000:paula",
			  "ftpusers:x:3001:pat,paula,ed,rita,denny,both"]
		groups += ["%s:x:%d:" % (u, g) for u, (_, g, _, _) in
			   sorted(users.items())]
		self.passwd = self.write("passwd", passwd)
		self.group = self.write("group", groups)
		self.passdb = self.write("passdb", ["%s:%s:%s" % (u, p, s) for
			u, (_, _, p, s) in sorted(users.items())])
		self.services = os.path.join(self.dir, "pam.d")
		os.mkdir(self.services)
		module = harness.env_path("CELLFTPD_PAM_TEST_MODULE")
		self.write("pam.d/cellftpd", [
			"auth required %s delay=%d" % (module, DELAY_US),
			"auth required %s passdb=%s" % (PAM_MATRIX, self.passdb),
			"account required %s expired=ed" % module,
			"account required %s passdb=%s" % (PAM_MATRIX, self.passdb),
		])
		# what libpam falls back on: nothing gets in through it
		self.write("pam.d/other", ["auth required pam_deny.so",
					   "account required pam_deny.so"])
		for p in (self.dir, self.services):
			for name in os.listdir(p):
				os.chmod(os.path.join(p, name), 0o755 if os.path.isdir(
					os.path.join(p, name)) else 0o644)

	def write(self, name, lines):
		path = os.path.join(self.dir, name)
		with open(path, "w") as f:
			f.write("\n".join(lines) + "\n")
		return path

	def home(self, login):
		return os.path.join(self.homes, login)

	def env(self):
		return dict(harness.preload_env(PAM_WRAPPER, NSS_WRAPPER), **{
			"PAM_WRAPPER": "1",
			"PAM_WRAPPER_SERVICE_DIR": self.services,
			# sanitizers refuse RTLD_DEEPBIND; pam_wrapper 1.1.4
			# reads the second name (a copy-paste slip upstream)
			"PAM_WRAPPER_DISABLE_DEEPBIND": "1",
			"UID_WRAPPER_DISABLE_DEEPBIND": "1",
			"NSS_WRAPPER_PASSWD": self.passwd,
			"NSS_WRAPPER_GROUP": self.group,
		})

	def server(self, pam=None, order=("file", "pam"), server=None, **kw):
		"""A cellftpd with auth_file and auth_pam chained in `order`."""
		pam_keys = {"name": "auth_pam", "admin_group": "ftpadmin",
			    "deny_users": ["denny"]}
		pam_keys.update(pam or {})
		srv = Server(users=(), server=server, start=False,
			     env=self.env(), **kw)
		try:
			if order[0] == "pam":
				srv.extra_modules.append(dict(srv.auth_keys))
				srv.auth_keys.clear()
				srv.auth_keys.update(pam_keys)
			else:
				srv.extra_modules.append(pam_keys)
			srv.write_conf()
			for u in FILE_USERS:
				srv.add_user(*u)
			srv.start()
		except BaseException:
			srv.cleanup()
			raise
		return srv

	def cleanup(self):
		shutil.rmtree(self.dir, ignore_errors=True)


def setUpModule():
	global world
	for lib in (PAM_WRAPPER, NSS_WRAPPER, PAM_MATRIX):
		if not os.path.exists(lib):
			harness.skip_file("%s missing: install libpam-wrapper and "
					  "libnss-wrapper" % lib)
	if ROOT:
		try:
			pwd.getpwnam(harness.RUN_AS_ROOT)
		except KeyError:
			harness.skip_file("no '%s' user to serve as"
					  % harness.RUN_AS_ROOT)
	world = World()


def tearDownModule():
	if world is not None:
		world.cleanup()


def password(login):
	return world.users[login][2]


def need_root(test):
	if not ROOT:
		test.skipTest("not root: every process runs as the test user, "
			      "so there is no owner to check")


def children(pid):
	"""{pid: (comm, effective uid)} of the processes below pid."""
	out = {}
	for p in os.listdir("/proc"):
		if not p.isdigit():
			continue
		try:
			st = harness.proc_status("/proc/%s/status" % p)
		except OSError:
			continue
		if int(st.get("PPid", "0")) == pid:
			out[int(p)] = (st["Name"], int(st["Uid"].split()[1]))
			out.update(children(int(p)))
	return out


def agents(pid):
	"""The session file agents below pid."""
	return [p for p, (n, _) in children(pid).items() if n == "cellftpd-agent"]


class PamLogin(TestCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = world.server()

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def login(self, login, pw=None):
		return self.srv.ftp(login, pw if pw is not None else password(login))

	def refused(self, login, pw=None):
		with self.assertRaises(ftplib.error_perm) as e:
			self.login(login, pw)
		self.assertTrue(str(e.exception).startswith("530"), e.exception)
		return str(e.exception)

	def test_a_system_user_works_in_their_home(self):
		home = world.home("pat")
		f = self.login("pat")
		self.assertEqual(f.pwd(), "/")
		f.mkd("docs")
		f.put("docs/a.txt", b"hello from pat\n")
		f.rename("docs/a.txt", "docs/b.txt")
		self.assertEqual(f.get("docs/b.txt"), b"hello from pat\n")
		self.assertIn("b.txt", f.nlst("docs"))
		self.assertIn("docs", "\n".join(f.lines("LIST")))
		f.delete("docs/b.txt")
		f.rmd("docs")
		f.bye()
		self.assertEqual(os.listdir(home), [])

	def test_every_file_command_reaches_the_agent(self):
		home = world.home("pat")
		f = self.login("pat")
		f.mkd("d")
		f.cwd("d")
		self.assertEqual(f.pwd(), "/d")
		f.put("a.bin", b"0123456789")
		f.put("a.bin", b"abc", cmd="APPE")
		f.put("a.bin", b"XY", rest=2)
		self.assertEqual(f.get("a.bin"), b"01XY")	# REST+STOR cuts
		self.assertEqual(f.get("a.bin", rest=1), b"1XY")
		self.assertEqual(f.size("a.bin"), 4)
		self.assertEqual(f.code("MFMT 20200102030405 a.bin")[0], 213)
		self.assertEqual(f.sendcmd("MDTM a.bin"), "213 20200102030405")
		self.assertIn("size=4;", f.sendcmd("MLST a.bin"))
		f.sendcmd("PASV")
		self.assertEqual(f.code("MLSD a.bin")[0], 501)
		f.put("a.bin", b"new", cmd="STOU")
		self.assertIn("150 FILE: a.bin.1", f.replies)
		f.cwd("..")
		self.assertEqual(sorted(f.nlst("d")), ["a.bin", "a.bin.1"])
		f.sendcmd("PASV")
		self.assertEqual(f.code("RETR d/none")[0], 550)
		self.assertEqual(f.code("CWD d/a.bin")[0], 550)
		f.delete("d/a.bin")
		f.rename("d/a.bin.1", "d/b")
		self.assertEqual(os.listdir(os.path.join(home, "d")), ["b"])
		f.delete("d/b")
		f.rmd("d")
		f.bye()
		self.assertEqual(os.listdir(home), [])

	def test_files_a_system_user_creates_belong_to_them(self):
		need_root(self)
		f = self.login("pat")
		f.mkd("made")
		f.put("made/up.bin", b"x" * 70000)
		f.bye()
		for p in ("made", "made/up.bin"):
			st = os.stat(os.path.join(world.home("pat"), p))
			self.assertEqual((st.st_uid, st.st_gid), (2001, 2001), p)
		shutil.rmtree(os.path.join(world.home("pat"), "made"))

	def test_existing_files_keep_their_owner_and_permissions_rule(self):
		need_root(self)
		home = world.home("pat")
		shared = os.path.join(home, "shared.txt")
		secret = os.path.join(home, "secret.txt")
		for path, uid, mode in ((shared, 2002, 0o666), (secret, 0, 0o600)):
			with open(path, "w") as out:
				out.write("old\n")
			os.chown(path, uid, uid)
			os.chmod(path, mode)
		try:
			f = self.login("pat")
			# writable by pat: overwritten in place, still paula's
			f.put("shared.txt", b"new\n")
			st = os.stat(shared)
			self.assertEqual((st.st_uid, st.st_mode & 0o777),
					 (2002, 0o666))
			with open(shared) as g:
				self.assertEqual(g.read(), "new\n")
			# root's 0600 file: pat's own rights say no
			self.assertFtpError((550,), f.get, "secret.txt")
			self.assertFtpError((550,), f.put, "secret.txt", b"x")
			f.bye()
			with open(secret) as g:
				self.assertEqual(g.read(), "old\n")
		finally:
			os.unlink(shared)
			os.unlink(secret)

	def test_the_serving_process_never_holds_root(self):
		need_root(self)
		f = self.login("pat")
		f.voidcmd("NOOP")
		uids = harness.proc_status(
			"/proc/%d/status" % self.srv.proc.pid)["Uid"].split()
		run_as = pwd.getpwnam(harness.RUN_AS_ROOT).pw_uid
		self.assertEqual(set(int(u) for u in uids), {run_as})
		procs = children(self.srv.proc.pid).values()
		self.assertIn(("cellftpd-pam", 0), procs)
		self.assertIn(("cellftpd-agent", 2001), procs)
		f.bye()

	def test_the_session_agent_ends_with_the_session(self):
		f = self.login("pat")
		self.assertTrue(agents(self.srv.proc.pid))
		f.bye()
		self.assertTrue(harness.wait_for(
			lambda: not agents(self.srv.proc.pid), 10, 0.1),
			agents(self.srv.proc.pid))

	def test_a_wrong_password_is_refused_and_logged_without_it(self):
		text = self.refused("pat", "not-the-Password.9")
		self.assertNotIn("PAM", text)
		lines = log_lines(self.srv, "auth.log",
				  r"user=pat event=LOGIN_FAIL .*authentication")
		self.assertTrue(lines)
		self.assertNotIn("not-the-Password.9", "\n".join(lines))

	def test_an_expired_account_is_refused_with_the_reason_in_the_log(self):
		text = self.refused("ed")
		self.assertNotIn("expired", text)
		self.assertTrue(log_lines(self.srv, "auth.log",
					  r"user=ed .*account: .*expired"))

	def test_an_account_pam_refuses_is_refused(self):
		self.refused("rita")
		self.assertTrue(log_lines(self.srv, "auth.log",
					  r"user=rita event=LOGIN_FAIL .*account"))

	def test_deny_users_and_root_are_refused(self):
		self.refused("denny")
		self.refused("root")
		self.assertTrue(log_lines(self.srv, "auth.log",
					  r"user=denny .*deny_users"))
		self.assertTrue(log_lines(self.srv, "auth.log",
					  r"user=root .*root may not log in"))

	def test_the_users_file_comes_first_and_unknown_users_go_on(self):
		f = self.login("alice", "alice-Pw.1")	# unknown to PAM
		f.put("mine.txt", b"alice\n")
		f.bye()
		self.assertTrue(os.path.exists(os.path.join(self.srv.cell("alice"),
							    "mine.txt")))
		self.refused("nobody-at-all", "x")

	def test_a_refusal_by_the_first_provider_ends_the_login(self):
		# "both" is in the users file too: its PAM password is refused
		self.refused("both", password("both"))
		self.login("both", "both-file-Pw.1").bye()

	def test_members_of_admin_group_are_admins(self):
		f = self.login("paula")
		self.assertIn("alice", f.sendcmd("SITE USERS"))
		f.bye()
		f = self.login("pat")
		self.assertFtpError((550,), f.sendcmd, "SITE USERS")
		f.bye()

	def test_account_commands_answer_502_for_system_users(self):
		f = self.login("pat")
		r = self.assertFtpError((502,), f.sendcmd, "SITE PASSWD old new")
		self.assertIn("system", str(r))
		f.bye()
		a = self.login("admin", "admin-Pw.1")
		for cmd in ("SITE USERDEL pat", "SITE DISABLE pat",
			    "SITE PASSWD pat New-Pass.1", "SITE QUOTA pat 1M"):
			r = self.assertFtpError((502,), a.sendcmd, cmd)
			self.assertIn("system account", str(r))
		r = self.assertFtpError((502,), a.sendcmd,
					"SITE USERADD pat Some-Pass.1")
		self.assertIn("system account", str(r))
		a.bye()


def resume(pid):
	"""SIGCONT, unless it is gone (an agent ends with its stream)."""
	try:
		os.kill(pid, signal.SIGCONT)
	except ProcessLookupError:
		pass


class StoppedAgent(TestCase):
	"""A file agent its user stopped costs its own session, nobody else's:
	the core waits for agents on the blocking pool, never on a worker.
	One worker, so every session here shares the stopped one's."""

	@classmethod
	def setUpClass(cls):
		cls.srv = world.server(server={"workers": 1})

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def test_the_worker_serves_others_while_an_agent_is_stopped(self):
		kept = os.path.join(world.home("pat"), "kept.txt")
		with open(kept, "w") as out:
			out.write("kept\n")
		f = self.srv.ctl()
		f.login("pat", password("pat"))
		other = self.srv.ctl()
		other.login("alice", "alice-Pw.1")
		agent = agents(self.srv.proc.pid)
		self.assertEqual(len(agent), 1)
		answers = []		# (what, monotonic time)
		lock = threading.Lock()

		def size():
			r = f.cmd("SIZE kept.txt", timeout=60)
			with lock:
				answers.append(("size %d" % r.code, time.monotonic()))

		os.kill(agent[0], signal.SIGSTOP)
		try:
			asking = threading.Thread(target=size)
			asking.start()
			time.sleep(0.3)		# pat's SIZE waits for the agent now
			for cmd, code in (("NOOP", 200), ("MKD made", 257),
					  ("SIZE nothing", 550), ("RMD made", 250)):
				r = other.cmd(cmd)
				with lock:
					answers.append(("%s %d" % (cmd, r.code),
							time.monotonic()))
			asking.join(60)
			order = [w for w, _ in sorted(answers, key=lambda a: a[1])]
			self.assertEqual(order, ["NOOP 200", "MKD made 257",
						 "SIZE nothing 550",
						 "RMD made 250", "size 451"])
			# the answer stream is closed: no late answer is ever
			# taken for a later question, even once the agent runs
			resume(agent[0])
			self.assertEqual(f.cmd("MDTM kept.txt").code, 451)
			self.assertEqual(other.cmd("NOOP").code, 200)
		finally:
			resume(agent[0])
			os.unlink(kept)
		f.close()
		other.close()


class FailDelay(TestCase):
	"""PAM's failure delay is served as a timer: no thread sleeps in it."""

	@classmethod
	def setUpClass(cls):
		cls.srv = world.server(server={"blocking_threads": 2,
					       "login_delay": 0.1})

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def test_ten_failing_logins_hold_up_nobody_else(self):
		idle = self.srv.ctl()
		idle.login("alice", "alice-Pw.1")
		answers = []		# (what, monotonic time)
		lock = threading.Lock()

		def fail():
			c = self.srv.ctl()
			c.expect("USER pat", 331)
			r = c.cmd("PASS wrong-Password.1", timeout=30)
			with lock:
				answers.append(("fail %d" % r.code,
						time.monotonic()))
			c.close()

		t0 = time.monotonic()
		threads = [threading.Thread(target=fail) for _ in range(10)]
		for t in threads:
			t.start()
		time.sleep(0.3)		# the ten are with PAM now
		noop = idle.cmd("NOOP")
		with lock:
			answers.append(("noop %d" % noop.code, time.monotonic()))
		ok = self.srv.ctl()
		ok.expect("USER pat", 331)
		r = ok.cmd("PASS " + password("pat"))
		with lock:
			answers.append(("login %d" % r.code, time.monotonic()))
		for t in threads:
			t.join(60)
		order = [w for w, _ in sorted(answers, key=lambda a: a[1])]
		self.assertEqual(order[:2], ["noop 200", "login 230"], order)
		self.assertEqual(order[2:], ["fail 530"] * 10, order)
		# and PAM's delay was served: no failure came back early
		# (libpam draws the delay between half and one and a half times
		# what modules ask; without it a refusal takes login_delay, 0.1 s)
		first_fail = min(t for w, t in answers if w.startswith("fail"))
		self.assertGreaterEqual(first_fail - t0, DELAY_US / 1e6 * 0.45)
		ok.close()
		idle.close()


class RootCells(TestCase):
	"""cells = "root": a system user's cell is root/<login>, theirs."""

	@classmethod
	def setUpClass(cls):
		cls.srv = world.server(pam={"cells": "root"})

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def test_the_cell_is_made_under_the_server_root_for_the_user(self):
		f = self.srv.ftp("pat", password("pat"))
		f.put("here.txt", b"in root/pat\n")
		f.bye()
		path = os.path.join(self.srv.cell("pat"), "here.txt")
		with open(path, "rb") as g:
			self.assertEqual(g.read(), b"in root/pat\n")
		self.assertFalse(os.path.exists(os.path.join(world.home("pat"),
							     "here.txt")))
		if ROOT:
			st = os.stat(self.srv.cell("pat"))
			self.assertEqual((st.st_uid, st.st_mode & 0o777),
					 (2001, 0o700))
			self.assertEqual(os.stat(path).st_uid, 2001)


class WithQuota(TestCase):
	def test_cellftpd_quota_does_not_count_system_users(self):
		srv = world.server(extra_modules=[{"name": "quota_disk",
						   "max_files": 1}])
		try:
			f = srv.ftp("pat", password("pat"))
			for name in ("q1.txt", "q2.txt", "q3.txt"):
				f.put(name, b"counted by the system, not by us\n")
			f.delete("q1.txt")
			f.rename("q2.txt", "q4.txt")
			f.delete("q4.txt")
			f.delete("q3.txt")
			f.bye()
			# a users-file account is held to the same setting
			a = srv.ftp("alice", "alice-Pw.1")
			a.put("one.txt", b"1")
			self.assertFtpError((552,), a.put, "two.txt", b"2")
			a.bye()
		finally:
			srv.cleanup()


class Filters(TestCase):
	def test_allow_groups_admits_only_members(self):
		srv = world.server(pam={"allow_groups": ["ftpusers"]},
				   order=("pam", "file"))
		try:
			srv.ftp("pat", password("pat")).bye()
			# a non-member is refused before PAM is asked: the
			# reason is the same whatever the password
			for pw in ("not-the-Password.9", password("otto")):
				with self.assertRaises(ftplib.error_perm):
					srv.ftp("otto", pw)
			lines = log_lines(srv, "auth.log",
					  r"user=otto .*allow_groups", want=2)
			self.assertEqual(len(lines), 2, lines)
			# PAM first: a users-file account is passed on to auth_file
			srv.ftp("alice", "alice-Pw.1").bye()
		finally:
			srv.cleanup()

	def test_bad_settings_name_file_and_line(self):
		srv = Server(users=(), start=False, env=world.env())
		try:
			for keys, text in (
				({"cells": "bogus"}, "cells"),
				({"admin_group": "no-such-group"}, "no such group"),
				({"allow_groups": 5}, "allow_groups"),
				({"servic": "x"}, "unknown key"),
			):
				srv.extra_modules = [dict({"name": "auth_pam"}, **keys)]
				srv.write_conf()
				rc, out = srv.check_config()
				self.assertNotEqual(rc, 0, out)
				self.assertIn("cellftpd.conf:", out)
				self.assertIn(text, out)
			srv.extra_modules = [{"name": "auth_pam"}]
			srv.write_conf()
			rc, out = srv.check_config()
			self.assertEqual(rc, 0, out)
		finally:
			srv.cleanup()


if __name__ == "__main__":
	harness.main()
