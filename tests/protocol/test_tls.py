"""
FTPS (RFC 4217) against a live cellftpd with a throwaway self-signed
certificate made here with `openssl req`: Python ftplib FTP_TLS, curl
--ssl-reqd and lftp as the judges; tls.require, session reuse on the data
connection, ALPN, the TLS 1.2 floor, implicit FTPS, SIGHUP certificate
reload and config errors with FILE:LINE.
"""

import ftplib
import hashlib
import io
import os
import shutil
import signal
import ssl
import subprocess
import tempfile

import harness
from harness import log_lines, Server, TestCase

PW = "alice-Pw.1"
work = None
cert = None		# (cert, key) every TLSServer starts with


def make_cert(name, cn="localhost"):
	"""A fresh self-signed certificate and key: (cert path, key path)."""
	cert = os.path.join(work, name + ".crt")
	key = os.path.join(work, name + ".key")
	r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
			    "-nodes", "-days", "2", "-subj", "/CN=" + cn,
			    "-keyout", key, "-out", cert],
			   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
			   timeout=60)
	if r.returncode != 0:
		raise RuntimeError("openssl req: %s" % r.stderr.decode())
	os.chmod(key, 0o644)	# the server re-reads it as run_as on SIGHUP
	return cert, key


def setUpModule():
	global work, cert
	if shutil.which("openssl") is None:
		harness.skip_file("no openssl command to make a certificate")
	work = tempfile.mkdtemp(prefix=harness.TMP_PREFIX + "tls-")
	os.chmod(work, 0o755)
	cert = make_cert("server")


def tearDownModule():
	shutil.rmtree(work, ignore_errors=True)


class TLSServer(Server):
	"""A Server whose config has a top-level tls group."""

	def __init__(self, tls=None, **kw):
		self.tls_keys = {"certificate": cert[0], "key": cert[1]}
		self.tls_keys.update(tls or {})
		super().__init__(**kw)

	def conf_lines(self):
		return super().conf_lines() + \
			harness.cfg_group_lines({"tls": self.tls_keys}, 0)


def client_ctx():
	ctx = ssl.create_default_context()
	ctx.check_hostname = False
	ctx.verify_mode = ssl.CERT_NONE
	return ctx


class ReuseFTP(ftplib.FTP_TLS):
	"""FTP_TLS that resumes the control session on data connections (what
	curl and FileZilla do); `session` may name another one."""

	session = None

	def ntransfercmd(self, cmd, rest=None):
		conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
		if self._prot_p:
			conn = self.context.wrap_socket(
				conn, server_hostname=self.host,
				session=self.session or self.sock.session)
		return conn, size


def ftps(srv, cls=ReuseFTP, prot_p=True, login=True, ctx=None):
	f = cls(context=ctx or client_ctx(), timeout=harness.NET_TIMEOUT)
	f.connect(srv.host, srv.port)
	if login:
		f.login("alice", PW)
		if prot_p:
			f.prot_p()
	return f


def sha(b):
	return hashlib.sha256(b).hexdigest()


def auth_tls(srv, after=b""):
	"""A control connection that has read the 220, sent AUTH TLS (and
	`after`, in clear) and read the 234: its socket, for the handshake."""
	c = srv.ctl()
	c.send(b"AUTH TLS\r\n" + after)
	r = c.reply()
	if r.code != 234:
		raise AssertionError("AUTH TLS: %s" % r)
	if c.buf:
		raise AssertionError("sent in clear after the 234: %r" % c.buf)
	return c.sock


def get(f, path):
	out = io.BytesIO()
	f.retrbinary("RETR " + path, out.write)
	return out.getvalue()


