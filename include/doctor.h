/* SPDX-License-Identifier: MIT */
/*
 * doctor: the diagnosis model of `portstat doctor`.  Fed one sample's
 * sockets (doctor_add, a collector_cb) and the namespace's sysctls and
 * TcpExt counters (struct doctor_ns), it evaluates every check against its
 * thresholds into findings sorted worst first.  Memory grows with the
 * distinct listeners, destinations and ports, never with the sockets: per
 * socket it bumps one counter in a hash table.  The one exception is asked
 * for (doctor_set_owners()): to split CLOSE_WAIT by owning process, each
 * CLOSE_WAIT socket a process holds is kept (12 bytes: its group, inode
 * and uid) until its owner is known, as `leaks` keeps them.  Pure apart
 * from memory: no I/O (owners come through a lookup the caller gives), so
 * every check is a unit-test case.
 */
#ifndef PORTSTAT_DOCTOR_H
#define PORTSTAT_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "table.h"

struct sock_rec;

/* The checks, in the order a report lists them when they pass. */
enum doctor_check {
	DOCTOR_ACCEPT_QUEUE,	/* a listener's accept queue against its backlog */
	DOCTOR_EPHEMERAL,	/* local ports taken per (source, destination, port) */
	DOCTOR_SERVER_CLOSE,	/* TIME_WAIT on inbound sockets: the server closed first */
	DOCTOR_CLOSE_WAIT,	/* CLOSE_WAIT per port: our side never called close() */
	DOCTOR_TW_BUCKETS,	/* all TIME_WAIT against tcp_max_tw_buckets */
	DOCTOR_FIN_WAIT2,	/* FIN_WAIT2 per peer address: the peer does not close */
	DOCTOR_SYN_RECV,	/* half-open connections per listening port vs backlog */
	DOCTOR_ORPHANS,		/* sockets no process holds vs tcp_max_orphans */
	DOCTOR_NCHECKS
};

/* Monitoring-plugin statuses, as leaks' (0-3). */
enum doctor_severity {
	DOCTOR_OK,
	DOCTOR_WARNING,
	DOCTOR_CRITICAL,
	DOCTOR_UNKNOWN,
};

/* Alert levels per check: a finding is a warning at warn, critical at
 * crit.  Percent checks compare 100 * value / limit (value >= level; 0%
 * is never a finding, except orphans: a few of a large limit), count
 * checks the count (value > level, as leaks' --warn and --crit). */
struct doctor_thresholds {
	uint64_t warn[DOCTOR_NCHECKS];
	uint64_t crit[DOCTOR_NCHECKS];
};

/* What the namespace says about itself, read inside it (or recorded with
 * a sample: kctx.h); has_* false when a file could not be read (shown as
 * unknown, never made up).  Values first, flags after: no padding between. */
struct doctor_ns {
	uint64_t somaxconn;			/* net.core.somaxconn */
	uint64_t max_tw;			/* net.ipv4.tcp_max_tw_buckets */
	uint64_t listen_overflows, listen_drops;	/* TcpExt, since the namespace began */
	uint64_t tw_overflow;			/* TcpExt TCPTimeWaitOverflow */
	uint64_t max_orphans;			/* net.ipv4.tcp_max_orphans (host-wide) */
	uint64_t cookies_sent;			/* TcpExt SyncookiesSent */
	uint32_t reserved;			/* ports of ip_local_reserved_ports inside it */
	int tw_reuse;				/* net.ipv4.tcp_tw_reuse: 0, 1, 2 (loopback) */
	int syncookies;				/* net.ipv4.tcp_syncookies: 0, 1, 2 */
	uint16_t eph_lo, eph_hi;		/* net.ipv4.ip_local_port_range */
	bool has_range;
	bool has_tw_reuse;
	bool has_somaxconn;
	bool has_max_tw;
	bool has_netstat;
	bool has_tw_overflow;
	bool has_max_orphans;
	bool has_syncookies;
	bool has_cookies_sent;
};

