/*
 * leaks: grouping of stuck sockets, their owners, peers, ages and growth.
 * Per sample it keeps one small record per reported socket (inode, uid,
 * group) for the owner look-up, a peer table and the group array; across
 * samples, the cookie table (two generations: this sample's and the last
 * one's) and a short count history per group.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>

#include "collector.h"
#include "diag.h"
#include "leaks.h"
#include "procmap.h"
#include "sampler.h"
#include "u64map.h"

/* One reported socket, for the owner look-up after the dump. */
struct lsock {
	uint32_t inode;
	uint32_t uid;
	uint32_t group;		/* index in groups before they are sorted */
};

/* Peer table entry: (group, address) -> count. */
struct peer_ent {
	uint64_t count;		/* 0 = empty slot */
	uint32_t group;
	uint8_t family;
	uint8_t addr[16];
};

/* Count history of one group, a ring in time order. */
struct hist {
	uint64_t key;
	unsigned n, head;
	bool seen;
	int64_t t[LEAKS_HISTORY];	/* ms, wall clock */
	uint64_t c[LEAKS_HISTORY];
};

/* Owner codes in the breakdown map: process index + OWNER_PROC. */
enum { OWNER_UNKNOWN, OWNER_ORPHAN, OWNER_PROC };

struct leaks {
	struct leaks_opts o;
	struct table *listen;		/* listeners only: inbound or outbound */
	int64_t now_ms;

	struct leaks_group *groups;
	size_t ngroups, gcap;
	struct u64map *gindex;		/* group key -> index in groups */

	struct lsock *socks;
	size_t nsocks, scap;

	struct peer_ent *peers;
	size_t pmask, pused;

	struct leaks_proc *procs;	/* every group's owners, group after group */
	struct u64map *breakdown;	/* (group, owner code) -> count */

	struct u64map *cookies;		/* this sample: cookie -> born_ms << 8 | state */
	struct u64map *prev;		/* the last sample's */

	struct hist *hist;
	size_t nhist, hcap;
	struct u64map *hindex;		/* group key -> index in hist */
	bool have_prev;			/* a complete sample came before */
	int64_t prev_ms;

	struct leaks_summary sum;
	char err[160];			/* why the last leaks_end() failed, or "" */
};

static uint64_t group_key(uint8_t state, uint8_t dir, uint16_t port)
{
	return (uint64_t)state << 17 | (uint64_t)dir << 16 | port;
}

int leaks_new(struct leaks **out, const struct leaks_opts *o)
{
	/* Counts nothing (states 0): it keeps the listeners and the range
	 * for table_classify(), which decides as the report does. */
	struct table_filter lf = { .by = o->filter.by, .states = 0, .ipv4 = true, .ipv6 = true };
	struct leaks *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->o = *o;
	l->listen = table_new(&lf);
	l->gindex = u64map_new(64);
	l->breakdown = u64map_new(64);
	l->hindex = u64map_new(64);
	l->cookies = u64map_new(o->track ? 1024 : 0);
	l->prev = u64map_new(o->track ? 1024 : 0);
	l->pmask = 255;
	l->peers = calloc(l->pmask + 1, sizeof(*l->peers));
	if (!l->listen || !l->gindex || !l->breakdown || !l->hindex || !l->cookies ||
	    !l->prev || !l->peers) {
		leaks_delete(l);
		return -ENOMEM;
	}
	*out = l;
	return 0;
}

void leaks_delete(struct leaks *l)
{
	if (!l)
		return;
	table_delete(l->listen);
	free(l->groups);
	u64map_delete(l->gindex);
	free(l->socks);
	free(l->peers);
	free(l->procs);
	u64map_delete(l->breakdown);
	u64map_delete(l->cookies);
	u64map_delete(l->prev);
	free(l->hist);
	u64map_delete(l->hindex);
	free(l);
}

