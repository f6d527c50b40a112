"""
Limits from the config, each on a dedicated server: idle_timeout (421 and
close), data_timeout, max_sessions and max_sessions_per_ip (421 at
connect), and the delay after a failed login being a timer that never
stalls the other sessions of a worker.
"""

import os
import select
import socket
import time

import harness
from harness import Server, TestCase

PW = "alice-Pw.1"
USERS = [("alice", PW, False, None)]


class IdleTimeout(TestCase):
	@classmethod
	def setUpClass(cls):
		# Before login the limit is login_timeout (time to complete
		# USER/PASS), after it idle_timeout.
		cls.srv = Server(users=USERS, server={"idle_timeout": 2,
						      "login_timeout": 3})

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def assert_idle_close(self, c, t0, limit):
		closed, lines = c.wait_closed(limit + 10)
		took = time.monotonic() - t0
		self.assertTrue(closed, "idle session not closed: %s" % lines)
		self.assertTrue(lines and lines[-1].startswith("421"),
				"no 421 before closing an idle session: %s" % lines)
		self.assertEqual(len(lines), 1, lines)
		self.assertGreaterEqual(took, limit - 0.5, "closed too early")
		self.assertLess(took, limit + 6)

	def test_idle_logged_in_session_gets_421(self):
		c = self.srv.ctl()
		try:
			c.login("alice", PW)
			self.assert_idle_close(c, time.monotonic(), 2)
		finally:
			c.close()

	def test_idle_before_login_gets_421(self):
		t0 = time.monotonic()
		c = self.srv.ctl()
		try:
			self.assert_idle_close(c, t0, 3)
		finally:
			c.close()

	def test_idle_after_a_command_counts_from_that_command(self):
		# The timer restarts with every command: 1.5 s after the last
		# NOOP the session is still there, even 3 s after login.
		c = self.srv.ctl()
		try:
			c.login("alice", PW)
			time.sleep(1.5)
			self.assertEqual(c.cmd("NOOP").code, 200)
			time.sleep(1.5)
			r = c.cmd("NOOP")
			self.assertEqual(r.code, 200, "idle timer not restarted by "
					 "the previous command: %s" % r)
		finally:
			c.close()

	def test_activity_keeps_a_session(self):
		c = self.srv.ctl()
		try:
			c.login("alice", PW)
			for _ in range(5):
				time.sleep(1)
				self.assertEqual(c.cmd("NOOP").code, 200)
		finally:
			c.close()

	def test_a_slow_transfer_is_not_idle(self):
		# A download that lasts longer than idle_timeout but keeps
		# moving must complete.
		data = b"z" * (1 << 20)
		harness.write_file(self.srv.cell("alice") + "/slow", data)
		c = self.srv.ctl()
		try:
			c.login("alice", PW)
			c.expect("TYPE I", 200)
			d = c.data_connect(c.pasv())
			d.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
			self.assertIn(c.cmd("RETR slow").code, (125, 150))
			got = 0
			t0 = time.monotonic()
			d.settimeout(10)
			while time.monotonic() - t0 < 30:
				b = d.recv(32768)
				if not b:
					break
				got += len(b)
				if time.monotonic() - t0 < 4:
					time.sleep(0.05)
			d.close()
			self.assertEqual(got, len(data))
			self.assertGreater(time.monotonic() - t0, 3,
					   "transfer too fast to prove anything")
			self.assertIn(c.reply().code, (226, 250))
		finally:
			c.close()


