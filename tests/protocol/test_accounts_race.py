"""
Accounts under pressure (issue 3): clients registering the same login at
the same moment (exactly one wins), the server and cellftpd-user writing
the users file at once (nothing lost), kicks racing the sessions they
close, and kill -9 during a burst of registrations followed by a restart:
the users file still parses, every account has its cell root/<login>
(mode 0700) and no cell exists without an account.  Every loop is bounded
in count and time; every client is on loopback.
"""

import os
import random
import shutil
import stat
import subprocess
import threading
import time

import harness
from harness import Server, TestCase
from test_accounts import (ADMIN, ADMIN_PW, ALICE, cu, file_bytes,
			   read_users, stop_clean)

RACERS = 12		# clients registering one login at once
BURST_THREADS = 4	# registering threads when the server is killed
BURST_PER_THREAD = 40
BURST_SECS = 8.0
BURST_ROUNDS = 4


def open_server(**auth):
	keys = {"registration": "open", "registration_limit": 0}
	keys.update(auth)
	return Server(users=[ADMIN, ALICE], auth=keys)


def connect_all(srv, n):
	"""n pre-login control connections, banners read."""
	return [srv.ctl() for _ in range(n)]


def at_once(fns, timeout=60):
	"""Run each fn in its own thread, released together; their results
	(an exception is returned, not raised)."""
	gate = threading.Barrier(len(fns))
	out = [None] * len(fns)

	def run(i, fn):
		try:
			gate.wait(timeout)
			out[i] = fn()
		except BaseException as e:	# reported by the caller
			out[i] = e

	threads = [threading.Thread(target=run, args=(i, fn), daemon=True)
		   for i, fn in enumerate(fns)]
	for t in threads:
		t.start()
	for t in threads:
		t.join(timeout)
		if t.is_alive():
			raise AssertionError("a racing thread is still running "
					     "after %ds" % timeout)
	return out


class RaceCase(TestCase):
	def setUp(self):
		self.srv = open_server()

	def tearDown(self):
		stop_clean(self.srv)

	def logged(self, login, password):
		c = self.srv.ctl()
		self.addCleanup(c.close)
		c.login(login, password)
		return c

	def can_login(self, login, password):
		c = self.srv.ctl()
		try:
			if c.cmd("USER " + login).code != 331:
				return False
			return c.cmd("PASS " + password).code == 230
		finally:
			c.close()

	def assertCell(self, login):
		st = os.lstat(self.srv.cell(login))
		self.assertTrue(stat.S_ISDIR(st.st_mode), "cell of %s" % login)
		self.assertEqual(stat.S_IMODE(st.st_mode), 0o700,
				 "mode of the cell of %s" % login)

	def line_count(self, login):
		n = 0
		with open(self.srv.users_file) as f:
			for line in f:
				if line.split(":", 1)[0] == login:
					n += 1
		return n


