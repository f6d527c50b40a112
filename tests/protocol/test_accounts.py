"""
Accounts from any FTP client (issue 3): SITE HELP, REGISTER, PASSWD,
QUOTA, USERS, USERADD, USERDEL, DISABLE, ENABLE, WHO and KICK, tried before
login, as a user and as an admin, under each registration policy ("off",
"admin", "open"); their effects on live sessions (421 within a second);
the registration limit per client address; the last admin; the admin log;
and cellftpd-user editing the users file of a running server.

The race and crash tests (concurrent registrations, kill -9 during a burst)
are in test_accounts_race.py.
"""

import ftplib
import os
import re
import stat
import time

import harness
from harness import Server, TestCase

ADMIN_PW = "admin-Pw.3"
ALICE_PW = "alice-Pw.1"
ADMIN = ("admin", ADMIN_PW, True, None)
ALICE = ("alice", ALICE_PW, False, None)

# Every SITE subcommand and who may use it.
ADMIN_ONLY = ["USERS", "USERADD", "USERDEL", "DISABLE", "ENABLE", "WHO",
	      "KICK"]
USER_HELP = {"HELP", "PASSWD", "QUOTA"}
ADMIN_HELP = USER_HELP | set(ADMIN_ONLY)

# Commands an admin may use, with arguments that would change something if
# anyone but an admin were obeyed.
ADMIN_PROBES = [
	"USERS",
	"USERADD intruder intruder-Pw.1",
	"USERDEL bob",
	"USERDEL bob --remove-cell",
	"DISABLE bob",
	"ENABLE bob",
	"QUOTA bob 1K",
	"QUOTA bob",
	"WHO",
	"KICK bob",
	"KICK 1",
]

KICK_WITHIN = 1.0	# seconds from the admin's reply to the victim's EOF


# ------------------------------------------------------------------ helpers


def read_users(path):
	"""{login: (hash, quota, flags)} from a users file; a malformed line or
	a duplicate login fails the test that reads it."""
	out = {}
	with open(path, "r", encoding="utf-8") as f:
		for n, line in enumerate(f, 1):
			line = line.rstrip("\n")
			if not line.strip() or line.lstrip().startswith("#"):
				continue
			fields = line.split(":")
			if len(fields) != 4:
				raise AssertionError("%s:%d: not login:hash:quota:flags: "
						     "%r" % (path, n, line))
			if fields[0] in out:
				raise AssertionError("%s:%d: duplicate login %r"
						     % (path, n, fields[0]))
			out[fields[0]] = tuple(fields[1:])
	return out


def file_bytes(path):
	with open(path, "rb") as f:
		return f.read()


def help_words(reply):
	"""The subcommand names a SITE HELP reply lists."""
	return {ln.split()[0].upper() for ln in reply.lines[1:-1] if ln.strip()}


def who_rows(reply):
	"""[(id, login, client, rest)] from a SITE WHO reply."""
	rows = []
	for ln in reply.lines[1:-1]:
		f = ln.split()
		if len(f) >= 5 and f[0].isdigit():
			rows.append((int(f[0]), f[1], f[2], " ".join(f[3:])))
	return rows


def users_rows(reply):
	"""{login: [quota, used, flags, last-login]} from a SITE USERS reply."""
	rows = {}
	for ln in reply.lines[1:-1]:
		f = ln.split()
		if len(f) == 5 and f[0] != "LOGIN":
			rows[f[0]] = f[1:]
	return rows


def quota_limit(reply):
	m = re.search(r"limit (\S+?)\.?$", reply.lines[0])
	if not m:
		raise AssertionError("SITE QUOTA reply without a limit: %s" % reply)
	return m.group(1)


def cu(srv, *args, password=None):
	"""Run cellftpd-user against srv's config: (status, stdout, stderr)."""
	argv = [srv.user_bin, "-c", srv.conf] + list(args)
	inp = (password + "\n").encode() if password is not None else b""
	# a local tool may name real paths: no leak check on its output
	return harness.run(argv, timeout=60, input=inp, check_leak=False)


def stop_clean(srv):
	"""SIGTERM: the server must exit 0 after the account work (under
	ASan this is where LeakSanitizer speaks)."""
	try:
		rc, _ = srv.stop()
		if rc != 0:
			raise AssertionError("cellftpd exited with %s after SIGTERM:\n%s"
					     % (rc, srv.log_text()[-4000:]))
	finally:
		srv.cleanup()


class AccountsCase(TestCase):
	"""Shared assertions; subclasses set cls.srv."""

	srv = None

	def anon(self):
		c = self.srv.ctl()
		self.addCleanup(c.close)
		return c

	def logged(self, login, password=None):
		c = self.anon()
		c.login(login, password if password is not None
			else self.srv.passwords[login])
		return c

	def admin(self):
		return self.logged("admin")

	def site(self, c, arg, *codes):
		r = c.cmd("SITE " + arg)
		if codes and r.code not in codes:
			self.fail("SITE %s: got %s, expected %s"
				  % (arg, r, "/".join(map(str, codes))))
		return r

	def can_login(self, login, password):
		c = self.anon()
		r = c.cmd("USER " + login)
		if r.code == 230:
			return True
		if r.code != 331:
			return False
		r = c.cmd("PASS " + password)
		c.cmd("QUIT")
		return r.code == 230

	def assertLoginOk(self, login, password):
		self.assertTrue(self.can_login(login, password),
				"%s cannot log in with its password" % login)

	def assertLoginRefused(self, login, password):
		c = self.anon()
		c.expect("USER " + login, 331)
		r = c.cmd("PASS " + password)
		self.assertEqual(r.code, 530, "%s logged in: %s" % (login, r))

	def assertAccount(self, login, quota=None, flags=None):
		"""login is in the users file and its cell root/<login> is a
		folder of mode 0700."""
		users = read_users(self.srv.users_file)
		self.assertIn(login, users, "no line for %s in the users file"
			      % login)
		if quota is not None:
			self.assertEqual(users[login][1], quota)
		if flags is not None:
			self.assertEqual(users[login][2], flags)
		st = os.lstat(self.srv.cell(login))
		self.assertTrue(stat.S_ISDIR(st.st_mode),
				"cell of %s is not a folder" % login)
		self.assertEqual(stat.S_IMODE(st.st_mode), 0o700,
				 "cell of %s has mode %o" % (login,
							     stat.S_IMODE(st.st_mode)))

	def assertNoAccount(self, login, cell_too=True):
		self.assertNotIn(login, read_users(self.srv.users_file))
		if cell_too:
			self.assertFalse(os.path.lexists(self.srv.cell(login)),
					 "a cell %s exists without an account" % login)

	def assertClosed421(self, victim, what, within=KICK_WITHIN):
		"""victim's connection gets a 421 and is closed within `within`."""
		t0 = time.monotonic()
		closed, lines = victim.wait_closed(within)
		took = time.monotonic() - t0
		self.assertTrue(any(ln.startswith("421") for ln in lines),
				"%s: no 421 within %.1fs (read %r)"
				% (what, within, lines))
		self.assertTrue(closed, "%s: connection still open %.1fs later "
				"(read %r)" % (what, took, lines))

	def assertStillServed(self, c, what):
		r = c.cmd("NOOP")
		self.assertEqual(r.code, 200, "%s: %s" % (what, r))

	def log_texts(self):
		texts = {}
		for dirpath, _, files in os.walk(self.srv.logdir):
			for n in files:
				with open(os.path.join(dirpath, n), "rb") as fh:
					texts[n] = fh.read().decode("utf-8", "replace")
		return texts

	def wait_log(self, name, pattern, secs=10):
		"""The text of log file `name` once it matches pattern (bounded)."""
		rx = re.compile(pattern)
		deadline = time.monotonic() + secs
		text = ""
		while time.monotonic() < deadline:
			text = self.log_texts().get(name, "")
			if rx.search(text):
				return text
			time.sleep(0.1)
		self.fail("%s never matched %r:\n%s" % (name, pattern, text))


