/* SPDX-License-Identifier: MIT */
/*
 * popgen - build an exact, deterministic population of TCP sockets in
 * chosen states on loopback, for portstat's integration tests and
 * benchmarks.  This file owns the whole tool: option parsing, the port
 * plan, the worker processes that build and then hold the sockets, the
 * sock_diag cross-check of the result, and the one-line "ready {...}"
 * protocol on stdout.  It only ever binds or connects loopback addresses
 * (127.0.0.0/8, ::1; --mapped listens on :: as asked, reached only via
 * 127.0.0.1) and works in whatever network namespace it is started in.
 *
 * Port plan (P = --port-base, default 20000).  Every kind with N > 0 owns
 * exactly one listening socket, so it adds exactly one LISTEN socket:
 *   P+0  --listen       (its N extra idle listeners use P+100 .. P+100+N-1,
 *                        so --listen N gives N+1 LISTEN sockets)
 *   P+1  --established  P+2  --close-wait  P+3  --fin-wait1  P+4  --last-ack
 *   P+5  --time-wait    P+6  --syn-sent    P+7  --syn-recv
 *
 * Sysctls of the current namespace it may change (and restores on exit):
 * net.core.somaxconn (raised when --syn-recv N needs a backlog of N),
 * net.ipv4.tcp_max_tw_buckets (raised when --time-wait N needs it) and
 * net.ipv4.tcp_tw_reuse (set to 0 with --time-wait, because the loopback
 * default 2 lets a later connect() recycle a TIME_WAIT sock older than 1 s)
 * and net.ipv4.tcp_rfc1337 (set to 1 with --time-wait, so a stray RST
 * cannot kill a TIME_WAIT sock); either would silently shrink the count.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/tcp.h> /* struct tcp_info with tcpi_snd_wnd; not <netinet/tcp.h> */
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51    /* Linux 6.3; Debian 12's headers predate it */
#endif

/* Kernel TCP states (include/net/tcp_states.h); numbering is ABI. */
enum {
	ST_ESTABLISHED = 1, ST_SYN_SENT, ST_SYN_RECV, ST_FIN_WAIT1,
	ST_FIN_WAIT2, ST_TIME_WAIT, ST_CLOSE, ST_CLOSE_WAIT, ST_LAST_ACK,
	ST_LISTEN, ST_CLOSING, NSTATE
};
static const char *const state_name[NSTATE] = {
	"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
};
/* JSON key order of the ready line, and the keys themselves. */
static const int json_order[] = {
	ST_LISTEN, ST_ESTABLISHED, ST_SYN_SENT, ST_SYN_RECV, ST_FIN_WAIT1,
	ST_FIN_WAIT2, ST_TIME_WAIT, ST_CLOSE, ST_CLOSE_WAIT, ST_LAST_ACK,
	ST_CLOSING,
};
static const char *const json_key[NSTATE] = {
	"?", "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2",
	"time_wait", "close", "close_wait", "last_ack", "listen", "closing",
};

/* Kinds; the enum value is also the port offset from --port-base. */
enum kind { K_LISTEN, K_EST, K_CW, K_FW1, K_LA, K_TW, K_SS, K_SR, NKIND };
static const char *const kind_name[NKIND] = {
	"listen", "established", "close-wait", "fin-wait1", "last-ack",
	"time-wait", "syn-sent", "syn-recv",
};
#define EXTRA_LISTEN_OFFSET 100

enum family { FAM4, FAM6, FAMMAPPED };

#define MAX_COUNT 10000000L    /* per kind; far beyond what fits in RAM anyway */
#define FD_OVERHEAD 32         /* stdio, inherited listeners, pipes, slack */
/* Ephemeral ports one (src,dst,dport) may use before --src-addrs grows.
 * connect() scans the ports of one parity (half the range, 14116 by
 * default) before the other, so past that each connect walks ~14k ports;
 * staying below keeps connect() O(1). */
#define PORTS_PER_SRC 12000L
#define SMALL_BUF 4096         /* SO_RCVBUF/SO_SNDBUF for the zero-window kinds */
#define MAX_WORKERS 4096
#define GRACE_MS 3000          /* parent waits this long past the workers' deadline */

static struct config {
	long n[NKIND];
	enum family fam;
	int port_base;
	long max_fds;
	int src_addrs;          /* 0 = automatic */
	long timeout_s;
	long max_hold_s;
	bool verbose;
} cfg = {
	.fam = FAM4, .port_base = 20000, .max_fds = 16000, .src_addrs = 0,
	.timeout_s = 120, .max_hold_s = 900,
};

/* Plan derived from the config, shared by parent and workers via fork. */
static int nworkers;
static int batch;               /* most sockets a worker has in flight */
static int nsrc;                /* client source addresses in use */
static long eph_lo = 32768, eph_hi = 60999;  /* net.ipv4.ip_local_port_range */
static int64_t deadline_ms;     /* CLOCK_MONOTONIC; workers fail at it */
static int listen_fd[NKIND] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static int filler_fd = -1;      /* syn-sent: the connection filling the accept queue */
static int msg_pipe[2] = { -1, -1 };  /* workers -> parent, one line per write */
/* Barrier release: the parent stores the stage workers may enter next.
 * Shared memory, not a pipe: a fast worker could otherwise take a slow
 * one's wake-up byte and run ahead. */
static _Atomic int *go_stage;
static int sig_fd = -1;
static pid_t parent_pid;

/* ---------------------------------------------------------------- util */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void vlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void vlog(const char *fmt, ...)
{
	va_list ap;

	if (!cfg.verbose)
		return;
	va_start(ap, fmt);
	fputs("popgen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static long share(long n, int w, int i)
{
	return n / w + (i < n % w ? 1 : 0);
}

/* Index of worker i's first item when n items are dealt out by share(). */
static long share_first(long n, int w, int i)
{
	return (long)i * (n / w) + (i < n % w ? i : n % w);
}

static bool accepts(int k)
{
	return k == K_EST || k == K_CW || k == K_FW1 || k == K_LA || k == K_TW;
}

/* ------------------------------------------------------------ addresses */

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

static void mk_addr(struct addr *a, int af, const char *ip, int port)
{
	memset(a, 0, sizeof(*a));
	if (af == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&a->ss;

		s->sin_family = AF_INET;
		s->sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, ip, &s->sin_addr);
		a->len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a->ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons((uint16_t)port);
		inet_pton(AF_INET6, ip, &s->sin6_addr);
		a->len = sizeof(*s);
	}
}

static const char *fmt_addr(const struct addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&a->ss;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(s->sin6_port));
	}
	return buf;
}

static int client_af(void)
{
	return cfg.fam == FAM6 ? AF_INET6 : AF_INET;
}

static void dst_addr(struct addr *a, int kind)
{
	mk_addr(a, client_af(), cfg.fam == FAM6 ? "::1" : "127.0.0.1",
		cfg.port_base + kind);
}

/* Source address number k (0-based): 127.0.0.(k+1). */
static void src_addr(struct addr *a, int k)
{
	char ip[32];

	snprintf(ip, sizeof(ip), "127.0.0.%d", k + 1);
	mk_addr(a, AF_INET, ip, 0);
}

