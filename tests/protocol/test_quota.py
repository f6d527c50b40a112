"""
Disk quota (quota_disk.so): room is reserved before bytes land, so no
sequence of commands, in any number of sessions, takes a user over the
limit.  An upload refused with 552 leaves usage exactly as it was: a new
file is removed, an appended or resumed one cut back, an overwritten one
untouched.  DELE frees space, AVBL and SITE QUOTA tell what is left, an
admin's change of limit applies at once, and SITE QUOTA RESCAN measures a
cell again after changes made outside FTP.
"""

import ftplib
import os
import re
import threading
import time

import harness
from harness import Server, TestCase

K = 1024
LIMIT = 1024 * K
srv = None


def setUpModule():
	global srv
	srv = Server(users=[("alice", "alice-Pw.1", False, "1M"),
			    ("bob", "bob-Pw.22", False, "1M"),
			    ("admin", "admin-Pw.3", True, None)],
		     extra_modules=[{"name": "quota_disk"}])


def tearDownModule():
	srv.cleanup()


def cell_bytes(login):
	"""What the cell holds on disk: regular files' sizes, no symlinks."""
	total = 0
	for d, _, files in os.walk(srv.cell(login)):
		for f in files:
			p = os.path.join(d, f)
			if os.path.isfile(p) and not os.path.islink(p):
				total += os.path.getsize(p)
	return total


def used(f):
	"""Bytes used, as SITE QUOTA tells the user."""
	r = f.sendcmd("SITE QUOTA")
	m = re.search(r"(\d+) bytes used", r)
	if m is None:
		raise AssertionError("no usage in %r" % r)
	return int(m.group(1))


def upload(f, name, data, cmd="STOR", rest=None):
	"""
	Upload and return the final reply code.  A refused upload's data
	connection is closed under the sender (as every server does), so the
	client may see a reset while sending: the reply still says why.
	"""
	f.voidcmd("TYPE I")
	try:
		conn = f.transfercmd("%s %s" % (cmd, name), rest)
	except ftplib.error_perm as e:
		return int(str(e)[:3])
	try:
		conn.sendall(data)
	except OSError:
		pass
	finally:
		conn.close()
	try:
		return int(f.voidresp()[:3])
	except ftplib.error_perm as e:
		return int(str(e)[:3])


def avbl(f, path=""):
	r = f.sendcmd("AVBL" + (" " + path if path else ""))
	return int(r.split()[1])


