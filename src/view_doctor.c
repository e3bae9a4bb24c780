/* SPDX-License-Identifier: MIT */
/*
 * view_doctor: the doctor report for people (text: a plugin status line,
 * then one block per finding, worst first, with why and what to do, then
 * one line per check that passed) and for programs (one JSON object).
 * Owner names are untrusted and pass through strenc.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "doctor.h"
#include "strenc.h"
#include "view.h"
#include "view_doctor.h"
#include "view_leaks.h"

static const char *status_upper(enum doctor_severity s)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

	return s <= DOCTOR_UNKNOWN ? names[s] : "UNKNOWN";
}

static void addr_str(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(family == AF_INET ? AF_INET : AF_INET6, a, ip, sizeof(ip));
	snprintf(buf, len, family == AF_INET ? "%s" : "[%s]", ip);
}

void view_doctor_where(const struct doctor_finding *f, char *buf, size_t len)
{
	char l[64], r[64];

	switch (f->check) {
	case DOCTOR_ACCEPT_QUEUE:
		addr_str(f->family, f->laddr, l, sizeof(l));
		snprintf(buf, len, "listener %s:%u", l, f->port);
		break;
	case DOCTOR_EPHEMERAL:
		addr_str(f->family, f->laddr, l, sizeof(l));
		addr_str(f->family, f->raddr, r, sizeof(r));
		snprintf(buf, len, "%s -> %s:%u", l, r, f->port);
		break;
	case DOCTOR_TW_BUCKETS:
	case DOCTOR_ORPHANS:
		snprintf(buf, len, "namespace");
		break;
	case DOCTOR_FIN_WAIT2:
		addr_str(f->family, f->raddr, r, sizeof(r));
		snprintf(buf, len, "peer %s", r);
		break;
	case DOCTOR_CLOSE_WAIT:
		/* By owner: the pid is ours to print; its name is untrusted
		 * and comes with the owner, encoded. */
		if (f->pid) {
			snprintf(buf, len, "pid %d", f->pid);
			break;
		}
		/* fall through */
	default:
		snprintf(buf, len, ":%u %s", f->port, f->dir == TABLE_DIR_IN ? "in" : "out");
		break;
	}
}

/* What was measured, against what. */
static void numbers(const struct doctor *d, const struct doctor_finding *f, char *buf, size_t len)
{
	const struct doctor_ns *ns = doctor_ns(d);

	switch (f->check) {
	case DOCTOR_ACCEPT_QUEUE:
		snprintf(buf, len, "accept queue %" PRIu64 " of backlog %" PRIu64 " (%u%%)",
			 f->value, f->limit, f->pct);
		break;
	case DOCTOR_EPHEMERAL:
		snprintf(buf, len,
			 "%" PRIu64 " of %" PRIu64 " local ports taken (%u%%), %" PRIu64
			 " in TIME_WAIT; range %u-%u, %u reserved",
			 f->value, f->limit, f->pct, f->extra, ns->eph_lo, ns->eph_hi, ns->reserved);
		break;
	case DOCTOR_SERVER_CLOSE:
		snprintf(buf, len, "%" PRIu64 " TIME_WAIT (about %.1f"
			 " closes/s by this server), more than %" PRIu64,
			 f->value, (double)f->value / 60, f->limit);
		break;
	case DOCTOR_TW_BUCKETS:
		if (ns->has_tw_overflow)
			snprintf(buf, len, "%" PRIu64 " TIME_WAIT of tcp_max_tw_buckets %" PRIu64
				 " (%u%%), TCPTimeWaitOverflow %" PRIu64,
				 f->value, f->limit, f->pct, f->extra);
		else
			snprintf(buf, len, "%" PRIu64 " TIME_WAIT of tcp_max_tw_buckets %" PRIu64
				 " (%u%%)", f->value, f->limit, f->pct);
		break;
	case DOCTOR_FIN_WAIT2:
		snprintf(buf, len, "%" PRIu64 " FIN_WAIT2, more than %" PRIu64, f->value, f->limit);
		break;
	case DOCTOR_SYN_RECV:
		snprintf(buf, len, "%" PRIu64 " SYN_RECV of backlog %" PRIu64 " (%u%%)", f->value,
			 f->limit, f->pct);
		break;
	case DOCTOR_ORPHANS:
		snprintf(buf, len, "%" PRIu64 " orphaned of tcp_max_orphans %" PRIu64
			 " (%u%%), %" PRIu64 " in FIN_WAIT1 with unsent data",
			 f->value, f->limit, f->pct, f->extra);
		break;
	default:
		if (f->pid)
			snprintf(buf, len, "%" PRIu64 " CLOSE_WAIT over %u ports, more than %" PRIu64,
				 f->value, f->parts_all, f->limit);
		else
			snprintf(buf, len, "%" PRIu64 " CLOSE_WAIT, more than %" PRIu64, f->value,
				 f->limit);
		break;
	}
}

