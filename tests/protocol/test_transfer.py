"""
Data transfers against a live cellftpd: binary and ASCII (RFC 959 3.1.1),
REST with RETR and STOR (RFC 3659 5), passive (PASV, EPSV) and active
(PORT, EPRT) data connections, ABOR during a download (426 then 226),
large downloads at once beyond the pipes kept for them,
STAT and NOOP answered while a transfer runs, a passive connection
from a foreign address refused, and the passive port kept for the
session's next PASV.
"""

import hashlib
import io
import os
import socket
import threading
import time

import harness
from harness import Server, TestCase

srv = None
PW = "alice-Pw.1"
BIG = 256 << 20		# sparse: never fits in socket buffers


def setUpModule():
	global srv
	srv = Server(users=[("alice", PW, False, None)])
	cell = srv.cell("alice")
	with open(os.path.join(cell, "big.sparse"), "wb") as f:
		f.truncate(BIG)
	harness.write_file(os.path.join(cell, "small.txt"), b"small file\n")


def tearDownModule():
	srv.cleanup()


class LoggedIn(TestCase):
	"""alice logged in on a raw control connection, binary type."""

	def setUp(self):
		self.c = srv.ctl()
		self.c.login("alice", PW)
		self.c.expect("TYPE I", 200)

	def tearDown(self):
		self.c.close()

	def fetch(self, addr):
		"""RETR small.txt over a data connection to addr: the bytes."""
		d = self.c.data_connect(addr)
		self.assertIn(self.c.cmd("RETR small.txt").code, (125, 150))
		got = harness.recv_all(d)
		d.close()
		self.assertEqual(self.c.reply().code, 226)
		return got


class Modes:
	"""Transfers that must work the same in passive and active mode."""

	passive = True

	def setUp(self):
		self.f = srv.ftp(passive=self.passive)
		self.tag = "%s-%s" % ("pasv" if self.passive else "actv",
				      self._testMethodName)

	def tearDown(self):
		self.f.bye()

	def test_binary_round_trip_5mb(self):
		data = os.urandom(5 << 20)
		self.f.put(self.tag, data)
		self.assertEqual(
			hashlib.sha256(srv.read_disk(self.tag)).hexdigest(),
			hashlib.sha256(data).hexdigest())
		got = self.f.get(self.tag)
		self.assertEqual(len(got), len(data))
		self.assertTrue(got == data, "downloaded bytes differ")

	def test_list_nlst_mlsd(self):
		os.makedirs(srv.on_disk(self.tag), exist_ok=True)
		harness.write_file(srv.on_disk(self.tag, "f1"), b"abc")
		lines = self.f.lines("LIST " + self.tag)
		self.assertTrue(any(x.endswith(" f1") for x in lines), lines)
		names = [os.path.basename(x) for x in self.f.nlst(self.tag)]
		self.assertIn("f1", names)
		lines = self.f.lines("MLSD " + self.tag)
		self.assertTrue(any(x.endswith("; f1") for x in lines), lines)

	def test_rest_retr(self):
		data = os.urandom(100000)
		harness.write_file(srv.on_disk(self.tag), data)
		self.assertEqual(self.f.get(self.tag, rest=12345), data[12345:])
		# The restart marker is used once: the next RETR is whole.
		self.assertEqual(self.f.get(self.tag), data)

	def test_rest_retr_of_a_large_file(self):
		# A large download goes through a pipe of its own: a restart
		# offset in mid-page still gives exactly the tail.
		data = os.urandom(6 << 20)
		harness.write_file(srv.on_disk(self.tag), data)
		got = self.f.get(self.tag, rest=1234567)
		self.assertEqual(len(got), len(data) - 1234567)
		self.assertTrue(got == data[1234567:], "downloaded bytes differ")

	def test_rest_stor(self):
		first = os.urandom(1000)
		second = os.urandom(700)
		harness.write_file(srv.on_disk(self.tag), first)
		self.f.put(self.tag, second, rest=500)
		self.assertEqual(srv.read_disk(self.tag), first[:500] + second)

	def test_appe(self):
		self.f.put(self.tag, b"one-")
		self.f.put(self.tag, b"two", cmd="APPE")
		self.assertEqual(srv.read_disk(self.tag), b"one-two")

	def test_ascii_retr_converts_lf_to_crlf(self):
		harness.write_file(srv.on_disk(self.tag),
				   b"line1\nline2\n\nlast")
		self.assertEqual(self._ascii_retr(self.tag),
				 b"line1\r\nline2\r\n\r\nlast")
		lines = []
		self.f.retrlines("RETR " + self.tag, lines.append)
		self.assertEqual(lines, ["line1", "line2", "", "last"])

	def test_ascii_stor_converts_crlf_to_lf(self):
		self._ascii_stor(self.tag, b"x\r\ny\r\n\r\nz")
		self.assertEqual(srv.read_disk(self.tag), b"x\ny\n\nz")
		self.f.storlines("STOR " + self.tag + ".2",
				 io.BytesIO(b"p\nq\n"))
		self.assertEqual(srv.read_disk(self.tag + ".2"), b"p\nq\n")

	def test_ascii_conversion_across_buffer_boundaries(self):
		# Lines of odd lengths put CR and LF on every possible offset of
		# any internal buffer size.
		text = b"".join(b"%d:%s\n" % (i, b"x" * (i % 97))
				for i in range(40000))
		harness.write_file(srv.on_disk(self.tag), text)
		self.assertEqual(self._ascii_retr(self.tag),
				 text.replace(b"\n", b"\r\n"))
		self._ascii_stor(self.tag + ".up", text.replace(b"\n", b"\r\n"))
		self.assertEqual(srv.read_disk(self.tag + ".up"), text)

	def test_many_transfers_in_one_session(self):
		harness.write_file(srv.on_disk(self.tag), b"again and again")
		for i in range(30):
			self.assertEqual(self.f.get(self.tag), b"again and again")
		self.assertCode(self.f.sendcmd("NOOP"), 200)

	def _ascii_retr(self, path):
		self.f.voidcmd("TYPE A")
		conn = self.f.transfercmd("RETR " + path)
		data = harness.recv_all(conn)
		conn.close()
		self.assertCode(self.f.voidresp(), 226, 250)
		return data

	def _ascii_stor(self, path, data):
		self.f.voidcmd("TYPE A")
		conn = self.f.transfercmd("STOR " + path)
		conn.sendall(data)
		conn.close()
		self.assertCode(self.f.voidresp(), 226, 250)


