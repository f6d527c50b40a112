"""
One real PAM login, no wrappers: a throwaway system user made with
useradd/chpasswd, a PAM service of pam_unix in /etc/pam.d, cellftpd serving
as "nobody".  pam_unix can check another user's password only as root, so
this proves the privileged helper does it while the server holds no root,
and that an upload belongs to the user.  Needs root (skipped otherwise).
"""

import os
import pwd
import random
import shutil
import subprocess

import harness
from harness import Server, TestCase

SERVICE_DIR = "/etc/pam.d"
user = None
service = None


def run(*argv, data=None):
	r = subprocess.run(argv, input=data, stdout=subprocess.PIPE,
			   stderr=subprocess.STDOUT, timeout=60)
	if r.returncode != 0:
		raise RuntimeError("%s: %s" % (" ".join(argv), r.stdout.decode()))


def setUpModule():
	global user, service
	if os.geteuid() != 0:
		harness.skip_file("not root: cannot make a system user or read "
				  "/etc/shadow through pam_unix")
	for tool in ("useradd", "userdel", "chpasswd"):
		if shutil.which(tool) is None:
			harness.skip_file("%s missing" % tool)
	if not os.path.isdir(SERVICE_DIR):
		harness.skip_file("no %s" % SERVICE_DIR)
	tag = "%06d" % random.randint(0, 999999)
	user = "cft" + tag
	service = "cellftpd-test-" + tag
	run("useradd", "--create-home", "--shell", "/bin/sh", user)
	run("chpasswd", data=("%s:Unix-Secret.%s\n" % (user, tag)).encode())
	with open(os.path.join(SERVICE_DIR, service), "w") as f:
		f.write("auth required pam_unix.so\naccount required pam_unix.so\n")


def tearDownModule():
	if service:
		try:
			os.unlink(os.path.join(SERVICE_DIR, service))
		except OSError:
			pass
	if user:
		subprocess.run(["userdel", "--remove", user],
			       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def sanitizer_env():
	"""
	Under AddressSanitizer, an interceptor whose library is not loaded at
	start calls a null pointer: pam_unix's crypt_r would.  Loading
	libcrypt first gives the interceptor its target; harmless otherwise.
	"""
	lib = "/lib/x86_64-linux-gnu/libcrypt.so.1"
	if not os.path.exists(lib):
		return {}
	return harness.preload_env(lib)


class PamUnix(TestCase):
	def test_a_system_user_logs_in_and_owns_the_upload(self):
		pw = pwd.getpwnam(user)
		srv = Server(users=(), extra_modules=[
			{"name": "auth_pam", "service": service}],
			env=sanitizer_env())
		try:
			f = srv.ftp(user, "Unix-Secret." + user[3:])
			f.put("from-ftp.txt", b"real pam_unix\n")
			f.bye()
			st = os.stat(os.path.join(pw.pw_dir, "from-ftp.txt"))
			self.assertEqual((st.st_uid, st.st_gid),
					 (pw.pw_uid, pw.pw_gid))
			self.assertFtpError((530,), srv.ftp, user, "wrong-Pass.1")
		finally:
			srv.cleanup()


if __name__ == "__main__":
	harness.main()
