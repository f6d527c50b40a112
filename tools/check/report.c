/*
 * cellftp-check output (see report.h).  Results go to stdout as they come;
 * the progress line goes to stderr and only when it is a terminal; the
 * JUnit file is written from the kept entries at the end.
 */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int report_start(struct report *r, const struct chk_opts *o, unsigned total)
{
	memset(r, 0, sizeof(*r));
	r->tap = o->tap;
	r->verbose = o->verbose;
	r->progress = isatty(STDERR_FILENO);
	r->total = total;
	r->started = (double)ftpc_now_ms() / 1000.0;
	r->entries = calloc(total ? total : 1, sizeof(*r->entries));
	if (r->entries == NULL)
		return -1;
	if (r->tap)
		printf("TAP version 13\n1..%u\n", total);
	fflush(stdout);
	return 0;
}

static void clear_progress(struct report *r)
{
	if (r->progress) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

void report_progress(struct report *r, unsigned n, const struct chk_def *d)
{
	if (!r->progress)
		return;
	fprintf(stderr, "\r\033[K[%u/%u] %s/%s ...", n, r->total, d->suite,
		d->name);
	fflush(stderr);
}

/* Print text line by line, each line prefixed. */
static void print_lines(const char *prefix, const char *text)
{
	const char *p, *nl;

	for (p = text; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			printf("%s%s\n", prefix, p);
			break;
		}
		printf("%s%.*s\n", prefix, (int)(nl - p), p);
	}
}

static char *detail_of(const struct chk *c, enum chk_result res)
{
	struct ftpc_buf b = { 0 };

	if (res == CHK_SKIP) {
		(void)ftpc_buf_add(&b, c->skip, strlen(c->skip));
	} else if (res == CHK_FAIL) {
		if (c->warn.len > 0)
			(void)ftpc_buf_add(&b, c->warn.p, c->warn.len);
		if (c->log.len > 0)
			(void)ftpc_buf_add(&b, c->log.p, c->log.len);
	}
	return b.p;
}

void report_check(struct report *r, unsigned n, const struct chk *c,
		  enum chk_result res, double secs)
{
	const char *tp = r->tap ? "# " : "";
	char exch[8];
	struct report_entry *e;

	clear_progress(r);
	snprintf(exch, sizeof(exch), "%s  ", tp);
	if (res == CHK_SKIP) {
		printf("ok %u - %s/%s # SKIP %s\n", n, c->def->suite,
		       c->def->name, c->skip);
		r->skipped++;
	} else if (res == CHK_PASS) {
		printf("ok %u - %s/%s\n", n, c->def->suite, c->def->name);
		r->passed++;
	} else {
		printf("not ok %u - %s/%s\n", n, c->def->suite, c->def->name);
		print_lines(tp, c->warn.p);
		print_lines(exch, c->log.p);
		r->failed++;
	}
	if (c->remark[0] != '\0')
		printf("# %s\n", c->remark);
	if (r->verbose && res != CHK_FAIL)
		print_lines(exch, c->log.p);
	fflush(stdout);
	if (r->done < r->total) {
		e = &r->entries[r->done++];
		e->def = c->def;
		e->result = res;
		e->secs = secs;
		e->detail = detail_of(c, res);
	}
}

void report_note(struct report *r, const char *fmt, ...)
{
	va_list ap;

	clear_progress(r);
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void report_warning(struct report *r, const char *fmt, ...)
{
	va_list ap;

	clear_progress(r);
	fputs(r->tap ? "# WARNING: " : "WARNING: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void report_end(struct report *r)
{
	clear_progress(r);
	printf("%s%u passed, %u failed, %u skipped\n", r->tap ? "# " : "",
	       r->passed, r->failed, r->skipped);
	fflush(stdout);
}

static void xml_text(FILE *fp, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '&')
			fputs("&amp;", fp);
		else if (ch == '<')
			fputs("&lt;", fp);
		else if (ch == '>')
			fputs("&gt;", fp);
		else if (ch == '"')
			fputs("&quot;", fp);
		else if (ch >= 0x20 || ch == '\n' || ch == '\t')
			fputc(ch, fp);
	}
}

/* The first line of a detail, as a failure message attribute. */
static void xml_first_line(FILE *fp, const char *s)
{
	char line[512];
	size_t n = s != NULL ? strcspn(s, "\n") : 0;

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	if (n > 0)
		memcpy(line, s, n);
	line[n] = '\0';
	xml_text(fp, line);
}

static void junit_suite(FILE *fp, const struct report *r, const char *suite)
{
	const struct report_entry *e;
	unsigned i, n = 0, nf = 0, ns = 0;

	for (i = 0; i < r->done; i++) {
		e = &r->entries[i];
		if (strcmp(e->def->suite, suite) != 0)
			continue;
		n++;
		nf += e->result == CHK_FAIL;
		ns += e->result == CHK_SKIP;
	}
	fprintf(fp, "  <testsuite name=\"%s\" tests=\"%u\" failures=\"%u\" "
		"errors=\"0\" skipped=\"%u\">\n", suite, n, nf, ns);
	for (i = 0; i < r->done; i++) {
		e = &r->entries[i];
		if (strcmp(e->def->suite, suite) != 0)
			continue;
		fprintf(fp, "    <testcase classname=\"%s\" name=\"%s\" "
			"time=\"%.3f\"", suite, e->def->name, e->secs);
		if (e->result == CHK_PASS) {
			fputs("/>\n", fp);
			continue;
		}
		fputs(">\n      <", fp);
		fputs(e->result == CHK_FAIL ? "failure" : "skipped", fp);
		fputs(" message=\"", fp);
		xml_first_line(fp, e->detail);
		if (e->result == CHK_SKIP) {
			fputs("\"/>\n    </testcase>\n", fp);
			continue;
		}
		fputs("\">", fp);
		xml_text(fp, e->detail);
		fputs("</failure>\n    </testcase>\n", fp);
	}
	fputs("  </testsuite>\n", fp);
}

int report_junit(const struct report *r, const char *path)
{
	const char *seen[64];
	unsigned i, j, nseen = 0;
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"cellftp-check\" tests=\"%u\" "
		"failures=\"%u\" skipped=\"%u\" time=\"%.3f\">\n", r->done,
		r->failed, r->skipped,
		(double)ftpc_now_ms() / 1000.0 - r->started);
	for (i = 0; i < r->done; i++) {
		for (j = 0; j < nseen; j++)
			if (strcmp(seen[j], r->entries[i].def->suite) == 0)
				break;
		if (j < nseen || nseen == 64)
			continue;
		seen[nseen++] = r->entries[i].def->suite;
		junit_suite(fp, r, r->entries[i].def->suite);
	}
	fputs("</testsuites>\n", fp);
	if (ferror(fp)) {
		fclose(fp);
		return -1;
	}
	return fclose(fp) == 0 ? 0 : -1;
}

void report_free(struct report *r)
{
	unsigned i;

	for (i = 0; i < r->done; i++)
		free(r->entries[i].detail);
	free(r->entries);
	r->entries = NULL;
}
