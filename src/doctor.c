/* SPDX-License-Identifier: MIT */
/*
 * doctor: the checks of `portstat doctor` over one sample.  Listeners are
 * judged as they arrive (one finding at most per listener); the other
 * checks count into hash tables keyed by what they judge (destination
 * tuple, port), so memory follows distinct destinations and ports, never
 * sockets; doctor_end() turns the counts into findings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "doctor.h"
#include "tcp_state.h"
#include "u64map.h"

static const struct {
	const char *name;
	bool percent;
	uint64_t warn, crit;
} checks[DOCTOR_NCHECKS] = {
	/* Full means the kernel drops the next SYN's connection. */
	[DOCTOR_ACCEPT_QUEUE] = { "accept-queue", true, 80, 100 },
	[DOCTOR_EPHEMERAL]    = { "ephemeral", true, 60, 85 },
	/* TIME_WAIT lasts 60 s: 1000 is ~17 closes a second. */
	[DOCTOR_SERVER_CLOSE] = { "server-close", false, 1000, 10000 },
	/* The leaks command's thresholds are "more than N" too. */
	[DOCTOR_CLOSE_WAIT]   = { "close-wait", false, 10, 100 },
	/* Past the limit the kernel drops TIME_WAIT (TCPTimeWaitOverflow). */
	[DOCTOR_TW_BUCKETS]   = { "tw-buckets", true, 80, 95 },
	[DOCTOR_FIN_WAIT2]    = { "fin-wait2", false, 10, 100 },
	/* Past the backlog the kernel answers with cookies or drops SYNs. */
	[DOCTOR_SYN_RECV]     = { "syn-recv", true, 80, 100 },
	/* Past the limit the kernel resets orphans ("too many orphaned
	 * sockets"). */
	[DOCTOR_ORPHANS]      = { "orphans", true, 50, 80 },
};

/* One destination of the ephemeral check (or one peer of fin-wait2:
 * dport 0, saddr zero). */
struct dest {
	uint8_t family;
	uint16_t dport;
	uint8_t saddr[16], daddr[16];
	uint64_t n, tw;
};

/* Destinations by tuple: a hash to index + 1 into an array. */
struct dests {
	struct u64map *idx;
	struct dest *v;
	size_t n, cap;
};

/* A CLOSE_WAIT socket a process holds, kept for its owner. */
struct cw_sock {
	uint32_t key;			/* dir << 16 | port */
	uint32_t inode, uid;
};

/* An owner of CLOSE_WAIT sockets, while the breakdown is made. */
struct cw_proc {
	struct doctor_part who;		/* pid, comm, cgroup; n: its total */
	uint32_t inode, uid;		/* one of its sockets */
	enum doctor_severity worst;	/* of the port findings it holds sockets in */
};

struct doctor {
	struct doctor_thresholds th;
	bool keep_owners;
	struct cw_sock *cws;		/* with owners kept: every owned CLOSE_WAIT */
	size_t ncws, capcws;
	struct doctor_part *parts;	/* the findings' breakdowns */
	size_t nparts, capparts;
	struct doctor_ns ns;
	struct table *listen;		/* classifies sockets; counts nothing */
	struct doctor_finding *f;	/* findings: listeners as they come, */
	size_t nf, capf;		/* the rest at doctor_end() */
	struct dests dests;		/* ephemeral: per (source, destination, port) */
	struct dests peers;		/* fin-wait2: per peer address */
	struct dests lgroups;		/* listeners per (address, port): n, the sum
					 * of their backlogs (SO_REUSEPORT groups) */
	uint64_t tw_total;		/* every TIME_WAIT socket */
	uint64_t orphans;		/* FIN_WAIT1, LAST_ACK, CLOSING without a file */
	uint64_t orphans_unsent;	/* ... in FIN_WAIT1 with data not acked */
	uint64_t full_listeners;	/* accept queue past its backlog */
	struct u64map *tw_in;		/* inbound port -> TIME_WAIT count */
	struct u64map *cw;		/* dir << 16 | port -> CLOSE_WAIT count */
	struct u64map *cw_sock;		/* ... -> uid << 32 | inode of one of them */
	struct u64map *backlog;		/* listening port -> its largest backlog + 1 */
	struct u64map *listen_sock;	/* ... -> uid << 32 | inode of that listener */
	struct u64map *syn;		/* listening port -> SYN_RECV count */
	uint64_t worst[DOCTOR_NCHECKS];
	uint64_t examined[DOCTOR_NCHECKS];
};

const char *doctor_check_name(enum doctor_check c)
{
	return c < DOCTOR_NCHECKS ? checks[c].name : "?";
}

int doctor_check_lookup(const char *name, size_t len)
{
	for (int i = 0; i < DOCTOR_NCHECKS; i++)
		if (strlen(checks[i].name) == len && memcmp(checks[i].name, name, len) == 0)
			return i;
	return -1;
}

bool doctor_check_is_percent(enum doctor_check c)
{
	return c < DOCTOR_NCHECKS && checks[c].percent;
}

const char *doctor_severity_name(enum doctor_severity s)
{
	static const char *const names[] = { "ok", "warning", "critical", "unknown" };

	return s <= DOCTOR_UNKNOWN ? names[s] : "unknown";
}

void doctor_thresholds_default(struct doctor_thresholds *th)
{
	for (int i = 0; i < DOCTOR_NCHECKS; i++) {
		th->warn[i] = checks[i].warn;
		th->crit[i] = checks[i].crit;
	}
}

