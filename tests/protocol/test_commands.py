"""
Python ftplib through every command of the founding issue, with the reply
codes of RFC 959, 2389, 2428, 3659 and 2640, against a live cellftpd.
Transfers in detail (REST, ASCII, ABOR, active/passive) are in
test_transfer.py; framing and login limits in test_control.py.
"""

import calendar
import ftplib
import os
import re
import socket
import time

import harness
from harness import Server, TestCase

srv = None
PW = "alice-Pw.1"


def setUpModule():
	global srv
	srv = Server(users=[("alice", PW, False, None)])


def tearDownModule():
	srv.cleanup()


def removed_held():
	"""The server's descriptors on files of the cell that are gone."""
	fds = "/proc/%d/fd" % srv.proc.pid
	cell = os.path.realpath(srv.cell("alice"))	# readlink gives real paths
	out = []
	for fd in os.listdir(fds):
		try:
			target = os.readlink(os.path.join(fds, fd))
		except OSError:	# closed meanwhile
			continue
		if target.startswith(cell) and \
		   target.endswith(" (deleted)"):
			out.append(target)
	return out


def utc(ts):
	return time.strftime("%Y%m%d%H%M%S", time.gmtime(ts))


class Base(TestCase):
	def setUp(self):
		self.f = srv.ftp()

	def tearDown(self):
		self.f.bye()


class Login(TestCase):
	def test_banner_is_220(self):
		f = srv.connect()
		try:
			self.assertRegex(f.welcome, r"^220[ -]")
		finally:
			f.close()

	def test_user_331_then_good_pass_230(self):
		f = srv.connect()
		try:
			self.assertCode(f.sendcmd("USER alice"), 331)
			self.assertCode(f.sendcmd("PASS " + PW), 230)
		finally:
			f.bye()

	def test_bad_password_530_after_a_delay(self):
		f = srv.connect()
		try:
			f.sendcmd("USER alice")
			t0 = time.monotonic()
			self.assertFtpError((530,), f.sendcmd, "PASS wrong")
			self.assertGreaterEqual(time.monotonic() - t0, 0.15,
						"login_delay = 0.2 not applied")
			# The session goes on: a good login still works.
			f.sendcmd("USER alice")
			self.assertCode(f.sendcmd("PASS " + PW), 230)
		finally:
			f.bye()

	def test_unknown_user_looks_like_a_bad_password(self):
		f = srv.connect()
		try:
			self.assertCode(f.sendcmd("USER nosuchuser"), 331)
			t0 = time.monotonic()
			self.assertFtpError((530,), f.sendcmd, "PASS " + PW)
			self.assertGreaterEqual(time.monotonic() - t0, 0.15)
		finally:
			f.bye()

	def test_pass_without_user_is_503(self):
		f = srv.connect()
		try:
			self.assertFtpError((503,), f.sendcmd, "PASS " + PW)
		finally:
			f.bye()

	def test_file_commands_before_login_are_530(self):
		f = srv.connect()
		try:
			for cmd in ("PWD", "XPWD", "CWD /", "CDUP", "MKD x", "RMD x",
				    "DELE x", "RNFR x", "SIZE x", "MDTM x",
				    "MFMT 20200101000000 x", "MLST", "STAT /",
				    "LIST", "NLST", "MLSD", "RETR x", "STOR x",
				    "APPE x", "STOU", "REST 0", "PASV", "EPSV",
				    "PORT 127,0,0,1,200,10",
				    "EPRT |1|127.0.0.1|51210|"):
				c, r = f.code(cmd)
				self.assertEqual(c, 530, "%s before login: %r" % (cmd, r))
			self.assertFalse(os.path.exists(srv.on_disk("x")))
		finally:
			f.bye()

	def test_harmless_commands_before_login_answer(self):
		f = srv.connect()
		try:
			self.assertCode(f.sendcmd("NOOP"), 200)
			self.assertCode(f.sendcmd("SYST"), 215)
			self.assertCode(f.sendcmd("FEAT"), 211)
			self.assertCode(f.sendcmd("HELP"), 214)
		finally:
			f.bye()

	def test_quit_is_221_and_closes(self):
		f = srv.ftp()
		self.assertCode(f.quit(), 221)
		f.close()


