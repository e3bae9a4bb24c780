/* SPDX-License-Identifier: MIT */
/*
 * view_leaks_owners: the owner rows of `portstat leaks` (--by process,
 * --by cgroup).  Like view_leaks, a text table measured in one pass and
 * printed in a second, JSON one object per sample, CSV one row per owner;
 * names (comm, cgroup, netns) through strenc's encoder of each format.
 */
#include <errno.h>
#include <string.h>

#include "strenc.h"
#include "view_leaks_owners.h"

/* Ports named in a text cell; the rest are "+N". */
#define TEXT_PORTS	3
#define CELL		320

static const char *dir_name(uint8_t dir)
{
	return dir == TABLE_DIR_IN ? "in" : "out";
}

static size_t shown(const struct view_leaks *s, const struct view_opts *o)
{
	size_t n = leaks_nowners(s->leaks);

	return o->top && o->top < n ? o->top : n;
}

/* Whether more than one state is reported: ports then name theirs. */
static bool many_states(const struct view_leaks *s)
{
	uint32_t m = leaks_states(s->leaks);

	return (m & (m - 1)) != 0;
}

/* Who the row is, in its text form (@flags STRENC_*): "java[4121]",
 * "? (owner unknown)", "no process (orphaned)", "cgroup /a.slice". */
static void who_str(const struct leaks_owner *w, bool cgroup, char *buf, size_t len,
		    unsigned flags)
{
	char name[4 * 256 + 1];

	if (strcmp(w->comm, LEAKS_COMM_UNKNOWN) == 0) {
		snprintf(buf, len, "? (owner unknown)");
	} else if (strcmp(w->comm, LEAKS_COMM_ORPHAN) == 0) {
		snprintf(buf, len, "no process (orphaned)");
	} else if (cgroup) {
		strenc_text(name, sizeof(name), w->cgroup[0] ? w->cgroup : "?", -1, flags);
		snprintf(buf, len, "cgroup %s", name);
	} else {
		strenc_text(name, sizeof(name), w->comm, -1, flags);
		snprintf(buf, len, "%s[%d]", name, w->pid);
	}
}