static void listen_addr(struct addr *a, int port)
{
	if (cfg.fam == FAM4)
		mk_addr(a, AF_INET, "127.0.0.1", port);
	else if (cfg.fam == FAM6)
		mk_addr(a, AF_INET6, "::1", port);
	else
		mk_addr(a, AF_INET6, "::", port);
}

/* ------------------------------------------------------------- sysctls */

struct sysctl_save {
	const char *path;
	long old;
	bool changed;
};
static struct sysctl_save saved_sysctl[4];
static int nsaved_sysctl;

static int read_sysctl(const char *path, long *v)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%ld", v) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int write_sysctl(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int len, err = 0;

	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", v);
	if (write(fd, buf, (size_t)len) != len)
		err = -errno;
	close(fd);
	return err;
}

/* Set a sysctl, remembering the old value for restore_sysctls(). */
static int set_sysctl(const char *path, long old, long v)
{
	int err = write_sysctl(path, v);

	if (err == 0 && nsaved_sysctl < (int)(sizeof(saved_sysctl) / sizeof(saved_sysctl[0]))) {
		saved_sysctl[nsaved_sysctl++] = (struct sysctl_save){ path, old, true };
		vlog("set %s = %ld (was %ld)", path, v, old);
	}
	return err;
}

static void restore_sysctls(void)
{
	for (int i = 0; i < nsaved_sysctl; i++)
		if (saved_sysctl[i].changed)
			write_sysctl(saved_sysctl[i].path, saved_sysctl[i].old);
	nsaved_sysctl = 0;
}

/* ------------------------------------------------------ parent failing */

static pid_t *worker_pid;
static bool *worker_alive;

static void kill_workers(void)
{
	for (int i = 0; i < nworkers && worker_pid; i++)
		if (worker_alive[i] && worker_pid[i] > 0)
			kill(worker_pid[i], SIGKILL);
	/* SIGKILL cannot be caught, so each wait returns. */
	for (int i = 0; i < nworkers && worker_pid; i++)
		if (worker_alive[i] && worker_pid[i] > 0) {
			while (waitpid(worker_pid[i], NULL, 0) < 0 && errno == EINTR)
				;
			worker_alive[i] = false;
		}
}

static void close_parent_fds(void)
{
	for (int k = 0; k < NKIND; k++)
		if (listen_fd[k] >= 0) {
			close(listen_fd[k]);
			listen_fd[k] = -1;
		}
	if (filler_fd >= 0) {
		close(filler_fd);
		filler_fd = -1;
	}
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("popgen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	kill_workers();
	close_parent_fds();
	restore_sysctls();
	exit(1);
}

/* --------------------------------------------------- worker reporting */

static int worker_idx = -1;

/* Worker: report one failure line to the parent and exit.  The parent
 * prints it, so the user sees exactly one "popgen: ..." line. */
static void wfail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void wfail(const char *fmt, ...)
{
	char msg[1024];
	char line[1100];
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	len = snprintf(line, sizeof(line), "%d E %s\n", worker_idx, msg);
	if (len > (int)sizeof(line) - 1)
		len = (int)sizeof(line) - 1;
	/* One write below PIPE_BUF is atomic, so lines never interleave. */
	if (write(msg_pipe[1], line, (size_t)len) < 0) {
		/* parent gone: nothing left to tell */
	}
	_exit(1);
}

static void wsend(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wsend(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len >= (int)sizeof(line))
		len = (int)sizeof(line) - 1;
	if (write(msg_pipe[1], line, (size_t)len) != len)
		_exit(1);
}

/* ---------------------------------------------------- socket helpers */

static int tcp_state(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) < 0)
		return -errno;
	return ti->tcpi_state;
}

static const char *sname(int st)
{
	return st > 0 && st < NSTATE ? state_name[st] : "?";
}

static int setint(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v));
}

