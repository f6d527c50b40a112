/*
 * Unit tests for core/modload.c and core/modhost.c: real plugins from
 * tests/unit/plugins/ copied into temporary folders with chosen modes, each
 * loader refusal proven with its message, and the host API seen by modules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg.h"
#include "modules/loader.h"
#include "tutil.h"

struct fx {
	char dir[256];		/* mkdtemp: removed afterwards */
	char root[300];		/* dir/root: server.root */
	char mods[300];		/* dir/mods: modules.path */
	char conf[300];		/* dir/cellftpd.conf */
	char report[300];	/* what the good plugin writes */
	char *text;		/* the config as written */
	struct cfg cfg;
	struct cfg next;	/* a reloaded config */
	struct mod_set set;
};

/* What the host's log hook received, for the tests that look. */
static char logged[1024];

static void copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		fail_msg("%s: %s (build the test plugins first)", src,
			 strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	assert_int_equal(fchmod(out, mode), 0);
	close(in);
	assert_int_equal(close(out), 0);
}

/* Copy a built file (path under the build root) into dir as name.so. */
static void install_as(const char *built, const char *dir, const char *name,
		       mode_t mode)
{
	const char *broot = getenv("CELLFTPD_BUILD_ROOT");
	char *src, *dst;

	if (broot == NULL)
		fail_msg("CELLFTPD_BUILD_ROOT is not set (run under meson)");
	src = xasprintf("%s/%s", broot, built);
	dst = xasprintf("%s/%s.so", dir, name);
	copy_file(src, dst, mode);
	free(src);
	free(dst);
}

static void install(struct fx *fx, const char *name, mode_t mode)
{
	char *built = xasprintf("tests/unit/plugins/%s.so", name);

	install_as(built, fx->mods, name, mode);
	free(built);
}

/* s with its first `from` replaced by `to`; frees s. */
static char *replace_once(char *s, const char *from, const char *to)
{
	char *p = strstr(s, from), *out;

	if (p == NULL)
		fail_msg("\"%s\" not found", from);
	out = xasprintf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
	free(s);
	return out;
}

static void log_hook(int level, const char *fmt, va_list ap)
{
	vsnprintf(logged, sizeof(logged), fmt, ap);
}

static const struct modhost_hooks test_hooks = { .vlog = log_hook };

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	tmp_make(fx->dir, sizeof(fx->dir), "/tmp/cellftpd-test-mod-XXXXXX");
	snprintf(fx->root, sizeof(fx->root), "%s/root", fx->dir);
	snprintf(fx->mods, sizeof(fx->mods), "%s/mods", fx->dir);
	snprintf(fx->conf, sizeof(fx->conf), "%s/cellftpd.conf", fx->dir);
	snprintf(fx->report, sizeof(fx->report), "%s/report", fx->dir);
	assert_int_equal(mkdir(fx->root, 0755), 0);
	assert_int_equal(mkdir(fx->mods, 0755), 0);
	/* mkdir's mode passes through the umask: make it exact */
	assert_int_equal(chmod(fx->mods, 0755), 0);
	logged[0] = '\0';
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	mod_unload_all(&fx->set);
	cfg_free(&fx->cfg);
	cfg_free(&fx->next);
	free(fx->text);
	tmp_remove(fx->dir);
	free(fx);
	return 0;
}

/* A config file at `path` whose modules.load holds `entries`. */
static char *write_conf(const char *path, const char *entries)
{
	char *text = xasprintf(
		"server: { root = \"root\"; };\n"
		"modules: {\n"
		"\tpath = \"mods\";\n"
		"\tload = (\n%s\n\t);\n"
		"};\n", entries);

	write_file(path, text);
	return text;
}

/* Write the config, load it, load its modules: mod_load_all's answer. */
static int load(struct fx *fx, const char *entries, char *err, size_t errlen)
{
	fx->text = write_conf(fx->conf, entries);
	if (cfg_load(&fx->cfg, fx->conf, err, errlen) != 0)
		fail_msg("config refused: %s", err);
	return mod_load_all(&fx->set, &fx->cfg,
			    modhost_setup(fx->cfg.root, (uid_t)-1, (gid_t)-1,
					  &test_hooks), err, errlen);
}

