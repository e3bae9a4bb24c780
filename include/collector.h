/* SPDX-License-Identifier: MIT */
/*
 * collector: owns the netlink sock_diag socket (or the replay file standing
 * in for it) and streams every TCP socket of one dump to a callback as a
 * struct sock_rec.  It never allocates per socket and never stores records.
 *
 * A sample is collector_sample_begin(), one collector_dump() per family,
 * collector_sample_end().  With a recording attached, each sample's bytes are
 * appended to it; a sample begun again before it ended (a retry) replaces
 * the unfinished one.
 */
#ifndef PORTSTAT_COLLECTOR_H
#define PORTSTAT_COLLECTOR_H

#include <stdbool.h>
#include <sys/types.h>
#include <stdint.h>
#include <time.h>

struct sock_rec;
struct collector;
struct doctor_ns;

/* Called for every socket of a dump; @rec is borrowed for the call only.
 * Return 0 or more to go on (table_add() says 1 when it counted the
 * socket), a negative errno to abort the dump with it. */
typedef int (*collector_cb)(const struct sock_rec *rec, void *data);

/*
 * collector_open_live - a collector reading the kernel's tables of network
 * namespace @netns: NULL for the caller's own, a name under /run/netns, or a
 * path (anything containing '/', e.g. /proc/PID/ns/net).  The netlink socket
 * is created inside that namespace; the process itself stays where it is.
 * Returns 0 or -errno; @err receives a one-line message on failure.
 */
int collector_open_live(struct collector **out, const char *netns,
			char *err, size_t errlen);

/* collector_open_replay - a collector serving dumps from recording @path.
 * Its errors (collector_error()) name the file; a sample time outside
 * 1970..9999 (RECFILE_MAX_SEC) is damage, -EBADMSG. */
int collector_open_replay(struct collector **out, const char *path,
			  char *err, size_t errlen);

/* collector_record - also append every sample to a new recording @path
 * (recfile_create(): refused if anything exists there), each with its
 * kernel context (collector_want_context()).  Callers attach it
 * last, once everything that can refuse the run has passed, so a refused
 * run leaves no file behind. */
int collector_record(struct collector *c, const char *path, char *err, size_t errlen);

/*
 * collector_want_context - read the namespace's kernel context (kctx.h:
 * the sysctls and TcpExt counters doctor measures against) at every live
 * sample, for collector_context(); opens its files inside the namespace
 * now.  A recording implies it (collector_record() asks for it), and a
 * replay serves what each sample recorded.  Returns 0, or -errno when the
 * namespace cannot be entered (collector_error() says why).
 */
int collector_want_context(struct collector *c);

/*
 * collector_context - the current sample's kernel context into @ns: read
 * at its start (live, when wanted), or recorded with it.  Returns 0, or
 * -ENOENT when unknown (not asked for, or a recording made before
 * portstat recorded it).
 */
int collector_context(const struct collector *c, struct doctor_ns *ns);

bool collector_is_replay(const struct collector *c);
bool collector_is_recording(const struct collector *c);

/*
 * collector_sample_begin - start a sample; *when receives its wall-clock
 * time (from the recording when replaying).  Returns 0, -ENODATA when a
 * replay has no more samples, or -errno.
 */
int collector_sample_begin(struct collector *c, struct timespec *when);

/*
 * collector_dump - dump every TCP socket of @family (AF_INET, AF_INET6, or
 * AF_UNSPEC for both in one walk of the kernel's tables) in the states of
 * mask @states (TCP_STATE_BIT()s) and call @cb for each.
 * Returns 0 when the dump completed, or:
 *   -EINTR    the kernel flagged the dump inconsistent (NLM_F_DUMP_INTR);
 *             what was delivered is not a consistent table, begin again
 *   -ENOBUFS  messages were lost; begin again
 *   -ENOENT   the kernel has no inet_diag/tcp_diag support
 *   -EBADMSG  a malformed message, or a replay that is truncated/corrupt
 *   -EPROTO   the replay does not hold what was asked for
 *   other     -errno from the socket, the recording or @cb
 * collector_error() says which, in one line.
 */
int collector_dump(struct collector *c, int family, uint32_t states,
		   collector_cb cb, void *data);

/*
 * collector_dump_filtered - collector_dump() with a kernel filter program
 * (INET_DIAG_REQ_BYTECODE, see bytecode.h) of @bclen bytes; a replay runs
 * the program itself.
 */
int collector_dump_filtered(struct collector *c, int family, uint32_t states,
			    const void *bc, size_t bclen, collector_cb cb, void *data);

/*
 * collector_sockets - the namespace's TCP socket count from its
 * /proc/net/sockstat and sockstat6 (in use, both families, + time-wait), a
 * cheap estimate of a dump's size.  Returns 0, or -errno (replays, or no
 * /proc).
 */
int collector_sockets(struct collector *c, unsigned long *n);

/* collector_port_range - the namespace's net.ipv4.ip_local_port_range
 * (where the ephemeral side of its connections lies) as of the current
 * sample: read inside the namespace at each live sample, or the one the
 * replayed sample recorded.  0, or -ENOENT when unknown (no /proc/sys, or
 * a recording made before ranges were recorded). */
int collector_port_range(const struct collector *c, uint16_t *lo, uint16_t *hi);

/*
 * collector_set_ext - ask later live dumps for the inet_diag extensions
 * @ext (bits 1 << (INET_DIAG_INFO - 1) etc., as idiag_ext wants them; 0,
 * the default, asks for none) and parse their attributes into sock_rec.
 * A replay serves whatever was recorded: a recording made without them
 * gives records without them (has_info 0).
 */
void collector_set_ext(struct collector *c, uint8_t ext);

/* collector_netns_is - whether @c reads the network namespace whose nsfs
 * inode is (@dev, @ino): a path like /proc/PID/ns/net names another
 * namespace once PID exits and is reused.  Replays: false. */
bool collector_netns_is(const struct collector *c, dev_t dev, ino_t ino);

/* collector_set_attrs - parse the attributes the kernel sends unasked
 * (INET_DIAG_CGROUP_ID) of every socket, not only of IPv6 listeners. */
void collector_set_attrs(struct collector *c, bool on);

/*
 * collector_run_in - run @fn(@arg) inside the collector's network namespace
 * (on a short-lived thread, or here when already there), for opening the
 * namespace's /proc/thread-self/net and /proc/sys/net files: an open file
 * keeps reading the namespace it was opened in.  Returns what @fn returns,
 * -ENOTSUP for replays, or -errno when the namespace cannot be entered
 * (collector_error() says why).
 */
int collector_run_in(struct collector *c, int (*fn)(void *arg), void *arg);

/* collector_sample_end - the sample is complete; flush the recording. */
int collector_sample_end(struct collector *c);

/* collector_copy_error - make @src's last failure @dst's (a parallel
 * share failed; callers read the main collector's message).  Returns
 * @ret. */
int collector_copy_error(struct collector *dst, const struct collector *src, int ret);

/* collector_error - the last failure as one line (no trailing newline). */
const char *collector_error(const struct collector *c);

/* collector_close - release everything.  Accepts NULL. */
void collector_close(struct collector *c);

#endif