class Directories(Base):
	def test_pwd_at_login_is_slash(self):
		r = self.f.sendcmd("PWD")
		self.assertRegex(r, r'^257 "/"( |$)')
		self.assertRegex(self.f.sendcmd("XPWD"), r'^257 "/"( |$)')

	def test_cwd_existing_250_missing_550(self):
		os.makedirs(srv.on_disk("cwd1", "deeper"), exist_ok=True)
		self.assertCode(self.f.sendcmd("CWD cwd1"), 250)
		self.assertEqual(self.f.pwd(), "/cwd1")
		self.assertCode(self.f.sendcmd("XCWD deeper"), 250)
		self.assertEqual(self.f.pwd(), "/cwd1/deeper")
		self.assertFtpError((550,), self.f.sendcmd, "CWD nosuchdir")
		self.assertEqual(self.f.pwd(), "/cwd1/deeper")
		self.assertCode(self.f.sendcmd("CWD /"), 250)
		self.assertEqual(self.f.pwd(), "/")

	def test_cwd_to_a_file_is_550(self):
		harness.write_file(srv.on_disk("cwdfile"), b"x")
		self.assertFtpError((550,), self.f.sendcmd, "CWD cwdfile")

	def test_cdup_goes_up_and_stays_at_root(self):
		os.makedirs(srv.on_disk("up1", "up2"), exist_ok=True)
		self.f.cwd("/up1/up2")
		self.assertCode(self.f.sendcmd("CDUP"), 200, 250)
		self.assertEqual(self.f.pwd(), "/up1")
		self.assertCode(self.f.sendcmd("XCUP"), 200, 250)
		self.assertEqual(self.f.pwd(), "/")
		self.assertCode(self.f.sendcmd("CDUP"), 200, 250)
		self.assertEqual(self.f.pwd(), "/")

	def test_cwd_dotdot_at_root_stays_at_root(self):
		self.assertCode(self.f.sendcmd("CWD .."), 250)
		self.assertEqual(self.f.pwd(), "/")
		self.assertCode(self.f.sendcmd("CWD ../../.."), 250)
		self.assertEqual(self.f.pwd(), "/")

	def test_mkd_257_with_absolute_path_and_creates(self):
		r = self.f.sendcmd("MKD newdir")
		self.assertCode(r, 257)
		self.assertEqual(ftplib.parse257(r), "/newdir")
		self.assertTrue(os.path.isdir(srv.on_disk("newdir")))
		self.f.cwd("newdir")
		r = self.f.sendcmd("XMKD inner")
		self.assertEqual(ftplib.parse257(r), "/newdir/inner")
		self.assertTrue(os.path.isdir(srv.on_disk("newdir", "inner")))

	def test_mkd_existing_is_550(self):
		os.makedirs(srv.on_disk("exists"), exist_ok=True)
		self.assertFtpError((550, 521), self.f.sendcmd, "MKD exists")

	def test_mkd_quotes_double_quotes_in_257(self):
		r = self.f.sendcmd('MKD q"uote')
		self.assertCode(r, 257)
		self.assertIn('"/q""uote"', r, "RFC 959 doubles an embedded quote")
		self.assertEqual(ftplib.parse257(r), '/q"uote')
		self.assertTrue(os.path.isdir(srv.on_disk('q"uote')))

	def test_rmd_250_nonempty_and_missing_550(self):
		os.makedirs(srv.on_disk("rm1"), exist_ok=True)
		self.assertCode(self.f.sendcmd("RMD rm1"), 250)
		self.assertFalse(os.path.exists(srv.on_disk("rm1")))
		os.makedirs(srv.on_disk("rm2"), exist_ok=True)
		self.assertCode(self.f.sendcmd("XRMD rm2"), 250)
		os.makedirs(srv.on_disk("rm3", "child"), exist_ok=True)
		self.assertFtpError((550,), self.f.sendcmd, "RMD rm3")
		self.assertTrue(os.path.isdir(srv.on_disk("rm3", "child")))
		self.assertFtpError((550,), self.f.sendcmd, "RMD nosuch")

	def test_rmd_of_a_file_is_550(self):
		harness.write_file(srv.on_disk("rmdfile"), b"x")
		self.assertFtpError((550,), self.f.sendcmd, "RMD rmdfile")
		self.assertTrue(os.path.isfile(srv.on_disk("rmdfile")))

	def test_cwd_with_trailing_slash_and_dot_components(self):
		os.makedirs(srv.on_disk("dots", "inner"), exist_ok=True)
		self.assertCode(self.f.sendcmd("CWD dots/"), 250)
		self.assertEqual(self.f.pwd(), "/dots")
		self.assertCode(self.f.sendcmd("CWD ./inner/./"), 250)
		self.assertEqual(self.f.pwd(), "/dots/inner")
		self.assertCode(self.f.sendcmd("CWD //dots//inner/../"), 250)
		self.assertEqual(self.f.pwd(), "/dots")

	def test_pwd_quotes_double_quotes(self):
		os.makedirs(srv.on_disk('pw"d'), exist_ok=True)
		self.f.cwd('pw"d')
		self.assertRegex(self.f.sendcmd("PWD"), r'^257 "/pw""d"( |$)')

	def test_mkd_with_missing_parent_is_550(self):
		self.assertFtpError((550,), self.f.sendcmd, "MKD nope/inner")
		self.assertFalse(os.path.exists(srv.on_disk("nope")))

	def test_rename_a_folder_into_itself_fails(self):
		os.makedirs(srv.on_disk("selfren"), exist_ok=True)
		self.assertCode(self.f.sendcmd("RNFR selfren"), 350)
		self.assertFtpError((550, 553), self.f.sendcmd, "RNTO selfren/sub")
		self.assertTrue(os.path.isdir(srv.on_disk("selfren")))

	def test_utf8_names(self):
		name = "d\u00e9j\u00e0-\u65e5\u672c"
		r = self.f.sendcmd("MKD " + name)
		self.assertEqual(ftplib.parse257(r), "/" + name)
		self.assertTrue(os.path.isdir(srv.on_disk(name)))
		self.assertIn(name, self.f.nlst())
		self.assertEqual(self.f.pwd(), "/")

	def test_names_with_spaces(self):
		self.f.put("a b  c.txt", b"spaces")
		self.assertEqual(srv.read_disk("a b  c.txt"), b"spaces")
		self.assertIn("a b  c.txt", self.f.nlst())
		self.assertEqual(self.f.get("a b  c.txt"), b"spaces")


