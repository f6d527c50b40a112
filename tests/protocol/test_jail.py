"""
The cell against real symlinks on disk.  Links in alice's cell point
outside it in every way a sysadmin or an attacker could arrange (absolute,
relative "../../outside", long ".." chains, /proc/self/root, /proc fds, a
file outside, "/", /etc, another user's cell, the server's own users file
and config), and every file command goes through them and through ".."
chains and absolute paths.  Nothing outside the cell may be read, listed,
created, changed or deleted (the outside trees are hashed before and after
every test), DELE of a symlink removes only the link, and no reply, listing
or downloaded byte shows a real path or outside content.
"""

import ftplib
import os
import shutil
import stat
import tempfile
import time
import unittest
import uuid

import harness
from harness import Server, TestCase

srv = None
PW = "alice-Pw.1"
ext = None		# a separate temporary "outside" folder (absolute links)
MARK = "ESCAPED-" + uuid.uuid4().hex[:12]	# in outside names and data
SECRET = ("SECRET-" + uuid.uuid4().hex).encode()

# name -> link target; {ext} is the separate outside folder.
DIR_LINKS = {
	"abs_dir": "{ext}",
	"rel_dir": "../../outside",
	"deep_rel": "../../../../../../../../../../../..{ext}",
	"proc_root": "/proc/self/root",
	"proc_root_ext": "/proc/self/root{ext}",
	"proc_cwd": "/proc/self/cwd",
	"proc_fd3": "/proc/self/fd/3",
	"proc_fd5": "/proc/self/fd/5",
	"proc_fd7": "/proc/self/fd/7",
	"slash": "/",
	"etc_link": "/etc",
	"bob_link": "../bob",
	"dotdot": "..",
	"chain1": "chain2",
	"chain2": "rel_dir",
	"tmp_link": "/tmp",
}
FILE_LINKS = {
	"abs_file": "{ext}/" + MARK + ".txt",
	"rel_file": "../../outside/" + MARK + ".txt",
	"passwd_link": "/etc/passwd",
	"users_link": "../../users",
	"conf_link": "../../cellftpd.conf",
	"proc_environ": "/proc/self/environ",
	"proc_ext_file": "/proc/self/root{ext}/" + MARK + ".txt",
	"bob_file": "../bob/bob-" + MARK + ".txt",
	"dangling": "no/such/target",
}
# Links that stay inside the cell and must keep working.
INSIDE_LINKS = {
	"in_rel": "docs",
	"in_abs": "/docs/readme.txt",
	"in_abs_dir": "/docs",
}
# Links and paths whose target, if a broken server followed it, lies in
# the tests' own temporary trees.  Only these get writes, deletes and
# renames: a jail bug must show up as a failed test, never as damage to the
# machine running it (the server runs as root).
SAFE_DIR_LINKS = ["abs_dir", "rel_dir", "deep_rel", "proc_root_ext",
		  "proc_cwd", "proc_fd3", "proc_fd5", "proc_fd7", "bob_link",
		  "dotdot", "chain1", "chain2"]
SAFE_FILE_LINKS = ["abs_file", "rel_file", "users_link", "conf_link",
		   "proc_ext_file", "bob_file", "dangling"]
SAFE_PATHS = [
	"/../users", "/../../users", "../../cellftpd.conf",
	"/../bob/bob-" + MARK + ".txt", "/../../outside/" + MARK + ".txt",
	"docs/../../../outside/" + MARK + ".txt",
	"/../../../../../../../../../..{ext}/" + MARK + ".txt",
	"/proc/self/root{ext}/" + MARK + ".txt",
]
# Read-only probes may name anything.
PATHS = [
	"/../../etc/passwd", "../../../etc/passwd", "/etc/passwd",
	"//etc/passwd", "/./../etc/passwd", "docs/../../../etc/passwd",
	"..\\..\\etc\\passwd", "%2e%2e/%2e%2e/etc/passwd", "~/../../etc/passwd",
	"~root/.bashrc", "/../users", "/../../users", "../../cellftpd.conf",
	"/../bob/bob-" + MARK + ".txt", "/../../outside/" + MARK + ".txt",
	"/proc/self/environ", "/proc/self/root/etc/passwd",
] + SAFE_PATHS
# System files the whole module checks are untouched.
SYSTEM = ["/etc/passwd", "/etc/shadow", "/etc/group"]