/* One finding.  Addresses are the kernel's bytes (IPv4 in the first 4). */
struct doctor_finding {
	enum doctor_check check;
	enum doctor_severity severity;
	uint8_t family;
	uint8_t dir;			/* enum table_dir */
	uint16_t port;			/* the port the row counts under */
	uint8_t laddr[16];		/* accept queue: listener; ephemeral: source */
	uint8_t raddr[16];		/* ephemeral: destination; fin-wait2: the peer */
	uint64_t value;			/* the count measured */
	uint64_t limit;			/* what it is measured against (0: none) */
	unsigned pct;			/* percent checks: 100 * value / limit */
	uint64_t extra;			/* ephemeral: of value, how many in TIME_WAIT */
	uint32_t inode;			/* a socket of the finding, for its owner:
					 * the listener, a CLOSE_WAIT socket; 0 none */
	uint32_t uid;			/* that socket's uid */
	double rank;			/* how far past its warning level (the order
					 * among findings of one severity) */
	/* close-wait with owners looked up (doctor_owners_apply()): a
	 * port's finding lists its owners, a process's (pid set: "pid N")
	 * its ports, the largest first (doctor_finding_parts()). */
	int pid;			/* a finding by owner: the process; else 0 */
	bool has_parts;			/* the breakdown was made */
	uint32_t part0, nparts;		/* its parts, see doctor_finding_parts() */
	uint32_t parts_all;		/* ... before the list was cut */
	uint64_t parts_other;		/* sockets of parts beyond those listed */
	uint64_t parts_unknown;		/* a port's sockets whose owner was not found */
};

/* One line of a close-wait finding's breakdown: an owner of a port's
 * CLOSE_WAIT (pid, comm, cgroup) or a port of an owner's (port, dir). */
struct doctor_part {
	int pid;
	char comm[16];
	char cgroup[256];		/* "" when unknown */
	uint16_t port;
	uint8_t dir;			/* enum table_dir */
	uint64_t n;			/* its CLOSE_WAIT sockets */
};

/* What a caller's owner lookup says about one socket inode. */
struct doctor_proc {
	int pid;
	const char *comm;
	const char *cgroup;		/* "" when unknown */
};

/* Parts listed per finding at most; the rest is parts_other. */
#define DOCTOR_PARTS_MAX	5

struct doctor;

/* The checks' names on the command line and in JSON ("accept-queue", ...). */
const char *doctor_check_name(enum doctor_check c);

/* doctor_check_lookup - the check named @name (@len bytes), or -1. */
int doctor_check_lookup(const char *name, size_t len);

/* doctor_check_is_percent - whether the check's thresholds are percents. */
bool doctor_check_is_percent(enum doctor_check c);

/* doctor_severity_name - "ok", "warning", "critical", "unknown". */
const char *doctor_severity_name(enum doctor_severity s);

/* doctor_thresholds_default - the documented defaults (portstat(8)). */
void doctor_thresholds_default(struct doctor_thresholds *th);

/*
 * doctor_threshold_parse - one --warn/--crit value "CHECK=VALUE" (VALUE a
 * percent "90%" for percent checks, a count otherwise) into @th's warn
 * (@crit false) or crit levels.  Returns 0, or -EINVAL with a one-line
 * reason naming the value in @err.
 */
int doctor_threshold_parse(struct doctor_thresholds *th, bool crit, const char *arg,
			   char *err, size_t errlen);

/*
 * doctor_netstat_parse - ListenOverflows and ListenDrops from the text of
 * a /proc/net/netstat file (name lines and value lines in pairs) into @ns
 * (has_netstat set), and TCPTimeWaitOverflow and SyncookiesSent when the
 * kernel has them (has_tw_overflow, has_cookies_sent).  Returns 0, or -EBADMSG when the TcpExt lines are
 * missing or do not pair up.
 */
int doctor_netstat_parse(const char *text, struct doctor_ns *ns);

/*
 * doctor_reserved_count - how many ports of @text (the format of
 * net.ipv4.ip_local_reserved_ports: "8080,9000-9010", may be empty) lie in
 * [@lo, @hi].  Returns the count, or -EINVAL when @text is malformed.
 */
long doctor_reserved_count(const char *text, uint16_t lo, uint16_t hi);

/* doctor_new - an empty model with @th's thresholds (copied).  0 or -ENOMEM. */
int doctor_new(struct doctor **out, const struct doctor_thresholds *th);

/* doctor_set_owners - keep every CLOSE_WAIT socket's inode (@on) so
 * doctor_owners_apply() can split CLOSE_WAIT by owner.  Off by default. */
void doctor_set_owners(struct doctor *d, bool on);