class DataTimeout(TestCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = Server(users=USERS, server={"data_timeout": 2})
		harness.write_file(cls.srv.cell("alice") + "/f", b"data")

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def test_passive_never_connected_gives_425(self):
		c = self.srv.ctl()
		try:
			c.login("alice", PW)
			c.pasv()
			t0 = time.monotonic()
			r = c.cmd("RETR f", timeout=15)
			if r.code in (125, 150):
				r = c.reply(timeout=15)
			self.assertIn(r.code, (425, 426), r)
			self.assertLess(time.monotonic() - t0, 10)
			self.assertEqual(c.cmd("NOOP").code, 200)
		finally:
			c.close()

	def test_stalled_upload_is_ended(self):
		c = self.srv.ctl()
		try:
			c.login("alice", PW)
			d = c.data_connect(c.pasv())
			self.assertIn(c.cmd("STOR stalled").code, (125, 150))
			d.sendall(b"partial")
			t0 = time.monotonic()
			r = c.reply(timeout=20)
			self.assertIn(r.code, (421, 426, 451), r)
			self.assertLess(time.monotonic() - t0, 12)
			d.close()
		finally:
			c.close()


class SessionLimits(TestCase):
	# A server per test: no session of one test counts against another.
	def setUp(self):
		self.conns = []
		self.srv = Server(users=USERS, server={"max_sessions": 4,
						       "max_sessions_per_ip": 2})

	def tearDown(self):
		for c in self.conns:
			c.close()
		self.srv.cleanup()

	def open(self, source):
		c = self.srv.ctl(source=source, banner=False)
		self.conns.append(c)
		return c

	def assert_refused(self, c, what):
		r = c.reply(timeout=10)
		self.assertEqual(r.code, 421, "%s: %s" % (what, r))
		closed, extra = c.wait_closed(5)
		self.assertTrue(closed, "%s: not closed after 421" % what)

	def test_per_ip_limit(self):
		a = self.open("127.0.0.1")
		b = self.open("127.0.0.1")
		self.assertEqual(a.reply().code, 220)
		self.assertEqual(b.reply().code, 220)
		self.assert_refused(self.open("127.0.0.1"), "3rd from one address")
		# Another address is not affected.
		self.assertEqual(self.open("127.0.0.2").reply().code, 220)
		# A closed session frees its place (bounded retry).
		a.close()
		for _ in range(20):
			c = self.open("127.0.0.1")
			r = c.reply(timeout=10)
			if r.code == 220:
				break
			time.sleep(0.2)
		self.assertEqual(r.code, 220)

	def test_total_limit(self):
		srcs = ["127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.2"]
		for s in srcs:
			self.assertEqual(self.open(s).reply().code, 220)
		self.assert_refused(self.open("127.0.0.3"), "5th session")


class LoginDelayIsATimer(TestCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = Server(users=USERS, server={"login_delay": 1.5,
						      "max_login_attempts": 10})

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def test_failed_logins_do_not_stall_other_sessions(self):
		good = []
		bad = []
		try:
			for _ in range(4):
				c = self.srv.ctl()
				c.login("alice", PW)
				good.append(c)
			for _ in range(6):
				c = self.srv.ctl()
				c.expect("USER alice", 331)
				bad.append(c)
			t0 = time.monotonic()
			for c in bad:
				c.send("PASS wrong\r\n")
			time.sleep(0.1)
			worst = 0
			for _ in range(3):
				for c in good:
					t = time.monotonic()
					self.assertEqual(c.cmd("NOOP", timeout=10).code, 200)
					worst = max(worst, time.monotonic() - t)
			self.assertLess(worst, 0.5, "a NOOP waited %.2fs while other "
					"sessions were in their login delay" % worst)
			for c in bad:
				self.assertEqual(c.reply(timeout=15).code, 530)
			self.assertGreaterEqual(time.monotonic() - t0, 1.3)
		finally:
			for c in good + bad:
				c.close()


class DescriptorsFull(TestCase):
	"""Base: servers limited to NOFILE descriptors (and to no fewer
	sessions), and fill() to take every descriptor one has."""

	NOFILE = 48

	def server(self, **kw):
		return Server(nofile=self.NOFILE, server={
			"max_sessions": 1000, "max_sessions_per_ip": 1000,
			"max_unauth_per_ip": 1000}, **kw)

	def fill(self, srv, held):
		"""Connect NOFILE times (into held) until the server says its
		table is full."""
		for _ in range(self.NOFILE):
			held.append(socket.create_connection((srv.host, srv.port),
							     5))
		if srv.wait_output(r"accept:") is None:
			raise AssertionError("the table never filled:\n" +
					     srv.log_text())


class OutOfDescriptors(DescriptorsFull):
	"""
	With every descriptor in use, new connections wait in the kernel's
	queue: the worker pauses its listener instead of spinning on it, logs
	once per pause, and serves again as soon as a session ends.
	"""

	def test_accept_pauses_instead_of_spinning(self):
		srv = self.server()
		held = []
		try:
			# every connection is a descriptor
			self.fill(srv, held)
			cpu0 = proc_cpu(srv.proc.pid)
			time.sleep(2.0)
			spent = proc_cpu(srv.proc.pid) - cpu0
			# a spinning worker burns one CPU second per second
			self.assertLess(spent, 0.5, "%.2f s CPU in 2 s" % spent)
			warnings = [l for l in srv.log_text().splitlines()
				    if "accept:" in l]
			self.assertGreater(len(warnings), 0, srv.log_text())
			self.assertLess(len(warnings), 100, len(warnings))
			# waiting connections are served once sessions end
			# (greeted ones were accepted, the rest wait in the
			# kernel's queues, one per worker)
			greeted = [c for c in held if
				   select.select([c], [], [], 0)[0]]
			waiting = [c for c in held if c not in greeted]
			self.assertTrue(greeted and waiting, (len(greeted),
							       len(waiting)))
			for c in greeted[:8]:
				c.close()
				held.remove(c)
			ready = select.select(waiting, [], [], 10)[0]
			self.assertTrue(ready, "nobody served after sessions ended")
			ready[0].settimeout(10)
			self.assertTrue(ready[0].makefile("rb").readline()
					.startswith(b"220"))
		finally:
			for c in held:
				c.close()
			srv.cleanup()


class OutOfDescriptorsAtLogin(DescriptorsFull):
	def test_a_login_that_cannot_open_its_cell_gets_421_not_530(self):
		srv = self.server(users=USERS + [("bob", "bob-Pw.12", False,
						  None)])
		held = []
		try:
			c = srv.ctl()
			self.fill(srv, held)
			c.expect("USER bob", 331)
			r = c.cmd("PASS bob-Pw.12")
			self.assertEqual(r.code, 421, r)
			self.assertIn("out of resources", r.text)
		finally:
			for h in held:
				h.close()
			srv.cleanup()


def proc_cpu(pid):
	"""User + system CPU seconds of a process."""
	with open("/proc/%d/stat" % pid) as f:
		fields = f.read().rsplit(")", 1)[1].split()
	return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
	harness.main()
