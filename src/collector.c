/* SPDX-License-Identifier: MIT */
/*
 * collector: sock_diag dumps over libmnl, and the same dumps served from a
 * recording.  Live and replayed datagrams go through one function
 * (run_datagram), so replay tests exercise exactly the code the kernel's
 * bytes go through.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <libmnl/libmnl.h>

#include "bytecode.h"
#include "collector.h"
#include "diag.h"
#include "kctx.h"
#include "netns.h"
#include "recfile.h"
#include "tcp_state.h"

/* One netlink dump datagram is at most ~32 KiB (the kernel caps dump skbs
 * near 32 KiB); twice that leaves room for kernels that allow more, and
 * MSG_TRUNC (ENOSPC from libmnl) catches anything larger. */
#define COLLECTOR_BUFSIZE	(64u * 1024)

struct collector {
	struct mnl_socket *nl;	/* live: NULL until needed or after a failure */
	int netns_fd;		/* live: namespace to open sockets in, or -1 */
	int sockstat_fd;	/* live: the namespace's /proc/net/sockstat, or -1 */
	int sockstat6_fd;	/* ... and sockstat6 (IPv6 counts), or -1 */
	bool sockstat_tried;	/* opened on first use (only a split reads them) */
	int eph_fd;		/* live: its ip_local_port_range, or -1 */
	uint16_t eph_lo, eph_hi;	/* that range (live or recorded), hi 0 if unknown */
	bool want_ctx;		/* live: read the kernel context at each sample */
	struct kctx_files kf;	/* live: its files, when wanted or recording */
	struct doctor_ns ctx;	/* this sample's context (live or recorded), */
	bool has_ctx;		/* ... unless false: unknown */
	unsigned int seq;
	struct recfile *replay;
	struct recfile *record;
	int64_t sample_mark;	/* recording offset where this sample began */
	bool in_sample;		/* begun and not yet ended */
	unsigned long samples;	/* samples begun, for messages */
	uint8_t ext;		/* idiag_ext of live requests (INET_DIAG_* bits) */
	bool attrs;		/* parse every socket's attributes */
	int (*job_fn)(void *arg);	/* collector_run_in()'s job, */
	void *job_arg;			/* for the length of the call */
	int64_t unspec_mark;	/* replay: this sample's both-family dump, or -1 */
	char *buf;
	char err[512];
};

/*
 * The kernel resumes a dump between datagrams by skipping, in the hash
 * bucket where it stopped, as many entries as it had sent from it; a socket
 * inserted at the head of that bucket in between makes it send the last
 * one(s) again.  Repeats can only sit at the start of a datagram and repeat
 * the end of the one before, so the cookies of each datagram's last
 * DEDUP_WINDOW sockets are enough to count every socket once, in constant
 * memory.  (A removal there makes the kernel skip one instead: nothing
 * user space can recover, and within the churn of the sample anyway.)
 */
#define DEDUP_WINDOW	64

/* State of one dump, shared by the message callbacks. */
struct dump_ctx {
	struct collector *c;
	int family;		/* of the dump: AF_INET, AF_INET6 or AF_UNSPEC (both) */
	int want;		/* replay: only this family of a both-family dump, or 0 */
	uint16_t msgtype;	/* replies carry the request's type */
	uint32_t states;
	collector_cb cb;
	void *data;
	const void *bc;		/* filter program, or NULL; see dump_live */
	size_t bclen;
	int err;		/* negative errno set by a callback */
	uint64_t prev[DEDUP_WINDOW];	/* last cookies of the previous datagram */
	uint64_t cur[DEDUP_WINDOW];	/* ... of this one, as a ring */
	unsigned nprev, ncur;	/* cookies in prev; sockets so far in this datagram */
	unsigned long repeats;	/* sockets dropped as repeats */
	int kernel_err;		/* errno of an NLMSG_ERROR in this datagram, or 0 */
};

static int fail(struct collector *c, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct collector *c, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return ret;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" :
	       family == AF_UNSPEC ? "IPv4+IPv6" : "unknown";
}

/* A dump of both families is the legacy TCPDIAG_GETSOCK request, which the
 * kernel serves as one walk of its hash tables for both (the compat path of
 * inet_diag, with sdiag_family AF_UNSPEC); SOCK_DIAG_BY_FAMILY takes one
 * family per walk. */
static uint16_t request_type(int family)
{
	return family == AF_UNSPEC ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY;
}

static struct collector *collector_new(void)
{
	struct collector *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->netns_fd = -1;
	c->sockstat_fd = -1;
	c->sockstat6_fd = -1;
	c->eph_fd = -1;
	kctx_files_init(&c->kf);
	c->unspec_mark = -1;
	c->buf = malloc(COLLECTOR_BUFSIZE);
	if (!c->buf) {
		free(c);
		return NULL;
	}
	return c;
}