class Files(Base):
	def test_dele_250_missing_550_dir_550(self):
		harness.write_file(srv.on_disk("del1"), b"x")
		self.assertCode(self.f.sendcmd("DELE del1"), 250)
		self.assertFalse(os.path.exists(srv.on_disk("del1")))
		self.assertFtpError((550,), self.f.sendcmd, "DELE del1")
		os.makedirs(srv.on_disk("deldir"), exist_ok=True)
		self.assertFtpError((550,), self.f.sendcmd, "DELE deldir")
		self.assertTrue(os.path.isdir(srv.on_disk("deldir")))

	def test_rnfr_350_rnto_250(self):
		harness.write_file(srv.on_disk("ren1"), b"rename me")
		harness.make_dir(srv.on_disk("rendir"))
		self.assertCode(self.f.sendcmd("RNFR ren1"), 350)
		self.assertCode(self.f.sendcmd("RNTO rendir/ren2"), 250)
		self.assertFalse(os.path.exists(srv.on_disk("ren1")))
		self.assertEqual(srv.read_disk("rendir", "ren2"), b"rename me")
		# Directories rename too.
		self.f.rename("rendir", "rendir2")
		self.assertTrue(os.path.isdir(srv.on_disk("rendir2")))

	def test_removed_big_files_leave_no_descriptor_behind(self):
		# Files of a MiB and more are freed off the worker: the server
		# holds each across DELE, a replacing RNTO or a replacing STOR,
		# then lets go.  A hold never let go would pin the disk space.
		big = b"b" * (2 << 20)
		for name in ("big-dele", "big-rnto", "big-stor", "big-src"):
			harness.write_file(srv.on_disk(name), big)
		self.assertCode(self.f.sendcmd("DELE big-dele"), 250)
		self.f.rename("big-src", "big-rnto")
		self.f.put("big-stor", b"new")
		self.assertEqual(srv.read_disk("big-stor"), b"new")
		self.assertEqual(srv.read_disk("big-rnto"), big)
		self.assertFalse(os.path.exists(srv.on_disk("big-dele")))
		self.assertTrue(harness.wait_for(lambda: not removed_held()),
				"still open: %s" % removed_held())

	def test_rnfr_missing_550(self):
		self.assertFtpError((550, 450), self.f.sendcmd, "RNFR nosuch")

	def test_rnto_without_rnfr_503(self):
		self.assertFtpError((503,), self.f.sendcmd, "RNTO whatever")

	def test_rnto_not_right_after_rnfr_503(self):
		harness.write_file(srv.on_disk("ren3"), b"x")
		self.assertCode(self.f.sendcmd("RNFR ren3"), 350)
		self.f.sendcmd("NOOP")
		self.assertFtpError((503,), self.f.sendcmd, "RNTO ren4")
		self.assertTrue(os.path.exists(srv.on_disk("ren3")))
		self.assertFalse(os.path.exists(srv.on_disk("ren4")))

	def test_size_213(self):
		harness.write_file(srv.on_disk("sz"), b"0123456789" * 7)
		self.f.voidcmd("TYPE I")
		r = self.f.sendcmd("SIZE sz")
		self.assertRegex(r, r"^213 70$")
		self.assertFtpError((550,), self.f.sendcmd, "SIZE nosuch")

	def test_size_of_a_directory_is_550(self):
		os.makedirs(srv.on_disk("szdir"), exist_ok=True)
		self.f.voidcmd("TYPE I")
		self.assertFtpError((550,), self.f.sendcmd, "SIZE szdir")

	def test_size_in_ascii_mode_counts_crlf_or_refuses(self):
		# RFC 3659 4: SIZE is the size as transferred in the current
		# TYPE; a server that cannot tell answers 550.
		harness.write_file(srv.on_disk("szasc"), b"a\nb\nc\n")
		self.f.voidcmd("TYPE A")
		c, r = self.f.code("SIZE szasc")
		self.assertIn(c, (213, 550), r)
		if c == 213:
			self.assertEqual(r, "213 9", "SIZE in TYPE A must count the "
					 "CRLF line ends sent (6 bytes, 3 LF on disk)")
		self.f.voidcmd("TYPE I")
		self.assertEqual(self.f.sendcmd("SIZE szasc"), "213 6")

	def test_mdtm_213_utc(self):
		ts = calendar.timegm((2021, 3, 4, 5, 6, 7, 0, 0, 0))
		harness.write_file(srv.on_disk("mt"), b"x", mtime=ts)
		r = self.f.sendcmd("MDTM mt")
		self.assertRegex(r, r"^213 20210304050607(\.\d+)?$")
		self.assertFtpError((550,), self.f.sendcmd, "MDTM nosuch")

	def test_mfmt_213_sets_mtime(self):
		harness.write_file(srv.on_disk("mf"), b"x")
		r = self.f.sendcmd("MFMT 20200102030405 mf")
		# The MFMT draft: "213 Modify=<time>; <path>" (path as given, or
		# its absolute form).
		self.assertRegex(r, r"^213 Modify=20200102030405; (/)?mf$")
		self.assertEqual(int(os.stat(srv.on_disk("mf")).st_mtime),
				 calendar.timegm((2020, 1, 2, 3, 4, 5, 0, 0, 0)))
		self.assertRegex(self.f.sendcmd("MDTM mf"), r"^213 20200102030405")

	def test_mfmt_bad_time_501_missing_file_550(self):
		harness.write_file(srv.on_disk("mf2"), b"x")
		self.assertFtpError((501,), self.f.sendcmd, "MFMT 2020xx02030405 mf2")
		self.assertFtpError((501,), self.f.sendcmd, "MFMT 20201302030405 mf2")
		self.assertFtpError((550,), self.f.sendcmd,
				    "MFMT 20200102030405 nosuch")