void leaks_begin(struct leaks *l, const struct timespec *when)
{
	l->now_ms = (int64_t)when->tv_sec * 1000 + when->tv_nsec / 1000000;
	table_clear(l->listen);
	l->ngroups = 0;
	u64map_clear(l->gindex);
	l->nsocks = 0;
	memset(l->peers, 0, (l->pmask + 1) * sizeof(*l->peers));
	l->pused = 0;
	u64map_clear(l->cookies);
	memset(&l->sum, 0, sizeof(l->sum));
}

static long group_get(struct leaks *l, uint8_t state, uint8_t dir, uint16_t port)
{
	bool created;
	uint64_t *slot = u64map_slot(l->gindex, group_key(state, dir, port), &created);
	struct leaks_group *g;

	if (!slot)
		return -ENOMEM;
	if (!created)
		return (long)*slot;
	if (l->ngroups == l->gcap) {
		size_t cap = l->gcap ? l->gcap * 2 : 16;

		g = realloc(l->groups, cap * sizeof(*g));
		if (!g)
			return -ENOMEM;
		l->groups = g;
		l->gcap = cap;
	}
	g = &l->groups[l->ngroups];
	memset(g, 0, sizeof(*g));
	g->port = port;
	g->dir = dir;
	g->state = state;
	*slot = l->ngroups;
	return (long)l->ngroups++;
}