/* Read the namespace's ephemeral range again (it can be changed while we
 * run); a failed read keeps what was known. */
static void port_range_read(struct collector *c)
{
	char buf[64];
	unsigned lo, hi;
	ssize_t n;

	if (c->eph_fd < 0)
		return;
	n = pread(c->eph_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* The kernel refuses lo > hi; lo == hi is a valid one-port range. */
	if (sscanf(buf, "%u %u", &lo, &hi) == 2 && lo <= hi && hi >= 1 && hi <= 65535) {
		c->eph_lo = (uint16_t)lo;
		c->eph_hi = (uint16_t)hi;
	}
}

/*
 * The namespace's net.ipv4.ip_local_port_range.  A /proc/sys/net file
 * belongs to the network namespace of the task that opens it (the sysctl
 * lookup goes by current->nsproxy->net_ns, whatever namespace /proc was
 * mounted from), so it is opened inside the namespace (in_netns()); the
 * open file keeps reading that namespace's value.
 */
static void port_range_open(struct collector *c)
{
	c->eph_fd = open("/proc/sys/net/ipv4/ip_local_port_range", O_RDONLY | O_CLOEXEC);
	port_range_read(c);
}

/* A job run inside the collector's namespace (in_netns()). */
struct netns_job {
	struct collector *c;
	int (*fn)(struct collector *c);
	int ret;
};

static void *netns_thread(void *arg)
{
	struct netns_job *job = arg;
	struct collector *c = job->c;

	if (setns(c->netns_fd, CLONE_NEWNET) < 0) {
		job->ret = -errno;
		if (errno == EINVAL)
			fail(c, job->ret, "cannot enter network namespace: not a network namespace");
		else
			fail(c, job->ret, "cannot enter network namespace: %s%s", strerror(errno),
			     errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		return NULL;
	}
	job->ret = job->fn(c);
	return NULL;
}

/*
 * Run @fn (which opens files or sockets; 0 or -errno with c->err said)
 * inside c->netns_fd.  A netlink socket belongs to the namespace it was
 * created in, and a /proc/thread-self/net or /proc/sys/net file to the
 * namespace of the task that opened it, for their whole life; so a thread
 * of its own enters the namespace, opens them and exits.  The calling
 * thread never moves: it needs no descriptor of its own namespace to come
 * back to (one fewer at a low fd limit), it cannot be stranded in another
 * namespace, and other threads (--all-netns, top) are not disturbed.
 * Already there (our own namespace, named or listed by --all-netns), @fn
 * runs here: no setns(), which needs CAP_SYS_ADMIN even for that.
 */
static int in_netns(struct collector *c, int (*fn)(struct collector *c))
{
	struct netns_job job = { .c = c, .fn = fn };
	struct stat want, own;
	sigset_t all, old;
	pthread_t tid;
	int e;

	if (c->netns_fd < 0)
		return fn(c);
	if (fstat(c->netns_fd, &want) == 0 && stat("/proc/thread-self/ns/net", &own) == 0 &&
	    want.st_dev == own.st_dev && want.st_ino == own.st_ino)
		return fn(c);
	/* The thread takes no signal: they are the main thread's to see. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&tid, NULL, netns_thread, &job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		return fail(c, -e, "cannot enter network namespace: cannot start a thread: %s",
			    strerror(e));
	pthread_join(tid, NULL);
	return job.ret;
}

/* In the namespace: the port range file (first: a range silently unknown
 * would change directions, a netlink socket that cannot be opened is an
 * error), then a bound NETLINK_SOCK_DIAG socket. */
static int nl_open_here(struct collector *c)
{
	struct mnl_socket *nl;
	int ret;

	if (c->eph_fd < 0)
		port_range_open(c);
	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl)
		return fail(c, -errno, "cannot open netlink sock_diag socket: %s",
			    strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = fail(c, -errno, "cannot bind netlink socket: %s", strerror(errno));
		mnl_socket_close(nl);
		return ret;
	}
	c->nl = nl;
	return 0;
}

/* Open and bind the netlink socket (and the range file) inside the
 * collector's namespace. */
static int nl_open(struct collector *c)
{
	return in_netns(c, nl_open_here);
}

/* In the namespace: its sockstat pair.  /proc/thread-self/net follows the
 * opening thread's namespace; the open files keep reading that
 * namespace's counters. */
static int sockstat_open_here(struct collector *c)
{
	c->sockstat_fd = open("/proc/thread-self/net/sockstat", O_RDONLY | O_CLOEXEC);
	if (c->sockstat_fd < 0)
		return -errno;
	c->sockstat6_fd = open("/proc/thread-self/net/sockstat6", O_RDONLY | O_CLOEXEC);
	return 0;
}

int collector_open_live(struct collector **out, const char *netns,
			char *err, size_t errlen)
{
	struct collector *c = collector_new();
	int ret;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (netns) {
		c->netns_fd = netns_open(netns, err, errlen);
		if (c->netns_fd < 0) {
			ret = c->netns_fd;
			c->netns_fd = -1;
			goto fail;
		}
	}
	/* Open now so a namespace we may not enter fails before any output. */
	ret = nl_open(c);
	if (ret < 0) {
		snprintf(err, errlen, "%s", c->err);
		goto fail;
	}
	*out = c;
	return 0;
fail:
	collector_close(c);
	return ret;
}

int collector_open_replay(struct collector **out, const char *path,
			  char *err, size_t errlen)
{
	struct collector *c = collector_new();
	int ret;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = recfile_open(&c->replay, path, err, errlen);
	if (ret < 0) {
		collector_close(c);
		return ret;
	}
	*out = c;
	return 0;
}

/* In the namespace: the files of its kernel context. */
static int kctx_open_here(struct collector *c)
{
	return kctx_open_ns(&c->kf);
}

int collector_want_context(struct collector *c)
{
	int ret;

	if (c->replay || c->want_ctx)
		return 0;
	ret = in_netns(c, kctx_open_here);
	if (ret < 0)
		return ret;
	kctx_open_host(&c->kf);
	c->want_ctx = true;
	return 0;
}

int collector_record(struct collector *c, const char *path, char *err, size_t errlen)
{
	/* Every recording carries the context: doctor can replay a report's. */
	int ret = collector_want_context(c);

	if (ret < 0) {
		snprintf(err, errlen, "%s", c->err);
		return ret;
	}
	return recfile_create(&c->record, path, err, errlen);
}

int collector_context(const struct collector *c, struct doctor_ns *ns)
{
	if (!c->has_ctx)
		return -ENOENT;
	*ns = c->ctx;
	return 0;
}

bool collector_is_replay(const struct collector *c)
{
	return c->replay != NULL;
}

bool collector_is_recording(const struct collector *c)
{
	return c->record != NULL;
}

static int record(struct collector *c, uint32_t type, const void *p, uint32_t len)
{
	int ret;

	if (!c->record)
		return 0;
	ret = recfile_write(c->record, type, p, len);
	if (ret < 0)
		return fail(c, ret, "%s", recfile_error(c->record));
	return 0;
}

/* The ephemeral range recorded after the sample header of @len bytes at
 * @p, or none (hi 0: the caller's default) in older recordings. */
static int replay_port_range(struct collector *c, const void *p, uint32_t len)
{
	struct recfile_ports r = { 0 };

	if (len > sizeof(struct recfile_sample))
		memcpy(&r, (const char *)p + sizeof(struct recfile_sample), sizeof(r));
	if (r.hi && r.lo > r.hi)
		return fail(c, -EBADMSG, "corrupt sample header (port range %u-%u)",
			    r.lo, r.hi);
	c->eph_lo = r.hi ? r.lo : 0;
	c->eph_hi = r.hi;
	return 0;
}

/* The kernel context block that may follow the sample header just read:
 * decoded when there, the position unchanged when not. */
static int replay_context(struct collector *c)
{
	int64_t at = recfile_mark(c->replay);
	const void *p;
	uint32_t type, len;
	char msg[256];
	int ret;

	c->has_ctx = false;
	ret = recfile_read(c->replay, &type, &p, &len);
	if (ret < 0 && ret != -ENODATA)
		return fail(c, ret, "%s", recfile_error(c->replay));
	if (ret == -ENODATA || type != RECFILE_CONTEXT)
		return recfile_seek(c->replay, at) < 0 ? fail(c, -EIO, "%s", recfile_error(c->replay)) : 0;
	ret = kctx_decode(p, len, c->eph_lo, c->eph_hi, &c->ctx, msg, sizeof(msg));
	if (ret < 0)
		return fail(c, ret, "sample %lu: %s", c->samples, msg);
	c->has_ctx = true;
	return 0;
}

static int replay_sample_begin(struct collector *c, struct timespec *when)
{
	for (;;) {
		const void *p;
		uint32_t type, len;
		int ret = recfile_read(c->replay, &type, &p, &len);

		if (ret == -ENODATA)
			return ret;
		if (ret < 0)
			return fail(c, ret, "%s", recfile_error(c->replay));
		/* Blocks left over from a sample whose dump failed are skipped. */
		if (type != RECFILE_SAMPLE)
			continue;
		if (len != sizeof(struct recfile_sample) &&
		    len != sizeof(struct recfile_sample) + sizeof(struct recfile_ports))
			return fail(c, -EBADMSG, "corrupt sample header (%u bytes)", len);
		struct recfile_sample s;

		memcpy(&s, p, sizeof(s));
		if ((ret = replay_port_range(c, p, len)) < 0)
			return ret;
		/* Every later use of the time (ms arithmetic, rates, dates)
		 * relies on this range: checked here, once, for all. */
		if (s.sec < 0 || s.sec > RECFILE_MAX_SEC || s.nsec < 0 || s.nsec >= 1000000000)
			return fail(c, -EBADMSG,
				    "corrupt sample time in sample %lu (%lld s + %lld ns; a time from 1970 to 9999 expected)",
				    c->samples, (long long)s.sec, (long long)s.nsec);
		if ((ret = replay_context(c)) < 0)
			return ret;
		when->tv_sec = (time_t)s.sec;
		when->tv_nsec = (long)s.nsec;
		return 0;
	}
}

/*
 * A replay's errors name the file: recfile's own messages already do,
 * the collector's get it in front.  Not for -EINTR, a dump the kernel
 * flagged when it was recorded (data, shown as an incomplete sample), nor
 * for errors without a message of this call (a callback's -ENOMEM).
 */
static int replay_error(struct collector *c, int ret)
{
	char msg[sizeof(c->err)];
	static const char own[] = "replay file '";

	if (ret >= 0 || ret == -ENODATA || ret == -EINTR || !c->err[0] ||
	    strncmp(c->err, own, sizeof(own) - 1) == 0)
		return ret;
	memcpy(msg, c->err, sizeof(msg));
	return fail(c, ret, "replay file '%s': %s", recfile_path(c->replay), msg);
}

/* A sample header, and the range its sockets were classified with; then
 * the namespace's kernel context when it was read (RECFILE_CONTEXT). */
static int record_sample(struct collector *c, const struct recfile_sample *s)
{
	struct {
		struct recfile_sample s;
		struct recfile_ports r;
	} b = { .s = *s, .r = { .lo = c->eph_lo, .hi = c->eph_hi } };
	char ctx[KCTX_MAX];
	int n, ret;

	_Static_assert(sizeof(b) == sizeof(b.s) + sizeof(b.r), "no padding in a sample block");
	ret = record(c, RECFILE_SAMPLE, &b, sizeof(b));
	if (ret < 0 || !c->record || !c->has_ctx)
		return ret;
	n = kctx_encode(&c->ctx, ctx, sizeof(ctx));
	if (n < 0)
		return fail(c, n, "kernel context too long to record");
	return record(c, RECFILE_CONTEXT, ctx, (uint32_t)n);
}

int collector_sample_begin(struct collector *c, struct timespec *when)
{
	struct recfile_sample s;

	c->samples++;
	c->unspec_mark = -1;
	if (c->replay) {
		c->err[0] = '\0';
		return replay_error(c, replay_sample_begin(c, when));
	}

	if (c->record) {
		/* A sample begun again before it ended is a retry: drop the
		 * bytes of the failed attempt. */
		if (c->in_sample && recfile_rewind(c->record, c->sample_mark) < 0)
			return fail(c, -EIO, "%s", recfile_error(c->record));
		c->sample_mark = recfile_mark(c->record);
	}
	c->in_sample = true;
	clock_gettime(CLOCK_REALTIME, when);
	port_range_read(c);
	c->has_ctx = c->want_ctx;
	if (c->want_ctx)
		kctx_read(&c->kf, c->eph_lo, c->eph_hi, &c->ctx);
	s.sec = when->tv_sec;
	s.nsec = when->tv_nsec;
	return record_sample(c, &s);
}

int collector_sample_end(struct collector *c)
{
	int ret;

	c->in_sample = false;
	if (!c->record)
		return 0;
	ret = recfile_flush(c->record);
	return ret < 0 ? fail(c, ret, "%s", recfile_error(c->record)) : 0;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	struct sock_rec rec;
	int ret;

	if (nlh->nlmsg_type != ctx->msgtype) {
		ctx->err = fail(ctx->c, -EBADMSG,
				"unexpected netlink message type %u in a sock_diag dump",
				nlh->nlmsg_type);
		return MNL_CB_ERROR;
	}
	/* Attributes are walked only when extensions were asked for, so a
	 * plain dump pays nothing for them. */
	if (diag_parse(nlh, ctx->c->ext || ctx->c->attrs ? DIAG_PARSE_ATTRS : 0, &rec) < 0) {
		ctx->err = fail(ctx->c, -EBADMSG, "malformed sock_diag message (%u bytes)",
				nlh->nlmsg_len);
		return MNL_CB_ERROR;
	}
	/* INET_DIAG_NOCOOKIE (all ones) means the kernel had none to give;
	 * the kernel's cookies start at 1, so 0 is none either. */
	if (rec.cookie != UINT64_MAX && rec.cookie != 0) {
		if (ctx->ncur < ctx->nprev) {
			for (unsigned i = 0; i < ctx->nprev; i++)
				if (ctx->prev[i] == rec.cookie) {
					ctx->repeats++;
					return MNL_CB_OK;
				}
		}
		ctx->cur[ctx->ncur++ % DEDUP_WINDOW] = rec.cookie;
	}
	if (ctx->family != AF_UNSPEC && rec.family != ctx->family) {
		ctx->err = fail(ctx->c, -EBADMSG, "%s socket in a dump of %s sockets",
				family_name(rec.family), family_name(ctx->family));
		return MNL_CB_ERROR;
	}
	if (ctx->want && rec.family != ctx->want)
		return MNL_CB_OK;
	/* The kernel already filtered; this matters for replays, which serve
	 * a narrower request from a wider recording. */
	if (!(TCP_STATE_BIT(rec.state) & ctx->states))
		return MNL_CB_OK;
	if (ctx->bc && !bytecode_run(ctx->bc, ctx->bclen, rec.sport, rec.dport))
		return MNL_CB_OK;
	ret = ctx->cb(&rec, ctx->data);
	if (ret < 0) {
		ctx->err = ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* The kernel's error codes are -1..-MAX_ERRNO; any other negative value
 * comes from a damaged recording (and -INT_MIN does not exist). */
#define NL_MAX_ERRNO	4095

/* NLMSG_DONE of a dump carries the dump's own error code (netlink_dump_done):
 * a dump can end early and still say DONE. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	int err = 0;

	if (nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + sizeof(int))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < -NL_MAX_ERRNO) {
		ctx->err = fail(ctx->c, -EBADMSG, "%s dump ended with an invalid error code %d",
				family_name(ctx->family), err);
		return MNL_CB_ERROR;
	}
	if (err < 0) {
		ctx->err = fail(ctx->c, err, "%s%s dump ended with an error: %s",
				ctx->c->replay ? "recording holds a kernel error: " : "",
				family_name(ctx->family), strerror(-err));
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* A ctl array with a NULL entry for NLMSG_ERROR would make libmnl skip the
 * message, and a dump the kernel refuses is that one message: the caller
 * would wait for a DONE that never comes.  So errors are handled here. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct dump_ctx *ctx = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)	/* an ACK: nothing to dump */
		return MNL_CB_STOP;
	errno = e->error < 0 && e->error >= -NL_MAX_ERRNO ? -e->error : EBADMSG;
	ctx->kernel_err = errno;
	return MNL_CB_ERROR;
}

/* An NLMSG_ERROR read from a recording is the recorded host's kernel
 * refusing the dump, not this one's: the message says so (and gives no
 * advice for this host), the status is the live one's. */
static int replay_kernel_error(struct dump_ctx *ctx)
{
	int e = ctx->kernel_err;

	if (e == EOPNOTSUPP || e == ENOENT)
		return fail(ctx->c, -ENOENT,
			    "recording holds a kernel error: the recorded host had no TCP socket "
			    "diagnostics for %s (%s)", family_name(ctx->family), strerror(e));
	return fail(ctx->c, -e, "recording holds a kernel error: %s dump failed: %s",
		    family_name(ctx->family), strerror(e));
}

/* Run the messages of one datagram.  Returns 1 when the dump is finished
 * (NLMSG_DONE), 0 when more datagrams follow, or a negative errno. */
static int run_datagram(struct dump_ctx *ctx, const void *buf, size_t len,
			unsigned int seq, unsigned int portid)
{
	struct collector *c = ctx->c;
	size_t off = 0;
	int ret;
	/* libmnl 1.0.4 takes a non-const array, hence a local one. */
	mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};

	/* The framing is checked here, in unsigned arithmetic, before libmnl
	 * walks it: mnl_cb_run() stops quietly at a partial message (a short
	 * datagram would lose sockets without a word), and mnl_nlmsg_ok()
	 * compares (int)nlmsg_len, so a length of 2^31 or more from a damaged
	 * recording would pass and send it off the end of the buffer. */
	/* off can pass len by the last message's alignment padding: test it
	 * first, or the unsigned len - off wraps and the walk runs on. */
	while (off < len && len - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)((const char *)buf + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off)
			return fail(c, -EBADMSG,
				    "truncated netlink message in %s dump (length %u, %zu bytes left)",
				    family_name(ctx->family), nlh->nlmsg_len, len - off);
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	if (off < len)
		return fail(c, -EBADMSG, "truncated netlink message in %s dump (%zu stray bytes)",
			    family_name(ctx->family), len - off);

	/* This datagram's first sockets are checked against the last ones
	 * of the datagram before (see DEDUP_WINDOW). */
	ctx->nprev = ctx->ncur < DEDUP_WINDOW ? ctx->ncur : DEDUP_WINDOW;
	memcpy(ctx->prev, ctx->cur, ctx->nprev * sizeof(ctx->prev[0]));
	ctx->ncur = 0;
	ctx->err = 0;
	ctx->kernel_err = 0;
	errno = 0;
	ret = mnl_cb_run2(buf, len, seq, portid, msg_cb, ctx, ctl_cbs, NLMSG_MIN_TYPE);
	if (ret == MNL_CB_STOP)
		return 1;
	if (ret >= MNL_CB_OK)
		return 0;
	if (ctx->err)
		return ctx->err;
	if (c->replay && ctx->kernel_err)
		return replay_kernel_error(ctx);
	switch (errno) {
	case EINTR:	/* libmnl's report of NLM_F_DUMP_INTR */
		return fail(c, -EINTR, "%s dump interrupted: the kernel's table changed under it",
			    family_name(ctx->family));
	case ESRCH:
		return fail(c, -EBADMSG, "netlink message from an unexpected port id");
	case EPROTO:
		return fail(c, -EBADMSG, "netlink message with an unexpected sequence number");
	case EOPNOTSUPP:	/* the TCPDIAG_GETSOCK path without inet_diag */
	case ENOENT:
		return fail(c, -ENOENT,
			    "the kernel has no TCP socket diagnostics for %s; load them with 'modprobe tcp_diag'",
			    family_name(ctx->family));
	default:
		return fail(c, errno ? -errno : -EBADMSG, "%s dump failed: %s",
			    family_name(ctx->family),
			    errno ? strerror(errno) : "bad netlink message");
	}
}

/* A receive that fails ends the dump without an NLMSG_DONE from the
 * kernel; the recording gets one carrying the error, so a replay ends the
 * dump the same way (a retry, or a partial sample) and not as a truncated
 * file. */
static int record_done(struct collector *c, int error)
{
	struct {
		struct nlmsghdr nlh;
		int error;
	} done = {
		.nlh = { .nlmsg_len = sizeof(done), .nlmsg_type = NLMSG_DONE,
			 .nlmsg_flags = NLM_F_MULTI, .nlmsg_seq = c->seq },
		.error = error,
	};
	int saved = errno, ret = record(c, RECFILE_DATA, &done, sizeof(done));

	errno = saved;
	return ret;
}

static int dump_live(struct dump_ctx *ctx)
{
	struct collector *c = ctx->c;
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	struct recfile_dump rd = { .family = (uint8_t)ctx->family,
				   .protocol = IPPROTO_TCP, .states = ctx->states };
	unsigned int portid;
	int ret;

	if (!c->nl && (ret = nl_open(c)) < 0)
		return ret;
	portid = mnl_socket_get_portid(c->nl);

	nlh = mnl_nlmsg_put_header(c->buf);
	nlh->nlmsg_type = ctx->msgtype;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++c->seq ? c->seq : ++c->seq;	/* 0 disables seq checks */
	/* The kernel adds NEW_SYN_RECV itself when SYN_RECV is asked for. */
	if (ctx->family == AF_UNSPEC) {
		struct inet_diag_req *old = mnl_nlmsg_put_extra_header(nlh, sizeof(*old));

		old->idiag_family = AF_INET;	/* not used by the dump */
		old->idiag_states = ctx->states;
		old->idiag_ext = c->ext;
	} else {
		req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
		req->sdiag_family = (uint8_t)ctx->family;
		req->sdiag_protocol = IPPROTO_TCP;
		req->idiag_states = ctx->states;
		req->idiag_ext = c->ext;
	}
	if (ctx->bclen)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, ctx->bclen, ctx->bc);
	/* The kernel runs the program; msg_cb must not run it again. */
	ctx->bc = NULL;

	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0)
		return fail(c, -errno, "cannot send sock_diag request: %s", strerror(errno));
	if ((ret = record(c, RECFILE_DUMP, &rd, sizeof(rd))) < 0)
		return ret;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(c->nl, c->buf, COLLECTOR_BUFSIZE);

		if (n < 0 && errno != EINTR && (ret = record_done(c, -errno)) < 0)
			return ret;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS)
				return fail(c, -ENOBUFS, "%s dump lost messages (ENOBUFS)",
					    family_name(ctx->family));
			return fail(c, -errno, "cannot receive %s dump: %s",
				    family_name(ctx->family), strerror(errno));
		}
		if ((ret = record(c, RECFILE_DATA, c->buf, (uint32_t)n)) < 0)
			return ret;
		ret = run_datagram(ctx, c->buf, (size_t)n, c->seq, portid);
		if (ret != 0)
			return ret < 0 ? ret : 0;
	}
}

