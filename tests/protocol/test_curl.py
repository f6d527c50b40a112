"""
curl as the judge: upload (-T), download (-o), listings (--list-only and
LIST), passive (EPSV and PASV) and active (EPRT and PORT) data
connections, resumed transfers, directory creation, quote commands and
the SIZE/MDTM headers, against a live cellftpd.  Every curl run is verbose
and its whole output is checked for leaked real paths.
"""

import calendar
import hashlib
import os
import shutil
import socket
import tempfile
import unittest

import harness
from harness import Server, TestCase

srv = None
PW = "alice-Pw.1"
work = None


def setUpModule():
	global srv, work
	listen = ["127.0.0.1:0"]
	if harness.have_ipv6_loopback():
		listen.append("[::1]:0")
	srv = Server(users=[("alice", PW, False, None)], listen=listen)
	work = tempfile.mkdtemp(prefix=harness.TMP_PREFIX + "curl-")
	unittest.addModuleCleanup(shutil.rmtree, work, ignore_errors=True)
	harness.forbid(work)


def tearDownModule():
	srv.cleanup()


def local(name):
	return os.path.join(work, name)


def url(path="", host=None):
	h, p = srv.addr()
	return "ftp://%s:%d/%s" % (host or h, p, path)


def sha(data):
	return hashlib.sha256(data).hexdigest()