static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int doctor_threshold_parse(struct doctor_thresholds *th, bool crit, const char *arg,
			   char *err, size_t errlen)
{
	const char *opt = crit ? "--crit" : "--warn";
	const char *eq = strchr(arg, '=');
	const char *v;
	unsigned long long n;
	char *end;
	int c;

	if (!eq)
		return bad(err, errlen, "invalid %s '%s' (CHECK=VALUE, e.g. ephemeral=90%%)", opt, arg);
	c = doctor_check_lookup(arg, (size_t)(eq - arg));
	if (c < 0) {
		snprintf(err, errlen,
			 "unknown check '%.*s' in %s '%s' (accept-queue, ephemeral, server-close, close-wait, tw-buckets, fin-wait2, syn-recv or orphans)",
			 (int)(eq - arg), arg, opt, arg);
		return -EINVAL;
	}
	v = eq + 1;
	if (*v < '0' || *v > '9')
		return bad(err, errlen, "invalid value in %s '%s'", opt, arg);
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return bad(err, errlen, "invalid value in %s '%s'", opt, arg);
	if (checks[c].percent) {
		if (*end != '%' || end[1] || n > 1000)
		{
			snprintf(err, errlen, "invalid %s '%s' (%s takes a percent, 0%% to 1000%%)",
				 opt, arg, checks[c].name);
			return -EINVAL;
		}
	} else if (*end) {
		snprintf(err, errlen, "invalid %s '%s' (%s takes a number of sockets)", opt, arg,
			 checks[c].name);
		return -EINVAL;
	}
	if (crit)
		th->crit[c] = n;
	else
		th->warn[c] = n;
	return 0;
}

/* The values of line @want's pair: the name line "TcpExt: A B ...", then
 * the value line "TcpExt: 1 2 ...". */
static int netstat_field(const char *text, const char *name, uint64_t *out)
{
	const char *names = strstr(text, "TcpExt:");
	const char *vals, *nend;
	size_t want = strlen(name);
	int idx = 0;

	if (!names || !(nend = strchr(names, '\n')))
		return -EBADMSG;
	vals = nend + 1;
	if (strncmp(vals, "TcpExt:", 7) != 0)
		return -EBADMSG;
	/* Find the column of @name. */
	for (const char *p = names + 7; p < nend;) {
		size_t len;

		while (p < nend && *p == ' ')
			p++;
		len = strcspn(p, " \n");
		if (len == want && memcmp(p, name, len) == 0)
			break;
		if (p + len >= nend)
			return -ENOENT;
		p += len;
		idx++;
	}
	vals += 7;
	for (int i = 0;; i++) {
		char *end;
		unsigned long long v;

		while (*vals == ' ')
			vals++;
		if (*vals < '0' || *vals > '9')
			return -EBADMSG;
		v = strtoull(vals, &end, 10);
		if (i == idx) {
			*out = v;
			return 0;
		}
		vals = end;
	}
}

int doctor_netstat_parse(const char *text, struct doctor_ns *ns)
{
	uint64_t ov, dr;

	if (netstat_field(text, "ListenOverflows", &ov) < 0 ||
	    netstat_field(text, "ListenDrops", &dr) < 0)
		return -EBADMSG;
	ns->listen_overflows = ov;
	ns->listen_drops = dr;
	ns->has_netstat = true;
	ns->has_tw_overflow = netstat_field(text, "TCPTimeWaitOverflow", &ns->tw_overflow) == 0;
	ns->has_cookies_sent = netstat_field(text, "SyncookiesSent", &ns->cookies_sent) == 0;
	return 0;
}

long doctor_reserved_count(const char *text, uint16_t lo, uint16_t hi)
{
	const char *p = text;
	long n = 0;

	while (*p == ' ' || *p == '\n')
		p++;
	while (*p) {
		unsigned long a, b;
		char *end;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return -EINVAL;
			b = strtoul(end + 1, &end, 10);
		}
		if (a > 65535 || b > 65535 || a > b)
			return -EINVAL;
		if (b >= lo && a <= hi)
			n += (long)((b < hi ? b : hi) - (a > lo ? a : lo) + 1);
		p = end;
		if (*p == ',')
			p++;
		else if (*p == '\n' || *p == ' ')
			while (*p == '\n' || *p == ' ')
				p++;
		else if (*p)
			return -EINVAL;
	}
	return n;
}