static void states_str(uint32_t mask, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state s = tcp_state_order[i];

		if (mask & TCP_STATE_BIT(s)) {
			int w = snprintf(out + n, len - n, "%s%s", n ? "," : "", tcp_state_name(s));
			if (w < 0 || (size_t)w >= len - n)
				return;
			n += (size_t)w;
		}
	}
}

/* Serve the DATA blocks of the dump header just read (@rd) to ctx. */
static int replay_serve(struct dump_ctx *ctx, const struct recfile_dump *rd)
{
	struct collector *c = ctx->c;
	const void *p;
	uint32_t type, len;
	int ret;

	if (ctx->states & ~rd->states & TCP_STATE_ALL_MASK) {
		char want[160], have[160];

		states_str(ctx->states & TCP_STATE_ALL_MASK, want, sizeof(want));
		states_str(rd->states, have, sizeof(have));
		return fail(c, -EPROTO, "%s sockets were recorded in states %s only; asked for %s",
			    family_name(rd->family), have, want);
	}
	ctx->family = rd->family;
	ctx->msgtype = request_type(rd->family);
	for (;;) {
		ret = recfile_read(c->replay, &type, &p, &len);
		if (ret == -ENODATA || (ret == 0 && type != RECFILE_DATA))
			return fail(c, -EBADMSG,
				    "%s dump of sample %lu ends without NLMSG_DONE (truncated recording)",
				    family_name(rd->family), c->samples);
		if (ret < 0)
			return fail(c, ret, "%s", recfile_error(c->replay));
		/* seq and portid 0: the recording's came from another socket. */
		ret = run_datagram(ctx, p, len, 0, 0);
		if (ret != 0)
			return ret < 0 ? ret : 0;
	}
}

