"""
The control connection byte by byte (RFC 959 4.1, 4.2; RFC 854 for IAC):
CRLF or bare LF line ends, case-insensitive verbs, Telnet IAC sequences
removed, an over-long line answered by exactly one 500, pipelined
commands answered in order, well formed multi-line replies, forbidden
bytes in names refused, and the limit on failed logins per session.
"""

import os
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


class Framing(TestCase):
	def setUp(self):
		self.c = srv.ctl()

	def tearDown(self):
		self.c.close()

	def assertQuiet(self):
		extra = self.c.pending(0.5)
		self.assertEqual(extra, b"", "unexpected extra reply bytes")

	def test_long_line_gets_exactly_one_500(self):
		self.c.login("alice", PW)
		self.c.send("NOOP " + "x" * 5000 + "\r\n")
		r = self.c.reply()
		self.assertEqual(r.code, 500, r)
		self.assertEqual(self.c.cmd("NOOP").code, 200)
		self.assertQuiet()

	def test_very_long_line_in_pieces_gets_one_500(self):
		self.c.send(b"USER ")
		for _ in range(100):
			self.c.send(b"y" * 1000)
		self.c.send(b"\r\nNOOP\r\n")
		r = self.c.reply()
		self.assertEqual(r.code, 500, r)
		self.assertEqual(self.c.reply().code, 200)
		self.assertQuiet()
		self.c.login("alice", PW)

	def test_long_line_ending_in_bare_lf(self):
		self.c.send(b"X" * 9000 + b"\nNOOP\n")
		self.assertEqual(self.c.reply().code, 500)
		self.assertEqual(self.c.reply().code, 200)
		self.assertQuiet()

	def test_line_of_exactly_the_limit_is_not_too_long(self):
		# 4096 bytes before CRLF: within the limit, so a real command.
		line = "NOOP" + " " * 4092
		self.assertEqual(len(line), 4096)
		r = self.c.cmd(line)
		self.assertNotEqual(r.code, 500, "a 4096-byte line is not too long")

	def test_bare_lf_line_ends(self):
		self.c.send(b"USER alice\n")
		self.assertEqual(self.c.reply().code, 331)
		self.c.send(("PASS %s\n" % PW).encode())
		self.assertEqual(self.c.reply().code, 230)
		self.c.send(b"PWD\n")
		r = self.c.reply()
		self.assertEqual(r.code, 257)
		self.assertTrue(r.lines[0].startswith('257 "/"'), r)

	def test_lowercase_and_mixed_case_verbs(self):
		self.assertEqual(self.c.cmd("user alice").code, 331)
		self.assertEqual(self.c.cmd("pAsS " + PW).code, 230)
		self.assertEqual(self.c.cmd("noop").code, 200)
		self.assertEqual(self.c.cmd("Syst").code, 215)
		self.assertEqual(self.c.cmd("xpwd").code, 257)

	def test_telnet_iac_sequences_are_removed(self):
		# IAC IP, IAC DM before the verb; IAC WILL/DO with an option in
		# the middle; IAC NOP; a lone IAC IAC is a literal 0xff.
		self.c.send(b"\xff\xf4\xff\xf2NOOP\r\n")
		self.assertEqual(self.c.reply().code, 200)
		self.c.send(b"NO\xff\xfb\x01OP\r\n")
		self.assertEqual(self.c.reply().code, 200)
		self.c.send(b"\xff\xfd\x03N\xff\xf1OOP\r\n")
		self.assertEqual(self.c.reply().code, 200)
		self.c.send(b"US\xff\xfe\x22ER alice\r\n")
		self.assertEqual(self.c.reply().code, 331)
		self.assertQuiet()

	def test_iac_split_across_reads(self):
		self.c.send(b"NO\xff")
		time.sleep(0.2)
		self.c.send(b"\xfb")
		time.sleep(0.2)
		self.c.send(b"\x01OP\r")
		time.sleep(0.2)
		self.c.send(b"\n")
		self.assertEqual(self.c.reply().code, 200)

	def test_pipelined_commands_answered_in_order(self):
		self.c.send(("USER alice\r\nPASS %s\r\nNOOP\r\nSYST\r\nPWD\r\n"
			     "CWD /\r\nNOOP\r\n" % PW).encode())
		codes = [self.c.reply().code for _ in range(7)]
		self.assertEqual(codes, [331, 230, 200, 215, 257, 250, 200])
		self.assertQuiet()

	def test_command_split_byte_by_byte(self):
		for b in b"NOOP\r\n":
			self.c.send(bytes([b]))
			time.sleep(0.02)
		self.assertEqual(self.c.reply().code, 200)

	def test_empty_line_does_not_break_the_session(self):
		self.c.send(b"\r\n\nNOOP\r\n")
		got = []
		for _ in range(3):
			r = self.c.reply()
			got.append(r.code)
			if r.code == 200:
				break
		self.assertEqual(got[-1], 200, got)
		for c in got[:-1]:
			self.assertIn(c, (500, 501), got)

	def test_multiline_replies_are_well_formed(self):
		# Ctl.reply() enforces CRLF and "xyz-" ... "xyz " framing.
		self.c.login("alice", PW)
		for cmd, code in (("FEAT", 211), ("HELP", 214), ("STAT", 211)):
			r = self.c.cmd(cmd)
			self.assertEqual(r.code, code, r)
			if len(r.lines) > 1:
				self.assertTrue(r.lines[0].startswith("%d-" % code))
				self.assertTrue(r.lines[-1].startswith("%d " % code))
				for mid in r.lines[1:-1]:
					self.assertFalse(mid[:4] == "%d " % code, r)

	def test_names_with_nul_cr_or_lf_are_refused(self):
		self.c.login("alice", PW)
		cell = srv.cell("alice")
		before = sorted(os.listdir(cell))
		self.c.send(b"MKD bad\x00name\r\n")
		r = self.c.reply()
		self.assertIn(r.code, (500, 501, 550, 553), r)
		self.c.send(b"MKD bad\rname\r\n")
		r = self.c.reply()
		self.assertIn(r.code, (500, 501, 550, 553), r)
		self.assertEqual(sorted(os.listdir(cell)), before)
		self.assertEqual(self.c.cmd("NOOP").code, 200)