int doctor_new(struct doctor **out, const struct doctor_thresholds *th)
{
	struct table_filter lf = { .by = TABLE_BY_SERVICE, .states = 0, .ipv4 = true, .ipv6 = true };
	struct doctor *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->th = *th;
	d->listen = table_new(&lf);
	d->dests.idx = u64map_new(64);
	d->peers.idx = u64map_new(64);
	d->lgroups.idx = u64map_new(64);
	d->tw_in = u64map_new(64);
	d->cw = u64map_new(64);
	d->cw_sock = u64map_new(64);
	d->backlog = u64map_new(64);
	d->listen_sock = u64map_new(64);
	d->syn = u64map_new(64);
	if (!d->backlog || !d->listen_sock || !d->syn ||
	    !d->listen || !d->dests.idx || !d->peers.idx || !d->lgroups.idx || !d->tw_in || !d->cw || !d->cw_sock) {
		doctor_delete(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

void doctor_delete(struct doctor *d)
{
	if (!d)
		return;
	table_delete(d->listen);
	u64map_delete(d->dests.idx);
	u64map_delete(d->peers.idx);
	free(d->peers.v);
	u64map_delete(d->lgroups.idx);
	free(d->lgroups.v);
	u64map_delete(d->tw_in);
	u64map_delete(d->cw);
	u64map_delete(d->cw_sock);
	u64map_delete(d->backlog);
	u64map_delete(d->listen_sock);
	u64map_delete(d->syn);
	free(d->dests.v);
	free(d->f);
	free(d->cws);
	free(d->parts);
	free(d);
}

void doctor_set_owners(struct doctor *d, bool on)
{
	d->keep_owners = on;
}

struct table *doctor_begin(struct doctor *d, const struct doctor_ns *ns)
{
	d->ns = *ns;
	d->nf = 0;
	d->dests.n = 0;
	d->peers.n = 0;
	d->lgroups.n = 0;
	d->tw_total = 0;
	d->orphans = 0;
	d->orphans_unsent = 0;
	d->full_listeners = 0;
	d->ncws = 0;
	d->nparts = 0;
	table_clear(d->listen);
	u64map_clear(d->dests.idx);
	u64map_clear(d->peers.idx);
	u64map_clear(d->lgroups.idx);
	u64map_clear(d->tw_in);
	u64map_clear(d->cw);
	u64map_clear(d->cw_sock);
	u64map_clear(d->backlog);
	u64map_clear(d->listen_sock);
	u64map_clear(d->syn);
	memset(d->worst, 0, sizeof(d->worst));
	memset(d->examined, 0, sizeof(d->examined));
	return d->listen;
}

static unsigned percent(uint64_t value, uint64_t limit)
{
	uint64_t p;

	if (!limit)
		return value ? 1000 : 0;
	p = value * 100 / limit;
	return p > 100000 ? 100000 : (unsigned)p;
}

/* The severity of @value on check @c (a percent for percent checks). */
static enum doctor_severity judge(const struct doctor *d, enum doctor_check c, uint64_t value)
{
	if (checks[c].percent) {
		/* 0% is nothing wrong, whatever the level. */
		if (!value)
			return DOCTOR_OK;
		if (value >= d->th.crit[c])
			return DOCTOR_CRITICAL;
		return value >= d->th.warn[c] ? DOCTOR_WARNING : DOCTOR_OK;
	}
	if (value > d->th.crit[c])
		return DOCTOR_CRITICAL;
	return value > d->th.warn[c] ? DOCTOR_WARNING : DOCTOR_OK;
}

static struct doctor_finding *finding_new(struct doctor *d)
{
	if (d->nf == d->capf) {
		size_t cap = d->capf ? d->capf * 2 : 16;
		struct doctor_finding *f = realloc(d->f, cap * sizeof(*f));

		if (!f)
			return NULL;
		d->f = f;
		d->capf = cap;
	}
	memset(&d->f[d->nf], 0, sizeof(d->f[0]));
	return &d->f[d->nf++];
}

static struct dest *dest_get(struct dests *ds, uint8_t family, uint16_t dport,
			     const uint8_t *saddr, const uint8_t *daddr);

static int add_listener(struct doctor *d, const struct sock_rec *rec)
{
	static const uint8_t none[16];
	unsigned pct = percent(rec->rqueue, rec->wqueue);
	enum doctor_severity sev = judge(d, DOCTOR_ACCEPT_QUEUE, pct);
	struct doctor_finding *f;
	int ret = table_add(d->listen, rec);
	struct dest *g;
	uint64_t *slot;
	bool created;

	if (ret < 0)
		return ret;
	/* Listeners of one address and port (SO_REUSEPORT) each queue the
	 * half-open connections the kernel hashes to them: their backlogs
	 * add up.  Request sockets do not say which listener is theirs, so
	 * the port's largest group (stored + 1: 0 is a valid backlog) is
	 * what its half-open connections are measured against. */
	if (!(g = dest_get(&d->lgroups, rec->family, rec->sport, rec->saddr, none)))
		return -ENOMEM;
	g->n += rec->wqueue;
	slot = u64map_slot(d->backlog, rec->sport, &created);
	if (!slot)
		return -ENOMEM;
	if (created || g->n + 1ull > *slot) {
		*slot = g->n + 1ull;
		slot = u64map_slot(d->listen_sock, rec->sport, &created);
		if (!slot)
			return -ENOMEM;
		*slot = (uint64_t)rec->uid << 32 | rec->inode;
	}
	d->examined[DOCTOR_ACCEPT_QUEUE]++;
	/* Full as the kernel's sk_acceptq_is_full(): past the backlog. */
	d->full_listeners += rec->rqueue > rec->wqueue;
	if (pct > d->worst[DOCTOR_ACCEPT_QUEUE])
		d->worst[DOCTOR_ACCEPT_QUEUE] = pct;
	if (sev == DOCTOR_OK)
		return 0;
	f = finding_new(d);
	if (!f)
		return -ENOMEM;
	f->check = DOCTOR_ACCEPT_QUEUE;
	f->severity = sev;
	f->family = rec->family;
	f->dir = TABLE_DIR_IN;
	f->port = rec->sport;
	memcpy(f->laddr, rec->saddr, sizeof(f->laddr));
	f->value = rec->rqueue;
	f->limit = rec->wqueue;
	f->pct = pct;
	f->inode = rec->inode;
	f->uid = rec->uid;
	return 0;
}

static uint64_t dest_hash(uint8_t family, uint16_t dport, const uint8_t *saddr,
			  const uint8_t *daddr, uint64_t salt)
{
	uint64_t h = 1469598103934665603ull ^ salt;
	uint8_t head[3] = { family, (uint8_t)(dport >> 8), (uint8_t)dport };

	for (size_t i = 0; i < sizeof(head); i++)
		h = (h ^ head[i]) * 1099511628211ull;
	for (size_t i = 0; i < 16; i++)
		h = (h ^ saddr[i]) * 1099511628211ull;
	for (size_t i = 0; i < 16; i++)
		h = (h ^ daddr[i]) * 1099511628211ull;
	return h;
}

/* The destination (@family, @saddr, @daddr, @dport) of @ds, created when
 * new; NULL when out of memory.  Two tuples whose hashes collide probe on
 * with another salt. */
static struct dest *dest_get(struct dests *ds, uint8_t family, uint16_t dport,
			     const uint8_t *saddr, const uint8_t *daddr)
{
	for (uint64_t salt = 0;; salt++) {
		bool created;
		uint64_t *slot = u64map_slot(ds->idx, dest_hash(family, dport, saddr, daddr, salt),
					     &created);
		struct dest *x;

		if (!slot)
			return NULL;
		if (!created) {
			x = &ds->v[*slot - 1];
			if (x->family == family && x->dport == dport &&
			    memcmp(x->saddr, saddr, 16) == 0 && memcmp(x->daddr, daddr, 16) == 0)
				return x;
			continue;
		}
		if (ds->n == ds->cap) {
			size_t cap = ds->cap ? ds->cap * 2 : 64;
			struct dest *n = realloc(ds->v, cap * sizeof(*n));

			if (!n)
				return NULL;
			ds->v = n;
			ds->cap = cap;
		}
		x = &ds->v[ds->n++];
		memset(x, 0, sizeof(*x));
		x->family = family;
		x->dport = dport;
		memcpy(x->saddr, saddr, 16);
		memcpy(x->daddr, daddr, 16);
		*slot = ds->n;
		return x;
	}
}

static int bump(struct u64map *m, uint64_t key)
{
	bool created;
	uint64_t *slot = u64map_slot(m, key, &created);

	if (!slot)
		return -ENOMEM;
	++*slot;
	return 0;
}

int doctor_add(const struct sock_rec *rec, void *data)
{
	struct doctor *d = data;
	enum table_dir dir;
	uint16_t port;
	int ret;

	if (rec->state == TCP_STATE_LISTEN)
		return add_listener(d, rec);
	table_classify(d->listen, rec, &port, &dir);
	if (dir == TABLE_DIR_OUT && d->ns.has_range && rec->state != TCP_STATE_SYN_RECV &&
	    rec->sport >= d->ns.eph_lo && rec->sport <= d->ns.eph_hi) {
		struct dest *x = dest_get(&d->dests, rec->family, rec->dport, rec->saddr, rec->daddr);

		if (!x)
			return -ENOMEM;
		x->n++;
		x->tw += rec->state == TCP_STATE_TIME_WAIT;
	}
	d->tw_total += rec->state == TCP_STATE_TIME_WAIT;
	/* A full socket without inode has no file: its process closed it.
	 * TIME_WAIT (and FIN_WAIT2 after close, a timewait socket too) are
	 * the kernel's minisockets, not orphans. */
	if (!rec->inode && (rec->state == TCP_STATE_FIN_WAIT1 || rec->state == TCP_STATE_LAST_ACK ||
			    rec->state == TCP_STATE_CLOSING)) {
		d->orphans++;
		d->orphans_unsent += rec->state == TCP_STATE_FIN_WAIT1 && rec->wqueue > 0;
	}
	if (rec->state == TCP_STATE_SYN_RECV && u64map_get(d->backlog, rec->sport, NULL) &&
	    (ret = bump(d->syn, rec->sport)) < 0)
		return ret;
	if (rec->state == TCP_STATE_FIN_WAIT2) {
		static const uint8_t none[16];
		struct dest *x = dest_get(&d->peers, rec->family, 0, none, rec->daddr);

		if (!x)
			return -ENOMEM;
		x->n++;
	}
	if (rec->state == TCP_STATE_TIME_WAIT && dir == TABLE_DIR_IN &&
	    (ret = bump(d->tw_in, port)) < 0)
		return ret;
	if (rec->state == TCP_STATE_CLOSE_WAIT) {
		uint64_t key = (uint64_t)dir << 16 | port, *slot;
		bool created;

		if ((ret = bump(d->cw, key)) < 0)
			return ret;
		if (rec->inode && d->keep_owners) {
			if (d->ncws == d->capcws) {
				size_t cap = d->capcws ? d->capcws * 2 : 256;
				struct cw_sock *v = realloc(d->cws, cap * sizeof(*v));

				if (!v)
					return -ENOMEM;
				d->cws = v;
				d->capcws = cap;
			}
			d->cws[d->ncws++] = (struct cw_sock){
				.key = (uint32_t)key, .inode = rec->inode, .uid = rec->uid,
			};
		}
		/* One socket per group names an owner when owners are not
		 * split (the dashboard): a leak is usually one program's. */
		if (rec->inode) {
			slot = u64map_slot(d->cw_sock, key, &created);
			if (!slot)
				return -ENOMEM;
			if (created)
				*slot = (uint64_t)rec->uid << 32 | rec->inode;
		}
	}
	return 0;
}

int doctor_share_begin(struct doctor *share, const struct doctor *whole)
{
	size_t pos = 0;
	uint64_t key, val;

	doctor_begin(share, &whole->ns);
	share->th = whole->th;
	share->keep_owners = whole->keep_owners;
	table_copy_listeners(share->listen, whole->listen);
	/* SYN_RECV counts only on a listening port. */
	while (u64map_next(whole->backlog, &pos, &key, &val)) {
		bool created;
		uint64_t *slot = u64map_slot(share->backlog, key, &created);

		if (!slot)
			return -ENOMEM;
		*slot = val;
	}
	return 0;
}

/* Add @src's counters into @dst's (@first: keep @dst's value when it has
 * the key, as for the one socket that names a group's owner). */
static int map_add(struct u64map *dst, const struct u64map *src, bool first)
{
	size_t pos = 0;
	uint64_t key, val;

	while (u64map_next(src, &pos, &key, &val)) {
		bool created;
		uint64_t *slot = u64map_slot(dst, key, &created);

		if (!slot)
			return -ENOMEM;
		if (!first)
			*slot += val;
		else if (created)
			*slot = val;
	}
	return 0;
}

static int dests_add(struct dests *dst, const struct dests *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct dest *y = &src->v[i];
		struct dest *x = dest_get(dst, y->family, y->dport, y->saddr, y->daddr);

		if (!x)
			return -ENOMEM;
		x->n += y->n;
		x->tw += y->tw;
	}
	return 0;
}

int doctor_merge(struct doctor *whole, const struct doctor *share)
{
	int ret;

	if ((ret = dests_add(&whole->dests, &share->dests)) < 0 ||
	    (ret = dests_add(&whole->peers, &share->peers)) < 0 ||
	    (ret = map_add(whole->tw_in, share->tw_in, false)) < 0 ||
	    (ret = map_add(whole->cw, share->cw, false)) < 0 ||
	    (ret = map_add(whole->cw_sock, share->cw_sock, true)) < 0 ||
	    (ret = map_add(whole->syn, share->syn, false)) < 0)
		return ret;
	whole->tw_total += share->tw_total;
	whole->orphans += share->orphans;
	whole->orphans_unsent += share->orphans_unsent;
	if (share->ncws) {
		size_t need = whole->ncws + share->ncws;

		if (need > whole->capcws) {
			struct cw_sock *v = realloc(whole->cws, need * sizeof(*v));

			if (!v)
				return -ENOMEM;
			whole->cws = v;
			whole->capcws = need;
		}
		memcpy(whole->cws + whole->ncws, share->cws, share->ncws * sizeof(whole->cws[0]));
		whole->ncws = need;
	}
	return 0;
}

/* Whether TIME_WAIT ports toward @x can be taken again at once
 * (tcp_tw_reuse 1, or 2 and a loopback destination). */
static bool tw_reusable(const struct doctor *d, const struct dest *x)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	bool loopback;

	if (!d->ns.has_tw_reuse || d->ns.tw_reuse == 0)
		return false;
	if (d->ns.tw_reuse == 1)
		return true;
	if (x->family == AF_INET)
		loopback = x->daddr[0] == 127;
	else
		loopback = memcmp(x->daddr, lo6, 16) == 0 ||
			   (memcmp(x->daddr, mapped, 12) == 0 && x->daddr[12] == 127);
	return loopback;
}

static int end_ephemeral(struct doctor *d)
{
	uint64_t range;

	if (!d->ns.has_range)
		return 0;
	range = (uint64_t)d->ns.eph_hi - d->ns.eph_lo + 1;
	range = range > d->ns.reserved ? range - d->ns.reserved : 0;
	d->examined[DOCTOR_EPHEMERAL] = d->dests.n;
	for (size_t i = 0; i < d->dests.n; i++) {
		const struct dest *x = &d->dests.v[i];
		/* Reusable TIME_WAIT ports are not taken. */
		uint64_t held = tw_reusable(d, x) ? x->n - x->tw : x->n;
		unsigned pct = percent(held, range);
		enum doctor_severity sev = judge(d, DOCTOR_EPHEMERAL, pct);
		struct doctor_finding *f;

		if (pct > d->worst[DOCTOR_EPHEMERAL])
			d->worst[DOCTOR_EPHEMERAL] = pct;
		if (sev == DOCTOR_OK)
			continue;
		if (!(f = finding_new(d)))
			return -ENOMEM;
		f->check = DOCTOR_EPHEMERAL;
		f->severity = sev;
		f->family = x->family;
		f->dir = TABLE_DIR_OUT;
		f->port = x->dport;
		memcpy(f->laddr, x->saddr, 16);
		memcpy(f->raddr, x->daddr, 16);
		f->value = held;
		f->limit = range;
		f->pct = pct;
		f->extra = x->tw;
	}
	return 0;
}

static int end_counts(struct doctor *d, enum doctor_check c, const struct u64map *m)
{
	size_t pos = 0;
	uint64_t key, n;

	d->examined[c] = u64map_size(m);
	while (u64map_next(m, &pos, &key, &n)) {
		enum doctor_severity sev = judge(d, c, n);
		struct doctor_finding *f;

		if (n > d->worst[c])
			d->worst[c] = n;
		if (sev == DOCTOR_OK)
			continue;
		if (!(f = finding_new(d)))
			return -ENOMEM;
		f->check = c;
		f->severity = sev;
		f->port = (uint16_t)key;
		f->dir = c == DOCTOR_SERVER_CLOSE ? TABLE_DIR_IN : (uint8_t)(key >> 16);
		f->value = n;
		f->limit = sev == DOCTOR_CRITICAL ? d->th.crit[c] : d->th.warn[c];
		/* The owner: a CLOSE_WAIT socket's, or for TIME_WAIT (which
		 * has none) the port's listener's. */
		if (u64map_get(c == DOCTOR_CLOSE_WAIT ? d->cw_sock : d->listen_sock, key, &n)) {
			f->inode = (uint32_t)n;
			f->uid = (uint32_t)(n >> 32);
		}
	}
	return 0;
}

static int end_tw_buckets(struct doctor *d)
{
	unsigned pct;
	enum doctor_severity sev;
	struct doctor_finding *f;

	if (!d->ns.has_max_tw)
		return 0;
	d->examined[DOCTOR_TW_BUCKETS] = 1;
	pct = percent(d->tw_total, d->ns.max_tw);
	d->worst[DOCTOR_TW_BUCKETS] = pct;
	sev = judge(d, DOCTOR_TW_BUCKETS, pct);
	if (sev == DOCTOR_OK)
		return 0;
	if (!(f = finding_new(d)))
		return -ENOMEM;
	f->check = DOCTOR_TW_BUCKETS;
	f->severity = sev;
	f->value = d->tw_total;
	f->limit = d->ns.max_tw;
	f->pct = pct;
	f->extra = d->ns.tw_overflow;
	return 0;
}

static int end_fin_wait2(struct doctor *d)
{
	d->examined[DOCTOR_FIN_WAIT2] = d->peers.n;
	for (size_t i = 0; i < d->peers.n; i++) {
		const struct dest *x = &d->peers.v[i];
		enum doctor_severity sev = judge(d, DOCTOR_FIN_WAIT2, x->n);
		struct doctor_finding *f;

		if (x->n > d->worst[DOCTOR_FIN_WAIT2])
			d->worst[DOCTOR_FIN_WAIT2] = x->n;
		if (sev == DOCTOR_OK)
			continue;
		if (!(f = finding_new(d)))
			return -ENOMEM;
		f->check = DOCTOR_FIN_WAIT2;
		f->severity = sev;
		f->family = x->family;
		memcpy(f->raddr, x->daddr, 16);
		f->value = x->n;
		f->limit = sev == DOCTOR_CRITICAL ? d->th.crit[DOCTOR_FIN_WAIT2]
						  : d->th.warn[DOCTOR_FIN_WAIT2];
	}
	return 0;
}

static int end_syn_recv(struct doctor *d)
{
	size_t pos = 0;
	uint64_t port, n, backlog, sock;

	d->examined[DOCTOR_SYN_RECV] = u64map_size(d->backlog);
	while (u64map_next(d->syn, &pos, &port, &n)) {
		enum doctor_severity sev;
		struct doctor_finding *f;
		unsigned pct;

		if (!u64map_get(d->backlog, port, &backlog))
			continue;
		backlog--;
		pct = percent(n, backlog);
		if (pct > d->worst[DOCTOR_SYN_RECV])
			d->worst[DOCTOR_SYN_RECV] = pct;
		sev = judge(d, DOCTOR_SYN_RECV, pct);
		if (sev == DOCTOR_OK)
			continue;
		if (!(f = finding_new(d)))
			return -ENOMEM;
		f->check = DOCTOR_SYN_RECV;
		f->severity = sev;
		f->dir = TABLE_DIR_IN;
		f->port = (uint16_t)port;
		f->value = n;
		f->limit = backlog;
		f->pct = pct;
		f->extra = d->ns.cookies_sent;
		if (u64map_get(d->listen_sock, port, &sock)) {
			f->inode = (uint32_t)sock;
			f->uid = (uint32_t)(sock >> 32);
		}
	}
	return 0;
}

static int end_orphans(struct doctor *d)
{
	enum doctor_severity sev;
	struct doctor_finding *f;
	unsigned pct;

	if (!d->ns.has_max_orphans)
		return 0;
	d->examined[DOCTOR_ORPHANS] = d->orphans;
	pct = percent(d->orphans, d->ns.max_orphans);
	sev = judge(d, DOCTOR_ORPHANS, pct);
	/* The limit is large: a few orphans are 0%, and still orphans for
	 * a level of 0%. */
	if (d->orphans && !pct)
		sev = d->th.crit[DOCTOR_ORPHANS] == 0 ? DOCTOR_CRITICAL :
		      d->th.warn[DOCTOR_ORPHANS] == 0 ? DOCTOR_WARNING : DOCTOR_OK;
	d->worst[DOCTOR_ORPHANS] = pct;
	if (sev == DOCTOR_OK)
		return 0;
	if (!(f = finding_new(d)))
		return -ENOMEM;
	f->check = DOCTOR_ORPHANS;
	f->severity = sev;
	f->value = d->orphans;
	f->limit = d->ns.max_orphans;
	f->pct = pct;
	f->extra = d->orphans_unsent;
	return 0;
}

/* How far past its warning level a finding is, comparable across checks. */
static double excess(const struct doctor *d, const struct doctor_finding *f)
{
	uint64_t w = d->th.warn[f->check] ? d->th.warn[f->check] : 1;

	return (double)(checks[f->check].percent ? f->pct : f->value) / (double)w;
}

static int finding_cmp(const void *pa, const void *pb)
{
	const struct doctor_finding *a = pa, *b = pb;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	if (a->check != b->check)
		return a->check < b->check ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return memcmp(a->raddr, b->raddr, 16);
}

static void sort_findings(struct doctor *d)
{
	for (size_t i = 0; i < d->nf; i++)
		d->f[i].rank = excess(d, &d->f[i]);
	/* qsort() wants a base even for no elements, and d->f is NULL
	 * until the first finding. */
	if (d->nf)
		qsort(d->f, d->nf, sizeof(d->f[0]), finding_cmp);
}

int doctor_end(struct doctor *d)
{
	int ret;

	if ((ret = end_ephemeral(d)) < 0 ||
	    (ret = end_counts(d, DOCTOR_SERVER_CLOSE, d->tw_in)) < 0 ||
	    (ret = end_counts(d, DOCTOR_CLOSE_WAIT, d->cw)) < 0 ||
	    (ret = end_tw_buckets(d)) < 0 || (ret = end_fin_wait2(d)) < 0 ||
	    (ret = end_syn_recv(d)) < 0 || (ret = end_orphans(d)) < 0)
		return ret;
	sort_findings(d);
	return 0;
}

/* Whether the CLOSE_WAIT sockets' owners can matter: for a port's
 * close-wait finding, or for an owner's, whose sockets are among the held
 * ones and must be more than the warning level.  Else the look-up of
 * every held socket's owner (a walk of every fd on the host) is skipped. */
static bool cw_owners_matter(const struct doctor *d)
{
	if (d->ncws > d->th.warn[DOCTOR_CLOSE_WAIT])
		return true;
	for (size_t i = 0; i < d->nf; i++)
		if (d->f[i].check == DOCTOR_CLOSE_WAIT)
			return true;
	return false;
}

size_t doctor_owners_count(const struct doctor *d)
{
	return d->nf + (cw_owners_matter(d) ? d->ncws : 0);
}

int doctor_owners_want(const struct doctor *d, int (*want)(void *arg, uint32_t inode, uint32_t uid),
		       void *arg)
{
	int ret;

	for (size_t i = 0; i < d->nf; i++)
		if (d->f[i].inode && (ret = want(arg, d->f[i].inode, d->f[i].uid)) < 0)
			return ret;
	if (!cw_owners_matter(d))
		return 0;
	for (size_t i = 0; i < d->ncws; i++)
		if ((ret = want(arg, d->cws[i].inode, d->cws[i].uid)) < 0)
			return ret;
	return 0;
}

static int part_cmp(const void *pa, const void *pb)
{
	const struct doctor_part *a = pa, *b = pb;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	return (a->port > b->port) - (a->port < b->port);
}

/* @cand (@n of them, sorted here) as finding @f's parts: the first
 * DOCTOR_PARTS_MAX, the rest summed. */
static int parts_set(struct doctor *d, struct doctor_finding *f, struct doctor_part *cand,
		     size_t n)
{
	size_t keep = n < DOCTOR_PARTS_MAX ? n : DOCTOR_PARTS_MAX;

	if (n)
		qsort(cand, n, sizeof(*cand), part_cmp);
	if (d->nparts + keep > d->capparts) {
		size_t cap = d->capparts ? d->capparts * 2 : 32;
		struct doctor_part *v;

		while (cap < d->nparts + keep)
			cap *= 2;
		if (!(v = realloc(d->parts, cap * sizeof(*v))))
			return -ENOMEM;
		d->parts = v;
		d->capparts = cap;
	}
	f->has_parts = true;
	f->part0 = (uint32_t)d->nparts;
	f->nparts = (uint32_t)keep;
	f->parts_all = (uint32_t)n;
	f->parts_other = 0;
	for (size_t i = 0; i < n; i++) {
		if (i < keep)
			d->parts[d->nparts++] = cand[i];
		else
			f->parts_other += cand[i].n;
	}
	return 0;
}

/*
 * The breakdown: each kept socket's owner (procs, by pid), counts per
 * (port group, owner) in @pairs (key << 32 | owner index), the unknown
 * ones per group in @unknown; then each port finding's owners, and a
 * finding per owner its port findings understate.
 */
int doctor_owners_apply(struct doctor *d,
			bool (*lookup)(void *arg, uint32_t inode, struct doctor_proc *out),
			void *arg)
{
	struct u64map *byid = u64map_new(16), *pairs = u64map_new(16), *unknown = u64map_new(16);
	struct u64map *gsev = u64map_new(16);
	struct cw_proc *procs = NULL;
	struct doctor_part *cand = NULL;
	size_t nprocs = 0, cap = 0, nf = d->nf, ncws = cw_owners_matter(d) ? d->ncws : 0;
	uint64_t key, val;
	size_t pos;
	int ret = -ENOMEM;

	if (!byid || !pairs || !unknown || !gsev)
		goto out;
	for (size_t i = 0; i < ncws; i++) {
		const struct cw_sock *s = &d->cws[i];
		struct doctor_proc p;
		uint64_t *slot;
		bool created;

		if (!lookup(arg, s->inode, &p) || p.pid <= 0) {
			if (!(slot = u64map_slot(unknown, s->key, &created)))
				goto out;
			++*slot;
			continue;
		}
		if (!(slot = u64map_slot(byid, (uint64_t)p.pid, &created)))
			goto out;
		if (created) {
			struct cw_proc *x;

			if (nprocs == cap) {
				size_t c = cap ? cap * 2 : 16;
				struct cw_proc *v = realloc(procs, c * sizeof(*v));

				if (!v)
					goto out;
				procs = v;
				cap = c;
			}
			x = &procs[nprocs];
			memset(x, 0, sizeof(*x));
			x->who.pid = p.pid;
			snprintf(x->who.comm, sizeof(x->who.comm), "%s", p.comm ? p.comm : "?");
			snprintf(x->who.cgroup, sizeof(x->who.cgroup), "%s", p.cgroup ? p.cgroup : "");
			x->inode = s->inode;
			x->uid = s->uid;
			*slot = nprocs++;
		}
		procs[*slot].who.n++;
		if (!(slot = u64map_slot(pairs, (uint64_t)s->key << 32 | *slot, &created)))
			goto out;
		++*slot;
	}
	/* A finding's candidates are some of the (port, owner) pairs. */
	if (u64map_size(pairs) && !(cand = calloc(u64map_size(pairs), sizeof(*cand))))
		goto out;
	/* Each port finding: its owners, the largest first (and the named
	 * owner in its head line the largest). */
	for (size_t i = 0; i < nf; i++) {
		struct doctor_finding *f = &d->f[i];
		uint64_t fkey = (uint64_t)f->dir << 16 | f->port, *slot;
		size_t n = 0;
		bool created;

		if (f->check != DOCTOR_CLOSE_WAIT || f->pid)
			continue;
		if (!(slot = u64map_slot(gsev, fkey, &created)))
			goto out;
		*slot = f->severity;
		for (pos = 0; u64map_next(pairs, &pos, &key, &val);) {
			if ((key >> 32) != fkey)
				continue;
			cand[n] = procs[(uint32_t)key].who;
			cand[n++].n = val;
		}
		if ((ret = parts_set(d, f, cand, n)) < 0)
			goto out;
		ret = -ENOMEM;
		f->parts_unknown = u64map_get(unknown, fkey, &val) ? val : 0;
		/* The owner its head line names: the largest. */
		if (f->nparts && u64map_get(byid, (uint64_t)d->parts[f->part0].pid, &val)) {
			f->inode = procs[val].inode;
			f->uid = procs[val].uid;
		}
	}
	/* The worst port finding each owner holds sockets in. */
	for (pos = 0; u64map_next(pairs, &pos, &key, &val);) {
		struct cw_proc *x = &procs[(uint32_t)key];

		if (u64map_get(gsev, key >> 32, &val) && (enum doctor_severity)val > x->worst)
			x->worst = (enum doctor_severity)val;
	}
	for (size_t k = 0; k < nprocs; k++) {
		struct cw_proc *x = &procs[k];
		enum doctor_severity sev = judge(d, DOCTOR_CLOSE_WAIT, x->who.n);
		struct doctor_finding *f;
		size_t n = 0;

		if (sev <= x->worst)
			continue;
		if (!(f = finding_new(d)))
			goto out;
		f->check = DOCTOR_CLOSE_WAIT;
		f->severity = sev;
		f->pid = x->who.pid;
		f->value = x->who.n;
		f->limit = sev == DOCTOR_CRITICAL ? d->th.crit[DOCTOR_CLOSE_WAIT]
						  : d->th.warn[DOCTOR_CLOSE_WAIT];
		f->inode = x->inode;
		f->uid = x->uid;
		for (pos = 0; u64map_next(pairs, &pos, &key, &val);) {
			if ((uint32_t)key != k)
				continue;
			memset(&cand[n], 0, sizeof(cand[n]));
			cand[n].port = (uint16_t)(key >> 32);
			cand[n].dir = (uint8_t)(key >> 48);
			cand[n++].n = val;
		}
		if ((ret = parts_set(d, f, cand, n)) < 0)
			goto out;
		ret = -ENOMEM;
	}
	sort_findings(d);
	ret = 0;
out:
	u64map_delete(byid);
	u64map_delete(pairs);
	u64map_delete(unknown);
	u64map_delete(gsev);
	free(procs);
	free(cand);
	return ret;
}

const struct doctor_part *doctor_finding_parts(const struct doctor *d, size_t i)
{
	/* No parts: NULL, not an offset into a table that may not exist. */
	return i < d->nf && d->f[i].has_parts && d->f[i].nparts ? &d->parts[d->f[i].part0] : NULL;
}

size_t doctor_nfindings(const struct doctor *d)
{
	return d->nf;
}

const struct doctor_finding *doctor_finding(const struct doctor *d, size_t i)
{
	return i < d->nf ? &d->f[i] : NULL;
}

enum doctor_severity doctor_status(const struct doctor *d)
{
	return d->nf ? d->f[0].severity : DOCTOR_OK;
}

uint64_t doctor_worst(const struct doctor *d, enum doctor_check c)
{
	return c < DOCTOR_NCHECKS ? d->worst[c] : 0;
}

uint64_t doctor_orphans_unsent(const struct doctor *d)
{
	return d->orphans_unsent;
}

uint64_t doctor_full_listeners(const struct doctor *d)
{
	return d->full_listeners;
}

uint64_t doctor_examined(const struct doctor *d, enum doctor_check c)
{
	return c < DOCTOR_NCHECKS ? d->examined[c] : 0;
}

void doctor_set_ns(struct doctor *d, const struct doctor_ns *ns)
{
	d->ns = *ns;
}

const struct doctor_ns *doctor_ns(const struct doctor *d)
{
	return &d->ns;
}

const struct doctor_thresholds *doctor_thresholds(const struct doctor *d)
{
	return &d->th;
}