static void why(const struct view_doctor *s, const struct doctor_finding *f, char *buf,
		size_t len)
{
	const struct doctor_ns *ns = doctor_ns(s->d);

	switch (f->check) {
	case DOCTOR_ACCEPT_QUEUE:
		/* With -i the counters' growth is the namespace's, not this
		 * listener's: said once (view_doctor_overflows()), never
		 * as if each full listener had dropped all of it. */
		if (s->has_delta)
			snprintf(buf, len,
				 "the application does not accept() as fast as connections arrive; "
				 "a full queue drops new ones (the namespace's ListenOverflows "
				 "since the last sample are shared by its full listeners)");
		else if (ns->has_netstat)
			snprintf(buf, len,
				 "the application does not accept() as fast as connections arrive; "
				 "a full queue drops new ones (namespace ListenOverflows %" PRIu64
				 ", ListenDrops %" PRIu64 ")",
				 ns->listen_overflows, ns->listen_drops);
		else
			snprintf(buf, len,
				 "the application does not accept() as fast as connections arrive; "
				 "a full queue drops new ones");
		break;
	case DOCTOR_EPHEMERAL:
		snprintf(buf, len,
			 "each connection to one destination needs its own local port; when "
			 "none is free connect() fails with EADDRNOTAVAIL (tcp_tw_reuse %s)",
			 !ns->has_tw_reuse ? "unknown" : ns->tw_reuse == 0 ? "0: TIME_WAIT ports wait 60 s" :
			 ns->tw_reuse == 1 ? "1: TIME_WAIT ports reused" :
			 "2: TIME_WAIT ports reused toward loopback only");
		break;
	case DOCTOR_SERVER_CLOSE:
		snprintf(buf, len,
			 "the server closes first, so its side holds each connection's "
			 "TIME_WAIT for 60 s, which the clients could hold instead");
		break;
	case DOCTOR_TW_BUCKETS:
		snprintf(buf, len,
			 "past the limit the kernel destroys new TIME_WAIT sockets at once "
			 "(\"time wait bucket table overflow\"): late segments of old "
			 "connections can reach new ones");
		break;
	case DOCTOR_FIN_WAIT2:
		snprintf(buf, len,
			 "we closed and the peer acknowledged but never closed its side: "
			 "often the mirror of a CLOSE_WAIT leak on the peer");
		break;
	case DOCTOR_ORPHANS:
		snprintf(buf, len,
			 "sockets the process closed that the kernel still drives (FIN_WAIT1, "
			 "LAST_ACK, CLOSING); FIN_WAIT1 with unsent data means the peer stopped "
			 "reading; past the host-wide limit the kernel resets them");
		break;
	case DOCTOR_SYN_RECV: {
		char sent[48] = "unknown";

		if (ns->has_cookies_sent)
			snprintf(sent, sizeof(sent), "%" PRIu64, ns->cookies_sent);
		char cookies[16] = "unknown";

		if (ns->has_syncookies)
			snprintf(cookies, sizeof(cookies), "%d", ns->syncookies);
		snprintf(buf, len,
			 "handshakes the clients never complete: a SYN flood (spoofed sources) "
			 "or a slow or lossy path back to them; past the backlog new SYNs get "
			 "cookies or are dropped (tcp_syncookies %s, SyncookiesSent %s)",
			 cookies, sent);
		break;
	}
	default:
		if (f->pid)
			snprintf(buf, len,
				 "the peer closed and this process never called close(), on "
				 "several ports, each below the level alone: one leak in code "
				 "its connections share");
		else
			snprintf(buf, len,
				 "the peer closed and our side never called close(): a descriptor "
				 "leak in the owning process");
		break;
	}
}