class Parameters(Base):
	def test_type_a_i_l8_200(self):
		for t in ("TYPE A", "TYPE I", "TYPE L 8", "TYPE A N", "type i"):
			self.assertCode(self.f.sendcmd(t), 200, msg=t)

	def test_type_unknown_504_or_501(self):
		self.assertFtpError((504, 501), self.f.sendcmd, "TYPE X")
		self.assertFtpError((504, 501), self.f.sendcmd, "TYPE L 7")

	def test_mode_s_200_b_504(self):
		self.assertCode(self.f.sendcmd("MODE S"), 200)
		self.assertFtpError((504,), self.f.sendcmd, "MODE B")
		self.assertFtpError((504,), self.f.sendcmd, "MODE C")

	def test_stru_f_200_r_504(self):
		self.assertCode(self.f.sendcmd("STRU F"), 200)
		self.assertFtpError((504,), self.f.sendcmd, "STRU R")
		self.assertFtpError((504,), self.f.sendcmd, "STRU P")

	def test_allo_202_or_200(self):
		self.assertCode(self.f.sendcmd("ALLO 1000"), 200, 202)

	def test_rest_350_and_bad_rest_501(self):
		self.f.voidcmd("TYPE I")
		self.assertCode(self.f.sendcmd("REST 100"), 350)
		self.assertCode(self.f.sendcmd("REST 0"), 350)
		self.assertFtpError((501,), self.f.sendcmd, "REST abc")
		self.assertFtpError((501,), self.f.sendcmd, "REST -5")

	def test_pasv_227_in_range_on_control_address(self):
		r = self.f.sendcmd("PASV")
		self.assertCode(r, 227)
		host, port = harness.parse_227(r)
		self.assertEqual(host, "127.0.0.1")
		lo, hi = srv.pasv_range
		self.assertTrue(lo <= port <= hi, "%d not in %s" % (port, srv.pasv_range))

	def test_epsv_229_and_epsv_1(self):
		for arg in ("EPSV", "EPSV 1"):
			r = self.f.sendcmd(arg)
			self.assertCode(r, 229)
			port = harness.parse_229(r)
			lo, hi = srv.pasv_range
			self.assertTrue(lo <= port <= hi)

	def test_epsv_2_on_ipv4_is_522(self):
		self.assertFtpError((522,), self.f.sendcmd, "EPSV 2")

	def test_epsv_bad_argument_501(self):
		self.assertFtpError((501,), self.f.sendcmd, "EPSV banana")

	def test_epsv_all_then_pasv_port_eprt_refused(self):
		self.assertCode(self.f.sendcmd("EPSV ALL"), 200)
		for cmd in ("PASV", "PORT 127,0,0,1,200,10",
			    "EPRT |1|127.0.0.1|51210|"):
			c, r = self.f.code(cmd)
			self.assertTrue(500 <= c < 600, "%s after EPSV ALL: %r"
					% (cmd, r))
		self.assertCode(self.f.sendcmd("EPSV"), 229)
		# And a transfer through EPSV still works.
		harness.write_file(srv.on_disk("epsvall"), b"after EPSV ALL")
		self.f.voidcmd("TYPE I")
		port = harness.parse_229(self.f.sendcmd("EPSV"))
		s = _data(port)
		self.f.putcmd("RETR epsvall")
		self.assertCode(self.f.getresp(), 150, 125)
		self.assertEqual(harness.recv_all(s), b"after EPSV ALL")
		s.close()
		self.assertCode(self.f.voidresp(), 226, 250)

	def test_port_200_eprt_200(self):
		ls = harness.listen_socket("127.0.0.1")
		try:
			p = ls.getsockname()[1]
			self.assertCode(self.f.sendcmd(
				"PORT " + harness.port_arg("127.0.0.1", p)), 200)
			self.assertCode(self.f.sendcmd(
				"EPRT |1|127.0.0.1|%d|" % p), 200)
		finally:
			ls.close()

	def test_port_to_another_host_refused(self):
		for arg in ("PORT 127,0,0,2,200,10", "PORT 127,1,2,3,200,10",
			    "EPRT |1|127.0.0.2|51210|"):
			c, r = self.f.code(arg)
			self.assertTrue(500 <= c < 600, "%s: %r" % (arg, r))

	def test_port_below_1024_refused(self):
		for arg in ("PORT 127,0,0,1,0,21", "PORT 127,0,0,1,3,255",
			    "EPRT |1|127.0.0.1|21|", "EPRT |1|127.0.0.1|0|"):
			c, r = self.f.code(arg)
			self.assertTrue(500 <= c < 600, "%s: %r" % (arg, r))

	def test_port_malformed_501(self):
		for arg in ("PORT 1,2,3", "PORT 127,0,0,1,300,1",
			    "PORT a,b,c,d,e,f", "EPRT |1|127.0.0.1|", "EPRT junk"):
			c, r = self.f.code(arg)
			self.assertEqual(c, 501, "%s: %r" % (arg, r))

	def test_eprt_unknown_protocol_522(self):
		c, r = self.f.code("EPRT |3|127.0.0.1|51210|")
		self.assertEqual(c, 522, r)

	def test_transfer_without_port_or_pasv_fails_cleanly(self):
		# Nothing to connect to: the transfer fails (at once, or after a
		# preliminary reply) and the session goes on.
		harness.write_file(srv.on_disk("nodata"), b"x")
		c, r = self.f.code("RETR nodata")
		if c in (125, 150):
			r = self.f.getmultiline()
			c = int(r[:3])
		self.assertIn(c, (425, 426, 503), r)
		self.assertCode(self.f.sendcmd("NOOP"), 200)


