"""
IPv6 on ::1 (RFC 2428): a cellftpd listening on 127.0.0.1 and [::1],
driven by ftplib over IPv6 in passive (EPSV) and active (EPRT |2|::1|...|)
mode.  Skipped when the machine has no ::1.
"""

import os
import socket

import harness
from harness import Server, TestCase

srv = None
PW = "alice-Pw.1"
V6 = socket.AF_INET6


def setUpModule():
	global srv
	srv = Server(users=[("alice", PW, False, None)],
		     listen=("127.0.0.1:0", "[::1]:0"))


def tearDownModule():
	srv.cleanup()


class Listeners(TestCase):
	def test_both_listeners_reported(self):
		hosts = sorted(h for h, p in srv.addrs)
		self.assertEqual(hosts, ["127.0.0.1", "::1"])
		self.assertIsNotNone(srv.wait_output(
			r"cellftpd: listening on \[::1\]:\d+$", 1))

	def test_v6_control_connection_works(self):
		f = srv.ftp(family=V6)
		try:
			self.assertEqual(f.sock.getpeername()[0], "::1")
			self.assertEqual(f.pwd(), "/")
		finally:
			f.bye()


class Modes:
	passive = True

	def setUp(self):
		self.f = srv.ftp(family=V6, passive=self.passive)
		self.tag = "v6-%s-%s" % ("p" if self.passive else "a",
					 self._testMethodName)

	def tearDown(self):
		self.f.bye()

	def test_stor_retr(self):
		data = os.urandom(1 << 20)
		self.f.put(self.tag, data)
		self.assertEqual(srv.read_disk(self.tag), data)
		self.assertEqual(self.f.get(self.tag), data)

	def test_listings(self):
		os.makedirs(srv.on_disk(self.tag), exist_ok=True)
		harness.write_file(srv.on_disk(self.tag, "inner.txt"), b"x")
		self.assertTrue(any(x.endswith(" inner.txt")
				    for x in self.f.lines("LIST " + self.tag)))
		self.assertIn("inner.txt",
			      [os.path.basename(n) for n in self.f.nlst(self.tag)])
		self.assertTrue(any(x.endswith("; inner.txt")
				    for x in self.f.lines("MLSD " + self.tag)))

	def test_rest_retr(self):
		data = os.urandom(5000)
		harness.write_file(srv.on_disk(self.tag), data)
		self.assertEqual(self.f.get(self.tag, rest=4000), data[4000:])


class Passive(Modes, TestCase):
	passive = True


class Active(Modes, TestCase):
	passive = False


class Addresses(TestCase):
	def setUp(self):
		self.c = srv.ctl(family=V6)
		self.c.login("alice", PW)
		self.c.expect("TYPE I", 200)
		harness.write_file(srv.on_disk("v6small"), b"six")

	def tearDown(self):
		self.c.close()

	def test_epsv_229_in_range(self):
		for arg in (None, "2"):
			port = self.c.epsv(arg)
			lo, hi = srv.pasv_range
			self.assertTrue(lo <= port <= hi, port)

	def test_epsv_1_on_ipv6_is_refused(self):
		r = self.c.cmd("EPSV 1")
		self.assertEqual(r.code, 522, "RFC 2428: protocol not supported "
				 "on this connection: %s" % r)

	def test_eprt_v6_download(self):
		ls = harness.listen_socket("::1")
		try:
			port = ls.getsockname()[1]
			self.c.expect("EPRT |2|::1|%d|" % port, 200)
			self.assertIn(self.c.cmd("RETR v6small").code, (125, 150))
			d, peer = ls.accept()
			self.assertEqual(peer[0], "::1")
			self.assertEqual(harness.recv_all(d), b"six")
			d.close()
			self.assertIn(self.c.reply().code, (226, 250))
		finally:
			ls.close()

	def test_eprt_to_an_ipv4_host_is_refused(self):
		r = self.c.cmd("EPRT |1|127.0.0.1|50000|")
		self.assertTrue(500 <= r.code < 600, r)

	def test_eprt_to_another_v6_host_or_low_port_refused(self):
		for arg in ("EPRT |2|::2|50000|", "EPRT |2|::1|21|"):
			r = self.c.cmd(arg)
			self.assertTrue(500 <= r.code < 600, "%s: %s" % (arg, r))

	def test_eprt_malformed_501(self):
		for arg in ("EPRT |2|::zz|50000|", "EPRT |2|::1|"):
			r = self.c.cmd(arg)
			self.assertEqual(r.code, 501, "%s: %s" % (arg, r))

	def test_pasv_on_ipv6_refused_or_a_reachable_address(self):
		# PASV cannot describe an IPv6 address: a server refuses it
		# (RFC 2428 leaves the code open) or answers with an address
		# the client can really reach; never one of another host.
		r = self.c.cmd("PASV")
		if r.code == 227:
			host, port = harness.parse_227(r.lines[0])
			self.assertEqual(host, "127.0.0.1", r)
		else:
			self.assertTrue(500 <= r.code < 600, r)
		self.assertEqual(self.c.cmd("NOOP").code, 200)


if __name__ == "__main__":
	if not harness.have_ipv6_loopback():
		harness.skip_file("::1 is not configured on this machine")
	harness.main()
