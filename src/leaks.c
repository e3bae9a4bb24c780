/* SPDX-License-Identifier: MIT */
/*
 * leaks: grouping of stuck sockets, their owners, peers, ages and growth.
 * Per sample it keeps one 24-byte record per reported socket (its group
 * and peer, then its owner; inode and uid for the owner look-up) and the
 * group array, indexed directly by key.  Peers and owners are counted at
 * the end by sorting those records in place, so each group pays only for
 * what it reports: its top peers and its owners, in arrays shared by all
 * groups.  Across samples: the cookie table (two generations: this
 * sample's and the last one's) and each group's count history, kept as
 * runs of equal counts over the last LEAKS_HISTORY complete samples whose
 * times are kept once for all groups.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>

#include "collector.h"
#include "diag.h"
#include "leaks.h"
#include "leakstate.h"
#include "procmap.h"
#include "sampler.h"
#include "u64map.h"

/* Every possible group has a slot: 5 states x 2 directions x 65536 ports. */
#define LEAKS_NSTATES	5
#define NKEYS		((uint32_t)LEAKS_NSTATES * 2 * 65536)

/* A table of NKEYS zeroed slots, mapped: untouched pages cost no memory.
 * (calloc() would do the same the first time, but once a freed mapping
 * has raised glibc's mmap threshold it clears 2.5 MiB from the heap.) */
