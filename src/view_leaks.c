/* SPDX-License-Identifier: MIT */
/*
 * view_leaks: `portstat leaks` as text (a monitoring plugin's status line,
 * verdict | perfdata, then an aligned table measured before it is
 * printed), JSON (one object per sample), CSV (one row per group and
 * owning process) and Prometheus exposition.  Names (comm, cgroup, netns)
 * go through strenc's encoder of each format.  An age that is not known
 * is never shown as a number: "-", null, an empty field, "U", or no
 * series.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "strenc.h"
#include "view_leaks.h"

/* Peers and processes named in a text cell; the rest are "+N". */
#define TEXT_PEERS	3

static const char *dir_name(uint8_t dir)
{
	return dir == TABLE_DIR_IN ? "in" : "out";
}

/* "CLOSE_WAIT": the state as the verdict names it. */
static void state_upper(uint8_t state, char *buf, size_t len)
{
	const char *n = tcp_state_name((enum tcp_state)state);
	size_t i;

	for (i = 0; n[i] && i + 1 < len; i++)
		buf[i] = (char)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 'a' + 'A' : n[i]);
	buf[i] = '\0';
}

void view_leaks_age(uint64_t secs, char *buf, size_t len)
{
	unsigned long long s = (unsigned long long)secs;

	if (s < 60)
		snprintf(buf, len, "%llus", s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%llud%02lluh", s / 86400, s % 86400 / 3600);
}

/* "+40/min", "-0.5/min": one decimal only where it says something. */
static void growth_str(double g, char *buf, size_t len)
{
	/* Rounded by hand: no libm for one function. */
	long long whole = (long long)(g < 0 ? g - 0.5 : g + 0.5);
	double off = g - (double)whole;

	if (off > -0.05 && off < 0.05)
		snprintf(buf, len, "%s%lld/min", whole < 0 ? "" : "+", whole);
	else
		snprintf(buf, len, "%+.1f/min", g);
}

static void peer_str(const struct leaks_peer *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s", a);
}

/* "java[4121]", "?" (unknown owner), "-" (orphaned): the comm in its
 * text form (strenc.h; @flags STRENC_*), so a name never carries a
 * control into a table or the verdict. */
static void proc_str(const struct leaks_proc *p, char *buf, size_t len, unsigned flags)
{
	char comm[4 * sizeof(p->comm) + 1];

	strenc_text(comm, sizeof(comm), p->comm, -1, flags);
	if (p->pid)
		snprintf(buf, len, "%s[%d]", comm, p->pid);
	else
		snprintf(buf, len, "%s", comm);
}

static void states_phrase(uint32_t mask, char *buf, size_t len)
{
	size_t n = 0, k = 0, total = 0;

	for (int i = 0; i < TCP_STATE_COUNT; i++)
		total += (mask & TCP_STATE_BIT(tcp_state_order[i])) != 0;
	buf[0] = '\0';
	for (int i = 0; i < TCP_STATE_COUNT && n < len; i++) {
		enum tcp_state s = tcp_state_order[i];
		char up[16];

		if (!(mask & TCP_STATE_BIT(s)))
			continue;
		state_upper((uint8_t)s, up, sizeof(up));
		k++;
		snprintf(buf + n, len - n, "%s%s",
			 k == 1 ? "" : k == total ? " or " : ", ", up);
		n += strlen(buf + n);
	}
}

void view_leaks_verdict(const struct view_leaks *s, char *buf, size_t len)
{
	static const char *const word[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	const char *w = word[s->status <= LEAKS_UNKNOWN ? s->status : LEAKS_UNKNOWN];
	const struct leaks_group *g = s->worst >= 0 ? leaks_group(s->leaks, (size_t)s->worst) : NULL;
	char st[16], who[96], tail[64] = "", age[24], gr[24];
	size_t n;

	if (!g) {
		char states[128];

		states_phrase(leaks_states(s->leaks), states, sizeof(states));
		snprintf(buf, len, "%s: no %s sockets", w, states);
		return;
	}
	state_upper(g->state, st, sizeof(st));
	if (g->nprocs == 0 || strcmp(g->procs[0].comm, LEAKS_COMM_UNKNOWN) == 0) {
		snprintf(who, sizeof(who), "? (owner unknown)");
	} else if (!g->procs[0].pid) {
		snprintf(who, sizeof(who), "no process (orphaned)");
	} else {
		/* The verdict is a plugin's status line: a '|' in a name
		 * would start forged perfdata. */
		proc_str(&g->procs[0], who, sizeof(who), STRENC_NOPIPE);
		if (g->nprocs > 1)
			snprintf(tail, sizeof(tail), " and %zu more process%s",
				 g->nprocs - 1, g->nprocs == 2 ? "" : "es");
	}
	snprintf(buf, len, "%s: %llu %s %s :%u held by %s%s", w,
		 (unsigned long long)g->count, st, g->dir == TABLE_DIR_IN ? "on" : "to",
		 g->port, who, tail);
	n = strlen(buf);
	if (g->has_growth && n < len) {
		growth_str(g->growth_per_min, gr, sizeof(gr));
		snprintf(buf + n, len - n, ", %s", gr);
		n += strlen(buf + n);
	}
	if (g->has_age && n < len) {
		view_leaks_age(g->oldest_ms / 1000, age, sizeof(age));
		snprintf(buf + n, len - n, ", oldest %s", age);
	} else if (!g->has_age && n < len && s->th &&
		   (s->th->has_warn_age || s->th->has_crit_age)) {
		/* Why an age threshold says UNKNOWN. */
		snprintf(buf + n, len - n, ", age unknown");
	}
}

/* One metric "'label'=value[UOM];warn;crit;0" at @buf + *n: the label
 * quoted as the guidelines allow for any label, a quote doubled (ours are
 * state names, but the quoting must not depend on that). */
void view_leaks_perf_metric(char *buf, size_t len, size_t *n, const char *label,
			    const char *value, bool has_warn, uint64_t warn, bool has_crit,
			    uint64_t crit)
{
	char m[160], w[24] = "", c[24] = "";
	size_t k = 0;

	m[k++] = '\'';
	for (const char *p = label; *p && k + 4 < sizeof(m); p++) {
		if (*p == '\'')
			m[k++] = '\'';
		m[k++] = *p;
	}
	m[k++] = '\'';
	m[k] = '\0';
	if (has_warn)
		snprintf(w, sizeof(w), "%" PRIu64, warn);
	if (has_crit)
		snprintf(c, sizeof(c), "%" PRIu64, crit);
	/* A metric that does not fit is left out whole, never cut. */
	if (*n + strlen(m) + strlen(value) + strlen(w) + strlen(c) + 8 >= len)
		return;
	*n += (size_t)snprintf(buf + *n, len - *n, "%s%s=%s;%s;%s;0", *n ? " " : "", m, value, w, c);
}

void view_leaks_perfdata_all(const struct view_leaks *const *s, size_t ns, char *buf, size_t len)
{
	static const struct leaks_thresholds none;
	const struct leaks_thresholds *th = &none;
	uint32_t states = 0;
	size_t n = 0;

	buf[0] = '\0';
	for (size_t j = 0; j < ns; j++) {
		if (!s[j])
			continue;
		states |= leaks_states(s[j]->leaks);
		if (s[j]->th)
			th = s[j]->th;
	}
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];
		uint64_t total = 0, oldest = 0;
		bool aged = false;
		char label[48], value[32];

		if (!(states & TCP_STATE_BIT(st)))
			continue;
		for (size_t j = 0; j < ns; j++) {
			size_t ng = s[j] ? leaks_ngroups(s[j]->leaks) : 0;

			for (size_t k = 0; k < ng; k++) {
				const struct leaks_group *g = leaks_group(s[j]->leaks, k);

				if (g->state != st)
					continue;
				total += g->count;
				if (g->has_age && (!aged || g->oldest_ms / 1000 > oldest))
					oldest = g->oldest_ms / 1000;
				aged |= g->has_age;
			}
		}
		snprintf(value, sizeof(value), "%" PRIu64, total);
		view_leaks_perf_metric(buf, len, &n, tcp_state_name(st), value, th->has_warn, th->warn,
			    th->has_crit, th->crit);
		/* No socket: nothing has been stuck for any time.  Sockets
		 * of no known age: "U", the guidelines' "could not be
		 * determined", never a made-up 0. */
		if (total && !aged)
			snprintf(value, sizeof(value), "U");
		else
			snprintf(value, sizeof(value), "%" PRIu64 "s", oldest);
		snprintf(label, sizeof(label), "oldest_%s", tcp_state_name(st));
		view_leaks_perf_metric(buf, len, &n, label, value, th->has_warn_age, th->warn_age,
			    th->has_crit_age, th->crit_age);
	}
}

