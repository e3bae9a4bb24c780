/* SPDX-License-Identifier: MIT */
/*
 * leaks: the model behind `portstat leaks`.  Sockets in stuck states
 * (CLOSE_WAIT by default) are grouped by (service port, direction, state);
 * each group carries its count, unread bytes, top peers, owning processes
 * (through procmap) and the age of its oldest socket.  Across samples the
 * sockets are followed by cookie, which gives first-seen ages and each
 * group's growth per minute.  It never prints: views render it, and
 * leaks_evaluate() turns it into a monitoring-plugin status.
 *
 * Ages.  In one sample the age of a socket is tcp_info's tcpi_last_ack_recv:
 * the peer's FIN carries an ACK and in CLOSE_WAIT nothing later normally
 * arrives, so the time since the last ACK is a lower bound of the time
 * since the FIN (any later segment only makes it smaller).  When tracking,
 * a socket's birth is fixed the first time it is seen (sample time minus
 * that lower bound) and never moves later, so its age only grows.  A
 * socket without tcp_info (a report's recording) has a known age only
 * when it first appeared after a complete sample that did not hold it:
 * no age is ever made up.
 *
 * Memory.  A sample costs 24 bytes per reported socket (and, when
 * tracking, its cookie) plus about 160 bytes per group with one peer and
 * one owner; across samples a group keeps 16 bytes of count history while
 * its count stays the same (8 more per change, over at most LEAKS_HISTORY
 * samples).  So the largest possible sample, every port in every state and
 * direction, stays near a hundred MiB whatever the recording.
 */
#ifndef PORTSTAT_LEAKS_H
#define PORTSTAT_LEAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "table.h"
#include "tcp_state.h"

struct sock_rec;
struct collector;
struct sampler_info;
struct procmap_stats;
struct leakstate;
struct procmap;

/* The states `leaks` may report: the ones a socket sits in while some
 * side has stopped closing. */
#define LEAKS_STATES_MASK (TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT) | \
			   TCP_STATE_BIT(TCP_STATE_FIN_WAIT1) |  \
			   TCP_STATE_BIT(TCP_STATE_FIN_WAIT2) |  \
			   TCP_STATE_BIT(TCP_STATE_LAST_ACK) |   \
			   TCP_STATE_BIT(TCP_STATE_CLOSING))

/* Peers kept per group (the rest are counted in npeers only). */
#define LEAKS_TOP_PEERS		5

/* Growth is measured over at most this long a window, and at most
 * LEAKS_HISTORY samples back. */
#define LEAKS_GROWTH_WINDOW_MS	(5 * 60 * 1000)
#define LEAKS_HISTORY		64

/* The latest sample time the model represents, in ms since the epoch
 * (about 142,000 years): room to subtract and shift without overflow. */
#define LEAKS_MAX_TIME_MS	(INT64_C(1) << 52)

/* Monitoring-plugin statuses; the values are the exit statuses. */
enum leaks_status {
	LEAKS_OK = 0,
	LEAKS_WARNING = 1,
	LEAKS_CRITICAL = 2,
	LEAKS_UNKNOWN = 3,
};

/* Alert when the largest group holds more than warn/crit sockets, or
 * when the oldest socket is older than warn_age/crit_age seconds. */
struct leaks_thresholds {
	bool has_warn, has_crit, has_warn_age, has_crit_age;
	uint64_t warn, crit;
	uint64_t warn_age, crit_age;	/* seconds */
	/* and when a group grows by more than warn_growth/crit_growth
	 * sockets a minute (an unknown growth never alerts) */
	bool has_warn_growth, has_crit_growth;
	double warn_growth, crit_growth;
};

/* What a row of `leaks` is (--by). */
enum leaks_rows {
	LEAKS_ROWS_GROUPS,	/* (port, direction, state) */
	LEAKS_ROWS_PROCESS,	/* an owning process, over all its groups */
	LEAKS_ROWS_CGROUP,	/* the owners' cgroup, over all its groups */
};

struct leaks_opts {
	struct table_filter filter;	/* by, ports, families; states: which
					 * of LEAKS_STATES_MASK to report
					 * (others are ignored) */
	bool owners;			/* map sockets to processes */
	enum leaks_rows rows;		/* also build owner rows (leaks_owner()) */
	const char *proc_root;		/* where processes are: "/proc" */
	bool track;			/* follow sockets across samples */
};

/* Owners that are not processes have pid 0 and these comms. */
#define LEAKS_COMM_UNKNOWN	"?"	/* not found, or not ours to read */
#define LEAKS_COMM_ORPHAN	"-"	/* no process: closed, kernel finishing */