class LoginLimits(TestCase):
	def test_max_login_attempts_then_421_and_close(self):
		c = srv.ctl()
		try:
			for i in range(2):
				c.expect("USER alice", 331)
				r = c.cmd("PASS wrong%d" % i)
				self.assertEqual(r.code, 530, r)
			c.expect("USER alice", 331)
			c.send("PASS wrong-again\r\n")
			r = c.reply()
			codes = [r.code]
			if r.code == 530:
				try:
					codes.append(c.reply(timeout=5).code)
				except EOFError:
					pass
			self.assertEqual(codes[-1], 421,
					 "after max_login_attempts = 3 bad passwords: %s"
					 % codes)
			closed, extra = c.wait_closed(5)
			self.assertTrue(closed, "session not closed after 421")
			self.assertEqual(extra, [])
		finally:
			c.close()

	def test_odd_user_names_do_not_log_in(self):
		for user in ("../alice", "alice/..", "/alice", "alice/", "./alice",
			     "a" * 300, "alice\x00x", "*", "%s"):
			with self.subTest(user=user):
				c = srv.ctl()
				try:
					c.send(("USER %s\r\n" % user).encode("utf-8",
									  "surrogateescape"))
					r = c.reply()
					self.assertIn(r.code, (331, 501, 530), r)
					if r.code == 331:
						r = c.cmd("PASS " + PW)
						self.assertIn(r.code, (501, 530), r)
					self.assertEqual(c.cmd("NOOP").code, 200)
				finally:
					c.close()

	def test_pass_without_argument(self):
		c = srv.ctl()
		try:
			c.expect("USER alice", 331)
			r = c.cmd("PASS")
			self.assertIn(r.code, (501, 530), r)
			self.assertEqual(c.cmd("NOOP").code, 200)
		finally:
			c.close()

	def test_good_login_after_a_failure_works(self):
		c = srv.ctl()
		try:
			c.expect("USER alice", 331)
			self.assertEqual(c.cmd("PASS bad").code, 530)
			c.login("alice", PW)
			self.assertEqual(c.cmd("PWD").code, 257)
		finally:
			c.close()

	def test_user_after_login_does_not_break_the_session(self):
		# RFC 959 allows USER at any time (a new login); what must not
		# happen is keeping the old identity half-logged-in.
		c = srv.ctl()
		try:
			c.login("alice", PW)
			r = c.cmd("USER alice")
			self.assertIn(r.code, (331, 230, 503, 530), r)
			if r.code == 331:
				self.assertEqual(c.cmd("PASS " + PW).code, 230)
			self.assertEqual(c.cmd("NOOP").code, 200)
		finally:
			c.close()


if __name__ == "__main__":
	harness.main()