void view_leaks_perfdata(const struct view_leaks *s, char *buf, size_t len)
{
	view_leaks_perfdata_all(&s, 1, buf, len);
}

static size_t shown(const struct view_leaks *s, const struct view_opts *o)
{
	size_t n = leaks_ngroups(s->leaks);

	return o->top && o->top < n ? o->top : n;
}

/* The text table's columns. */
enum { C_PORT, C_DIR, C_STATE, C_COUNT, C_RECVQ, C_OLDEST, C_GROWTH, C_PROCS, C_PEERS, NCOLS };

static const struct {
	const char *title;
	bool right;
} cols[NCOLS] = {
	{ "PORT", false }, { "DIR", false }, { "STATE", false }, { "COUNT", true },
	{ "RECV-Q", true }, { "OLDEST", true }, { "GROWTH", true }, { "PROCESSES", false },
	{ "PEERS", false },
};

#define CELL	160

static void cells(const struct view_leaks *s, const struct leaks_group *g, char c[NCOLS][CELL])
{
	size_t n;

	snprintf(c[C_PORT], CELL, "%u", g->port);
	snprintf(c[C_DIR], CELL, "%s", dir_name(g->dir));
	snprintf(c[C_STATE], CELL, "%s", tcp_state_label((enum tcp_state)g->state));
	snprintf(c[C_COUNT], CELL, "%llu", (unsigned long long)g->count);
	snprintf(c[C_RECVQ], CELL, "%llu", (unsigned long long)g->recv_q);
	if (g->has_age)
		view_leaks_age(g->oldest_ms / 1000, c[C_OLDEST], CELL);
	else
		snprintf(c[C_OLDEST], CELL, "-");
	if (g->has_growth)
		growth_str(g->growth_per_min, c[C_GROWTH], CELL);
	else
		snprintf(c[C_GROWTH], CELL, "-");
	c[C_PROCS][0] = '\0';
	if (g->nprocs) {
		/* Plugin output: in its long text a '|' starts perfdata. */
		proc_str(&g->procs[0], c[C_PROCS], CELL, STRENC_NOPIPE);
		n = strlen(c[C_PROCS]);
		if (g->nprocs > 1)
			snprintf(c[C_PROCS] + n, CELL - n, " +%zu", g->nprocs - 1);
	}
	c[C_PEERS][0] = '\0';
	n = 0;
	for (size_t i = 0; i < g->ntop && i < TEXT_PEERS && n < CELL; i++) {
		char a[64];

		peer_str(&g->peers[i], a, sizeof(a));
		snprintf(c[C_PEERS] + n, CELL - n, "%s%s (%llu)", i ? ", " : "", a,
			 (unsigned long long)g->peers[i].count);
		n += strlen(c[C_PEERS] + n);
	}
	if (g->npeers > TEXT_PEERS && n < CELL)
		snprintf(c[C_PEERS] + n, CELL - n, " +%zu", g->npeers - TEXT_PEERS);
	(void)s;
}