/*
 * doctor_owners_want - every socket whose owner the findings name, each
 * to @want(@arg, inode, uid): each finding's socket, and with owners kept
 * every CLOSE_WAIT socket a process holds when a close-wait finding could
 * name them (more of them than the warning level, or a finding already).  Stops at @want's first error
 * (negative) and returns it; else 0.  doctor_owners_count() says how many
 * calls at most (a procmap's capacity).
 */
int doctor_owners_want(const struct doctor *d, int (*want)(void *arg, uint32_t inode, uint32_t uid),
		       void *arg);
size_t doctor_owners_count(const struct doctor *d);

/*
 * doctor_owners_apply - after doctor_end(), with the owners found
 * (@lookup fills *@out and returns true when @inode's owner is known):
 * each close-wait finding of a port lists its owners (with owners kept),
 * and a process whose CLOSE_WAIT over all its ports is judged worse than
 * every port finding it holds sockets in (one leak spread over ports, each
 * below the levels) becomes a close-wait finding of its own, "pid N",
 * listing its ports.  Findings are sorted again.  0 or -ENOMEM.
 */
int doctor_owners_apply(struct doctor *d,
			bool (*lookup)(void *arg, uint32_t inode, struct doctor_proc *out),
			void *arg);

/* doctor_finding_parts - finding @i's breakdown (f->nparts entries), NULL
 * when it has none. */
const struct doctor_part *doctor_finding_parts(const struct doctor *d, size_t i);

/* doctor_delete - free; accepts NULL. */
void doctor_delete(struct doctor *d);

/*
 * doctor_begin - forget the last sample (keep the memory) and take @ns
 * (copied) as the namespace's facts; sockets of the sample follow.
 * Returns the listener table that classifies them, to be given to
 * sampler_begin() (which sets its ephemeral range).
 */
struct table *doctor_begin(struct doctor *d, const struct doctor_ns *ns);

/* doctor_set_ns - replace the sample's namespace facts (copied), for a
 * context known only once the sample began (the collector's: a replay's
 * comes with its sample header).  Before the sample's first doctor_add(). */
void doctor_set_ns(struct doctor *d, const struct doctor_ns *ns);

/* doctor_add - count one socket (a collector_cb with @data the doctor).
 * Listeners must come first (sampler_dump()'s order).  0 or -ENOMEM. */
int doctor_add(const struct sock_rec *rec, void *data);

/*
 * doctor_share_begin - begin @share as one share of @whole's sample (a
 * split dump, split.h): @whole's facts, thresholds and listeners (fed to
 * @whole already), so @share classifies its sockets as @whole would.
 * Listeners must not be fed to a share.  0 or -ENOMEM.
 */
int doctor_share_begin(struct doctor *share, const struct doctor *whole);

/* doctor_merge - add @share's counts (doctor_share_begin()) into @whole,
 * before doctor_end(@whole).  0 or -ENOMEM. */
int doctor_merge(struct doctor *whole, const struct doctor *share);

/*
 * doctor_end - evaluate every check into findings, sorted by severity,
 * then by how far past its limit each is.  0 or -ENOMEM.
 */
int doctor_end(struct doctor *d);

size_t doctor_nfindings(const struct doctor *d);
const struct doctor_finding *doctor_finding(const struct doctor *d, size_t i);

/* doctor_status - the worst severity of the findings (DOCTOR_OK: none). */
enum doctor_severity doctor_status(const struct doctor *d);

/* The worst value of a check over the sample, finding or not, for the
 * checks that pass and perfdata: a percent for percent checks. */
uint64_t doctor_worst(const struct doctor *d, enum doctor_check c);

/* doctor_orphans_unsent - of the sample's orphans, how many are in
 * FIN_WAIT1 with data not yet acknowledged (a peer that stopped reading). */
uint64_t doctor_orphans_unsent(const struct doctor *d);

/* doctor_full_listeners - how many listeners of the sample had a full
 * accept queue (more queued than their backlog: the kernel drops the next
 * completed handshake and counts it in ListenOverflows, per namespace). */
uint64_t doctor_full_listeners(const struct doctor *d);

/* How many things the check looked at (listeners, destinations, ports). */
uint64_t doctor_examined(const struct doctor *d, enum doctor_check c);

const struct doctor_ns *doctor_ns(const struct doctor *d);
const struct doctor_thresholds *doctor_thresholds(const struct doctor *d);

#endif
