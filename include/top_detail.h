/* SPDX-License-Identifier: MIT */
/*
 * top_detail: what the dashboard's detail screen shows about one
 * (port, direction) row beyond its counts: the peers it talks to (by
 * address, per state), its queue sums and the processes holding its
 * sockets.  The table keeps none of this (its memory follows ports, not
 * peers), so it is gathered by one extra dump while the detail screen is
 * open, classified with the table's own listening set so it agrees with
 * the row, plus one procmap scan for exactly the inodes that dump saw.
 */
#ifndef PORTSTAT_TOP_DETAIL_H
#define PORTSTAT_TOP_DETAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp_state.h"

struct collector;
struct table;

/* Distinct peers remembered per detail; sockets of further peers are
 * counted in top_detail_sum.overflow. */
#define TOP_DETAIL_MAX_PEERS	4096

struct top_peer {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];		/* IPv4 in the first 4 bytes */
	uint32_t n[TCP_STATE_MAX + 1];
	uint64_t total;
};

/* Owners listed per detail at most, most sockets first. */
#define TOP_DETAIL_MAX_OWNERS	10

struct top_owner {
	int pid;
	uint32_t sockets;		/* the row's sockets it holds */
	char comm[16];			/* "?" if it exited before it was read */
	/* Its cgroup (procmap.h), "..."-shortened at the front when long:
	 * the end names the unit or container; "" if none. */
	char cgroup[80];
};

/* Who holds the row's sockets (procmap.h: a socket held by several
 * processes counts for the first found). */
struct top_detail_owners {
	int err;			/* 0, or -errno: no scan (/proc unreadable,
					 * out of memory); the rest is empty */
	size_t nprocs;			/* distinct owning processes */
	size_t ntop;			/* used entries of top */
	struct top_owner top[TOP_DETAIL_MAX_OWNERS];	/* ties by pid */
	uint64_t owned;			/* sockets whose owner was found */
	uint64_t unowned;		/* with an inode, owner not found ("?") */
	uint64_t no_inode;		/* TIME-WAIT, SYN-RECV, not yet accepted:
					 * held by no process */
	unsigned long denied;		/* fd directories we may not read */
};

struct top_detail_sum {
	bool valid;			/* collected for port/dir */
	uint16_t port;
	uint8_t dir;			/* enum table_dir */
	bool complete;			/* false: a dump failed, see note */
	char note[160];
	uint64_t sockets;		/* sockets of the row seen by the dump */
	/* Recv-Q (unread bytes, diag_unread()) / Send-Q sums, connected sockets */
	uint64_t rqueue, wqueue;
	uint64_t accept_queue;		/* listeners' accept queues */
	size_t npeers;
	uint64_t overflow;		/* sockets of peers past the limit */
	struct top_detail_owners owners;
};

struct top_detail;

/* top_detail_new - an empty detail; NULL when out of memory. */
struct top_detail *top_detail_new(void);

/* top_detail_delete - accepts NULL. */
void top_detail_delete(struct top_detail *d);

/* top_detail_set_proc_root - where processes are looked up: "/proc"
 * unless set (tests pass a tree of their own).  @root is borrowed for the
 * detail's lifetime. */
void top_detail_set_proc_root(struct top_detail *d, const char *root);

/* top_detail_clear - forget everything (sum.valid becomes false). */
void top_detail_clear(struct top_detail *d);

/*
 * top_detail_collect - dump @c's sockets (the families and states of @t's
 * filter) and keep those @t counts under (@port, @dir).  @t must hold the
 * sample just taken from @c (its listeners decide direction).  Live
 * collectors only: a replay holds exactly one sample's dumps.
 * Returns 0; a failed dump leaves what was gathered, with sum.complete
 * false and the reason in sum.note.
 */
int top_detail_collect(struct top_detail *d, struct collector *c, const struct table *t,
		       uint16_t port, uint8_t dir);

const struct top_detail_sum *top_detail_sum(const struct top_detail *d);

/* top_detail_peers - the busiest peers, most sockets first (ties by
 * address), up to @max into @out.  Borrowed until the next collect. */
size_t top_detail_peers(const struct top_detail *d, const struct top_peer **out,
			size_t max);

#endif