class Passive(Modes, TestCase):
	passive = True


class Active(Modes, TestCase):
	passive = False


class ExtendedAddresses(LoggedIn):
	"""EPSV and EPRT on an IPv4 control connection (RFC 2428)."""

	def test_epsv_download(self):
		port = self.c.epsv()
		self.assertEqual(self.fetch(("127.0.0.1", port)),
				 b"small file\n")

	def test_eprt_download(self):
		ls = harness.listen_socket("127.0.0.1")
		try:
			self.c.expect("EPRT |1|127.0.0.1|%d|" % ls.getsockname()[1],
				      200)
			self.assertIn(self.c.cmd("RETR small.txt").code, (125, 150))
			d, peer = ls.accept()
			self.assertEqual(peer[0], "127.0.0.1")
			self.assertEqual(harness.recv_all(d), b"small file\n")
			d.close()
			self.assertIn(self.c.reply().code, (226, 250))
		finally:
			ls.close()

	def test_port_to_a_closed_port_gives_425(self):
		ls = harness.listen_socket("127.0.0.1")
		port = ls.getsockname()[1]
		ls.close()	# nobody listens there now
		self.c.expect("PORT " + harness.port_arg("127.0.0.1", port), 200)
		r = self.c.cmd("RETR small.txt", timeout=25)
		if r.code in (125, 150):
			r = self.c.reply(timeout=25)
		self.assertIn(r.code, (425, 426), r)
		self.assertEqual(self.c.cmd("NOOP").code, 200)

	def test_pasv_port_is_in_the_configured_range(self):
		lo, hi = srv.pasv_range
		for _ in range(5):
			host, port = self.c.pasv()
			self.assertEqual(host, "127.0.0.1")
			self.assertTrue(lo <= port <= hi, port)
			port = self.c.epsv()
			self.assertTrue(lo <= port <= hi, port)


