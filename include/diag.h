/* SPDX-License-Identifier: MIT */
/*
 * diag: one inet_diag netlink message -> one struct sock_rec.  A pure
 * function over bytes (no socket, no globals) so tests and fuzzers can feed
 * it synthesized or recorded messages.
 */
#ifndef PORTSTAT_DIAG_H
#define PORTSTAT_DIAG_H

#include <stdbool.h>
#include <stdint.h>

struct nlmsghdr;

/* One socket as the kernel reported it.  A plain value: collectors hand a
 * borrowed pointer to a callback and reuse the storage for the next one. */
struct sock_rec {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t state;		/* enum tcp_state; request sockets as SYN_RECV */
	uint8_t v6only;		/* AF_INET6 listeners: 1 = IPV6_V6ONLY, 0 = dual-stack */
	uint8_t has_info;	/* info_* fields are valid (INET_DIAG_INFO parsed) */
	uint16_t sport;		/* local port, host order */
	uint16_t dport;		/* remote port, host order */
	uint8_t saddr[16];	/* local address; IPv4 in the first 4 bytes */
	uint8_t daddr[16];	/* remote address */
	uint32_t rqueue;	/* bytes not read (listen: accept queue length) */
	uint32_t wqueue;	/* bytes not acked (listen: backlog) */
	uint32_t uid;
	uint32_t inode;		/* 0 for timewait and request sockets */
	uint64_t cookie;	/* the kernel's socket cookie */
	/* The cgroup (v2) id of the socket's creator, from INET_DIAG_CGROUP_ID
	 * (Linux 5.7+, full sockets only); 0 when absent or not parsed. */
	uint64_t cgroup_id;
	/* From struct tcp_info (INET_DIAG_INFO), valid when has_info: */
	uint32_t info_last_data_recv;	/* ms since data was last received */
	uint32_t info_last_ack_recv;	/* ms since an ACK was last received */
};

/* Parse flags. */
enum {
	/* Walk the attributes of every message, not just of IPv6 listeners. */
	DIAG_PARSE_ATTRS = 1u << 0,
};

/*
 * diag_parse - decode one SOCK_DIAG_BY_FAMILY reply into @rec.
 * @nlh must be a complete message (nlmsg_len covers its bytes).  Attributes
 * are walked only where needed: for IPv6 listeners (dual-stack flag) or when
 * @flags has DIAG_PARSE_ATTRS.  INET_DIAG_CGROUP_ID (sent unasked by
 * Linux 5.7+ for full sockets) fills cgroup_id.  An INET_DIAG_INFO attribute (only sent
 * when the request's idiag_ext asked for it) fills the info_* fields and
 * sets has_info; the kernel's struct tcp_info may be shorter or longer than
 * ours, so only the bytes both know are read.
 * Returns 0, or -EBADMSG for a message too short, of an unknown family or
 * state, or with malformed attributes.
 */
int diag_parse(const struct nlmsghdr *nlh, unsigned flags, struct sock_rec *rec);

/*
 * diag_unread - the bytes @rec received that its owner has not read: its
 * Recv-Q less the sequence number the peer's FIN takes until the EOF is
 * read (CLOSE-WAIT, LAST-ACK, CLOSING; ss counts it, so a CLOSE-WAIT
 * socket with nothing to read shows 1 there).  The one meaning of Recv-Q
 * in the detail screen and leaks.  Listeners: the accept queue, as is.
 */
uint32_t diag_unread(const struct sock_rec *rec);

#endif
