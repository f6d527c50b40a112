"""
Cells are shared: every session of one login holds the same descriptor of
its cell, so thousands of sessions of one account cost one descriptor, and
the last session to leave closes it.  A cell replaced on disk is opened
afresh for the next login, never served from the old descriptor.
"""

import os
import shutil

import harness
from harness import Server, TestCase

PW = "alice-Pw.1"


def fds_on(pid, path):
	"""How many descriptors of pid are open on path."""
	n = 0
	d = "/proc/%d/fd" % pid
	for fd in os.listdir(d):
		try:
			if os.readlink(os.path.join(d, fd)) == path:
				n += 1
		except OSError:
			pass
	return n


class SharedCells(TestCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = Server()

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def cell_fds(self):
		return fds_on(self.srv.proc.pid, os.path.realpath(self.srv.cell()))

	def test_sessions_of_one_login_share_one_descriptor(self):
		sessions = [self.srv.ftp("alice", PW) for _ in range(10)]
		for f in sessions:
			f.voidcmd("NOOP")
		self.assertEqual(self.cell_fds(), 1)
		sessions[0].put("one.txt", b"1")
		self.assertEqual(sessions[9].size("one.txt"), 1)
		for f in sessions:
			f.bye()
		self.assertTrue(harness.wait_for(lambda: self.cell_fds() == 0),
				"the last session out did not close the cell")
		self.srv.ftp("alice", PW).delete("one.txt")

	def test_a_cell_replaced_on_disk_is_opened_afresh(self):
		old = self.srv.ftp("alice", PW)
		old.put("marker-old", b"old")
		cell = self.srv.cell()
		os.rename(cell, cell + ".old")
		os.mkdir(cell, 0o700)
		st = os.stat(cell + ".old")
		os.chown(cell, st.st_uid, st.st_gid)
		try:
			new = self.srv.ftp("alice", PW)
			self.assertEqual(new.nlst(), [])
			new.put("marker-new", b"new")
			self.assertTrue(os.path.exists(os.path.join(cell,
								    "marker-new")))
			new.bye()
			old.bye()
		finally:
			shutil.rmtree(cell)
			os.rename(cell + ".old", cell)
			os.unlink(os.path.join(cell, "marker-old"))


if __name__ == "__main__":
	harness.main()