static void fix(const struct doctor *d, const struct doctor_finding *f, char *buf, size_t len)
{
	const struct doctor_ns *ns = doctor_ns(d);
	char cap[32] = "unknown";

	switch (f->check) {
	case DOCTOR_ACCEPT_QUEUE:
		if (ns->has_somaxconn)
			snprintf(cap, sizeof(cap), "%" PRIu64, ns->somaxconn);
		snprintf(buf, len,
			 "accept faster (more acceptor threads, no blocking work in the accept "
			 "loop); raise the listen() backlog, capped by net.core.somaxconn (%s)", cap);
		break;
	case DOCTOR_EPHEMERAL:
		snprintf(buf, len,
			 "reuse connections (keep-alive, a pool); widen "
			 "net.ipv4.ip_local_port_range; net.ipv4.tcp_tw_reuse=1; more source "
			 "or destination addresses");
		break;
	case DOCTOR_SERVER_CLOSE:
		snprintf(buf, len,
			 "let clients close first (HTTP keep-alive, the client ends the session); "
			 "or close with SO_LINGER 0 only where a reset is acceptable");
		break;
	case DOCTOR_TW_BUCKETS:
		snprintf(buf, len,
			 "close fewer connections (keep-alive, pools; let clients close "
			 "first); raise net.ipv4.tcp_max_tw_buckets if memory allows");
		break;
	case DOCTOR_FIN_WAIT2:
		snprintf(buf, len,
			 "find the leak on the peer ('portstat leaks' there); "
			 "net.ipv4.tcp_fin_timeout bounds orphaned FIN_WAIT2");
		break;
	case DOCTOR_ORPHANS:
		snprintf(buf, len,
			 "find the peers that stopped reading; net.ipv4.tcp_orphan_retries "
			 "bounds how long an orphan probes; raise net.ipv4.tcp_max_orphans "
			 "only if memory allows");
		break;
	case DOCTOR_SYN_RECV:
		snprintf(buf, len,
			 "keep net.ipv4.tcp_syncookies=1; a flood: filter it upstream; "
			 "otherwise raise the listen() backlog and net.ipv4.tcp_max_syn_backlog "
			 "(capped by net.core.somaxconn)");
		break;
	default:
		if (f->pid)
			snprintf(buf, len,
				 "close() every socket after read() returns 0 or an error, in the "
				 "code these ports share; 'portstat leaks' shows the sockets' ages "
				 "and growth");
		else
			snprintf(buf, len,
				 "close() every socket after read() returns 0 or an error; find the "
				 "owner with 'portstat leaks'");
		break;
	}
}

void view_doctor_describe(const struct view_doctor *s, const struct doctor_finding *f,
			  char *numbers_, size_t nlen, char *why_, size_t wlen, char *fix_,
			  size_t flen)
{
	numbers(s->d, f, numbers_, nlen);
	why(s, f, why_, wlen);
	fix(s->d, f, fix_, flen);
}

/* printf at *@n of @buf (@len bytes), clipped; *@n follows what was
 * written. */
static void append(char *buf, size_t len, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n + 1 >= len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
	if (w > 0)
		*n = *n + (size_t)w < len ? *n + (size_t)w : len - 1;
}

