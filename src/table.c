/* SPDX-License-Identifier: MIT */
/*
 * table: aggregation of sockets into (port, direction) rows.  A dense index
 * maps the 2 x 65536 keys to rows allocated on first use, so adding a socket
 * is a few array look-ups and never a search.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "table.h"

#define TABLE_KEYS	(2u * 65536u)

struct table {
	struct table_filter f;
	uint32_t *index;	/* key -> row number + 1; 0 = no row */
	struct table_row *rows;
	size_t nrows, cap;
	uint64_t total;
	uint64_t n[TCP_STATE_MAX + 1];
	struct portset listen4;		/* ports with an IPv4 listener */
	struct portset listen6;		/* ports with an IPv6 listener */
	struct portset listen6dual;	/* ... that also accepts IPv4 */
	uint16_t eph_lo, eph_hi;	/* the namespace's ephemeral range */
};

struct table *table_new(const struct table_filter *f)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->f = *f;
	t->eph_lo = TABLE_EPHEMERAL_LO;
	t->eph_hi = TABLE_EPHEMERAL_HI;
	t->index = calloc(TABLE_KEYS, sizeof(*t->index));
	if (!t->index) {
		free(t);
		return NULL;
	}
	return t;
}

void table_delete(struct table *t)
{
	if (!t)
		return;
	free(t->index);
	free(t->rows);
	free(t);
}

static uint32_t key_of(uint16_t port, enum table_dir dir)
{
	return (uint32_t)dir << 16 | port;
}

void table_clear(struct table *t)
{
	/* Clearing only the used index slots keeps a sample's fixed cost
	 * proportional to its rows, not to the 512 KiB index. */
	for (size_t i = 0; i < t->nrows; i++)
		t->index[key_of(t->rows[i].port, t->rows[i].dir)] = 0;
	t->nrows = 0;
	t->total = 0;
	memset(t->n, 0, sizeof(t->n));
	memset(&t->listen4, 0, sizeof(t->listen4));
	memset(&t->listen6, 0, sizeof(t->listen6));
	memset(&t->listen6dual, 0, sizeof(t->listen6dual));
}

void table_set_ephemeral(struct table *t, uint16_t lo, uint16_t hi)
{
	t->eph_lo = lo;
	t->eph_hi = hi;
}

bool table_is_listening(const struct table *t, int family, uint16_t port)
{
	if (family == AF_INET6)
		return portset_has(&t->listen6, port);
	return portset_has(&t->listen4, port) || portset_has(&t->listen6dual, port);
}

static struct table_row *row_get(struct table *t, uint16_t port, enum table_dir dir)
{
	uint32_t key = key_of(port, dir);
	struct table_row *r;

	if (t->index[key])
		return &t->rows[t->index[key] - 1];
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct table_row *nr;

		if (cap > TABLE_KEYS)
			cap = TABLE_KEYS;
		nr = realloc(t->rows, cap * sizeof(*nr));
		if (!nr)
			return NULL;
		t->rows = nr;
		t->cap = cap;
	}
	r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	r->port = port;
	r->dir = (uint8_t)dir;
	t->index[key] = (uint32_t)t->nrows;
	return r;
}

static bool is_ephemeral(const struct table *t, uint16_t port)
{
	return port >= t->eph_lo && port <= t->eph_hi;
}

bool table_port_ephemeral(const struct table *t, uint16_t port)
{
	return is_ephemeral(t, port);
}

/*
 * Inbound: a listener, or a socket on a listening port.  Without a
 * listener (a server draining after closing it, or whose listener died)
 * the ports still tell: the kernel picks a client's local port from the
 * ephemeral range, so a socket on a port outside it talking to a peer
 * port inside it was accepted on that port.  Both conditions are needed:
 * two ephemeral ports, or two fixed ones, say nothing about who connected
 * (and an outgoing socket's local port is ephemeral unless bound).
 */
static bool is_inbound(const struct table *t, const struct sock_rec *rec)
{
	if (rec->state == TCP_STATE_LISTEN || table_is_listening(t, rec->family, rec->sport))
		return true;
	return !is_ephemeral(t, rec->sport) && is_ephemeral(t, rec->dport);
}

