/* SPDX-License-Identifier: MIT */
/*
 * tcp_state: the eleven TCP states as portstat names them, in the order every
 * view prints them, and the parsing of --state lists (portstat's names plus
 * ss(8)'s names and groups).  Pure tables, no state.
 */
#ifndef PORTSTAT_TCP_STATE_H
#define PORTSTAT_TCP_STATE_H

#include <stddef.h>
#include <stdint.h>

/* Kernel numbering (include/net/tcp_states.h), so a state is a bit in the
 * inet_diag state mask as-is.  TCP_STATE_NEW_SYN_RECV is a request socket;
 * portstat counts it as SYN_RECV and never stores it. */
enum tcp_state {
	TCP_STATE_ESTABLISHED = 1,
	TCP_STATE_SYN_SENT,
	TCP_STATE_SYN_RECV,
	TCP_STATE_FIN_WAIT1,
	TCP_STATE_FIN_WAIT2,
	TCP_STATE_TIME_WAIT,
	TCP_STATE_CLOSE,
	TCP_STATE_CLOSE_WAIT,
	TCP_STATE_LAST_ACK,
	TCP_STATE_LISTEN,
	TCP_STATE_CLOSING,
	TCP_STATE_NEW_SYN_RECV,
	TCP_STATE_MAX = TCP_STATE_CLOSING,
};

#define TCP_STATE_BIT(s)	(1u << (s))
/* Every state a socket can be counted in (bits 1..11). */
#define TCP_STATE_ALL_MASK	(((1u << (TCP_STATE_MAX + 1)) - 1) & ~1u)

/* Number of display positions; see tcp_state_order. */
#define TCP_STATE_COUNT		11

/* States in display order (listen first, then the kernel's order). */
extern const enum tcp_state tcp_state_order[TCP_STATE_COUNT];

/* "close_wait": the name used in JSON, CSV and Prometheus. */
const char *tcp_state_name(enum tcp_state s);

/* "CLOSE-WAIT": the column header of the text report (ss's spelling,
 * ESTAB for established). */
const char *tcp_state_label(enum tcp_state s);

/*
 * tcp_state_lookup - one state by portstat's name, the header's label or
 * ss's name ("close_wait", "CLOSE-WAIT", "ESTAB", "listening", ...), in any
 * case and with '-' and '_' alike.  Returns the state or 0 if unknown.
 */
enum tcp_state tcp_state_lookup(const char *name);

/*
 * tcp_state_parse_list - parse a comma-separated --state list of names (as
 * tcp_state_lookup takes them) and ss groups (all, connected, synchronized, bucket, big) into a mask of
 * TCP_STATE_BIT()s.  Returns 0, or -EINVAL with *bad pointing at the first
 * unknown word within @list (its length in *badlen).
 */
int tcp_state_parse_list(const char *list, uint32_t *mask,
			 const char **bad, size_t *badlen);

#endif