void view_doctor_overflows(const struct view_doctor *s, char *buf, size_t len)
{
	uint64_t full = doctor_full_listeners(s->d), named = 0;
	size_t n = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (!s->has_delta)
		return;
	append(buf, len, &n, "namespace ListenOverflows +%" PRIu64 ", ListenDrops +%" PRIu64
	       " since the last sample, ", s->overflows_delta, s->drops_delta);
	if (!full) {
		append(buf, len, &n, "while no listener was full at this sample");
		return;
	}
	append(buf, len, &n, "while %" PRIu64 " listener%s %s full (", full, full == 1 ? "" : "s",
	       full == 1 ? "was" : "were");
	/* The full ones among the findings, by where they are; the rest
	 * (below the levels asked for) by number. */
	for (size_t i = 0; i < doctor_nfindings(s->d) && named < 5; i++) {
		const struct doctor_finding *f = doctor_finding(s->d, i);
		char w[128];

		if (f->check != DOCTOR_ACCEPT_QUEUE || f->value <= f->limit)
			continue;
		view_doctor_where(f, w, sizeof(w));
		append(buf, len, &n, "%s%s", named ? ", " : "", w);
		named++;
	}
	if (full > named)
		append(buf, len, &n, "%s%" PRIu64 " more", named ? ", " : "", full - named);
	append(buf, len, &n, "); the kernel does not count them per listener");
}

/* A check whose limit the namespace did not say (a recording without
 * its kernel context, an unreadable sysctl): skipped, not passed. */
static bool skipped(const struct doctor_ns *ns, int c)
{
	switch (c) {
	case DOCTOR_EPHEMERAL:
		return !ns->has_range;
	case DOCTOR_TW_BUCKETS:
		return !ns->has_max_tw;
	case DOCTOR_ORPHANS:
		return !ns->has_max_orphans;
	default:
		return false;
	}
}

static int nskipped(const struct doctor_ns *ns)
{
	int n = 0;

	for (int c = 0; c < DOCTOR_NCHECKS; c++)
		n += skipped(ns, c);
	return n;
}

/* Finding count per severity, and the one-line summary of one finding. */
static void summary(const struct doctor *d, const struct doctor_finding *f, char *buf, size_t len)
{
	char w[128], n[256];

	view_doctor_where(f, w, sizeof(w));
	numbers(d, f, n, sizeof(n));
	snprintf(buf, len, "%s: %s %s", doctor_check_name(f->check), w, n);
}

enum doctor_severity view_doctor_status(const struct view_doctor *s)
{
	enum doctor_severity st = doctor_status(s->d);

	/* A partial count is a lower bound: CRITICAL stays true. */
	return s->incomplete && st != DOCTOR_CRITICAL ? DOCTOR_UNKNOWN : st;
}

void view_doctor_verdict(const struct view_doctor *s, char *buf, size_t len)
{
	size_t nf = doctor_nfindings(s->d);
	enum doctor_severity st = view_doctor_status(s);
	/* The status word is the exit status's: say why it is UNKNOWN. */
	const char *inc = st != doctor_status(s->d) ? "incomplete sample: " : "";
	char one[512];

	if (!nf) {
		int k = nskipped(doctor_ns(s->d));

		if (k)
			snprintf(buf, len, "%s: %s%d checks passed, %d skipped (limit unknown)",
				 status_upper(st), inc, DOCTOR_NCHECKS - k, k);
		else
			snprintf(buf, len, "%s: %s%d checks passed", status_upper(st), inc,
				 DOCTOR_NCHECKS);
		return;
	}
	summary(s->d, doctor_finding(s->d, 0), one, sizeof(one));
	if (nf > 1)
		snprintf(buf, len, "%s: %s%s; %zu more finding%s", status_upper(st), inc, one,
			 nf - 1, nf > 2 ? "s" : "");
	else
		snprintf(buf, len, "%s: %s%s", status_upper(st), inc, one);
}