class Reuse(TestCase):
	"""tls.require_session_reuse = true (the default)."""

	@classmethod
	def setUpClass(cls):
		cls.srv = TLSServer()

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def test_feat_lists_auth_pbsz_prot(self):
		f = ftps(self.srv, login=False)
		feat = f.sendcmd("FEAT")
		f.quit()
		for w in (" AUTH TLS", " PBSZ", " PROT"):
			self.assertIn(w, feat)

	def test_ftplib_prot_p_list_upload_download(self):
		data = harness.random_bytes(3 * 1024 * 1024 + 17)
		f = ftps(self.srv)
		f.storbinary("STOR big.bin", io.BytesIO(data))
		self.assertIn("big.bin", f.nlst())
		lines = []
		f.retrlines("LIST", lines.append)
		self.assertTrue(any("big.bin" in l for l in lines), lines)
		self.assertEqual(sha(get(f, "big.bin")), sha(data))
		f.quit()
		self.assertEqual(harness.sha256_file(
			os.path.join(self.srv.cell(), "big.bin")), sha(data))

	def test_data_without_session_reuse_is_refused_522(self):
		f = ftps(self.srv, cls=ftplib.FTP_TLS)
		with self.assertRaises(ftplib.error_perm) as cm:
			f.nlst()
		self.assertEqual(harness.code_of(cm.exception), 522)
		f.quit()

	def test_session_of_another_control_connection_is_refused(self):
		ctx = client_ctx()	# Python resumes only within one context
		a = ftps(self.srv, ctx=ctx)
		b = ftps(self.srv, ctx=ctx)
		a.nlst()		# a's session tickets have arrived
		b.session = a.sock.session
		with self.assertRaises((ftplib.error_perm, ssl.SSLError,
					OSError)) as cm:
			b.nlst()
		if isinstance(cm.exception, ftplib.error_perm):
			self.assertEqual(harness.code_of(cm.exception), 522)
		a.quit()

	def test_curl_ssl_reqd_download_and_upload(self):
		data = harness.random_bytes(200000)
		src = os.path.join(work, "curl-up")
		dst = os.path.join(work, "curl-down")
		harness.write_file(src, data)
		url = "ftp://%s:%d/" % (self.srv.host, self.srv.port)
		r = harness.run(["curl", "-sS", "--ssl-reqd", "-k", "--max-time",
				 "60", "-u", "alice:" + PW, "-T", src,
				 url + "curl.bin"])
		self.assertEqual(r[0], 0, r)
		r = harness.run(["curl", "-sS", "--ssl-reqd", "-k", "--max-time",
				 "60", "-u", "alice:" + PW, "-o", dst,
				 url + "curl.bin"])
		self.assertEqual(r[0], 0, r)
		self.assertEqual(harness.sha256_file(dst), sha(data))

	def test_lftp_ssl_force_and_protect_data(self):
		if shutil.which("lftp") is None:
			self.skipTest("no lftp")
		data = harness.random_bytes(100000)
		src = os.path.join(work, "lftp-up")
		harness.write_file(src, data)
		script = ("set ftp:ssl-force true; set ftp:ssl-protect-data true; "
			  "set ssl:verify-certificate no; set net:max-retries 1; "
			  "open -u alice,%s ftp://%s:%d; put %s -o lftp.bin; "
			  "cls -1; get lftp.bin -o %s.back; bye"
			  % (PW, self.srv.host, self.srv.port, src, src))
		r = harness.run(["lftp", "-c", script], timeout=120)
		self.assertEqual(r[0], 0, r)
		self.assertEqual(harness.sha256_file(src + ".back"), sha(data))

	def test_alpn_ftp_accepted(self):
		ctx = client_ctx()
		ctx.set_alpn_protocols(["ftp"])
		c = auth_tls(self.srv)
		t = ctx.wrap_socket(c)
		self.assertEqual(t.selected_alpn_protocol(), "ftp")
		t.sendall(b"NOOP\r\n")
		self.assertTrue(t.recv(100).startswith(b"200"))
		t.close()

	def test_alpn_without_ftp_refused(self):
		ctx = client_ctx()
		ctx.set_alpn_protocols(["http/1.1"])
		c = auth_tls(self.srv)
		with self.assertRaises(ssl.SSLError):
			ctx.wrap_socket(c)
		c.close()

	def test_tls_1_1_client_refused(self):
		ctx = client_ctx()
		try:
			ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
			ctx.minimum_version = ssl.TLSVersion.TLSv1_1
			ctx.maximum_version = ssl.TLSVersion.TLSv1_1
		except (ValueError, ssl.SSLError) as e:
			self.skipTest("this OpenSSL cannot offer TLS 1.1: %s" % e)
		c = auth_tls(self.srv)
		with self.assertRaises((ssl.SSLError, OSError)):
			ctx.wrap_socket(c)
		c.close()
		# the server refused it, not the client library
		self.assertTrue(log_lines(self.srv, "connections.log",
					  "unsupported protocol"),
				"no 'unsupported protocol' refusal in the log")

	def test_tls_version_and_cipher_logged_at_auth(self):
		f = ftps(self.srv)
		f.quit()
		self.assertTrue(log_lines(self.srv, "connections.log", "TLSv1.3"),
				"no TLS version in the log")

	def test_clear_text_after_auth_is_not_run(self):
		c = auth_tls(self.srv, after=b"HELP\r\n")
		t = client_ctx().wrap_socket(c)
		t.sendall(b"NOOP\r\n")
		self.assertTrue(t.recv(100).startswith(b"200"), "HELP ran")
		t.close()

	def test_prot_levels(self):
		f = ftps(self.srv, prot_p=False)
		f.sendcmd("PBSZ 0")
		for arg, code in (("S", 536), ("E", 536), ("X", 504)):
			with self.assertRaises(ftplib.error_perm) as cm:
				f.sendcmd("PROT " + arg)
			self.assertEqual(harness.code_of(cm.exception), code)
		self.assertTrue(f.sendcmd("PROT C").startswith("200"))
		with self.assertRaises(ftplib.error_perm) as cm:
			f.sendcmd("CCC")
		self.assertEqual(harness.code_of(cm.exception), 502)
		f.quit()