/* Read the next block as a dump header: 1 and *rd when it is one, 0 (and
 * the position unchanged) when the sample has no more dumps, or -errno. */
static int replay_next_dump(struct collector *c, struct recfile_dump *rd, int64_t *at)
{
	const void *p;
	uint32_t type, len;
	int ret;

	*at = recfile_mark(c->replay);
	ret = recfile_read(c->replay, &type, &p, &len);
	if (ret == -ENODATA)
		return 0;
	if (ret < 0)
		return fail(c, ret, "%s", recfile_error(c->replay));
	if (type == RECFILE_SAMPLE)
		return recfile_seek(c->replay, *at) < 0 ? fail(c, -EIO, "%s", recfile_error(c->replay)) : 0;
	if (type != RECFILE_DUMP || len != sizeof(*rd))
		return fail(c, -EBADMSG, "corrupt recording (expected a dump header)");
	memcpy(rd, p, sizeof(*rd));
	if (rd->family != AF_INET && rd->family != AF_INET6 && rd->family != AF_UNSPEC)
		return fail(c, -EBADMSG, "corrupt recording (dump of family %u)", rd->family);
	return 1;
}

/*
 * A replay serves what was asked from what was recorded, which need not
 * have the same shape: recordings hold per-family dumps (older ones, or
 * -4/-6) or one dump of both families.  Both families asked for: one
 * both-family dump, or every per-family dump of the sample in turn.  One
 * family asked for: its own dump, or that family's sockets of the sample's
 * both-family dump, which a second request may read again.
 */