void view_doctor_perfdata(const struct view_doctor *s, char *buf, size_t len)
{
	const struct doctor_thresholds *th = doctor_thresholds(s->d);
	const struct doctor_ns *ns = doctor_ns(s->d);
	size_t n = 0;

	buf[0] = '\0';
	for (int c = 0; c < DOCTOR_NCHECKS; c++) {
		char label[32], value[32];
		bool pct = doctor_check_is_percent(c);

		snprintf(label, sizeof(label), "%s", doctor_check_name(c));
		for (char *p = label; *p; p++)
			if (*p == '-')
				*p = '_';
		/* The guidelines' U: a value that could not be determined. */
		if (skipped(ns, c))
			snprintf(value, sizeof(value), "U");
		else
			snprintf(value, sizeof(value), "%" PRIu64 "%s", doctor_worst(s->d, c),
				 pct ? "%" : "");
		view_leaks_perf_metric(buf, len, &n, label, value, true, th->warn[c], true,
				       th->crit[c]);
	}
	if (ns->has_netstat) {
		char value[32];

		snprintf(value, sizeof(value), "%" PRIu64 "c", ns->listen_overflows);
		view_leaks_perf_metric(buf, len, &n, "listen_overflows", value, false, 0, false, 0);
		snprintf(value, sizeof(value), "%" PRIu64 "c", ns->listen_drops);
		view_leaks_perf_metric(buf, len, &n, "listen_drops", value, false, 0, false, 0);
	}
}

/* The "ok" line of a check without findings: what it looked at. */
static void passed(const struct view_doctor *s, enum doctor_check c, char *buf, size_t len)
{
	const struct doctor_ns *ns = doctor_ns(s->d);
	uint64_t n = doctor_examined(s->d, c), w = doctor_worst(s->d, c);

	switch (c) {
	case DOCTOR_ACCEPT_QUEUE:
		snprintf(buf, len, "%" PRIu64 " listener%s, fullest accept queue %" PRIu64 "%%",
			 n, n == 1 ? "" : "s", w);
		break;
	case DOCTOR_EPHEMERAL:
		if (!ns->has_range)
			snprintf(buf, len, "ip_local_port_range unknown: not checked");
		else
			snprintf(buf, len, "%" PRIu64 " destination%s, fullest %" PRIu64
				 "%% of ports %u-%u (%u reserved), tcp_tw_reuse %d",
				 n, n == 1 ? "" : "s", w, ns->eph_lo, ns->eph_hi, ns->reserved,
				 ns->has_tw_reuse ? ns->tw_reuse : -1);
		break;
	case DOCTOR_SERVER_CLOSE:
		snprintf(buf, len, "%" PRIu64 " inbound port%s with TIME_WAIT, at most %" PRIu64,
			 n, n == 1 ? "" : "s", w);
		break;
	case DOCTOR_TW_BUCKETS:
		if (!ns->has_max_tw)
			snprintf(buf, len, "tcp_max_tw_buckets unknown: not checked");
		else
			snprintf(buf, len, "%" PRIu64 "%% of tcp_max_tw_buckets %" PRIu64
				 ", TCPTimeWaitOverflow %" PRIu64, w, ns->max_tw, ns->tw_overflow);
		break;
	case DOCTOR_FIN_WAIT2:
		snprintf(buf, len, "%" PRIu64 " peer%s with FIN_WAIT2, at most %" PRIu64,
			 n, n == 1 ? "" : "s", w);
		break;
	case DOCTOR_ORPHANS: {
		/* Below the levels, a peer that stopped reading is still said. */
		char unsent[64] = "";

		if (doctor_orphans_unsent(s->d))
			snprintf(unsent, sizeof(unsent), ", %" PRIu64 " in FIN_WAIT1 with unsent data",
				 doctor_orphans_unsent(s->d));
		if (!ns->has_max_orphans)
			snprintf(buf, len, "tcp_max_orphans unknown: not checked");
		else
			snprintf(buf, len, "%" PRIu64 " orphaned socket%s, %" PRIu64
				 "%% of tcp_max_orphans %" PRIu64 "%s", n, n == 1 ? "" : "s", w,
				 ns->max_orphans, unsent);
		break;
	}
	case DOCTOR_SYN_RECV: {
		char cookies[16] = "unknown";

		if (ns->has_syncookies)
			snprintf(cookies, sizeof(cookies), "%d", ns->syncookies);
		snprintf(buf, len, "%" PRIu64 " listening port%s, fullest SYN_RECV %" PRIu64
			 "%% of its backlog, tcp_syncookies %s", n, n == 1 ? "" : "s", w, cookies);
		break;
	}
	default:
		snprintf(buf, len, "%" PRIu64 " port%s with CLOSE_WAIT, at most %" PRIu64,
			 n, n == 1 ? "" : "s", w);
		break;
	}
}

