/* SPDX-License-Identifier: MIT */
/*
 * top_detail: peers and queues of one dashboard row.  Peers live in a fixed
 * open-addressing hash (allocated once, TOP_DETAIL_MAX_PEERS entries at half
 * load), so a port with a million clients costs bounded memory and no
 * allocation per socket; peers past the limit are counted, not dropped
 * silently.  The row's socket inodes are kept in a growing array (reused
 * from sample to sample) for the one procmap scan that names their owners.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "collector.h"
#include "diag.h"
#include "procmap.h"
#include "table.h"
#include "sampler.h"
#include "top_detail.h"

#define SLOTS	(2 * TOP_DETAIL_MAX_PEERS)

struct top_detail {
	struct top_detail_sum sum;
	struct top_peer *slots;		/* SLOTS; total == 0 marks a free slot */
	const struct top_peer **order;	/* the used slots, busiest first */
	const char *proc_root;		/* borrowed */
	/* the row's sockets with an inode, and their uids (procmap orders
	 * its scan by them); kept across collects */
	uint32_t *ino, *uid;
	size_t nino, ino_cap;
	bool ino_failed;		/* out of memory growing them */
	/* during a collect */
	const struct table *t;
};

struct top_detail *top_detail_new(void)
{
	struct top_detail *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->slots = calloc(SLOTS, sizeof(*d->slots));
	d->order = calloc(TOP_DETAIL_MAX_PEERS, sizeof(*d->order));
	if (!d->slots || !d->order) {
		top_detail_delete(d);
		return NULL;
	}
	d->proc_root = "/proc";
	return d;
}

void top_detail_set_proc_root(struct top_detail *d, const char *root)
{
	d->proc_root = root ? root : "/proc";
}

void top_detail_delete(struct top_detail *d)
{
	if (!d)
		return;
	free(d->slots);
	free(d->order);
	free(d->ino);
	free(d->uid);
	free(d);
}

void top_detail_clear(struct top_detail *d)
{
	memset(d->slots, 0, SLOTS * sizeof(*d->slots));
	memset(&d->sum, 0, sizeof(d->sum));
	d->nino = 0;
	d->ino_failed = false;
}

const struct top_detail_sum *top_detail_sum(const struct top_detail *d)
{
	return &d->sum;
}

static size_t addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static uint32_t peer_hash(uint8_t family, const uint8_t *addr)
{
	uint32_t h = 2166136261u ^ family;

	for (size_t i = 0; i < addr_len(family); i++)
		h = (h ^ addr[i]) * 16777619u;
	return h;
}

static struct top_peer *peer_get(struct top_detail *d, uint8_t family, const uint8_t *addr)
{
	size_t len = addr_len(family);

	for (uint32_t i = peer_hash(family, addr) % SLOTS;; i = (i + 1) % SLOTS) {
		struct top_peer *p = &d->slots[i];

		if (p->total == 0) {
			if (d->sum.npeers >= TOP_DETAIL_MAX_PEERS)
				return NULL;
			p->family = family;
			memcpy(p->addr, addr, len);
			d->sum.npeers++;
			return p;
		}
		if (p->family == family && memcmp(p->addr, addr, len) == 0)
			return p;
	}
}

/* The table's classification (table.c, table_add), asked of one socket:
 * which (port, direction) it counts under.  The table does not export it;
 * with its listening set and filter the answer is the same. */
static bool counts_under(const struct table *t, const struct sock_rec *rec,
			 uint16_t port, uint8_t dir)
{
	enum table_dir d;
	uint16_t p;

	table_classify(t, rec, &p, &d);
	return d == dir && p == port;
}

/* Remember @rec's inode for the owner scan.  Out of memory loses the
 * owners (sum.owners.err), not the rest of the detail. */
static void inode_add(struct top_detail *d, const struct sock_rec *rec)
{
	if (!rec->inode) {
		d->sum.owners.no_inode++;
		return;
	}
	if (d->ino_failed)
		return;
	if (d->nino == d->ino_cap) {
		size_t cap = d->ino_cap ? d->ino_cap * 2 : 256;
		uint32_t *ino = realloc(d->ino, cap * sizeof(*ino)), *uid;

		if (!ino) {
			d->ino_failed = true;
			return;
		}
		d->ino = ino;
		if (!(uid = realloc(d->uid, cap * sizeof(*uid)))) {
			d->ino_failed = true;
			return;
		}
		d->uid = uid;
		d->ino_cap = cap;
	}
	d->ino[d->nino] = rec->inode;
	d->uid[d->nino] = rec->uid;
	d->nino++;
}