static int dump_replay(struct dump_ctx *ctx)
{
	struct collector *c = ctx->c;
	int want = ctx->family, ret;
	struct recfile_dump rd = { 0 };
	int64_t at;

	if (want != AF_UNSPEC && c->unspec_mark >= 0 &&
	    recfile_seek(c->replay, c->unspec_mark) < 0)
		return fail(c, -EIO, "%s", recfile_error(c->replay));
	ret = replay_next_dump(c, &rd, &at);
	if (ret == 0)
		return fail(c, -EPROTO, "sample %lu of the recording has no %s dump",
			    c->samples, family_name(want));
	if (ret < 0)
		return ret;
	if (want != AF_UNSPEC) {
		if (rd.family == AF_UNSPEC) {
			c->unspec_mark = at;
			ctx->want = want;
		} else if (rd.family != want) {
			return fail(c, -EPROTO, "recording has a %s dump where %s was expected",
				    family_name(rd.family), family_name(want));
		}
		return replay_serve(ctx, &rd);
	}
	if (rd.family == AF_UNSPEC)
		return replay_serve(ctx, &rd);
	/* Per-family dumps were recorded IPv6 first, so that dual-stack
	 * listeners are known before the IPv4 sockets they make inbound;
	 * any other order would classify wrongly, so it is refused. */
	if (rd.family != AF_INET6)
		return fail(c, -EPROTO, "recording has a %s dump where %s was expected",
			    family_name(rd.family), family_name(AF_INET6));
	ret = replay_serve(ctx, &rd);
	if (ret < 0)
		return ret;
	ret = replay_next_dump(c, &rd, &at);
	if (ret < 0)
		return ret;	/* damaged: says so */
	if (ret == 0 || rd.family != AF_INET) {
		if (recfile_seek(c->replay, at) < 0)
			return fail(c, -EIO, "%s", recfile_error(c->replay));
		return fail(c, -EPROTO, "sample %lu of the recording has no %s dump",
			    c->samples, family_name(AF_INET));
	}
	return replay_serve(ctx, &rd);
}