/* The listening socket of one kind (or an extra idle listener). */
static int make_listener(int kind, int port, int backlog, char *err, size_t errlen)
{
	struct addr a;
	char as[80];
	int fd, af = cfg.fam == FAM4 ? AF_INET : AF_INET6;

	listen_addr(&a, port);
	fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A previous run's server sockets may linger in TIME_WAIT on this
	 * port; SO_REUSEADDR lets us listen anyway. */
	if (setint(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		goto fail_opt;
	if (cfg.fam == FAMMAPPED && setint(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0) < 0)
		goto fail_opt;
	/* Children inherit the buffer sizes; a small receive buffer on the
	 * fin-wait1 server closes its window, a small send buffer keeps the
	 * last-ack server's queue (and memory) short. */
	if (kind == K_FW1 && setint(fd, SOL_SOCKET, SO_RCVBUF, SMALL_BUF) < 0)
		goto fail_opt;
	if (kind == K_LA && setint(fd, SOL_SOCKET, SO_SNDBUF, SMALL_BUF) < 0)
		goto fail_opt;
	if (kind == K_SR) {
		/* Request socks stay in SYN_RECV while the defer period runs
		 * and no data arrives: make it outlast the whole run. */
		long secs = cfg.timeout_s + cfg.max_hold_s + 60;

		if (secs > INT_MAX)
			secs = INT_MAX;
		if (setint(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, (int)secs) < 0)
			goto fail_opt;
	}
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0) {
		snprintf(err, errlen, "bind %s: %s", fmt_addr(&a, as, sizeof(as)),
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, backlog) < 0) {
		snprintf(err, errlen, "listen %s: %s", fmt_addr(&a, as, sizeof(as)),
			 strerror(errno));
		close(fd);
		return -1;
	}
	/* Workers share the listener and must never block in accept(). */
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		goto fail_opt;
	return fd;
fail_opt:
	snprintf(err, errlen, "setsockopt on listener %s: %s",
		 fmt_addr(&a, as, sizeof(as)), strerror(errno));
	close(fd);
	return -1;
}

/* ------------------------------------------------------------- worker */

enum side { CLIENT, SERVER };

struct pend {
	int fd;
	uint8_t kind, side, step;
};

struct held {
	int fd;
	uint8_t kind, side, state;
};

static struct pend *pend;
static int npend;
static struct held *held;
static long nheld, held_cap;
static char zeros[65536];

static void client_desc(const struct pend *p, char *buf, size_t len)
{
	struct addr d;
	char as[80];

	dst_addr(&d, p->kind);
	snprintf(buf, len, "%s %s to %s", kind_name[p->kind],
		 p->side == CLIENT ? "client" : "server", fmt_addr(&d, as, sizeof(as)));
}

/* A socket reached CLOSE (or failed) where it must not: name the cause. */
static void wfail_sock(const struct pend *p, int st) __attribute__((noreturn));
static void wfail_sock(const struct pend *p, int st)
{
	char d[160];
	int soerr = 0;
	socklen_t l = sizeof(soerr);

	client_desc(p, d, sizeof(d));
	getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
	if (p->side == CLIENT && soerr) {
		struct addr a;
		char as[80];

		dst_addr(&a, p->kind);
		wfail("connect %s: %s", fmt_addr(&a, as, sizeof(as)), strerror(soerr));
	}
	if (st < 0)
		wfail("getsockopt(TCP_INFO) on %s: %s", d, strerror(-st));
	wfail("%s: unexpected state %s at step %d%s%s", d, sname(st), p->step,
	      soerr ? ": " : "", soerr ? strerror(soerr) : "");
}

static void new_client(int kind, long gidx)
{
	struct addr d, s;
	char as[80], ss[80];
	int fd;

	if (npend >= 2 * batch)
		wfail("internal: pending table full");
	dst_addr(&d, kind);
	fd = socket(client_af(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		wfail("socket for %s client: %s", kind_name[kind], strerror(errno));
	/* The fin-wait1 client is the writer: a small send buffer bounds the
	 * memory each such connection pins.  The last-ack client is the
	 * reader: its small receive buffer is what lets the server's window
	 * close.  Both must be set before connect() (window scale). */
	if (kind == K_FW1 && setint(fd, SOL_SOCKET, SO_SNDBUF, SMALL_BUF) < 0)
		wfail("setsockopt(SO_SNDBUF): %s", strerror(errno));
	if (kind == K_LA && setint(fd, SOL_SOCKET, SO_RCVBUF, SMALL_BUF) < 0)
		wfail("setsockopt(SO_RCVBUF): %s", strerror(errno));
	if (kind == K_SS) {
		/* Enough SYN retries to stay in SYN_SENT for the whole run:
		 * the default 6 last ~127 s (131 with the 4 linear 1 s
		 * timeouts of tcp_syn_linear_timeouts), each extra retry
		 * adds the 120 s RTO cap. */
		long life = cfg.timeout_s + cfg.max_hold_s + 60;
		long cnt = 6 + (life > 127 ? (life - 127 + 119) / 120 : 0);

		if (cnt > 127)
			cnt = 127;
		if (setint(fd, IPPROTO_TCP, TCP_SYNCNT, (int)cnt) < 0)
			wfail("setsockopt(TCP_SYNCNT): %s", strerror(errno));
	}
	if (nworkers > 1) {
		/* Each worker connects from its own slice of the ephemeral
		 * range: connect() then searches a few hundred ports instead
		 * of walking thousands that other workers already use.  Best
		 * effort: kernels before 6.3 just use the whole range. */
		long slice = (eph_hi - eph_lo + 1) / nworkers;

		if (slice >= 64) {
			uint32_t lo = (uint32_t)(eph_lo + slice * worker_idx);
			uint32_t hi = lo + (uint32_t)slice - 1;
			uint32_t r = lo | hi << 16;

			setsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &r, sizeof(r));
		}
	}
	if (nsrc > 1) {
		/* Let connect() pick the port for the full 4-tuple, so each
		 * source address gets its own ephemeral range. */
		src_addr(&s, (int)(gidx % nsrc));
		if (setint(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1) < 0)
			wfail("setsockopt(IP_BIND_ADDRESS_NO_PORT): %s", strerror(errno));
		if (bind(fd, (struct sockaddr *)&s.ss, s.len) < 0)
			wfail("bind %s: %s", fmt_addr(&s, ss, sizeof(ss)), strerror(errno));
	}
	if (connect(fd, (struct sockaddr *)&d.ss, d.len) < 0 && errno != EINPROGRESS) {
		if (nsrc > 1)
			wfail("connect %s from %s: %s", fmt_addr(&d, as, sizeof(as)),
			      fmt_addr(&s, ss, sizeof(ss)), strerror(errno));
		wfail("connect %s: %s", fmt_addr(&d, as, sizeof(as)), strerror(errno));
	}
	pend[npend++] = (struct pend){ fd, (uint8_t)kind, CLIENT, 0 };
}

/* Fill the send path without blocking.  Bounded: each call writes at most
 * 64 x 64 KiB, far more than the small buffers can take. */
static void fill(const struct pend *p)
{
	for (int i = 0; i < 64; i++) {
		ssize_t n = send(p->fd, zeros, sizeof(zeros), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		{
			char d[160];

			client_desc(p, d, sizeof(d));
			wfail("send on %s: %s", d, n < 0 ? strerror(errno) : "wrote 0");
		}
	}
}

/* The FIN must stay queued behind data the peer cannot take: unsent bytes
 * exist, the peer advertises a zero window, and nothing is in flight
 * (in-flight data would be retransmitted and could time the socket out;
 * a pure zero-window probe exchange lasts forever). */
static bool window_closed(const struct pend *p, const struct tcp_info *ti)
{
	int nsd = 0;

	if (ioctl(p->fd, SIOCOUTQNSD, &nsd) < 0) {
		char d[160];

		client_desc(p, d, sizeof(d));
		wfail("ioctl(SIOCOUTQNSD) on %s: %s", d, strerror(errno));
	}
	return nsd > 0 && ti->tcpi_snd_wnd == 0 && ti->tcpi_unacked == 0;
}

enum { WAIT, PROGRESS, DONE };

static int advance(struct pend *p)
{
	struct tcp_info ti;
	int st = tcp_state(p->fd, &ti);
	char c;

	if (st < 0)
		wfail_sock(p, st);
	if (p->side == CLIENT && st == ST_SYN_SENT && p->kind != K_SS)
		return WAIT;        /* handshake still running */

	switch (p->kind) {
	case K_EST:
	case K_SR:
		/* client; established/syn-recv server sockets need no step */
		if (st == ST_ESTABLISHED)
			return DONE;
		break;
	case K_SS:
		if (st == ST_SYN_SENT)
			return DONE;
		break;
	case K_CW:
		if (p->side == SERVER) {
			if (st == ST_ESTABLISHED)
				return WAIT;
			if (st == ST_CLOSE_WAIT)
				return DONE;
		} else if (p->step == 0 && st == ST_ESTABLISHED) {
			if (shutdown(p->fd, SHUT_WR) < 0)
				break;
			p->step = 1;
			return PROGRESS;
		} else if (p->step == 1) {
			if (st == ST_FIN_WAIT1)
				return WAIT;
			if (st == ST_FIN_WAIT2)
				return DONE;
		}
		break;
	case K_FW1:
		if (p->side == SERVER) {
			if (st == ST_ESTABLISHED)
				return DONE;    /* never reads */
		} else if (p->step == 0 && st == ST_ESTABLISHED) {
			fill(p);
			if (tcp_state(p->fd, &ti) == ST_ESTABLISHED && window_closed(p, &ti)) {
				if (shutdown(p->fd, SHUT_WR) < 0)
					break;
				p->step = 1;
				return PROGRESS;
			}
			return WAIT;
		} else if (p->step == 1 && st == ST_FIN_WAIT1) {
			return DONE;
		}
		break;
	case K_LA:
		if (p->side == CLIENT) {
			/* Never reads; half-closes at once.  Order against the
			 * server's filling does not matter. */
			if (p->step == 0 && st == ST_ESTABLISHED) {
				if (shutdown(p->fd, SHUT_WR) < 0)
					break;
				p->step = 1;
				return PROGRESS;
			}
			if (p->step == 1 && st == ST_FIN_WAIT1)
				return WAIT;
			if (p->step == 1 && st == ST_FIN_WAIT2)
				return DONE;
		} else if (p->step == 0 && (st == ST_ESTABLISHED || st == ST_CLOSE_WAIT)) {
			fill(p);
			if (tcp_state(p->fd, &ti) == ST_CLOSE_WAIT && window_closed(p, &ti)) {
				if (shutdown(p->fd, SHUT_WR) < 0)
					break;
				p->step = 1;
				return PROGRESS;
			}
			return WAIT;
		} else if (p->step == 1 && st == ST_LAST_ACK) {
			return DONE;
		}
		break;
	case K_TW:
		if (p->side == CLIENT) {
			if (p->step == 0 && st == ST_ESTABLISHED) {
				if (shutdown(p->fd, SHUT_WR) < 0)
					break;
				p->step = 1;
				return PROGRESS;
			}
			if (p->step == 1) {
				ssize_t n = recv(p->fd, &c, 1, MSG_DONTWAIT);

				if (n == 0) {
					p->step = 2;      /* EOF: the server's FIN arrived */
					return PROGRESS;
				}
				if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
					return WAIT;
				break;
			}
			/* CLOSE on the full socket means the kernel has already
			 * hashed the timewait sock that replaces it. */
			if (p->step == 2 && st == ST_CLOSE)
				return DONE;
			if (p->step == 2 && st == ST_TIME_WAIT)
				return WAIT;
		} else {
			if (p->step == 0 && st == ST_ESTABLISHED)
				return WAIT;
			if (p->step == 0 && st == ST_CLOSE_WAIT) {
				ssize_t n = recv(p->fd, &c, 1, MSG_DONTWAIT);

				if (n != 0 || shutdown(p->fd, SHUT_WR) < 0)
					break;
				p->step = 1;
				return PROGRESS;
			}
			if (p->step == 1 && st == ST_LAST_ACK)
				return WAIT;
			if (p->step == 1 && st == ST_CLOSE)
				return DONE;   /* the client's last ACK arrived */
		}
		break;
	default:
		break;
	}
	wfail_sock(p, st);
}

static const uint8_t target_state[NKIND][2] = {
	[K_LISTEN] = { ST_LISTEN, ST_LISTEN },
	[K_EST] = { ST_ESTABLISHED, ST_ESTABLISHED },
	[K_CW] = { ST_FIN_WAIT2, ST_CLOSE_WAIT },
	[K_FW1] = { ST_FIN_WAIT1, ST_ESTABLISHED },
	[K_LA] = { ST_FIN_WAIT2, ST_LAST_ACK },
	[K_TW] = { ST_CLOSE, ST_CLOSE },
	[K_SS] = { ST_SYN_SENT, 0 },
	[K_SR] = { ST_ESTABLISHED, 0 },
};

static void finish(const struct pend *p)
{
	if (p->kind == K_TW) {
		close(p->fd);   /* only the timewait sock remains */
		return;
	}
	if (nheld >= held_cap)
		wfail("internal: more sockets than planned");
	held[nheld++] = (struct held){ p->fd, p->kind, p->side,
				       target_state[p->kind][p->side] };
}

static void phase_timeout(int kind, long created, long n, long accepted, long quota)
{
	if (npend > 0) {
		struct pend *p = &pend[0];
		struct tcp_info ti;
		int st = tcp_state(p->fd, &ti);
		int nsd = -1;
		char d[160];

		ioctl(p->fd, SIOCOUTQNSD, &nsd);
		client_desc(p, d, sizeof(d));
		wfail("timeout after %ld s: %d %s sockets not in their target state "
		      "(first: %s in %s at step %d, snd_wnd %u, unsent %d, unacked %u)",
		      cfg.timeout_s, npend, kind_name[kind], d, sname(st), p->step,
		      ti.tcpi_snd_wnd, nsd, ti.tcpi_unacked);
	}
	wfail("timeout after %ld s building %s: %ld/%ld clients connected, "
	      "%ld/%ld server sockets accepted", cfg.timeout_s, kind_name[kind],
	      created, n, accepted, quota);
}

/* Build this worker's n sockets of one kind.  Clients are connected in a
 * window of `batch` in-flight sockets; the worker accepts exactly as many
 * connections as it made (never more than it has made so far, which is
 * what keeps the workers sharing a listener deadlock-free), and drives
 * every socket by polling its own TCP_INFO until it is in its target
 * state. */
static void run_phase(int kind, long n, long first)
{
	long created = 0, accepted = 0, quota = accepts(kind) ? n : 0;
	int lfd = listen_fd[kind];

	while (created < n || accepted < quota || npend > 0) {
		bool progress = false;

		if (now_ms() > deadline_ms)
			phase_timeout(kind, created, n, accepted, quota);
		while (created < n && npend < batch) {
			new_client(kind, first + created);
			created++;
			progress = true;
		}
		while (accepted < created && accepted < quota && npend < 2 * batch) {
			int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
				    errno == ECONNABORTED)
					break;
				wfail("accept on port %d: %s", cfg.port_base + kind,
				      strerror(errno));
			}
			pend[npend++] = (struct pend){ fd, (uint8_t)kind, SERVER, 0 };
			accepted++;
			progress = true;
		}
		for (int i = 0; i < npend;) {
			int r = advance(&pend[i]);

			if (r == DONE) {
				finish(&pend[i]);
				pend[i] = pend[--npend];
				progress = true;
				continue;
			}
			if (r == PROGRESS)
				progress = true;
			i++;
		}
		if (!progress) {
			/* Nothing moved: wait up to 1 ms for the kernel, waking
			 * early when a connection is ready to accept. */
			struct pollfd pf = { lfd, POLLIN, 0 };
			bool want_accept = accepted < created && accepted < quota;

			poll(want_accept ? &pf : NULL, want_accept ? 1 : 0, 1);
		}
	}
}

/* Tell the parent this worker reached barrier `stage`, then wait until
 * the parent, having heard from every worker, releases the next stage. */
static void barrier(int stage)
{
	wsend("%d B %d\n", worker_idx, stage);
	while (atomic_load(go_stage) <= stage) {
		if (now_ms() > deadline_ms + GRACE_MS)
			wfail("timeout waiting for the other workers (stage %d)", stage);
		poll(NULL, 0, 1);
	}
}

static void worker_main(int wi)
{
	long nl = cfg.n[K_LISTEN];
	int64_t t0 = now_ms();
	sigset_t all;

	worker_idx = wi;
	/* Never outlive the parent, even if it is SIGKILLed. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent_pid)
		_exit(1);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_IGN);     /* a terminal ^C goes to the parent, which stops us */
	signal(SIGPIPE, SIG_IGN);

	/* Drop what the parent holds for itself. */
	{
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (devnull >= 0) {
			dup2(devnull, 0);
			close(devnull);
		}
	}
	close(sig_fd);
	close(msg_pipe[0]);
	if (filler_fd >= 0)
		close(filler_fd);
	for (int k = 0; k < NKIND; k++)
		if (listen_fd[k] >= 0 && !accepts(k)) {
			close(listen_fd[k]);
			listen_fd[k] = -1;
		}

	held_cap = cfg.max_fds;
	held = calloc((size_t)held_cap, sizeof(*held));
	pend = calloc((size_t)(2 * batch), sizeof(*pend));
	if (!held || !pend)
		wfail("out of memory");

	/* Stage 0: idle listeners first, before any client takes a port. */
	{
		long cnt = share(nl, nworkers, wi), first = share_first(nl, nworkers, wi);
		char err[256];

		for (long i = 0; i < cnt; i++) {
			int fd = make_listener(K_LISTEN,
					       cfg.port_base + EXTRA_LISTEN_OFFSET + (int)(first + i),
					       16, err, sizeof(err));

			if (fd < 0)
				wfail("%s", err);
			held[nheld++] = (struct held){ fd, K_LISTEN, SERVER, ST_LISTEN };
		}
	}
	barrier(0);

	/* Stage 1: everything that lives as long as we hold it. */
	{
		static const int order[] = { K_EST, K_CW, K_FW1, K_LA, K_SR };

		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			int k = order[i];

			run_phase(k, share(cfg.n[k], nworkers, wi),
				  share_first(cfg.n[k], nworkers, wi));
		}
	}
	vlog("worker %d: stage 1 done in %.2f s (%ld fds)", wi,
	     (double)(now_ms() - t0) / 1000, nheld);
	barrier(1);

	/* Stage 2, started by all workers together right before the ready
	 * line: TIME_WAIT socks only live 60 s, and SYN_SENT ones count
	 * their retry budget from now. */
	run_phase(K_TW, share(cfg.n[K_TW], nworkers, wi), share_first(cfg.n[K_TW], nworkers, wi));
	run_phase(K_SS, share(cfg.n[K_SS], nworkers, wi), share_first(cfg.n[K_SS], nworkers, wi));

	/* Re-check everything once more: a socket that drifted (say a
	 * window reopened) must fail the run, not skew the counts. */
	for (long i = 0; i < nheld; i++) {
		struct tcp_info ti;
		int st = tcp_state(held[i].fd, &ti);

		if (st != held[i].state)
			wfail("%s %s socket drifted to %s (expected %s)",
			      kind_name[held[i].kind],
			      held[i].side == CLIENT ? "client" : "server", sname(st),
			      sname(held[i].state));
	}
	vlog("worker %d: done in %.2f s (%ld fds held)", wi,
	     (double)(now_ms() - t0) / 1000, nheld);
	wsend("%d B 2\n", wi);

	/* Hold until the parent kills us; the bound is only a safety net. */
	{
		int64_t end = deadline_ms + (cfg.max_hold_s + 60) * 1000;

		while (now_ms() < end)
			poll(NULL, 0, 1000);
	}
	_exit(0);
}