/* A close-wait finding's breakdown for the text report, in its text form
 * (names are untrusted): "owners: python3[412] 10 (cgroup /a), ..." or
 * "ports: :8081 in 6, :8082 in 6".  "" without one. */
static void parts_text(const struct doctor *d, size_t i, char *buf, size_t len)
{
	const struct doctor_finding *f = doctor_finding(d, i);
	const struct doctor_part *p = doctor_finding_parts(d, i);
	size_t n = 0;

	buf[0] = '\0';
	/* No owner seen at all (another user's processes, without root):
	 * no parts, but the sockets whose owner is unknown are said. */
	if (!f->has_parts || (!f->nparts && !f->parts_unknown))
		return;
	append(buf, len, &n, "%s: ", f->pid ? "ports" : "owners");
	for (uint32_t k = 0; k < f->nparts; k++) {
		char comm[80], cg[400];

		if (f->pid) {
			append(buf, len, &n, "%s:%u %s %" PRIu64, k ? ", " : "", p[k].port,
			       p[k].dir == TABLE_DIR_IN ? "in" : "out", p[k].n);
			continue;
		}
		strenc_text(comm, sizeof(comm), p[k].comm, 64, STRENC_NOPIPE);
		strenc_text(cg, sizeof(cg), p[k].cgroup, 96, STRENC_NOPIPE);
		append(buf, len, &n, "%s%s[%d] %" PRIu64, k ? ", " : "", comm, p[k].pid, p[k].n);
		if (p[k].cgroup[0])
			append(buf, len, &n, " (cgroup %s)", cg);
	}
	if (f->parts_other)
		append(buf, len, &n, "%s%" PRIu64 " more in %u other%s", f->nparts ? ", " : "",
		       f->parts_other, f->parts_all - f->nparts,
		       f->parts_all - f->nparts == 1 ? "" : "s");
	if (f->parts_unknown)
		append(buf, len, &n, "%s%" PRIu64 " whose owner was not found",
		       f->nparts || f->parts_other ? ", " : "", f->parts_unknown);
}