void table_classify(const struct table *t, const struct sock_rec *rec,
		    uint16_t *port, enum table_dir *dir)
{
	*dir = is_inbound(t, rec) ? TABLE_DIR_IN : TABLE_DIR_OUT;
	switch (t->f.by) {
	case TABLE_BY_LOCAL:
		*port = rec->sport;
		break;
	case TABLE_BY_REMOTE:
		*port = rec->dport;
		break;
	default:
		*port = *dir == TABLE_DIR_IN ? rec->sport : rec->dport;
		break;
	}
}

int table_add(struct table *t, const struct sock_rec *rec)
{
	const struct table_filter *f = &t->f;
	struct table_row *r;
	enum table_dir dir;
	uint16_t port;

	if (rec->state == TCP_STATE_LISTEN) {
		if (rec->family == AF_INET6) {
			portset_add(&t->listen6, rec->sport);
			if (!rec->v6only)
				portset_add(&t->listen6dual, rec->sport);
		} else {
			portset_add(&t->listen4, rec->sport);
		}
	}
	if (rec->family == AF_INET ? !f->ipv4 : !f->ipv6)
		return 0;
	if (!(f->states & TCP_STATE_BIT(rec->state)))
		return 0;

	table_classify(t, rec, &port, &dir);
	if (f->has_ports && !portset_has(&f->ports, port))
		return 0;

	r = row_get(t, port, dir);
	if (!r)
		return -ENOMEM;
	r->n[rec->state]++;
	r->total++;
	t->n[rec->state]++;
	t->total++;
	return 1;
}

void table_copy_listeners(struct table *dst, const struct table *src)
{
	dst->listen4 = src->listen4;
	dst->listen6 = src->listen6;
	dst->listen6dual = src->listen6dual;
	dst->eph_lo = src->eph_lo;
	dst->eph_hi = src->eph_hi;
}

int table_merge(struct table *dst, const struct table *src)
{
	for (size_t i = 0; i < src->nrows; i++) {
		const struct table_row *sr = &src->rows[i];
		struct table_row *r = row_get(dst, sr->port, (enum table_dir)sr->dir);

		if (!r)
			return -ENOMEM;
		for (int s = 0; s <= TCP_STATE_MAX; s++)
			r->n[s] += sr->n[s];
		r->total += sr->total;
	}
	for (int s = 0; s <= TCP_STATE_MAX; s++)
		dst->n[s] += src->n[s];
	dst->total += src->total;
	return 0;
}

const struct table_filter *table_filter(const struct table *t)
{
	return &t->f;
}

size_t table_nrows(const struct table *t)
{
	return t->nrows;
}

const struct table_row *table_row(const struct table *t, size_t i)
{
	return i < t->nrows ? &t->rows[i] : NULL;
}

uint64_t table_total(const struct table *t)
{
	return t->total;
}

uint64_t table_state_total(const struct table *t, enum tcp_state s)
{
	return s >= TCP_STATE_ESTABLISHED && s <= TCP_STATE_MAX ? t->n[s] : 0;
}

static int cmp_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

int table_row_cmp(const struct table_row *a, const struct table_row *b,
		  const struct table_sort *s)
{
	int c = 0;

	if (s->key == TABLE_SORT_TOTAL)
		c = cmp_desc(a->total, b->total);
	else if (s->key == TABLE_SORT_STATE)
		c = cmp_desc(a->n[s->state], b->n[s->state]);
	if (c == 0)
		c = (a->port > b->port) - (a->port < b->port);
	if (c == 0)
		c = (a->dir > b->dir) - (a->dir < b->dir);
	return c;
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	return table_row_cmp(*(const struct table_row *const *)pa,
			     *(const struct table_row *const *)pb, arg);
}

void table_sorted(const struct table *t, const struct table_sort *sort,
		  const struct table_row **out)
{
	for (size_t i = 0; i < t->nrows; i++)
		out[i] = &t->rows[i];
	qsort_r(out, t->nrows, sizeof(*out), row_cmp, (void *)sort);
}