/* A v4-mapped IPv6 peer (::ffff:a.b.c.d) is the IPv4 host it maps. */
static void peer_addr(const struct sock_rec *rec, uint8_t *family, uint8_t addr[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(addr, 0, 16);
	if (rec->family == AF_INET6 && memcmp(rec->daddr, mapped, 12) != 0) {
		*family = AF_INET6;
		memcpy(addr, rec->daddr, 16);
	} else {
		*family = AF_INET;
		memcpy(addr, rec->family == AF_INET ? rec->daddr : rec->daddr + 12, 4);
	}
}

static size_t peer_hash(uint32_t group, const uint8_t addr[16])
{
	uint64_t a, b;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	a ^= b * 0x9e3779b97f4a7c15ull ^ group;
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ull;
	return (size_t)(a ^ a >> 32);
}

static struct peer_ent *peer_find(struct peer_ent *tab, size_t mask, uint32_t group,
				  uint8_t family, const uint8_t addr[16])
{
	for (size_t i = peer_hash(group, addr) & mask;; i = (i + 1) & mask) {
		struct peer_ent *e = &tab[i];

		if (!e->count || (e->group == group && e->family == family &&
				  memcmp(e->addr, addr, 16) == 0))
			return e;
	}
}

static int peer_grow(struct leaks *l)
{
	size_t mask = 2 * (l->pmask + 1) - 1;
	struct peer_ent *tab = calloc(mask + 1, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i <= l->pmask; i++) {
		const struct peer_ent *e = &l->peers[i];

		if (e->count)
			*peer_find(tab, mask, e->group, e->family, e->addr) = *e;
	}
	free(l->peers);
	l->peers = tab;
	l->pmask = mask;
	return 0;
}

static int peer_add(struct leaks *l, uint32_t group, const struct sock_rec *rec)
{
	uint8_t family, addr[16];
	struct peer_ent *e;

	if (2 * (l->pused + 1) > l->pmask + 1 && peer_grow(l) < 0)
		return -ENOMEM;
	peer_addr(rec, &family, addr);
	e = peer_find(l->peers, l->pmask, group, family, addr);
	if (!e->count) {
		e->group = group;
		e->family = family;
		memcpy(e->addr, addr, 16);
		l->pused++;
	}
	e->count++;
	return 0;
}

static int sock_push(struct leaks *l, const struct sock_rec *rec, uint32_t group)
{
	if (l->nsocks == l->scap) {
		size_t cap = l->scap ? l->scap * 2 : 256;
		struct lsock *s = realloc(l->socks, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		l->socks = s;
		l->scap = cap;
	}
	l->socks[l->nsocks++] = (struct lsock){ .inode = rec->inode, .uid = rec->uid,
						.group = group };
	return 0;
}

/* The age of @rec in ms, tracked or from tcp_info; false when unknown. */
static int sock_age(struct leaks *l, const struct sock_rec *rec, uint64_t *age, bool *known)
{
	int64_t born;
	uint64_t v, *slot;

	*age = rec->has_info ? rec->info_last_ack_recv : 0;
	*known = rec->has_info;
	if (!l->o.track)
		return 0;
	born = l->now_ms - (int64_t)*age;
	/* The earliest birth ever seen for the socket in this state: a later
	 * ACK shrinks tcp_info's bound, never the time already known. */
	if (u64map_get(l->prev, rec->cookie, &v) && (v & 0xff) == rec->state &&
	    (int64_t)(v >> 8) < born)
		born = (int64_t)(v >> 8);
	if (born < 0)
		born = 0;
	slot = u64map_slot(l->cookies, rec->cookie, NULL);
	if (!slot)
		return -ENOMEM;
	*slot = (uint64_t)born << 8 | rec->state;
	*age = l->now_ms > born ? (uint64_t)(l->now_ms - born) : 0;
	*known = true;
	return 0;
}

int leaks_add(const struct sock_rec *rec, void *data)
{
	struct leaks *l = data;
	const struct table_filter *f = &l->o.filter;
	struct leaks_group *g;
	enum table_dir dir;
	uint16_t port;
	uint64_t age;
	bool known;
	long gi;
	int ret;

	if (rec->state == TCP_STATE_LISTEN)
		return table_add(l->listen, rec);
	if (!(f->states & TCP_STATE_BIT(rec->state)))
		return 0;
	if (rec->family == AF_INET ? !f->ipv4 : !f->ipv6)
		return 0;
	table_classify(l->listen, rec, &port, &dir);
	if (f->has_ports && !portset_has(&f->ports, port))
		return 0;

	gi = group_get(l, rec->state, (uint8_t)dir, port);
	if (gi < 0)
		return (int)gi;
	if ((ret = peer_add(l, (uint32_t)gi, rec)) < 0 ||
	    (ret = sock_push(l, rec, (uint32_t)gi)) < 0 ||
	    (ret = sock_age(l, rec, &age, &known)) < 0)
		return ret;
	g = &l->groups[gi];
	g->count++;
	/* idiag_rqueue is rcv_nxt - copied_seq, and the peer's FIN takes a
	 * sequence number of its own until the owner reads the EOF: in the
	 * states after a FIN came in, a non-zero queue is bytes + 1. */
	if (rec->rqueue && (rec->state == TCP_STATE_CLOSE_WAIT || rec->state == TCP_STATE_LAST_ACK ||
			    rec->state == TCP_STATE_CLOSING))
		g->recv_q += rec->rqueue - 1;
	else
		g->recv_q += rec->rqueue;
	if (known) {
		g->has_age = true;
		if (age > g->oldest_ms)
			g->oldest_ms = age;
	}
	l->sum.sockets++;
	l->sum.info |= rec->has_info;
	return 0;
}

static int proc_cmp(const void *pa, const void *pb)
{
	const struct leaks_proc *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return strcmp(a->comm, b->comm);
}

/* Owners: one procmap scan for every reported socket's inode, then the
 * per-group breakdown into l->procs. */
static int owners_resolve(struct leaks *l)
{
	struct procmap *pm = NULL;
	size_t *start = NULL, pos = 0, n;
	uint64_t key, val;
	int ret = 0;

	l->err[0] = '\0';
	l->sum.owners = l->o.owners;
	if (l->o.owners && l->nsocks) {
		if ((ret = procmap_new(&pm, l->nsocks)) < 0)
			goto out;
		for (size_t i = 0; i < l->nsocks; i++)
			if (l->socks[i].inode)
				procmap_want(pm, l->socks[i].inode, l->socks[i].uid);
		ret = procmap_scan(pm, l->o.proc_root ? l->o.proc_root : "/proc");
		if (procmap_is_limit(ret)) {
			/* Out of fds or memory: the owners would be wrong,
			 * which is a failure, not "unknown" (as --by process). */
			procmap_limit_message(l->err, sizeof(l->err), "owners", ret);
			goto out;
		}
		if (ret < 0) {
			/* No /proc is data (owners unknown), not a failure. */
			l->sum.owners_failed = true;
			procmap_delete(pm);
			pm = NULL;
			ret = 0;
		} else {
			l->sum.denied = procmap_stats(pm)->denied;
		}
	}

	u64map_clear(l->breakdown);
	for (size_t i = 0; i < l->nsocks; i++) {
		const struct lsock *s = &l->socks[i];
		long idx = pm ? procmap_index(pm, s->inode) : -1;
		uint64_t code = !s->inode ? OWNER_ORPHAN :
				idx < 0 ? OWNER_UNKNOWN : (uint64_t)idx + OWNER_PROC;
		uint64_t *slot = u64map_slot(l->breakdown, (uint64_t)s->group << 32 | code, NULL);

		if (!slot) {
			ret = -ENOMEM;
			goto out;
		}
		(*slot)++;
		if (code == OWNER_UNKNOWN)
			l->sum.unowned++;
	}

	n = u64map_size(l->breakdown);
	start = calloc(l->ngroups + 1, sizeof(*start));
	if (!start) {
		ret = -ENOMEM;
		goto out;
	}
	if (n) {
		struct leaks_proc *p = realloc(l->procs, n * sizeof(*p));

		if (!p) {
			ret = -ENOMEM;
			goto out;
		}
		l->procs = p;
	}
	while (u64map_next(l->breakdown, &pos, &key, &val))
		start[(key >> 32) + 1]++;
	for (size_t g = 0; g < l->ngroups; g++) {
		start[g + 1] += start[g];
		l->groups[g].procs = l->procs + start[g];
		l->groups[g].nprocs = 0;
	}
	pos = 0;
	while (u64map_next(l->breakdown, &pos, &key, &val)) {
		struct leaks_group *g = &l->groups[key >> 32];
		struct leaks_proc *p = &l->procs[start[key >> 32] + g->nprocs++];
		uint64_t code = key & 0xffffffffu;

		memset(p, 0, sizeof(*p));
		p->count = val;
		if (code >= OWNER_PROC) {
			const struct procmap_proc *pp = procmap_proc(pm, code - OWNER_PROC);

			p->pid = pp->pid;
			memcpy(p->comm, pp->comm, sizeof(p->comm));
			memcpy(p->cgroup, pp->cgroup, sizeof(p->cgroup));
		} else {
			snprintf(p->comm, sizeof(p->comm), "%s",
				 code == OWNER_ORPHAN ? LEAKS_COMM_ORPHAN : LEAKS_COMM_UNKNOWN);
		}
	}
	for (size_t g = 0; g < l->ngroups; g++)
		if (l->groups[g].nprocs > 1)
			qsort(l->procs + start[g], l->groups[g].nprocs, sizeof(*l->procs), proc_cmp);
out:
	free(start);
	procmap_delete(pm);
	return ret;
}

/* Whether peer @a ranks before @b: more sockets, then by address. */
static bool peer_before(const struct peer_ent *a, const struct leaks_peer *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	if (a->family != b->family)
		return a->family < b->family;
	return memcmp(a->addr, b->addr, 16) < 0;
}

static void peers_top(struct leaks *l)
{
	for (size_t i = 0; i <= l->pmask; i++) {
		const struct peer_ent *e = &l->peers[i];
		struct leaks_group *g;
		size_t at;

		if (!e->count)
			continue;
		g = &l->groups[e->group];
		g->npeers++;
		for (at = g->ntop; at > 0 && peer_before(e, &g->peers[at - 1]); at--)
			;
		if (at >= LEAKS_TOP_PEERS)
			continue;
		if (g->ntop < LEAKS_TOP_PEERS)
			g->ntop++;
		memmove(&g->peers[at + 1], &g->peers[at], (g->ntop - 1 - at) * sizeof(g->peers[0]));
		g->peers[at].family = e->family;
		memcpy(g->peers[at].addr, e->addr, 16);
		g->peers[at].count = e->count;
	}
}

static void hist_push(struct hist *h, int64_t t, uint64_t c)
{
	h->t[h->head] = t;
	h->c[h->head] = c;
	h->head = (h->head + 1) % LEAKS_HISTORY;
	if (h->n < LEAKS_HISTORY)
		h->n++;
}

/* Growth over the window: from the oldest entry in it to the newest. */
static void hist_growth(const struct hist *h, int64_t now, struct leaks_group *g)
{
	for (unsigned k = 0; k + 1 < h->n; k++) {
		unsigned i = (h->head + LEAKS_HISTORY - h->n + k) % LEAKS_HISTORY;

		if (h->t[i] >= now - LEAKS_GROWTH_WINDOW_MS && h->t[i] < now) {
			g->has_growth = true;
			g->growth_per_min = ((double)g->count - (double)h->c[i]) * 60000.0 /
					    (double)(now - h->t[i]);
			return;
		}
	}
}

static int growth_update(struct leaks *l)
{
	size_t keep = 0;

	for (size_t i = 0; i < l->nhist; i++)
		l->hist[i].seen = false;
	for (size_t gi = 0; gi < l->ngroups; gi++) {
		struct leaks_group *g = &l->groups[gi];
		uint64_t key = group_key(g->state, g->dir, g->port), hi;
		struct hist *h;

		if (u64map_get(l->hindex, key, &hi)) {
			h = &l->hist[hi];
		} else {
			if (l->nhist == l->hcap) {
				size_t cap = l->hcap ? l->hcap * 2 : 16;

				h = realloc(l->hist, cap * sizeof(*h));
				if (!h)
					return -ENOMEM;
				l->hist = h;
				l->hcap = cap;
			}
			h = &l->hist[l->nhist++];
			memset(h, 0, sizeof(*h));
			h->key = key;
			/* Not there in the last complete sample: it held 0. */
			if (l->have_prev)
				hist_push(h, l->prev_ms, 0);
		}
		hist_push(h, l->now_ms, g->count);
		h->seen = true;
		hist_growth(h, l->now_ms, g);
	}
	/* Groups gone this sample held 0; forget them once the window holds
	 * nothing but zeros. */
	for (size_t i = 0; i < l->nhist; i++) {
		struct hist *h = &l->hist[i];
		bool zero = true;

		if (!h->seen)
			hist_push(h, l->now_ms, 0);
		for (unsigned k = 0; k < h->n && zero; k++)
			zero = h->c[k] == 0;
		if (!zero)
			l->hist[keep++] = *h;
	}
	l->nhist = keep;
	u64map_clear(l->hindex);
	for (size_t i = 0; i < l->nhist; i++) {
		uint64_t *slot = u64map_slot(l->hindex, l->hist[i].key, NULL);

		if (!slot)
			return -ENOMEM;
		*slot = i;
	}
	l->have_prev = true;
	l->prev_ms = l->now_ms;
	return 0;
}

static int group_cmp(const void *pa, const void *pb)
{
	const struct leaks_group *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	return (a->state > b->state) - (a->state < b->state);
}

int leaks_end(struct leaks *l, bool complete)
{
	int ret;

	if ((ret = owners_resolve(l)) < 0)
		return ret;
	peers_top(l);
	if (l->o.track) {
		struct u64map *t;

		/* A partial dump missed sockets that still exist: keep them. */
		if (!complete) {
			size_t pos = 0;
			uint64_t key, val;

			while (u64map_next(l->prev, &pos, &key, &val)) {
				uint64_t *slot;

				if (u64map_get(l->cookies, key, NULL))
					continue;
				if (!(slot = u64map_slot(l->cookies, key, NULL)))
					return -ENOMEM;
				*slot = val;
			}
		}
		t = l->prev;
		l->prev = l->cookies;
		l->cookies = t;
		/* A partial count would show as a sudden drop and rise. */
		if (complete && (ret = growth_update(l)) < 0)
			return ret;
	}
	if (l->ngroups)		/* groups is NULL until the first one */
		qsort(l->groups, l->ngroups, sizeof(*l->groups), group_cmp);
	return 0;
}

struct once_arg {
	struct leaks *l;
	struct collector *c;
};

/* Listeners always come along: they decide every socket's direction. */
static int leaks_once(void *arg, struct sampler_info *info)
{
	struct leaks *l = ((struct once_arg *)arg)->l;
	struct collector *c = ((struct once_arg *)arg)->c;
	int ret = sampler_begin(c, l->listen, &info->time);

	if (ret < 0)
		return ret;
	leaks_begin(l, &info->time);
	ret = sampler_dump(c, &l->o.filter, leaks_add, l);
	if (ret < 0)
		return ret;
	return collector_sample_end(c);
}

int leaks_sample(struct leaks *l, struct collector *c, struct sampler_info *info)
{
	struct once_arg arg = { .l = l, .c = c };
	int ret;

	/* tcp_info for the ages; only these few states are dumped, so it
	 * costs nothing to the report's dumps. */
	collector_set_ext(c, 1u << (INET_DIAG_INFO - 1));
	ret = sampler_retry(c, info, leaks_once, &arg);
	if (ret < 0)
		return ret;
	return leaks_end(l, info->complete);
}

size_t leaks_ngroups(const struct leaks *l)
{
	return l->ngroups;
}

const struct leaks_group *leaks_group(const struct leaks *l, size_t i)
{
	return i < l->ngroups ? &l->groups[i] : NULL;
}

const struct leaks_summary *leaks_summary(const struct leaks *l)
{
	return &l->sum;
}

const char *leaks_error(const struct leaks *l)
{
	return l->err;
}

uint32_t leaks_states(const struct leaks *l)
{
	return l->o.filter.states;
}

enum leaks_status leaks_evaluate(const struct leaks *l, const struct leaks_thresholds *th,
				 long *worst)
{
	/* Severity order of monitoring plugins' "worst of" rule. */
	static const enum leaks_status by_rank[] = {
		LEAKS_OK, LEAKS_WARNING, LEAKS_UNKNOWN, LEAKS_CRITICAL,
	};
	int best = -1;

	*worst = -1;
	for (size_t i = 0; i < l->ngroups; i++) {
		const struct leaks_group *g = &l->groups[i];
		uint64_t secs = g->oldest_ms / 1000;
		int r = 0;

		if (th->has_crit && g->count > th->crit)
			r = 3;
		else if (th->has_warn && g->count > th->warn)
			r = 1;
		if (th->has_warn_age || th->has_crit_age) {
			if (!g->has_age)
				r = r > 2 ? r : 2;
			else if (th->has_crit_age && secs > th->crit_age)
				r = 3;
			else if (th->has_warn_age && secs > th->warn_age)
				r = r > 1 ? r : 1;
		}
		/* Groups are largest first: ties go to the larger. */
		if (r > best) {
			best = r;
			*worst = (long)i;
		}
	}
	return best < 0 ? LEAKS_OK : by_rank[best];
}

const char *leaks_status_name(enum leaks_status s)
{
	switch (s) {
	case LEAKS_OK:
		return "ok";
	case LEAKS_WARNING:
		return "warning";
	case LEAKS_CRITICAL:
		return "critical";
	default:
		return "unknown";
	}
}

int leaks_parse_duration(const char *s, uint64_t *secs)
{
	const uint64_t max = 10ull * 366 * 86400;
	uint64_t v = 0, unit = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return -EINVAL;
	}
	switch (*p) {
	case '\0':
		break;
	case 's':
		p++;
		break;
	case 'm':
		unit = 60, p++;
		break;
	case 'h':
		unit = 3600, p++;
		break;
	case 'd':
		unit = 86400, p++;
		break;
	default:
		return -EINVAL;
	}
	if (*p || v * unit > max)
		return -EINVAL;
	*secs = v * unit;
	return 0;
}
