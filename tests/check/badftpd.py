"""
A small FTP server for testing cellftp-check itself: correct by default
(every check cellftp-check runs passes against it), with faults that can
be switched on one by one to make exactly one behaviour wrong.  It serves
a temporary directory on loopback, ephemeral ports only; every socket has
a timeout and every loop a bound.

    srv = BadFTPd(root, "alice", "alice-Pw.1", faults={"size_off"})
    srv.start(); ... srv.port ...; srv.stop()

Run it alone:  python3 badftpd.py ROOT [FAULT,FAULT...]
"""

import calendar
import os
import select
import socket
import socketserver
import ssl
import stat
import sys
import threading
import time

TIMEOUT = 10.0			# data connections
IDLE = 60.0			# control connections
MAX_LINE = 4096
CHUNK = 65536
IAC, DONT, DO, WONT, WILL = 255, 254, 253, 252, 251

# Every fault and the one behaviour it breaks (the key is what tests use).
FAULTS = {
	"mkd_code": "MKD answers 250 instead of 257",
	"size_off": "SIZE answers one byte more than the file has",
	"corrupt_retr": "RETR flips a byte in the middle of the file",
	"ignore_rest": "REST is accepted but RETR starts at 0",
	"ignore_rest_stor": "REST is accepted but STOR does not seek",
	"climb": "CWD .. at the root goes to the real parent directory",
	"real_pwd": "PWD and MKD show the real path below the root",
	"bare_lf": "replies end in LF, not CRLF",
	"feat_noindent": "FEAT feature lines have no leading space",
	"no_ascii": "TYPE A downloads are sent unconverted",
	"no_truncate": "STOR over a file does not truncate it",
	"dele_noop": "DELE answers 250 but deletes nothing",
	"port_any": "PORT and EPRT accept any address",
	"nlst_missing": "NLST leaves the last name out",
	"mlsd_size": "MLSD size facts are wrong",
	"long_line_split": "long lines are cut into 512-byte commands",
	"pwd_before_login": "PWD works before login",
	"any_password": "any password logs in",
	"abor_ignored": "ABOR is read only after the transfer ends",
	"stou_noname": "STOU does not say the file name",
	"iac_kept": "Telnet IAC sequences are not removed",
	"epsv_format": "EPSV answers without the (|||port|) form",
	"unknown_200": "unknown commands answer 200",
	"appe_overwrite": "APPE replaces the file",
	"quit_open": "QUIT answers 221 but keeps the connection",
	"pasv_any_source": "a passive port serves any address",
	"retr_escape": "\"..\" in RETR paths climbs out of the root",
	"mdtm_local": "MDTM answers a local time two hours off UTC",
	"nul_truncate": "a NUL cuts a name short",
	"rnto_noop": "RNTO answers 250 but does not rename",
	"cdup_code": "CDUP answers 350",
	"multiline_bad": "multi-line replies end with a different code",
}


class Quit(Exception):
	pass


FAILED = object()		# what Session.safe returns after a refusal


def mtime_str(t):
	return time.strftime("%Y%m%d%H%M%S", time.gmtime(t))


def q257(path):
	return '"' + path.replace('"', '""') + '"'