int view_doctor_text(FILE *out, const struct view_doctor *s)
{
	const struct doctor *d = s->d;
	size_t nf = doctor_nfindings(d);
	char verdict[1024], enc[2048], perf[1024], when[32], ns[256];
	bool has[DOCTOR_NCHECKS] = { false };
	size_t sev[4] = { 0 };

	view_doctor_verdict(s, verdict, sizeof(verdict));
	view_doctor_perfdata(s, perf, sizeof(perf));
	strenc_text(enc, sizeof(enc), verdict, -1, STRENC_NOPIPE);
	if (s->no_perfdata)
		fprintf(out, "%s\n", enc);
	else
		fprintf(out, "%s | %s\n", enc, perf);
	for (size_t i = 0; i < nf; i++)
		sev[doctor_finding(d, i)->severity]++;
	view_format_time(&s->time, when, sizeof(when));
	/* Plugin output: the first '|' of any later line starts perfdata
	 * too, so no name may bring one (nor a control) into the report. */
	strenc_text(ns, sizeof(ns), s->netns ? s->netns : "(own)", -1, STRENC_NOPIPE);
	fprintf(out, "portstat doctor, namespace %s, %s: %zu critical, %zu warning%s\n", ns, when,
		sev[DOCTOR_CRITICAL], sev[DOCTOR_WARNING], sev[DOCTOR_WARNING] == 1 ? "" : "s");
	if (s->has_delta) {
		char ov[1024];

		view_doctor_overflows(s, ov, sizeof(ov));
		fprintf(out, "%s\n", ov);
	}
	if (s->no_context)
		fputs("kernel context unknown (a recording without it): sysctls and TcpExt "
		      "counters not known, checks against them skipped\n", out);
	if (s->incomplete) {
		strenc_text(enc, sizeof(enc), s->incomplete, -1, STRENC_NOPIPE);
		fprintf(out, "incomplete sample: %s; counts are a lower bound\n", enc);
	}
	fputc('\n', out);
	for (size_t i = 0; i < nf; i++) {
		const struct doctor_finding *f = doctor_finding(d, i);
		const char *cg = "";
		const char *owner = s->owner ? s->owner(s->owner_arg, i, &cg) : NULL;
		char w[128], n[256], y[512], x[512], o[256], g[256], parts[1024];

		has[f->check] = true;
		view_doctor_where(f, w, sizeof(w));
		numbers(d, f, n, sizeof(n));
		why(s, f, y, sizeof(y));
		fix(d, f, x, sizeof(x));
		fprintf(out, "%-9s %-13s %s", status_upper(f->severity), doctor_check_name(f->check), w);
		if (owner) {
			strenc_text(o, sizeof(o), owner, 64, STRENC_NOPIPE);
			strenc_text(g, sizeof(g), cg, 96, STRENC_NOPIPE);
			fprintf(out, " (%s%s%s)", o, *cg ? ", cgroup " : "", g);
		}
		fprintf(out, ": %s\n", n);
		parts_text(d, i, parts, sizeof(parts));
		if (parts[0])
			fprintf(out, "%-9s %-13s %s\n", "", "", parts);
		fprintf(out, "%-9s %-13s why: %s\n", "", "", y);
		fprintf(out, "%-9s %-13s fix: %s\n", "", "", x);
	}
	for (int c = 0; c < DOCTOR_NCHECKS; c++) {
		char p[256];

		if (has[c])
			continue;
		passed(s, c, p, sizeof(p));
		fprintf(out, "%-9s %-13s %s\n", skipped(doctor_ns(d), c) ? "skipped" : "ok",
			doctor_check_name(c), p);
	}
	return ferror(out) ? -EIO : 0;
}

static void json_str(FILE *out, const char *key, const char *v, bool comma)
{
	fprintf(out, "%s\"%s\":", comma ? "," : "", key);
	strenc_json(out, v);
}

/* A close-wait finding's breakdown: "owners":[{process, pid, comm,
 * cgroup, count}], "owners_other", "owners_unknown" for a port's;
 * "ports":[{port, direction, count}], "ports_other" for a process's. */
static void json_parts(FILE *out, const struct doctor *d, size_t i)
{
	const struct doctor_finding *f = doctor_finding(d, i);
	const struct doctor_part *p = doctor_finding_parts(d, i);

	fprintf(out, ",\"%s\":[", f->pid ? "ports" : "owners");
	for (uint32_t k = 0; k < f->nparts; k++) {
		char proc[64];

		fputs(k ? ",{" : "{", out);
		if (f->pid) {
			fprintf(out, "\"port\":%u,\"direction\":\"%s\",\"count\":%" PRIu64 "}",
				p[k].port, p[k].dir == TABLE_DIR_IN ? "in" : "out", p[k].n);
			continue;
		}
		snprintf(proc, sizeof(proc), "%s[%d]", p[k].comm, p[k].pid);
		json_str(out, "process", proc, false);
		fprintf(out, ",\"pid\":%d", p[k].pid);
		json_str(out, "comm", p[k].comm, true);
		json_str(out, "cgroup", p[k].cgroup, true);
		fprintf(out, ",\"count\":%" PRIu64 "}", p[k].n);
	}
	fputc(']', out);
	if (f->pid) {
		fprintf(out, ",\"ports_other\":%" PRIu64, f->parts_other);
	} else {
		fprintf(out, ",\"owners_other\":%" PRIu64 ",\"owners_unknown\":%" PRIu64,
			f->parts_other, f->parts_unknown);
	}
}

