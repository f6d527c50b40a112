"""
`cellftpd -t -c FILE` checks a config like `nginx -t`: exit 0 for a good
file; non-zero naming the file and the line for an unknown key, a wrong
type, a missing module, a bad port range, an unreadable users file or a
syntax error.  Starting on a bad config fails the same way, at once, and a
module file writable by others is refused naming the file.
"""

import os
import re
import subprocess
import time

import harness
from harness import Server, TestCase

srv = None


def setUpModule():
	global srv
	srv = Server(start=False)


def tearDownModule():
	srv.cleanup()


def index_of(lines, needle):
	for i, line in enumerate(lines):
		if needle in line:
			return i
	raise AssertionError("%r not in the config" % needle)


class ConfigCheck(TestCase):
	n = 0

	def variant(self, edit):
		"""Write a changed copy of the good config: (path, bad line nos)."""
		lines = srv.conf_lines()
		bad = edit(lines)
		ConfigCheck.n += 1
		path = os.path.join(srv.tmp, "variant%d.conf" % ConfigCheck.n)
		srv.write_conf(lines, path)
		return path, bad, "\n".join(lines)

	def assertRejected(self, edit, what):
		path, bad, text = self.variant(edit)
		t0 = time.monotonic()
		rc, out = srv.check_config(path)
		self.assertLess(time.monotonic() - t0, 20)
		self.assertNotEqual(rc, 0, "%s accepted by -t:\n%s" % (what, text))
		where = re.findall(re.escape(path) + r":(\d+)", out)
		self.assertTrue(where, "%s: output does not name %s:LINE:\n%s"
				% (what, path, out))
		self.assertTrue(any(int(w) in bad for w in where),
				"%s: wrong line %s, expected one of %s:\n%s\n---\n%s"
				% (what, where, sorted(bad), out, text))
		rest = out.split(path, 1)[1]
		self.assertRegex(rest, r"^:\d+:?\s*\S", "no problem named: %r" % out)
		return out

	def test_good_config_passes(self):
		rc, out = srv.check_config()
		self.assertEqual(rc, 0, out)
		self.assertFalse(srv.alive())

	def test_unknown_key(self):
		def edit(lines):
			i = index_of(lines, "server: {")
			lines.insert(i + 1, "  frobnicate = 1;")
			return {i + 2}
		self.assertRejected(edit, "unknown key server.frobnicate")

	def test_unknown_top_level_group(self):
		def edit(lines):
			lines.append("bogus: { a = 1; };")
			return {len(lines)}
		self.assertRejected(edit, "unknown group")

	def test_wrong_type_string_for_int(self):
		def edit(lines):
			i = index_of(lines, "workers =")
			lines[i] = '  workers = "two";'
			return {i + 1}
		self.assertRejected(edit, "workers as a string")

	def test_wrong_type_for_listen(self):
		def edit(lines):
			i = index_of(lines, "listen =")
			lines[i] = "  listen = 2121;"
			return {i + 1}
		self.assertRejected(edit, "listen as an int")

	def test_missing_module(self):
		def edit(lines):
			i = index_of(lines, '"log_file"')
			# Close the log_file entry, add one more entry.
			j = index_of(lines[i:], "}") + i
			lines[j] = "    },"
			lines.insert(j + 1, "    {")
			lines.insert(j + 2, '      name = "no_such_module";')
			lines.insert(j + 3, "    }")
			return {j + 2, j + 3, j + 4}
		out = self.assertRejected(edit, "missing module")
		self.assertIn("no_such_module", out)

	def test_reversed_port_range(self):
		def edit(lines):
			i = index_of(lines, "passive_ports =")
			lines[i] = "  passive_ports = [ 60000, 50000 ];"
			return {i + 1}
		self.assertRejected(edit, "reversed passive port range")

	def test_port_out_of_range(self):
		def edit(lines):
			i = index_of(lines, "passive_ports =")
			lines[i] = "  passive_ports = [ 50000, 70000 ];"
			return {i + 1}
		self.assertRejected(edit, "passive port above 65535")

	def test_bad_listen_address(self):
		def edit(lines):
			i = index_of(lines, "listen =")
			lines[i] = '  listen = [ "127.0.0.1:99999" ];'
			return {i + 1}
		self.assertRejected(edit, "listen port above 65535")

	def test_unreadable_users_file(self):
		d = os.path.join(srv.tmp, "users-is-a-folder")
		os.makedirs(d, exist_ok=True)

		def edit(lines):
			i = index_of(lines, "users =")
			lines[i] = '      users = "%s";' % d
			j = index_of(lines, '"auth_file"')
			return set(range(j, i + 4))
		self.assertRejected(edit, "users file that is a folder")

	def test_syntax_error(self):
		def edit(lines):
			i = index_of(lines, "workers =")
			lines[i] = "  workers = = 2;"
			return {i + 1}
		self.assertRejected(edit, "syntax error")

	def test_start_on_a_bad_config_fails_at_once(self):
		def edit(lines):
			i = index_of(lines, "server: {")
			lines.insert(i + 1, "  frobnicate = 1;")
			return {i + 2}
		path, bad, text = self.variant(edit)
		rc, out = self.start_fails(path)
		self.assertRegex(out, re.escape(path) + r":%d\b" % min(bad))

	def test_group_writable_module_refused(self):
		mod = os.path.join(srv.mods, sorted(os.listdir(srv.mods))[0])
		os.chmod(mod, 0o664)
		try:
			rc, out = self.start_fails()
			self.assertIn(mod, out)
		finally:
			os.chmod(mod, 0o644)

	def test_world_writable_module_folder_refused(self):
		os.chmod(srv.mods, 0o777)
		try:
			rc, out = self.start_fails()
			self.assertIn(srv.mods, out)
		finally:
			os.chmod(srv.mods, 0o755)

	def start_fails(self, path=None, secs=15):
		"""Start cellftpd; it must exit non-zero by itself in secs."""
		p = subprocess.Popen([srv.bin, "-c", path or srv.conf],
				     stdin=subprocess.DEVNULL,
				     stdout=subprocess.PIPE,
				     stderr=subprocess.STDOUT,
				     preexec_fn=harness._child_setup)
		try:
			out, _ = p.communicate(timeout=secs)
		except subprocess.TimeoutExpired:
			p.kill()
			out, _ = p.communicate()
			self.fail("cellftpd kept running:\n%s"
				  % out.decode("utf-8", "replace"))
		out = out.decode("utf-8", "replace")
		self.assertNotEqual(p.returncode, 0, out)
		return p.returncode, out


if __name__ == "__main__":
	harness.main()