class DuringTransfer(LoggedIn):
	"""The control connection stays alive while a download runs."""

	def start_big_download(self):
		host, port = self.c.pasv()
		d = self.c.data_connect((host, port))
		r = self.c.cmd("RETR big.sparse")
		self.assertIn(r.code, (125, 150), r)
		got = d.recv(65536)
		self.assertTrue(got, "no data at all")
		return d

	def drain_until_closed(self, d, limit=BIG, secs=20):
		"""Read until the server closes: bytes read (bounded)."""
		n = 0
		d.settimeout(secs)
		deadline = time.monotonic() + secs
		try:
			while n < limit and time.monotonic() < deadline:
				b = d.recv(1 << 20)
				if not b:
					return n, True
				n += len(b)
		except ConnectionResetError:
			return n, True
		except socket.timeout:
			return n, False
		return n, False

	def test_stat_and_noop_answered_during_download(self):
		d = self.start_big_download()
		try:
			t0 = time.monotonic()
			r = self.c.cmd("NOOP", timeout=5)
			self.assertEqual(r.code, 200, r)
			r = self.c.cmd("STAT", timeout=5)
			self.assertIn(r.code, (211, 212, 213), r)
			self.assertLess(time.monotonic() - t0, 5)
		finally:
			self.c.send("ABOR\r\n")
			d.close()
		codes = [self.c.reply().code]
		if codes[0] == 426:
			codes.append(self.c.reply().code)
		self.assertEqual(self.c.cmd("NOOP").code, 200)

	def test_abor_during_download_426_then_226(self):
		d = self.start_big_download()
		try:
			r1 = self.c.cmd("ABOR", timeout=10)
			self.assertEqual(r1.code, 426, "first reply to ABOR during a "
					 "transfer (RFC 959 4.1.3): %s" % r1)
			r2 = self.c.reply(timeout=10)
			self.assertEqual(r2.code, 226, r2)
			n, closed = self.drain_until_closed(d)
			self.assertTrue(closed, "data connection still open after ABOR")
			self.assertLess(n, BIG, "the whole file came after ABOR")
		finally:
			d.close()
		# The session goes on and can transfer again.
		self.assertEqual(self.c.cmd("NOOP").code, 200)
		self.assertEqual(self.fetch(self.c.pasv()), b"small file\n")

	def test_abor_with_telnet_synch_as_ftplib_sends_it(self):
		# ftplib.abort() sends "ABOR\r\n" with MSG_OOB: the urgent byte
		# must not be lost (RFC 959 4.1.3 Telnet "Synch").
		f = srv.ftp()
		try:
			f.voidcmd("TYPE I")
			conn = f.transfercmd("RETR big.sparse")
			self.assertTrue(conn.recv(65536))
			f.sock.settimeout(10)
			r = f.abort()
			self.assertIn(r[:3], ("426", "225", "226"))
			conn.close()
			if r.startswith("426"):
				self.assertCode(f.getmultiline(), 226)
			self.assertCode(f.sendcmd("NOOP"), 200)
			self.assertEqual(f.get("small.txt"), b"small file\n")
		finally:
			f.bye()

	def test_abor_with_telnet_ip_dm_prefix(self):
		# IAC IP IAC DM before ABOR, as RFC 959 4.1.3 describes.
		d = self.start_big_download()
		try:
			self.c.send(b"\xff\xf4\xff\xf2ABOR\r\n")
			r1 = self.c.reply(timeout=10)
			self.assertEqual(r1.code, 426, r1)
			self.assertEqual(self.c.reply(timeout=10).code, 226)
		finally:
			d.close()
		self.assertEqual(self.c.cmd("NOOP").code, 200)

	def test_client_closing_data_connection_gives_426(self):
		d = self.start_big_download()
		d.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
			     b"\x01\x00\x00\x00\x00\x00\x00\x00")
		d.close()	# RST
		r = self.c.reply(timeout=15)
		self.assertIn(r.code, (426, 451), r)
		self.assertEqual(self.c.cmd("NOOP").code, 200)


