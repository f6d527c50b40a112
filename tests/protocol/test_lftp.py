"""
lftp as the judge: `mirror -R` then `mirror` of a tree with nested
folders, an empty folder, odd names and a 50 MB random file, compared by
sha256 (and by modification time, which lftp carries with MFMT and reads
back from MLSD/MDTM); the same in active mode on a smaller tree; and the
everyday shell commands (ls, mkdir -p, mv, rm, rmdir, get -c, put).
"""

import calendar
import os
import shutil
import tempfile
import unittest

import harness
from harness import Server, TestCase

srv = None
PW = "alice-Pw.1"
work = None
MTIME = calendar.timegm((2020, 2, 3, 4, 5, 6, 0, 0, 0))
BIG = 50 << 20


def setUpModule():
	global srv, work
	srv = Server(users=[("alice", PW, False, None)])
	work = tempfile.mkdtemp(prefix=harness.TMP_PREFIX + "lftp-")
	unittest.addModuleCleanup(shutil.rmtree, work, ignore_errors=True)
	harness.forbid(work)


def tearDownModule():
	srv.cleanup()


def make_tree(top, big):
	files = {
		"top.txt": b"top level\n",
		"a/one.bin": os.urandom(100000),
		"a/b/two.txt": b"two\n" * 1000,
		"a/b/c/d/deep.txt": b"deep down\n",
		"name with spaces.txt": b"spaces\n",
		"caf\u00e9/\u00fcml\u00e4ut.txt": b"utf-8 names\n",
		"zero.bin": b"",
	}
	for rel, data in files.items():
		harness.write_file(os.path.join(top, rel), data, mtime=MTIME)
	if big:
		p = os.path.join(top, "a", "big.bin")
		with open(p, "wb") as f:
			for _ in range(big >> 20):
				f.write(os.urandom(1 << 20))
		os.utime(p, (MTIME, MTIME))
	os.makedirs(os.path.join(top, "empty", "dir"))


def snapshot(top):
	"""{relpath: ('d',) or ('f', size, sha256, mtime)}"""
	out = {}
	for dirpath, dirnames, filenames in os.walk(top):
		for d in dirnames:
			out[os.path.relpath(os.path.join(dirpath, d), top)] = ("d",)
		for f in filenames:
			p = os.path.join(dirpath, f)
			st = os.lstat(p)
			out[os.path.relpath(p, top)] = (
				"f", st.st_size, harness.sha256_file(p), int(st.st_mtime))
	return out


class Lftp(TestCase):
	def lftp(self, script, passive=True):
		h, p = srv.addr()
		pre = ("set cmd:fail-exit yes; set net:max-retries 2; "
		       "set net:timeout 30; set net:reconnect-interval-base 1; "
		       "set ftp:passive-mode %s; debug 9; "
		       "open -u alice,%s ftp://%s:%d; "
		       % ("on" if passive else "off", PW, h, p))
		rc, out, err = harness.run(["lftp", "-c", pre + script],
					   timeout=280)
		self.assertEqual(rc, 0, "lftp failed (%d):\n%s\n%s" % (
			rc, out[-3000:], err[-6000:]))
		return out, err

	def compare(self, want, got, what, times=True):
		self.assertEqual(sorted(want), sorted(got), "%s: names differ" % what)
		for k in want:
			w, g = want[k], got[k]
			self.assertEqual(w[:3], g[:3], "%s: %s differs" % (what, k))
			if times and w[0] == "f":
				self.assertEqual(w[3], g[3], "%s: mtime of %s not kept"
						 % (what, k))

	def roundtrip(self, name, big, passive):
		src = os.path.join(work, name + "-src")
		back = os.path.join(work, name + "-back")
		make_tree(src, big)
		want = snapshot(src)
		self.lftp("mirror -R %s /%s; mirror /%s %s" % (
			src, name, name, back), passive=passive)
		# What the server stored, then what came back.
		self.compare(want, snapshot(os.path.join(srv.cell("alice"), name)),
			     "upload (mirror -R)")
		self.compare(want, snapshot(back), "download (mirror)")

	def test_mirror_both_ways_passive_with_50mb_file(self):
		self.roundtrip("tree", BIG, passive=True)

	def test_mirror_both_ways_active(self):
		self.roundtrip("tree-active", 0, passive=False)

	def test_mirror_again_transfers_nothing(self):
		src = os.path.join(work, "again-src")
		make_tree(src, 0)
		self.lftp("mirror -R %s /again" % src)
		out, err = self.lftp("mirror -R --verbose=1 %s /again" % src)
		self.assertNotIn("Transferring file", out + err,
				 "unchanged files sent again: MLSD size/modify "
				 "facts do not match what was uploaded")

	def test_shell_commands(self):
		cell = srv.cell("alice")
		harness.write_file(os.path.join(work, "put.txt"), b"put me\n")
		out, err = self.lftp(
			"mkdir -p sh/x/y; cd sh; put %s -o put.txt; ls; "
			"mv put.txt x/moved.txt; cls -l x; rmdir x/y; "
			"get x/moved.txt -o %s; rm x/moved.txt; rmdir x"
			% (os.path.join(work, "put.txt"),
			   os.path.join(work, "got.txt")))
		self.assertTrue(os.path.isdir(os.path.join(cell, "sh")))
		self.assertEqual(os.listdir(os.path.join(cell, "sh")), [])
		with open(os.path.join(work, "got.txt"), "rb") as f:
			self.assertEqual(f.read(), b"put me\n")

	def test_get_continue_uses_rest(self):
		data = os.urandom(300000)
		harness.write_file(os.path.join(srv.cell("alice"), "cont.bin"), data)
		part = os.path.join(work, "cont.bin")
		harness.write_file(part, data[:100000])
		out, err = self.lftp("get -c cont.bin -o %s" % part)
		self.assertIn("REST 100000", err)
		with open(part, "rb") as f:
			self.assertEqual(f.read(), data)


if __name__ == "__main__":
	if not shutil.which("lftp"):
		harness.skip_file("lftp is not installed")
	harness.main()