class SameLogin(RaceCase):
	def test_clients_registering_one_login_at_once_exactly_one_wins(self):
		for rnd in range(3):
			login = "racer%d" % rnd
			conns = connect_all(self.srv, RACERS)
			try:
				fns = [lambda c=c, i=i: c.cmd(
					"SITE REGISTER %s %s-Pw.%02d" % (login, login, i))
				       for i, c in enumerate(conns)]
				replies = at_once(fns)
			finally:
				for c in conns:
					c.close()
			for r in replies:
				if isinstance(r, BaseException):
					raise r
			won = [i for i, r in enumerate(replies) if r.code == 200]
			self.assertEqual(len(won), 1, "round %d: %d winners: %r"
					 % (rnd, len(won), replies))
			for i, r in enumerate(replies):
				if i != won[0]:
					self.assertEqual(r.code, 550, r)
					self.assertIn("exists", r.text, r)
			self.assertEqual(self.line_count(login), 1)
			self.assertCell(login)
			w = won[0]
			loser = (w + 1) % RACERS
			self.assertTrue(self.can_login(login, "%s-Pw.%02d" % (login, w)))
			self.assertFalse(self.can_login(login, "%s-Pw.%02d"
							% (login, loser)))
		read_users(self.srv.users_file)

	def test_distinct_logins_at_once_all_land(self):
		conns = connect_all(self.srv, RACERS)
		try:
			fns = [lambda c=c, i=i: c.cmd(
				"SITE REGISTER many%02d many%02d-Pw.1" % (i, i))
			       for i, c in enumerate(conns)]
			replies = at_once(fns)
		finally:
			for c in conns:
				c.close()
		for i, r in enumerate(replies):
			if isinstance(r, BaseException):
				raise r
			self.assertEqual(r.code, 200, "many%02d: %s" % (i, r))
		users = read_users(self.srv.users_file)
		for i in range(RACERS):
			self.assertIn("many%02d" % i, users, "a registration was "
				      "lost from the users file")
			self.assertCell("many%02d" % i)
		self.assertTrue(self.can_login("many07", "many07-Pw.1"))

	def test_register_racing_cellftpd_user_add(self):
		for rnd in range(3):
			login = "duel%d" % rnd
			c = self.srv.ctl()
			try:
				replies = at_once([
					lambda: c.cmd("SITE REGISTER %s site-Pw.123" % login),
					lambda: cu(self.srv, "add", login,
						   password="tool-Pw.123"),
				])
			finally:
				c.close()
			for r in replies:
				if isinstance(r, BaseException):
					raise r
			site_won = replies[0].code == 200
			tool_won = replies[1][0] == 0
			self.assertTrue(site_won != tool_won, "round %d: SITE %s, "
					"cellftpd-user %r" % (rnd, replies[0],
							      replies[1]))
			if not site_won:
				self.assertIn("exists", replies[0].text)
			self.assertEqual(self.line_count(login), 1)
			self.assertCell(login)
			pw = "site-Pw.123" if site_won else "tool-Pw.123"
			self.assertTrue(self.can_login(login, pw))

	def test_server_and_cellftpd_user_writing_at_once_lose_nothing(self):
		admins = [self.logged("admin", ADMIN_PW) for _ in range(3)]
		errors = []

		def site_adds(t):
			for i in range(6):
				r = admins[t].cmd("SITE USERADD s%d-%d s%d-%d-Pw.1"
						  % (t, i, t, i))
				if r.code != 200:
					errors.append("s%d-%d: %s" % (t, i, r))

		def tool_adds():
			for i in range(4):
				rc, out, err = cu(self.srv, "add", "t-%d" % i,
						  password="t-%d-Pw.12" % i)
				if rc != 0:
					errors.append("t-%d: %s%s" % (i, out, err))
				rc, out, err = cu(self.srv, "quota", "alice",
						  "%dM" % (i + 1))
				if rc != 0:
					errors.append("quota: %s%s" % (out, err))

		res = at_once([lambda t=t: site_adds(t) for t in range(3)] +
			      [tool_adds])
		for r in res:
			if isinstance(r, BaseException):
				raise r
		self.assertEqual(errors, [])
		users = read_users(self.srv.users_file)
		want = ["s%d-%d" % (t, i) for t in range(3) for i in range(6)] + \
		       ["t-%d" % i for i in range(4)]
		for login in want:
			self.assertIn(login, users, "lost from the users file")
			self.assertCell(login)
		self.assertEqual(users["alice"][1], "4M")
		r = admins[0].cmd("SITE USERS")
		for login in want:
			self.assertIn(" %s " % login, r.text)