int collector_dump(struct collector *c, int family, uint32_t states,
		   collector_cb cb, void *data)
{
	return collector_dump_filtered(c, family, states, NULL, 0, cb, data);
}

int collector_dump_filtered(struct collector *c, int family, uint32_t states,
			    const void *bc, size_t bclen, collector_cb cb, void *data)
{
	struct dump_ctx ctx = { .c = c, .family = family, .states = states,
				.msgtype = request_type(family),
				.cb = cb, .data = data, .bclen = bclen };
	int ret;

	if (family != AF_INET && family != AF_INET6 && family != AF_UNSPEC)
		return fail(c, -EAFNOSUPPORT, "unsupported address family %d", family);
	if (bclen > BYTECODE_MAX)
		return fail(c, -EINVAL, "filter program too long (%zu bytes)", bclen);
	if (c->replay) {
		ctx.bc = bclen ? bc : NULL;
		c->err[0] = '\0';
		return replay_error(c, dump_replay(&ctx));
	}
	ctx.bc = bc;
	ret = dump_live(&ctx);
	/* After a failure the socket may still hold the rest of the dump;
	 * a fresh socket is cheaper and surer than draining it. */
	if (ret < 0 && c->nl) {
		mnl_socket_close(c->nl);
		c->nl = NULL;
	}
	return ret;
}