def _data(port):
	return socket.create_connection(("127.0.0.1", port),
					timeout=harness.NET_TIMEOUT)


LS_LINE = re.compile(
	r"^([-dlcbps])[-rwxsStT]{9}[.+@]?\s+\d+\s+\S+\s+\S+\s+(\d+)\s+"
	r"[A-Z][a-z]{2}\s+\d{1,2}\s+(\d{2}:\d{2}|\d{4})\s(.+)$")


class Listings(Base):
	@classmethod
	def setUpClass(cls):
		d = srv.on_disk("lst")
		os.makedirs(os.path.join(d, "sub"), exist_ok=True)
		harness.write_file(os.path.join(d, "one.txt"), b"1" * 11,
				   mtime=calendar.timegm((2022, 5, 6, 7, 8, 9, 0, 0, 0)))
		harness.write_file(os.path.join(d, "two.bin"), b"2" * 2222)
		harness.write_file(os.path.join(d, ".hidden"), b"h")

	def test_list_is_ls_l_style(self):
		lines = self.f.lines("LIST /lst")
		found = {}
		for line in lines:
			if line.startswith("total "):
				continue
			m = LS_LINE.match(line)
			self.assertTrue(m, "not an ls -l line: %r" % line)
			found[m.group(4)] = (m.group(1), int(m.group(2)))
		self.assertEqual(found.get("one.txt"), ("-", 11))
		self.assertEqual(found.get("two.bin"), ("-", 2222))
		self.assertEqual(found.get("sub", ("?",))[0], "d")

	def test_list_of_a_file_lists_it(self):
		lines = [x for x in self.f.lines("LIST /lst/one.txt")
			 if not x.startswith("total ")]
		self.assertEqual(len(lines), 1, lines)
		m = LS_LINE.match(lines[0])
		self.assertTrue(m, lines[0])
		self.assertTrue(m.group(4).endswith("one.txt"))

	def test_list_missing_is_450_or_550(self):
		self.assertFtpError((450, 550), self.f.lines, "LIST /nosuchdir")

	def test_list_cwd_without_argument(self):
		self.f.cwd("/lst")
		names = [LS_LINE.match(x).group(4) for x in self.f.lines("LIST")
			 if not x.startswith("total ")]
		self.assertIn("one.txt", names)

	def test_nlst_names(self):
		names = [os.path.basename(n) for n in self.f.nlst("/lst")]
		self.assertEqual(sorted(n for n in names if not n.startswith(".")),
				 ["one.txt", "sub", "two.bin"])
		self.f.cwd("/lst")
		self.assertIn("one.txt", self.f.nlst())

	def test_mlsd_facts(self):
		lines = self.f.lines("MLSD /lst")
		entries = {}
		for line in lines:
			facts, name = parse_facts(self, line)
			entries[name] = facts
		one = entries["one.txt"]
		self.assertEqual(one["type"].lower(), "file")
		self.assertEqual(one["size"], "11")
		self.assertEqual(one["modify"][:14], "20220506070809")
		self.assertTrue(set("rw") <= set(one["perm"].lower()), one)
		self.assertEqual(entries["two.bin"]["size"], "2222")
		self.assertEqual(entries["sub"]["type"].lower(), "dir")
		self.assertTrue(set("el") <= set(entries["sub"]["perm"].lower()))
		uniq = [e["unique"] for n, e in entries.items()
			if e["type"].lower() in ("file", "dir")]
		self.assertEqual(len(uniq), len(set(uniq)), "unique facts repeat")
		for n, e in entries.items():
			if e["type"].lower() in ("cdir", "pdir"):
				continue
			self.assertNotIn("/", n, "MLSD names are bare names")

	def test_list_options_are_not_file_names(self):
		for cmd in ("LIST -al /lst", "LIST -la /lst", "LIST -a /lst"):
			names = [LS_LINE.match(x).group(4) for x in self.f.lines(cmd)
				 if not x.startswith("total ")]
			self.assertIn(".hidden", names, cmd)
			self.assertIn("one.txt", names, cmd)
		names = [LS_LINE.match(x).group(4)
			 for x in self.f.lines("LIST -l /lst")
			 if not x.startswith("total ")]
		self.assertIn("one.txt", names)
		self.f.cwd("/lst")
		names = [LS_LINE.match(x).group(4) for x in self.f.lines("LIST -al")
			 if not x.startswith("total ")]
		self.assertIn(".hidden", names)

	def test_big_directory_is_listed_completely(self):
		d = srv.on_disk("many")
		os.makedirs(d, exist_ok=True)
		want = set("file-%05d.dat" % i for i in range(3000))
		for n in want:
			open(os.path.join(d, n), "wb").close()
		got = set(os.path.basename(n) for n in self.f.nlst("/many"))
		self.assertEqual(got, want)
		lines = [x for x in self.f.lines("LIST /many")
			 if not x.startswith("total ")]
		self.assertEqual(len(lines), 3000)
		mlsd = [x for x in self.f.lines("MLSD /many")
			if "type=file" in x.lower()]
		self.assertEqual(len(mlsd), 3000)

	def test_opts_mlst_selects_facts(self):
		c = srv.ctl()
		try:
			c.login("alice", PW)
			r = c.cmd("OPTS MLST type;size;")
			self.assertEqual(r.code, 200, "RFC 3659 7.9: %s" % r)
			self.assertRegex(r.lines[0], r"^200 MLST OPTS type;size;$")
			r = c.expect("MLST /lst/one.txt", 250)
			facts = r.lines[1][1:].split(" ", 1)[0].lower()
			self.assertEqual(facts, "type=file;size=11;", r)
			r = c.expect("OPTS MLST", 200)
			r = c.expect("MLST /lst/one.txt", 250)
			self.assertEqual(r.lines[1][1:].split(" ", 1)[0], "", r)
		finally:
			c.close()

	def test_mlsd_of_a_file_fails(self):
		self.assertFtpError((501, 550), self.f.lines, "MLSD /lst/one.txt")

	def test_mlsd_missing_550(self):
		self.assertFtpError((550,), self.f.lines, "MLSD /nosuchdir")

	def test_mlst_250_multiline_facts(self):
		c = srv.ctl()
		try:
			c.login("alice", PW)
			r = c.expect("MLST /lst/one.txt", 250)
			self.assertGreaterEqual(len(r.lines), 3, r)
			self.assertTrue(r.lines[0].startswith("250-"), r)
			self.assertTrue(r.lines[-1].startswith("250 "), r)
			body = r.lines[1:-1]
			self.assertEqual(len(body), 1, r)
			self.assertTrue(body[0].startswith(" ") and
					not body[0].startswith("  "),
					"RFC 3659: the facts line starts with one space")
			facts, name = parse_facts(self, body[0][1:])
			self.assertEqual(name, "/lst/one.txt")
			self.assertEqual(facts["type"].lower(), "file")
			self.assertEqual(facts["size"], "11")
			self.assertEqual(facts["modify"][:14], "20220506070809")
			# Same object, same unique fact as in MLSD.
			d = c.expect("MLST /lst/sub", 250)
			dfacts, _ = parse_facts(self, d.lines[1][1:])
			self.assertEqual(dfacts["type"].lower(), "dir")
			self.assertNotEqual(dfacts["unique"], facts["unique"])
			self.assertEqual(c.cmd("MLST /nosuch").code, 550)
			# No argument: the current directory.
			r = c.expect("MLST", 250)
			facts, _ = parse_facts(self, r.lines[1][1:])
			self.assertIn(facts["type"].lower(), ("dir", "cdir"))
		finally:
			c.close()

	def test_stat_path_is_a_listing(self):
		r = self.f.sendcmd("STAT /lst")
		self.assertCode(r, 211, 212, 213)
		self.assertIn("one.txt", r)
		self.assertIn("two.bin", r)

	def test_stat_missing_path_fails(self):
		self.assertFtpError((450, 550), self.f.sendcmd, "STAT /nosuchdir")