class Session(socketserver.BaseRequestHandler):
	"""One control connection; self.server is the BadFTPd."""

	def setup(self):
		self.srv = self.server.owner
		self.faults = self.srv.faults
		self.sock = self.request
		self.sock.settimeout(IDLE)
		self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
		self.peer = self.sock.getpeername()[0]
		self.buf = b""
		self.user = None
		self.logged = False
		self.cwd = "/"
		self.real_cwd = None		# set by the "climb" fault only
		self.ascii = False
		self.rest = 0
		self.rnfr = None
		self.pasv = None		# listening socket
		self.port = None		# (host, port) for active mode
		self.epsv_all = False
		self.tls = False
		self.pbsz = False
		self.prot = "C"

	# ---------------------------------------------------------- wire

	def send(self, code, text, lines=None):
		end = b"\n" if "bare_lf" in self.faults else b"\r\n"
		out = []
		if lines is not None:
			out.append("%d-%s" % (code, text))
			out += lines
			last = code + 1 if "multiline_bad" in self.faults \
				else code
			out.append("%d End" % last)
		else:
			out.append("%d %s" % (code, text))
		data = b"".join(l.encode("latin-1", "replace")
				.replace(b"\xff", b"\xff\xff") + end for l in out)
		self.sock.sendall(data)

	def telnet(self, raw):
		"""Remove Telnet commands; IAC IAC is one 0xff."""
		if "iac_kept" in self.faults:
			return raw
		out = bytearray()
		i = 0
		while i < len(raw):
			b = raw[i]
			if b != IAC:
				out.append(b)
				i += 1
			elif i + 1 < len(raw) and raw[i + 1] == IAC:
				out.append(IAC)
				i += 2
			elif i + 1 < len(raw) and raw[i + 1] in (WILL, WONT, DO, DONT):
				i += 3
			else:
				i += 2
		return bytes(out)

	def readline(self):
		"""One command line (str, latin-1), None at EOF; over-long
		lines come back as the marker b'' -> '\\0LONG'."""
		limit = 512 if "long_line_split" in self.faults else MAX_LINE
		too_long = False
		for _ in range(100000):
			nl = self.buf.find(b"\n")
			if nl > limit and "long_line_split" in self.faults:
				line, self.buf = self.buf[:limit], self.buf[limit:]
				return self.telnet(line).decode("latin-1")
			if nl >= 0:
				line, self.buf = self.buf[:nl], self.buf[nl + 1:]
				if too_long or len(line) > limit:
					return "\0LONG"
				return self.telnet(line.rstrip(b"\r")).decode("latin-1")
			if len(self.buf) > limit:
				if "long_line_split" in self.faults:
					line = self.buf[:limit]
					self.buf = self.buf[limit:]
					return self.telnet(line).decode("latin-1")
				self.buf = b""
				too_long = True
			d = self.sock.recv(65536)
			if not d:
				return None
			self.buf += d
		return None

	def handle(self):
		try:
			self.send(220, "badftpd ready")
			for _ in range(100000):
				line = self.readline()
				if line is None:
					return
				if line == "\0LONG":
					self.send(500, "Line too long.")
					continue
				self.dispatch(line)
		except (Quit, OSError, ssl.SSLError):
			pass
		finally:
			self.close_data()

	def finish(self):
		# socketserver closes the plain socket; a TLS wrapper is ours.
		if self.sock is not self.request:
			try:
				self.sock.close()
			except OSError:
				pass

	def dispatch(self, line):
		verb, _, arg = line.partition(" ")
		verb = verb.upper()
		fn = getattr(self, "cmd_" + verb, None)
		if verb in ALIASES:
			fn = getattr(self, "cmd_" + ALIASES[verb])
		if fn is None:
			if "unknown_200" in self.faults:
				return self.send(200, "OK.")
			return self.send(500, "Unknown command.")
		if verb not in PRELOGIN and not self.logged:
			if not (verb == "PWD" and "pwd_before_login" in self.faults):
				return self.send(530, "Please log in.")
		if verb in NEEDS_ARG and not arg:
			return self.send(501, "Missing argument.")
		fn(arg)

	# ---------------------------------------------------------- paths

	def vpath(self, arg):
		"""The virtual path of arg, ".." clamped at "/"."""
		if arg.startswith("/"):
			parts = []
		else:
			parts = [p for p in self.cwd.split("/") if p]
		for p in arg.split("/"):
			if p in ("", "."):
				continue
			if p == "..":
				if parts:
					parts.pop()
				continue
			parts.append(p)
		return "/" + "/".join(parts)

	def real(self, arg):
		if "\0" in arg:
			if "nul_truncate" not in self.faults:
				raise ValueError("NUL in name")
			arg = arg.split("\0")[0]
		if "retr_escape" in self.faults and ".." in arg:
			base = self.real_cwd or os.path.join(self.srv.root,
							       self.cwd.lstrip("/"))
			return os.path.normpath(os.path.join(base, arg)) \
				.encode("latin-1")
		if self.real_cwd is not None and not arg.startswith("/"):
			return os.path.join(self.real_cwd, arg).encode("latin-1")
		v = self.vpath(arg)
		return (self.srv.root + v).encode("latin-1")

	def shown(self, vpath):
		"""A path as replies show it (real_pwd: the real one, below
		the root, as a server that prints realpath() would)."""
		if "real_pwd" in self.faults and vpath != "/":
			return self.srv.root + vpath
		return vpath

	def safe(self, fn, *a):
		"""Run a filesystem action: its result, or FAILED after a
		refusal was sent."""
		try:
			return fn(*a)
		except ValueError:
			self.send(501, "Invalid character in name.")
		except FileExistsError:
			self.send(550, "File exists.")
		except FileNotFoundError:
			self.send(550, "No such file or directory.")
		except OSError as e:
			self.send(550, e.strerror or "Failed.")
		return FAILED

	# ------------------------------------------------------- session

	def cmd_USER(self, arg):
		self.user, self.logged = arg, False
		self.send(331, "Password required.")

	def cmd_PASS(self, arg):
		if self.user is None:
			return self.send(503, "Login with USER first.")
		if self.user == self.srv.login and \
		   (arg == self.srv.password or "any_password" in self.faults):
			self.logged, self.cwd, self.real_cwd = True, "/", None
			return self.send(230, "Logged in.")
		self.user = None
		self.send(530, "Login incorrect.")

	def cmd_QUIT(self, arg):
		self.send(221, "Goodbye.")
		if "quit_open" in self.faults:
			return
		raise Quit()

	def cmd_NOOP(self, arg):
		self.send(200, "NOOP ok.")

	def cmd_SYST(self, arg):
		self.send(215, "UNIX Type: L8")

	def cmd_FEAT(self, arg):
		feats = ["EPRT", "EPSV", "MDTM", "MFMT", "PASV", "REST STREAM",
			 "SIZE", "UTF8",
			 "MLST type*;size*;modify*;perm*;unique*;"]
		if self.srv.tls_ctx is not None:
			feats += ["AUTH TLS", "PBSZ", "PROT"]
		pad = "" if "feat_noindent" in self.faults else " "
		self.send(211, "Features:", [pad + f for f in feats])

	def cmd_OPTS(self, arg):
		if arg.upper() in ("UTF8 ON", "UTF8"):
			return self.send(200, "UTF8 on.")
		self.send(501, "Unknown option.")

	def cmd_HELP(self, arg):
		self.send(214, "Commands:", [" " + " ".join(sorted(COMMANDS))])

	def cmd_SITE(self, arg):
		if arg.upper() == "HELP":
			return self.send(214, "SITE commands: HELP.")
		self.send(500, "Unknown SITE command.")

	def cmd_STAT(self, arg):
		if not arg:
			return self.send(211, "badftpd status:",
					 [" Logged in as %s" % self.user])
		p = self.safe(self.real, arg)
		if p is FAILED:
			return
		lines = self.safe(self.list_lines, p)
		if lines is not FAILED:
			self.send(213, "Status of %s:" % arg,
				  [" " + l for l in lines])

	def cmd_TYPE(self, arg):
		a = arg.upper()
		if a in ("A", "A N"):
			self.ascii = True
		elif a in ("I", "L 8"):
			self.ascii = False
		else:
			return self.send(504, "Unknown TYPE.")
		self.send(200, "Type set.")

	def cmd_MODE(self, arg):
		if arg.upper() != "S":
			return self.send(504, "Only MODE S.")
		self.send(200, "Mode S.")

	def cmd_STRU(self, arg):
		if arg.upper() != "F":
			return self.send(504, "Only STRU F.")
		self.send(200, "Structure F.")

	def cmd_ALLO(self, arg):
		self.send(202, "No storage allocation needed.")

	def cmd_ABOR(self, arg):
		self.close_data()
		self.send(225, "No transfer to abort.")

	def cmd_ACCT(self, arg):
		self.send(202, "Not needed.")

	# ---------------------------------------------------- navigation

	def cmd_PWD(self, arg):
		if self.real_cwd is not None:
			return self.send(257, q257("/") + " is the current "
					 "directory.")
		self.send(257, q257(self.shown(self.cwd)) + " is the current "
			  "directory.")

	def cmd_CWD(self, arg):
		if "climb" in self.faults and self.cwd == "/" and \
		   arg.strip("/") == "..":
			self.real_cwd = os.path.dirname(self.srv.root)
			return self.send(250, "Directory changed.")
		p = self.safe(self.real, arg)
		if p is FAILED:
			return
		if not os.path.isdir(p):
			return self.send(550, "Not a directory.")
		self.cwd, self.real_cwd = self.vpath(arg), None
		self.send(250, "Directory changed.")

	def cmd_CDUP(self, arg):
		if "cdup_code" in self.faults:
			self.cwd = self.vpath("..")
			return self.send(350, "Moved up.")
		if "climb" in self.faults and self.cwd == "/":
			return self.cmd_CWD("..")
		self.cwd = self.vpath("..")
		self.send(250, "Directory changed.")

	# ------------------------------------------------------ files

	def cmd_MKD(self, arg):
		p = self.safe(self.real, arg)
		if p is FAILED or self.safe(os.mkdir, p) is FAILED:
			return
		if "mkd_code" in self.faults:
			return self.send(250, "Created.")
		self.send(257, q257(self.shown(self.vpath(arg))) + " created.")

	def cmd_RMD(self, arg):
		p = self.safe(self.real, arg)
		if p is not FAILED and self.safe(os.rmdir, p) is not FAILED:
			self.send(250, "Removed.")

	def cmd_DELE(self, arg):
		p = self.safe(self.real, arg)
		if p is FAILED:
			return
		if os.path.isdir(p):
			return self.send(550, "Is a directory.")
		if "dele_noop" in self.faults and os.path.exists(p):
			return self.send(250, "Deleted.")
		if self.safe(os.unlink, p) is not FAILED:
			self.send(250, "Deleted.")

	def cmd_RNFR(self, arg):
		p = self.safe(self.real, arg)
		if p is FAILED:
			return
		if not os.path.lexists(p):
			return self.send(550, "No such file.")
		self.rnfr = p
		self.send(350, "Ready for RNTO.")

	def cmd_RNTO(self, arg):
		src, self.rnfr = self.rnfr, None
		if src is None:
			return self.send(503, "RNFR first.")
		p = self.safe(self.real, arg)
		if p is FAILED:
			return
		if "rnto_noop" in self.faults:
			return self.send(250, "Renamed.")
		if self.safe(os.rename, src, p) is not FAILED:
			self.send(250, "Renamed.")

	def cmd_SIZE(self, arg):
		p = self.safe(self.real, arg)
		if p is FAILED:
			return
		if not os.path.isfile(p):
			return self.send(550, "Not a plain file.")
		n = os.path.getsize(p)
		if self.ascii:
			with open(p, "rb") as f:
				n += f.read().count(b"\n")
		if "size_off" in self.faults:
			n += 1
		self.send(213, str(n))

	def cmd_MDTM(self, arg):
		p = self.safe(self.real, arg)
		if p is FAILED:
			return
		if not os.path.isfile(p):
			return self.send(550, "Not a plain file.")
		t = os.stat(p).st_mtime
		if "mdtm_local" in self.faults:
			t += 7200
		self.send(213, mtime_str(t))

	def cmd_MFMT(self, arg):
		when, _, name = arg.partition(" ")
		if len(when) != 14 or not when.isdigit() or not name:
			return self.send(501, "Bad time.")
		p = self.safe(self.real, name)
		if p is FAILED:
			return
		if not os.path.isfile(p):
			return self.send(550, "No such file.")
		t = calendar.timegm(time.strptime(when, "%Y%m%d%H%M%S"))
		os.utime(p, (t, t))
		self.send(213, "Modify=%s; %s" % (when, name))

	def cmd_REST(self, arg):
		if not arg.isdigit():
			return self.send(501, "Bad restart marker.")
		self.rest = int(arg)
		self.send(350, "Restarting at %d." % self.rest)

	# ------------------------------------------------------ listings

	def facts(self, name, st):
		kind = "dir" if stat.S_ISDIR(st.st_mode) else "file"
		f = "type=%s;" % kind
		if kind == "file":
			size = st.st_size + (7 if "mlsd_size" in self.faults else 0)
			f += "size=%d;" % size
		f += "modify=%s;perm=%s;unique=%xU%x;" % (
			mtime_str(st.st_mtime), "rwadf" if kind == "file" else
			"elcmpfd", st.st_dev, st.st_ino)
		return f + " " + name

	def entries(self, p):
		if os.path.isdir(p):
			return sorted(os.listdir(p))
		if os.path.exists(p):
			return None
		raise FileNotFoundError()

	def list_lines(self, p):
		names = self.entries(p)
		out = []
		items = [(os.path.basename(p), p)] if names is None else \
			[(n, os.path.join(p, n)) for n in names]
		for n, full in items:
			st = os.lstat(full)
			out.append("%s 1 ftp ftp %10d %s %s" % (
				"drwxr-xr-x" if stat.S_ISDIR(st.st_mode) else
				"-rw-r--r--", st.st_size,
				time.strftime("%b %d %H:%M", time.gmtime(st.st_mtime)),
				n.decode("latin-1")))
		return out

	def listing(self, arg, kind):
		arg = " ".join(w for w in arg.split(" ") if not w.startswith("-"))
		p = self.safe(self.real, arg or ".")
		if p is FAILED:
			return None
		try:
			names = self.entries(p)
		except FileNotFoundError:
			self.send(550, "No such file or directory.")
			return None
		if kind == "MLSD":
			if names is None:
				self.send(501, "Not a directory.")
				return None
			lines = ["type=cdir;modify=%s; ." % mtime_str(
				os.stat(p).st_mtime)]
			lines += [self.facts(n.decode("latin-1"),
					     os.lstat(os.path.join(p, n)))
				  for n in names]
		elif kind == "NLST":
			if names is None:
				lines = [arg]
			else:
				lines = [n.decode("latin-1") for n in names]
			if "nlst_missing" in self.faults:
				lines = lines[:-1]
		else:
			lines = self.list_lines(p)
		return "".join(l + "\r\n" for l in lines).encode("latin-1")

	def cmd_LIST(self, arg):
		data = self.listing(arg, "LIST")
		if data is not None:
			self.send_data(data, "Here comes the listing.")

	def cmd_NLST(self, arg):
		data = self.listing(arg, "NLST")
		if data is not None:
			self.send_data(data, "Here comes the listing.")

	def cmd_MLSD(self, arg):
		data = self.listing(arg, "MLSD")
		if data is not None:
			self.send_data(data, "Here comes the listing.")

	def cmd_MLST(self, arg):
		p = self.safe(self.real, arg or ".")
		if p is FAILED:
			return
		if not os.path.lexists(p):
			return self.send(550, "No such file or directory.")
		self.send(250, "Listing " + (arg or "."),
			  [" " + self.facts(arg or ".", os.stat(p))])

	# ---------------------------------------------------- data setup

	def close_data(self):
		if self.pasv is not None:
			self.pasv.close()
			self.pasv = None
		self.port = None

	def cmd_PASV(self, arg):
		if self.epsv_all:
			return self.send(503, "EPSV ALL in force.")
		self.open_pasv()
		p = self.pasv.getsockname()[1]
		h = self.sock.getsockname()[0].split(".")
		self.send(227, "Entering Passive Mode (%s,%d,%d)." % (
			",".join(h), p >> 8, p & 255))

	def cmd_EPSV(self, arg):
		if arg.upper() == "ALL":
			self.epsv_all = True
			return self.send(200, "EPSV ALL ok.")
		if arg and arg != "1":
			return self.send(522 if arg.isdigit() else 501,
					 "Protocol not supported, use (1).")
		self.open_pasv()
		p = self.pasv.getsockname()[1]
		if "epsv_format" in self.faults:
			return self.send(229, "Entering Extended Passive Mode "
					 "port %d." % p)
		self.send(229, "Entering Extended Passive Mode (|||%d|)." % p)

	def open_pasv(self):
		self.close_data()
		s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		s.bind((self.sock.getsockname()[0], 0))
		s.listen(4)
		s.settimeout(TIMEOUT)
		self.pasv = s

	def set_port(self, host, port):
		if "port_any" not in self.faults and \
		   (host != self.peer or port < 1024):
			return self.send(500, "Illegal PORT command.")
		self.close_data()
		self.port = (host, port)
		self.send(200, "PORT ok.")

	def cmd_PORT(self, arg):
		if self.epsv_all:
			return self.send(503, "EPSV ALL in force.")
		try:
			n = [int(x) for x in arg.split(",")]
		except ValueError:
			n = []
		if len(n) != 6 or any(x < 0 or x > 255 for x in n):
			return self.send(501, "Illegal PORT command.")
		self.set_port("%d.%d.%d.%d" % tuple(n[:4]), n[4] * 256 + n[5])

	def cmd_EPRT(self, arg):
		if self.epsv_all:
			return self.send(503, "EPSV ALL in force.")
		parts = arg[1:].split(arg[:1]) if len(arg) > 2 else []
		if len(parts) != 4 or not parts[2].isdigit():
			return self.send(501, "Illegal EPRT command.")
		if parts[0] != "1":
			return self.send(522, "Protocol not supported, use (1).")
		self.set_port(parts[1], int(parts[2]))

	def data_conn(self):
		"""The data socket, after the 150; None after a 425."""
		if self.pasv is not None:
			lsock, self.pasv = self.pasv, None
			try:
				for _ in range(4):
					conn, addr = lsock.accept()
					if addr[0] == self.peer or \
					   "pasv_any_source" in self.faults:
						break
					conn.close()
				else:
					conn = None
			except OSError:
				conn = None
			lsock.close()
		elif self.port is not None:
			try:
				conn = socket.create_connection(self.port, timeout=3)
			except OSError:
				conn = None
			self.port = None
		else:
			self.send(425, "Use PORT or PASV first.")
			return None
		if conn is None:
			self.send(425, "Cannot open data connection.")
			return None
		conn.settimeout(TIMEOUT)
		if self.prot == "P":
			conn = self.srv.tls_ctx.wrap_socket(conn, server_side=True)
		return conn

	def pending_abor(self):
		"""Whether an ABOR arrived on the control connection."""
		if "abor_ignored" in self.faults:
			return False
		r = select.select([self.sock], [], [], 0)[0]
		pend = self.tls and self.sock.pending()
		if not r and not pend:
			return False
		d = self.sock.recv(4096)
		if not d:
			raise Quit()
		self.buf += d
		return b"ABOR" in self.telnet(self.buf).upper()

	def send_data(self, data, text):
		if self.pasv is None and self.port is None:
			return self.send(425, "Use PORT or PASV first.")
		self.send(150, text)
		conn = self.data_conn()
		if conn is None:
			return
		deadline = time.monotonic() + 3 * TIMEOUT
		try:
			for off in range(0, max(len(data), 1), CHUNK):
				while not select.select([], [conn], [], 0.2)[1]:
					if self.pending_abor() or \
					   time.monotonic() > deadline:
						raise BrokenPipeError()
				if self.pending_abor():
					raise BrokenPipeError()
				conn.sendall(data[off:off + CHUNK])
			self.end_data(conn)
			self.send(226, "Transfer complete.")
		except (OSError, ssl.SSLError):
			conn.close()
			if b"ABOR" in self.telnet(self.buf).upper():
				self.buf = b""
				self.send(426, "Transfer aborted.")
				return self.send(226, "ABOR ok.")
			self.send(426, "Transfer failed.")

	def end_data(self, conn):
		if isinstance(conn, ssl.SSLSocket):
			try:
				conn = conn.unwrap()
			except (OSError, ssl.SSLError):
				pass
		conn.close()

	def recv_data(self, conn):
		chunks = []
		for _ in range(1 << 20):
			try:
				d = conn.recv(CHUNK)
			except ssl.SSLError:
				d = b""
			if not d:
				break
			chunks.append(d)
		self.end_data(conn)
		return b"".join(chunks)

	# ----------------------------------------------------- transfers

	def cmd_RETR(self, arg):
		rest, self.rest = self.rest, 0
		p = self.safe(self.real, arg)
		if p is FAILED:
			return
		if not os.path.isfile(p):
			return self.send(550, "Not a plain file.")
		with open(p, "rb") as f:
			data = f.read()
		if rest > len(data):
			return self.send(554, "Restart point beyond the end.")
		if "ignore_rest" not in self.faults:
			data = data[rest:]
		if self.ascii and "no_ascii" not in self.faults:
			data = data.replace(b"\n", b"\r\n")
		if "corrupt_retr" in self.faults and len(data) > 1000:
			m = len(data) // 2
			data = data[:m] + bytes([data[m] ^ 1]) + data[m + 1:]
		self.send_data(data, "Opening data connection.")

	def store(self, arg, how):
		rest, self.rest = self.rest, 0
		p = self.safe(self.real, arg)
		if p is FAILED:
			return
		if os.path.isdir(p) or not os.path.isdir(os.path.dirname(p)):
			return self.send(553, "Cannot create the file.")
		if self.pasv is None and self.port is None:
			return self.send(425, "Use PORT or PASV first.")
		text = "Opening data connection."
		if how == "stou":
			base, n = p, 0
			while os.path.exists(p) and n < 1000:
				n += 1
				p = b"%s.%d" % (base, n)
			if "stou_noname" not in self.faults:
				text = "FILE: " + os.path.basename(p).decode("latin-1")
		self.send(150, text)
		conn = self.data_conn()
		if conn is None:
			return
		data = self.recv_data(conn)
		if self.ascii:
			data = data.replace(b"\r\n", b"\n")
		mode = "r+b" if os.path.exists(p) else "wb"
		with open(p, mode) as f:
			if how == "appe" and "appe_overwrite" not in self.faults:
				f.seek(0, os.SEEK_END)
			elif rest and "ignore_rest_stor" not in self.faults:
				f.seek(rest)
			f.write(data)
			if how != "appe" and "no_truncate" not in self.faults:
				f.truncate()
			elif how == "appe" and "appe_overwrite" in self.faults:
				f.truncate()
		self.send(226, "Transfer complete.")

	def cmd_STOR(self, arg):
		self.store(arg, "stor")

	def cmd_APPE(self, arg):
		self.store(arg, "appe")

	def cmd_STOU(self, arg):
		self.store(arg or "stou", "stou")

	# ------------------------------------------------------------ TLS

	def cmd_AUTH(self, arg):
		if self.srv.tls_ctx is None or arg.upper() != "TLS":
			return self.send(504, "AUTH TLS only.")
		self.send(234, "AUTH TLS ok.")
		self.sock = self.srv.tls_ctx.wrap_socket(self.sock,
							 server_side=True)
		self.tls = True

	def cmd_PBSZ(self, arg):
		if not self.tls:
			return self.send(503, "AUTH TLS first.")
		self.pbsz = True
		self.send(200, "PBSZ=0")

	def cmd_PROT(self, arg):
		if not self.pbsz:
			return self.send(503, "PBSZ first.")
		if arg.upper() not in ("C", "P"):
			return self.send(504, "PROT C or P.")
		self.prot = arg.upper()
		self.send(200, "PROT %s." % self.prot)