/* The "inuse" count of line @key in a sockstat file, and its "tw". */
static int sockstat_read(int fd, const char *key, unsigned long *inuse, unsigned long *tw)
{
	char buf[512], *p;
	ssize_t len;

	if (fd < 0)
		return -ENOENT;
	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		return len < 0 ? -errno : -ENODATA;
	buf[len] = '\0';
	p = strstr(buf, key);
	if (!p || sscanf(p + strlen(key), " inuse %lu", inuse) != 1)
		return -EBADMSG;
	if (tw && (!(p = strstr(p, " tw ")) || sscanf(p, " tw %lu", tw) != 1))
		return -EBADMSG;
	return 0;
}

int collector_sockets(struct collector *c, unsigned long *n)
{
	unsigned long inuse4 = 0, inuse6 = 0, tw = 0;
	int ret;

	if (c->replay)
		return -ENOENT;
	/* Opened when first asked for: modes that never split (owners,
	 * leaks) do not hold two more descriptors for nothing.  One try: a
	 * failure leaves the estimate unknown, and the caller's default. */
	if (!c->sockstat_tried) {
		c->sockstat_tried = true;
		in_netns(c, sockstat_open_here);
	}
	/* sockstat's TCP line counts IPv4 sockets and every TIME_WAIT;
	 * IPv6 sockets are in sockstat6. */
	ret = sockstat_read(c->sockstat_fd, "TCP:", &inuse4, &tw);
	if (ret < 0)
		return ret;
	sockstat_read(c->sockstat6_fd, "TCP6:", &inuse6, NULL);
	*n = inuse4 + inuse6 + tw;
	return 0;
}

