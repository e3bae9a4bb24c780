/* SPDX-License-Identifier: MIT */
/*
 * table: per-(port, direction) counters of TCP sockets by state, aggregated
 * one sock_rec at a time, plus per-state totals.  Memory grows with the
 * number of distinct (port, direction) pairs (at most 2 x 65536 rows), never
 * with the number of sockets.
 *
 * Direction: a socket whose local port is a listening port of the namespace
 * (a LISTEN socket of its family, or a dual-stack IPv6 one, exists on it) is
 * inbound; so is a socket on a port without listener whose local port lies
 * outside the namespace's ephemeral port range and whose peer's port lies
 * inside it (a server that closed its listener: its leftover sockets stay
 * under its port); every other socket is outbound; listeners are inbound.
 * Which port a socket counts under is chosen by table_by.  This relies on
 * every listener reaching the table before the sockets it classifies; see
 * sampler.c.
 */
#ifndef PORTSTAT_TABLE_H
#define PORTSTAT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portset.h"
#include "tcp_state.h"

struct sock_rec;

/* Linux's default net.ipv4.ip_local_port_range, which a table assumes until
 * table_set_ephemeral() says otherwise: what replays of recordings that do
 * not hold the range, and hosts without /proc/sys, are classified with. */
#define TABLE_EPHEMERAL_LO	32768
#define TABLE_EPHEMERAL_HI	60999

enum table_by {
	TABLE_BY_SERVICE,	/* inbound: local port, outbound: remote port */
	TABLE_BY_LOCAL,
	TABLE_BY_REMOTE,
};

enum table_dir {
	TABLE_DIR_IN,
	TABLE_DIR_OUT,
};

enum table_sort_key {
	TABLE_SORT_TOTAL,	/* descending */
	TABLE_SORT_PORT,	/* ascending */
	TABLE_SORT_STATE,	/* descending count of one state */
};

struct table_sort {
	enum table_sort_key key;
	enum tcp_state state;	/* TABLE_SORT_STATE only */
};

/* What a table counts.  Listeners always feed the listening set, whatever
 * the filter, because they decide the direction of everything else. */
struct table_filter {
	enum table_by by;
	uint32_t states;	/* TCP_STATE_BIT()s */
	bool ipv4, ipv6;
	bool has_ports;
	struct portset ports;	/* the port a socket counts under */
};

struct table_row {
	uint16_t port;
	uint8_t dir;		/* enum table_dir */
	/* 32 bits per state: a port cannot hold 2^32 sockets, and 64-byte rows
	 * keep the worst case (every key used) at 8 MiB. */
	uint32_t n[TCP_STATE_MAX + 1];	/* indexed by enum tcp_state */
	uint64_t total;
};

struct table;

/* table_new - an empty table counting what @f selects (copied).
 * Returns NULL when out of memory. */
struct table *table_new(const struct table_filter *f);

/* table_delete - free; accepts NULL. */
void table_delete(struct table *t);

/* table_clear - forget all counts and listeners, keep the memory and the
 * ephemeral range (a property of the namespace, not of one sample). */
void table_clear(struct table *t);

/*
 * table_set_ephemeral - the namespace's ephemeral port range, @lo to @hi
 * inclusive (its net.ipv4.ip_local_port_range, which IPv6 uses too), for
 * the direction of sockets on ports without listener.  Set it before
 * adding a sample's sockets (sampler_begin() does).
 */
void table_set_ephemeral(struct table *t, uint16_t lo, uint16_t hi);

/* table_add - count one socket.  Returns 1 when it was counted, 0 when the
 * filter leaves it out, or -ENOMEM. */
int table_add(struct table *t, const struct sock_rec *rec);

const struct table_filter *table_filter(const struct table *t);
size_t table_nrows(const struct table *t);
const struct table_row *table_row(const struct table *t, size_t i);
uint64_t table_total(const struct table *t);
uint64_t table_state_total(const struct table *t, enum tcp_state s);

/*
 * table_classify - the (port, direction) @rec counts under, by the table's
 * --by, the listeners it has seen so far and its ephemeral range: the one
 * classification that table_add(), leaks and the dashboard's detail use.
 */
void table_classify(const struct table *t, const struct sock_rec *rec,
		    uint16_t *port, enum table_dir *dir);

/* table_copy_listeners - give @dst the listening ports @src has seen and
 * its ephemeral range, so it classifies sockets as @src would (for tables
 * filled in parallel). */
void table_copy_listeners(struct table *dst, const struct table *src);

/* table_merge - add @src's counts into @dst.  Returns 0 or -ENOMEM. */
int table_merge(struct table *dst, const struct table *src);

/* table_port_ephemeral - whether @port is in the table's ephemeral range:
 * a client's port, whatever name the services database gives it. */
bool table_port_ephemeral(const struct table *t, uint16_t port);

/* table_is_listening - whether @port is a listening port for @family. */
bool table_is_listening(const struct table *t, int family, uint16_t port);

/* table_row_cmp - <0, 0 or >0 as @a comes before, with or after @b in the
 * order of @sort (the order of table_sorted()). */
int table_row_cmp(const struct table_row *a, const struct table_row *b,
		  const struct table_sort *s);

/*
 * table_sorted - fill @out (table_nrows() entries) with the rows in the
 * order of @sort; ties go by port, then in before out.  The pointers are
 * borrowed and valid until the table changes.
 */
void table_sorted(const struct table *t, const struct table_sort *sort,
		  const struct table_row **out);

#endif