/* ---------------------------------------------------- diag cross-check */

static bool our_port(unsigned port)
{
	long off = (long)port - cfg.port_base;

	if (off >= 0 && off < NKIND)
		return cfg.n[off] > 0;
	return off >= EXTRA_LISTEN_OFFSET && off < EXTRA_LISTEN_OFFSET + cfg.n[K_LISTEN];
}

/* Count, per state, the TCP sockets of this namespace that use one of our
 * ports, as the kernel reports them (this includes TIME_WAIT and request
 * socks, which no fd shows).  Returns 0 or -errno. */
static int diag_count(long counts[NSTATE], char *err, size_t errlen)
{
	static char buf[65536];
	static const int fams[] = { AF_INET, AF_INET6 };

	memset(counts, 0, sizeof(long) * NSTATE);
	for (size_t f = 0; f < 2; f++) {
		struct {
			struct nlmsghdr nlh;
			struct inet_diag_req_v2 r;
		} req;
		struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
		int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
		bool done = false;
		long msgs = 0;

		if (fd < 0) {
			snprintf(err, errlen, "sock_diag socket: %s", strerror(errno));
			return -1;
		}
		memset(&req, 0, sizeof(req));
		req.nlh.nlmsg_len = sizeof(req);
		req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		req.nlh.nlmsg_seq = 1;
		req.r.sdiag_family = (uint8_t)fams[f];
		req.r.sdiag_protocol = IPPROTO_TCP;
		req.r.idiag_states = ~0U;
		if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			snprintf(err, errlen, "sock_diag send: %s", strerror(errno));
			close(fd);
			return -1;
		}
		/* Bounded: each message is one socket, and no namespace holds
		 * more than a few million. */
		while (!done && msgs < 100000000L) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			struct nlmsghdr *h;

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				snprintf(err, errlen, "sock_diag recv: %s",
					 n < 0 ? strerror(errno) : "unexpected end");
				close(fd);
				return -1;
			}
			for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
			     h = NLMSG_NEXT(h, n)) {
				const struct inet_diag_msg *m;

				msgs++;
				if (h->nlmsg_type == NLMSG_DONE) {
					done = true;
					break;
				}
				if (h->nlmsg_type == NLMSG_ERROR) {
					const struct nlmsgerr *e = NLMSG_DATA(h);

					snprintf(err, errlen, "sock_diag: %s", strerror(-e->error));
					close(fd);
					return -1;
				}
				if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
					continue;
				m = NLMSG_DATA(h);
				if (!our_port(ntohs(m->id.idiag_sport)) &&
				    !our_port(ntohs(m->id.idiag_dport)))
					continue;
				if (m->idiag_state < NSTATE)
					counts[m->idiag_state]++;
			}
		}
		close(fd);
	}
	return 0;
}