class Quota(TestCase):
	def setUp(self):
		# every test starts from an empty cell and a fresh ledger
		for login in ("alice", "bob"):
			for name in os.listdir(srv.cell(login)):
				p = os.path.join(srv.cell(login), name)
				if os.path.isdir(p) and not os.path.islink(p):
					import shutil
					shutil.rmtree(p)
				else:
					os.unlink(p)
		a = srv.ftp("admin")
		try:
			for login in ("alice", "bob"):
				a.sendcmd("SITE QUOTA %s 1M" % login)
				a.sendcmd("SITE QUOTA RESCAN %s" % login)
		finally:
			a.bye()
		self.f = srv.ftp("alice")

	def tearDown(self):
		self.f.bye()

	def assertRefused(self, f, name, data, **kw):
		self.assertEqual(upload(f, name, data, **kw), 552)

	def test_feat_announces_avbl_and_avbl_starts_at_the_limit(self):
		self.assertIn("AVBL", self.f.sendcmd("FEAT"))
		self.assertEqual(used(self.f), 0)
		self.assertEqual(avbl(self.f), LIMIT)

	def test_stor_over_the_limit_is_refused_and_leaves_nothing(self):
		self.assertRefused(self.f, "big.bin", os.urandom(LIMIT + 1))
		self.assertFalse(os.path.exists(
			os.path.join(srv.cell("alice"), "big.bin")))
		self.assertEqual(used(self.f), 0)
		self.f.sendcmd("NOOP")		# the session goes on

	def test_exactly_the_limit_fits_one_more_byte_does_not(self):
		self.f.put("full.bin", b"x" * LIMIT)
		self.assertEqual(used(self.f), LIMIT)
		self.assertEqual(avbl(self.f), 0)
		self.assertRefused(self.f, "one.bin", b"y")
		self.assertEqual(cell_bytes("alice"), LIMIT)

	def test_appe_over_the_limit_is_cut_back(self):
		self.f.put("a.bin", b"a" * (600 * K))
		self.assertRefused(self.f, "a.bin", b"b" * (600 * K),
				   cmd="APPE")
		self.assertEqual(os.path.getsize(
			os.path.join(srv.cell("alice"), "a.bin")), 600 * K)
		self.assertEqual(self.f.get("a.bin"), b"a" * (600 * K))
		self.assertEqual(used(self.f), 600 * K)

	def test_resumed_stor_over_the_limit_is_cut_back(self):
		self.f.put("r.bin", b"r" * (600 * K))
		self.assertRefused(self.f, "r.bin", b"s" * (900 * K),
				   rest=600 * K)
		self.assertEqual(os.path.getsize(
			os.path.join(srv.cell("alice"), "r.bin")), 600 * K)
		self.assertEqual(used(self.f), 600 * K)

	def test_resumed_stor_within_the_limit_works(self):
		self.f.put("r.bin", b"r" * (300 * K))
		self.f.put("r.bin", b"s" * (300 * K), rest=300 * K)
		self.assertEqual(self.f.get("r.bin"),
				 b"r" * (300 * K) + b"s" * (300 * K))
		self.assertEqual(used(self.f), 600 * K)

	def test_an_overwrite_counts_only_the_difference(self):
		self.f.put("o.bin", b"1" * (600 * K))
		# 600K + 900K would be over, but the old 600K go away
		self.f.put("o.bin", b"2" * (900 * K))
		self.assertEqual(self.f.get("o.bin"), b"2" * (900 * K))
		self.assertEqual(used(self.f), 900 * K)

	def test_a_refused_overwrite_keeps_the_old_file(self):
		self.f.put("keep.bin", b"k" * (300 * K))
		self.assertRefused(self.f, "keep.bin", os.urandom(LIMIT + K))
		self.assertEqual(self.f.get("keep.bin"), b"k" * (300 * K))
		self.assertEqual(used(self.f), 300 * K)
		self.assertEqual(sorted(os.listdir(srv.cell("alice"))),
				 ["keep.bin"])	# no temporary file left behind

	def test_dele_frees_space(self):
		self.f.put("d.bin", b"d" * (700 * K))
		self.assertEqual(avbl(self.f), 324 * K)
		self.f.delete("d.bin")
		self.assertEqual(used(self.f), 0)
		self.assertEqual(avbl(self.f), LIMIT)
		self.f.put("d2.bin", b"e" * (900 * K))

	def test_rename_over_a_file_frees_the_replaced_one(self):
		self.f.put("x.bin", b"x" * (400 * K))
		self.f.put("y.bin", b"y" * (400 * K))
		self.f.rename("x.bin", "y.bin")
		self.assertEqual(used(self.f), 400 * K)
		self.assertEqual(cell_bytes("alice"), 400 * K)

	def test_two_sessions_of_one_user_share_one_ledger(self):
		g = srv.ftp("alice")
		results = []

		def up(ftp, name):
			results.append(upload(ftp, name, os.urandom(700 * K)))

		try:
			ts = [threading.Thread(target=up, args=(c, n))
			      for c, n in ((self.f, "one.bin"), (g, "two.bin"))]
			for t in ts:
				t.start()
			for t in ts:
				t.join(60)
			self.assertIn(552, results, results)
			self.assertLessEqual(cell_bytes("alice"), LIMIT)
			self.assertEqual(used(g), cell_bytes("alice"))
		finally:
			g.bye()

	def test_many_sessions_racing_never_exceed_the_limit(self):
		sessions = [srv.ftp("bob") for _ in range(6)]
		errors = []

		def up(ftp, i):
			for k in range(4):
				code = upload(ftp, "race-%d-%d.bin" % (i, k),
					      os.urandom(100 * K))
				if code != 226:
					errors.append(str(code))

		try:
			ts = [threading.Thread(target=up, args=(c, i))
			      for i, c in enumerate(sessions)]
			for t in ts:
				t.start()
			for t in ts:
				t.join(60)
			self.assertTrue(errors and set(errors) == {"552"}, errors)
			self.assertLessEqual(cell_bytes("bob"), LIMIT)
			self.assertEqual(used(sessions[0]), cell_bytes("bob"))
		finally:
			for c in sessions:
				c.bye()

	def test_admin_change_of_limit_applies_at_once(self):
		a = srv.ftp("admin")
		try:
			a.sendcmd("SITE QUOTA alice 2M")
			self.f.put("more.bin", b"m" * (1500 * K))	# same session
			a.sendcmd("SITE QUOTA alice 100K")
			# lowered below usage: nothing is deleted, uploads stop
			self.assertRefused(self.f, "tiny.bin", b"t")
			self.assertTrue(os.path.exists(
				os.path.join(srv.cell("alice"), "more.bin")))
			self.assertEqual(avbl(self.f), 0)
			r = a.sendcmd("SITE QUOTA alice")
			self.assertIn(str(1500 * K), r)
		finally:
			a.bye()

	def test_rescan_sees_changes_made_outside_ftp(self):
		self.f.put("in.bin", b"i" * (100 * K))
		harness.write_file(os.path.join(srv.cell("alice"), "side.bin"),
				   b"o" * (500 * K))
		self.assertEqual(used(self.f), 100 * K)	# not seen yet
		a = srv.ftp("admin")
		try:
			a.sendcmd("SITE QUOTA RESCAN alice")
		finally:
			a.bye()
		self.assertEqual(used(self.f), 600 * K)
		self.assertRefused(self.f, "no.bin", b"n" * (500 * K))

	def test_symlinks_in_a_cell_do_not_count_their_targets(self):
		os.symlink("/etc/passwd", os.path.join(srv.cell("alice"), "pw"))
		a = srv.ftp("admin")
		try:
			a.sendcmd("SITE QUOTA RESCAN alice")
		finally:
			a.bye()
		self.assertEqual(used(self.f), 0)

	def test_admin_upload_into_a_cell_counts_against_its_owner(self):
		a = srv.ftp("admin")
		try:
			a.put("/alice/from-admin.bin", b"z" * (200 * K))
		finally:
			a.bye()
		self.assertEqual(used(self.f), 200 * K)

	def test_user_cannot_rescan_someone_else(self):
		self.assertFtpError((501, 550), self.f.sendcmd,
				    "SITE QUOTA RESCAN bob")

	def test_refusals_are_logged(self):
		self.assertRefused(self.f, "logme.bin", os.urandom(LIMIT + 1))
		deadline = time.monotonic() + 10
		while time.monotonic() < deadline:
			text = ""
			for name in os.listdir(srv.logdir):
				with open(os.path.join(srv.logdir, name),
					  errors="replace") as fh:
					text += fh.read()
			if "logme.bin" in text and "552" in text:
				return
			time.sleep(0.1)
		self.fail("no quota refusal for logme.bin in the logs")


class Restart(TestCase):
	def test_usage_is_measured_again_at_the_first_login_after_a_restart(self):
		with Server(users=[("carol", "carol-Pw.1", False, "1M")],
			    extra_modules=[{"name": "quota_disk"}]) as s:
			harness.write_file(os.path.join(s.cell("carol"), "old.bin"),
					   b"o" * (800 * K))
			s.stop()
			s.start()
			f = s.ftp("carol")
			try:
				self.assertEqual(used(f), 800 * K)
				self.assertEqual(upload(f, "new.bin",
							b"n" * (300 * K)), 552)
			finally:
				f.bye()


if __name__ == "__main__":
	harness.main()