def setUpModule():
	global srv, ext, PATHS, SAFE_PATHS, system_before
	system_before = system_state()
	ext = tempfile.mkdtemp(prefix=harness.TMP_PREFIX + "outside-")
	unittest.addModuleCleanup(shutil.rmtree, ext, ignore_errors=True)
	harness.forbid(ext)
	PATHS = [p.format(ext=ext) for p in PATHS]
	SAFE_PATHS = [p.format(ext=ext) for p in SAFE_PATHS]
	# The outside content must never come back; outside names may be
	# echoed in replies (the client sent them) but never listed.
	harness.forbid(SECRET.decode())
	srv = Server(users=[("alice", PW, False, None),
			    ("bob", "bob-Pw.2", False, None)])
	make_outside(ext)
	make_outside(os.path.join(srv.tmp, "outside"))
	harness.write_file(os.path.join(srv.cell("bob"),
					"bob-" + MARK + ".txt"), SECRET)
	make_cell()


def make_cell():
	"""Alice's cell afresh: a test may legitimately create files inside
	it (STOR through "slash", RNTO onto a link's name...)."""
	cell = srv.cell("alice")
	for name in os.listdir(cell):
		p = os.path.join(cell, name)
		if os.path.isdir(p) and not os.path.islink(p):
			shutil.rmtree(p)
		else:
			os.unlink(p)
	harness.write_file(os.path.join(cell, "docs", "readme.txt"),
			   b"inside readme\n")
	harness.write_file(os.path.join(cell, "mine.txt"), b"my own file\n")
	links = dict(DIR_LINKS)
	links.update(FILE_LINKS)
	links.update(INSIDE_LINKS)
	for name, target in links.items():
		os.symlink(target.format(ext=ext), os.path.join(cell, name))


def tearDownModule():
	srv.cleanup()


def system_state():
	return {p: harness.sha256_file(p) if os.access(p, os.R_OK) else None
		for p in SYSTEM}


# Outside files have a size and a time no cell file has, so a SIZE, MDTM
# or MLST answer that describes them is recognised.
OUT_TIME = "20010203040506"
OUT_TS = 981173106


def make_outside(top):
	os.makedirs(os.path.join(top, "sub-" + MARK), exist_ok=True)
	for p in (os.path.join(top, MARK + ".txt"),
		  os.path.join(top, "sub-" + MARK, "inner.txt")):
		harness.write_file(p, SECRET, mtime=OUT_TS)
	os.chmod(top, 0o755)


def protected():
	"""Every tree outside alice's cell the server could touch."""
	t = srv.tmp
	return {
		"ext": harness.tree_state(ext),
		"outside": harness.tree_state(os.path.join(t, "outside")),
		"bob": harness.tree_state(srv.cell("bob")),
		"users": harness.sha256_file(os.path.join(t, "users")),
		"conf": harness.sha256_file(os.path.join(t, "cellftpd.conf")),
		"mods": harness.tree_state(os.path.join(t, "mods")),
		"root": sorted(os.listdir(srv.root)),
		"tmp": sorted(os.listdir(t)),
	}


