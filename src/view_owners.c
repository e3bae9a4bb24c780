/* SPDX-License-Identifier: MIT */
/*
 * view_owners: the report with rows per owner (--by process, --by cgroup)
 * in each format.  The same shape as the port report: per-state totals of
 * the whole sample, then one row per owner with its counts, --top rows
 * (the rest summed as "other" in text and Prometheus).  Names go through
 * strenc's encoder of each format; Prometheus folds cgroups whose encoded
 * labels collide.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "strenc.h"
#include "view.h"

static const struct owner_row **sorted(const struct owners *w, const struct view_opts *o)
{
	size_t n = owners_nrows(w);
	const struct owner_row **rows = calloc(n ? n : 1, sizeof(*rows));

	if (rows)
		owners_sorted(w, &o->sort, rows);
	return rows;
}

static bool by_process(const struct owners *w)
{
	return owners_kind(w) == OWNERS_PROCESS;
}

/* ---- text -------------------------------------------------------------- */

static void line_from_owner(struct view_line *l, const struct owner_row *r)
{
	if (r->who == OWNER_CGROUP) {
		l->key[0] = r->cgroup;
	} else if (r->who == OWNER_PROCESS) {
		snprintf(l->buf[0], sizeof(l->buf[0]), "%d", r->pid);
		l->key[0] = l->buf[0];
		l->key[1] = r->comm;
	} else {
		/* pid "-"; comm "-" (no process) or "?" (unknown) */
		l->key[0] = OWNERS_COMM_NONE;
		l->key[1] = r->comm;
	}
	for (int s = 0; s <= TCP_STATE_MAX; s++)
		l->n[s] = r->n[s];
	l->total = r->total;
}

int view_owners_text(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	static const char *const head_proc[] = { "PID", "COMMAND" };
	static const char *const head_cg[] = { "CGROUP" };
	const struct owners *w = s->owners;
	int nkeys = by_process(w) ? 2 : 1, ret;
	size_t n = owners_nrows(w), shown = view_shown(o, n), nlines = 0;
	const struct owner_row **rows = sorted(w, o);
	struct view_line *lines = calloc(shown + 2, sizeof(*lines));

	if (!rows || !lines) {
		free(rows);
		free(lines);
		return -ENOMEM;
	}
	for (size_t i = 0; i < shown; i++) {
		struct view_line *l = &lines[nlines++];

		l->key[1] = "";
		line_from_owner(l, rows[i]);
	}
	if (shown < n) {
		struct view_line *l = &lines[nlines++];

		l->key[0] = "other";
		l->key[1] = "-";
		for (size_t i = shown; i < n; i++)
			view_line_add(l, rows[i]->n, rows[i]->total);
	}
	view_line_totals(&lines[nlines++], s->table, nkeys);
	ret = view_text_grid(out, s, o, by_process(w) ? head_proc : head_cg, nkeys, lines, nlines);
	free(lines);
	free(rows);
	return ret;
}

/* ---- JSON -------------------------------------------------------------- */

/* "pid":N,"comm":"x","cgroup":"/path" or "cgroup":"/path" (null: the
 * kernel said none). */
static void json_key(FILE *out, const struct owners *w, const struct owner_row *r)
{
	if (by_process(w)) {
		fprintf(out, "\"pid\":%d,\"comm\":", r->pid);
		view_json_string(out, r->comm);
		fputs(",\"cgroup\":", out);
		if (r->cgroup)
			view_json_string(out, r->cgroup);
		else
			fputs("null", out);
	} else if (r->cgroup) {
		fputs("\"cgroup\":", out);
		view_json_string(out, r->cgroup);
	} else {
		fputs("\"cgroup\":null", out);
	}
}

int view_owners_json(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	const struct owners *w = s->owners;
	size_t shown = view_shown(o, owners_nrows(w));
	const struct owner_row **rows = sorted(w, o);
	int ret;

	if (!rows)
		return -ENOMEM;
	view_json_head(out, s);
	fprintf(out, ",\"%s\":[", by_process(w) ? "processes" : "cgroups");
	for (size_t r = 0; r < shown; r++) {
		fputs(r ? ",{" : "{", out);
		json_key(out, w, rows[r]);
		fprintf(out, ",\"total\":%" PRIu64 ",\"states\":", rows[r]->total);
		view_json_states(out, rows[r]->n);
		fputc('}', out);
	}
	fputc(']', out);
	ret = view_json_tail(out, s);
	free(rows);
	return ret;
}

/* ---- CSV --------------------------------------------------------------- */

int view_owners_csv(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	const struct owners *w = s->owners;
	size_t shown = view_shown(o, owners_nrows(w));
	const struct owner_row **rows = sorted(w, o);
	char when[32];

	if (!rows)
		return -ENOMEM;
	view_format_time(&s->time, when, sizeof(when));
	if (o->header && o->first) {
		fputs(by_process(w) ? "time,netns,pid,comm" : "time,netns,cgroup", out);
		for (int i = 0; i < TCP_STATE_COUNT; i++)
			fprintf(out, ",%s", tcp_state_name(tcp_state_order[i]));
		fputs(",total\n", out);
	}
	for (size_t r = 0; r < shown; r++) {
		const struct owner_row *row = rows[r];

		fprintf(out, "%s,", when);
		view_csv_field(out, s->netns ? s->netns : "");
		if (by_process(w)) {
			fprintf(out, ",%d,", row->pid);
			view_csv_field(out, row->comm);
		} else {
			fputc(',', out);
			view_csv_field(out, row->cgroup ? row->cgroup : "");
		}
		for (int i = 0; i < TCP_STATE_COUNT; i++)
			fprintf(out, ",%" PRIu32, row->n[tcp_state_order[i]]);
		fprintf(out, ",%" PRIu64 "\n", row->total);
	}
	free(rows);
	return ferror(out) ? -EIO : 0;
}

