/*
 * A PAM module for the tests only: it asks for a failure delay the way
 * pam_unix does (delay=USEC), and refuses listed accounts at the account
 * step as expired (expired=a,b).  Passwords are pam_matrix's business.
 */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>

static const char *cft_arg(int argc, const char **argv, const char *key)
{
	size_t n = strlen(key);

	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

/* Is `user` one of the comma-separated names in `list`? */
static int cft_listed(const char *list, const char *user)
{
	size_t n = strlen(user);

	while (list != NULL && *list != '\0') {
		size_t len = strcspn(list, ",");

		if (len == n && strncmp(list, user, n) == 0)
			return 1;
		list += len;
		if (*list == ',')
			list++;
	}
	return 0;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *h, int flags, int argc,
				   const char **argv)
{
	const char *d = cft_arg(argc, argv, "delay");

	(void)flags;
	if (d != NULL)
		(void)pam_fail_delay(h, (unsigned)strtoul(d, NULL, 10));
	return PAM_IGNORE;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *h, int flags, int argc,
			      const char **argv)
{
	(void)h;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *h, int flags, int argc,
				const char **argv)
{
	const char *user = NULL;

	(void)flags;
	if (pam_get_item(h, PAM_USER, (const void **)&user) != PAM_SUCCESS ||
	    user == NULL)
		return PAM_USER_UNKNOWN;
	if (cft_listed(cft_arg(argc, argv, "expired"), user))
		return PAM_ACCT_EXPIRED;
	return PAM_IGNORE;
}
