"""
Signals: SIGTERM (and SIGINT) stop accepting, let a running transfer
finish, and exit 0 within a few seconds; SIGHUP reloads the config and the
users, and a broken new config is refused with a logged reason while the
old one keeps serving.  Each test runs its own server.
"""

import os
import signal
import socket
import time

import harness
from harness import Server, TestCase

PW = "alice-Pw.1"
USERS = [("alice", PW, False, None)]


class Signals(TestCase):
	def setUp(self):
		self.srv = Server(users=USERS)

	def tearDown(self):
		self.srv.cleanup()

	def assertStops(self, sig=signal.SIGTERM, within=10):
		rc, took = self.srv.stop(sig, timeout=within + 5)
		self.assertIsNotNone(rc, "still running %ds after %s"
				     % (within + 5, sig.name))
		self.assertEqual(rc, 0, "exit status after %s" % sig.name)
		self.assertLess(took, within)

	def assertNotListening(self):
		h, p = self.srv.addr()
		try:
			s = socket.create_connection((h, p), timeout=3)
		except OSError:
			return
		try:
			s.settimeout(3)
			d = s.recv(100)
		except OSError:
			d = b""
		s.close()
		self.assertFalse(d.startswith(b"220"), "still serving after exit")

	def test_sigterm_idle_exits_0(self):
		self.assertStops(signal.SIGTERM, within=5)
		self.assertNotListening()

	def test_sigint_exits_0(self):
		self.assertStops(signal.SIGINT, within=5)

	def test_sigterm_with_idle_sessions(self):
		c = self.srv.ctl()
		c.login("alice", PW)
		c2 = self.srv.ctl()
		try:
			self.assertStops(signal.SIGTERM, within=10)
			closed, lines = c.wait_closed(5)
			self.assertTrue(closed)
			for line in lines:
				self.assertTrue(line.startswith("421"), lines)
		finally:
			c.close()
			c2.close()

	def test_sigterm_lets_a_running_download_finish(self):
		size = 24 << 20
		data = os.urandom(size)
		harness.write_file(os.path.join(self.srv.cell("alice"), "big"), data)
		c = self.srv.ctl()
		try:
			c.login("alice", PW)
			c.expect("TYPE I", 200)
			d = c.data_connect(c.pasv())
			self.assertIn(c.cmd("RETR big").code, (125, 150))
			got = [d.recv(1 << 16)]
			n = len(got[0])
			self.srv.send_signal(signal.SIGTERM)
			t0 = time.monotonic()
			# Read slowly (about 12 MB/s) so the transfer outlives
			# the signal by a couple of seconds.
			d.settimeout(10)
			while n < size and time.monotonic() - t0 < 30:
				b = d.recv(1 << 17)
				if not b:
					break
				got.append(b)
				n += len(b)
				time.sleep(0.01)
			d.close()
			self.assertEqual(n, size, "download cut by SIGTERM")
			self.assertTrue(b"".join(got) == data, "bytes differ")
			r = c.reply(timeout=10)
			self.assertIn(r.code, (226, 250), r)
			# No new sessions meanwhile.
			h, p = self.srv.addr()
			if self.srv.alive():
				try:
					s = socket.create_connection((h, p), timeout=3)
					s.settimeout(3)
					try:
						first = s.recv(100)
					except OSError:
						first = b""
					s.close()
					self.assertFalse(first.startswith(b"220"),
							 "accepted a session after SIGTERM")
				except OSError:
					pass
		finally:
			c.close()
		rc = self.srv.proc.wait(20)
		self.assertEqual(rc, 0)

	def test_sighup_with_a_broken_config_keeps_serving(self):
		c = self.srv.ctl()
		c.login("alice", PW)
		try:
			good = self.srv.conf_lines()
			bad = list(good)
			bad.insert(2, "  frobnicate = 1;")
			mark = self.srv.out_len()
			self.srv.write_conf(bad)
			self.srv.send_signal(signal.SIGHUP)
			time.sleep(1.5)
			self.assertTrue(self.srv.alive(), "died on SIGHUP with a "
					"broken config:\n" + self.srv.log_text())
			self.assertEqual(c.cmd("NOOP").code, 200)
			f = self.srv.ftp()
			self.assertEqual(f.pwd(), "/")
			f.bye()
			# The reason is logged (stderr or the log folder).
			found = self.srv.wait_output(r"frobnicate|cellftpd\.conf", 5,
						     start=mark)
			if not found:
				for name in os.listdir(self.srv.logdir):
					with open(os.path.join(self.srv.logdir, name),
						  errors="replace") as fh:
						if "frobnicate" in fh.read():
							found = name
			self.assertTrue(found, "no logged reason for the refused "
					"reload:\n" + self.srv.log_text())
			self.srv.write_conf(good)
		finally:
			c.close()
		self.assertStops(signal.SIGTERM)

	def test_sighup_applies_a_new_config(self):
		self.srv.server_keys["idle_timeout"] = 2
		self.srv.write_conf()
		self.srv.send_signal(signal.SIGHUP)
		time.sleep(1.5)
		self.assertTrue(self.srv.alive())
		c = self.srv.ctl()
		try:
			c.login("alice", PW)
			closed, lines = c.wait_closed(10)
			self.assertTrue(closed, "idle_timeout = 2 not applied by "
					"SIGHUP")
			self.assertTrue(lines and lines[-1].startswith("421"), lines)
		finally:
			c.close()
		self.assertStops(signal.SIGTERM)

	def test_user_added_while_running_can_log_in(self):
		self.srv.add_user("carol", "carol-Pw.4")
		self.srv.send_signal(signal.SIGHUP)
		err = None
		for _ in range(20):
			try:
				f = self.srv.ftp("carol")
				self.assertEqual(f.pwd(), "/")
				f.bye()
				break
			except Exception as e:	# retried, bounded
				err = e
				time.sleep(0.5)
		else:
			self.fail("carol cannot log in after add + SIGHUP: %r" % err)
		self.assertTrue(os.path.isdir(self.srv.cell("carol")))

	def test_users_file_reread_without_sighup(self):
		self.srv.add_user("dave", "dave-Pw.5")
		err = None
		for _ in range(20):
			try:
				f = self.srv.ftp("dave")
				f.bye()
				break
			except Exception as e:	# retried, bounded
				err = e
				time.sleep(0.5)
		else:
			self.fail("users file not re-read when it changed: %r" % err)


if __name__ == "__main__":
	harness.main()