void view_leaks_owners_verdict(const struct view_leaks *s, bool cgroup, char *buf, size_t len)
{
	static const char *const word[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	const char *w = word[s->status <= LEAKS_UNKNOWN ? s->status : LEAKS_UNKNOWN];
	const struct leaks_owner *r = s->worst >= 0 ? leaks_owner(s->leaks, (size_t)s->worst) : NULL;
	char who[1100], what[32], age[24];
	size_t n;

	if (!r) {
		struct view_leaks none = *s;

		none.worst = -1;	/* "no ... sockets", as the group view */
		view_leaks_verdict(&none, buf, len);
		return;
	}
	/* The verdict is a plugin's status line: no '|' from a name. */
	who_str(r, cgroup, who, sizeof(who), STRENC_NOPIPE);
	if (many_states(s)) {
		snprintf(what, sizeof(what), "stuck sockets");
	} else {
		const char *st = tcp_state_name((enum tcp_state)r->ports[0].state);
		size_t i;

		for (i = 0; st[i] && i + 1 < sizeof(what); i++)
			what[i] = (char)(st[i] >= 'a' && st[i] <= 'z' ? st[i] - 'a' + 'A' : st[i]);
		what[i] = '\0';
	}
	if (r->nports == 1)
		snprintf(buf, len, "%s: %s holds %llu %s %s :%u", w, who,
			 (unsigned long long)r->count, what,
			 r->ports[0].dir == TABLE_DIR_IN ? "on" : "to", r->ports[0].port);
	else
		snprintf(buf, len, "%s: %s holds %llu %s on %zu ports", w, who,
			 (unsigned long long)r->count, what, r->nports);
	n = strlen(buf);
	if (r->has_age && n < len) {
		view_leaks_age(r->oldest_ms / 1000, age, sizeof(age));
		snprintf(buf + n, len - n, ", oldest %s", age);
	}
}

enum { C_PID, C_COMM, C_CGROUP, C_COUNT, C_OLDEST, C_PORTS, NCOLS };

static const struct {
	const char *title;
	bool right;
} cols[NCOLS] = {
	{ "PID", true }, { "COMM", false }, { "CGROUP", false }, { "COUNT", true },
	{ "OLDEST", true }, { "PORTS", false },
};

/* A row's cells, in their text forms. */
static void cells(const struct view_leaks *s, const struct leaks_owner *w, char c[NCOLS][CELL])
{
	size_t n = 0;

	snprintf(c[C_PID], CELL, "%d", w->pid);
	/* Plugin output: in its long text a '|' starts perfdata. */
	strenc_text(c[C_COMM], CELL, w->comm, -1, STRENC_NOPIPE);
	strenc_text(c[C_CGROUP], CELL, w->cgroup[0] ? w->cgroup : "-", -1, STRENC_NOPIPE);
	snprintf(c[C_COUNT], CELL, "%llu", (unsigned long long)w->count);
	if (w->has_age)
		view_leaks_age(w->oldest_ms / 1000, c[C_OLDEST], CELL);
	else
		snprintf(c[C_OLDEST], CELL, "?");
	c[C_PORTS][0] = '\0';
	for (size_t i = 0; i < w->ntop && i < TEXT_PORTS && n < CELL; i++) {
		const struct leaks_port *p = &w->ports[i];

		snprintf(c[C_PORTS] + n, CELL - n, "%s%u %s%s%s (%u)", i ? ", " : "", p->port,
			 dir_name(p->dir), many_states(s) ? " " : "",
			 many_states(s) ? tcp_state_label((enum tcp_state)p->state) : "", p->count);
		n += strlen(c[C_PORTS] + n);
	}
	if (w->nports > TEXT_PORTS && n < CELL)
		snprintf(c[C_PORTS] + n, CELL - n, " +%zu", w->nports - TEXT_PORTS);
}

int view_leaks_owners_text(FILE *out, const struct view_leaks *s, const struct view_opts *o,
			   bool cgroup)
{
	size_t n = shown(s, o), width[NCOLS];
	char verdict[1200], c[NCOLS][CELL];
	bool show[NCOLS];

	/* The status line as for the groups; perfdata per state, over
	 * every owner. */
	view_leaks_owners_verdict(s, cgroup, verdict, sizeof(verdict));
	view_leaks_status_line(out, s, o, verdict);
	if (!s->complete && s->note) {
		fputs("# incomplete: ", out);
		strenc_text_pad(out, s->note, 0, false);
		fputc('\n', out);
	}
	if (n == 0)
		return ferror(out) ? -EIO : 0;
	for (int k = 0; k < NCOLS; k++) {
		width[k] = o->header ? strlen(cols[k].title) : 0;
		show[k] = !cgroup || k == C_CGROUP || k > C_CGROUP;
	}
	for (size_t i = 0; i < n; i++) {
		cells(s, leaks_owner(s->leaks, i), c);
		for (int k = 0; k < NCOLS; k++)
			if ((size_t)strenc_text_width(c[k]) > width[k])
				width[k] = (size_t)strenc_text_width(c[k]);
	}
	for (size_t i = o->header ? 0 : 1; i <= n; i++) {
		bool first = true;

		if (i > 0)
			cells(s, leaks_owner(s->leaks, i - 1), c);
		for (int k = 0; k < NCOLS; k++) {
			if (!show[k])
				continue;
			fputs(first ? "" : "  ", out);
			/* cells are text forms already; the last has no padding */
			strenc_text_pad(out, i == 0 ? cols[k].title : c[k],
					k == NCOLS - 1 ? 0 : (int)width[k], cols[k].right);
			first = false;
		}
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

static void json_owner(FILE *out, const struct leaks_owner *w, bool cgroup)
{
	fputc('{', out);
	if (!cgroup) {
		fprintf(out, "\"pid\":%d,\"comm\":", w->pid);
		view_json_string(out, w->comm);
		fputc(',', out);
	}
	fputs("\"cgroup\":", out);
	if (w->cgroup[0])
		view_json_string(out, w->cgroup);
	else
		fputs("null", out);
	if (cgroup && (strcmp(w->comm, LEAKS_COMM_UNKNOWN) == 0 ||
		       strcmp(w->comm, LEAKS_COMM_ORPHAN) == 0)) {
		/* No process: "?" or "-" as in the group view's owners. */
		fputs(",\"comm\":", out);
		view_json_string(out, w->comm);
	}
	fprintf(out, ",\"count\":%llu,\"oldest_s\":", (unsigned long long)w->count);
	if (w->has_age)
		fprintf(out, "%llu", (unsigned long long)(w->oldest_ms / 1000));
	else
		fputs("null", out);
	fprintf(out, ",\"ports_distinct\":%zu,\"ports\":[", w->nports);
	for (size_t i = 0; i < w->ntop; i++)
		fprintf(out, "%s{\"port\":%u,\"direction\":\"%s\",\"state\":\"%s\",\"count\":%u}",
			i ? "," : "", w->ports[i].port, dir_name(w->ports[i].dir),
			tcp_state_name((enum tcp_state)w->ports[i].state), w->ports[i].count);
	fputs("]}", out);
}

int view_leaks_owners_json(FILE *out, const struct view_leaks *s, const struct view_opts *o,
			   bool cgroup)
{
	size_t n = shown(s, o);
	char when[32], verdict[1200];

	view_format_time(&s->time, when, sizeof(when));
	view_leaks_owners_verdict(s, cgroup, verdict, sizeof(verdict));
	fprintf(out, "{\"version\":1,\"time\":\"%s\",\"netns\":", when);
	if (s->netns)
		view_json_string(out, s->netns);
	else
		fputs("null", out);
	fprintf(out, ",\"status\":\"%s\",\"verdict\":", leaks_status_name(s->status));
	view_json_string(out, verdict);
	fprintf(out, ",\"sockets\":%llu,\"by\":\"%s\"",
		(unsigned long long)leaks_summary(s->leaks)->sockets, cgroup ? "cgroup" : "process");
	if (!s->complete) {
		fputs(",\"complete\":false,\"error\":", out);
		view_json_string(out, s->note ? s->note : "incomplete sample");
	}
	fputs(",\"owners\":[", out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_owner(out, leaks_owner(s->leaks, i), cgroup);
	}
	fputs("]}\n", out);
	return ferror(out) ? -EIO : 0;
}

int view_leaks_owners_csv(FILE *out, const struct view_leaks *s, const struct view_opts *o,
			  bool cgroup)
{
	size_t n = shown(s, o);
	char when[32];

	view_format_time(&s->time, when, sizeof(when));
	if (o->header && o->first)
		fputs(cgroup ? "time,netns,cgroup,count,oldest_s,ports_distinct\n" :
			       "time,netns,pid,comm,cgroup,count,oldest_s,ports_distinct\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct leaks_owner *w = leaks_owner(s->leaks, i);

		fprintf(out, "%s,", when);
		view_csv_field(out, s->netns ? s->netns : "");
		fputc(',', out);
		if (!cgroup) {
			fprintf(out, "%d,", w->pid);
			view_csv_field(out, w->comm);
			fputc(',', out);
		}
		/* A cgroup row without a process: "?" or "-". */
		view_csv_field(out, w->cgroup[0] ? w->cgroup : cgroup ? w->comm : "");
		fprintf(out, ",%llu,", (unsigned long long)w->count);
		if (w->has_age)
			fprintf(out, "%llu", (unsigned long long)(w->oldest_ms / 1000));
		fprintf(out, ",%zu\n", w->nports);
	}
	return ferror(out) ? -EIO : 0;
}
