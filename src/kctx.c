/* SPDX-License-Identifier: MIT */
/*
 * kctx: the namespace's kernel context for doctor, read live from its
 * /proc files or decoded from a recording's RECFILE_CONTEXT block.  The
 * decoder is the only reader of those bytes and trusts none of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kctx.h"

#define KCTX_FORMAT	1u

static const char *const paths[KCTX_NFILES] = {
	[KCTX_RESERVED]    = "/proc/sys/net/ipv4/ip_local_reserved_ports",
	[KCTX_TW_REUSE]    = "/proc/sys/net/ipv4/tcp_tw_reuse",
	[KCTX_SOMAXCONN]   = "/proc/sys/net/core/somaxconn",
	[KCTX_NETSTAT]     = "/proc/thread-self/net/netstat",
	[KCTX_MAX_TW]      = "/proc/sys/net/ipv4/tcp_max_tw_buckets",
	[KCTX_SYNCOOKIES]  = "/proc/sys/net/ipv4/tcp_syncookies",
	[KCTX_MAX_ORPHANS] = "/proc/sys/net/ipv4/tcp_max_orphans",
};

void kctx_files_init(struct kctx_files *f)
{
	for (int i = 0; i < KCTX_NFILES; i++)
		f->fd[i] = -1;
}

int kctx_open_ns(struct kctx_files *f)
{
	for (int i = 0; i < KCTX_NFILES; i++)
		if (i != KCTX_MAX_ORPHANS && f->fd[i] < 0)
			f->fd[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
	return 0;
}

int kctx_open_host(struct kctx_files *f)
{
	if (f->fd[KCTX_MAX_ORPHANS] < 0)
		f->fd[KCTX_MAX_ORPHANS] = open(paths[KCTX_MAX_ORPHANS], O_RDONLY | O_CLOEXEC);
	return 0;
}

void kctx_files_close(struct kctx_files *f)
{
	for (int i = 0; i < KCTX_NFILES; i++) {
		if (f->fd[i] >= 0)
			close(f->fd[i]);
		f->fd[i] = -1;
	}
}

/* The whole file @fd into @buf, NUL-terminated; false when unreadable. */
static bool file_read(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return false;
	while (n + 1 < len && (r = pread(fd, buf + n, len - 1 - n, (off_t)n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n > 0;
}

void kctx_read(const struct kctx_files *f, uint16_t lo, uint16_t hi, struct doctor_ns *ns)
{
	char buf[16384];
	unsigned long long v;
	int iv;

	memset(ns, 0, sizeof(*ns));
	if (hi) {
		long r = 0;

		ns->has_range = true;
		ns->eph_lo = lo;
		ns->eph_hi = hi;
		if (file_read(f->fd[KCTX_RESERVED], buf, sizeof(buf)))
			r = doctor_reserved_count(buf, lo, hi);
		ns->reserved = r > 0 ? (uint32_t)r : 0;
	}
	/* The kernel holds both to 0..2 (proc_dointvec_minmax). */
	if (file_read(f->fd[KCTX_TW_REUSE], buf, sizeof(buf)) && sscanf(buf, "%d", &iv) == 1 &&
	    iv >= 0 && iv <= 2) {
		ns->has_tw_reuse = true;
		ns->tw_reuse = iv;
	}
	if (file_read(f->fd[KCTX_SOMAXCONN], buf, sizeof(buf)) && sscanf(buf, "%llu", &v) == 1) {
		ns->has_somaxconn = true;
		ns->somaxconn = v;
	}
	if (file_read(f->fd[KCTX_MAX_TW], buf, sizeof(buf)) && sscanf(buf, "%llu", &v) == 1) {
		ns->has_max_tw = true;
		ns->max_tw = v;
	}
	if (file_read(f->fd[KCTX_MAX_ORPHANS], buf, sizeof(buf)) && sscanf(buf, "%llu", &v) == 1) {
		ns->has_max_orphans = true;
		ns->max_orphans = v;
	}
	if (file_read(f->fd[KCTX_SYNCOOKIES], buf, sizeof(buf)) && sscanf(buf, "%d", &iv) == 1 &&
	    iv >= 0 && iv <= 2) {
		ns->has_syncookies = true;
		ns->syncookies = iv;
	}
	if (file_read(f->fd[KCTX_NETSTAT], buf, sizeof(buf)))
		doctor_netstat_parse(buf, ns);
}

/* The keys, in the order they are written. */
enum key {
	K_RESERVED,
	K_TW_REUSE,
	K_SOMAXCONN,
	K_MAX_TW,
	K_MAX_ORPHANS,
	K_SYNCOOKIES,
	K_OVERFLOWS,
	K_DROPS,
	K_TW_OVERFLOW,
	K_COOKIES_SENT,
	K_COUNT
};

static const struct {
	const char *name;
	uint64_t max;		/* the largest value that is not damage */
} keys[K_COUNT] = {
	[K_RESERVED]     = { "ip_local_reserved_ports", 65536 },
	[K_TW_REUSE]     = { "tcp_tw_reuse", 2 },
	[K_SOMAXCONN]    = { "somaxconn", UINT64_MAX },
	[K_MAX_TW]       = { "tcp_max_tw_buckets", UINT64_MAX },
	[K_MAX_ORPHANS]  = { "tcp_max_orphans", UINT64_MAX },
	[K_SYNCOOKIES]   = { "tcp_syncookies", 2 },
	[K_OVERFLOWS]    = { "TcpExt.ListenOverflows", UINT64_MAX },
	[K_DROPS]        = { "TcpExt.ListenDrops", UINT64_MAX },
	[K_TW_OVERFLOW]  = { "TcpExt.TCPTimeWaitOverflow", UINT64_MAX },
	[K_COOKIES_SENT] = { "TcpExt.SyncookiesSent", UINT64_MAX },
};

int kctx_encode(const struct doctor_ns *ns, char *buf, size_t len)
{
	bool has[K_COUNT] = {
		[K_RESERVED] = ns->has_range,
		[K_TW_REUSE] = ns->has_tw_reuse && ns->tw_reuse >= 0 && ns->tw_reuse <= 2,
		[K_SOMAXCONN] = ns->has_somaxconn,
		[K_MAX_TW] = ns->has_max_tw,
		[K_MAX_ORPHANS] = ns->has_max_orphans,
		[K_SYNCOOKIES] = ns->has_syncookies && ns->syncookies >= 0 && ns->syncookies <= 2,
		[K_OVERFLOWS] = ns->has_netstat,
		[K_DROPS] = ns->has_netstat,
		[K_TW_OVERFLOW] = ns->has_tw_overflow,
		[K_COOKIES_SENT] = ns->has_cookies_sent,
	};
	uint64_t v[K_COUNT] = {
		[K_RESERVED] = ns->reserved,
		[K_TW_REUSE] = (uint64_t)(ns->tw_reuse > 0 ? ns->tw_reuse : 0),
		[K_SOMAXCONN] = ns->somaxconn,
		[K_MAX_TW] = ns->max_tw,
		[K_MAX_ORPHANS] = ns->max_orphans,
		[K_SYNCOOKIES] = (uint64_t)(ns->syncookies > 0 ? ns->syncookies : 0),
		[K_OVERFLOWS] = ns->listen_overflows,
		[K_DROPS] = ns->listen_drops,
		[K_TW_OVERFLOW] = ns->tw_overflow,
		[K_COOKIES_SENT] = ns->cookies_sent,
	};
	size_t n;
	int w;

	w = snprintf(buf, len, "format=%u\n", KCTX_FORMAT);
	if (w < 0 || (size_t)w >= len)
		return -ENOSPC;
	n = (size_t)w;
	for (int k = 0; k < K_COUNT; k++) {
		if (!has[k])
			continue;
		w = snprintf(buf + n, len - n, "%s=%" PRIu64 "\n", keys[k].name, v[k]);
		if (w < 0 || (size_t)w >= len - n)
			return -ENOSPC;
		n += (size_t)w;
	}
	return (int)n;
}

static int bad(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static bool key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '.';
}

/* Decimal @s of @n bytes into *v: digits only, no leading zero, no
 * overflow. */
static bool number(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

int kctx_decode(const void *p, size_t len, uint16_t lo, uint16_t hi, struct doctor_ns *ns,
		char *err, size_t errlen)
{
	const char *s = p, *end = s + len;
	bool seen[K_COUNT] = { false };
	uint64_t v[K_COUNT] = { 0 };
	unsigned line = 0;

	memset(ns, 0, sizeof(*ns));
	if (len == 0 || len > KCTX_MAX)
		return bad(err, errlen, -EBADMSG, "kernel context of %zu bytes (1 to %u expected)",
			   len, KCTX_MAX);
	if (s[len - 1] != '\n')
		return bad(err, errlen, -EBADMSG, "kernel context does not end with a newline");
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eq = memchr(s, '=', (size_t)(nl - s));
		size_t klen;
		uint64_t x;
		int k;

		line++;
		if (!eq)
			return bad(err, errlen, -EBADMSG, "kernel context line %u is not key=value", line);
		klen = (size_t)(eq - s);
		if (klen == 0 || klen > 64)
			return bad(err, errlen, -EBADMSG, "kernel context line %u: key of %zu bytes",
				   line, klen);
		for (size_t i = 0; i < klen; i++)
			if (!key_char(s[i]))
				return bad(err, errlen, -EBADMSG,
					   "kernel context line %u: byte 0x%02x in its key", line,
					   (unsigned char)s[i]);
		/* The key is known printable from here: it may be quoted. */
		if (!number(eq + 1, (size_t)(nl - eq - 1), &x))
			return bad(err, errlen, -EBADMSG,
				   "kernel context line %u: %.*s is not a decimal number", line,
				   (int)klen, s);
		if (line == 1) {
			if (klen != 6 || memcmp(s, "format", 6) != 0)
				return bad(err, errlen, -EBADMSG,
					   "kernel context begins with %.*s, not format", (int)klen, s);
			if (x != KCTX_FORMAT)
				return bad(err, errlen, -EPROTO,
					   "kernel context format %" PRIu64 ", this portstat reads %u",
					   x, KCTX_FORMAT);
			s = nl + 1;
			continue;
		}
		for (k = 0; k < K_COUNT; k++)
			if (strlen(keys[k].name) == klen && memcmp(keys[k].name, s, klen) == 0)
				break;
		/* Unknown keys: a later portstat's additions. */
		if (k < K_COUNT) {
			if (seen[k])
				return bad(err, errlen, -EBADMSG, "kernel context line %u: %s twice",
					   line, keys[k].name);
			if (x > keys[k].max)
				return bad(err, errlen, -EBADMSG,
					   "kernel context line %u: %s %" PRIu64 " (at most %" PRIu64 ")",
					   line, keys[k].name, x, keys[k].max);
			seen[k] = true;
			v[k] = x;
		}
		s = nl + 1;
	}
	if (seen[K_OVERFLOWS] != seen[K_DROPS])
		return bad(err, errlen, -EBADMSG,
			   "kernel context has %s without %s",
			   keys[seen[K_DROPS] ? K_DROPS : K_OVERFLOWS].name,
			   keys[seen[K_DROPS] ? K_OVERFLOWS : K_DROPS].name);
	if (hi) {
		uint64_t size = (uint64_t)hi - lo + 1;

		if (v[K_RESERVED] > size)
			return bad(err, errlen, -EBADMSG,
				   "kernel context: %" PRIu64 " reserved ports in the %" PRIu64
				   "-port range %u-%u", v[K_RESERVED], size, lo, hi);
		ns->has_range = true;
		ns->eph_lo = lo;
		ns->eph_hi = hi;
		ns->reserved = (uint32_t)v[K_RESERVED];
	}
	ns->has_tw_reuse = seen[K_TW_REUSE];
	ns->tw_reuse = (int)v[K_TW_REUSE];
	ns->has_somaxconn = seen[K_SOMAXCONN];
	ns->somaxconn = v[K_SOMAXCONN];
	ns->has_max_tw = seen[K_MAX_TW];
	ns->max_tw = v[K_MAX_TW];
	ns->has_max_orphans = seen[K_MAX_ORPHANS];
	ns->max_orphans = v[K_MAX_ORPHANS];
	ns->has_syncookies = seen[K_SYNCOOKIES];
	ns->syncookies = (int)v[K_SYNCOOKIES];
	ns->has_netstat = seen[K_OVERFLOWS];
	ns->listen_overflows = v[K_OVERFLOWS];
	ns->listen_drops = v[K_DROPS];
	ns->has_tw_overflow = seen[K_TW_OVERFLOW];
	ns->tw_overflow = v[K_TW_OVERFLOW];
	ns->has_cookies_sent = seen[K_COOKIES_SENT];
	ns->cookies_sent = v[K_COOKIES_SENT];
	return 0;
}