void view_leaks_status_line(FILE *out, const struct view_leaks *s, const struct view_opts *o,
			    const char *verdict)
{
	char perf[1024] = "";

	if (!s->section)
		view_leaks_perfdata(s, perf, sizeof(perf));
	fprintf(out, "%s%s%s%s\n", o->first || !o->stamp ? "" : "\n", verdict,
		perf[0] ? " | " : "", perf);
	if (o->stamp) {
		char when[32];

		view_format_time(&s->time, when, sizeof(when));
		fprintf(out, "# %s\n", when);
	}
}

/* The table is measured in one pass and printed in a second, each row's
 * cells made again: a sample may hold 655350 groups, and keeping every
 * row's text would cost more than the whole model. */
int view_leaks_text(FILE *out, const struct view_leaks *s, const struct view_opts *o)
{
	size_t n = shown(s, o), width[NCOLS];
	char verdict[512], c[NCOLS][CELL];
	bool show[NCOLS];

	view_leaks_verdict(s, verdict, sizeof(verdict));
	view_leaks_status_line(out, s, o, verdict);
	if (!s->complete && s->note) {
		fputs("# incomplete: ", out);
		strenc_text_pad(out, s->note, 0, false);
		fputc('\n', out);
	}
	if (n == 0)
		return ferror(out) ? -EIO : 0;

	/* Cells hold text forms already; widths are display columns. */
	for (int k = 0; k < NCOLS; k++) {
		width[k] = o->header ? strlen(cols[k].title) : 0;
		show[k] = k != C_GROWTH || s->tracking;
	}
	for (size_t i = 0; i < n; i++) {
		cells(s, leaks_group(s->leaks, i), c);
		for (int k = 0; k < NCOLS; k++)
			if ((size_t)strenc_text_width(c[k]) > width[k])
				width[k] = (size_t)strenc_text_width(c[k]);
	}
	for (size_t i = o->header ? 0 : 1; i <= n; i++) {
		bool first = true;

		if (i > 0)
			cells(s, leaks_group(s->leaks, i - 1), c);
		for (int k = 0; k < NCOLS; k++) {
			const char *v = i == 0 ? cols[k].title : c[k];
			int w = (int)width[k];

			if (!show[k])
				continue;
			fputs(first ? "" : "  ", out);
			/* last column: no trailing blanks */
			strenc_text_pad(out, v, k == NCOLS - 1 ? 0 : w, cols[k].right);
			first = false;
		}
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

static void json_group(FILE *out, const struct leaks_group *g)
{
	fprintf(out, "{\"port\":%u,\"direction\":\"%s\",\"state\":\"%s\",\"count\":%llu,"
		"\"recv_q_bytes\":%llu,\"oldest_s\":",
		g->port, dir_name(g->dir), tcp_state_name((enum tcp_state)g->state),
		(unsigned long long)g->count, (unsigned long long)g->recv_q);
	if (g->has_age)
		fprintf(out, "%llu", (unsigned long long)(g->oldest_ms / 1000));
	else
		fputs("null", out);
	fputs(",\"growth_per_min\":", out);
	if (g->has_growth)
		fprintf(out, "%.1f", g->growth_per_min == 0 ? 0.0 : g->growth_per_min);
	else
		fputs("null", out);
	fputs(",\"processes\":[", out);
	for (size_t i = 0; i < g->nprocs; i++) {
		fprintf(out, "%s{\"pid\":%d,\"comm\":", i ? "," : "", g->procs[i].pid);
		view_json_string(out, g->procs[i].comm);
		fprintf(out, ",\"count\":%llu,\"cgroup\":", (unsigned long long)g->procs[i].count);
		if (g->procs[i].cgroup[0])
			view_json_string(out, g->procs[i].cgroup);
		else
			fputs("null", out);
		fputc('}', out);
	}
	fprintf(out, "],\"peers_distinct\":%zu,\"peers\":[", g->npeers);
	for (size_t i = 0; i < g->ntop; i++) {
		char a[64];

		peer_str(&g->peers[i], a, sizeof(a));
		fprintf(out, "%s{\"addr\":\"%s\",\"count\":%llu}", i ? "," : "", a,
			(unsigned long long)g->peers[i].count);
	}
	fputs("]}", out);
}

int view_leaks_json(FILE *out, const struct view_leaks *s, const struct view_opts *o)
{
	size_t n = shown(s, o);
	char when[32], verdict[512];

	view_format_time(&s->time, when, sizeof(when));
	view_leaks_verdict(s, verdict, sizeof(verdict));
	fprintf(out, "{\"version\":1,\"time\":\"%s\",\"netns\":", when);
	if (s->netns)
		view_json_string(out, s->netns);
	else
		fputs("null", out);
	fprintf(out, ",\"status\":\"%s\",\"verdict\":", leaks_status_name(s->status));
	view_json_string(out, verdict);
	fprintf(out, ",\"sockets\":%llu", (unsigned long long)leaks_summary(s->leaks)->sockets);
	if (!s->complete) {
		fputs(",\"complete\":false,\"error\":", out);
		view_json_string(out, s->note ? s->note : "incomplete sample");
	}
	fputs(",\"groups\":[", out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_group(out, leaks_group(s->leaks, i));
	}
	fputs("]}\n", out);
	return ferror(out) ? -EIO : 0;
}

int view_leaks_csv(FILE *out, const struct view_leaks *s, const struct view_opts *o)
{
	size_t n = shown(s, o);
	char when[32];

	view_format_time(&s->time, when, sizeof(when));
	if (o->header && o->first)
		fputs("time,netns,port,direction,state,count,recv_q_bytes,oldest_s,"
		      "growth_per_min,pid,comm,process_count\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct leaks_group *g = leaks_group(s->leaks, i);

		for (size_t p = 0; p < g->nprocs; p++) {
			fprintf(out, "%s,", when);
			view_csv_field(out, s->netns ? s->netns : "");
			fprintf(out, ",%u,%s,%s,%llu,%llu,",
				g->port, dir_name(g->dir), tcp_state_name((enum tcp_state)g->state),
				(unsigned long long)g->count, (unsigned long long)g->recv_q);
			if (g->has_age)
				fprintf(out, "%llu", (unsigned long long)(g->oldest_ms / 1000));
			fputc(',', out);
			if (g->has_growth)
				fprintf(out, "%.1f", g->growth_per_min == 0 ? 0.0 : g->growth_per_min);
			/* comm is the kernel's, any bytes: the one CSV encoder. */
			fprintf(out, ",%d,", g->procs[p].pid);
			view_csv_field(out, g->procs[p].comm);
			fprintf(out, ",%llu\n", (unsigned long long)g->procs[p].count);
		}
	}
	return ferror(out) ? -EIO : 0;
}

/* Prometheus.  Gauges in base units (seconds; growth per second, where
 * the text and JSON say it per minute), no timestamps (the textfile
 * collector rejects them), label values through strenc_prom(). */
static const struct {
	const char *name, *help;
} prom_families[VIEW_LEAKS_PROM_FAMILIES] = {
	{ "portstat_leak_sockets",
	  "Sockets in a stuck TCP state by counted port, direction and state; groups past --top are summed under port=\"other\"." },
	{ "portstat_leak_oldest_seconds",
	  "Age of the oldest socket of the group, a lower bound; absent when no age is known." },
	{ "portstat_leak_growth_sockets_per_second",
	  "Change of the group's socket count per second over the last minutes; absent until known." },
	{ "portstat_leak_process_sockets",
	  "Sockets of the group held by one process (pid 0: no process or owner unknown); past --top summed under pid=\"other\"." },
	{ "portstat_leak_status",
	  "The leak check's monitoring-plugin status: 0 ok, 1 warning, 2 critical, 3 unknown." },
	{ "portstat_leak_sample_complete",
	  "1 if the kernel's dump was complete, 0 if it stayed interrupted." },
};

void view_leaks_prom_header(FILE *out, int family)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", prom_families[family].name,
		prom_families[family].help, prom_families[family].name);
}