def parse_facts(tc, line):
	m = re.match(r"^((?:[A-Za-z0-9.\-]+=[^; ]*;)+) (.+)$", line)
	tc.assertTrue(m, "malformed MLSx facts line: %r" % line)
	facts = {}
	for part in m.group(1).rstrip(";").split(";"):
		k, v = part.split("=", 1)
		facts[k.lower()] = v
	for need in ("type", "modify", "perm", "unique"):
		tc.assertIn(need, facts, "fact %s missing in %r" % (need, line))
	if facts["type"].lower() == "file":
		tc.assertIn("size", facts, line)
		tc.assertRegex(facts["size"], r"^\d+$")
	tc.assertRegex(facts["modify"], r"^\d{14}(\.\d+)?$")
	tc.assertTrue(facts["unique"], line)
	return facts, m.group(2)


class Info(Base):
	def test_feat_211_lists_the_features(self):
		c = srv.ctl()
		try:
			r = c.expect("FEAT", 211)
			self.assertTrue(r.lines[0].startswith("211-"), r)
			self.assertTrue(r.lines[-1].startswith("211 "), r)
			feats = {}
			for line in r.lines[1:-1]:
				self.assertTrue(line.startswith(" ") and
						not line.startswith("  "),
						"RFC 2389: a feature line starts with one "
						"space: %r" % line)
				word = line[1:].split(" ", 1)
				feats[word[0].upper()] = word[1] if len(word) > 1 else ""
			for need in ("EPRT", "EPSV", "MDTM", "MFMT", "MLST", "PASV",
				     "REST", "SIZE", "TVFS", "UTF8"):
				self.assertIn(need, feats, "FEAT lacks %s: %s" % (need, r))
			self.assertEqual(feats["REST"].upper(), "STREAM")
			mlst = [x.rstrip("*").lower() for x in
				feats["MLST"].rstrip(";").split(";")]
			for fact in ("type", "size", "modify", "perm", "unique"):
				self.assertIn(fact, mlst, feats["MLST"])
		finally:
			c.close()

	def test_opts_utf8_on_200(self):
		self.assertCode(self.f.sendcmd("OPTS UTF8 ON"), 200)

	def test_opts_unknown_501(self):
		self.assertFtpError((501, 502, 504), self.f.sendcmd,
				    "OPTS FROBNICATE ON")

	def test_help_214(self):
		self.assertCode(self.f.sendcmd("HELP"), 214)
		self.assertCode(self.f.sendcmd("HELP RETR"), 211, 214)

	def test_stat_211_multiline(self):
		c = srv.ctl()
		try:
			c.login("alice", PW)
			r = c.expect("STAT", 211)
			self.assertTrue(r.lines[0].startswith("211-"), r)
			self.assertTrue(r.lines[-1].startswith("211 "), r)
		finally:
			c.close()

	def test_syst_215(self):
		self.assertRegex(self.f.sendcmd("SYST"), r"^215 \S")

	def test_noop_200(self):
		self.assertCode(self.f.sendcmd("NOOP"), 200)

	def test_unknown_command_500(self):
		self.assertFtpError((500,), self.f.sendcmd, "FROBNICATE now")
		self.assertFtpError((500,), self.f.sendcmd, "XYZZY")
		self.assertCode(self.f.sendcmd("NOOP"), 200)

	def test_known_but_unimplemented_502(self):
		# SMNT and REIN are RFC 959 commands this server does not offer.
		for cmd in ("SMNT /", "REIN"):
			c, r = self.f.code(cmd)
			self.assertIn(c, (502, 500), "%s: %r" % (cmd, r))
		self.assertEqual(self.f.pwd(), "/")

	def test_abor_without_transfer_225_or_226(self):
		self.assertCode(self.f.sendcmd("ABOR"), 225, 226)
		self.assertCode(self.f.sendcmd("NOOP"), 200)

	def test_lowercase_commands(self):
		os.makedirs(srv.on_disk("lc"), exist_ok=True)
		self.assertCode(self.f.sendcmd("cwd lc"), 250)
		self.assertRegex(self.f.sendcmd("pwd"), r'^257 "/lc"')
		self.assertCode(self.f.sendcmd("NoOp"), 200)
		self.assertCode(self.f.sendcmd("type i"), 200)


