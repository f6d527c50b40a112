"""
Cells and the admin identity: an ordinary user sees only its own cell as
"/", while an account added with `cellftpd-user add admin --admin` gets the
server root as its cell, so every user's cell is a folder under "/" - and
it cannot climb above the server root either.
"""

import os

import harness
from harness import Server, TestCase

srv = None
USERS = [("alice", "alice-Pw.1", False, None),
	 ("bob", "bob-Pw.2", False, None),
	 ("admin", "admin-Pw.3", True, None)]


def setUpModule():
	global srv
	srv = Server(users=USERS)
	harness.write_file(os.path.join(srv.cell("alice"), "alice.txt"),
			   b"alice's file\n")
	harness.write_file(os.path.join(srv.cell("bob"), "bob.txt"),
			   b"bob's file\n")


def tearDownModule():
	srv.cleanup()


def names(f, path=""):
	return sorted(os.path.basename(n) for n in f.nlst(*([path] if path else [])))


class Cells(TestCase):
	def test_cellftpd_user_created_the_cells(self):
		for login, _, _, _ in USERS:
			self.assertTrue(os.path.isdir(srv.cell(login)), login)

	def test_user_sees_only_its_cell(self):
		f = srv.ftp("alice")
		try:
			self.assertEqual(f.pwd(), "/")
			self.assertIn("alice.txt", names(f))
			for other in ("bob.txt", "bob", "alice", "admin"):
				self.assertNotIn(other, names(f))
			self.assertEqual(f.get("/alice.txt"), b"alice's file\n")
			for p in ("/bob/bob.txt", "../bob/bob.txt", "/alice/alice.txt"):
				self.assertFtpError((550, 450), f.get, p)
			self.assertFtpError((550,), f.cwd, "/bob")
			self.assertFtpError((550,), f.cwd, "../bob")
		finally:
			f.bye()

	def test_upload_lands_in_the_users_cell(self):
		f = srv.ftp("bob")
		try:
			f.put("/from-bob.txt", b"bob uploaded")
			with open(os.path.join(srv.cell("bob"), "from-bob.txt"),
				  "rb") as fh:
				self.assertEqual(fh.read(), b"bob uploaded")
			self.assertFalse(os.path.exists(
				os.path.join(srv.root, "from-bob.txt")))
		finally:
			f.bye()

	def test_admin_sees_every_cell_under_root(self):
		f = srv.ftp("admin")
		try:
			self.assertEqual(f.pwd(), "/")
			self.assertTrue({"alice", "bob", "admin"} <= set(names(f)),
					names(f))
			self.assertIn("alice.txt", names(f, "/alice"))
			self.assertEqual(f.get("/bob/bob.txt"), b"bob's file\n")
			f.cwd("/alice")
			self.assertEqual(f.pwd(), "/alice")
			self.assertEqual(f.get("alice.txt"), b"alice's file\n")
			f.put("from-admin.txt", b"admin wrote")
			with open(os.path.join(srv.cell("alice"), "from-admin.txt"),
				  "rb") as fh:
				self.assertEqual(fh.read(), b"admin wrote")
			lines = f.lines("MLSD /")
			self.assertTrue(any(x.endswith(" bob") and "type=dir" in
					    x.lower() for x in lines), lines)
		finally:
			f.bye()

	def test_admin_cannot_climb_above_the_server_root(self):
		f = srv.ftp("admin")
		try:
			f.cwd("..")
			self.assertEqual(f.pwd(), "/")
			f.cwd("/../../..")
			self.assertEqual(f.pwd(), "/")
			for p in ("/../users", "../cellftpd.conf", "/../../etc/passwd"):
				self.assertFtpError((550, 450), f.get, p)
			self.assertNotIn("users", names(f, "/.."))
			self.assertNotIn("cellftpd.conf", names(f, "/.."))
		finally:
			f.bye()

	def test_each_login_gets_its_own_cell_at_once(self):
		# Two sessions of different users side by side.
		a = srv.ftp("alice")
		b = srv.ftp("bob")
		try:
			self.assertIn("alice.txt", names(a))
			self.assertIn("bob.txt", names(b))
			self.assertNotIn("bob.txt", names(a))
			self.assertNotIn("alice.txt", names(b))
		finally:
			a.bye()
			b.bye()

	def test_wrong_password_of_admin_refused(self):
		f = srv.connect()
		try:
			self.assertFtpError((530,), f.login, "admin", "alice-Pw.1")
		finally:
			f.bye()


if __name__ == "__main__":
	harness.main()