/* err is "CONF:LINE-of-marker: MODS/file.so: " followed by msg. */
static void assert_refused(struct fx *fx, const char *err, const char *marker,
			   const char *file, const char *msg)
{
	char *want = xasprintf("%s:%d: %s/%s.so: %s", fx->conf,
			       line_of(fx->text, marker), fx->mods, file, msg);

	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got  \"%s\"\nwant \"%s...\"", err, want);
	assert_int_equal(fx->set.n, 0);
	assert_null(fx->set.v);
	free(want);
}

#define GOOD_ENTRY(name, extra) \
	"\t\t{ name = \"" name "\"; report = \"report\";" extra " }"

/* ---- a good plugin ---- */

static void a_good_plugin_loads_reads_its_settings_and_is_finalised(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX], *report, *want;

	install(fx, "good", 0755);
	assert_int_equal(load(fx, "\t\t{ name = \"good\"; report = \"report\";\n"
			      "\t\t  greeting = \"hello\"; count = 42;"
			      " flag = true;\n\t\t  limit = \"1M\";"
			      " dir = \"data\"; }", err, sizeof(err)), 0);
	assert_int_equal(fx->set.n, 1);
	assert_string_equal(fx->set.v[0].m->name, "good");
	assert_string_equal(fx->set.v[0].m->version, "1.0");
	assert_ptr_equal(fx->set.v[0].entry, &fx->cfg.mods[0]);
	want = xasprintf("%s/good.so", fx->mods);
	assert_string_equal(fx->set.v[0].path, want);
	free(want);
	assert_string_equal(logged, "good: ready");

	report = read_file_or_empty(fx->report);
	want = xasprintf("good init greeting=hello count=42 flag=1 "
			 "limit=1048576 dir=%s/data where=%s:%d\n", fx->dir,
			 fx->conf, line_of(fx->text, "count"));
	assert_string_equal(report, want);
	free(report);
	free(want);

	mod_unload_all(&fx->set);
	assert_int_equal(fx->set.n, 0);
	report = read_file_or_empty(fx->report);
	assert_non_null(strstr(report, "good fini\n"));
	free(report);
}

static void unset_and_mistyped_settings_read_as_such(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX], *report, *want;

	install(fx, "good", 0755);
	assert_int_equal(load(fx, GOOD_ENTRY("good", " greeting = 5;"
			      " limit = \"lots\"; dir = 1;"), err,
			      sizeof(err)), 0);
	report = read_file_or_empty(fx->report);
	/* where= falls back to the entry when the key is not set */
	want = xasprintf("good init greeting=? count=-1 flag=-1 limit=?0 "
			 "dir=? where=%s:%d\n", fx->conf,
			 line_of(fx->text, "name = \"good\""));
	assert_string_equal(report, want);
	free(report);
	free(want);
}

static void modules_stay_in_config_order(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX];

	install(fx, "good", 0755);
	install(fx, "good_two", 0755);
	assert_int_equal(load(fx, GOOD_ENTRY("good_two", "") ",\n"
			      GOOD_ENTRY("good", ""), err, sizeof(err)), 0);
	assert_int_equal(fx->set.n, 2);
	assert_string_equal(fx->set.v[0].m->name, "good_two");
	assert_string_equal(fx->set.v[1].m->name, "good");
	assert_ptr_equal(fx->set.v[0].entry, &fx->cfg.mods[0]);
	assert_ptr_equal(fx->set.v[1].entry, &fx->cfg.mods[1]);
}

/* ---- refusals, one per broken plugin ---- */

/* Load a single entry for plugin `name` and expect msg. */
static void refuse_one(struct fx *fx, const char *name, const char *msg)
{
	char err[CFG_ERR_MAX + 1024], *entry;

	install(fx, name, 0755);
	entry = xasprintf("\t\t{ name = \"%s\"; }", name);
	assert_int_equal(load(fx, entry, err, sizeof(err)), -1);
	assert_refused(fx, err, entry + 2, name, msg);
	free(entry);
}