/* --------------------------------------------------------------- plan */

static void expected_counts(long e[NSTATE])
{
	const long *n = cfg.n;

	memset(e, 0, sizeof(long) * NSTATE);
	for (int k = 0; k < NKIND; k++)
		if (n[k] > 0)
			e[ST_LISTEN]++;
	e[ST_LISTEN] += n[K_LISTEN];
	e[ST_ESTABLISHED] = 2 * n[K_EST] + n[K_FW1] + (n[K_SS] > 0 ? 2 : 0) + n[K_SR];
	e[ST_SYN_SENT] = n[K_SS];
	e[ST_SYN_RECV] = n[K_SR];
	e[ST_FIN_WAIT1] = n[K_FW1];
	e[ST_FIN_WAIT2] = n[K_CW] + n[K_LA];
	e[ST_TIME_WAIT] = n[K_TW];
	e[ST_CLOSE_WAIT] = n[K_CW];
	e[ST_LAST_ACK] = n[K_LA];
}

/* fds the busiest worker (worker 0) needs with w workers. */
static long worker_need(int w)
{
	long need = FD_OVERHEAD + share(cfg.n[K_LISTEN], w, 0) + share(cfg.n[K_SS], w, 0) +
		    share(cfg.n[K_SR], w, 0);

	for (int k = K_EST; k <= K_LA; k++)
		need += 2 * share(cfg.n[k], w, 0);
	if (cfg.n[K_TW] > 0)
		need += 2L * batch;
	return need;
}