/* "name{netns="x",port="8080",direction="in",state="close_wait"" without
 * the closing brace, so callers can add labels. */
static void prom_open(FILE *out, int family, const char *netns, const struct holder *h,
		      const char *port, const char *dir, uint8_t state)
{
	fprintf(out, "%s{", prom_families[family].name);
	view_prom_ns_labels(out, netns, h, ",");
	fprintf(out, "port=\"%s\",direction=\"%s\",state=\"%s\"", port, dir,
		tcp_state_name((enum tcp_state)state));
}

/* What the groups past --top add up to, per direction and state. */
struct prom_other {
	uint64_t count;
	uint64_t oldest_s;
	bool has_age;
};

static void prom_group(FILE *out, int family, const struct view_leaks *s,
		       const struct view_opts *o, const char *netns, const struct leaks_group *g)
{
	const struct holder *h = s->holder;
	const char *dir = dir_name(g->dir);
	char port[8];

	snprintf(port, sizeof(port), "%u", g->port);
	switch (family) {
	case VIEW_LEAKS_PROM_SOCKETS:
		prom_open(out, family, netns, h, port, dir, g->state);
		fprintf(out, "} %" PRIu64 "\n", g->count);
		break;
	case VIEW_LEAKS_PROM_OLDEST:
		if (!g->has_age)
			break;
		prom_open(out, family, netns, h, port, dir, g->state);
		fprintf(out, "} %" PRIu64 "\n", g->oldest_ms / 1000);
		break;
	case VIEW_LEAKS_PROM_GROWTH:
		if (!g->has_growth)
			break;
		prom_open(out, family, netns, h, port, dir, g->state);
		fprintf(out, "} %.6g\n", g->growth_per_min == 0 ? 0.0 : g->growth_per_min / 60);
		break;
	case VIEW_LEAKS_PROM_PROCESSES: {
		size_t keep = o->top && o->top < g->nprocs ? o->top : g->nprocs;
		uint64_t rest = 0;

		for (size_t p = 0; p < g->nprocs; p++) {
			if (p >= keep) {
				rest += g->procs[p].count;
				continue;
			}
			prom_open(out, family, netns, h, port, dir, g->state);
			fprintf(out, ",pid=\"%d\",comm=\"", g->procs[p].pid);
			strenc_prom(out, g->procs[p].comm);
			fprintf(out, "\"} %" PRIu32 "\n", g->procs[p].count);
		}
		if (rest) {
			prom_open(out, family, netns, h, port, dir, g->state);
			fprintf(out, ",pid=\"other\",comm=\"other\"} %" PRIu64 "\n", rest);
		}
		break;
	}
	}
}