int collector_port_range(const struct collector *c, uint16_t *lo, uint16_t *hi)
{
	if (!c->eph_hi)
		return -ENOENT;
	*lo = c->eph_lo;
	*hi = c->eph_hi;
	return 0;
}

void collector_set_ext(struct collector *c, uint8_t ext)
{
	c->ext = ext;
}

bool collector_netns_is(const struct collector *c, dev_t dev, ino_t ino)
{
	struct stat st;

	if (c->replay)
		return false;
	if (c->netns_fd >= 0 ? fstat(c->netns_fd, &st) < 0
			     : stat("/proc/thread-self/ns/net", &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void collector_set_attrs(struct collector *c, bool on)
{
	c->attrs = on;
}

static int run_job(struct collector *c)
{
	return c->job_fn(c->job_arg);
}

int collector_run_in(struct collector *c, int (*fn)(void *arg), void *arg)
{
	int ret;

	if (c->replay)
		return -ENOTSUP;
	c->job_fn = fn;
	c->job_arg = arg;
	ret = in_netns(c, run_job);
	c->job_fn = NULL;
	c->job_arg = NULL;
	return ret;
}

int collector_copy_error(struct collector *dst, const struct collector *src, int ret)
{
	if (dst != src)
		snprintf(dst->err, sizeof(dst->err), "%s", src->err);
	return ret;
}

const char *collector_error(const struct collector *c)
{
	return c->err;
}

void collector_close(struct collector *c)
{
	if (!c)
		return;
	if (c->nl)
		mnl_socket_close(c->nl);
	if (c->netns_fd >= 0)
		close(c->netns_fd);
	if (c->sockstat_fd >= 0)
		close(c->sockstat_fd);
	if (c->sockstat6_fd >= 0)
		close(c->sockstat6_fd);
	if (c->eph_fd >= 0)
		close(c->eph_fd);
	kctx_files_close(&c->kf);
	recfile_close(c->replay);
	recfile_close(c->record);
	free(c->buf);
	free(c);
}