ALIASES = {"XPWD": "PWD", "XCWD": "CWD", "XCUP": "CDUP", "XMKD": "MKD",
	   "XRMD": "RMD"}
COMMANDS = [n[4:] for n in dir(Session) if n.startswith("cmd_")] + \
	list(ALIASES)
PRELOGIN = {"USER", "PASS", "QUIT", "NOOP", "SYST", "FEAT", "HELP", "OPTS",
	    "TYPE", "MODE", "STRU", "ABOR", "AUTH", "PBSZ", "PROT", "ACCT"}
NEEDS_ARG = {"MKD", "XMKD", "RMD", "XRMD", "DELE", "RNFR", "RNTO", "RETR",
	     "STOR", "APPE", "TYPE", "MODE", "STRU", "CWD", "XCWD", "SIZE",
	     "MDTM", "MFMT", "REST", "PORT", "EPRT", "USER"}


class _Server(socketserver.ThreadingTCPServer):
	daemon_threads = True
	allow_reuse_address = True


class BadFTPd:
	"""The server: root is served as the single user's "/"."""

	def __init__(self, root, login, password, faults=(), cert=None):
		unknown = set(faults) - set(FAULTS)
		if unknown:
			raise ValueError("unknown faults: %s" % sorted(unknown))
		self.root = os.path.realpath(root)
		self.login, self.password = login, password
		self.faults = frozenset(faults)
		self.tls_ctx = None
		if cert is not None:
			self.tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
			self.tls_ctx.load_cert_chain(*cert)
		self.server = _Server(("127.0.0.1", 0), Session)
		self.server.owner = self
		self.port = self.server.server_address[1]
		self.thread = None

	def start(self):
		self.thread = threading.Thread(target=self.server.serve_forever,
					       kwargs={"poll_interval": 0.2},
					       daemon=True)
		self.thread.start()

	def stop(self):
		self.server.shutdown()
		self.server.server_close()
		if self.thread is not None:
			self.thread.join(5)


if __name__ == "__main__":
	if len(sys.argv) < 2:
		sys.exit("usage: badftpd.py ROOT [FAULT,...]  (faults: %s)"
			 % ", ".join(sorted(FAULTS)))
	s = BadFTPd(sys.argv[1], "alice", "alice-Pw.1",
		    [f for f in (sys.argv[2] if len(sys.argv) > 2 else "")
		     .split(",") if f])
	s.start()
	print("badftpd on 127.0.0.1:%d" % s.port, flush=True)
	try:
		time.sleep(3600)
	finally:
		s.stop()
