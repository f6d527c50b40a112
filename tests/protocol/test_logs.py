"""
log_file.so, first version: connections, authentication and file
operations are written to separate files in the configured folder, name
the user and the virtual path, and never contain a password or a real
path.
"""

import os
import time

import harness
from harness import Server, TestCase

PW = "Log-Secret-Pw.9"
BAD_PW = "Wrong-Secret-Pw.8"


class Logs(TestCase):
	@classmethod
	def setUpClass(cls):
		cls.srv = Server(users=[("alice", PW, False, None)])
		f = cls.srv.connect()
		try:
			f.login("alice", BAD_PW)
		except Exception:
			pass
		f.close()
		f = cls.srv.ftp()
		f.put("logged-file.txt", b"logged")
		f.get("logged-file.txt")
		f.mkd("logged-dir")
		f.delete("logged-file.txt")
		f.bye()
		cls.texts = cls.wait_logs()

	@classmethod
	def tearDownClass(cls):
		cls.srv.cleanup()

	@classmethod
	def wait_logs(cls, secs=10):
		"""{file name: text} once the file events show up (bounded)."""
		deadline = time.monotonic() + secs
		texts = {}
		while time.monotonic() < deadline:
			texts = {}
			for dirpath, _, files in os.walk(cls.srv.logdir):
				for n in files:
					p = os.path.join(dirpath, n)
					with open(p, "rb") as fh:
						texts[os.path.relpath(p, cls.srv.logdir)] = \
							fh.read().decode("utf-8", "replace")
			if any("logged-dir" in t for t in texts.values()):
				break
			time.sleep(0.2)
		return texts

	def test_separate_files_per_category(self):
		nonempty = [n for n, t in self.texts.items() if t.strip()]
		self.assertGreaterEqual(len(nonempty), 2,
					"expected connection, auth and file logs "
					"in separate files: %s" % sorted(self.texts))

	def test_login_and_user_are_logged(self):
		self.assertTrue(any("alice" in t for t in self.texts.values()),
				self.texts)

	def test_file_operations_are_logged_with_virtual_paths(self):
		allt = "\n".join(self.texts.values())
		for name in ("logged-file.txt", "logged-dir"):
			self.assertIn(name, allt)

	def test_no_password_in_any_log(self):
		for n, t in self.texts.items():
			self.assertNotIn(PW, t, "password in %s" % n)
			self.assertNotIn(BAD_PW, t, "failed password in %s" % n)

	def test_no_real_path_in_any_log(self):
		for n, t in self.texts.items():
			self.assertNotIn(self.srv.root, t, "real path in %s" % n)

	def test_connection_address_is_logged(self):
		self.assertTrue(any("127.0.0.1" in t for t in self.texts.values()))


if __name__ == "__main__":
	harness.main()