/* Counts of peers and processes fit 32 bits: leaks_add() refuses a
 * sample of more than LEAKS_MAX_SOCKETS sockets. */
#define LEAKS_MAX_SOCKETS	(UINT32_MAX - 1)

struct leaks_proc {
	int pid;
	char comm[16];
	uint32_t count;
	const char *cgroup;	/* its cgroup (procmap.h); "": none or unknown.
				 * Borrowed, like the group. */
};

struct leaks_peer {
	uint32_t count;
	uint8_t family;		/* AF_INET (v4-mapped IPv6 included) or AF_INET6 */
	uint8_t addr[16];
};

/*
 * One group of one sample, about 70 bytes: the peers and processes are
 * slices of arrays shared by every group of the sample, sized by what
 * there is (at most LEAKS_TOP_PEERS peers a group), so memory follows the
 * groups and what they hold, never a fixed size per group.
 */
struct leaks_group {
	uint16_t port;
	uint8_t dir;		/* enum table_dir */
	uint8_t state;		/* enum tcp_state */
	bool has_age;
	bool has_growth;
	uint8_t ntop;		/* entries in peers, at most LEAKS_TOP_PEERS */
	uint64_t count;
	uint64_t recv_q;	/* bytes received and not read by the owner */
	uint64_t oldest_ms;	/* a lower bound; see the file comment */
	double growth_per_min;	/* sockets per minute, negative when shrinking */
	size_t npeers;		/* distinct peers */
	const struct leaks_peer *peers;	/* borrowed; by count, descending */
	size_t nprocs;
	const struct leaks_proc *procs;	/* borrowed; by count, descending */
};

/* One group an owner row holds sockets in. */
struct leaks_port {
	uint16_t port;
	uint8_t dir;
	uint8_t state;
	uint32_t count;		/* the owner's sockets in that group */
};

/*
 * An owner row (--by process or cgroup): every socket of the sample held
 * by one process, or by the processes of one cgroup, whatever its group.
 * Unknown owners ("?") and sockets no process holds ("-") are rows of
 * their own, pid 0.  Cgroup rows have pid 0 and comm "".
 */
struct leaks_owner {
	int pid;
	char comm[16];
	const char *cgroup;	/* "" when none or unknown; borrowed */
	bool has_age;
	uint8_t ntop;		/* entries in ports, at most LEAKS_TOP_PEERS */
	uint64_t count;
	uint64_t oldest_ms;	/* seconds precision */
	size_t nports;		/* distinct groups */
	const struct leaks_port *ports;	/* borrowed; by count, descending */
};

/* What one sample saw, beyond its groups. */
struct leaks_summary {
	uint64_t sockets;	/* in the reported states, after the filters */
	uint64_t unowned;	/* of those, with an inode but no owner found */
	unsigned long denied;	/* processes whose fds we may not read */
	bool owners;		/* owners were looked up */
	bool owners_failed;	/* ... but /proc could not be read */
	bool info;		/* some socket came with tcp_info */
	bool bpf;		/* owners came from the BPF iterator */
	int bpf_error;		/* why not (-errno), 0 if not tried */
};

struct leaks;

/* leaks_new - an empty model; @o is copied (proc_root is borrowed).
 * Returns 0 or -ENOMEM. */
int leaks_new(struct leaks **out, const struct leaks_opts *o);

/* leaks_delete - free; accepts NULL. */
void leaks_delete(struct leaks *l);

/* leaks_begin - start a sample taken at @when (wall clock).  A time
 * before 1970 counts as 1970 and one past LEAKS_MAX_TIME_MS as that: the
 * model's arithmetic on times never overflows (replays refuse such times
 * before they get here, see collector.h). */
void leaks_begin(struct leaks *l, const struct timespec *when);

/*
 * leaks_add - one socket of the sample (a collector_cb; @data is the
 * struct leaks).  Listeners must come before the sockets they make
 * inbound, as in a sampler dump.  Returns 0 or -ENOMEM (also for a
 * sample of more than LEAKS_MAX_SOCKETS sockets).
 */
int leaks_add(const struct sock_rec *rec, void *data);

/*
 * leaks_end - finish the sample: find owners, update tracking and growth,
 * order the groups by count.  @complete false (a partial dump) keeps the
 * tracked sockets that were not seen and records no growth history.
 * Returns 0, -ENOMEM, or -EMFILE/-ENFILE/-ENOMEM from an owner scan that
 * ran out of them (leaks_error() then says so: the owners would be wrong).
 */