static void usage(FILE *f)
{
	fputs(
"usage: popgen [options]\n"
"Build an exact population of TCP sockets on loopback, print one\n"
"'ready {json}' line on stdout, hold it until stdin reaches EOF, SIGTERM,\n"
"SIGINT or --max-hold, then clean up and exit 0.  Counts created:\n"
"  --listen N        N extra idle listeners           -> N+1 LISTEN (P+0 + N extras)\n"
"  --established N   connections held open            -> 2N ESTABLISHED\n"
"  --close-wait N    client shutdown(SHUT_WR)         -> N CLOSE_WAIT + N FIN_WAIT2\n"
"  --fin-wait1 N     FIN queued behind a zero window  -> N FIN_WAIT1 + N ESTABLISHED\n"
"  --last-ack N      server FIN behind a zero window  -> N LAST_ACK + N FIN_WAIT2\n"
"  --time-wait N     client closes first              -> N TIME_WAIT (kernel keeps them 60 s)\n"
"  --syn-sent N      SYNs to a full accept queue      -> N SYN_SENT + 2 ESTABLISHED\n"
"  --syn-recv N      TCP_DEFER_ACCEPT, clients silent -> N SYN_RECV + N ESTABLISHED\n"
"Each other kind with N > 0 also adds exactly one LISTEN socket of its own.\n"
"Ports (P = --port-base): P+0 listen (its N extras on P+100..P+100+N-1),\n"
"  P+1 established, P+2 close-wait, P+3 fin-wait1, P+4 last-ack,\n"
"  P+5 time-wait, P+6 syn-sent, P+7 syn-recv.\n"
"Options:\n"
"  -4 | -6 | --mapped  127.0.0.1 (default) | ::1 | IPv4 clients to a dual-stack\n"
"                    listener on :: (server sockets show ::ffff:127.0.0.1)\n"
"  --port-base P     first listening port (default 20000)\n"
"  --max-fds F       most fds per process (default 16000); sockets are spread\n"
"                    over forked workers so that none exceeds it\n"
"  --src-addrs K     client sources 127.0.0.1..127.0.0.K round robin (default:\n"
"                    enough that one source uses at most 20000 ports per port)\n"
"  --timeout S       fail (exit 1) if not ready within S seconds (default 120)\n"
"  --max-hold S      exit by itself after holding S seconds (default 900)\n"
"  -v, --verbose     progress on stderr\n"
"  -h, --help        this text\n"
"May set net.core.somaxconn, net.ipv4.tcp_max_tw_buckets, tcp_tw_reuse and\n"
"tcp_rfc1337 in the current namespace while it runs (restored on exit).\n", f);
}

static long parse_num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "popgen: invalid %s value '%s' (expected %ld..%ld)\n",
			opt, s, lo, hi);
		exit(1);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	enum { O_PORT = 256, O_MAXFDS, O_SRC, O_TIMEOUT, O_HOLD, O_MAPPED, O_KIND };
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, O_KIND + K_LISTEN },
		{ "established", required_argument, NULL, O_KIND + K_EST },
		{ "close-wait", required_argument, NULL, O_KIND + K_CW },
		{ "fin-wait1", required_argument, NULL, O_KIND + K_FW1 },
		{ "last-ack", required_argument, NULL, O_KIND + K_LA },
		{ "time-wait", required_argument, NULL, O_KIND + K_TW },
		{ "syn-sent", required_argument, NULL, O_KIND + K_SS },
		{ "syn-recv", required_argument, NULL, O_KIND + K_SR },
		{ "mapped", no_argument, NULL, O_MAPPED },
		{ "port-base", required_argument, NULL, O_PORT },
		{ "max-fds", required_argument, NULL, O_MAXFDS },
		{ "src-addrs", required_argument, NULL, O_SRC },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "max-hold", required_argument, NULL, O_HOLD },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "46vh", lo, NULL)) != -1) {
		if (c >= O_KIND && c < O_KIND + NKIND) {
			int k = c - O_KIND;
			char name[32];

			snprintf(name, sizeof(name), "--%s", kind_name[k]);
			cfg.n[k] = parse_num(name, optarg, 0, MAX_COUNT);
			continue;
		}
		switch (c) {
		case '4': cfg.fam = FAM4; break;
		case '6': cfg.fam = FAM6; break;
		case O_MAPPED: cfg.fam = FAMMAPPED; break;
		case O_PORT: cfg.port_base = (int)parse_num("--port-base", optarg, 1, 65535 - NKIND); break;
		case O_MAXFDS: cfg.max_fds = parse_num("--max-fds", optarg, 128, 1L << 30); break;
		case O_SRC: cfg.src_addrs = (int)parse_num("--src-addrs", optarg, 1, 254); break;
		case O_TIMEOUT: cfg.timeout_s = parse_num("--timeout", optarg, 1, 86400); break;
		case O_HOLD: cfg.max_hold_s = parse_num("--max-hold", optarg, 0, 30L * 86400); break;
		case 'v': cfg.verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(1);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "popgen: unexpected argument '%s'\n", argv[optind]);
		exit(1);
	}
	if (cfg.n[K_LISTEN] > 0 &&
	    cfg.port_base + EXTRA_LISTEN_OFFSET + cfg.n[K_LISTEN] - 1 > 65535) {
		fprintf(stderr, "popgen: --listen %ld with --port-base %d needs ports past 65535\n",
			cfg.n[K_LISTEN], cfg.port_base);
		exit(1);
	}
}

/* Timewait socks that exist in this namespace now (/proc/net/sockstat). */
static long tw_in_use(void)
{
	FILE *f = fopen("/proc/net/sockstat", "re");
	char line[256];
	long tw = 0;

	if (!f)
		return 0;
	/* Bounded by the file: a handful of lines. */
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, " tw ");

		if (strncmp(line, "TCP:", 4) == 0 && p)
			tw = strtol(p + 4, NULL, 10);
	}
	fclose(f);
	return tw;
}

