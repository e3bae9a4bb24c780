/* SPDX-License-Identifier: MIT */
/*
 * leakstate: the --state-file format.  The parse reads integers byte by
 * byte (no casts of the buffer: any alignment, any host byte order) and
 * checks the size against the counts before it allocates anything, so a
 * file claiming four billion sockets costs nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leaks.h"
#include "leakstate.h"
#include "outfile.h"

static const char magic[8] = { 'P', 'S', 'L', 'K', 'S', 'T', 'A', 'T' };

#define SOCK_SIZE	16
#define GROUP_SIZE	8
#define MAX_SIZE	(LEAKSTATE_HEADER + (size_t)LEAKSTATE_MAX_SOCKS * SOCK_SIZE + \
			 (size_t)LEAKSTATE_MAX_GROUPS * GROUP_SIZE)

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static int bad(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -EBADMSG;
}

int leakstate_parse(const void *buf, size_t len, struct leakstate *st, char *err, size_t errlen)
{
	const unsigned char *p = buf;
	uint64_t nsocks, ngroups, t;

	memset(st, 0, sizeof(*st));
	if (len < LEAKSTATE_HEADER)
		return bad(err, errlen, "truncated header");
	if (memcmp(p, magic, sizeof(magic)) != 0)
		return bad(err, errlen, "not a portstat state file");
	if (get_le(p + 8, 4) != LEAKSTATE_VERSION)
		return bad(err, errlen, "unknown version");
	st->states = (uint32_t)get_le(p + 12, 4);
	if (!st->states || (st->states & ~(uint32_t)LEAKS_STATES_MASK))
		return bad(err, errlen, "invalid states");
	t = get_le(p + 16, 8);
	if (t > (uint64_t)LEAKS_MAX_TIME_MS)
		return bad(err, errlen, "invalid time");
	st->time_ms = (int64_t)t;
	nsocks = get_le(p + 24, 4);
	ngroups = get_le(p + 28, 4);
	if (nsocks > LEAKSTATE_MAX_SOCKS || ngroups > LEAKSTATE_MAX_GROUPS)
		return bad(err, errlen, "counts past the limits");
	/* Both counts are bounded: the sum cannot overflow. */
	if (len != LEAKSTATE_HEADER + nsocks * SOCK_SIZE + ngroups * GROUP_SIZE)
		return bad(err, errlen, len < LEAKSTATE_HEADER + nsocks * SOCK_SIZE +
					ngroups * GROUP_SIZE ? "truncated" : "trailing bytes");
	st->socks = nsocks ? malloc(nsocks * sizeof(*st->socks)) : NULL;
	st->groups = ngroups ? malloc(ngroups * sizeof(*st->groups)) : NULL;
	if ((nsocks && !st->socks) || (ngroups && !st->groups)) {
		leakstate_free(st);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p += LEAKSTATE_HEADER;
	for (size_t i = 0; i < nsocks; i++, p += SOCK_SIZE) {
		struct leakstate_sock *s = &st->socks[i];
		uint64_t v = get_le(p + 8, 8);

		s->cookie = get_le(p, 8);
		s->state = (uint8_t)v;
		s->born_ms = (int64_t)(v >> 8);
		if (s->cookie == 0 || s->cookie == UINT64_MAX)
			goto damaged;
		if (s->state > 31 || !(st->states & TCP_STATE_BIT(s->state)))
			goto damaged;
		if (s->born_ms > st->time_ms)
			goto damaged;
	}
	for (size_t i = 0; i < ngroups; i++, p += GROUP_SIZE) {
		struct leakstate_group *g = &st->groups[i];

		g->port = (uint16_t)get_le(p, 2);
		g->dir = p[2];
		g->state = p[3];
		g->count = (uint32_t)get_le(p + 4, 4);
		if (g->dir > 1 || g->state > 31 || !(st->states & TCP_STATE_BIT(g->state)) ||
		    g->count == 0)
			goto damaged;
	}
	st->nsocks = nsocks;
	st->ngroups = ngroups;
	return 0;
damaged:
	leakstate_free(st);
	return bad(err, errlen, "invalid entry");
}

int leakstate_read(const char *path, struct leakstate *st, char *err, size_t errlen)
{
	const char *base;
	unsigned char *buf = NULL;
	size_t len = 0;
	struct stat sb;
	int dir, fd = -1, ret;

	memset(st, 0, sizeof(*st));
	dir = outfile_dir_open(path, &base, "state file", err, errlen);
	if (dir < 0)
		return dir;
	/* Never a link followed, never a FIFO waited on. */
	fd = openat(dir, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			snprintf(err, errlen, "%s", ret == -ELOOP ? "a symbolic link" : strerror(-ret));
		goto out;
	}
	if (fstat(fd, &sb) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(-ret));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s, not a regular file", outfile_kind(sb.st_mode));
		goto out;
	}
	if ((uint64_t)sb.st_size > MAX_SIZE) {
		ret = bad(err, errlen, "larger than any state file");
		goto out;
	}
	buf = malloc(sb.st_size ? (size_t)sb.st_size : 1);
	if (!buf) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* The file may change under us: what read() gives is what counts. */
	while (len < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)sb.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s", strerror(-ret));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	ret = leakstate_parse(buf, len, st, err, errlen);
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	close(dir);
	return ret;
}

static int born_cmp(const void *pa, const void *pb)
{
	const struct leakstate_sock *a = pa, *b = pb;

	if (a->born_ms != b->born_ms)
		return a->born_ms < b->born_ms ? -1 : 1;
	return a->cookie < b->cookie ? -1 : a->cookie > b->cookie;
}

int leakstate_encode(FILE *out, struct leakstate *st)
{
	unsigned char h[LEAKSTATE_HEADER], e[SOCK_SIZE];
	size_t nsocks = st->nsocks;

	if (nsocks > LEAKSTATE_MAX_SOCKS) {
		/* Keep the sockets first seen longest ago. */
		qsort(st->socks, st->nsocks, sizeof(*st->socks), born_cmp);
		nsocks = LEAKSTATE_MAX_SOCKS;
	}
	memcpy(h, magic, sizeof(magic));
	put_le(h + 8, LEAKSTATE_VERSION, 4);
	put_le(h + 12, st->states, 4);
	put_le(h + 16, (uint64_t)st->time_ms, 8);
	put_le(h + 24, nsocks, 4);
	put_le(h + 28, st->ngroups, 4);
	fwrite(h, 1, sizeof(h), out);
	for (size_t i = 0; i < nsocks; i++) {
		put_le(e, st->socks[i].cookie, 8);
		put_le(e + 8, (uint64_t)st->socks[i].born_ms << 8 | st->socks[i].state, 8);
		fwrite(e, 1, sizeof(e), out);
	}
	for (size_t i = 0; i < st->ngroups; i++) {
		const struct leakstate_group *g = &st->groups[i];

		put_le(e, g->port, 2);
		e[2] = g->dir;
		e[3] = g->state;
		put_le(e + 4, g->count, 4);
		fwrite(e, 1, GROUP_SIZE, out);
	}
	return ferror(out) ? -EIO : 0;
}

void leakstate_free(struct leakstate *st)
{
	free(st->socks);
	free(st->groups);
	st->socks = NULL;
	st->groups = NULL;
	st->nsocks = st->ngroups = 0;
}