/* ---- Prometheus -------------------------------------------------------- */

static void owner_series(FILE *out, const struct owners *w, const struct owner_row *r,
			 const char *other, const uint64_t *n)
{
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];

		if (!n[st])
			continue;
		if (by_process(w)) {
			fputs("portstat_tcp_process_sockets{pid=\"", out);
			if (r)
				fprintf(out, "%d\",comm=\"", r->pid);
			else
				fprintf(out, "%s\",comm=\"", other);
			view_prom_value(out, r ? r->comm : other);
		} else {
			fputs("portstat_tcp_cgroup_sockets{cgroup=\"", out);
			view_prom_value(out, !r ? other : r->cgroup ? r->cgroup : OWNERS_COMM_NONE);
		}
		fprintf(out, "\",state=\"%s\"} %" PRIu64 "\n", tcp_state_name(st), n[st]);
	}
}

/* The cgroup label value of a row, before encoding. */
static const char *cgroup_label(const struct owner_row *r)
{
	return r->cgroup ? r->cgroup : OWNERS_COMM_NONE;
}

static int label_cmp(const void *a, const void *b, void *arg)
{
	char *const *enc = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(enc[i], enc[j]);

	return c ? c : i < j ? -1 : i > j;
}

/*
 * Cgroup paths are any bytes (a user may name cgroups in a delegated
 * subtree), and two paths that differ only where strenc_prom() writes
 * U+FFFD or an escape give one label set twice: node_exporter then drops
 * the whole file.  So the counts @v of rows whose label values collide
 * are summed into the first of them and @gone set for the rest.  Only
 * labels that are not clean can collide, so the usual sample costs one
 * scan.  Returns 0 or -ENOMEM.
 */
static int fold_collisions(const struct owner_row **rows, size_t n,
			   uint64_t (*v)[TCP_STATE_MAX + 1], bool *gone)
{
	char **enc = NULL;
	size_t *order = NULL, first, i;
	bool clean = true;
	int ret = -ENOMEM;

	for (i = 0; i < n && clean; i++)
		clean = strenc_clean(cgroup_label(rows[i]));
	if (clean)
		return 0;
	enc = calloc(n, sizeof(*enc));
	order = calloc(n, sizeof(*order));
	if (!enc || !order)
		goto out;
	for (i = 0; i < n; i++) {
		size_t len;
		FILE *f = open_memstream(&enc[i], &len);

		if (!f)
			goto out;
		strenc_prom(f, cgroup_label(rows[i]));
		if (fclose(f) != 0)
			goto out;
		order[i] = i;
	}
	qsort_r(order, n, sizeof(*order), label_cmp, enc);
	for (first = order[0], i = 1; i < n; i++) {
		size_t k = order[i];

		if (strcmp(enc[k], enc[first]) != 0) {
			first = k;
			continue;
		}
		for (int st = 0; st <= TCP_STATE_MAX; st++)
			v[first][st] += v[k][st];
		gone[k] = true;
	}
	ret = 0;
out:
	for (i = 0; enc && i < n; i++)
		free(enc[i]);
	free(enc);
	free(order);
	return ret;
}

int view_owners_prom(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	const struct owners *w = s->owners;
	size_t n = owners_nrows(w), shown = view_shown(o, n);
	const struct owner_row **rows = sorted(w, o);
	uint64_t other[TCP_STATE_MAX + 1] = { 0 };
	uint64_t (*v)[TCP_STATE_MAX + 1] = calloc(shown ? shown : 1, sizeof(*v));
	bool *gone = calloc(shown ? shown : 1, sizeof(*gone));
	int ret = -ENOMEM;

	if (!rows || !v || !gone)
		goto out;
	for (size_t r = 0; r < n; r++)
		for (int st = 0; st <= TCP_STATE_MAX; st++) {
			if (r < shown)
				v[r][st] = rows[r]->n[st];
			else
				other[st] += rows[r]->n[st];
		}
	/* process rows differ by pid: only cgroup labels can collide */
	if (!by_process(w) && (ret = fold_collisions(rows, shown, v, gone)) < 0)
		goto out;
	view_prom_header(out, VIEW_PROM_SOCKETS);
	ret = view_prom_family(out, VIEW_PROM_SOCKETS, s, o, NULL);
	if (by_process(w))
		fputs("# HELP portstat_tcp_process_sockets TCP sockets by owning process and state; "
		      "pid=\"0\" comm=\"-\": no process, comm=\"?\": unknown; "
		      "processes past --top are summed under pid=\"other\".\n"
		      "# TYPE portstat_tcp_process_sockets gauge\n", out);
	else
		fputs("# HELP portstat_tcp_cgroup_sockets TCP sockets by the cgroup of their creator and state; "
		      "cgroup=\"-\": none reported; cgroups past --top are summed under cgroup=\"other\".\n"
		      "# TYPE portstat_tcp_cgroup_sockets gauge\n", out);
	for (size_t r = 0; r < shown; r++)
		if (!gone[r])
			owner_series(out, w, rows[r], NULL, v[r]);
	owner_series(out, w, NULL, "other", other);
	for (int f = VIEW_PROM_DURATION; ret == 0 && f < VIEW_PROM_FAMILIES; f++) {
		view_prom_header(out, f);
		ret = view_prom_family(out, f, s, o, NULL);
	}
	if (ret == 0 && ferror(out))
		ret = -EIO;
out:
	free(gone);
	free(v);
	free(rows);
	return ret;
}