class Jail(TestCase):
	def setUp(self):
		make_cell()
		self.before = protected()
		self.f = srv.ftp()
		self.f.voidcmd("TYPE I")

	def tearDown(self):
		self.f.bye()
		after = protected()
		for k in self.before:
			self.assertEqual(self.before[k], after[k],
					 "%s changed outside the cell" % k)
		self.assertEqual(system_before, system_state(),
				 "a system file changed!")

	# -- helpers: each returns normally whatever the server says, and
	#    fails only if something escaped or leaked.

	def session(self):
		"""The session still works (reconnect if a bug killed it)."""
		try:
			self.f.sendcmd("NOOP")
		except (OSError, EOFError, ftplib.Error):
			self.f.close()
			self.f = srv.ftp()
			self.f.voidcmd("TYPE I")
			self.fail("the session died")

	def clean(self, data, what):
		self.assertNotIn(SECRET, data, "%s: outside content read" % what)
		self.assertNotIn(b"root:x:0:0", data, "%s: /etc/passwd read" % what)
		self.assertNotIn(b"$y$", data, "%s: a password hash read" % what)
		self.assertNotIn(b"auth_file", data, "%s: the config read" % what)
		self.assertNotIn(b"PATH=", data, "%s: an environment read" % what)
		harness.check_no_leak(data, what)

	def try_retr(self, path):
		try:
			data = self.f.get(path)
		except ftplib.Error as e:
			self.assertIn(harness.code_of(e), (450, 550, 553), e)
			return None
		self.clean(data, "RETR " + path)
		return data

	def try_list(self, cmd):
		try:
			lines = self.f.lines(cmd)
		except ftplib.Error as e:
			self.assertTrue(400 <= harness.code_of(e) < 600, e)
			return None
		text = "\n".join(lines)
		self.clean(text.encode(), cmd)
		self.assertNotIn(MARK, text, "%s lists an outside name" % cmd)
		self.assertNotIn(OUT_TIME[:8], text.replace(" ", ""),
				 "%s lists an outside file" % cmd)
		return lines

	def try_cmd(self, cmd):
		"""Any reply is acceptable as long as nothing leaks."""
		try:
			return self.f.sendcmd(cmd)
		except ftplib.Error as e:
			return e.args[0]

	def stou(self):
		try:
			conn = self.f.transfercmd("STOU")
		except ftplib.Error as e:
			self.assertTrue(400 <= harness.code_of(e) < 600, e)
			return
		conn.sendall(b"written by the jail test")
		conn.close()
		self.f.voidresp()

	def try_stor(self, path, cmd="STOR"):
		try:
			self.f.put(path, b"written by the jail test", cmd=cmd)
			return True
		except ftplib.Error as e:
			self.assertTrue(400 <= harness.code_of(e) < 600, e)
			return False

	# -- the tests

	def test_retr_through_links_and_paths(self):
		for name in list(DIR_LINKS):
			for rel in (MARK + ".txt", "sub-" + MARK + "/inner.txt",
				    "etc/passwd", "users", "bob-" + MARK + ".txt"):
				with self.subTest(path=name + "/" + rel):
					self.try_retr(name + "/" + rel)
		for name in FILE_LINKS:
			with self.subTest(path=name):
				self.try_retr(name)
		for p in PATHS:
			with self.subTest(path=p):
				self.try_retr(p)
		self.session()

	def test_file_links_to_outside_cannot_be_downloaded(self):
		for name in ("abs_file", "rel_file", "proc_ext_file", "users_link",
			     "conf_link", "passwd_link", "proc_environ", "bob_file"):
			with self.subTest(link=name):
				data = self.try_retr(name)
				self.assertIsNone(data, "%s downloaded %r" % (name, data))

	def test_listings_through_links(self):
		for name in DIR_LINKS:
			for cmd in ("LIST", "NLST", "MLSD", "LIST -a"):
				with self.subTest(cmd=cmd, link=name):
					self.try_list("%s %s" % (cmd, name))
			with self.subTest(cmd="STAT", link=name):
				self.try_cmd("STAT " + name)
			with self.subTest(cmd="MLST", link=name):
				self.try_cmd("MLST %s/%s.txt" % (name, MARK))
		for p in ("/..", "../..", "/../..", "//", "/proc", "/etc", "~root",
			  "/../bob", "../../outside"):
			for cmd in ("LIST", "NLST", "MLSD"):
				with self.subTest(cmd=cmd, path=p):
					self.try_list("%s %s" % (cmd, p))
		self.session()

	def test_listing_of_the_cell_shows_no_link_targets(self):
		for cmd in ("LIST", "LIST -a", "LIST -la", "NLST", "MLSD"):
			with self.subTest(cmd=cmd):
				lines = self.try_list(cmd + " /")
				self.assertIsNotNone(lines)
				text = "\n".join(lines)
				for target in ("/etc", "/proc", "../", "outside"):
					self.assertNotIn(target, text,
							 "%s shows a link target" % cmd)
				self.assertIn("mine.txt", text)
		r = self.try_cmd("STAT /")
		self.assertNotIn("/proc", r)
		self.assertNotIn("../", r)

	def test_size_mdtm_mlst_never_describe_outside_files(self):
		# Failing is fine, and so is describing the link itself (it is
		# in the cell); describing its outside target is not.
		for name in list(FILE_LINKS) + ["abs_dir/%s.txt" % MARK,
						"rel_dir/%s.txt" % MARK,
						"deep_rel/%s.txt" % MARK,
						"proc_root%s/%s.txt" % (ext, MARK)] + PATHS:
			for cmd in ("SIZE", "MDTM", "MLST"):
				with self.subTest(cmd=cmd, path=name):
					r = self.try_cmd("%s %s" % (cmd, name))
					self.assertNotIn(OUT_TIME, r)
					self.assertNotIn("size=%d;" % len(SECRET), r)
					self.assertNotEqual(r, "213 %d" % len(SECRET))
					if name in PATHS:
						self.assertTrue(r[0] in "45", "%s %s: %r"
								% (cmd, name, r))

	def test_cwd_through_links(self):
		for name in list(DIR_LINKS) + ["../..", "/../../..", "/proc",
					       "/etc", "../bob", "/tmp", "~root"]:
			with self.subTest(cwd=name):
				r = self.try_cmd("CWD " + name)
				pwd = self.f.pwd()
				self.assertTrue(pwd.startswith("/"), pwd)
				if r.startswith("250"):
					self.try_list("LIST")
					names = self.try_list("NLST") or []
					for n in names:
						self.assertNotIn(n, ("passwd", "shadow", "users"),
								 "CWD %s reached a real folder: %r"
								 % (name, names))
				self.f.cwd("/")
		r = self.try_cmd("CWD ../../../../..")
		self.assertEqual(self.f.pwd(), "/")

	def test_slash_and_dotdot_links_stay_in_the_cell(self):
		for name in ("slash", "dotdot"):
			with self.subTest(link=name):
				names = self.try_list("NLST " + name)
				if names is not None:
					base = sorted(os.path.basename(n) for n in names)
					self.assertIn("mine.txt", base)
					self.assertNotIn("bob", base)
					self.assertNotIn("alice", base)

	def test_writes_through_links_and_paths(self):
		for name in SAFE_DIR_LINKS:
			with self.subTest(op="STOR", link=name):
				self.try_stor("%s/new-%s.txt" % (name, name))
			with self.subTest(op="APPE", link=name):
				self.try_stor("%s/%s.txt" % (name, MARK), cmd="APPE")
			with self.subTest(op="MKD", link=name):
				self.try_cmd("MKD %s/newdir-%s" % (name, name))
			with self.subTest(op="STOU", link=name):
				try:
					self.f.cwd(name)
				except ftplib.Error:
					pass
				else:
					try:
						self.stou()
					finally:
						self.f.cwd("/")
		for name in SAFE_FILE_LINKS:
			if name == "dangling":
				continue
			with self.subTest(op="STOR over", link=name):
				self.try_stor(name)
			with self.subTest(op="APPE to", link=name):
				self.try_stor(name, cmd="APPE")
			with self.subTest(op="REST+STOR", link=name):
				try:
					self.f.put(name, b"X", rest=3)
				except ftplib.Error:
					pass
		for p in SAFE_PATHS + ["/../pwned", "../../pwned",
				       "/../../outside/pwned"]:
			with self.subTest(op="STOR", path=p):
				self.try_stor(p)
			with self.subTest(op="MKD", path=p):
				self.try_cmd("MKD " + p + "-dir")
		self.session()

	def test_stor_to_a_dangling_link_creates_nothing_outside(self):
		self.try_stor("dangling")
		self.assertFalse(os.path.exists(srv.on_disk("no")))

	def test_deletes_and_renames_through_links_and_paths(self):
		for name in SAFE_DIR_LINKS:
			for cmd in ("DELE %s/%s.txt", "RMD %s/sub-%s",
				    "DELE %s/sub-%s/inner.txt",
				    "MFMT 20000101000000 %s/%s.txt"):
				c = cmd % (name, MARK)
				with self.subTest(cmd=c):
					self.try_cmd(c)
			with self.subTest(op="RNFR", link=name):
				r = self.try_cmd("RNFR %s/%s.txt" % (name, MARK))
				if r.startswith("350"):
					self.try_cmd("RNTO stolen-" + name)
		for p in SAFE_PATHS:
			with self.subTest(op="DELE", path=p):
				self.try_cmd("DELE " + p)
			with self.subTest(op="RNFR", path=p):
				r = self.try_cmd("RNFR " + p)
				if r.startswith("350"):
					self.try_cmd("RNTO stolen")
		# Renaming a cell file to outside places.
		for target in ["%s/moved.txt" % n for n in SAFE_DIR_LINKS] + \
			      ["/../../outside/moved.txt", "../../users",
			       "/../bob/moved.txt", "abs_file", "users_link"]:
			harness.write_file(srv.on_disk("tomove.txt"),
					   b"move me")
			with self.subTest(rnto=target):
				self.assertCode(self.f.sendcmd("RNFR tomove.txt"), 350)
				self.try_cmd("RNTO " + target)
		self.session()
		self.assertFalse(any(n.startswith("stolen")
				     for n in os.listdir(srv.on_disk())),
				 "something from outside was renamed into the cell")

	def test_dele_of_a_link_removes_only_the_link(self):
		for name, target in (("del_abs", "{ext}/" + MARK + ".txt"),
				     ("del_rel", "../../outside/" + MARK + ".txt"),
				     ("del_dir", "{ext}"), ("del_in", "mine.txt")):
			os.symlink(target.format(ext=ext), srv.on_disk(name))
			with self.subTest(link=name):
				r = self.try_cmd("DELE " + name)
				self.assertTrue(r.startswith("250"),
						"DELE of a symlink: %r" % r)
				self.assertFalse(os.path.lexists(
					srv.on_disk(name)))
		self.assertTrue(os.path.isfile(srv.on_disk("mine.txt")))

	def test_rmd_of_a_link_to_a_folder_does_not_touch_the_folder(self):
		os.symlink(ext, srv.on_disk("rmd_link"))
		os.symlink("docs", srv.on_disk("rmd_in"))
		try:
			for name in ("rmd_link", "rmd_in"):
				with self.subTest(link=name):
					self.try_cmd("RMD " + name)
			self.assertTrue(os.path.isdir(srv.on_disk("docs")))
		finally:
			for n in ("rmd_link", "rmd_in"):
				if os.path.lexists(srv.on_disk(n)):
					os.unlink(srv.on_disk(n))

	def test_rename_of_a_link_renames_the_link(self):
		os.symlink(ext + "/" + MARK + ".txt", srv.on_disk("ren_link"))
		self.assertCode(self.f.sendcmd("RNFR ren_link"), 350)
		self.assertCode(self.f.sendcmd("RNTO ren_link2"), 250)
		self.assertTrue(os.path.islink(srv.on_disk("ren_link2")))
		self.assertEqual(os.readlink(srv.on_disk("ren_link2")),
				 ext + "/" + MARK + ".txt")
		os.unlink(srv.on_disk("ren_link2"))

	def test_links_inside_the_cell_work(self):
		self.assertEqual(self.f.get("in_rel/readme.txt"), b"inside readme\n")
		# An absolute target is taken from the cell root.
		self.assertEqual(self.f.get("in_abs"), b"inside readme\n")
		self.assertEqual(self.f.get("in_abs_dir/readme.txt"),
				 b"inside readme\n")
		self.f.cwd("in_abs_dir")
		self.assertIn("readme.txt",
			      [os.path.basename(n) for n in self.f.nlst()])

	def test_replies_name_only_virtual_paths(self):
		for cmd in ("CWD abs_dir", "CWD rel_dir", "RETR abs_file",
			    "SIZE rel_file", "MKD abs_dir/x", "DELE proc_root_ext/x",
			    "CWD /nonexistent/deeper", "RNFR users_link"):
			with self.subTest(cmd=cmd):
				r = self.try_cmd(cmd)
				harness.check_no_leak(r)
				self.assertNotIn(srv.root, r)
				self.assertNotIn("/root/alice", r)


