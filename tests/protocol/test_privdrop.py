"""
Least privilege: started as root with server.run_as, cellftpd binds,
loads its modules and opens its files as root, then serves as run_as.
Every uid of the serving process is run_as's, the files a user uploads
belong to run_as, and the user still works normally.  Skipped when the
tests do not run as root (nothing to drop) or there is no "nobody" user.
"""

import os
import pwd

import harness
from harness import log_lines, Server, TestCase

srv = None


def setUpModule():
	global srv
	if os.geteuid() != 0:
		harness.skip_file("not running as root: no privileges to drop")
	try:
		pwd.getpwnam(harness.RUN_AS_ROOT)
	except KeyError:
		harness.skip_file("no '%s' user on this machine"
				  % harness.RUN_AS_ROOT)
	srv = Server()


def tearDownModule():
	if srv is not None:
		srv.cleanup()


def proc_ids(pid):
	"""(real, effective, saved, fs) uids and gids of a process."""
	st = harness.proc_status("/proc/%d/status" % pid)
	return ([int(x) for x in st["Uid"].split()],
		[int(x) for x in st["Gid"].split()])


def thread_status(pid):
	"""{tid: status fields} of every thread of a process."""
	return {tid: harness.proc_status("/proc/%d/task/%s/status" % (pid, tid))
		for tid in os.listdir("/proc/%d/task" % pid)}


def thread_uids(pid):
	"""Effective uid of every thread: a per-thread setuid would show here."""
	return [int(st["Uid"].split()[1]) for st in thread_status(pid).values()]


def proc_caps(pid):
	"""{"CapEff": int, "CapPrm": ..., "CapBnd": ..., ...} of a process."""
	st = harness.proc_status("/proc/%d/status" % pid)
	return {k: int(v, 16) for k, v in st.items() if k.startswith("Cap")}


class PrivilegeDrop(TestCase):
	def test_no_capabilities_left_after_the_drop(self):
		caps = proc_caps(srv.proc.pid)
		for k in ("CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb"):
			self.assertEqual(caps.get(k, 0), 0, "%s = %x" % (k, caps.get(k, 0)))
		for tid, st in thread_status(srv.proc.pid).items():
			self.assertEqual(int(st["CapEff"], 16), 0, tid)

	def test_every_uid_and_gid_is_run_as_once_ready(self):
		pw = pwd.getpwnam(harness.RUN_AS_ROOT)
		uids, gids = proc_ids(srv.proc.pid)
		self.assertEqual(uids, [pw.pw_uid] * 4)
		self.assertEqual(gids, [pw.pw_gid] * 4)
		self.assertEqual(set(thread_uids(srv.proc.pid)), {pw.pw_uid})

	def test_cell_made_by_cellftpd_user_belongs_to_run_as(self):
		st = os.stat(srv.cell("alice"))
		self.assertEqual(st.st_uid,
				 pwd.getpwnam(harness.RUN_AS_ROOT).pw_uid)
		self.assertEqual(st.st_mode & 0o777, 0o700)

	def test_user_works_and_uploads_belong_to_run_as(self):
		f = srv.ftp("alice")
		try:
			f.put("/up.txt", b"dropped\n")
			self.assertEqual(f.get("/up.txt"), b"dropped\n")
			f.mkd("/dir")
		finally:
			f.bye()
		uid = pwd.getpwnam(harness.RUN_AS_ROOT).pw_uid
		for name in ("up.txt", "dir"):
			st = os.stat(os.path.join(srv.cell("alice"), name))
			self.assertEqual(st.st_uid, uid, name)

	def test_logs_still_written_after_the_drop(self):
		f = srv.ftp("alice")
		f.bye()
		self.assertTrue(log_lines(srv, "auth.log",
					  "user=alice event=LOGIN "),
				"no LOGIN line in auth.log")


class RootWithoutRunAs(TestCase):
	"""Root never serves without server.run_as; `-t` only warns."""

	def setUp(self):
		self.s = Server(start=False)
		del self.s.server_keys["run_as"]
		self.s.write_conf()

	def tearDown(self):
		self.s.cleanup()

	def test_start_is_refused_with_a_clear_message(self):
		r = harness.run([self.s.bin, "-c", self.s.conf], timeout=30,
				check_leak=False)
		self.assertNotEqual(r[0], 0, r)
		self.assertIn("started as root without server.run_as: refusing "
			      "to serve as root", r[2])

	def test_config_check_warns_and_passes(self):
		rc, out = self.s.check_config()
		self.assertEqual(rc, 0, out)
		self.assertIn("server.run_as is not set", out)

	def test_run_as_root_is_refused(self):
		self.s.server_keys["run_as"] = "root"
		self.s.write_conf()
		rc, out = self.s.check_config()
		self.assertEqual(rc, 1, out)
		self.assertIn("server.run_as 'root' is root", out)


if __name__ == "__main__":
	harness.main()