int leaks_end(struct leaks *l, bool complete);

/*
 * leaks_sample - one sample from @c: the dumps (IPv6 then IPv4, listeners
 * included, tcp_info asked for), retried like sampler_run(), then
 * leaks_end().  Returns what sampler_run() returns.
 */
int leaks_sample(struct leaks *l, struct collector *c, struct sampler_info *info);

/*
 * leaks_sample_dump, leaks_want_owners, leaks_end_shared - leaks_sample()
 * in steps, so several models (one per namespace, --all-netns) share one
 * owner scan: socket inodes are unique over the whole system, so one
 * procmap that wants every model's inodes, scanned once, finds them all.
 * leaks_sample_dump() takes the dumps (as leaks_sample(), without
 * leaks_end()); leaks_want_owners() asks @pm for the sample's inodes
 * (-ENOSPC past its capacity: leaks_nsocks() of every model is enough);
 * leaks_end_shared() is leaks_end() with @pm scanned already, @scan_ret
 * what procmap_scan() returned.  @pm NULL: a scan of its own.
 */
int leaks_sample_dump(struct leaks *l, struct collector *c, struct sampler_info *info);
int leaks_want_owners(const struct leaks *l, struct procmap *pm);
int leaks_end_shared(struct leaks *l, bool complete, struct procmap *pm, int scan_ret);

/* leaks_nsocks - the sockets of the sample taken (before leaks_end). */
size_t leaks_nsocks(const struct leaks *l);

size_t leaks_ngroups(const struct leaks *l);

/* leaks_group - the i-th group, largest first; borrowed until the next
 * leaks_begin(). */
const struct leaks_group *leaks_group(const struct leaks *l, size_t i);

const struct leaks_summary *leaks_summary(const struct leaks *l);

/*
 * leaks_state_restore - seed a tracking model (o.track) with what the last
 * run left (leakstate.h): its sockets' first-seen times and its groups'
 * counts, as if that run had been this model's previous complete sample;
 * the next sample's growth is measured against it however long ago it was.
 * Call before the first sample.  Returns 0, -EINVAL (not tracking) or
 * -ENOMEM.
 */
int leaks_state_restore(struct leaks *l, const struct leakstate *st);

/*
 * leaks_state_take - the last sample as a state for the next run: every
 * followed socket's first-seen time and every group's count, at the
 * sample's time.  *st is the caller's (leakstate_free()).  Returns 0,
 * -EINVAL (not tracking) or -ENOMEM.
 */
int leaks_state_take(const struct leaks *l, struct leakstate *st);

/* leaks_nowners / leaks_owner - the owner rows of the last sample (with
 * rows LEAKS_ROWS_PROCESS or LEAKS_ROWS_CGROUP; none otherwise), largest
 * first; borrowed until the next leaks_begin(). */
size_t leaks_nowners(const struct leaks *l);
const struct leaks_owner *leaks_owner(const struct leaks *l, size_t i);

/*
 * leaks_evaluate_owners - leaks_evaluate() over the owner rows: each row's
 * count and oldest age against @th, so a process leaking a few sockets on
 * each of many ports is one offender.  *worst is an owner index.
 */
enum leaks_status leaks_evaluate_owners(const struct leaks *l, const struct leaks_thresholds *th,
					long *worst);

/* leaks_error - why the last sample's owner scan failed, as one line, or
 * "" when it did not (the failure was the collector's, or memory). */
const char *leaks_error(const struct leaks *l);

/* leaks_states - the states reported (TCP_STATE_BIT()s). */
uint32_t leaks_states(const struct leaks *l);

/*
 * leaks_evaluate - the status of the last sample against @th, and in
 * *worst the index of the group that decides it (the largest group when
 * nothing alerts; -1 with no groups).  A group without a known age counts
 * as UNKNOWN when age thresholds are set.  Severity: OK < WARNING <
 * UNKNOWN < CRITICAL.
 */
enum leaks_status leaks_evaluate(const struct leaks *l, const struct leaks_thresholds *th,
				 long *worst);

/* leaks_status_name - "ok", "warning", "critical", "unknown". */
const char *leaks_status_name(enum leaks_status s);

/*
 * leaks_parse_duration - "90", "90s", "5m", "2h", "1d" into seconds (at most
 * ten years).  Returns 0 or -EINVAL.
 */
int leaks_parse_duration(const char *s, uint64_t *secs);

#endif