static uint32_t *slots_new(void)
{
	void *p = mmap(NULL, NKEYS * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void slots_delete(uint32_t *s)
{
	if (s)
		munmap(s, NKEYS * sizeof(uint32_t));
}

/* A group's slot, or NKEYS for a state leaks never reports. */
static uint32_t key_slot(uint8_t state, uint8_t dir, uint16_t port)
{
	uint32_t i;

	switch (state) {
	case TCP_STATE_FIN_WAIT1:
		i = 0;
		break;
	case TCP_STATE_FIN_WAIT2:
		i = 1;
		break;
	case TCP_STATE_CLOSE_WAIT:
		i = 2;
		break;
	case TCP_STATE_LAST_ACK:
		i = 3;
		break;
	case TCP_STATE_CLOSING:
		i = 4;
		break;
	default:
		return NKEYS;
	}
	return i << 17 | (uint32_t)(dir & 1) << 16 | port;
}

/*
 * One reported socket.  key is the group's index << GROUP_SHIFT and below
 * it first the peer (peer_code()), then the owner code (owners_count()),
 * so one sort gathers the sockets of each group and, within it, of each
 * peer or owner.
 */
struct lsock {
	uint64_t key;
	uint32_t inode;
	uint32_t uid;
	uint32_t age_s;		/* its age in seconds + 1; 0: unknown */
};

#define GROUP_SHIFT	33
#define PEER_V6		(UINT64_C(1) << 32)	/* else the IPv4 address, host order */

/* Owner codes: process index + OWNER_PROC. */
enum { OWNER_UNKNOWN, OWNER_ORPHAN, OWNER_PROC };

/* A run of complete samples from seq on in which a group held count. */
struct run {
	uint32_t seq;
	uint32_t count;
};

/* A group's count history: 16 bytes while it holds one run. */
struct hist {
	uint32_t slot;		/* key_slot(); HIST_SEEN: in this sample */
	uint16_t n;		/* runs, oldest first */
	uint16_t cap;		/* room in r.many; 0: the one run is r.one */
	union {
		struct run one;
		struct run *many;
	} r;
};

#define HIST_SEEN	(UINT32_C(1) << 31)

struct leaks {
	struct leaks_opts o;
	struct table *listen;		/* listeners only: inbound or outbound */
	int64_t now_ms;

	struct leaks_group *groups;
	size_t ngroups, gcap;
	uint32_t *gindex;		/* key slot -> index in groups + 1 */

	struct lsock *socks;
	size_t nsocks, scap;

	uint8_t (*v6)[16];		/* IPv6 peers of this sample, by id */
	uint32_t nv6, v6cap;
	uint32_t *v6slot;		/* hash of v6: id + 1, 0 = empty */
	size_t v6mask;

	struct leaks_peer *tops;	/* every group's top peers, group after group */
	size_t ntops, tcap;
	struct leaks_proc *procs;	/* every group's owners, group after group */
	char *cgroups;			/* the owners' cgroup paths */

	struct u64map *cookies;		/* this sample: cookie -> born_ms << 8 |
					 * TRACK_DATED | state */
	struct u64map *prev;		/* the last sample's */

	struct hist *hist;
	size_t nhist, hcap;
	uint32_t *hindex;		/* key slot -> index in hist + 1 */
	uint64_t seq;			/* complete samples recorded in the history */
	int64_t times[LEAKS_HISTORY];	/* their times: seq s at s % LEAKS_HISTORY */
	bool seeded;			/* seq 1 is a restored state: the first
					 * sample's growth is measured from it
					 * whatever its age (later ones, -i,
					 * over the usual window) */

	struct leaks_owner *owners;	/* owner rows (o.rows) */
	size_t nowners;
	struct leaks_port *oports;	/* their top groups, row after row */

	struct leaks_summary sum;
	char err[160];			/* why the last leaks_end() failed, or "" */
};

int leaks_new(struct leaks **out, const struct leaks_opts *o)
{
	/* Counts nothing (states 0): it keeps the listeners and the range
	 * for table_classify(), which decides as the report does. */
	struct table_filter lf = { .by = o->filter.by, .states = 0, .ipv4 = true, .ipv6 = true };
	struct leaks *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->o = *o;
	l->o.filter.states &= LEAKS_STATES_MASK;
	l->listen = table_new(&lf);
	l->gindex = slots_new();
	l->hindex = o->track ? slots_new() : NULL;
	l->cookies = u64map_new(o->track ? 1024 : 0);
	l->prev = u64map_new(o->track ? 1024 : 0);
	l->v6mask = 255;
	l->v6slot = calloc(l->v6mask + 1, sizeof(*l->v6slot));
	if (!l->listen || !l->gindex || (o->track && !l->hindex) || !l->cookies ||
	    !l->prev || !l->v6slot) {
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
	slots_delete(l->gindex);
	free(l->socks);
	free(l->v6);
	free(l->v6slot);
	free(l->tops);
	free(l->procs);
	free(l->cgroups);
	free(l->owners);
	free(l->oports);
	u64map_delete(l->cookies);
	u64map_delete(l->prev);
	for (size_t i = 0; i < l->nhist; i++)
		if (l->hist[i].cap)
			free(l->hist[i].r.many);
	free(l->hist);
	slots_delete(l->hindex);
	free(l);
}

void leaks_begin(struct leaks *l, const struct timespec *when)
{
	int64_t ms;
	long nsec = when->tv_nsec >= 0 && when->tv_nsec < 1000000000 ? when->tv_nsec : 0;

	/* Checked: a time the model cannot represent is clamped to one it
	 * can, so no age or rate below is computed from a wrapped value. */
	if (__builtin_mul_overflow((int64_t)when->tv_sec, 1000, &ms) ||
	    __builtin_add_overflow(ms, nsec / 1000000, &ms) || ms > LEAKS_MAX_TIME_MS)
		ms = when->tv_sec < 0 ? 0 : LEAKS_MAX_TIME_MS;
	l->now_ms = ms < 0 ? 0 : ms;
	table_clear(l->listen);
	for (size_t i = 0; i < l->ngroups; i++) {
		const struct leaks_group *g = &l->groups[i];

		l->gindex[key_slot(g->state, g->dir, g->port)] = 0;
	}
	l->ngroups = 0;
	l->nsocks = 0;
	l->nowners = 0;
	l->nv6 = 0;
	memset(l->v6slot, 0, (l->v6mask + 1) * sizeof(*l->v6slot));
	u64map_clear(l->cookies);
	memset(&l->sum, 0, sizeof(l->sum));
}

static long group_get(struct leaks *l, uint32_t slot, uint8_t state, uint8_t dir, uint16_t port)
{
	struct leaks_group *g;

	if (l->gindex[slot])
		return (long)l->gindex[slot] - 1;
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
	l->gindex[slot] = (uint32_t)++l->ngroups;
	return (long)l->ngroups - 1;
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

static size_t v6_hash(const uint8_t addr[16])
{
	uint64_t a, b;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	a ^= b * 0x9e3779b97f4a7c15ull;
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ull;
	return (size_t)(a ^ a >> 32);
}

static int v6_grow(struct leaks *l)
{
	size_t mask = 2 * (l->v6mask + 1) - 1;
	uint32_t *slot = calloc(mask + 1, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (uint32_t id = 0; id < l->nv6; id++) {
		size_t i = v6_hash(l->v6[id]) & mask;

		while (slot[i])
			i = (i + 1) & mask;
		slot[i] = id + 1;
	}
	free(l->v6slot);
	l->v6slot = slot;
	l->v6mask = mask;
	return 0;
}

/* The id of IPv6 peer @addr in this sample, added when new; -ENOMEM. */
static long v6_id(struct leaks *l, const uint8_t addr[16])
{
	size_t i;

	if (2 * ((size_t)l->nv6 + 1) > l->v6mask + 1 && v6_grow(l) < 0)
		return -ENOMEM;
	for (i = v6_hash(addr) & l->v6mask; l->v6slot[i]; i = (i + 1) & l->v6mask)
		if (memcmp(l->v6[l->v6slot[i] - 1], addr, 16) == 0)
			return (long)l->v6slot[i] - 1;
	if (l->nv6 == l->v6cap) {
		uint32_t cap = l->v6cap ? l->v6cap * 2 : 64;
		uint8_t (*v6)[16] = realloc(l->v6, (size_t)cap * sizeof(*v6));

		if (!v6)
			return -ENOMEM;
		l->v6 = v6;
		l->v6cap = cap;
	}
	memcpy(l->v6[l->nv6], addr, 16);
	l->v6slot[i] = ++l->nv6;
	return (long)l->nv6 - 1;
}

/* The peer of @rec as the low bits of a socket's key: IPv4 addresses in
 * host order sort as their bytes do, and before every IPv6 one. */
static int64_t peer_code(struct leaks *l, const struct sock_rec *rec)
{
	uint8_t family, addr[16];
	long id;

	peer_addr(rec, &family, addr);
	if (family == AF_INET)
		return (int64_t)((uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
				 (uint32_t)addr[2] << 8 | addr[3]);
	id = v6_id(l, addr);
	return id < 0 ? id : (int64_t)(PEER_V6 | (uint64_t)id);
}

static void peer_decode(const struct leaks *l, uint64_t code, struct leaks_peer *p)
{
	memset(p->addr, 0, sizeof(p->addr));
	if (code & PEER_V6) {
		p->family = AF_INET6;
		memcpy(p->addr, l->v6[(uint32_t)code], 16);
	} else {
		p->family = AF_INET;
		p->addr[0] = (uint8_t)(code >> 24);
		p->addr[1] = (uint8_t)(code >> 16);
		p->addr[2] = (uint8_t)(code >> 8);
		p->addr[3] = (uint8_t)code;
	}
}

static int sock_push(struct leaks *l, const struct sock_rec *rec, uint32_t group,
		     uint64_t age, bool known)
{
	int64_t peer;

	/* Counts per peer and owner are 32-bit (leaks.h). */
	if (l->nsocks >= LEAKS_MAX_SOCKETS)
		return -ENOMEM;
	if (l->nsocks == l->scap) {
		size_t cap = l->scap ? l->scap * 2 : 256;
		struct lsock *s = realloc(l->socks, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		l->socks = s;
		l->scap = cap;
	}
	peer = peer_code(l, rec);
	if (peer < 0)
		return (int)peer;
	/* The sample's first socket: its owner will be looked up, so a
	 * prefetched owner iterator may run now, beside the rest of the dump. */
	if (l->nsocks == 0 && l->o.owners)
		procmap_prefetch_go();
	l->socks[l->nsocks++] = (struct lsock){
		.key = (uint64_t)group << GROUP_SHIFT | (uint64_t)peer,
		.inode = rec->inode, .uid = rec->uid,
		.age_s = !known ? 0 : age / 1000 >= UINT32_MAX - 1 ? UINT32_MAX : (uint32_t)(age / 1000) + 1,
	};
	return 0;
}

/* A tracked socket's value in the cookie maps: born_ms << 8, then
 * TRACK_DATED when that birth is a real bound, then the state. */
#define TRACK_DATED	0x80u
#define TRACK_STATE	0x7fu

/*
 * The age of @rec in ms, tracked or from tcp_info; false when unknown.
 * Without tcp_info (a report's recording) a socket's age is known only
 * when its birth was bracketed: first seen after a complete sample that
 * did not hold it.  One already there in the first sample may be of any
 * age, and "0s" (or the time since we started) would be a lie (issue 12).
 */
static int sock_age(struct leaks *l, const struct sock_rec *rec, uint64_t *age, bool *known)
{
	int64_t born;
	uint64_t v, *slot;
	bool dated = rec->has_info;

	*age = rec->has_info ? rec->info_last_ack_recv : 0;
	*known = rec->has_info;
	/* Without a cookie (the kernel's INET_DIAG_NOCOOKIE, or 0) a socket
	 * cannot be told from others across samples: tcp_info only. */
	if (!l->o.track || rec->cookie == 0 || rec->cookie == UINT64_MAX)
		return 0;
	/* now_ms <= LEAKS_MAX_TIME_MS and the age < 2^32: no overflow. */
	born = l->now_ms - (int64_t)*age;
	/* The earliest birth ever seen for the socket in this state: a later
	 * ACK shrinks tcp_info's bound, never the time already known. */
	if (u64map_get(l->prev, rec->cookie, &v) && (v & TRACK_STATE) == rec->state) {
		if ((int64_t)(v >> 8) < born)
			born = (int64_t)(v >> 8);
		dated |= (v & TRACK_DATED) != 0;
	} else if (!rec->has_info) {
		dated = l->seq > 0;
	}
	if (born < 0)
		born = 0;
	slot = u64map_slot(l->cookies, rec->cookie, NULL);
	if (!slot)
		return -ENOMEM;
	*slot = (uint64_t)born << 8 | (dated ? TRACK_DATED : 0) | rec->state;
	*age = l->now_ms > born ? (uint64_t)(l->now_ms - born) : 0;
	*known = dated;
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
	if (rec->state > 31 || !(f->states & TCP_STATE_BIT(rec->state)))
		return 0;
	if (rec->family == AF_INET ? !f->ipv4 : !f->ipv6)
		return 0;
	table_classify(l->listen, rec, &port, &dir);
	if (f->has_ports && !portset_has(&f->ports, port))
		return 0;

	gi = group_get(l, key_slot(rec->state, (uint8_t)dir, port), rec->state, (uint8_t)dir, port);
	if (gi < 0)
		return (int)gi;
	if ((ret = sock_age(l, rec, &age, &known)) < 0 ||
	    (ret = sock_push(l, rec, (uint32_t)gi, age, known)) < 0)
		return ret;
	g = &l->groups[gi];
	g->count++;
	/* idiag_rqueue is rcv_nxt - copied_seq, and the peer's FIN takes a
	 * sequence number of its own until the owner reads the EOF: in the
	 * states after a FIN came in, a non-zero queue is bytes + 1.  At most
	 * 2^32 sockets of 2^32 bytes: the sum fits. */
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

static void lsock_swap(struct lsock *a, struct lsock *b)
{
	struct lsock t = *a;

	*a = *b;
	*b = t;
}

static void lsock_sift(struct lsock *a, size_t n, size_t i)
{
	for (size_t c; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && a[c + 1].key > a[c].key)
			c++;
		if (a[i].key >= a[c].key)
			return;
		lsock_swap(&a[i], &a[c]);
	}
}

/*
 * Sort by key, in place: qsort() may allocate a copy of the array (glibc's
 * merge sort), and these arrays are the largest thing a sample holds.
 * Quicksort (Hoare's partition, median of three: equal keys, the common
 * case, split evenly), heapsort past 2 log2 n levels, insertion sort for
 * short ranges.
 */
static void lsock_sort(struct lsock *a, size_t n)
{
	unsigned depth = 0;

	for (size_t k = n; k > 1; k >>= 1)
		depth += 2;
	while (n > 16) {
		size_t m = n / 2, i = 0, j = n - 1;
		uint64_t pivot;

		if (depth-- == 0) {
			for (size_t k = n / 2; k-- > 0;)
				lsock_sift(a, n, k);
			for (size_t k = n - 1; k > 0; k--) {
				lsock_swap(&a[0], &a[k]);
				lsock_sift(a, k, 0);
			}
			return;
		}
		if (a[m].key < a[0].key)
			lsock_swap(&a[m], &a[0]);
		if (a[n - 1].key < a[0].key)
			lsock_swap(&a[n - 1], &a[0]);
		if (a[n - 1].key < a[m].key)
			lsock_swap(&a[n - 1], &a[m]);
		/* a[0] <= pivot <= a[n - 1] stop both scans inside the range. */
		pivot = a[m].key;
		for (;;) {
			while (a[i].key < pivot)
				i++;
			while (a[j].key > pivot)
				j--;
			if (i >= j)
				break;
			lsock_swap(&a[i], &a[j]);
			i++;
			j--;
		}
		/* [0, j] <= pivot <= [j + 1, n): recurse into the smaller. */
		if (j + 1 < n - (j + 1)) {
			lsock_sort(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			lsock_sort(a + j + 1, n - (j + 1));
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && a[k].key < a[k - 1].key; k--)
			lsock_swap(&a[k], &a[k - 1]);
}

/* Whether peer @a ranks before @b: more sockets, then by address. */
static bool peer_before(const struct leaks_peer *a, const struct leaks_peer *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	if (a->family != b->family)
		return a->family < b->family;
	return memcmp(a->addr, b->addr, 16) < 0;
}

/* Peers: the sockets sorted by group and peer are runs, one per distinct
 * peer; each group keeps its LEAKS_TOP_PEERS largest. */
static int peers_count(struct leaks *l)
{
	size_t i = 0, off = 0;

	lsock_sort(l->socks, l->nsocks);
	l->ntops = 0;
	while (i < l->nsocks) {
		uint64_t gbits = l->socks[i].key >> GROUP_SHIFT;
		struct leaks_group *g = &l->groups[gbits];
		struct leaks_peer top[LEAKS_TOP_PEERS] = { { 0 } };
		unsigned nt = 0;

		g->npeers = 0;
		while (i < l->nsocks && l->socks[i].key >> GROUP_SHIFT == gbits) {
			uint64_t key = l->socks[i].key;
			struct leaks_peer p = { 0 };
			unsigned at;

			for (; i < l->nsocks && l->socks[i].key == key; i++)
				p.count++;
			g->npeers++;
			peer_decode(l, key & ((UINT64_C(1) << GROUP_SHIFT) - 1), &p);
			for (at = nt; at > 0 && peer_before(&p, &top[at - 1]); at--)
				;
			if (at >= LEAKS_TOP_PEERS)
				continue;
			if (nt < LEAKS_TOP_PEERS)
				nt++;
			memmove(&top[at + 1], &top[at], (nt - 1 - at) * sizeof(top[0]));
			top[at] = p;
		}
		if (l->ntops + nt > l->tcap) {
			size_t cap = l->tcap ? l->tcap * 2 : 64;
			struct leaks_peer *t;

			while (cap < l->ntops + nt)
				cap *= 2;
			t = realloc(l->tops, cap * sizeof(*t));
			if (!t)
				return -ENOMEM;
			l->tops = t;
			l->tcap = cap;
		}
		memcpy(l->tops + l->ntops, top, nt * sizeof(top[0]));
		l->ntops += nt;
		g->ntop = (uint8_t)nt;
	}
	/* Every group has a socket, and the runs came in group order. */
	for (size_t gi = 0; gi < l->ngroups; gi++) {
		l->groups[gi].peers = l->tops + off;
		off += l->groups[gi].ntop;
	}
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

/* The cgroup paths of @pm's processes, copied into l->cgroups: *at[i] is
 * process i's offset there. */
static int cgroups_copy(struct leaks *l, const struct procmap *pm, size_t **at)
{
	size_t n = procmap_nprocs(pm), len = 1;
	char *s;

	*at = calloc(n ? n : 1, sizeof(**at));
	if (!*at)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		len += strlen(procmap_proc(pm, i)->cgroup) + 1;
	s = realloc(l->cgroups, len);
	if (!s)
		return -ENOMEM;
	l->cgroups = s;
	*s = '\0';	/* offset 0: "" */
	len = 1;
	for (size_t i = 0; i < n; i++) {
		const char *cg = procmap_proc(pm, i)->cgroup;
		size_t k = strlen(cg);

		if (!k)
			continue;
		memcpy(s + len, cg, k + 1);
		(*at)[i] = len;
		len += k + 1;
	}
	return 0;
}

/* One (owner, group) pair: the sockets of a group one owner row holds. */
struct opair {
	uint64_t okey;		/* the row: owner code, or cgroup id + OWNER_PROC */
	uint32_t group;
	uint32_t count;
	uint32_t age_s;		/* the oldest, + 1; 0: unknown */
	uint32_t order;		/* ties: by port, direction, state */
};

static int opair_cmp(const void *pa, const void *pb)
{
	const struct opair *a = pa, *b = pb;

	if (a->okey != b->okey)
		return a->okey < b->okey ? -1 : 1;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int owner_cmp(const void *pa, const void *pb)
{
	const struct leaks_owner *a = pa, *b = pb;
	int c;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if ((c = strcmp(a->comm, b->comm)) != 0)
		return c;
	return strcmp(a->cgroup, b->cgroup);
}

/* Processes (indexes) by cgroup path; @arg the paths' offsets in
 * l->cgroups (cgroups_copy()). */
struct cg_ctx {
	const size_t *at;
	const char *str;
};

static int cg_cmp(const void *pa, const void *pb, void *arg)
{
	const struct cg_ctx *x = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return strcmp(x->str + x->at[a], x->str + x->at[b]);
}

/*
 * Owner rows: the sockets, sorted by group and owner code, are runs of
 * (group, owner) pairs; each pair goes to its row (the process, or its
 * cgroup: processes of one cgroup share an id), and each row sums its
 * pairs and keeps the LEAKS_TOP_PEERS largest as its ports.
 */
static int owner_rows(struct leaks *l, const struct procmap *pm, const size_t *cg)
{
	size_t np = 0, nproc = pm ? procmap_nprocs(pm) : 0, i, k, nrows = 0, ntop = 0;
	struct opair *pairs = NULL;
	uint64_t *cgid = NULL;
	size_t *order = NULL;
	int ret = -ENOMEM;

	for (i = 0; i < l->nsocks; i++)
		np += i == 0 || l->socks[i].key != l->socks[i - 1].key;
	if (!np)
		return 0;
	pairs = malloc(np * sizeof(*pairs));
	if (!pairs)
		goto out;
	if (l->o.rows == LEAKS_ROWS_CGROUP && nproc && cg) {
		/* Processes of one cgroup (by path) share the id of the
		 * first of them in path order. */
		cgid = malloc(nproc * sizeof(*cgid));
		order = malloc(nproc * sizeof(*order));
		if (!cgid || !order)
			goto out;
		for (k = 0; k < nproc; k++)
			order[k] = k;
		struct cg_ctx x = { .at = cg, .str = l->cgroups };

		qsort_r(order, nproc, sizeof(*order), cg_cmp, &x);
		for (k = 0; k < nproc; k++)
			cgid[order[k]] = k && cg_cmp(&order[k], &order[k - 1], &x) == 0 ?
					 cgid[order[k - 1]] : (uint64_t)k;
	}
	for (i = 0, k = 0; i < l->nsocks; k++) {
		uint64_t key = l->socks[i].key, code = key & ((UINT64_C(1) << GROUP_SHIFT) - 1);
		struct opair *p = &pairs[k];

		p->okey = code >= OWNER_PROC && cgid ? cgid[code - OWNER_PROC] + OWNER_PROC : code;
		p->group = (uint32_t)(key >> GROUP_SHIFT);
		p->order = (uint32_t)l->groups[p->group].port << 16 |
			   (uint32_t)l->groups[p->group].dir << 8 | l->groups[p->group].state;
		p->count = 0;
		p->age_s = 0;
		for (; i < l->nsocks && l->socks[i].key == key; i++) {
			p->count++;
			if (l->socks[i].age_s > p->age_s)
				p->age_s = l->socks[i].age_s;
		}
	}
	qsort(pairs, np, sizeof(*pairs), opair_cmp);
	free(l->owners);
	free(l->oports);
	l->oports = NULL;
	l->owners = malloc(np * sizeof(*l->owners));
	l->oports = malloc(np * sizeof(*l->oports));
	if (!l->owners || !l->oports)
		goto out;
	for (i = 0; i < np;) {
		struct leaks_owner *o = &l->owners[nrows++];
		uint64_t okey = pairs[i].okey;
		uint32_t age = 0;

		memset(o, 0, sizeof(*o));
		o->cgroup = "";
		o->ports = l->oports + ntop;
		if (okey < OWNER_PROC) {
			snprintf(o->comm, sizeof(o->comm), "%s",
				 okey == OWNER_ORPHAN ? LEAKS_COMM_ORPHAN : LEAKS_COMM_UNKNOWN);
		} else {
			/* For cgroup rows pairs[i]'s process is one of the
			 * cgroup's: its path is the row's. */
			size_t pi = cgid ? order[okey - OWNER_PROC] : okey - OWNER_PROC;
			const struct procmap_proc *pp = procmap_proc(pm, pi);

			o->cgroup = cg ? l->cgroups + cg[pi] : "";
			if (!cgid) {
				o->pid = pp->pid;
				memcpy(o->comm, pp->comm, sizeof(o->comm));
			}
		}
		for (; i < np && pairs[i].okey == okey; i++) {
			const struct leaks_group *g = &l->groups[pairs[i].group];

			o->count += pairs[i].count;
			o->nports++;
			if (pairs[i].age_s > age)
				age = pairs[i].age_s;
			if (o->ntop < LEAKS_TOP_PEERS) {
				l->oports[ntop++] = (struct leaks_port){
					.port = g->port, .dir = g->dir, .state = g->state,
					.count = pairs[i].count,
				};
				o->ntop++;
			}
		}
		o->has_age = age > 0;
		o->oldest_ms = age ? (uint64_t)(age - 1) * 1000 : 0;
	}
	qsort(l->owners, nrows, sizeof(*l->owners), owner_cmp);
	l->nowners = nrows;
	ret = 0;
out:
	free(pairs);
	free(cgid);
	free(order);
	return ret;
}

/* Owners: one procmap scan for every reported socket's inode (or @ext's,
 * shared with other models, which scanned with result @ext_ret), then each
 * group's breakdown, counted like the peers, into l->procs. */
static int owners_count(struct leaks *l, struct procmap *ext, int ext_ret)
{
	struct procmap *pm = NULL;
	size_t *cg = NULL, n = 0, k = 0, i;
	int ret = 0;

	l->err[0] = '\0';
	l->sum.owners = l->o.owners;
	if (l->o.owners && l->nsocks) {
		if (ext) {
			pm = ext;
			ret = ext_ret;
		} else {
			if ((ret = procmap_new(&pm, l->nsocks)) < 0)
				goto out;
			for (i = 0; i < l->nsocks; i++)
				if (l->socks[i].inode)
					procmap_want(pm, l->socks[i].inode, l->socks[i].uid);
			ret = procmap_scan(pm, l->o.proc_root ? l->o.proc_root : "/proc");
		}
		if (procmap_is_limit(ret)) {
			/* Out of fds or memory: the owners would be wrong,
			 * which is a failure, not "unknown" (as --by process). */
			procmap_limit_message(l->err, sizeof(l->err), "owners", ret);
			goto out;
		}
		l->sum.bpf = procmap_stats(pm)->bpf;
		l->sum.bpf_error = procmap_stats(pm)->bpf_error;
		if (ret < 0) {
			/* No /proc is data (owners unknown), not a failure. */
			l->sum.owners_failed = true;
			if (pm != ext)
				procmap_delete(pm);
			pm = NULL;
			ret = 0;
		} else {
			l->sum.denied = procmap_stats(pm)->denied;
		}
	}
	if (pm && (ret = cgroups_copy(l, pm, &cg)) < 0)
		goto out;

	for (i = 0; i < l->nsocks; i++) {
		struct lsock *s = &l->socks[i];
		long idx;

		if (pm && i + 8 < l->nsocks)	/* the table outgrows the cache */
			procmap_touch(pm, l->socks[i + 8].inode);
		idx = pm ? procmap_index(pm, s->inode) : -1;
		uint64_t code = !s->inode ? OWNER_ORPHAN :
				idx < 0 ? OWNER_UNKNOWN : (uint64_t)idx + OWNER_PROC;

		s->key = s->key >> GROUP_SHIFT << GROUP_SHIFT | code;
		if (code == OWNER_UNKNOWN)
			l->sum.unowned++;
	}
	lsock_sort(l->socks, l->nsocks);
	for (i = 0; i < l->nsocks; i++)
		n += i == 0 || l->socks[i].key != l->socks[i - 1].key;
	free(l->procs);
	l->procs = n ? malloc(n * sizeof(*l->procs)) : NULL;
	if (n && !l->procs) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < l->nsocks;) {
		uint64_t key = l->socks[i].key, code = key & ((UINT64_C(1) << GROUP_SHIFT) - 1);
		struct leaks_group *g = &l->groups[key >> GROUP_SHIFT];
		struct leaks_proc *p = &l->procs[k++];

		if (i == 0 || key >> GROUP_SHIFT != l->socks[i - 1].key >> GROUP_SHIFT) {
			g->procs = p;
			g->nprocs = 0;
		}
		g->nprocs++;
		memset(p, 0, sizeof(*p));
		for (; i < l->nsocks && l->socks[i].key == key; i++)
			p->count++;
		p->cgroup = "";
		if (code >= OWNER_PROC && pm && cg) {	/* process codes come from pm */
			const struct procmap_proc *pp = procmap_proc(pm, code - OWNER_PROC);

			p->pid = pp->pid;
			memcpy(p->comm, pp->comm, sizeof(p->comm));
			p->cgroup = l->cgroups + cg[code - OWNER_PROC];
		} else {
			snprintf(p->comm, sizeof(p->comm), "%s",
				 code == OWNER_ORPHAN ? LEAKS_COMM_ORPHAN : LEAKS_COMM_UNKNOWN);
		}
	}
	for (size_t gi = 0; gi < l->ngroups; gi++)
		if (l->groups[gi].nprocs > 1)
			qsort((void *)l->groups[gi].procs, l->groups[gi].nprocs, sizeof(*l->procs),
			      proc_cmp);
	if (l->o.rows != LEAKS_ROWS_GROUPS)
		ret = owner_rows(l, pm, cg);
out:
	free(cg);
	if (pm != ext)
		procmap_delete(pm);
	return ret;
}

static struct run *hist_runs(struct hist *h)
{
	return h->cap ? h->r.many : &h->r.one;
}

/* Record that the group held @count from complete sample @seq on. */
static int hist_push(struct hist *h, uint32_t seq, uint32_t count)
{
	struct run *r = hist_runs(h);

	if (h->n && r[h->n - 1].count == count)
		return 0;
	if (h->n == 0) {
		h->r.one = (struct run){ seq, count };
		h->n = 1;
		return 0;
	}
	if (h->n == (h->cap ? h->cap : 1)) {
		uint16_t cap = h->cap ? (uint16_t)(h->cap * 2) : 4;
		struct run *m = realloc(h->cap ? h->r.many : NULL, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		if (!h->cap)
			m[0] = h->r.one;
		h->r.many = m;
		h->cap = cap;
		r = m;
	}
	r[h->n++] = (struct run){ seq, count };
	return 0;
}

/*
 * Forget what lies more than @span complete samples back, the oldest one
 * kept; a history back to a single run goes back inline.  Sequence
 * numbers are compared as distances back from now (l->seq), which stay
 * small when the 32-bit numbers wrap.
 */
static void hist_trim(const struct leaks *l, struct hist *h, uint32_t span)
{
	uint32_t now = (uint32_t)l->seq;
	struct run *r = hist_runs(h);
	unsigned drop = 0;

	while (drop + 1 < h->n && now - r[drop + 1].seq >= span)
		drop++;
	if (drop) {
		memmove(r, r + drop, (h->n - drop) * sizeof(*r));
		h->n = (uint16_t)(h->n - drop);
	}
	if (now - r[0].seq > span)
		r[0].seq = now - span;
	if (h->n == 1 && h->cap) {
		struct run one = r[0];

		free(h->r.many);
		h->r.one = one;
		h->cap = 0;
	}
}

/*
 * Growth over the window: from the oldest complete sample in it that the
 * group's history covers, to now.  @oldest[d] is the most samples back,
 * at most d, whose time lies in the window (0: none).
 */
static void hist_growth(const struct leaks *l, struct hist *h, const uint32_t *oldest,
			struct leaks_group *g)
{
	uint32_t now = (uint32_t)l->seq, back, d;
	const struct run *r = hist_runs(h);
	unsigned k;
	int64_t t;

	back = now - r[0].seq;
	if (back >= LEAKS_HISTORY)
		back = LEAKS_HISTORY - 1;
	if (!(d = oldest[back]))
		return;
	for (k = h->n; k > 1 && now - r[k - 1].seq < d; k--)
		;
	t = l->times[(l->seq - d) % LEAKS_HISTORY];
	g->has_growth = true;
	g->growth_per_min = ((double)g->count - (double)r[k - 1].count) * 60000.0 /
			    (double)(l->now_ms - t);
}

static int growth_update(struct leaks *l)
{
	uint32_t oldest[LEAKS_HISTORY] = { 0 }, span;
	bool have_prev = l->seq > 0;
	size_t keep = 0;

	/* This sample is complete sample l->seq (the first is 1); the
	 * history reaches span samples back. */
	l->seq++;
	l->times[l->seq % LEAKS_HISTORY] = l->now_ms;
	span = l->seq > LEAKS_HISTORY ? LEAKS_HISTORY - 1 : (uint32_t)l->seq - 1;
	for (uint32_t d = 1; d <= span; d++) {
		int64_t t = l->times[(l->seq - d) % LEAKS_HISTORY];

		/* Times are within [0, LEAKS_MAX_TIME_MS]: no overflow. */
		oldest[d] = (t >= l->now_ms - LEAKS_GROWTH_WINDOW_MS || (l->seeded && l->seq == 2 && d == 1)) &&
			    t < l->now_ms ? d : oldest[d - 1];
	}
	for (size_t gi = 0; gi < l->ngroups; gi++) {
		struct leaks_group *g = &l->groups[gi];
		uint32_t slot = key_slot(g->state, g->dir, g->port);
		struct hist *h;

		if (l->hindex[slot]) {
			h = &l->hist[l->hindex[slot] - 1];
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
			h->slot = slot;
			l->hindex[slot] = (uint32_t)l->nhist;
			/* Not there in the last complete sample: it held 0
			 * (the first push of a history never allocates). */
			if (have_prev)
				hist_push(h, (uint32_t)l->seq - 1, 0);
		}
		if (hist_push(h, (uint32_t)l->seq, (uint32_t)g->count) < 0)
			return -ENOMEM;
		h->slot |= HIST_SEEN;
		hist_trim(l, h, span);
		hist_growth(l, h, oldest, g);
	}
	/* Groups gone this sample hold 0; forget them once the window holds
	 * nothing but zeros. */
	for (size_t i = 0; i < l->nhist; i++) {
		struct hist *h = &l->hist[i];
		const struct run *r;
		bool zero = true;

		if (!(h->slot & HIST_SEEN) && hist_push(h, (uint32_t)l->seq, 0) < 0)
			return -ENOMEM;
		h->slot &= ~HIST_SEEN;
		hist_trim(l, h, span);
		r = hist_runs(h);
		for (unsigned k = 0; k < h->n && zero; k++)
			zero = r[k].count == 0;
		if (zero) {
			l->hindex[h->slot] = 0;
			if (h->cap)
				free(h->r.many);
			continue;
		}
		l->hist[keep] = *h;
		l->hindex[h->slot] = (uint32_t)++keep;
	}
	l->nhist = keep;
	return 0;
}

/*
 * Largest first (then port, direction, state), sorted in place through
 * the socket records, no longer needed and at least as many as the
 * groups: a sort key and the group's index each, then the permutation
 * applied cycle by cycle.
 */
static void groups_sort(struct leaks *l)
{
	struct lsock *o = l->socks;
	size_t n = l->ngroups;

	for (size_t i = 0; i < n; i++) {
		const struct leaks_group *g = &l->groups[i];

		o[i].key = (uint64_t)(UINT32_MAX - (uint32_t)g->count) << 32 |
			   (uint64_t)g->port << 16 | (uint64_t)g->dir << 8 | g->state;
		o[i].inode = (uint32_t)i;
	}
	lsock_sort(o, n);
	for (size_t i = 0; i < n; i++) {
		struct leaks_group t;
		size_t j = i;

		if (o[i].inode == i)
			continue;
		t = l->groups[i];
		for (;;) {
			size_t from = o[j].inode;

			o[j].inode = (uint32_t)j;
			if (from == i) {
				l->groups[j] = t;
				break;
			}
			l->groups[j] = l->groups[from];
			j = from;
		}
	}
	l->nsocks = 0;
}

int leaks_want_owners(const struct leaks *l, struct procmap *pm)
{
	for (size_t i = 0; l->o.owners && i < l->nsocks; i++) {
		int ret;

		if (l->socks[i].inode &&
		    (ret = procmap_want(pm, l->socks[i].inode, l->socks[i].uid)) < 0)
			return ret;
	}
	return 0;
}

size_t leaks_nsocks(const struct leaks *l)
{
	return l->nsocks;
}

int leaks_end(struct leaks *l, bool complete)
{
	return leaks_end_shared(l, complete, NULL, 0);
}

int leaks_end_shared(struct leaks *l, bool complete, struct procmap *pm, int scan_ret)
{
	int ret;

	if ((ret = peers_count(l)) < 0 || (ret = owners_count(l, pm, scan_ret)) < 0)
		return ret;
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
	groups_sort(l);
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

int leaks_sample_dump(struct leaks *l, struct collector *c, struct sampler_info *info)
{
	struct once_arg arg = { .l = l, .c = c };

	/* tcp_info for the ages; only these few states are dumped, so it
	 * costs nothing to the report's dumps. */
	collector_set_ext(c, 1u << (INET_DIAG_INFO - 1));
	return sampler_retry(c, info, leaks_once, &arg);
}

int leaks_sample(struct leaks *l, struct collector *c, struct sampler_info *info)
{
	int ret = leaks_sample_dump(l, c, info);

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

int leaks_state_restore(struct leaks *l, const struct leakstate *st)
{
	if (!l->o.track)
		return -EINVAL;
	for (size_t i = 0; i < st->nsocks; i++) {
		const struct leakstate_sock *s = &st->socks[i];
		uint64_t *slot = u64map_slot(l->prev, s->cookie, NULL);

		if (!slot)
			return -ENOMEM;
		*slot = (uint64_t)s->born_ms << 8 | TRACK_DATED | s->state;
	}
	if (l->seq == 0 && st->ngroups) {
		l->hist = calloc(st->ngroups, sizeof(*l->hist));
		if (!l->hist)
			return -ENOMEM;
		l->hcap = st->ngroups;
	}
	l->seq = 1;
	l->times[1] = st->time_ms;
	l->seeded = true;
	for (size_t i = 0; i < st->ngroups; i++) {
		const struct leakstate_group *g = &st->groups[i];
		uint32_t slot = key_slot(g->state, g->dir, g->port);
		struct hist *h;

		if (slot == NKEYS || l->hindex[slot] || l->nhist == l->hcap)
			continue;	/* a state leaks never reports, or twice */
		h = &l->hist[l->nhist++];
		*h = (struct hist){ .slot = slot, .n = 1, .r.one = { 1, g->count } };
		l->hindex[slot] = (uint32_t)l->nhist;
	}
	return 0;
}

int leaks_state_take(const struct leaks *l, struct leakstate *st)
{
	size_t n = u64map_size(l->prev), pos = 0, k = 0;
	uint64_t key, val;

	memset(st, 0, sizeof(*st));
	if (!l->o.track)
		return -EINVAL;
	st->states = l->o.filter.states;
	st->time_ms = l->now_ms;
	st->socks = n ? malloc(n * sizeof(*st->socks)) : NULL;
	st->groups = l->ngroups ? malloc(l->ngroups * sizeof(*st->groups)) : NULL;
	if ((n && !st->socks) || (l->ngroups && !st->groups)) {
		leakstate_free(st);
		return -ENOMEM;
	}
	while (k < n && u64map_next(l->prev, &pos, &key, &val)) {
		/* Births are never after the sample (sock_age()). */
		st->socks[k++] = (struct leakstate_sock){
			.cookie = key, .born_ms = (int64_t)(val >> 8), .state = (uint8_t)(val & TRACK_STATE),
		};
	}
	st->nsocks = k;
	for (size_t i = 0; i < l->ngroups; i++)
		st->groups[i] = (struct leakstate_group){
			.port = l->groups[i].port, .dir = l->groups[i].dir,
			.state = l->groups[i].state,
			.count = l->groups[i].count > UINT32_MAX ? UINT32_MAX : (uint32_t)l->groups[i].count,
		};
	st->ngroups = l->ngroups;
	return 0;
}

size_t leaks_nowners(const struct leaks *l)
{
	return l->nowners;
}

const struct leaks_owner *leaks_owner(const struct leaks *l, size_t i)
{
	return i < l->nowners ? &l->owners[i] : NULL;
}

const char *leaks_error(const struct leaks *l)
{
	return l->err;
}

uint32_t leaks_states(const struct leaks *l)
{
	return l->o.filter.states;
}

/* One row against @th, as a rank: 0 ok, 1 warning, 2 unknown, 3 critical. */
static int row_rank(const struct leaks_thresholds *th, uint64_t count, bool has_age,
		    uint64_t oldest_ms, bool has_growth, double growth)
{
	uint64_t secs = oldest_ms / 1000;
	int r = 0;

	if (th->has_crit && count > th->crit)
		r = 3;
	else if (th->has_warn && count > th->warn)
		r = 1;
	if (th->has_warn_age || th->has_crit_age) {
		if (!has_age)
			r = r > 2 ? r : 2;
		else if (th->has_crit_age && secs > th->crit_age)
			r = 3;
		else if (th->has_warn_age && secs > th->warn_age)
			r = r > 1 ? r : 1;
	}
	/* No growth known (a first sample) is no alert: every first run
	 * of a check would be UNKNOWN otherwise. */
	if (has_growth && th->has_crit_growth && growth > th->crit_growth)
		r = 3;
	else if (has_growth && th->has_warn_growth && growth > th->warn_growth)
		r = r > 1 ? r : 1;
	return r;
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
		int r = row_rank(th, g->count, g->has_age, g->oldest_ms, g->has_growth,
				 g->growth_per_min);

		/* Groups are largest first: ties go to the larger. */
		if (r > best) {
			best = r;
			*worst = (long)i;
		}
	}
	return best < 0 ? LEAKS_OK : by_rank[best];
}

enum leaks_status leaks_evaluate_owners(const struct leaks *l, const struct leaks_thresholds *th,
					long *worst)
{
	static const enum leaks_status by_rank[] = {
		LEAKS_OK, LEAKS_WARNING, LEAKS_UNKNOWN, LEAKS_CRITICAL,
	};
	int best = -1;

	*worst = -1;
	for (size_t i = 0; i < l->nowners; i++) {
		const struct leaks_owner *o = &l->owners[i];
		int r = row_rank(th, o->count, o->has_age, o->oldest_ms, false, 0);

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