class SpecialFiles(TestCase):
	"""Downloads refuse anything but regular files, and no special file
	can stall a worker (opening a FIFO blocks until the other end comes)."""

	def setUp(self):
		make_cell()
		cell = srv.cell("alice")
		self.fifo = os.path.join(cell, "fifo")
		os.mkfifo(self.fifo)
		self.dev = os.path.join(cell, "zero_dev")
		try:
			os.mknod(self.dev, 0o666 | stat.S_IFCHR, os.makedev(1, 5))
		except OSError:
			self.dev = None
		os.symlink("/dev/zero", os.path.join(cell, "devzero"))
		self.c = srv.ctl()
		self.c.login("alice", PW)
		self.c.expect("TYPE I", 200)
		self.other = srv.ctl()
		self.other.login("alice", PW)

	def tearDown(self):
		# Release a server thread stuck in open() on the FIFO, if any.
		try:
			fd = os.open(self.fifo, os.O_RDWR | os.O_NONBLOCK)
			os.close(fd)
		except OSError:
			pass
		self.c.close()
		self.other.close()

	def transfer(self, cmd, payload):
		"""Final reply of an upload on a fresh data connection, within
		a few seconds."""
		d = self.c.data_connect(self.c.pasv())
		try:
			r = self.c.cmd(cmd, timeout=5)
			if r.code in (125, 150):
				try:
					d.sendall(payload)
				except OSError:
					pass
				d.close()
				r = self.c.reply(timeout=5)
			return r
		finally:
			d.close()

	def assertWorkersFree(self):
		t0 = time.monotonic()
		self.assertEqual(self.other.cmd("NOOP", timeout=5).code, 200)
		self.assertLess(time.monotonic() - t0, 2)

	def test_retr_of_a_fifo_is_refused_at_once(self):
		d = self.c.data_connect(self.c.pasv())
		try:
			r = self.c.cmd("RETR fifo", timeout=5)
			self.assertIn(r.code, (450, 550, 553), r)
		finally:
			d.close()
		self.assertWorkersFree()

	def test_stor_and_appe_onto_a_fifo_are_refused_at_once(self):
		for cmd in ("STOR fifo", "APPE fifo"):
			with self.subTest(cmd=cmd):
				r = self.transfer(cmd, b"data")
				self.assertIn(r.code // 100, (4, 5), r)
				self.assertTrue(stat.S_ISFIFO(os.lstat(self.fifo).st_mode))
		self.assertWorkersFree()

	def test_retr_of_a_device_is_refused(self):
		if self.dev is None:
			self.skipTest("mknod not permitted here")
		d = self.c.data_connect(self.c.pasv())
		try:
			r = self.c.cmd("RETR zero_dev", timeout=5)
			self.assertIn(r.code, (450, 550, 553), r)
		finally:
			d.close()
		self.assertWorkersFree()

	def test_link_to_dev_zero_resolves_in_the_cell(self):
		d = self.c.data_connect(self.c.pasv())
		try:
			r = self.c.cmd("RETR devzero", timeout=5)
			self.assertIn(r.code, (450, 550), r)
		finally:
			d.close()

	def test_size_of_a_fifo_is_550(self):
		self.assertEqual(self.c.cmd("SIZE fifo", timeout=5).code, 550)
		self.assertWorkersFree()


if __name__ == "__main__":
	harness.main()