/* One test per broken plugin: its name says what the loader refuses. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define ABI STR(CELLFTPD_ABI_MAJOR) "." STR(CELLFTPD_ABI_MINOR)

#define REFUSAL(test, plugin, msg) \
	static void test(void **state) { refuse_one(*state, plugin, msg); }

REFUSAL(a_different_major_abi_is_refused, "bad_major",
	"refused: built for ABI 2.0, this cellftpd speaks " ABI)
REFUSAL(a_shared_object_without_the_entry_point_is_refused, "no_symbol",
	"refused: no cellftpd_module_v1()")
REFUSAL(a_null_descriptor_is_refused, "null_desc",
	"refused: cellftpd_module_v1() returned no descriptor")
REFUSAL(a_nameless_module_is_refused, "no_name",
	"refused: the module has no name")
REFUSAL(a_module_named_unlike_its_entry_is_refused, "wrong_name",
	"refused: the module calls itself 'someone_else', the entry loads "
	"'wrong_name'")
REFUSAL(a_failed_init_is_refused_with_the_module_reason, "bad_init",
	"refused: init failed: bad_init: the users database is on fire")

static void a_newer_minor_abi_is_refused(void **state)
{
	char *msg = xasprintf("refused: built for ABI %d.%d, newer than this "
			      "cellftpd (" ABI ")", CELLFTPD_ABI_MAJOR,
			      CELLFTPD_ABI_MINOR + 1);

	refuse_one(*state, "bad_minor", msg);
	free(msg);
}

static void a_short_descriptor_is_refused(void **state)
{
	char *msg = xasprintf("refused: short descriptor (%zu bytes, ABI " ABI
			      " needs %zu)", offsetof(struct cf_module, reload),
			      sizeof(struct cf_module));

	refuse_one(*state, "bad_size", msg);
	free(msg);
}

static void two_entries_loading_one_module_are_refused(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *msg, *report;

	install(fx, "good", 0755);
	assert_int_equal(load(fx, GOOD_ENTRY("good", " count = 1;") ",\n"
			      GOOD_ENTRY("good", " count = 2;"), err,
			      sizeof(err)), -1);
	msg = xasprintf("refused: duplicate module 'good', already loaded by "
			"the entry at %s:%d", fx->conf,
			line_of(fx->text, "count = 1"));
	assert_refused(fx, err, "count = 2", "good", msg);
	free(msg);
	/* the first one was unloaded; the second never initialised */
	report = read_file_or_empty(fx->report);
	assert_non_null(strstr(report, "good init greeting=- count=1 "));
	assert_null(strstr(report, "count=2"));
	assert_non_null(strstr(report, "good fini\n"));
	free(report);
}

static void a_failure_unloads_the_modules_loaded_before_it(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *report;

	install(fx, "good", 0755);
	install(fx, "bad_init", 0755);
	assert_int_equal(load(fx, GOOD_ENTRY("good", "") ",\n"
			      "\t\t{ name = \"bad_init\"; }", err,
			      sizeof(err)), -1);
	assert_refused(fx, err, "{ name = \"bad_init\"", "bad_init",
		       "refused: init failed: ");
	report = read_file_or_empty(fx->report);
	assert_non_null(strstr(report, "good init "));
	assert_non_null(strstr(report, "good fini\n"));
	free(report);
}

static void an_unknown_key_in_an_entry_is_refused_by_the_module(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *msg;

	install(fx, "good", 0755);
	assert_int_equal(load(fx, "\t\t{ name = \"good\"; report = \"report\";\n"
			      "\t\t  bogus = 1; }", err, sizeof(err)), -1);
	msg = xasprintf("refused: init failed: %s:%d: unknown key 'bogus' in "
			"module 'good'", fx->conf, line_of(fx->text, "bogus"));
	assert_refused(fx, err, "{ name = \"good\"", "good", msg);
	free(msg);
}

static void a_group_writable_module_file_is_refused(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *report;

	install(fx, "good", 0775);
	assert_int_equal(load(fx, GOOD_ENTRY("good", ""), err, sizeof(err)),
			 -1);
	assert_refused(fx, err, "{ name", "good", "refused: writable by group "
		       "or others (mode 0775)");
	/* refused before dlopen: the module's code never ran */
	report = read_file_or_empty(fx->report);
	assert_string_equal(report, "");
	free(report);
}

static void a_world_writable_module_folder_is_refused(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *msg;

	install(fx, "good", 0755);
	assert_int_equal(chmod(fx->mods, 0777), 0);
	assert_int_equal(load(fx, GOOD_ENTRY("good", ""), err, sizeof(err)),
			 -1);
	msg = xasprintf("refused: its folder %s is writable by group or "
			"others (mode 0777)", fx->mods);
	assert_refused(fx, err, "{ name", "good", msg);
	free(msg);
}