static int detail_cb(const struct sock_rec *rec, void *data)
{
	struct top_detail *d = data;
	const struct table_filter *f = table_filter(d->t);
	struct top_peer *p;

	/* Listeners of every family always come with a dump (they classify
	 * the rest); only what the table counts belongs in its detail. */
	if (!(f->states & TCP_STATE_BIT(rec->state)) ||
	    (rec->family == AF_INET ? !f->ipv4 : !f->ipv6))
		return 0;
	if (!counts_under(d->t, rec, d->sum.port, d->sum.dir))
		return 0;
	d->sum.sockets++;
	inode_add(d, rec);
	if (rec->state == TCP_STATE_LISTEN) {
		/* A listener has no peer; its Recv-Q is the accept queue. */
		d->sum.accept_queue += rec->rqueue;
		return 0;
	}
	/* Unread bytes, as leaks counts them: not the FIN's one. */
	d->sum.rqueue += diag_unread(rec);
	d->sum.wqueue += rec->wqueue;
	p = peer_get(d, rec->family, rec->daddr);
	if (!p) {
		d->sum.overflow++;
		return 0;
	}
	p->n[rec->state]++;
	p->total++;
	return 0;
}

static int peer_cmp(const void *pa, const void *pb)
{
	const struct top_peer *a = *(const struct top_peer *const *)pa;
	const struct top_peer *b = *(const struct top_peer *const *)pb;

	if (a->total != b->total)
		return a->total < b->total ? 1 : -1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Whether owner @a ranks before @b: more sockets, then the lower pid. */
static bool owner_before(const struct procmap_proc *a, const struct top_owner *b)
{
	if (a->count != b->sockets)
		return a->count > b->sockets;
	return a->pid < b->pid;
}

/* @src into @dst (@cap bytes), shortened at the front: "...tail", the
 * tail starting on a character, not inside one (a UTF-8 continuation
 * byte would show as an escape). */
static void cgroup_copy(char *dst, size_t cap, const char *src)
{
	size_t len = strlen(src);
	const char *tail;

	if (len < cap) {
		memcpy(dst, src, len + 1);
		return;
	}
	tail = src + len - (cap - 4);
	for (int i = 0; i < 3 && ((unsigned char)*tail & 0xc0) == 0x80; i++)
		tail++;
	snprintf(dst, cap, "...%s", tail);
}

/* One procmap scan for the inodes the dump saw; the busiest owners into
 * sum.owners.top by insertion (there are few slots, maybe many owners). */
static void owners_resolve(struct top_detail *d)
{
	struct top_detail_owners *o = &d->sum.owners;
	const struct procmap_stats *st;
	struct procmap *pm = NULL;
	int ret;

	if (d->ino_failed) {
		o->err = -ENOMEM;
		return;
	}
	if (!d->nino)
		return;
	if ((ret = procmap_new(&pm, d->nino)) < 0) {
		o->err = ret;
		return;
	}
	/* Within capacity, and no inode is 0: cannot fail.  A socket the
	 * kernel repeated across datagrams is asked for once. */
	for (size_t i = 0; i < d->nino; i++)
		procmap_want(pm, d->ino[i], d->uid[i]);
	if ((ret = procmap_scan(pm, d->proc_root)) < 0) {
		o->err = ret;
		goto out;
	}
	st = procmap_stats(pm);
	o->owned = st->found;
	o->unowned = st->wanted - st->found;
	o->denied = st->denied;
	o->nprocs = procmap_nprocs(pm);
	for (size_t i = 0; i < o->nprocs; i++) {
		const struct procmap_proc *p = procmap_proc(pm, i);
		size_t k = o->ntop;

		while (k > 0 && owner_before(p, &o->top[k - 1]))
			k--;
		if (k >= TOP_DETAIL_MAX_OWNERS)
			continue;
		if (o->ntop < TOP_DETAIL_MAX_OWNERS)
			o->ntop++;
		memmove(&o->top[k + 1], &o->top[k], (o->ntop - 1 - k) * sizeof(o->top[0]));
		o->top[k].pid = p->pid;
		o->top[k].sockets = p->count;
		memcpy(o->top[k].comm, p->comm, sizeof(o->top[k].comm));
		cgroup_copy(o->top[k].cgroup, sizeof(o->top[k].cgroup), p->cgroup);
	}
out:
	procmap_delete(pm);
}

int top_detail_collect(struct top_detail *d, struct collector *c, const struct table *t,
		       uint16_t port, uint8_t dir)
{
	struct timespec when;
	size_t n = 0;
	int ret;

	top_detail_clear(d);
	d->sum.valid = true;
	d->sum.port = port;
	d->sum.dir = dir;
	d->sum.complete = true;
	d->t = t;
	ret = collector_sample_begin(c, &when);
	if (ret == 0)
		ret = sampler_dump(c, table_filter(t), detail_cb, d);
	if (ret == 0)
		ret = collector_sample_end(c);
	d->t = NULL;
	if (ret < 0) {
		/* What was gathered is still shown, marked: the detail is a
		 * view, not a reason to stop the dashboard. */
		d->sum.complete = false;
		snprintf(d->sum.note, sizeof(d->sum.note), "%s", collector_error(c));
	}
	owners_resolve(d);
	for (size_t i = 0; i < SLOTS; i++)
		if (d->slots[i].total)
			d->order[n++] = &d->slots[i];
	qsort(d->order, n, sizeof(*d->order), peer_cmp);
	return 0;
}

size_t top_detail_peers(const struct top_detail *d, const struct top_peer **out,
			size_t max)
{
	size_t n = d->sum.npeers < max ? d->sum.npeers : max;

	memcpy(out, d->order, n * sizeof(*out));
	return n;
}