class DuringUpload(LoggedIn):
	def start_upload(self, name):
		d = self.c.data_connect(self.c.pasv())
		r = self.c.cmd("STOR " + name)
		self.assertIn(r.code, (125, 150), r)
		d.sendall(b"u" * 300000)
		return d

	def test_stat_and_noop_answered_during_upload(self):
		d = self.start_upload("up-stat")
		try:
			self.assertEqual(self.c.cmd("NOOP", timeout=5).code, 200)
			self.assertIn(self.c.cmd("STAT", timeout=5).code,
				      (211, 212, 213))
			d.sendall(b"v" * 100000)
		finally:
			d.close()
		self.assertIn(self.c.reply(timeout=10).code, (226, 250))
		self.assertEqual(os.path.getsize(srv.on_disk("up-stat")),
				 400000)

	def test_abor_during_upload(self):
		d = self.start_upload("up-abor")
		try:
			r1 = self.c.cmd("ABOR", timeout=10)
			# RFC 959 4.1.3: 426 then 226 if the transfer was cut; a
			# transfer already complete gets 226 alone.
			self.assertIn(r1.code, (426, 226), r1)
			if r1.code == 426:
				self.assertEqual(self.c.reply(timeout=10).code, 226)
		finally:
			d.close()
		self.assertEqual(self.c.cmd("NOOP").code, 200)
		self.assertLessEqual(os.path.getsize(srv.on_disk("up-abor")),
				     300000)


class DataConnectionIsPerTransfer(LoggedIn):
	def test_second_transfer_needs_a_new_pasv(self):
		self.assertEqual(self.fetch(self.c.pasv()), b"small file\n")
		r = self.c.cmd("RETR small.txt", timeout=25)
		if r.code in (125, 150):
			r = self.c.reply(timeout=25)
		self.assertIn(r.code, (425, 426, 503), r)
		self.assertEqual(self.c.cmd("NOOP").code, 200)


class ParallelSessions(TestCase):
	def test_twenty_sessions_transfer_at_once(self):
		n = 20
		errors = []
		blobs = [os.urandom(1 << 20) for _ in range(n)]
		for i, b in enumerate(blobs):
			harness.write_file(srv.on_disk("par-src-%d" % i), b)

		def worker(i):
			try:
				f = srv.ftp(passive=(i % 2 == 0))
				try:
					f.put("par-dst-%d" % i, blobs[i])
					got = f.get("par-src-%d" % i)
					if got != blobs[i]:
						errors.append("session %d: download differs" % i)
				finally:
					f.bye()
			except Exception as e:	# reported below
				errors.append("session %d: %r" % (i, e))

		threads = [threading.Thread(target=worker, args=(i,))
			   for i in range(n)]
		for t in threads:
			t.start()
		for t in threads:
			t.join(120)
		self.assertFalse(any(t.is_alive() for t in threads),
				 "sessions still running after 120 s")
		self.assertEqual(errors, [])
		for i, b in enumerate(blobs):
			self.assertTrue(srv.read_disk("par-dst-%d" % i) == b,
					"upload %d differs" % i)


def server_pipes():
	"""Pipes the server process holds open now (each is two descriptors)."""
	fds = "/proc/%d/fd" % srv.proc.pid
	seen = set()
	for fd in os.listdir(fds):
		try:
			link = os.readlink(os.path.join(fds, fd))
		except FileNotFoundError:	# closed meanwhile
			continue
		if link.startswith("pipe:"):
			seen.add(link)
	return len(seen)