/* Source addresses, workers, batch size and sysctls. */
static void plan(void)
{
	long lo, hi, range, somax = 4096, total_fds = 0, ncpu;
	struct rlimit rl;
	int wmin;

	{
		FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

		if (f) {
			if (fscanf(f, "%ld %ld", &eph_lo, &eph_hi) != 2 || eph_lo < 1 ||
			    eph_hi > 65535 || eph_hi < eph_lo) {
				eph_lo = 32768;
				eph_hi = 60999;
			}
			fclose(f);
		}
	}
	lo = eph_lo;
	hi = eph_hi;
	range = hi - lo + 1;
	if (range < 256)
		die("ephemeral port range %ld-%ld is too small", lo, hi);

	/* Source addresses: each kind connects to its own port, so the
	 * 4-tuple budget is per kind: ports-per-source x sources. */
	{
		long per_src = PORTS_PER_SRC < range * 2 / 5 ? PORTS_PER_SRC : range * 2 / 5;
		long most = 0;
		int need;

		for (int k = K_EST; k < NKIND; k++)
			if (cfg.n[k] > most)
				most = cfg.n[k];
		need = (int)((most + per_src - 1) / per_src);
		if (need < 1)
			need = 1;
		if (cfg.fam == FAM6) {
			if (most > range * 9 / 10)
				die("-6 has only ::1 as source address; %ld connections to one "
				    "port need more than its %ld ephemeral ports (use -4 or --mapped "
				    "with --src-addrs)", most, range);
			if (cfg.src_addrs > 1)
				vlog("--src-addrs ignored with -6 (only ::1)");
			nsrc = 1;
		} else if (cfg.src_addrs > 0) {
			nsrc = cfg.src_addrs;
			if (most > (long)nsrc * (range * 9 / 10))
				die("%ld connections to one port need more than %d source address%s "
				    "(%ld ephemeral ports each): raise --src-addrs",
				    most, nsrc, nsrc > 1 ? "es" : "", range);
		} else {
			if (need > 254)
				die("%ld connections to one port need %d source addresses (most 254)",
				    most, need);
			nsrc = need;
		}
	}

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("getrlimit: %s", strerror(errno));
	if (rl.rlim_max != RLIM_INFINITY && (rlim_t)cfg.max_fds > rl.rlim_max)
		die("--max-fds %ld exceeds the hard open-file limit %llu", cfg.max_fds,
		    (unsigned long long)rl.rlim_max);
	/* The kernel then enforces the per-process bound for us. */
	rl.rlim_cur = (rlim_t)cfg.max_fds;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit(RLIMIT_NOFILE, %ld): %s", cfg.max_fds, strerror(errno));

	read_sysctl("/proc/sys/net/core/somaxconn", &somax);
	batch = (int)((cfg.max_fds - FD_OVERHEAD) / 8);
	if (batch > 256)
		batch = 256;
	if (batch < 8)
		batch = 8;

	total_fds = cfg.n[K_LISTEN] + cfg.n[K_SS] + cfg.n[K_SR];
	for (int k = K_EST; k <= K_LA; k++)
		total_fds += 2 * cfg.n[k];
	wmin = (int)((total_fds + (cfg.max_fds - FD_OVERHEAD - 2 * batch) - 1) /
		     (cfg.max_fds - FD_OVERHEAD - 2 * batch));
	/* Big populations: at least one worker per CPU so they build in
	 * parallel. */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (total_fds >= 20000 && ncpu > wmin)
		wmin = (int)(ncpu < MAX_WORKERS ? ncpu : MAX_WORKERS);
	if (wmin < 1)
		wmin = 1;
	nworkers = 0;
	for (int w = wmin; w <= MAX_WORKERS; w++)
		if (worker_need(w) <= cfg.max_fds) {
			nworkers = w;
			break;
		}
	if (!nworkers)
		die("cannot fit the population into %d workers of --max-fds %ld",
		    MAX_WORKERS, cfg.max_fds);
	/* Keep all workers' in-flight connections within the accept backlog,
	 * so no handshake is dropped and retried a second later. */
	if ((long)nworkers * batch * 2 > somax) {
		long b = somax / (2L * nworkers);

		batch = (int)(b < 8 ? 8 : b);
	}

	if (cfg.n[K_SR] > 0 && cfg.n[K_SR] + 64 > somax) {
		/* A request sock is only kept while the listener's queue is
		 * not full; beyond it the kernel answers with a syncookie and
		 * keeps nothing. */
		long want = cfg.n[K_SR] + 64;
		int err = set_sysctl("/proc/sys/net/core/somaxconn", somax, want);

		if (err)
			die("--syn-recv %ld needs net.core.somaxconn >= %ld (is %ld) and "
			    "writing /proc/sys/net/core/somaxconn failed: %s",
			    cfg.n[K_SR], want, somax, strerror(-err));
	}
	if (cfg.n[K_TW] > 0) {
		/* The bucket limit counts every timewait sock of the namespace,
		 * including those an earlier run left behind. */
		long cur = 0, reuse = 0, rfc = 0, want = cfg.n[K_TW] + 1024 + tw_in_use();
		int err;

		if (read_sysctl("/proc/sys/net/ipv4/tcp_max_tw_buckets", &cur) == 0 &&
		    cur < want) {
			err = set_sysctl("/proc/sys/net/ipv4/tcp_max_tw_buckets", cur, want);
			if (err)
				die("--time-wait %ld needs net.ipv4.tcp_max_tw_buckets >= %ld "
				    "(is %ld) and writing it failed: %s", cfg.n[K_TW],
				    want, cur, strerror(-err));
		}
		if (read_sysctl("/proc/sys/net/ipv4/tcp_tw_reuse", &reuse) == 0 && reuse != 0) {
			err = set_sysctl("/proc/sys/net/ipv4/tcp_tw_reuse", reuse, 0);
			if (err)
				fprintf(stderr, "popgen: warning: cannot set net.ipv4.tcp_tw_reuse "
					"to 0 (%s); TIME_WAIT socks older than 1 s may be reused "
					"by later connects\n", strerror(-err));
		}
		/* Loopback segments sit in per-CPU backlogs, so a client's
		 * handshake ACK can be overtaken by its FIN and arrive after
		 * the server socket is gone; the listener answers it with a
		 * RST, which kills the TIME_WAIT sock (seen with several
		 * workers).  RFC 1337 behaviour makes timewait ignore RSTs. */
		if (read_sysctl("/proc/sys/net/ipv4/tcp_rfc1337", &rfc) == 0 && rfc == 0) {
			err = set_sysctl("/proc/sys/net/ipv4/tcp_rfc1337", rfc, 1);
			if (err)
				fprintf(stderr, "popgen: warning: cannot set net.ipv4.tcp_rfc1337 "
					"to 1 (%s); a stray RST may kill TIME_WAIT socks\n",
					strerror(-err));
		}
	}
	vlog("plan: %d worker(s), batch %d, %d source address(es), <= %ld fds per worker",
	     nworkers, batch, nsrc, worker_need(nworkers));
}