class KickRaces(RaceCase):
	def test_kick_or_disable_while_the_victim_waits_on_the_pool(self):
		"""The victim's SITE PASSWD (a password check on the blocking
		pool) is in flight when the admin closes its session."""
		admin = self.logged("admin", ADMIN_PW)
		for i in range(16):
			v = self.srv.ctl()
			try:
				v.login("alice", ALICE[1])
				v.send("SITE PASSWD not-the-old-one alice-New.%02d\r\n" % i)
				if i % 2 == 0:
					r = admin.cmd("SITE KICK alice")
				else:
					r = admin.cmd("SITE DISABLE alice")
				self.assertEqual(r.code, 200, r)
				closed, lines = v.wait_closed(3.0)
				self.assertTrue(closed, "round %d: still open: %r"
						% (i, lines))
				self.assertTrue(any(ln.startswith("421") for ln in lines),
						lines)
				if i % 2 == 1:
					self.assertEqual(admin.cmd("SITE ENABLE alice").code,
							 200)
			finally:
				v.close()
		self.assertTrue(self.srv.alive())
		self.assertTrue(self.can_login("alice", ALICE[1]))
		self.assertEqual(admin.cmd("SITE WHO").code, 200)

	def test_who_and_kick_while_sessions_come_and_go(self):
		stop = time.monotonic() + 2.5
		errors = []

		def churn():
			n = 0
			while time.monotonic() < stop and n < 200:
				n += 1
				try:
					c = self.srv.ctl()
					try:
						c.cmd("USER alice")
						c.cmd("PASS " + ALICE[1])
						c.cmd("NOOP")
					finally:
						c.close()
				except (OSError, EOFError, AssertionError):
					pass	# kicked or closed midway: expected

		def admin_loop():
			a = self.srv.ctl()
			try:
				a.login("admin", ADMIN_PW)
				n = 0
				while time.monotonic() < stop and n < 400:
					n += 1
					for arg in ("WHO", "KICK alice"):
						r = a.cmd("SITE " + arg)
						if r.code not in (200, 550):
							errors.append("%s: %s" % (arg, r))
			finally:
				a.close()

		res = at_once([churn, churn, churn, admin_loop])
		for r in res:
			if isinstance(r, BaseException):
				raise r
		self.assertEqual(errors, [])
		self.assertTrue(self.srv.alive(), "the server died:\n"
				+ self.srv.log_text())
		self.assertTrue(self.can_login("alice", ALICE[1]))