static void a_symlink_into_a_writable_folder_is_refused(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *pub, *target, *link, *msg;

	pub = xasprintf("%s/pub", fx->dir);
	assert_int_equal(mkdir(pub, 0700), 0);
	install_as("tests/unit/plugins/good.so", pub, "good", 0755);
	assert_int_equal(chmod(pub, 01777), 0);
	target = xasprintf("%s/good.so", pub);
	link = xasprintf("%s/good.so", fx->mods);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(load(fx, GOOD_ENTRY("good", ""), err, sizeof(err)),
			 -1);
	msg = xasprintf("refused: its folder %s is writable by group or "
			"others (mode 1777)", pub);
	assert_refused(fx, err, "{ name", "good", msg);
	free(msg);
	free(link);
	free(target);
	free(pub);
}

static void a_missing_module_file_is_refused(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *msg;

	assert_int_equal(load(fx, "\t\t{ name = \"absent\"; }", err,
			      sizeof(err)), -1);
	msg = xasprintf("cannot load: %s", strerror(ENOENT));
	assert_refused(fx, err, "{ name", "absent", msg);
	free(msg);
}

static void a_module_that_is_not_a_regular_file_is_refused(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *dir;

	dir = xasprintf("%s/folder.so", fx->mods);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(load(fx, "\t\t{ name = \"folder\"; }", err,
			      sizeof(err)), -1);
	assert_refused(fx, err, "{ name", "folder",
		       "refused: not a regular file");
	free(dir);
}

/* ---- reload ---- */

static void reload_hands_modules_their_new_settings(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *conf2, *text2, *report;
	struct cfg next;

	install(fx, "good", 0755);
	assert_int_equal(load(fx, GOOD_ENTRY("good", " greeting = \"hi\";"),
			      err, sizeof(err)), 0);
	conf2 = xasprintf("%s/next.conf", fx->dir);

	text2 = write_conf(conf2, GOOD_ENTRY("good", " greeting = \"bye\";"));
	assert_int_equal(cfg_load(&fx->next, conf2, err, sizeof(err)), 0);
	assert_int_equal(mod_reload_all(&fx->set, &fx->next, err,
					sizeof(err)), 0);
	assert_ptr_equal(fx->set.v[0].entry, &fx->next.mods[0]);
	report = read_file_or_empty(fx->report);
	assert_non_null(strstr(report, "good reload greeting=bye "));
	free(report);
	/* the old config may go now: the loaded set points into `next` */
	cfg_free(&fx->cfg);
	free(text2);

	/* a module that refuses its new settings keeps the old config */
	text2 = write_conf(conf2, GOOD_ENTRY("good", " oops = 1;"));
	assert_int_equal(cfg_load(&next, conf2, err, sizeof(err)), 0);
	assert_int_equal(mod_reload_all(&fx->set, &next, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "good.so: reload refused: "));
	assert_non_null(strstr(err, "unknown key 'oops' in module 'good'"));
	assert_ptr_equal(fx->set.v[0].entry, &fx->next.mods[0]);
	cfg_free(&next);
	free(text2);
	free(conf2);
}

static void reload_refuses_a_different_set_of_modules(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *conf2, *text2, *want;
	struct cfg next;

	install(fx, "good", 0755);
	assert_int_equal(load(fx, GOOD_ENTRY("good", ""), err, sizeof(err)),
			 0);
	conf2 = xasprintf("%s/next.conf", fx->dir);
	text2 = write_conf(conf2, GOOD_ENTRY("good_two", ""));
	assert_int_equal(cfg_load(&next, conf2, err, sizeof(err)), 0);
	assert_int_equal(mod_reload_all(&fx->set, &next, err, sizeof(err)),
			 -1);
	want = xasprintf("%s:%d: entry 1 loads 'good_two' where 'good' runs: "
			 "restart cellftpd", conf2,
			 line_of(text2, "{ name"));
	assert_true(strncmp(err, want, strlen(want)) == 0);
	free(want);
	cfg_free(&next);
	free(text2);

	text2 = write_conf(conf2, GOOD_ENTRY("good", "") ",\n"
			   GOOD_ENTRY("good_two", ""));
	assert_int_equal(cfg_load(&next, conf2, err, sizeof(err)), 0);
	assert_int_equal(mod_reload_all(&fx->set, &next, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "module 'good_two' is not running"));
	assert_ptr_equal(fx->set.v[0].entry, &fx->cfg.mods[0]);
	cfg_free(&next);
	free(text2);
	free(conf2);
}