/* Listeners for every kind in use, and the syn-sent filler connection. */
static void make_listeners(void)
{
	char err[256];
	long somax = 4096;

	read_sysctl("/proc/sys/net/core/somaxconn", &somax);
	for (int k = 0; k < NKIND; k++) {
		int backlog = somax > INT_MAX ? INT_MAX : (int)somax;

		if (cfg.n[k] == 0)
			continue;
		if (k == K_SS)
			backlog = 0;    /* one queued connection fills it */
		else if (k == K_SR)
			backlog = (int)(cfg.n[K_SR] + 64);
		listen_fd[k] = make_listener(k, cfg.port_base + k, backlog, err, sizeof(err));
		if (listen_fd[k] < 0)
			die("%s", err);
	}
	if (cfg.n[K_SS] > 0) {
		/* The filler: completes the handshake and is never accepted, so
		 * the backlog-0 accept queue stays full and the listener drops
		 * every further SYN. */
		struct addr d;
		char as[80];
		struct pollfd pf = { listen_fd[K_SS], POLLIN, 0 };
		struct tcp_info ti;
		int64_t end = now_ms() + cfg.timeout_s * 1000;

		dst_addr(&d, K_SS);
		filler_fd = socket(client_af(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (filler_fd < 0)
			die("socket: %s", strerror(errno));
		if (connect(filler_fd, (struct sockaddr *)&d.ss, d.len) < 0 && errno != EINPROGRESS)
			die("connect %s: %s", fmt_addr(&d, as, sizeof(as)), strerror(errno));
		/* Readable listener = the child sits in the accept queue. */
		while (poll(&pf, 1, 1) == 0 || tcp_state(filler_fd, &ti) != ST_ESTABLISHED)
			if (now_ms() > end)
				die("timeout: syn-sent filler connection to %s not queued",
				    fmt_addr(&d, as, sizeof(as)));
	}
}

/* ---------------------------------------------------------------- main */

static int nbarrier[3];

/* Read worker messages; returns false on EOF.  Dies on a worker error. */
static void read_msgs(void)
{
	static char buf[8192];
	static size_t have;
	ssize_t n = read(msg_pipe[0], buf + have, sizeof(buf) - 1 - have);
	char *line, *nl;

	if (n <= 0)
		return;
	have += (size_t)n;
	buf[have] = 0;
	line = buf;
	while ((nl = strchr(line, '\n')) != NULL) {
		int wi = -1, stage = -1, off = 0;
		char type = 0;

		*nl = 0;
		if (sscanf(line, "%d %c %n", &wi, &type, &off) >= 2) {
			if (type == 'E')
				die("%s", line + off);
			if (type == 'B' && sscanf(line + off, "%d", &stage) == 1 &&
			    stage >= 0 && stage < 3)
				nbarrier[stage]++;
		}
		line = nl + 1;
	}
	have -= (size_t)(line - buf);
	memmove(buf, line, have);
	if (have >= sizeof(buf) - 1)
		have = 0;       /* garbage without newline: drop it */
}

/* Reap dead workers; any death before we stop them is fatal. */
static void reap(bool fatal)
{
	for (int i = 0; i < nworkers; i++) {
		int status;
		pid_t r;

		if (!worker_alive[i])
			continue;
		r = waitpid(worker_pid[i], &status, WNOHANG);
		if (r != worker_pid[i])
			continue;
		worker_alive[i] = false;
		if (!fatal)
			continue;
		/* Its error line, if any, is already in the pipe. */
		read_msgs();
		if (WIFSIGNALED(status))
			die("worker %d (pid %d) killed by signal %d", i, (int)worker_pid[i],
			    WTERMSIG(status));
		die("worker %d (pid %d) exited with status %d", i, (int)worker_pid[i],
		    WEXITSTATUS(status));
	}
}

/* One signalfd read; returns the signal number or 0. */
static int read_signal(void)
{
	struct signalfd_siginfo si;

	if (read(sig_fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

static void print_ready(const long e[NSTATE])
{
	long total = 0;

	for (int s = 1; s < NSTATE; s++)
		total += e[s];
	printf("ready {");
	for (size_t i = 0; i < sizeof(json_order) / sizeof(json_order[0]); i++)
		printf("%s\"%s\":%ld", i ? "," : "", json_key[json_order[i]], e[json_order[i]]);
	printf(",\"total\":%ld,\"workers\":%d}\n", total, nworkers);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	long exp_counts[NSTATE], got[NSTATE];
	int64_t t0 = now_ms(), hold_end;
	sigset_t mask;
	int stage = 0;

	parse_args(argc, argv);
	/* Inherited descriptors would count against --max-fds in every
	 * worker and could keep a caller's pipe open behind its back. */
	close_range(3, ~0U, 0);
	parent_pid = getpid();
	signal(SIGPIPE, SIG_IGN);
	/* Signals arrive through a signalfd, so nothing interrupts us. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sig_fd < 0)
		die("signalfd: %s", strerror(errno));

	plan();
	deadline_ms = t0 + cfg.timeout_s * 1000;
	expected_counts(exp_counts);
	make_listeners();

	if (pipe2(msg_pipe, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	fcntl(msg_pipe[0], F_SETFL, O_NONBLOCK);
	go_stage = mmap(NULL, sizeof(*go_stage), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (go_stage == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	atomic_store(go_stage, 0);
	worker_pid = calloc((size_t)nworkers, sizeof(*worker_pid));
	worker_alive = calloc((size_t)nworkers, sizeof(*worker_alive));
	if (!worker_pid || !worker_alive)
		die("out of memory");
	for (int i = 0; i < nworkers; i++) {
		pid_t pid;

		fflush(stdout);
		fflush(stderr);
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0)
			worker_main(i);
		worker_pid[i] = pid;
		worker_alive[i] = true;
	}
	close(msg_pipe[1]);
	msg_pipe[1] = -1;

	/* Drive the barriers: stage 0 (listeners), 1 (long-lived sockets),
	 * 2 (time-wait and syn-sent, then verified). */
	while (stage < 3) {
		struct pollfd pf[2] = { { msg_pipe[0], POLLIN, 0 }, { sig_fd, POLLIN, 0 } };
		int64_t left = deadline_ms + GRACE_MS - now_ms();

		if (left <= 0)
			die("timeout after %ld s: %d of %d workers finished stage %d",
			    cfg.timeout_s, nbarrier[stage], nworkers, stage);
		poll(pf, 2, (int)(left > 1000 ? 1000 : left));
		if (pf[0].revents)
			read_msgs();
		if (pf[1].revents) {
			int sig = read_signal();

			if (sig == SIGTERM || sig == SIGINT)
				die("interrupted by signal %d before ready", sig);
		}
		reap(true);
		while (stage < 3 && nbarrier[stage] == nworkers) {
			vlog("stage %d done after %.2f s", stage, (double)(now_ms() - t0) / 1000);
			stage++;
			atomic_store(go_stage, stage);
		}
	}

	/* Cross-check with the kernel's own view.  A deficit means sockets
	 * we counted do not exist (syncookies, timewait overflow, reuse) and
	 * fails the run; a surplus is someone else's socket on our ports. */
	for (int attempt = 0;; attempt++) {
		char err[256];
		bool short_of = false;

		if (diag_count(got, err, sizeof(err)) < 0)
			die("%s", err);
		for (int s = 1; s < NSTATE; s++)
			if (got[s] < exp_counts[s])
				short_of = true;
		if (!short_of)
			break;
		if (attempt >= 20 || now_ms() > deadline_ms) {
			for (int s = 1; s < NSTATE; s++)
				if (got[s] < exp_counts[s])
					die("kernel shows %ld %s sockets on popgen's ports, expected %ld",
					    got[s], state_name[s], exp_counts[s]);
		}
		poll(NULL, 0, 100);
	}
	for (int s = 1; s < NSTATE; s++)
		if (got[s] > exp_counts[s])
			fprintf(stderr, "popgen: warning: %ld extra %s sockets on popgen's ports "
				"(not ours; left from an earlier run?)\n",
				got[s] - exp_counts[s], state_name[s]);
	vlog("ready after %.2f s", (double)(now_ms() - t0) / 1000);
	print_ready(exp_counts);

	/* Hold. */
	hold_end = now_ms() + cfg.max_hold_s * 1000;
	{
		struct pollfd pf[3] = {
			{ 0, POLLIN, 0 }, { sig_fd, POLLIN, 0 }, { msg_pipe[0], POLLIN, 0 },
		};
		bool stop = false;

		while (!stop) {
			int64_t left = hold_end - now_ms();
			char buf[4096];

			if (left <= 0) {
				vlog("--max-hold reached");
				break;
			}
			poll(pf, 3, (int)(left > 1000 ? 1000 : left));
			if (pf[0].revents & POLLNVAL) {
				pf[0].fd = -1;      /* no stdin at all: hold until signal */
			} else if (pf[0].revents) {
				ssize_t n = read(0, buf, sizeof(buf));

				if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
					vlog("stdin closed");
					stop = true;
				}
			}
			if (pf[1].revents) {
				int sig = read_signal();

				if (sig == SIGTERM || sig == SIGINT) {
					vlog("signal %d", sig);
					stop = true;
				}
			}
			if (pf[2].revents & POLLIN)
				read_msgs();
			if (pf[2].revents & (POLLHUP | POLLERR))
				pf[2].fd = -1;
			/* A worker dying now would silently change the counts. */
			reap(true);
		}
	}
	kill_workers();
	close_parent_fds();
	restore_sysctls();
	close(msg_pipe[0]);
	munmap((void *)go_stage, sizeof(*go_stage));
	close(sig_fd);
	free(worker_pid);
	free(worker_alive);
	return 0;
}