class Curl(TestCase):
	def curl(self, *args, user="alice:" + PW, ok=True):
		argv = ["curl", "-sS", "-v", "--max-time", "120",
			"--connect-timeout", "10"]
		if user:
			argv += ["--user", user]
		argv += list(args)
		rc, out, err = harness.run(argv, timeout=150)
		if ok:
			self.assertEqual(rc, 0, "%s\nexit %d\n%s" % (
				" ".join(argv), rc, err[-4000:]))
		return rc, out, err

	def sent(self, err, verb):
		"""Did curl send this command?  (from its -v trace)"""
		return any(line.startswith("> " + verb) for line in err.splitlines())

	def test_upload_then_download_passive_epsv(self):
		data = os.urandom(3 << 20)
		harness.write_file(local("up1"), data)
		rc, out, err = self.curl("-T", local("up1"), url("c_up1.bin"))
		self.assertTrue(self.sent(err, "EPSV"), "curl did not use EPSV")
		self.assertEqual(sha(srv.read_disk("c_up1.bin")), sha(data))
		self.curl("-o", local("down1"), url("c_up1.bin"))
		with open(local("down1"), "rb") as f:
			self.assertEqual(sha(f.read()), sha(data))

	def test_passive_pasv_only(self):
		data = os.urandom(200000)
		harness.write_file(local("up2"), data)
		rc, out, err = self.curl("--ftp-pasv", "--disable-epsv",
					 "-T", local("up2"), url("c_up2"))
		self.assertTrue(self.sent(err, "PASV"))
		self.assertFalse(self.sent(err, "EPSV"))
		rc, out, err = self.curl("--ftp-pasv", "--disable-epsv",
					 "-o", local("down2"), url("c_up2"))
		with open(local("down2"), "rb") as f:
			self.assertEqual(f.read(), data)

	def test_active_eprt_with_dash(self):
		data = os.urandom(150000)
		harness.write_file(srv.on_disk("c_act1"), data)
		rc, out, err = self.curl("-P", "-", "-o", local("down3"),
					 url("c_act1"))
		self.assertTrue(self.sent(err, "EPRT") or self.sent(err, "PORT"))
		with open(local("down3"), "rb") as f:
			self.assertEqual(f.read(), data)

	def test_active_port_with_address(self):
		data = os.urandom(150000)
		harness.write_file(local("up4"), data)
		rc, out, err = self.curl("--ftp-port", "127.0.0.1",
					 "--disable-eprt", "-T", local("up4"),
					 url("c_act2"))
		self.assertTrue(self.sent(err, "PORT"))
		self.assertEqual(srv.read_disk("c_act2"), data)
		rc, out, err = self.curl("--ftp-port", "127.0.0.1", "-o",
					 local("down4"), url("c_act2"))
		with open(local("down4"), "rb") as f:
			self.assertEqual(f.read(), data)

	def test_list_only_and_long_listing(self):
		os.makedirs(srv.on_disk("clist", "subdir"), exist_ok=True)
		harness.write_file(srv.on_disk("clist", "a.txt"), b"a")
		harness.write_file(srv.on_disk("clist", "b.txt"), b"bb")
		rc, out, err = self.curl("--list-only", url("clist/"))
		self.assertEqual(sorted(out.split()), ["a.txt", "b.txt", "subdir"])
		rc, out, err = self.curl(url("clist/"))
		lines = [x for x in out.splitlines() if not x.startswith("total")]
		self.assertEqual(len(lines), 3, out)
		self.assertTrue(any(x.startswith("d") and x.endswith(" subdir")
				    for x in lines), out)
		self.assertTrue(any(x.startswith("-") and x.endswith(" b.txt")
				    for x in lines), out)

	def test_list_active(self):
		os.makedirs(srv.on_disk("clist2"), exist_ok=True)
		harness.write_file(srv.on_disk("clist2", "z.txt"), b"z")
		rc, out, err = self.curl("-P", "127.0.0.1", "--list-only",
					 url("clist2/"))
		self.assertEqual(out.split(), ["z.txt"])

	def test_create_dirs_on_upload(self):
		harness.write_file(local("up5"), b"deep")
		# multicwd makes one level per MKD; singlecwd sends the whole
		# path to one MKD, so it can only make a single level.
		for method, path in (("multicwd", "cd_m/x/y"),
				     ("singlecwd", "cd_s")):
			self.curl("--ftp-create-dirs", "--ftp-method", method,
				  "-T", local("up5"), url(path + "/deep.txt"))
			self.assertEqual(srv.read_disk(path, "deep.txt"),
					 b"deep")

	def test_download_with_each_ftp_method(self):
		harness.write_file(srv.on_disk("m1", "m2", "f.txt"), b"methods")
		for method in ("multicwd", "singlecwd", "nocwd"):
			self.curl("--ftp-method", method, "-o", local("m_" + method),
				  url("m1/m2/f.txt"))
			with open(local("m_" + method), "rb") as f:
				self.assertEqual(f.read(), b"methods")

	def test_resume_download(self):
		data = os.urandom(500000)
		harness.write_file(srv.on_disk("c_res"), data)
		harness.write_file(local("res"), data[:123456])
		rc, out, err = self.curl("-C", "-", "-o", local("res"),
					 url("c_res"))
		self.assertTrue(self.sent(err, "REST 123456"), "no REST sent")
		with open(local("res"), "rb") as f:
			self.assertEqual(sha(f.read()), sha(data))

	def test_resume_upload(self):
		data = os.urandom(400000)
		harness.write_file(srv.on_disk("c_resup"), data[:100000])
		harness.write_file(local("resup"), data)
		self.curl("-C", "-", "-T", local("resup"), url("c_resup"))
		self.assertEqual(sha(srv.read_disk("c_resup")), sha(data))

	def test_append_upload(self):
		harness.write_file(srv.on_disk("c_app"), b"first,")
		harness.write_file(local("app"), b"second")
		self.curl("--append", "-T", local("app"), url("c_app"))
		self.assertEqual(srv.read_disk("c_app"), b"first,second")

	def test_head_uses_size_and_mdtm(self):
		ts = calendar.timegm((2019, 7, 8, 9, 10, 11, 0, 0, 0))
		harness.write_file(srv.on_disk("c_head"), b"x" * 4321, mtime=ts)
		rc, out, err = self.curl("-I", url("c_head"))
		self.assertIn("Content-Length: 4321", out)
		self.assertIn("Last-Modified: Mon, 08 Jul 2019 09:10:11 GMT", out)

	def test_quote_commands(self):
		harness.write_file(srv.on_disk("c_q1"), b"delete me")
		os.makedirs(srv.on_disk("c_qdir"), exist_ok=True)
		self.curl("-Q", "DELE c_q1", "-Q", "RNFR c_qdir", "-Q",
			  "RNTO c_qdir2", "--list-only", url(""))
		self.assertFalse(os.path.exists(srv.on_disk("c_q1")))
		self.assertTrue(os.path.isdir(srv.on_disk("c_qdir2")))

	def test_delete_after_download(self):
		harness.write_file(srv.on_disk("c_q2"), b"get then delete")
		self.curl("-Q", "-DELE c_q2", "-o", local("q2"), url("c_q2"))
		with open(local("q2"), "rb") as f:
			self.assertEqual(f.read(), b"get then delete")
		self.assertFalse(os.path.exists(srv.on_disk("c_q2")))

	def test_bad_password_exit_67(self):
		rc, out, err = self.curl("--list-only", url(""),
					 user="alice:wrong", ok=False)
		self.assertEqual(rc, 67, err[-2000:])

	def test_missing_file_exit_78(self):
		rc, out, err = self.curl("-o", local("none"), url("no_such_file"),
					 ok=False)
		self.assertEqual(rc, 78, err[-2000:])

	def test_upload_into_missing_directory_fails(self):
		harness.write_file(local("up6"), b"x")
		rc, out, err = self.curl("-T", local("up6"), url("nodir/x"),
					 ok=False)
		self.assertNotEqual(rc, 0)
		self.assertFalse(os.path.exists(srv.on_disk("nodir")))

	def test_ascii_download(self):
		harness.write_file(srv.on_disk("c_ascii"), b"one\ntwo\n")
		rc, out, err = self.curl("--use-ascii", "-o", local("asc"),
					 url("c_ascii"))
		self.assertTrue(self.sent(err, "TYPE A"))
		with open(local("asc"), "rb") as f:
			got = f.read()
		# curl may or may not turn CRLF back into LF: both are fine,
		# but the text must come through.
		self.assertIn(got, (b"one\ntwo\n", b"one\r\ntwo\r\n"))

	def test_ipv6_passive_and_active(self):
		if not harness.have_ipv6_loopback():
			self.skipTest("::1 is not configured")
		port = srv.addr(socket.AF_INET6)[1]
		base = "ftp://[::1]:%d/" % port
		data = os.urandom(100000)
		harness.write_file(local("up6v"), data)
		rc, out, err = self.curl("-T", local("up6v"), base + "c_v6")
		self.assertTrue(self.sent(err, "EPSV"))
		self.assertEqual(srv.read_disk("c_v6"), data)
		rc, out, err = self.curl("-P", "-", "-o", local("down6v"),
					 base + "c_v6")
		self.assertTrue(self.sent(err, "EPRT |2|::1|"), err[-3000:])
		with open(local("down6v"), "rb") as f:
			self.assertEqual(f.read(), data)
		rc, out, err = self.curl("--list-only", base)
		self.assertIn("c_v6", out.split())


if __name__ == "__main__":
	if not shutil.which("curl"):
		harness.skip_file("curl is not installed")
	harness.main()