class NoReuse(TestCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = TLSServer(tls={"require_session_reuse": False})

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def test_plain_ftplib_works_without_reuse(self):
		f = ftps(self.srv, cls=ftplib.FTP_TLS)
		f.storbinary("STOR n.txt", io.BytesIO(b"no reuse\n"))
		self.assertEqual(get(f, "n.txt"), b"no reuse\n")
		f.quit()


class RequireLogin(TestCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = TLSServer(tls={"require": "login"})

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def test_user_before_auth_is_refused(self):
		f = self.srv.connect()
		for cmd in ("USER alice", "PASS " + PW):
			with self.assertRaises(ftplib.error_perm) as cm:
				f.sendcmd(cmd)
			self.assertEqual(harness.code_of(cm.exception), 530)
		f.close()

	def test_login_after_auth_works(self):
		f = ftps(self.srv, prot_p=False)
		self.assertTrue(f.sendcmd("PWD").startswith("257"))
		f.quit()


class RequireAll(TestCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = TLSServer(tls={"require": "all"})

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	def test_prot_c_refused_534(self):
		f = ftps(self.srv, prot_p=False)
		f.sendcmd("PBSZ 0")
		with self.assertRaises(ftplib.error_perm) as cm:
			f.sendcmd("PROT C")
		self.assertEqual(harness.code_of(cm.exception), 534)
		f.quit()

	def test_clear_data_connection_refused_521(self):
		f = ftps(self.srv, prot_p=False)
		with self.assertRaises(ftplib.error_perm) as cm:
			f.nlst()
		self.assertEqual(harness.code_of(cm.exception), 521)
		f.prot_p()
		f.nlst()
		f.quit()


class Implicit(TestCase):
	def test_curl_ftps_implicit(self):
		with TLSServer(tls={"implicit_listen": "127.0.0.1:0"}) as srv:
			line = srv.wait_output(r"listening on 127\.0\.0\.1:(\d+) "
					       r"\(implicit TLS\)")
			self.assertIsNotNone(line, srv.log_text())
			port = int(line.split(":")[-1].split()[0])
			harness.write_file(os.path.join(srv.cell(), "imp.txt"),
					   b"implicit\n")
			r = harness.run(["curl", "-sS", "-k", "--max-time", "30",
					 "-u", "alice:" + PW, "ftps://127.0.0.1:%d/"
					 "imp.txt" % port])
			self.assertEqual(r[0], 0, r)
			self.assertEqual(r[1], "implicit\n")


def server_cert_der(srv):
	t = client_ctx().wrap_socket(auth_tls(srv))
	der = t.getpeercert(binary_form=True)
	t.close()
	return hashlib.sha256(der).hexdigest()


class Reload(TestCase):
	def test_sighup_loads_a_new_certificate_and_keeps_it_on_a_bad_one(self):
		with TLSServer() as srv:
			old = server_cert_der(srv)
			new_cert, new_key = make_cert("reload-new")
			srv.tls_keys.update({"certificate": new_cert,
					     "key": new_key})
			srv.write_conf()
			n = srv.out_len()
			srv.send_signal(signal.SIGHUP)
			self.assertIsNotNone(srv.wait_output("configuration reloaded",
							     start=n))
			new = server_cert_der(srv)
			self.assertNotEqual(new, old)
			# a key of another certificate: refused, the new one stays
			_, other = make_cert("reload-other")
			srv.tls_keys["key"] = other
			srv.write_conf()
			n = srv.out_len()
			srv.send_signal(signal.SIGHUP)
			line = srv.wait_output("reload refused", start=n)
			self.assertIsNotNone(line, srv.log_text())
			self.assertIn("does not match", line)
			self.assertEqual(server_cert_der(srv), new)


class ConfigErrors(TestCase):
	def setUp(self):
		self.srv = TLSServer(start=False)

	def tearDown(self):
		self.srv.cleanup()

	def check(self, **tls):
		self.srv.tls_keys.update(tls)
		lines = self.srv.conf_lines()
		self.srv.write_conf(lines)
		rc, out = self.srv.check_config()
		key = list(tls)[0]
		line = 1 + next(i for i, l in enumerate(lines)
				if l.strip().startswith(key + " ="))
		return rc, out, "cellftpd.conf:%d:" % line

	def test_unreadable_certificate(self):
		rc, out, where = self.check(certificate=os.path.join(work, "none"))
		self.assertEqual(rc, 1, out)
		self.assertIn(where, out)
		self.assertIn("No such file", out)

	def test_key_not_matching(self):
		_, other = make_cert("mismatch")
		rc, out, where = self.check(key=other)
		self.assertEqual(rc, 1, out)
		self.assertIn(where + " tls.key", out)
		self.assertIn("does not match", out)

	def test_bad_require(self):
		rc, out, where = self.check(require="sometimes")
		self.assertEqual(rc, 1, out)
		self.assertIn(where + " tls.require must be", out)

	def test_good_tls_config_checks_ok(self):
		rc, out = self.srv.check_config()
		self.assertEqual(rc, 0, out)


if __name__ == "__main__":
	harness.main()