def policy_server(policy, **auth):
	keys = {"registration": policy, "registration_limit": 0}
	keys.update(auth)
	return Server(users=[ADMIN, ALICE, ("bob", "bob-Pw.2", False, None)],
		      auth=keys)


# --------------------------------------------------- the three policies


class PolicyTests:
	"""Run once per registration policy (the subclasses below)."""

	POLICY = None

	@classmethod
	def setUpClass(cls):
		cls.srv = policy_server(cls.POLICY)

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def test_help_before_login_offers_register_only_when_open(self):
		r = self.site(self.anon(), "HELP", 214)
		want = {"HELP", "REGISTER"} if self.POLICY == "open" else {"HELP"}
		self.assertEqual(help_words(r), want, r)

	def test_help_as_user_lists_passwd_and_quota_only(self):
		r = self.site(self.logged("alice"), "HELP", 214)
		self.assertEqual(help_words(r), USER_HELP, r)

	def test_help_as_admin_lists_every_admin_command_but_register(self):
		r = self.site(self.admin(), "HELP", 214)
		self.assertEqual(help_words(r), ADMIN_HELP, r)

	def test_account_commands_before_login_answer_530(self):
		before = file_bytes(self.srv.users_file)
		c = self.anon()
		for arg in ADMIN_PROBES + ["PASSWD alice-Pw.1 new-Password.1",
					   "PASSWD alice new-Password.1", "QUOTA"]:
			self.site(c, arg, 530)
		self.assertEqual(file_bytes(self.srv.users_file), before)
		self.assertLoginOk("bob", "bob-Pw.2")

	def test_bare_and_unknown_site_commands(self):
		c = self.anon()
		self.assertEqual(c.cmd("SITE").code, 501)
		self.assertEqual(c.cmd("SITE NOSUCHTHING").code, 500)
		c.login("alice", ALICE_PW)
		self.assertEqual(c.cmd("SITE").code, 501)
		self.assertEqual(c.cmd("SITE NOSUCHTHING").code, 500)

	def test_register_before_login_follows_the_policy(self):
		login = "reg-" + self.POLICY
		r = self.site(self.anon(), "REGISTER %s %s-Pw.12" % (login, login))
		if self.POLICY == "open":
			self.assertEqual(r.code, 200, r)
			self.assertAccount(login, quota="-", flags="-")
			self.assertLoginOk(login, login + "-Pw.12")
		else:
			self.assertEqual(r.code, 550, r)
			self.assertIn("registration closed", r.text)
			self.assertNoAccount(login)
			self.assertLoginRefused(login, login + "-Pw.12")

	def test_register_after_login_is_refused_to_users_and_admins(self):
		for who in ("alice", "admin"):
			login = "late-%s-%s" % (who, self.POLICY)
			r = self.site(self.logged(who), "REGISTER %s late-Pw.123"
				      % login)
			self.assertEqual(r.code, 550, "%s: %s" % (who, r))
			self.assertNoAccount(login)

	def test_user_gets_550_for_every_admin_command(self):
		before = file_bytes(self.srv.users_file)
		bob = self.logged("bob")
		c = self.logged("alice")
		for arg in ADMIN_PROBES:
			self.site(c, arg, 550)
		self.assertEqual(file_bytes(self.srv.users_file), before)
		self.assertStillServed(bob, "bob after alice's KICK bob")
		self.assertNoAccount("intruder")
		self.assertTrue(os.path.isdir(self.srv.cell("bob")))

	def test_admin_useradd_follows_the_policy(self):
		login = "added-" + self.POLICY
		r = self.site(self.admin(), "USERADD %s added-Pw.123" % login)
		if self.POLICY == "off":
			# etc/cellftpd.conf: "off" (nobody through FTP), "admin"
			# (admins with SITE USERADD); the issue: "admin" = only
			# admins create accounts.
			self.assertEqual(r.code, 550, "registration = \"off\" must "
					 "refuse SITE USERADD too: %s" % r)
			self.assertNoAccount(login)
		else:
			self.assertEqual(r.code, 200, r)
			self.assertAccount(login, quota="-", flags="-")
			self.assertLoginOk(login, "added-Pw.123")


class PolicyOff(PolicyTests, AccountsCase):
	POLICY = "off"


class PolicyAdmin(PolicyTests, AccountsCase):
	POLICY = "admin"


class PolicyOpen(PolicyTests, AccountsCase):
	POLICY = "open"


# ------------------------------------------------------ open registration