class Uploads(Base):
	def test_stor_150_226_creates_file(self):
		data = os.urandom(100000)
		r = self.f.put("up1.bin", data)
		self.assertCode(r, 226, 250)
		self.assertEqual(srv.read_disk("up1.bin"), data)
		self.assertEqual(self.f.size("up1.bin"), len(data))

	def test_stor_replaces_existing_file(self):
		harness.write_file(srv.on_disk("up2"), b"x" * 1000)
		self.f.put("up2", b"short")
		self.assertEqual(srv.read_disk("up2"), b"short")

	def test_stor_into_missing_directory_fails(self):
		self.assertFtpError((550, 553), self.f.put, "nosuchdir/f", b"x")
		self.assertFalse(os.path.exists(srv.on_disk("nosuchdir")))

	def test_stor_over_a_directory_fails(self):
		os.makedirs(srv.on_disk("updir"), exist_ok=True)
		self.assertFtpError((550, 553), self.f.put, "updir", b"x")
		self.assertTrue(os.path.isdir(srv.on_disk("updir")))

	def test_appe_appends_and_creates(self):
		harness.write_file(srv.on_disk("ap"), b"head-")
		self.f.put("ap", b"tail", cmd="APPE")
		self.assertEqual(srv.read_disk("ap"), b"head-tail")
		self.f.put("apnew", b"fresh", cmd="APPE")
		self.assertEqual(srv.read_disk("apnew"), b"fresh")

	def test_stou_makes_unique_names(self):
		harness.make_dir(srv.on_disk("stou"))
		self.f.cwd("/stou")
		names = []
		for data in (b"first", b"second"):
			self.f.voidcmd("TYPE I")
			conn = self.f.transfercmd("STOU")
			r = self.f.replies[-1]
			self.assertCode(r, 150, 125)
			# RFC 1123 4.1.2.9: "150 FILE: name" names the file.
			m = re.match(r"^1[25]0 FILE: (.+)$", r)
			self.assertTrue(m, "STOU preliminary reply must name the "
					"file as 'FILE: name' (RFC 1123): %r" % r)
			conn.sendall(data)
			conn.close()
			self.assertCode(self.f.voidresp(), 226, 250)
			names.append(os.path.basename(m.group(1)))
		self.assertNotEqual(names[0], names[1])
		self.assertEqual(srv.read_disk("stou", names[0]), b"first")
		self.assertEqual(srv.read_disk("stou", names[1]), b"second")

	def test_retr_150_226(self):
		data = os.urandom(300000)
		harness.write_file(srv.on_disk("dl1"), data)
		self.assertEqual(self.f.get("dl1"), data)
		self.assertEqual(self.f.get("/dl1"), data)

	def test_retr_missing_or_directory_550(self):
		os.makedirs(srv.on_disk("dldir"), exist_ok=True)
		self.assertFtpError((550, 450), self.f.get, "nosuch")
		self.assertFtpError((550, 450), self.f.get, "dldir")
		self.assertCode(self.f.sendcmd("NOOP"), 200)

	def test_stor_empty_file(self):
		harness.write_file(srv.on_disk("upempty"), b"old")
		self.f.put("upempty", b"")
		self.assertEqual(os.path.getsize(srv.on_disk("upempty")), 0)

	def test_retr_empty_file(self):
		harness.write_file(srv.on_disk("empty"), b"")
		self.assertEqual(self.f.get("empty"), b"")


if __name__ == "__main__":
	harness.main()
