"""
Logging (issue 5): every server action lands in the right category file
(connections, auth, files, xferlog, admin, commands, server), as text or
JSON lines, xferlog in the 14-field wu-ftpd format; no password and no real
path anywhere; SIGUSR1 reopens the files after logrotate renamed them;
1,000 parallel transfers give exactly 1,000 xferlog lines; `cellftpd -t`
names the line of an unusable log folder; log_syslog sends the same events
to a syslog socket (a datagram socket this test binds, named by the
module's `socket` setting, so the machine's /dev/log is never touched).
"""

import datetime
import ftplib
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import threading
import time

import harness
from harness import Server, TestCase

ALICE_PW = "alice-Log-Pw.1"
ADMIN_PW = "admin-Log-Pw.2"
BAD_PW = "wrong-Log-Pw.3"
BOB_PW = "bob-Log-Pw.4"
BOB_PW2 = "bob-Log-Pw.5"
CARL_PW = "carl-Log-Pw.6"
NEW_PW = "alice-New-Pw.7"
SECRETS = [ALICE_PW, ADMIN_PW, BAD_PW, BOB_PW, BOB_PW2, CARL_PW, NEW_PW]

USERS = [("alice", ALICE_PW, False, None), ("admin", ADMIN_PW, True, None)]
CATEGORIES = ["connections.log", "auth.log", "files.log", "xferlog",
	      "admin.log", "commands.log", "server.log"]
WAIT = 15.0

TEXT_LINE = re.compile(
	r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) sid=(\d+|-) "
	r"client=(\S+) user=(\S+) event=(\S+)(.*)$")
CLIENT = re.compile(r"^(127\.0\.0\.1:\d+|\[[0-9a-f:]+\]:\d+|-)$")


def server(fmt="text", log=None, per_ip=4, extra=None, **kw):
	keys = {"format": fmt, "commands": "commands.log"}
	keys.update(log or {})
	srv = {"max_sessions_per_ip": per_ip}
	srv.update(extra or {})
	return Server(users=USERS, auth={"registration": "open"}, log=keys,
		      server=srv, **kw)


def read_logs(srv):
	"""{file name: text} of everything in the log folder."""
	out = {}
	for name in sorted(os.listdir(srv.logdir)):
		with open(os.path.join(srv.logdir, name), "rb") as f:
			out[name] = f.read().decode("utf-8", "replace")
	return out


def wait_logs(srv, done, timeout=WAIT):
	"""Poll the log folder until done(logs) is true (bounded)."""
	deadline = time.monotonic() + timeout
	while True:
		logs = read_logs(srv)
		if done(logs):
			return logs
		if time.monotonic() > deadline:
			raise AssertionError("logs never settled:\n%s" % "\n".join(
				"== %s\n%s" % kv for kv in logs.items()))
		time.sleep(0.1)


def xferlog_fields(line):
	"""The 14 xferlog fields: a 24-character date, then 13 more."""
	date = datetime.datetime.strptime(line[:24], "%a %b %d %H:%M:%S %Y")
	rest = line[24:]
	if not rest.startswith(" ") or "  " in rest:
		raise AssertionError("fields not split by one space: %r" % line)
	return [date] + rest[1:].split(" ")


def abort_download(srv):
	"""RETR of a big file, ABOR after the first bytes."""
	path = os.path.join(srv.cell("alice"), "big.bin")
	with open(path, "wb") as f:
		f.truncate(256 << 20)
	c = srv.ctl()
	try:
		c.login("alice", ALICE_PW)
		c.expect("TYPE I", 200)
		d = c.data_connect((srv.host, c.pasv()[1]))
		r = c.cmd("RETR /big.bin")
		if r.code not in (125, 150):
			raise AssertionError("RETR: %s" % r)
		d.recv(65536)
		c.send("ABOR\r\n")
		while c.reply().code not in (225, 226):
			pass
		d.close()
		c.send("QUIT\r\n")
		while c.reply().code != 221:
			pass
	finally:
		c.close()
	os.unlink(path)