class AccountAndCellTogether(RaceCase):
	def test_no_account_when_the_cell_place_is_taken_by_a_file(self):
		harness.write_file(self.srv.cell("filecell"), b"not a folder")
		before = file_bytes(self.srv.users_file)
		c = self.srv.ctl()
		try:
			r = c.cmd("SITE REGISTER filecell filecell-Pw.1")
		finally:
			c.close()
		self.assertEqual(r.code, 550, r)
		self.assertEqual(file_bytes(self.srv.users_file), before)
		self.assertFalse(self.can_login("filecell", "filecell-Pw.1"))

	def test_no_account_when_the_cell_cannot_be_made(self):
		"""The account is written, mkdir fails (an immutable root): the
		account must be taken out again."""
		if shutil.which("chattr") is None:
			self.skipTest("no chattr")
		r = subprocess.run(["chattr", "+i", self.srv.root],
				   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
		if r.returncode != 0:
			self.skipTest("chattr +i refused: %s" % r.stdout)
		try:
			c = self.srv.ctl()
			try:
				r = c.cmd("SITE REGISTER nocell nocell-Pw.12")
			finally:
				c.close()
		finally:
			subprocess.run(["chattr", "-i", self.srv.root])
		self.assertEqual(r.code, 550, r)
		self.assertIn("cell", r.text)
		self.assertNotIn("nocell", read_users(self.srv.users_file))
		self.assertFalse(os.path.lexists(self.srv.cell("nocell")))
		self.assertFalse(self.can_login("nocell", "nocell-Pw.12"))
		c = self.srv.ctl()
		try:
			self.assertEqual(c.cmd("SITE REGISTER nocell nocell-Pw.12").code,
					 200)
		finally:
			c.close()
		self.assertCell("nocell")

	def test_account_without_cell_gets_it_at_start(self):
		c = self.srv.ctl()
		try:
			c.expect("SITE REGISTER lost lost-Pw.123", 200)
		finally:
			c.close()
		rc, _ = self.srv.stop()
		self.assertEqual(rc, 0)
		os.rmdir(self.srv.cell("lost"))	# as if killed before mkdir
		self.srv.start()
		self.assertCell("lost")
		f = self.srv.ftp("lost", "lost-Pw.123")
		try:
			self.assertEqual(f.pwd(), "/")
			self.assertEqual(f.lines("LIST"), [])
		finally:
			f.bye()

	def test_account_without_cell_gets_it_at_login(self):
		c = self.srv.ctl()
		try:
			c.expect("SITE REGISTER lost2 lost2-Pw.123", 200)
		finally:
			c.close()
		os.rmdir(self.srv.cell("lost2"))
		self.assertTrue(self.can_login("lost2", "lost2-Pw.123"))
		self.assertCell("lost2")


class KilledDuringBurst(RaceCase):
	"""kill -9 while several clients register, then a restart."""

	ON_PURPOSE = ("handmade",)	# cells this test made without an account

	def setUp(self):
		super().setUp()
		for name in self.ON_PURPOSE:
			os.mkdir(self.srv.cell(name), 0o755)

	def burst(self, rnd, ok, lock):
		"""Threads registering until the server dies (or the bounds)."""
		stop = time.monotonic() + BURST_SECS

		def one(t):
			try:
				c = self.srv.ctl()
			except OSError:
				return
			try:
				for i in range(BURST_PER_THREAD):
					if time.monotonic() > stop:
						return
					login = "b%d-%d-%02d" % (rnd, t, i)
					r = c.cmd("SITE REGISTER %s %s-Pw" % (login, login))
					if r.code == 200:
						with lock:
							ok.add(login)
			except (OSError, EOFError, harness.ProtocolError):
				return		# the server was killed
			finally:
				c.close()

		threads = [threading.Thread(target=one, args=(t,), daemon=True)
			   for t in range(BURST_THREADS)]
		for t in threads:
			t.start()
		return threads

	def check_after_crash(self, ok):
		"""Right after the kill: the file parses, every acknowledged
		registration is in it with its cell, no cell lacks an account."""
		users = read_users(self.srv.users_file)
		for login in ok:
			self.assertIn(login, users, "acknowledged with 200, then lost")
			self.assertCell(login)
		self.assertOrphanFree(users)
		return users

	def assertOrphanFree(self, users):
		for name in os.listdir(self.srv.root):
			if name in self.ON_PURPOSE:
				continue
			self.assertIn(name, users, "cell %s has no account" % name)

	def test_kill_9_during_registrations_then_restart(self):
		ok, lock = set(), threading.Lock()
		missing_after_crash = 0
		for rnd in range(BURST_ROUNDS):
			threads = self.burst(rnd, ok, lock)
			# kill at a random moment once registrations are flowing
			deadline = time.monotonic() + 5.0
			want = len(ok) + 3
			while time.monotonic() < deadline and len(ok) < want:
				time.sleep(0.01)
			time.sleep(random.uniform(0.0, 0.15))
			self.srv.kill()
			for t in threads:
				t.join(20)
				self.assertFalse(t.is_alive(), "a client hangs after "
						 "kill -9")
			with lock:
				acked = set(ok)
			users = self.check_after_crash(acked)
			missing_after_crash += sum(
				1 for u in users
				if not os.path.isdir(self.srv.cell(u)))
			self.srv.start()
			users = read_users(self.srv.users_file)
			for login in users:
				self.assertCell(login)
			self.assertOrphanFree(users)
		rc, out = self.srv.check_config()
		self.assertEqual(rc, 0, "cellftpd -t after the crashes: %s" % out)
		self.assertGreater(len(ok), 0, "no registration went through")
		sample = random.sample(sorted(ok), min(5, len(ok)))
		for login in sample:
			f = self.srv.ftp(login, login + "-Pw")
			try:
				self.assertEqual(f.pwd(), "/")
			finally:
				f.bye()
		c = self.srv.ctl()
		try:
			c.expect("SITE REGISTER after after-crash-Pw", 200)
		finally:
			c.close()
		self.assertCell("after")
		self.assertFalse(os.path.exists(self.srv.users_file + ".tmp"),
				 "a temporary users file is left after a save")
		print("  %d registrations acknowledged, %d accounts found "
		      "without a cell right after a kill" % (len(ok),
							   missing_after_crash))


if __name__ == "__main__":
	harness.main()