/* ---- the host API, called directly ---- */

/* A config whose one entry holds a value of every kind. */
static const struct cf_host *load_accessor_conf(struct fx *fx)
{
	char err[CFG_ERR_MAX];

	fx->text = write_conf(fx->conf, "\t\t{ name = \"m\"; s = \"text\";\n"
			      "\t\t  i = 7; big = 5000000000L; b = false;\n"
			      "\t\t  f = 1.5; p = \"rel/x\"; ap = \"/abs\";"
			      " ep = \"\";\n\t\t  grp = { inner = 3; }; }");
	assert_int_equal(cfg_load(&fx->cfg, fx->conf, err, sizeof(err)), 0);
	return modhost_setup(fx->cfg.root, (uid_t)-1, (gid_t)-1, NULL);
}

static void host_accessors_answer_set_unset_and_wrong_type(void **state)
{
	struct fx *fx = *state;
	const struct cf_host *h = load_accessor_conf(fx);
	const struct cf_config *e = &fx->cfg.mods[0].conf;
	const char *s;
	long long i;
	int b;

	assert_int_equal(h->abi_major, CELLFTPD_ABI_MAJOR);
	assert_int_equal(h->abi_minor, CELLFTPD_ABI_MINOR);
	assert_int_equal(h->size, sizeof(struct cf_host));
	assert_string_equal(h->server_root, fx->root);

	assert_int_equal(h->cfg_str(e, "s", &s), 0);
	assert_string_equal(s, "text");
	assert_int_equal(h->cfg_str(e, "i", &s), -1);
	assert_int_equal(h->cfg_str(e, "nope", &s), 1);
	assert_int_equal(h->cfg_int(e, "i", &i), 0);
	assert_int_equal(i, 7);
	assert_int_equal(h->cfg_int(e, "big", &i), 0);
	assert_true(i == 5000000000LL);
	assert_int_equal(h->cfg_int(e, "grp.inner", &i), 0);
	assert_int_equal(i, 3);
	assert_int_equal(h->cfg_int(e, "f", &i), -1);
	assert_int_equal(h->cfg_int(e, "s", &i), -1);
	assert_int_equal(h->cfg_int(e, "nope", &i), 1);
	b = 5;
	assert_int_equal(h->cfg_bool(e, "b", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(h->cfg_bool(e, "i", &b), -1);
	assert_int_equal(h->cfg_bool(e, "nope", &b), 1);
}

static void host_paths_where_and_key_checks_speak_the_config(void **state)
{
	struct fx *fx = *state;
	const struct cf_host *h;
	const struct cf_config *e;
	char err[CFG_ERR_MAX], buf[PATH_MAX], small[8], *want;

	h = load_accessor_conf(fx);
	e = &fx->cfg.mods[0].conf;
	assert_int_equal(h->cfg_path(e, "p", buf, sizeof(buf)), 0);
	want = xasprintf("%s/rel/x", fx->dir);
	assert_string_equal(buf, want);
	free(want);
	assert_int_equal(h->cfg_path(e, "ap", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/abs");
	assert_int_equal(h->cfg_path(e, "ep", buf, sizeof(buf)), -1);
	assert_int_equal(h->cfg_path(e, "i", buf, sizeof(buf)), -1);
	assert_int_equal(h->cfg_path(e, "nope", buf, sizeof(buf)), 1);
	assert_int_equal(h->cfg_path(e, "p", small, sizeof(small)), -1);

	want = xasprintf("%s:%d", fx->conf, line_of(fx->text, "f = 1.5"));
	assert_string_equal(h->cfg_where(e, "f", buf, sizeof(buf)), want);
	free(want);
	want = xasprintf("%s:%d", fx->conf, line_of(fx->text, "{ name"));
	assert_string_equal(h->cfg_where(e, NULL, buf, sizeof(buf)), want);
	free(want);

	assert_int_equal(h->cfg_check_keys(e, (const char *[]){ "s", "i",
		"big", "b", "f", "p", "ap", "ep", "grp", NULL }, err,
		sizeof(err)), 0);
	assert_int_equal(h->cfg_check_keys(e, (const char *[]){ "s", "i",
		"big", "b", "f", "p", "ap", "ep", NULL }, err,
		sizeof(err)), -1);
	want = xasprintf("%s:%d: unknown key 'grp' in module 'm'", fx->conf,
			 line_of(fx->text, "grp"));
	assert_string_equal(err, want);
	free(want);
}

static void make_cell_creates_a_private_folder_once(void **state)
{
	struct fx *fx = *state;
	static const char *const bad[] = {
		"", ".", "..", "../x", "a/b", ".hidden", "-rf", "a b",
		"tab\tname", ("a123456789a123456789a123456789a123456789"
			      "a123456789a123456789abcd"),
	};
	const struct cf_host *h;
	char err[256], *cell;
	struct stat st;
	size_t i;

	h = modhost_setup(fx->root, (uid_t)-1, (gid_t)-1, NULL);
	/* whatever the process umask, a cell is exactly 0700 */
	umask(0277);
	assert_int_equal(h->make_cell("alice", err, sizeof(err)), 0);
	umask(022);
	cell = xasprintf("%s/alice", fx->root);
	assert_int_equal(lstat(cell, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(h->make_cell("alice", err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "cell 'alice' already exists");
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (h->make_cell(bad[i], err, sizeof(err)) != -EINVAL)
			fail_msg("accepted cell name \"%s\"", bad[i]);
		assert_null(strstr(err, fx->dir));
	}
	free(cell);

	if (geteuid() != 0)
		return;
	h = modhost_setup(fx->root, 4242, 4343, NULL);
	assert_int_equal(h->make_cell("bob.smith-2_", err, sizeof(err)), 0);
	cell = xasprintf("%s/bob.smith-2_", fx->root);
	assert_int_equal(lstat(cell, &st), 0);
	assert_int_equal(st.st_uid, 4242);
	assert_int_equal(st.st_gid, 4343);
	free(cell);
}

static int ran_inline, emitted, queued;

static void note_run(void *arg)
{
	ran_inline = *(int *)arg;
}

static void hook_emit(const struct cf_log_event *ev)
{
	emitted = ev->type == CF_EV_SERVER;
}

static int hook_offload(void (*fn)(void *), void *arg)
{
	queued = 1;
	return 0;
}

static void host_hooks_are_used_and_safe_when_absent(void **state)
{
	struct fx *fx = *state;
	struct cf_log_event ev = { .size = sizeof(ev), .type = CF_EV_SERVER };
	struct modhost_hooks hooks = { .vlog = log_hook, .emit = hook_emit,
				       .offload = hook_offload };
	const struct cf_host *h;
	int seven = 7;

	h = modhost_setup(fx->root, (uid_t)-1, (gid_t)-1, NULL);
	h->emit(&ev);
	assert_int_equal(h->offload(note_run, &seven), 0);
	assert_int_equal(ran_inline, 7);

	h = modhost_setup(fx->root, (uid_t)-1, (gid_t)-1, &hooks);
	h->emit(&ev);
	assert_int_equal(emitted, 1);
	ran_inline = 0;
	assert_int_equal(h->offload(note_run, &seven), 0);
	assert_int_equal(queued, 1);
	assert_int_equal(ran_inline, 0);
	h->log(CF_LOG_WARN, "disk %d%% full", 93);
	assert_string_equal(logged, "disk 93% full");
}

/* ---- the plugins cellftpd ships ---- */

static void the_shipped_plugins_load_with_the_embedded_default(void **state)
{
	struct fx *fx = *state;
	char err[CFG_ERR_MAX + 1024], *base, *users;

	install_as("auth/file/auth_file.so", fx->mods, "auth_file", 0755);
	install_as("logging/file/log_file.so", fx->mods, "log_file", 0755);
	install_as("quota/disk/quota_disk.so", fx->mods, "quota_disk", 0755);
	base = xasprintf("%s/base", fx->dir);
	assert_int_equal(mkdir(base, 0755), 0);
	assert_int_equal(cfg_load_default(&fx->cfg, base, fx->mods, err,
					  sizeof(err)), 0);
	/* as after a first start: auth_file wants its users file to exist */
	users = xasprintf("%s/var/users", base);
	write_file(users, "# login:hash:quota:flags\n");
	free(users);
	free(base);
	if (mod_load_all(&fx->set, &fx->cfg, modhost_setup(fx->cfg.root,
			 (uid_t)-1, (gid_t)-1, &test_hooks), err,
			 sizeof(err)) != 0) {
		/* a plugin still being written is not a cellftpd module yet */
		if (strstr(err, "no cellftpd_module_v1()") != NULL)
			skip();
		fail_msg("%s", err);
	}
	assert_int_equal(fx->set.n, 3);
	assert_string_equal(fx->set.v[0].m->name, "auth_file");
	assert_non_null(fx->set.v[0].m->auth);
	assert_string_equal(fx->set.v[1].m->name, "quota_disk");
	assert_non_null(fx->set.v[1].m->quota);
	assert_string_equal(fx->set.v[2].m->name, "log_file");
	assert_non_null(fx->set.v[2].m->log);
}

static void the_sample_config_module_settings_pass_the_plugins(void **state)
{
	struct fx *fx = *state;
	const char *src = getenv("CELLFTPD_SOURCE_ROOT");
	char err[CFG_ERR_MAX + 1024], *path, *text, *to;
	int rc;

	if (src == NULL)
		skip();
	install_as("auth/file/auth_file.so", fx->mods, "auth_file", 0755);
	install_as("logging/file/log_file.so", fx->mods, "log_file", 0755);
	install_as("quota/disk/quota_disk.so", fx->mods, "quota_disk", 0755);
	to = xasprintf("%s/users", fx->dir);
	write_file(to, "");
	free(to);
	to = xasprintf("%s/log", fx->dir);
	assert_int_equal(mkdir(to, 0750), 0);
	free(to);

	/* the sample as shipped, with its paths moved into the temp folder */
	path = xasprintf("%s/etc/cellftpd.conf", src);
	text = read_file_or_empty(path);
	text = replace_once(text, "\"/srv/cellftpd\"", "\"root\"");
	text = replace_once(text, "\"/var/lib/cellftpd/users\"", "\"users\"");
	text = replace_once(text, "\"/var/log/cellftpd\"", "\"log\"");
	text = replace_once(text, "# path = \"", "path = \"mods\"; # \"");
	rc = cfg_load_string(&fx->cfg, text, path, fx->dir, err, sizeof(err));
	free(text);
	free(path);
	if (rc != 0)
		fail_msg("%s", err);
	assert_string_equal(fx->cfg.module_path, fx->mods);
	if (mod_load_all(&fx->set, &fx->cfg, modhost_setup(fx->cfg.root,
			 (uid_t)-1, (gid_t)-1, &test_hooks), err,
			 sizeof(err)) != 0) {
		if (strstr(err, "no cellftpd_module_v1()") != NULL)
			skip();
		fail_msg("%s", err);
	}
	assert_int_equal(fx->set.n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(a_good_plugin_loads_reads_its_settings_and_is_finalised),
		T(unset_and_mistyped_settings_read_as_such),
		T(modules_stay_in_config_order),
		T(a_different_major_abi_is_refused),
		T(a_newer_minor_abi_is_refused),
		T(a_short_descriptor_is_refused),
		T(a_shared_object_without_the_entry_point_is_refused),
		T(a_null_descriptor_is_refused),
		T(a_nameless_module_is_refused),
		T(a_module_named_unlike_its_entry_is_refused),
		T(a_failed_init_is_refused_with_the_module_reason),
		T(two_entries_loading_one_module_are_refused),
		T(a_failure_unloads_the_modules_loaded_before_it),
		T(an_unknown_key_in_an_entry_is_refused_by_the_module),
		T(a_group_writable_module_file_is_refused),
		T(a_world_writable_module_folder_is_refused),
		T(a_symlink_into_a_writable_folder_is_refused),
		T(a_missing_module_file_is_refused),
		T(a_module_that_is_not_a_regular_file_is_refused),
		T(reload_hands_modules_their_new_settings),
		T(reload_refuses_a_different_set_of_modules),
		T(host_accessors_answer_set_unset_and_wrong_type),
		T(host_paths_where_and_key_checks_speak_the_config),
		T(make_cell_creates_a_private_folder_once),
		T(host_hooks_are_used_and_safe_when_absent),
		T(the_shipped_plugins_load_with_the_embedded_default),
		T(the_sample_config_module_settings_pass_the_plugins),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