def every_action(srv):
	"""Each logged action once: failed and good logins, registration,
	file operations and transfers of every kind, an aborted download,
	admin commands and a refused connection."""
	f = srv.connect()
	try:
		f.login("alice", BAD_PW)
		raise AssertionError("a wrong password was accepted")
	except ftplib.error_perm:
		pass
	f.close()
	c = srv.ctl()
	r = c.cmd("SITE REGISTER carl " + CARL_PW)
	if r.code // 100 != 2:
		raise AssertionError("SITE REGISTER: %s" % r)
	c.expect("QUIT", 221)
	c.close()

	f = srv.ftp("alice")
	f.mkd("/docs")
	f.put("/docs/my report.txt", b"x" * 1000)
	f.put("/docs/my report.txt", b"y" * 10, cmd="APPE")
	f.storbinary("STOU", io.BytesIO(b"unique"))
	f.get("/docs/my report.txt")
	f.lines("LIST /docs")
	f.voidcmd("MFMT 20200102030405 /docs/my report.txt")
	f.rename("/docs/my report.txt", "/docs/final.txt")
	code, _ = f.code("SITE PASSWD %s %s" % (BAD_PW, NEW_PW))
	if code < 400:
		raise AssertionError("SITE PASSWD with a wrong old password: %d"
				     % code)
	f.delete("/docs/final.txt")
	f.rmd("/docs")
	f.bye()
	abort_download(srv)

	f = srv.ftp("admin")
	f.voidcmd("SITE USERADD bob " + BOB_PW)
	f.voidcmd("SITE PASSWD bob " + BOB_PW2)
	f.voidcmd("SITE USERDEL bob")
	f.bye()

	held = [srv.ctl() for _ in range(4)]	# max_sessions_per_ip = 4
	extra = srv.ctl(banner=False)
	try:
		r = extra.reply()
		if r.code != 421:
			raise AssertionError("5th session from one address: %s" % r)
	finally:
		extra.close()
		for c in held:
			c.close()


def count(text, event):
	return len(re.findall(r" event=%s( |$)" % event, text, re.M))


def settled(logs):
	"""Every session that connected has disconnected, and the refusal
	and the last admin command are in."""
	conn = logs.get("connections.log", "")
	return (count(conn, "REFUSED") == 1 and
		"USERDEL" in logs.get("admin.log", "") and
		count(conn, "CONNECT") == count(conn, "DISCONNECT") >= 9)


def settled_json(logs):
	conn = [json.loads(x) for x in
		logs.get("connections.log", "").splitlines()]
	events = [x["event"] for x in conn]
	return ("REFUSED" in events and "USERDEL" in logs.get("admin.log", "")
		and events.count("CONNECT") == events.count("DISCONNECT") >= 9)


def lines_of(logs, name):
	return [x for x in logs.get(name, "").split("\n") if x]


class LogsCheck(TestCase):
	"""Checks every format shares."""

	def assertNoSecrets(self, logs):
		for name, text in logs.items():
			for pw in SECRETS:
				self.assertNotIn(pw, text, "password in %s" % name)

	def assertNoRealPath(self, logs):
		for name, text in logs.items():
			found = harness.leaks(text)
			self.assertEqual(found, [], "real path in %s" % name)

	def assertXferlog(self, logs):
		lines = lines_of(logs, "xferlog")
		seen = {}
		for line in lines:
			f = xferlog_fields(line)
			self.assertEqual(len(f), 14, line)
			(_, secs, host, size, name, typ, special, direction,
			 mode, user, service, method, authid, status) = f
			self.assertGreaterEqual(int(secs), 1, line)
			self.assertEqual(host, "127.0.0.1", line)
			self.assertRegex(size, r"^\d+$", line)
			self.assertEqual((typ, special, mode, service, method,
					  authid), ("b", "_", "r", "ftp", "0", "*"),
					 line)
			self.assertEqual(user, "alice", line)
			seen.setdefault(name, []).append((direction, status,
							  int(size)))
		# the virtual path, with the space as '_' as vsftpd writes it
		self.assertEqual(seen["/docs/my_report.txt"],
				 [("i", "c", 1000), ("i", "c", 10),
				  ("o", "c", 1010)])
		stou = [n for n in seen if n not in ("/docs/my_report.txt",
						     "/big.bin")]
		self.assertEqual(len(stou), 1, seen)
		self.assertEqual(seen[stou[0]], [("i", "c", 6)])
		self.assertEqual(len(seen["/big.bin"]), 1)
		direction, status, size = seen["/big.bin"][0]
		self.assertEqual((direction, status), ("o", "i"))
		self.assertLess(size, 256 << 20)
		self.assertEqual(len(lines), 5, "no listing in xferlog")