static void group_at(const void *ctx, size_t r, struct series_key *key, uint64_t *value)
{
	const struct leaks_group *g = leaks_group(ctx, r);

	*key = (struct series_key){ .port = g->port, .dir = g->dir, .state = g->state };
	*value = g->count;
}

int view_leaks_prom_select(const struct view_leaks *s)
{
	if (!s->series)
		return 0;
	/* Groups come largest first: ranked by count. */
	return series_update_by(s->series, leaks_ngroups(s->leaks), group_at, s->leaks, true);
}

/* Whether the @i-th group is exported: a member of the kept set, or
 * without one among the first o->top. */
static bool exported(const struct view_leaks *s, const struct view_opts *o, size_t i,
		     const struct leaks_group *g)
{
	if (s->series)
		return series_has_key(s->series, &(struct series_key){
			.port = g->port, .dir = g->dir, .state = g->state });
	return i < shown(s, o);
}

int view_leaks_prom_family(FILE *out, int family, const struct view_leaks *s,
			   const struct view_opts *o, const char *netns)
{
	size_t ng = leaks_ngroups(s->leaks);
	struct prom_other other[2][TCP_STATE_MAX + 1];
	bool sums = family == VIEW_LEAKS_PROM_SOCKETS || family == VIEW_LEAKS_PROM_OLDEST;

	if (family == VIEW_LEAKS_PROM_STATUS || family == VIEW_LEAKS_PROM_COMPLETE) {
		fputs(prom_families[family].name, out);
		if (netns) {
			fputc('{', out);
			view_prom_ns_labels(out, netns, s->holder, "}");
		}
		fprintf(out, " %d\n", family == VIEW_LEAKS_PROM_STATUS ? (int)s->status :
			s->complete ? 1 : 0);
		return ferror(out) ? -EIO : 0;
	}
	memset(other, 0, sizeof(other));
	for (size_t i = 0; i < ng; i++) {
		const struct leaks_group *g = leaks_group(s->leaks, i);
		struct prom_other *x;

		if (exported(s, o, i, g)) {
			prom_group(out, family, s, o, netns, g);
			continue;
		}
		/* Owners and growth are per group: "other" has neither. */
		if (!sums || g->state > TCP_STATE_MAX)
			continue;
		x = &other[g->dir == TABLE_DIR_IN ? 0 : 1][g->state];
		x->count += g->count;
		if (g->has_age && g->oldest_ms / 1000 >= x->oldest_s)
			x->oldest_s = g->oldest_ms / 1000;
		x->has_age |= g->has_age;
	}
	/* Members this sample does not hold count 0, which is what they
	 * count: no gap for rate() and alerts while they stay members. */
	for (size_t i = 0; s->series && family == VIEW_LEAKS_PROM_SOCKETS &&
			   i < series_count(s->series); i++) {
		struct series_key k = series_get_key(s->series, i);
		char port[8];

		if (series_present(s->series, i))
			continue;
		snprintf(port, sizeof(port), "%u", k.port);
		prom_open(out, family, netns, s->holder, port, dir_name(k.dir), k.state);
		fputs("} 0\n", out);
	}
	for (int d = 0; d < 2 && sums; d++) {
		for (int i = 0; i < TCP_STATE_COUNT; i++) {
			enum tcp_state st = tcp_state_order[i];
			const struct prom_other *x = &other[d][st];

			if (!x->count || (family == VIEW_LEAKS_PROM_OLDEST && !x->has_age))
				continue;
			prom_open(out, family, netns, s->holder, "other", d == 0 ? "in" : "out",
				  (uint8_t)st);
			fprintf(out, "} %" PRIu64 "\n",
				family == VIEW_LEAKS_PROM_SOCKETS ? x->count : x->oldest_s);
		}
	}
	return ferror(out) ? -EIO : 0;
}

int view_leaks_prom(FILE *out, const struct view_leaks *s, const struct view_opts *o,
		    const char *netns)
{
	view_leaks_prom_select(s);
	for (int f = 0; f < VIEW_LEAKS_PROM_FAMILIES; f++) {
		int ret;

		view_leaks_prom_header(out, f);
		ret = view_leaks_prom_family(out, f, s, o, netns);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int view_leaks_prom_all(FILE *out, const struct view_leaks *const *s, size_t n,
			const struct view_opts *o)
{
	int ret = 0;

	for (size_t k = 0; k < n; k++)
		if (s[k])
			view_leaks_prom_select(s[k]);
	for (int f = 0; f < VIEW_LEAKS_PROM_FAMILIES && ret == 0; f++) {
		view_leaks_prom_header(out, f);
		for (size_t k = 0; k < n && ret == 0; k++)
			if (s[k])
				ret = view_leaks_prom_family(out, f, s[k], o, s[k]->netns);
	}
	return ret;
}
