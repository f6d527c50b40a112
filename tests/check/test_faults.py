"""
cellftp-check can fail: against badftpd.py (a small FTP server that is
correct by default) every check passes, and each deliberately wrong
behaviour switched on makes the matching check print "not ok" with a
WARNING, and the whole run exit 1.  A server that cannot be reached or
refuses the login is exit 2, and the scratch folder is removed even when
a check fails half way or the run is interrupted.

Environment: CELLFTP_CHECK_BIN (set by tests/check/meson.build).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import badftpd  # noqa: E402

USER, PASSWORD = "alice", "alice-Pw.1"
RUN_TIMEOUT = 240

# fault -> the check that must catch it
FAULT_CHECKS = {
	"mkd_code": "dir/mkd",
	"size_off": "meta/size",
	"corrupt_retr": "xfer/pasv",
	"ignore_rest": "resume/rest_retr",
	"ignore_rest_stor": "resume/rest_stor",
	"climb": "nav/dotdot_at_root",
	"real_pwd": "nav/pwd",
	"bare_lf": "session/reply_framing",
	"feat_noindent": "session/feat",
	"no_ascii": "xfer/ascii_download",
	"no_truncate": "xfer/stor_overwrite",
	"dele_noop": "dir/dele",
	"port_any": "security/port_third_party",
	"nlst_missing": "list/nlst",
	"mlsd_size": "list/mlsd",
	"long_line_split": "robust/long_line",
	"pwd_before_login": "robust/before_login",
	"any_password": "auth/bad_password",
	"abor_ignored": "resume/abor",
	"stou_noname": "resume/stou",
	"iac_kept": "robust/telnet_abor",
	"epsv_format": "xfer/epsv",
	"unknown_200": "robust/unknown_command",
	"appe_overwrite": "resume/appe",
	"quit_open": "session/quit",
	"pasv_any_source": "security/pasv_steal",
	"retr_escape": "security/retr_escape",
	"mdtm_local": "meta/mdtm",
	"nul_truncate": "security/nul_in_path",
	"rnto_noop": "dir/rename_file",
	"cdup_code": "nav/cdup",
	"multiline_bad": "session/reply_framing",
}


def check_bin():
	b = os.environ.get("CELLFTP_CHECK_BIN")
	if not b or not os.path.exists(b):
		sys.stderr.write("CELLFTP_CHECK_BIN is not set or missing; run "
				 "through `meson test`\n")
		sys.exit(2)
	return b


def run_check(port, *args, user=USER, password=PASSWORD, timeout=RUN_TIMEOUT):
	argv = [check_bin(), "-H", "127.0.0.1", "-P", str(port), "-u", user,
		"-p", password] + list(args)
	r = subprocess.run(argv, stdin=subprocess.DEVNULL,
			   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
			   timeout=timeout)
	return r.returncode, r.stdout.decode("utf-8", "replace"), \
		r.stderr.decode("utf-8", "replace")


def results(out):
	"""{"suite/name": "ok" | "not ok" | "skip"} from the output."""
	res = {}
	for m in re.finditer(r"^(ok|not ok) \d+ - (\S+)( # SKIP.*)?$", out,
			     re.M):
		res[m.group(2)] = "skip" if m.group(3) else m.group(1)
	return res


def warning_of(out, name):
	"""The WARNING lines printed under the failure of check name."""
	m = re.search(r"^not ok \d+ - %s\n((?:(?!ok \d|not ok \d).*\n)*)"
		      % re.escape(name), out, re.M)
	if not m:
		return []
	return [l for l in m.group(1).splitlines() if l.startswith("WARNING: ")]


class Served:
	"""A badftpd over a fresh temporary root."""

	def __init__(self, faults=(), cert=None):
		self.tmp = tempfile.mkdtemp(prefix="cellftp-check-test-")
		self.root = os.path.join(self.tmp, "alice")
		os.mkdir(self.root)
		os.mkdir(os.path.join(self.tmp, "bob"))
		self.srv = badftpd.BadFTPd(self.root, USER, PASSWORD, faults, cert)
		self.srv.start()
		self.port = self.srv.port

	def leftovers(self):
		return sorted(n for n in os.listdir(self.root)
			      if n.startswith("cellftp-check-"))

	def close(self):
		self.srv.stop()
		shutil.rmtree(self.tmp, ignore_errors=True)

	def __enter__(self):
		return self

	def __exit__(self, *exc):
		self.close()


class Faults(unittest.TestCase):
	maxDiff = None

	def test_correct_server_passes_every_check(self):
		with Served() as s:
			rc, out, err = run_check(s.port)
			res = results(out)
			self.assertNotIn("not ok", out, out)
			self.assertEqual(rc, 0, out + err)
			self.assertGreaterEqual(len(res), 60)
			self.assertRegex(out.splitlines()[-1],
					 r"^\d+ passed, 0 failed, \d+ skipped$")
			self.assertEqual(s.leftovers(), [])

	def test_unreachable_server_is_exit_2(self):
		sock = socket.socket()
		sock.bind(("127.0.0.1", 0))
		port = sock.getsockname()[1]
		sock.close()
		rc, out, err = run_check(port)
		self.assertEqual(rc, 2, out + err)
		self.assertIn("could not test", err)
		self.assertEqual(out, "")

	def test_bad_login_is_exit_2(self):
		with Served() as s:
			rc, out, err = run_check(s.port, password="wrong")
			self.assertEqual(rc, 2, out + err)
			self.assertIn("login as alice failed", err)
			self.assertNotIn("wrong", out + err)
			self.assertEqual(s.leftovers(), [])

	def test_scratch_removed_after_a_failure_half_way(self):
		with Served({"corrupt_retr"}) as s:
			rc, out, err = run_check(s.port, "--only", "xfer,resume")
			self.assertEqual(rc, 1, out + err)
			self.assertEqual(s.leftovers(), [])

	def test_scratch_removed_when_interrupted(self):
		with Served() as s:
			argv = [check_bin(), "-P", str(s.port), "-u", USER, "-p",
				PASSWORD]
			p = subprocess.Popen(argv, stdout=subprocess.PIPE,
					     stderr=subprocess.PIPE,
					     stdin=subprocess.DEVNULL)
			deadline = time.monotonic() + 20
			while not s.leftovers() and time.monotonic() < deadline:
				time.sleep(0.05)
			self.assertTrue(s.leftovers(), "no scratch folder seen")
			time.sleep(0.5)
			p.send_signal(signal.SIGINT)
			out, err = p.communicate(timeout=120)
			self.assertEqual(p.returncode, 2, out + err)
			self.assertEqual(s.leftovers(), [])

	def test_every_fault_is_named(self):
		self.assertEqual(set(FAULT_CHECKS), set(badftpd.FAULTS))

	def test_tls_against_a_server_with_auth_tls(self):
		openssl = shutil.which("openssl")
		if openssl is None:
			self.skipTest("no openssl command to make a certificate")
		with tempfile.TemporaryDirectory() as tmp:
			cert = os.path.join(tmp, "cert.pem")
			key = os.path.join(tmp, "key.pem")
			subprocess.run([openssl, "req", "-x509", "-newkey",
					"rsa:2048", "-nodes", "-keyout", key,
					"-out", cert, "-days", "2", "-subj",
					"/CN=127.0.0.1"], check=True, timeout=60,
				       stdout=subprocess.DEVNULL,
				       stderr=subprocess.DEVNULL)
			with Served(cert=(cert, key)) as s:
				rc, out, err = run_check(
					s.port, "--tls", "--only",
					"tls,session,xfer,resume,list/mlsd")
				if rc == 2 and "no TLS support" in err:
					self.skipTest("cellftp-check built without "
						      "OpenSSL")
				res = results(out)
				self.assertNotIn("not ok", out, out + err)
				self.assertEqual(rc, 0, out + err)
				for name in ("tls/auth_tls", "tls/pbsz_prot",
					     "tls/prot_private", "tls/prot_clear",
					     "resume/abor"):
					self.assertEqual(res.get(name), "ok", out)
				self.assertEqual(s.leftovers(), [])


def make_fault_test(fault, check):
	def test(self):
		with Served({fault}) as s:
			rc, out, err = run_check(s.port, "--only", check)
			res = results(out)
			self.assertEqual(res.get(check), "not ok",
					 "%s not caught by %s:\n%s%s"
					 % (fault, check, out, err))
			self.assertTrue(warning_of(out, check),
					"no WARNING under %s:\n%s" % (check, out))
			self.assertEqual(rc, 1, out + err)
	test.__doc__ = "%s: %s" % (check, badftpd.FAULTS[fault])
	return test


for _fault, _check in FAULT_CHECKS.items():
	setattr(Faults, "test_fault_" + _fault, make_fault_test(_fault, _check))


if __name__ == "__main__":
	unittest.main(verbosity=2)