class TextLogs(LogsCheck):
	@classmethod
	def setUpClass(cls):
		cls.srv = server("text")
		every_action(cls.srv)
		cls.logs = wait_logs(cls.srv, settled)

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def events(self, name):
		"""[(user, event, rest of the line)] of a text file."""
		out = []
		for line in lines_of(self.logs, name):
			m = TEXT_LINE.match(line)
			self.assertIsNotNone(m, "%s: %r" % (name, line))
			out.append((m.group(4), m.group(5), m.group(6)))
		return out

	def find(self, name, user, event, *parts):
		for u, e, rest in self.events(name):
			if u == user and e == event and \
			   all(p in rest for p in parts):
				return rest
		self.fail("no %s %s %s in %s:\n%s" % (user, event, parts, name,
						       self.logs.get(name)))

	def test_every_category_has_its_file(self):
		self.assertEqual(sorted(self.logs), sorted(CATEGORIES))

	def test_every_line_has_time_session_client_user_event(self):
		now = datetime.datetime.now(datetime.timezone.utc)
		for name, text in self.logs.items():
			if name == "xferlog":
				continue
			for line in lines_of(self.logs, name):
				m = TEXT_LINE.match(line)
				self.assertIsNotNone(m, "%s: %r" % (name, line))
				t = datetime.datetime.strptime(
					m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(
					tzinfo=datetime.timezone.utc)
				self.assertLess(abs((now - t).total_seconds()), 600,
						"time is UTC: %r" % line)
				self.assertRegex(m.group(3), CLIENT)
				if name != "server.log" and m.group(5) != "REFUSED":
					self.assertRegex(m.group(2), r"^\d+$", line)

	def test_connections(self):
		self.find("connections.log", "-", "CONNECT")
		self.find("connections.log", "-", "REFUSED", "reason=")
		rest = self.find("connections.log", "alice", "DISCONNECT",
				 "bytes_in=", "bytes_out=")
		self.assertRegex(rest, r" duration_ms=\d+")
		# alice's session uploaded 1016 bytes and downloaded 1010
		alice = [rest for u, e, rest in self.events("connections.log")
			 if u == "alice" and e == "DISCONNECT"]
		self.assertTrue(any(
			int(re.search(r"bytes_in=(\d+)", r).group(1)) >= 1016 and
			int(re.search(r"bytes_out=(\d+)", r).group(1)) >= 1010
			for r in alice), alice)

	def test_auth(self):
		self.assertIn("reason=",
			      self.find("auth.log", "alice", "LOGIN_FAIL"))
		self.find("auth.log", "alice", "LOGIN", "result=230")
		self.find("auth.log", "admin", "LOGIN")
		self.find("auth.log", "alice", "LOGOUT")
		self.find("auth.log", "carl", "REGISTER", "result=2")

	def test_files_every_operation_with_its_result(self):
		want = [("MKD", "path=/docs result=257"),
			("STOR", 'path="/docs/my report.txt" bytes=1000'),
			("APPE", 'path="/docs/my report.txt" bytes=10'),
			("STOU", "bytes=6 direction=i"),
			("RETR", 'path="/docs/my report.txt" bytes=1010 '
			 'direction=o type=b complete=yes'),
			("MFMT", 'path="/docs/my report.txt" result=213'),
			("RENAME", 'path="/docs/my report.txt" '
			 'path2=/docs/final.txt result=250'),
			("DELE", "path=/docs/final.txt result=250"),
			("RMD", "path=/docs result=250"),
			("RETR", "path=/big.bin"),
			]
		for event, part in want:
			self.find("files.log", "alice", event, part)
		self.assertIn("complete=no",
			      self.find("files.log", "alice", "RETR",
					"path=/big.bin"))
		for _, e, _ in self.events("files.log"):
			self.assertNotIn(e, ("LIST", "NLST", "MLSD", "LOGIN"))

	def test_xferlog(self):
		self.assertXferlog(self.logs)

	def test_admin_actions_with_arguments_without_passwords(self):
		self.find("admin.log", "admin", "ADMIN", "action=USERADD",
			  "bob", "result=2")
		self.find("admin.log", "admin", "ADMIN", "action=PASSWD", "bob")
		self.find("admin.log", "admin", "ADMIN", "action=USERDEL", "bob")

	def test_commands_trace_masks_passwords(self):
		self.find("commands.log", "-", "COMMAND", "command=USER",
			  "arg=alice")
		self.find("commands.log", "-", "COMMAND", "command=PASS",
			  "arg=********")
		self.find("commands.log", "alice", "COMMAND", "command=STOR")
		self.find("commands.log", "alice", "COMMAND", "command=LIST")
		self.find("commands.log", "admin", "COMMAND", "command=SITE",
			  "USERADD bob")
		self.find("commands.log", "-", "COMMAND", "command=SITE",
			  "REGISTER carl")

	def test_each_event_only_in_its_own_file(self):
		home = {"CONNECT": "connections.log", "DISCONNECT":
			"connections.log", "REFUSED": "connections.log",
			"LOGIN": "auth.log", "LOGIN_FAIL": "auth.log",
			"LOGOUT": "auth.log", "REGISTER": "auth.log",
			"ADMIN": "admin.log", "COMMAND": "commands.log",
			"MKD": "files.log", "STOR": "files.log"}
		for name in self.logs:
			if name == "xferlog":
				continue
			for _, e, _ in self.events(name):
				if e in home:
					self.assertEqual(home[e], name, e)

	def test_no_password_anywhere(self):
		self.assertNoSecrets(self.logs)

	def test_no_real_path_anywhere(self):
		self.assertNoRealPath(self.logs)


class JsonLogs(LogsCheck):
	@classmethod
	def setUpClass(cls):
		cls.srv = server("json")
		every_action(cls.srv)
		cls.logs = wait_logs(cls.srv, settled_json)

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def objects(self, name):
		return [json.loads(x) for x in lines_of(self.logs, name)]

	def test_every_line_parses_with_the_common_fields(self):
		n = 0
		for name in self.logs:
			if name == "xferlog":
				continue
			for line in lines_of(self.logs, name):
				o = json.loads(line)
				n += 1
				for k in ("time", "sid", "client", "user", "event"):
					self.assertIn(k, o, line)
				self.assertRegex(o["time"], r"^\d{4}-\d\d-\d\dT\d\d:"
						 r"\d\d:\d\d\.\d{3}Z$")
				if o["client"] is not None:
					self.assertRegex(o["client"], CLIENT)
		self.assertGreater(n, 50)

	def test_values_are_typed(self):
		retr = [o for o in self.objects("files.log")
			if o["event"] == "RETR"]
		self.assertEqual(sorted(o["complete"] for o in retr),
				 [False, True])
		for o in retr:
			self.assertIsInstance(o["bytes"], int)
			self.assertIsInstance(o["duration_ms"], int)
		fail = [o for o in self.objects("auth.log")
			if o["event"] == "LOGIN_FAIL"]
		self.assertEqual(fail[0]["user"], "alice")
		self.assertEqual(fail[0]["result"], 530)
		self.assertIsInstance(fail[0]["reason"], str)
		ren = [o for o in self.objects("files.log")
		       if o["event"] == "RENAME"][0]
		self.assertEqual((ren["path"], ren["path2"]),
				 ("/docs/my report.txt", "/docs/final.txt"))

	def test_xferlog_stays_xferlog(self):
		self.assertXferlog(self.logs)

	def test_no_password_anywhere(self):
		self.assertNoSecrets(self.logs)

	def test_no_real_path_anywhere(self):
		self.assertNoRealPath(self.logs)


class Reopen(TestCase):
	def setUp(self):
		self.srv = server("text")

	def tearDown(self):
		self.srv.cleanup()

	def test_sigusr1_after_rename_writes_new_files(self):
		f = self.srv.ftp("alice")
		f.put("/before.txt", b"1")
		f.bye()
		wait_logs(self.srv, lambda l: "LOGOUT" in l.get("auth.log", "")
			  and len(lines_of(l, "xferlog")) == 1)
		for name in os.listdir(self.srv.logdir):	# as logrotate
			p = os.path.join(self.srv.logdir, name)
			os.rename(p, p + ".1")
		self.srv.send_signal(signal.SIGUSR1)
		wait_logs(self.srv, lambda l: all(n in l for n in CATEGORIES))
		f = self.srv.ftp("alice")
		f.put("/after.txt", b"2")
		f.bye()
		logs = wait_logs(self.srv, lambda l: "LOGOUT" in
				 l.get("auth.log", "") and
				 len(lines_of(l, "xferlog")) == 1)
		self.assertIn("/after.txt", logs["xferlog"])
		self.assertNotIn("/before.txt", logs["xferlog"])
		self.assertIn("/before.txt", logs["xferlog.1"])
		self.assertNotIn("/after.txt", logs["xferlog.1"])
		self.assertIn("path=/after.txt", logs["files.log"])
		self.assertNotIn("after", logs["files.log.1"])
		self.assertEqual(logs["auth.log.1"].count("event=LOGIN "), 1)
		self.assertEqual(logs["auth.log"].count("event=LOGIN "), 1)


class Logrotate(TestCase):
	"""The shipped etc/logrotate.d/cellftpd, run by logrotate itself (its
	folder moved to the test's, its systemctl lookup of the main PID
	replaced by the PID)."""

	def setUp(self):
		self.srv = server("text")

	def tearDown(self):
		self.srv.cleanup()

	def test_shipped_config_rotates_and_the_server_reopens(self):
		lr = shutil.which("logrotate")
		if lr is None:
			self.skipTest("logrotate is not installed")
		src = os.path.join(os.path.dirname(os.path.abspath(__file__)),
				   "..", "..", "etc", "logrotate.d", "cellftpd")
		with open(src) as f:
			text = f.read()
		text = text.replace("/var/log/cellftpd", self.srv.logdir)
		text, n = re.subn(r"pid=\$\(systemctl [^\n]*\)",
				  "pid=%d" % self.srv.proc.pid, text)
		self.assertEqual(n, 1, "the postrotate finds the main PID")
		conf = os.path.join(self.srv.tmp, "logrotate.conf")
		with open(conf, "w") as f:
			f.write(text)
		self.srv.ftp("alice").bye()
		wait_logs(self.srv, lambda l: "LOGOUT" in l.get("auth.log", ""))
		r = harness.run([lr, "-f", "-s", os.path.join(self.srv.tmp,
				 "logrotate.state"), conf], check_leak=False)
		self.assertEqual(r[0], 0, r)
		self.srv.ftp("alice").bye()
		logs = wait_logs(self.srv, lambda l: "LOGOUT" in
				 l.get("auth.log", ""))
		self.assertEqual(logs["auth.log"].count("event=LOGIN "), 1)
		self.assertEqual(logs["auth.log.1"].count("event=LOGIN "), 1)


class ManyTransfers(TestCase):
	SESSIONS = 10
	EACH = 100

	def setUp(self):
		# a port per transfer: the server does not reuse a passive port
		# whose last connection is still in TIME_WAIT
		p = random.randint(20000, 60000)
		self.srv = server("text", log={"commands": ""}, per_ip=50,
				  extra={"passive_ports": [p, p + 1999]})

	def tearDown(self):
		self.srv.cleanup()

	def session(self, n, errors):
		try:
			f = self.srv.ftp("alice")
			for i in range(self.EACH):
				name = "/t%d-%d.bin" % (n, i)
				if i % 2 == 0:
					f.put(name, b"%d" % i)
				else:
					f.get("/t%d-%d.bin" % (n, i - 1))
			f.bye()
		except Exception as e:	# reported by the main thread
			errors.append("session %d: %r" % (n, e))

	def test_1000_parallel_transfers_give_1000_xferlog_lines(self):
		errors = []
		threads = [threading.Thread(target=self.session,
					    args=(n, errors), daemon=True)
			   for n in range(self.SESSIONS)]
		for t in threads:
			t.start()
		for t in threads:
			t.join(120)
		self.assertFalse(any(t.is_alive() for t in threads), "stuck")
		self.assertEqual(errors, [])
		total = self.SESSIONS * self.EACH
		logs = wait_logs(self.srv, lambda l: len(
			lines_of(l, "xferlog")) >= total and l.get(
			"connections.log", "").count("DISCONNECT") ==
			self.SESSIONS, 60)
		time.sleep(0.5)
		logs = read_logs(self.srv)
		lines = lines_of(logs, "xferlog")
		self.assertEqual(len(lines), total)
		dirs = {"i": 0, "o": 0}
		for line in lines:
			f = xferlog_fields(line)
			self.assertEqual(len(f), 14, line)
			self.assertEqual(f[13], "c", line)
			dirs[f[7]] += 1
		self.assertEqual(dirs, {"i": total // 2, "o": total // 2})
		self.assertEqual(len(re.findall(r" event=(STOR|RETR) ",
						logs["files.log"])), total)
		self.assertNotIn("log-dropped", logs["server.log"])


def dir_line(lines, key):
	"""1-based line of `key = ` inside the log_file entry."""
	start = [i for i, x in enumerate(lines) if '"log_file"' in x][0]
	for i in range(start, len(lines)):
		if lines[i].strip().startswith(key + " ="):
			return i + 1
	raise AssertionError("no %s in the log_file entry" % key)


class ConfigCheck(TestCase):
	def setUp(self):
		self.srv = Server(users=USERS, start=False)

	def tearDown(self):
		self.srv.cleanup()

	def check(self):
		lines = self.srv.conf_lines()
		self.srv.write_conf(lines)
		rc, out = self.srv.check_config()
		return rc, out, lines

	def test_missing_log_dir_is_reported_with_its_line(self):
		self.srv.log_keys["dir"] = os.path.join(self.srv.tmp, "nope")
		rc, out, lines = self.check()
		self.assertEqual(rc, 1, out)
		self.assertIn("cellftpd.conf:%d: log_file: cannot write in "
			      % dir_line(lines, "dir"), out)
		self.assertIn("No such file or directory", out)

	def test_bad_category_name_is_reported_with_its_line(self):
		self.srv.log_keys["files"] = "sub/files.log"
		rc, out, lines = self.check()
		self.assertEqual(rc, 1, out)
		self.assertIn("cellftpd.conf:%d: log_file: files must be"
			      % dir_line(lines, "files"), out)

	def test_log_dir_the_server_cannot_write_is_reported(self):
		if os.geteuid() != 0 or shutil.which("setpriv") is None:
			self.skipTest("needs root and setpriv")
		os.chmod(self.srv.users_file, 0o644)
		os.chown(self.srv.logdir, 0, 0)	# the harness gave it to run_as
		lines = self.srv.conf_lines()
		self.srv.write_conf(lines)
		os.chmod(self.srv.conf, 0o644)
		r = harness.run(["setpriv", "--reuid=nobody", "--regid=nogroup",
				 "--clear-groups", self.srv.bin, "-t", "-c",
				 self.srv.conf], check_leak=False)
		self.assertEqual(r[0], 1, r)
		self.assertIn("cellftpd.conf:%d: log_file: cannot write in %s: "
			      "cannot open %s/connections.log: Permission denied"
			      % (dir_line(lines, "dir"), self.srv.logdir,
				 self.srv.logdir), r[2])

	def test_good_config_checks_ok(self):
		self.srv.log_keys.update({"format": "json", "commands": "",
					  "xferlog": "transfers.log"})
		rc, out, _ = self.check()
		self.assertEqual(rc, 0, out)


class SyslogServer(Server):
	"""A server whose modules.load also has a log_syslog entry."""

	syslog_keys = None

	def conf_lines(self):
		lines = super().conf_lines()
		if not self.syslog_keys:
			return lines
		entry = ["    {"] + harness.cfg_group_lines(self.syslog_keys, 3)
		entry += ["    }"]
		i = max(n for n, x in enumerate(lines) if x.strip() == "}")
		lines[i] = "    },"
		return lines[:i + 1] + entry + lines[i + 1:]


class Syslog(TestCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = SyslogServer(users=USERS, start=False)
		cls.path = os.path.join(cls.srv.tmp, "syslog.sock")
		cls.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
		cls.sock.bind(cls.path)
		cls.sock.settimeout(0.2)
		cls.msgs = []
		cls.stop = False
		cls.reader = threading.Thread(target=cls.read, daemon=True)
		cls.reader.start()
		cls.srv.syslog_keys = {"name": "log_syslog", "socket": cls.path,
				       "facility": "local5",
				       "ident": "cellftpd-test"}
		cls.srv.write_conf()
		cls.srv.start()
		f = cls.srv.connect()
		try:
			f.login("alice", BAD_PW)
		except ftplib.error_perm:
			pass
		f.close()
		f = cls.srv.ftp("alice")
		f.put("/sys log.txt", b"syslog")
		f.voidcmd("SITE PASSWD %s %s" % (ALICE_PW, NEW_PW))
		f.bye()
		cls.srv.passwords["alice"] = NEW_PW
		deadline = time.monotonic() + WAIT
		while time.monotonic() < deadline and not any(
				"event=DISCONNECT" in m and "user=alice" in m
				for m in list(cls.msgs)):
			time.sleep(0.1)

	@classmethod
	def read(cls):
		while not cls.stop:
			try:
				d = cls.sock.recv(65536)
			except socket.timeout:
				continue
			except OSError:
				return
			cls.msgs.append(d.decode("utf-8", "replace"))

	@classmethod
	def tearDownClass(cls):
		cls.stop = True
		cls.reader.join(2)
		cls.sock.close()
		cls.srv.cleanup()

	def find(self, *parts):
		for m in self.msgs:
			if all(p in m for p in parts):
				return m
		self.fail("no message with %s in:\n%s" % (parts,
							 "\n".join(self.msgs)))

	def test_messages_are_rfc3164_with_facility_and_ident(self):
		rx = re.compile(r"^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d "
				r"cellftpd-test\[(\d+)\]: sid=(\d+|-) "
				r"client=\S+ user=\S+ event=\S+")
		for m in self.msgs:
			g = rx.match(m)
			self.assertIsNotNone(g, m)
			self.assertEqual(int(g.group(1)) >> 3, 21, "local5: " + m)
			self.assertEqual(int(g.group(2)), self.srv.proc.pid)

	def test_the_same_events_as_the_files(self):
		login = self.find("user=alice event=LOGIN ", "result=230")
		self.assertEqual(int(login[1:login.index(">")]), 21 * 8 + 6)
		fail = self.find("event=LOGIN_FAIL")
		self.assertEqual(int(fail[1:fail.index(">")]), 21 * 8 + 4)
		self.find('event=STOR path="/sys log.txt" bytes=6 direction=i')
		self.find("event=DISCONNECT", "bytes_in=6")
		self.find("event=CONNECT")

	def test_no_command_trace_unless_asked(self):
		self.assertFalse([m for m in self.msgs if "event=COMMAND" in m])

	def test_no_password_or_real_path(self):
		for m in self.msgs:
			for pw in SECRETS:
				self.assertNotIn(pw, m)
			self.assertEqual(harness.leaks(m), [], m)


if __name__ == "__main__":
	harness.main()
