"""
cellftp-check against a real cellftpd, started the way the protocol tests
start it (tests/protocol/harness.py): every check passes, over IPv4 and
over IPv6 when the machine has ::1, with the admin, registration and
quota checks enabled; the server is left as it was found (cell tree and
accounts); the output formats (plain, TAP, JUnit, --list) hold; and a
server that cannot be tested gives exit 2.

Environment (set by tests/check/meson.build): CELLFTP_CHECK_BIN and the
harness's CELLFTPD_BIN, CELLFTPD_USER_BIN, CELLFTPD_MODULES.
"""

import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "protocol"))
import harness  # noqa: E402

USER, PASSWORD = "alice", "alice-Pw.1"
ADMIN, ADMIN_PASSWORD = "boss", "boss-Pw.1"
RUN_TIMEOUT = 300
srv = None


def check_bin():
	b = os.environ.get("CELLFTP_CHECK_BIN")
	if not b or not os.path.exists(b):
		sys.stderr.write("CELLFTP_CHECK_BIN is not set or missing; run "
				 "through `meson test`\n")
		sys.exit(2)
	return b


def setUpModule():
	global srv
	listen = ["127.0.0.1:0"]
	if harness.have_ipv6_loopback():
		listen.append("[::1]:0")
	# A wide passive range: two full runs in a row use a few hundred.
	p = random.randint(20000, 50000)
	srv = harness.Server(
		users=[(USER, PASSWORD, False, "40M"),
		       (ADMIN, ADMIN_PASSWORD, True, None)],
		listen=listen, server={"passive_ports": [p, p + 2999]},
		auth={"registration": "open"},
		extra_modules=[{"name": "quota_disk"}])


def tearDownModule():
	if srv is not None:
		srv.cleanup()


def run_check(*args, host=None, port=None, user=USER, password=PASSWORD):
	h, p = (host, port) if host else srv.addr()
	argv = [check_bin(), "-H", h, "-P", str(p), "-u", user, "-p",
		password] + list(args)
	return harness.run(argv, timeout=RUN_TIMEOUT)


def results(out):
	res = {}
	for m in re.finditer(r"^(?:# )?(ok|not ok) \d+ - (\S+)( # SKIP.*)?$",
			     out, re.M):
		res[m.group(2)] = "skip" if m.group(3) else m.group(1)
	return res


def logins():
	with open(srv.users_file) as f:
		return sorted(l.split(":")[0] for l in f if l.strip())


def cell_state(login):
	st = harness.tree_state(srv.cell(login))
	st.pop(".", None)		# the cell's own mtime moves, fine
	return st


class AgainstCellftpd(harness.TestCase):

	def assertAllPassed(self, rc, out, err, min_checks=60):
		bad = [n for n, r in results(out).items() if r == "not ok"]
		self.assertEqual(bad, [], out + err)
		self.assertEqual(rc, 0, out + err)
		self.assertGreaterEqual(len(results(out)), min_checks)
		self.assertRegex(out.splitlines()[-1],
				 r"^(# )?\d+ passed, 0 failed, \d+ skipped$")

	def test_every_check_passes_and_the_server_is_left_as_found(self):
		before = (cell_state(USER), cell_state(ADMIN), logins())
		with tempfile.TemporaryDirectory() as tmp:
			junit = os.path.join(tmp, "report.xml")
			rc, out, err = run_check("--admin-user", ADMIN,
						 "--admin-pass", ADMIN_PASSWORD,
						 "--register", "--junit", junit)
			self.assertAllPassed(rc, out, err)
			tree = ET.parse(junit).getroot()
			self.assertEqual(int(tree.get("tests")), len(results(out)))
			self.assertEqual(int(tree.get("failures")), 0)
		res = results(out)
		# The account and quota checks really ran.
		for name in ("account/register", "account/admin_users",
			     "account/user_refused", "account/avbl",
			     "account/over_quota", "list/mlsd", "resume/abor"):
			self.assertEqual(res.get(name), "ok", out)
		after = (cell_state(USER), cell_state(ADMIN), logins())
		self.assertEqual(before, after)

	def test_every_check_passes_over_ipv6(self):
		if not harness.have_ipv6_loopback():
			self.skipTest("no ::1 on this machine")
		h, p = srv.addr(socket.AF_INET6)
		rc, out, err = run_check(host=h, port=p)
		self.assertAllPassed(rc, out, err)
		res = results(out)
		self.assertEqual(res.get("xfer/ipv6_epsv"), "ok", out)
		self.assertEqual(res.get("xfer/ipv6_eprt"), "ok", out)

	def test_an_admin_as_test_user_passes_too(self):
		rc, out, err = run_check("--only", "session,nav,dir,account",
					 user=ADMIN, password=ADMIN_PASSWORD)
		self.assertAllPassed(rc, out, err, min_checks=40)

	def test_tap_output(self):
		rc, out, err = run_check("--tap", "--only", "session,auth")
		self.assertEqual(rc, 0, out + err)
		lines = out.splitlines()
		self.assertEqual(lines[0], "TAP version 13")
		m = re.match(r"^1\.\.(\d+)$", lines[1])
		self.assertIsNotNone(m, out)
		self.assertEqual(int(m.group(1)), len(results(out)))
		for l in lines[2:]:
			self.assertRegex(l, r"^(ok \d+ - |# )")

	def test_list_needs_no_server(self):
		r = subprocess.run([check_bin(), "--list"], stdout=subprocess.PIPE,
				   stderr=subprocess.PIPE, timeout=30)
		self.assertEqual(r.returncode, 0)
		names = [l.split()[0] for l in r.stdout.decode().splitlines()]
		self.assertGreaterEqual(len(names), 60)
		self.assertEqual(len(names), len(set(names)))
		for n in names:
			self.assertRegex(n, r"^[a-z0-9]+/[a-z0-9_]+$")

	def test_wrong_password_is_exit_2(self):
		rc, out, err = run_check(password="not-" + PASSWORD)
		self.assertEqual(rc, 2, out + err)
		self.assertIn("login as alice failed", err)
		self.assertNotIn(PASSWORD, out + err)

	def test_no_server_is_exit_2(self):
		s = socket.socket()
		s.bind(("127.0.0.1", 0))
		port = s.getsockname()[1]
		s.close()
		rc, out, err = run_check(host="127.0.0.1", port=port)
		self.assertEqual(rc, 2, out + err)
		self.assertIn("cannot connect", err)

	def test_only_matching_nothing_is_exit_2(self):
		rc, out, err = run_check("--only", "no-such-suite")
		self.assertEqual(rc, 2, out + err)

	def test_tls_when_the_server_has_none(self):
		rc, out, err = run_check("--tls", "--only", "tls,session/noop")
		if rc == 2:
			self.assertIn("no TLS support", err)
			return
		self.assertEqual(rc, 0, out + err)
		self.assertIn("does not announce AUTH TLS", out)
		self.assertEqual(results(out).get("tls/auth_tls"), "skip", out)


if __name__ == "__main__":
	harness.main()
