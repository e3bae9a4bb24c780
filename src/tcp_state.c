/* SPDX-License-Identifier: MIT */
/*
 * tcp_state: names of the TCP states and the parser for --state lists.
 * Group meanings follow ss(8) so operators can reuse what they know.  A name
 * is accepted as any of its three spellings (portstat's, the header's, ss's)
 * in any case, with '-' and '_' alike, so what the output prints can be
 * pasted back into -s.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "tcp_state.h"

const enum tcp_state tcp_state_order[TCP_STATE_COUNT] = {
	TCP_STATE_LISTEN,     TCP_STATE_ESTABLISHED, TCP_STATE_SYN_SENT,
	TCP_STATE_SYN_RECV,   TCP_STATE_FIN_WAIT1,   TCP_STATE_FIN_WAIT2,
	TCP_STATE_TIME_WAIT,  TCP_STATE_CLOSE,       TCP_STATE_CLOSE_WAIT,
	TCP_STATE_LAST_ACK,   TCP_STATE_CLOSING,
};

static const struct {
	const char *name;	/* portstat's */
	const char *label;	/* text column header */
	const char *ss;		/* ss(8)'s spelling for --state */
} states[TCP_STATE_MAX + 1] = {
	[TCP_STATE_ESTABLISHED] = { "established", "ESTAB", "established" },
	[TCP_STATE_SYN_SENT]    = { "syn_sent", "SYN-SENT", "syn-sent" },
	[TCP_STATE_SYN_RECV]    = { "syn_recv", "SYN-RECV", "syn-recv" },
	[TCP_STATE_FIN_WAIT1]   = { "fin_wait1", "FIN-WAIT-1", "fin-wait-1" },
	[TCP_STATE_FIN_WAIT2]   = { "fin_wait2", "FIN-WAIT-2", "fin-wait-2" },
	[TCP_STATE_TIME_WAIT]   = { "time_wait", "TIME-WAIT", "time-wait" },
	[TCP_STATE_CLOSE]       = { "close", "CLOSE", "closed" },
	[TCP_STATE_CLOSE_WAIT]  = { "close_wait", "CLOSE-WAIT", "close-wait" },
	[TCP_STATE_LAST_ACK]    = { "last_ack", "LAST-ACK", "last-ack" },
	[TCP_STATE_LISTEN]      = { "listen", "LISTEN", "listening" },
	[TCP_STATE_CLOSING]     = { "closing", "CLOSING", "closing" },
};

#define B(s) TCP_STATE_BIT(TCP_STATE_##s)
static const struct {
	const char *name;
	uint32_t mask;
} groups[] = {
	{ "all", TCP_STATE_ALL_MASK },
	/* ss: every state but listen and closed */
	{ "connected", TCP_STATE_ALL_MASK & ~(B(LISTEN) | B(CLOSE)) },
	/* ss: connected minus syn-sent */
	{ "synchronized",
	  TCP_STATE_ALL_MASK & ~(B(LISTEN) | B(CLOSE) | B(SYN_SENT)) },
	/* ss: minisockets, i.e. request and timewait sockets */
	{ "bucket", B(SYN_RECV) | B(TIME_WAIT) },
	{ "big", TCP_STATE_ALL_MASK & ~(B(SYN_RECV) | B(TIME_WAIT)) },
	/* short forms people type */
	{ "estab", B(ESTABLISHED) },
	{ "listen", B(LISTEN) },
};
#undef B

const char *tcp_state_name(enum tcp_state s)
{
	if (s == TCP_STATE_NEW_SYN_RECV)
		s = TCP_STATE_SYN_RECV;
	if (s < TCP_STATE_ESTABLISHED || s > TCP_STATE_MAX)
		return "unknown";
	return states[s].name;
}

const char *tcp_state_label(enum tcp_state s)
{
	if (s == TCP_STATE_NEW_SYN_RECV)
		s = TCP_STATE_SYN_RECV;
	if (s < TCP_STATE_ESTABLISHED || s > TCP_STATE_MAX)
		return "UNKNOWN";
	return states[s].label;
}

/* One character as names compare: ASCII case folded, '_' as '-'.  Not
 * tolower(): the locale must not change what a state is called. */
static char fold(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c == '_' ? '-' : c;
}

/* The first @len characters of @word spell @name exactly, once folded. */
static bool same(const char *name, const char *word, size_t len)
{
	if (strlen(name) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (fold(name[i]) != fold(word[i]))
			return false;
	return true;
}

static enum tcp_state lookup_n(const char *name, size_t len)
{
	for (int s = TCP_STATE_ESTABLISHED; s <= TCP_STATE_MAX; s++)
		if (same(states[s].name, name, len) || same(states[s].label, name, len) ||
		    same(states[s].ss, name, len))
			return (enum tcp_state)s;
	return 0;
}

enum tcp_state tcp_state_lookup(const char *name)
{
	return lookup_n(name, strlen(name));
}

int tcp_state_parse_list(const char *list, uint32_t *mask,
			 const char **bad, size_t *badlen)
{
	uint32_t m = 0;
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		enum tcp_state s = len ? lookup_n(p, len) : 0;
		uint32_t add = s ? TCP_STATE_BIT(s) : 0;

		for (size_t g = 0; !add && len && g < sizeof(groups) / sizeof(groups[0]); g++)
			if (same(groups[g].name, p, len))
				add = groups[g].mask;
		if (!add) {
			*bad = p;
			*badlen = len;
			return -EINVAL;
		}
		m |= add;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	*mask = m;
	return 0;
}