class OpenRegistration(AccountsCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = policy_server("open")
		os.mkdir(cls.srv.cell("reserved"))	# a folder, no account

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def register(self, login, password, *codes):
		return self.site(self.anon(), "REGISTER %s %s" % (login, password),
				 *codes)

	def test_new_user_logs_in_and_sees_an_empty_root(self):
		r = self.register("newbie", "newbie-Pw.1", 200)
		self.assertIn("newbie", r.text)
		self.assertAccount("newbie", quota="-", flags="-")
		self.assertEqual(os.listdir(self.srv.cell("newbie")), [])
		f = self.srv.ftp("newbie", "newbie-Pw.1")
		try:
			self.assertEqual(f.pwd(), "/")
			self.assertEqual(f.lines("LIST"), [])
			f.put("/hello.txt", b"hello")
		finally:
			f.bye()
		with open(os.path.join(self.srv.cell("newbie"), "hello.txt"),
			  "rb") as fh:
			self.assertEqual(fh.read(), b"hello")

	def test_registered_user_is_not_an_admin(self):
		self.register("plain", "plain-Pw.12", 200)
		c = self.logged("plain", "plain-Pw.12")
		self.assertEqual(help_words(self.site(c, "HELP", 214)), USER_HELP)
		self.site(c, "USERS", 550)
		self.site(c, "QUOTA", 200)

	def test_same_connection_registers_then_logs_in(self):
		c = self.anon()
		self.site(c, "REGISTER samecon samecon-Pw.1", 200)
		c.login("samecon", "samecon-Pw.1")
		self.assertEqual(c.expect("PWD", 257).lines[0].split('"')[1], "/")

	def test_existing_login_is_refused_with_exists(self):
		before = file_bytes(self.srv.users_file)
		for login in ("alice", "admin"):
			r = self.register(login, "taken-Pw.123", 550)
			self.assertIn("exists", r.text, r)
		self.assertEqual(file_bytes(self.srv.users_file), before)
		self.assertLoginOk("alice", ALICE_PW)
		self.assertLoginRefused("alice", "taken-Pw.123")

	def test_second_registration_of_a_login_is_refused(self):
		self.register("twice", "twice-Pw.123", 200)
		r = self.register("twice", "other-Pw.123", 550)
		self.assertIn("exists", r.text)
		self.assertLoginOk("twice", "twice-Pw.123")
		self.assertLoginRefused("twice", "other-Pw.123")

	def test_folder_in_root_is_a_reserved_name(self):
		r = self.register("reserved", "reserved-Pw.1", 550)
		self.assertIn("exists", r.text, r)
		self.assertNotIn("reserved", read_users(self.srv.users_file))

	def test_invalid_logins_are_refused_and_create_nothing(self):
		before = file_bytes(self.srv.users_file)
		root_before = sorted(os.listdir(self.srv.root))
		tmp_before = sorted(os.listdir(self.srv.tmp))
		bad = [".hidden", "-dash", "..", ".", "a" * 33, "b" * 70,
		       "sl/ash", "../escape", "co:lon", "st*ar", "per%cent",
		       "\u00e9t\u00e9", "semi;colon", "a,b"]
		for login in bad:
			r = self.register(login, "valid-Pw.123", 550)
			self.assertIn("invalid login", r.text, "%r: %s" % (login, r))
		self.assertEqual(file_bytes(self.srv.users_file), before)
		self.assertEqual(sorted(os.listdir(self.srv.root)), root_before)
		self.assertEqual(sorted(os.listdir(self.srv.tmp)), tmp_before)

	def test_login_limits_are_1_to_32_characters(self):
		for login in ("x", "y" * 32, "a.b_c-D9"):
			self.register(login, "limits-Pw.12", 200)
			self.assertAccount(login)
			self.assertLoginOk(login, "limits-Pw.12")

	def test_weak_password_is_refused(self):
		r = self.register("weakling", "Short.7", 550)
		self.assertIn("weak password", r.text, r)
		self.assertNoAccount("weakling")
		self.register("strongish", "Exactly8", 200)

	def test_missing_or_extra_arguments_answer_501(self):
		c = self.anon()
		before = file_bytes(self.srv.users_file)
		for arg in ("REGISTER", "REGISTER onlylogin",
			    "REGISTER a b-Pw.12345 extra"):
			self.site(c, arg, 501)
		self.assertEqual(file_bytes(self.srv.users_file), before)

	def test_registration_password_never_reaches_a_log(self):
		pw = "Never-Logged-Reg.7"
		self.register("logcheck", pw, 200)
		self.assertLoginOk("logcheck", pw)
		time.sleep(0.5)
		for name, text in self.log_texts().items():
			self.assertNotIn(pw, text, name)
		self.assertNotIn(pw, self.srv.log_text())


class RegistrationLimits(AccountsCase):
	"""registration_limit = 2 per address per hour, min_password = 12."""

	@classmethod
	def setUpClass(cls):
		cls.srv = Server(users=[("admin", "admin-Long-Pw.3", True, None),
					("alice", "alice-Long-Pw.1", False, None)],
				 auth={"registration": "open",
				       "registration_limit": 2,
				       "min_password": 12})

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def register(self, login, password, source=None):
		c = self.srv.ctl(source=source)
		try:
			return c.cmd("SITE REGISTER %s %s" % (login, password))
		finally:
			c.close()

	def test_third_registration_from_one_address_is_refused(self):
		pw = "Twelve-Chars"
		# refusals are not successful registrations: they do not count
		r = self.register("rl-weak", "Eleven-Char")
		self.assertEqual(r.code, 550, r)
		self.assertIn("weak password", r.text)
		self.assertEqual(self.register("alice", pw).code, 550)
		# two successes, each on its own connection
		self.assertEqual(self.register("rl-one", pw).code, 200)
		self.assertEqual(self.register("rl-two", pw).code, 200)
		r = self.register("rl-three", pw)
		self.assertEqual(r.code, 550, "third registration from "
				 "127.0.0.1 with registration_limit = 2: %s" % r)
		self.assertIn("too many registrations", r.text)
		self.assertNoAccount("rl-three")
		self.assertAccount("rl-one")
		self.assertAccount("rl-two")
		# another address has its own count
		r = self.register("rl-other", pw, source="127.0.0.2")
		self.assertEqual(r.code, 200, "from 127.0.0.2: %s" % r)
		self.assertAccount("rl-other")
		# admins are not registering: USERADD is not limited
		c = self.admin()
		self.site(c, "USERADD rl-admin %s" % pw, 200)
		self.assertAccount("rl-admin")
		# and the limit still holds for 127.0.0.1
		self.assertEqual(self.register("rl-four", pw).code, 550)

	def test_min_password_applies_to_useradd_and_passwd(self):
		c = self.admin()
		r = self.site(c, "USERADD mp-user Eleven-Char", 550)
		self.assertIn("weak password", r.text)
		self.assertNoAccount("mp-user")
		self.site(c, "USERADD mp-user Twelve-Chars", 200)
		r = self.site(c, "PASSWD mp-user Eleven-Char", 550)
		self.assertIn("weak password", r.text)
		self.assertLoginOk("mp-user", "Twelve-Chars")


class DefaultRegistrationLimit(AccountsCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = Server(users=[ADMIN], auth={"registration": "open"})

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def test_five_registrations_per_address_by_default(self):
		for i in range(5):
			self.site(self.anon(), "REGISTER dl%d dl%d-Pw.123" % (i, i), 200)
		r = self.site(self.anon(), "REGISTER dl5 dl5-Pw.123", 550)
		self.assertIn("too many registrations", r.text)
		self.assertNoAccount("dl5")


# ----------------------------------------------------------- as a user


class UserCommands(AccountsCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = Server(users=[ADMIN, ("alice", ALICE_PW, False, "5M"),
					("bob", "bob-Pw.2", False, None),
					("pwuser", "pwuser-Pw.1", False, None),
					("weakuser", "weakuser-Pw.1", False, None)],
				 auth={"registration": "admin",
				       "default_quota": "2G"})

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def test_own_quota(self):
		r = self.site(self.logged("alice"), "QUOTA", 200)
		self.assertIn("alice", r.text)
		self.assertEqual(quota_limit(r), "5M")
		r = self.site(self.logged("bob"), "QUOTA", 200)
		self.assertEqual(quota_limit(r), "2G", "default quota: %s" % r)

	def test_quota_of_another_user_is_refused(self):
		c = self.logged("alice")
		for arg in ("QUOTA bob", "QUOTA alice", "QUOTA alice none",
			    "QUOTA alice 1K", "QUOTA bob default"):
			self.site(c, arg, 550)
		self.assertEqual(read_users(self.srv.users_file)["alice"][1], "5M")

	def test_change_own_password(self):
		c = self.logged("pwuser", "pwuser-Pw.1")
		r = self.site(c, "PASSWD pwuser-Pw.1 pwuser-New.2", 200)
		self.assertStillServed(c, "own session after SITE PASSWD")
		self.assertLoginRefused("pwuser", "pwuser-Pw.1")
		self.assertLoginOk("pwuser", "pwuser-New.2")
		self.assertNotIn("pwuser-New.2", r.text)

	def test_wrong_old_password_or_weak_new_one_changes_nothing(self):
		before = read_users(self.srv.users_file)["weakuser"]
		c = self.logged("weakuser", "weakuser-Pw.1")
		r = self.site(c, "PASSWD not-the-old-one weakuser-New.2", 550)
		self.assertIn("old password", r.text)
		r = self.site(c, "PASSWD weakuser-Pw.1 short", 550)
		self.assertIn("weak password", r.text)
		self.site(c, "PASSWD weakuser-Pw.1", 501)
		self.assertEqual(read_users(self.srv.users_file)["weakuser"], before)
		self.assertLoginOk("weakuser", "weakuser-Pw.1")

	def test_user_cannot_set_another_users_password(self):
		# a user's two words are <old> <new>, never <login> <password>
		c = self.logged("alice")
		r = self.site(c, "PASSWD bob hijacked-Pw.1", 550)
		self.assertLoginOk("bob", "bob-Pw.2")
		self.assertLoginRefused("bob", "hijacked-Pw.1")
		self.assertLoginOk("alice", ALICE_PW)
		self.assertNotIn("hijacked", r.text)


# ---------------------------------------------------------- as an admin


class AdminCommands(AccountsCase):
	@classmethod
	def setUpClass(cls):
		users = [ADMIN, ALICE]
		for n in ("carol", "dave", "erin", "frank", "gina", "hank", "ivy",
			  "jack", "kate", "liam", "mona", "ned", "olga", "pete",
			  "quinn"):
			users.append((n, n + "-Pw.12", False, None))
		cls.srv = Server(users=users, auth={"registration": "admin",
						    "default_quota": "2G"})
		harness.write_file(os.path.join(cls.srv.cell("gina"), "keep.txt"),
				   b"gina's")
		harness.write_file(os.path.join(cls.srv.cell("hank"), "d", "f"),
				   b"hank's")

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def test_users_lists_login_quota_used_flags_last_login(self):
		self.logged("carol")
		c = self.admin()
		self.site(c, "QUOTA dave 7M", 200)
		self.site(c, "DISABLE erin", 200)
		r = self.site(c, "USERS", 200)
		rows = users_rows(r)
		for login in ("admin", "alice", "carol", "dave", "erin", "quinn"):
			self.assertIn(login, rows, r)
		self.assertEqual(rows["admin"][2], "admin")
		self.assertEqual(rows["carol"][2], "-")
		self.assertEqual(rows["erin"][2], "disabled")
		self.assertEqual(rows["dave"][0], "7M")
		self.assertEqual(rows["carol"][0], "2G", "default quota shown")
		self.assertRegex(rows["carol"][3], r"^\d{4}-\d\d-\d\dT")
		self.assertRegex(rows["admin"][3], r"^\d{4}-\d\d-\d\dT")
		self.assertEqual(rows["quinn"][3], "never")
		self.site(c, "USERS extra", 501)
		self.site(c, "ENABLE erin", 200)

	def test_useradd_creates_account_and_cell(self):
		c = self.admin()
		r = self.site(c, "USERADD newcomer newcomer-Pw.1", 200)
		self.assertNotIn("newcomer-Pw.1", r.text)
		self.assertAccount("newcomer", quota="-", flags="-")
		f = self.srv.ftp("newcomer", "newcomer-Pw.1")
		try:
			self.assertEqual(f.pwd(), "/")
			self.assertEqual(f.lines("LIST"), [])
		finally:
			f.bye()
		self.assertIn("newcomer", users_rows(self.site(c, "USERS", 200)))

	def test_useradd_with_quota(self):
		c = self.admin()
		self.site(c, "USERADD quoted quoted-Pw.12 3M", 200)
		self.assertAccount("quoted", quota="3M")
		self.assertEqual(quota_limit(self.site(c, "QUOTA quoted", 200)), "3M")
		u = self.logged("quoted", "quoted-Pw.12")
		self.assertEqual(quota_limit(self.site(u, "QUOTA", 200)), "3M")
		self.site(c, "USERADD unlimited unlimited-Pw.1 none", 200)
		self.assertAccount("unlimited", quota="none")
		self.site(c, "USERADD bq badquota-Pw.1 lots", 501)
		self.assertNoAccount("bq")

	def test_useradd_refusals_say_why(self):
		c = self.admin()
		before = file_bytes(self.srv.users_file)
		r = self.site(c, "USERADD alice whatever-Pw.1", 550)
		self.assertIn("exists", r.text)
		r = self.site(c, "USERADD .dot whatever-Pw.1", 550)
		self.assertIn("invalid login", r.text)
		r = self.site(c, "USERADD ../up whatever-Pw.1", 550)
		self.assertIn("invalid login", r.text)
		r = self.site(c, "USERADD shorty short", 550)
		self.assertIn("weak password", r.text)
		self.site(c, "USERADD onlylogin", 501)
		self.site(c, "USERADD a b c d", 501)
		self.assertEqual(file_bytes(self.srv.users_file), before)
		self.assertNoAccount("shorty")
		self.assertLoginOk("alice", ALICE_PW)

	def test_userdel_keeps_the_cell_and_closes_live_sessions(self):
		victim = self.logged("frank")
		c = self.admin()
		self.site(c, "USERDEL frank", 200)
		self.assertClosed421(victim, "frank's session after USERDEL frank")
		self.assertNotIn("frank", read_users(self.srv.users_file))
		self.assertTrue(os.path.isdir(self.srv.cell("frank")),
				"USERDEL without --remove-cell removed the cell")
		self.assertLoginRefused("frank", "frank-Pw.12")
		r = self.site(c, "USERDEL frank", 550)
		self.assertIn("frank", r.text)

	def test_userdel_remove_cell(self):
		victim = self.logged("gina")
		c = self.admin()
		r = self.site(c, "USERDEL gina --remove-cell", 200)
		self.assertIn("cell", r.text)
		self.assertClosed421(victim, "gina's session after USERDEL")
		self.assertNoAccount("gina")
		self.site(c, "USERDEL hank --bogus", 501)
		self.assertAccount("hank")

	def test_userdel_never_touches_anything_but_a_cell(self):
		c = self.admin()
		before = harness.tree_state(self.srv.root)
		users_before = file_bytes(self.srv.users_file)
		for login in (".", "..", "../root", "/", "hank/d", "nobody"):
			r = self.site(c, "USERDEL %s --remove-cell" % login, 550)
			self.assertTrue("no such user" in r.text.lower() or
					"No such user" in r.text, r)
		self.assertEqual(harness.tree_state(self.srv.root), before)
		self.assertEqual(file_bytes(self.srv.users_file), users_before)
		self.assertTrue(os.path.isdir(self.srv.logdir))

	def test_other_users_sessions_survive_a_userdel(self):
		bystander = self.logged("alice")
		c = self.admin()
		self.site(c, "USERDEL ivy", 200)
		self.assertFalse(bystander.wait_closed(0.3)[0])
		self.assertStillServed(bystander, "alice after USERDEL ivy")
		self.assertStillServed(c, "the admin after USERDEL ivy")

	def test_passwd_of_another_user(self):
		c = self.admin()
		r = self.site(c, "PASSWD jack jack-Changed.9", 200)
		self.assertNotIn("jack-Changed.9", r.text)
		self.assertLoginRefused("jack", "jack-Pw.12")
		self.assertLoginOk("jack", "jack-Changed.9")
		r = self.site(c, "PASSWD jack short", 550)
		self.assertIn("weak password", r.text)
		self.assertLoginOk("jack", "jack-Changed.9")
		self.site(c, "PASSWD nobody nobody-Pw.12", 550)
		self.assertNoAccount("nobody")
		self.site(c, "PASSWD jack", 501)

	def test_quota_set_shows_at_once(self):
		live = self.logged("kate")
		c = self.admin()
		self.assertEqual(quota_limit(self.site(live, "QUOTA", 200)), "2G")
		self.site(c, "QUOTA kate 10M", 200)
		self.assertEqual(quota_limit(self.site(c, "QUOTA kate", 200)), "10M")
		self.assertEqual(quota_limit(self.site(live, "QUOTA", 200)), "10M",
				 "kate's live session")
		self.assertEqual(read_users(self.srv.users_file)["kate"][1], "10M")
		self.site(c, "QUOTA kate none", 200)
		self.assertEqual(quota_limit(self.site(live, "QUOTA", 200)), "none")
		self.site(c, "QUOTA kate default", 200)
		self.assertEqual(quota_limit(self.site(live, "QUOTA", 200)), "2G")
		self.assertEqual(read_users(self.srv.users_file)["kate"][1], "-")
		self.site(c, "QUOTA kate 12Q", 501)
		self.site(c, "QUOTA nobody 1M", 550)
		self.site(c, "QUOTA nobody", 550)
		self.assertEqual(quota_limit(self.site(c, "QUOTA", 200)), "2G")
		self.assertStillServed(live, "kate after quota changes")

	def test_disable_closes_sessions_and_enable_restores_login(self):
		victims = [self.logged("liam"), self.logged("liam")]
		c = self.admin()
		self.site(c, "DISABLE liam", 200)
		for i, v in enumerate(victims):
			self.assertClosed421(v, "liam's session %d after DISABLE" % i)
		self.assertEqual(read_users(self.srv.users_file)["liam"][2],
				 "disabled")
		self.assertLoginRefused("liam", "liam-Pw.12")
		self.site(c, "ENABLE liam", 200)
		self.assertEqual(read_users(self.srv.users_file)["liam"][2], "-")
		self.assertLoginOk("liam", "liam-Pw.12")
		self.site(c, "DISABLE nobody", 550)
		self.site(c, "ENABLE nobody", 550)
		self.site(c, "DISABLE", 501)
		self.site(c, "ENABLE a b", 501)

	def test_who_lists_live_sessions(self):
		anon = self.anon()
		u = self.logged("mona")
		c = self.admin()
		r = self.site(c, "WHO", 200)
		rows = who_rows(r)
		mine = "%s:%d" % u.sock.getsockname()
		hers = [row for row in rows if row[2] == mine]
		self.assertEqual(len(hers), 1, r)
		self.assertEqual(hers[0][1], "mona")
		self.assertRegex(hers[0][3], r"\d{4}-\d\d-\d\dT\S+Z \d+s ")
		anon_addr = "%s:%d" % anon.sock.getsockname()
		self.assertEqual([row[1] for row in rows if row[2] == anon_addr],
				 ["-"], r)
		self.assertIn("admin", [row[1] for row in rows])
		ids = [row[0] for row in rows]
		self.assertEqual(len(ids), len(set(ids)), "session ids repeat")
		self.assertRegex(r.lines[-1], r"^200 %d sessions?$" % len(rows))
		self.site(c, "WHO extra", 501)

	def test_who_idle_time_counts_from_the_last_command(self):
		u = self.logged("mona")
		c = self.admin()
		mine = "%s:%d" % u.sock.getsockname()

		def idle():
			rows = who_rows(self.site(c, "WHO", 200))
			rest = [row[3] for row in rows if row[2] == mine][0]
			return int(rest.split()[1].rstrip("s"))

		time.sleep(2.2)
		before = idle()
		self.assertGreaterEqual(before, 2)
		self.assertEqual(u.cmd("NOOP").code, 200)
		self.assertLess(idle(), before)

	def session_id(self, admin, ctl):
		addr = "%s:%d" % ctl.sock.getsockname()
		r = self.site(admin, "WHO", 200)
		for sid, _, client, _ in who_rows(r):
			if client == addr:
				return sid
		self.fail("session %s not in WHO: %s" % (addr, r))

	def test_kick_by_id_closes_that_session_only(self):
		one, two = self.logged("ned"), self.logged("ned")
		c = self.admin()
		sid = self.session_id(c, one)
		r = self.site(c, "KICK %d" % sid, 200)
		self.assertIn("1 session", r.text)
		self.assertClosed421(one, "KICK %d" % sid)
		self.assertStillServed(two, "ned's other session")
		self.site(c, "KICK %d" % sid, 550)

	def test_kick_by_login_closes_all_its_sessions(self):
		sessions = [self.logged("olga") for _ in range(3)]
		bystander = self.logged("alice")
		c = self.admin()
		r = self.site(c, "KICK olga", 200)
		self.assertIn("3 sessions", r.text)
		for i, s in enumerate(sessions):
			self.assertClosed421(s, "KICK olga, session %d" % i)
		self.assertStillServed(bystander, "alice after KICK olga")
		self.assertLoginOk("olga", "olga-Pw.12")
		self.site(c, "KICK olga", 550)

	def test_kick_never_closes_the_asking_session(self):
		c = self.admin()
		other = self.admin()
		self.site(c, "KICK admin", 200)
		self.assertClosed421(other, "the admin's other session")
		self.assertStillServed(c, "the kicking admin")
		self.site(c, "KICK %d" % self.session_id(c, c), 550)
		self.assertStillServed(c, "the kicking admin")

	def test_kick_argument_errors(self):
		c = self.admin()
		self.site(c, "KICK", 501)
		self.site(c, "KICK 0", 501)
		self.site(c, "KICK 12abc", 501)
		self.site(c, "KICK 99999999", 550)
		self.site(c, "KICK nobody", 550)
		self.site(c, "KICK a b", 501)

	def test_kick_during_a_download(self):
		harness.write_file(os.path.join(self.srv.cell("pete"), "big"),
				   os.urandom(32 << 20))
		v = self.logged("pete")
		v.expect("TYPE I", 200)
		d = v.data_connect(v.pasv())
		self.addCleanup(d.close)
		self.assertIn(v.cmd("RETR big").code, (125, 150))
		d.recv(1 << 16)		# started; we stop reading now
		c = self.admin()
		r = self.site(c, "WHO", 200)
		mine = "%s:%d" % v.sock.getsockname()
		doing = [row[3] for row in who_rows(r) if row[2] == mine]
		self.assertEqual(len(doing), 1, r)
		self.assertIn("RETR", doing[0])
		self.site(c, "KICK %d" % self.session_id(c, v), 200)
		self.assertClosed421(v, "KICK during RETR")
		self.assertStillServed(c, "the admin after the kick")

	def test_last_admin_cannot_be_deleted_or_disabled(self):
		c = self.admin()
		r = self.site(c, "USERDEL admin", 550)
		self.assertIn("last admin", r.text)
		r = self.site(c, "USERDEL admin --remove-cell", 550)
		self.assertIn("last admin", r.text)
		r = self.site(c, "DISABLE admin", 550)
		self.assertIn("last admin", r.text)
		self.assertEqual(read_users(self.srv.users_file)["admin"][2], "admin")
		self.assertStillServed(c, "the last admin")
		self.assertLoginOk("admin", ADMIN_PW)

	def test_admin_can_change_its_own_password(self):
		# "PASSWD <login> <password>" is the admin form, for itself too
		srv_pw = self.srv.passwords["admin"]
		c = self.admin()
		self.site(c, "PASSWD admin admin-Other.4", 200)
		try:
			self.assertLoginRefused("admin", srv_pw)
			self.assertLoginOk("admin", "admin-Other.4")
		finally:
			self.site(c, "PASSWD admin %s" % srv_pw, 200)
		self.assertLoginOk("admin", srv_pw)

	def test_admin_actions_go_to_the_admin_log_without_passwords(self):
		c = self.admin()
		self.site(c, "USERADD logged Logged-Secret.1 1M", 200)
		self.site(c, "PASSWD logged Logged-Secret.2", 200)
		self.site(c, "QUOTA logged 2M", 200)
		self.site(c, "DISABLE logged", 200)
		self.site(c, "ENABLE logged", 200)
		self.site(c, "KICK logged", 550)
		self.site(c, "USERDEL logged --remove-cell", 200)
		self.site(c, "USERADD .bad Logged-Secret.3", 550)
		u = self.logged("alice")
		self.site(u, "PASSWD %s Logged-Secret.4" % ALICE_PW, 200)
		self.site(u, "PASSWD Logged-Secret.4 %s" % ALICE_PW, 200)
		text = self.wait_log("admin.log", r"action=USERDEL\b.*logged")
		lines = text.splitlines()
		for action in ("USERADD", "PASSWD", "QUOTA", "DISABLE", "ENABLE",
			       "KICK", "USERDEL"):
			hits = [ln for ln in lines if "action=%s" % action in ln
				and "logged" in ln]
			self.assertTrue(hits, "no %s line for `logged` in admin.log:\n%s"
					% (action, text))
			self.assertTrue(all("user=admin" in ln for ln in hits), hits)
		self.assertTrue(any("result=550" in ln and ".bad" in ln
				    for ln in lines), "refusals are logged too")
		time.sleep(0.3)
		for secret in ("Logged-Secret.1", "Logged-Secret.2",
			       "Logged-Secret.3", "Logged-Secret.4", ALICE_PW,
			       ADMIN_PW):
			for name, t in self.log_texts().items():
				self.assertNotIn(secret, t, "%s in %s" % (secret, name))
			self.assertNotIn(secret, self.srv.log_text())


class TwoAdmins(AccountsCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = Server(users=[ADMIN, ("root2", "root2-Pw.12", True, None),
					ALICE], auth={"registration": "admin"})

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def test_a_disabled_admin_does_not_count_and_another_may_delete_one(self):
		a = self.admin()
		b = self.logged("root2")
		self.site(a, "DISABLE root2", 200)
		self.assertClosed421(b, "root2's session after DISABLE root2")
		# admin is now the last admin who can log in
		r = self.site(a, "DISABLE admin", 550)
		self.assertIn("last admin", r.text)
		r = self.site(a, "USERDEL admin", 550)
		self.assertIn("last admin", r.text)
		self.site(a, "ENABLE root2", 200)
		b = self.logged("root2")
		self.site(b, "USERDEL admin", 200)
		self.assertClosed421(a, "admin's session after root2 deleted it")
		self.assertLoginRefused("admin", ADMIN_PW)
		r = self.site(b, "USERDEL root2", 550)
		self.assertIn("last admin", r.text)
		r = self.site(b, "DISABLE root2", 550)
		self.assertIn("last admin", r.text)
		self.assertLoginOk("root2", "root2-Pw.12")


def upload(f, name, data):
	"""STOR data: the final reply code (552 when the quota refuses; the
	server may close the data connection under the sender)."""
	f.voidcmd("TYPE I")
	try:
		conn = f.transfercmd("STOR " + name)
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


class QuotaOnLiveSessions(AccountsCase):
	"""With quota_disk loaded, SITE QUOTA applies to the next byte a live
	session writes, whichever form sets it."""

	@classmethod
	def setUpClass(cls):
		cls.srv = Server(users=[ADMIN, ("qlive", "qlive-Pw.12", False, None),
					("qtool", "qtool-Pw.12", False, None)],
				 auth={"registration": "admin",
				       "default_quota": "64K"},
				 extra_modules=[{"name": "quota_disk"}])

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def user_ftp(self, login):
		f = self.srv.ftp(login)
		self.addCleanup(f.bye)
		return f

	def test_each_quota_form_applies_to_the_next_upload(self):
		f = self.user_ftp("qlive")
		c = self.admin()
		self.assertEqual(upload(f, "a.bin", b"a" * (100 << 10)), 552,
				 "64K default quota")
		self.site(c, "QUOTA qlive 1M", 200)
		self.assertEqual(upload(f, "a.bin", b"a" * (200 << 10)), 226,
				 "after QUOTA qlive 1M")
		self.site(c, "QUOTA qlive 100K", 200)
		self.assertEqual(upload(f, "b.bin", b"b"), 552,
				 "after QUOTA qlive 100K, 200K used")
		f.delete("a.bin")
		self.site(c, "QUOTA qlive none", 200)
		self.assertEqual(upload(f, "c.bin", b"c" * (300 << 10)), 226,
				 "after QUOTA qlive none")
		f.delete("c.bin")
		self.site(c, "QUOTA qlive default", 200)
		self.assertEqual(quota_limit(self.site(self.logged("qlive"),
						       "QUOTA", 200)), "64K")
		self.assertEqual(upload(f, "d.bin", b"d" * (100 << 10)), 552,
				 "SITE QUOTA qlive default (64K) did not reach "
				 "the live session: a 100K upload went through")

	def test_cellftpd_user_quota_applies_to_the_next_login(self):
		rc, out, err = cu(self.srv, "quota", "qtool", "1M")
		self.assertEqual(rc, 0, out + err)
		f = self.user_ftp("qtool")
		self.assertEqual(upload(f, "a.bin", b"a" * (200 << 10)), 226)
		f.delete("a.bin")
		rc, out, err = cu(self.srv, "quota", "qtool", "100K")
		self.assertEqual(rc, 0, out + err)
		g = self.user_ftp("qtool")
		self.assertEqual(upload(g, "b.bin", b"b" * (200 << 10)), 552)


class BrokenUsersFile(AccountsCase):
	"""Someone broke the users file by hand: account commands are refused,
	and the refusal never shows a client where the file is."""

	@classmethod
	def setUpClass(cls):
		cls.srv = policy_server("open")

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def test_refusals_do_not_name_the_users_file(self):
		anon = self.anon()
		admin = self.admin()
		user = self.logged("alice")
		with open(self.srv.users_file, "a") as f:
			f.write("this line is broken\n")
		broken = file_bytes(self.srv.users_file)
		probes = [(anon, "REGISTER brk-reg brk-reg-Pw.1"),
			  (admin, "USERADD brk-add brk-add-Pw.1"),
			  (admin, "QUOTA bob 1M"),
			  (admin, "DISABLE bob"),
			  (admin, "PASSWD bob brk-new-Pw.1"),
			  (user, "PASSWD %s brk-new-Pw.2" % ALICE_PW)]
		leaked = []
		for c, arg in probes:
			try:
				r = c.cmd("SITE " + arg)
			except AssertionError as e:
				leaked.append("SITE %s: %s" % (arg.split()[0], e))
				c.buf = b""		# drop what is left of the reply
				continue
			self.assertEqual(r.code // 100, 5, "SITE %s with a broken "
					 "users file: %s" % (arg, r))
		self.assertEqual(file_bytes(self.srv.users_file), broken)
		self.assertFalse(os.path.lexists(self.srv.cell("brk-reg")))
		self.assertFalse(os.path.lexists(self.srv.cell("brk-add")))
		with open(self.srv.users_file) as f:
			text = f.read().replace("this line is broken\n", "")
		with open(self.srv.users_file, "w") as f:
			f.write(text)
		self.site(self.anon(), "REGISTER brk-ok brk-ok-Pw.1", 200)
		self.assertAccount("brk-ok")
		self.assertEqual(leaked, [], "replies with a real path:\n"
				 + "\n".join(leaked))


# ------------------------------------- cellftpd-user on a running server


class CellftpdUserWhileRunning(AccountsCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = Server(users=[ADMIN, ALICE],
				 auth={"registration": "open",
				       "registration_limit": 0,
				       "default_quota": "2G"})

	@classmethod
	def tearDownClass(cls):
		stop_clean(cls.srv)

	def cu_ok(self, *args, password=None):
		rc, out, err = cu(self.srv, *args, password=password)
		self.assertEqual(rc, 0, "cellftpd-user %s: %s%s"
				 % (" ".join(args), out, err))
		return out

	def test_add_then_login(self):
		self.assertLoginRefused("cuadd", "cuadd-Pw.12")
		self.cu_ok("add", "cuadd", "--quota", "4M", password="cuadd-Pw.12")
		self.assertAccount("cuadd", quota="4M")
		self.assertLoginOk("cuadd", "cuadd-Pw.12")
		c = self.logged("cuadd", "cuadd-Pw.12")
		self.assertEqual(quota_limit(self.site(c, "QUOTA", 200)), "4M")
		self.assertIn("cuadd", users_rows(self.site(self.admin(), "USERS",
							    200)))
		rc, _, err = cu(self.srv, "add", "cuadd", password="cuadd-Pw.12")
		self.assertNotEqual(rc, 0)
		self.assertIn("exists", err)

	def test_added_admin_is_an_admin_at_once(self):
		self.cu_ok("add", "cuboss", "--admin", password="cuboss-Pw.12")
		c = self.logged("cuboss", "cuboss-Pw.12")
		self.assertEqual(help_words(self.site(c, "HELP", 214)), ADMIN_HELP)
		self.site(c, "USERS", 200)

	def test_passwd_while_running(self):
		self.cu_ok("add", "cupw", password="cupw-Pw.123")
		self.assertLoginOk("cupw", "cupw-Pw.123")
		self.cu_ok("passwd", "cupw", password="cupw-New.456")
		self.assertLoginRefused("cupw", "cupw-Pw.123")
		self.assertLoginOk("cupw", "cupw-New.456")

	def test_quota_while_running(self):
		self.cu_ok("add", "cuq", password="cuq-Pw.1234")
		live = self.logged("cuq", "cuq-Pw.1234")
		self.assertEqual(quota_limit(self.site(live, "QUOTA", 200)), "2G")
		self.cu_ok("quota", "cuq", "6M")
		self.assertEqual(quota_limit(self.site(live, "QUOTA", 200)), "6M")
		self.assertEqual(quota_limit(self.site(self.admin(), "QUOTA cuq",
						       200)), "6M")
		self.cu_ok("quota", "cuq", "default")
		self.assertEqual(quota_limit(self.site(live, "QUOTA", 200)), "2G")

	def test_disable_enable_while_running(self):
		self.cu_ok("add", "cudis", password="cudis-Pw.12")
		self.assertLoginOk("cudis", "cudis-Pw.12")
		self.cu_ok("disable", "cudis")
		self.assertLoginRefused("cudis", "cudis-Pw.12")
		rows = users_rows(self.site(self.admin(), "USERS", 200))
		self.assertEqual(rows["cudis"][2], "disabled")
		self.cu_ok("enable", "cudis")
		self.assertLoginOk("cudis", "cudis-Pw.12")

	def test_del_while_running(self):
		self.cu_ok("add", "cudel", password="cudel-Pw.12")
		self.cu_ok("add", "cudel2", password="cudel2-Pw.12")
		self.assertLoginOk("cudel", "cudel-Pw.12")
		self.cu_ok("del", "cudel")
		self.assertLoginRefused("cudel", "cudel-Pw.12")
		self.assertTrue(os.path.isdir(self.srv.cell("cudel")))
		self.cu_ok("del", "cudel2", "--remove-cell")
		self.assertLoginRefused("cudel2", "cudel2-Pw.12")
		self.assertFalse(os.path.lexists(self.srv.cell("cudel2")))
		rows = users_rows(self.site(self.admin(), "USERS", 200))
		self.assertNotIn("cudel", rows)
		self.assertNotIn("cudel2", rows)
		rc, _, err = cu(self.srv, "del", "cudel")
		self.assertNotEqual(rc, 0)

	def test_list_shows_what_the_server_wrote(self):
		self.site(self.anon(), "REGISTER culist-reg culist-Pw.12", 200)
		c = self.admin()
		self.site(c, "USERADD culist-add culist-Pw.12 9M", 200)
		self.site(c, "DISABLE culist-add", 200)
		out = self.cu_ok("list")
		rows = {ln.split()[0]: ln.split()[1:] for ln in out.splitlines()
			if ln.strip()}
		self.assertIn("culist-reg", rows, out)
		self.assertEqual(rows["culist-add"][0], "9M", out)
		self.assertEqual(rows["culist-add"][-1], "disabled", out)
		self.assertEqual(rows["admin"][-1], "admin", out)
		self.assertIn("default", " ".join(rows["culist-reg"]), out)

	def test_server_and_cellftpd_user_take_turns_on_one_account(self):
		c = self.admin()
		self.site(c, "USERADD turns turns-Pw.123", 200)
		self.cu_ok("passwd", "turns", password="turns-Cu.456")
		self.assertLoginOk("turns", "turns-Cu.456")
		self.site(c, "PASSWD turns turns-Srv.789", 200)
		self.assertLoginRefused("turns", "turns-Cu.456")
		self.assertLoginOk("turns", "turns-Srv.789")
		self.cu_ok("quota", "turns", "1M")
		self.assertEqual(quota_limit(self.site(c, "QUOTA turns", 200)), "1M")
		self.site(c, "USERDEL turns --remove-cell", 200)
		rc, _, _ = cu(self.srv, "passwd", "turns", password="turns-Cu.000")
		self.assertNotEqual(rc, 0)
		self.cu_ok("add", "turns", password="turns-Again.1")
		self.assertLoginOk("turns", "turns-Again.1")
		self.assertAccount("turns")


if __name__ == "__main__":
	harness.main()