int view_doctor_json(FILE *out, const struct view_doctor *s)
{
	const struct doctor *d = s->d;
	const struct doctor_ns *ns = doctor_ns(d);
	size_t nf = doctor_nfindings(d);
	char when[32];

	view_format_time(&s->time, when, sizeof(when));
	fprintf(out, "{\"version\":1,\"time\":\"%s\",\"netns\":", when);
	if (s->netns)
		strenc_json(out, s->netns);
	else
		fputs("null", out);
	fprintf(out, ",\"status\":\"%s\"", doctor_severity_name(view_doctor_status(s)));
	if (s->incomplete) {
		/* As leaks' JSON says it. */
		fputs(",\"complete\":false,\"error\":", out);
		strenc_json(out, s->incomplete);
	}
	if (ns->has_netstat)
		fprintf(out, ",\"listen_overflows\":%" PRIu64 ",\"listen_drops\":%" PRIu64,
			ns->listen_overflows, ns->listen_drops);
	if (s->has_delta) {
		char ov[1024];

		fprintf(out, ",\"listen_overflows_delta\":%" PRIu64 ",\"listen_drops_delta\":%" PRIu64
			",\"full_listeners\":%" PRIu64, s->overflows_delta, s->drops_delta,
			doctor_full_listeners(d));
		view_doctor_overflows(s, ov, sizeof(ov));
		json_str(out, "listen_overflows_note", ov, true);
	}
	if (s->no_context)
		fputs(",\"kernel_context\":\"unknown\"", out);
	fputs(",\"findings\":[", out);
	for (size_t i = 0; i < nf; i++) {
		const struct doctor_finding *f = doctor_finding(d, i);
		const char *cg = "";
		const char *owner = s->owner ? s->owner(s->owner_arg, i, &cg) : NULL;
		char w[128], y[512], x[512], n[256];

		view_doctor_where(f, w, sizeof(w));
		numbers(d, f, n, sizeof(n));
		why(s, f, y, sizeof(y));
		fix(d, f, x, sizeof(x));
		fputs(i ? ",{" : "{", out);
		json_str(out, "check", doctor_check_name(f->check), false);
		json_str(out, "severity", doctor_severity_name(f->severity), true);
		json_str(out, "where", w, true);
		/* The namespace's checks and a peer have no port: none is
		 * given rather than "port 0 in". */
		if (f->check != DOCTOR_TW_BUCKETS && f->check != DOCTOR_ORPHANS &&
		    f->check != DOCTOR_FIN_WAIT2)
			fprintf(out, ",\"port\":%u,\"direction\":\"%s\"", f->port,
				f->dir == TABLE_DIR_IN ? "in" : "out");
		if (owner) {
			json_str(out, "process", owner, true);
			json_str(out, "cgroup", cg, true);
		}
		fprintf(out, ",\"value\":%" PRIu64 ",\"limit\":%" PRIu64, f->value, f->limit);
		if (doctor_check_is_percent(f->check))
			fprintf(out, ",\"percent\":%u", f->pct);
		if (f->pid)
			fprintf(out, ",\"pid\":%d", f->pid);
		if (f->has_parts)
			json_parts(out, d, i);
		json_str(out, "detail", n, true);
		json_str(out, "why", y, true);
		json_str(out, "fix", x, true);
		fputc('}', out);
	}
	fputs("]}\n", out);
	return ferror(out) ? -EIO : 0;
}
