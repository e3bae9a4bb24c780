/* SPDX-License-Identifier: MIT */
/*
 * ownbpf: loading and running the owners iterator (see include/ownbpf.h),
 * and the parser of its records.  Built with the BPF parts only when CMake
 * found clang, bpftool and libbpf (PORTSTAT_HAVE_BPF); without them
 * ownbpf_read() declines and procmap scans /proc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ownbpf.h"

#ifdef PORTSTAT_HAVE_BPF
#include "bpf/owners_load.h"
#endif

long ownbpf_parse(const void *buf, size_t len, struct ownbpf_rec *out)
{
	const unsigned char *p = buf;
	size_t n = len / OWNBPF_REC_SIZE;

	if (len % OWNBPF_REC_SIZE)
		return -EPROTO;
	for (size_t i = 0; i < n; i++, p += OWNBPF_REC_SIZE) {
		/* memcpy per field: @buf need not be aligned. */
		memcpy(&out[i].tgid, p, 4);
		memcpy(&out[i].fd, p + 4, 4);
		memcpy(&out[i].ino, p + 8, 8);
		memcpy(&out[i].uid, p + 16, 4);
		memcpy(&out[i].pad, p + 20, 4);
		if (out[i].pad != 0)
			return -EPROTO;
	}
	return (long)n;
}

#ifdef PORTSTAT_HAVE_BPF

/* Whether this process sees the initial pid namespace's pids: its NSpid
 * line has one number.  The iterator reports those pids; inside a pid
 * namespace they would name other processes in /proc, so BPF declines. */
static int pidns_initial(void)
{
	char buf[4096], *line, *save = NULL;
	FILE *f = fopen("/proc/self/status", "re");
	int fields = 0;

	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f)) {
		if (strncmp(buf, "NSpid:", 6) != 0)
			continue;
		/* strtok_r: serve's scrapes may look owners up in threads. */
		for (line = strtok_r(buf + 6, " \t\n", &save); line;
		     line = strtok_r(NULL, " \t\n", &save))
			fields++;
		break;
	}
	fclose(f);
	return fields == 1 ? 0 : -EOPNOTSUPP;
}

int ownbpf_read(struct ownbpf_rec **out, size_t *n)
{
	struct owners_load *ol = NULL;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	long got;
	int ret, iter = -1;

	*out = NULL;
	*n = 0;
	if ((ret = pidns_initial()) < 0)
		return ret;
	if ((ret = owners_load_open(&ol, &iter)) < 0)
		goto out;
	for (;;) {
		ssize_t r;

		if (cap - len < 65536) {
			size_t ncap = cap ? cap * 2 : 1 << 20;
			unsigned char *nb = realloc(buf, ncap);

			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		r = read(iter, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ret = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*out = malloc((len / OWNBPF_REC_SIZE + 1) * sizeof(**out));
	if (!*out) {
		ret = -ENOMEM;
		goto out;
	}
	got = ownbpf_parse(buf, len, *out);
	if (got < 0) {
		free(*out);
		*out = NULL;
		ret = (int)got;
		goto out;
	}
	*n = (size_t)got;
	ret = 0;
out:
	if (iter >= 0)
		close(iter);
	owners_load_close(ol);
	free(buf);
	return ret;
}

#else

int ownbpf_read(struct ownbpf_rec **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return -EOPNOTSUPP;
}

#endif