class LargeDownloadsAtOnce(TestCase):
	"""Large downloads splice through pipes of their own, 16 at most
	between them (each counts against the server user's pipe pages); the
	ones past that use sendfile.  Every download gets its exact bytes,
	and each pipe is given back when its transfer ends, finished or cut
	off by the client."""

	N = 24
	SIZE = 16 << 20		# more than socket buffers and pipe hold

	def start(self, name):
		c = srv.ctl()
		c.login("alice", PW)
		c.expect("TYPE I", 200)
		d = c.data_connect(c.pasv())
		r = c.cmd("RETR " + name)
		self.assertIn(r.code, (125, 150), r)
		# unread, the socket holds the transfer in mid-file
		return c, d, d.recv(65536)

	def test_more_downloads_than_pipes(self):
		data = os.urandom(self.SIZE)
		harness.write_file(srv.on_disk("held.bin"), data)
		base = server_pipes()
		held = []
		try:
			for _ in range(self.N):
				held.append(self.start("held.bin"))
			in_use = server_pipes() - base
			self.assertGreater(in_use, 0, "no download used a pipe")
			self.assertLessEqual(in_use, 16)
			for i, (c, d, head) in enumerate(held):
				if i % 4 == 0:	# the client gives up
					d.close()
					self.assertIn(c.reply(timeout=20).code,
						      (426, 451))
					continue
				got = head + harness.recv_all(d)
				self.assertEqual(len(got), len(data))
				self.assertTrue(got == data, "download %d differs" % i)
				self.assertEqual(c.reply(timeout=20).code, 226)
		finally:
			for c, d, _ in held:
				d.close()
				c.close()
		# the reply leaves after the pipe is closed
		self.assertEqual(server_pipes(), base)


class ForeignPassiveConnection(LoggedIn):
	def test_passive_connection_from_another_address_is_refused(self):
		host, port = self.c.pasv()
		bad = self.c.data_connect((host, port), source="127.0.0.2")
		# No reply without a command (a stray one would desync
		# every client): the refusal is silent on the control.
		stray = self.c.pending(1.0)
		self.assertEqual(stray, b"", "unsolicited reply after a "
				 "foreign data connection")
		self.c.send("RETR small.txt\r\n")
		bad.settimeout(5)
		got = b""
		try:
			for _ in range(100):
				b = bad.recv(65536)
				if not b:
					break
				got += b
		except (socket.timeout, ConnectionResetError):
			pass
		bad.close()
		self.assertEqual(got, b"", "file sent to a foreign address")
		# Either the transfer fails, or it still waits for the
		# right client and works with it.
		r = self.c.reply(timeout=25)
		if r.code in (125, 150):
			data = None
			try:
				good = self.c.data_connect((host, port))
			except OSError:
				good = None
			if good:
				data = harness.recv_all(good)
				good.close()
			r = self.c.reply(timeout=25)
			if r.code in (226, 250):
				self.assertEqual(data, b"small file\n")
			else:
				self.assertIn(r.code, (425, 426), r)
		else:
			self.assertIn(r.code, (425, 426), r)
		self.assertEqual(self.c.cmd("NOOP").code, 200)


class PassiveListenerKept(LoggedIn):
	"""A session fetching file after file keeps its passive port for a
	moment (no new socket per file), yet each PASV still takes exactly
	one connection, made after its 227."""

	def test_the_next_pasv_gets_the_same_port(self):
		first = self.c.pasv()
		self.assertEqual(self.fetch(first), b"small file\n")
		second = self.c.pasv()
		self.assertEqual(second, first)
		self.assertEqual(self.fetch(second), b"small file\n")

	def test_a_connection_made_before_the_pasv_gets_no_data(self):
		addr = self.c.pasv()
		self.fetch(addr)
		early = self.c.data_connect(addr)	# queued by the kernel
		try:
			self.assertEqual(self.c.pasv(), addr)
			self.assertEqual(self.fetch(addr), b"small file\n")
			early.settimeout(5)
			try:
				self.assertEqual(early.recv(65536), b"")
			except ConnectionResetError:
				pass
		finally:
			early.close()

	def test_the_port_is_let_go_when_no_pasv_follows(self):
		addr = self.c.pasv()
		self.fetch(addr)

		def let_go():
			try:
				socket.create_connection(addr, timeout=2).close()
			except ConnectionRefusedError:
				return True
			except TimeoutError:	# its queue of 2 is full
				return False
			return False
		self.assertTrue(harness.wait_for(let_go, 10, 0.5),
				"passive port still open 10 s after its transfer")
		self.assertEqual(self.c.cmd("NOOP").code, 200)


if __name__ == "__main__":
	harness.main()
