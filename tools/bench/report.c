/*
 * Results (see report.h): the flat list of metrics printed as a table
 * for people and as one JSON object for bench/compare.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void report_num(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

void report_table(const struct bench *b, int server, double elapsed)
{
	const struct result *r = &b->res;
	char num[32];
	unsigned i;

	if (!server)
		printf("cellftp-bench %s: loopback, no FTP\n", b->o.scenario);
	else
		printf("cellftp-bench %s: %s at %s:%s\n", b->o.scenario,
		       b->o.label ? b->o.label : "server", b->o.host,
		       b->o.port);
	for (i = 0; i < r->n; i++) {
		report_num(num, sizeof(num), r->m[i].v);
		printf("  %-36s %14s%s%s\n", r->m[i].label, num,
		       r->m[i].unit[0] ? " " : "", r->m[i].unit);
	}
	printf("  %-36s %14lu\n", "errors", b->errors);
	if (b->errors)
		printf("  first error: %s\n", b->firsterr);
	if (r->note[0] != '\0')
		printf("  note: %s\n", r->note);
	printf("  %s in %.1f s\n", r->complete ? "complete" : "INCOMPLETE",
	       elapsed);
}

static void json_str(FILE *fp, const char *s)
{
	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

static void json_num(FILE *fp, double v)
{
	if (isfinite(v))
		fprintf(fp, "%.6g", v);
	else
		fputs("null", fp);
}

static void json_params(FILE *fp, const struct bench_opts *o)
{
	fprintf(fp, "  \"params\": {\"sessions\": %u, \"concurrency\": %u, "
		"\"ramp\": %u, \"streams\": %u, \"files\": %u, "
		"\"count\": %lu, \"size\": %llu, \"duration\": ",
		o->sessions, o->concurrency, o->ramp, o->streams, o->files,
		o->count, (unsigned long long)o->size);
	json_num(fp, o->duration);
	fputs(", \"limit\": ", fp);
	json_num(fp, o->limit);
	fputs(", \"noop_rate\": ", fp);
	json_num(fp, o->noop_rate);
	fputs(", \"file\": ", fp);
	json_str(fp, o->file);
	fputs(", \"dir\": ", fp);
	json_str(fp, o->dir);
	fprintf(fp, ", \"epsv\": %s},\n", o->epsv ? "true" : "false");
}

int report_json(const struct bench *b, double elapsed, const char *path)
{
	const struct result *r = &b->res;
	unsigned i;
	FILE *fp;

	fp = fopen(path, "w");
	if (fp == NULL)
		return -1;
	fputs("{\n  \"tool\": \"cellftp-bench\",\n  \"scenario\": ", fp);
	json_str(fp, b->o.scenario);
	fputs(",\n  \"label\": ", fp);
	json_str(fp, b->o.label);
	fputs(",\n  \"host\": ", fp);
	json_str(fp, b->o.host);
	fputs(",\n  \"port\": ", fp);
	json_str(fp, b->o.port);
	fputs(",\n", fp);
	json_params(fp, &b->o);
	fprintf(fp, "  \"complete\": %s,\n  \"errors\": %lu,\n"
		"  \"first_error\": ", r->complete ? "true" : "false",
		b->errors);
	json_str(fp, b->errors ? b->firsterr : NULL);
	fputs(",\n  \"note\": ", fp);
	json_str(fp, r->note[0] ? r->note : NULL);
	fputs(",\n  \"elapsed_s\": ", fp);
	json_num(fp, elapsed);
	fputs(",\n  \"metrics\": {", fp);
	for (i = 0; i < r->n; i++) {
		fputs(i ? ",\n    " : "\n    ", fp);
		json_str(fp, r->m[i].key);
		fputs(": ", fp);
		json_num(fp, r->m[i].v);
	}
	fputs("\n  },\n  \"units\": {", fp);
	for (i = 0; i < r->n; i++) {
		fputs(i ? ", " : "", fp);
		json_str(fp, r->m[i].key);
		fputs(": ", fp);
		json_str(fp, r->m[i].unit);
	}
	fputs("}\n}\n", fp);
	if (ferror(fp)) {
		fclose(fp);
		errno = EIO;
		return -1;
	}
	return fclose(fp) == 0 ? 0 : -1;
}
