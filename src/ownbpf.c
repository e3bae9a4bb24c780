/* SPDX-License-Identifier: MIT */
/*
 * ownbpf: loading and running the owners iterator (see include/ownbpf.h),
 * the parser of its records, and the one prefetch a process may have: a
 * thread that loads the program and runs it while the caller dumps its
 * sockets.  Built with the BPF parts only when CMake found clang, bpftool
 * and libbpf (PORTSTAT_HAVE_BPF); without them ownbpf_open() declines and
 * procmap scans /proc.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ownbpf.h"

#ifdef PORTSTAT_HAVE_BPF
#include "bpf/owners_load.h"
#include "bpf/ownbpf_abi.h"
#endif

long ownbpf_parse(const void *buf, size_t len, struct ownbpf_rec *out)
{
	const unsigned char *p = buf;
	size_t n = len / OWNBPF_REC_SIZE;

	if (len % OWNBPF_REC_SIZE)
		return -EPROTO;
	for (size_t i = 0; i < n; i++, p += OWNBPF_REC_SIZE) {
		/* memcpy per field: @buf need not be aligned.  In place,
		 * the records are there already (the layout is the same). */
		if ((const void *)out != buf) {
			memcpy(&out[i].tgid, p, 4);
			memcpy(&out[i].fd, p + 4, 4);
			memcpy(&out[i].ino, p + 8, 8);
			memcpy(&out[i].uid, p + 16, 4);
			memcpy(&out[i].pad, p + 20, 4);
		}
		if (out[i].pad != 0)
			return -EPROTO;
	}
	return (long)n;
}

int ownbpf_read(struct ownbpf_rec **out, size_t *n)
{
	struct ownbpf *ob = NULL;
	int ret;

	*out = NULL;
	*n = 0;
	if ((ret = ownbpf_open(&ob)) < 0)
		return ret;
	ret = ownbpf_run(ob, NULL, 0, out, n);
	ownbpf_close(ob);
	return ret;
}

#ifdef PORTSTAT_HAVE_BPF

_Static_assert(sizeof(struct ownbpf_rec) == OWNBPF_REC_SIZE, "records are read in place");

struct ownbpf {
	struct owners_load *ol;
};

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

int ownbpf_open(struct ownbpf **out)
{
	struct ownbpf *ob;
	int ret;

	*out = NULL;
	if ((ret = pidns_initial()) < 0)
		return ret;
	if (!(ob = calloc(1, sizeof(*ob))))
		return -ENOMEM;
	if ((ret = owners_load_open(&ob->ol)) < 0) {
		free(ob);
		return ret;
	}
	*out = ob;
	return 0;
}

bool ownbpf_filters(size_t nwant)
{
	return nwant > 0 && nwant <= OWNBPF_FILTER_MAX;
}

int ownbpf_run(struct ownbpf *ob, const uint32_t *want, size_t nwant,
	       struct ownbpf_rec **out, size_t *n)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	long got;
	int ret, iter = -1;

	*out = NULL;
	*n = 0;
	if ((ret = owners_load_filter(ob->ol, want, ownbpf_filters(nwant) ? nwant : 0)) < 0)
		return ret;
	if ((iter = owners_load_iter(ob->ol)) < 0)
		return iter;
	/* The records are read straight into the array they end up in: no
	 * second copy (24 MB at 1M sockets).  Large reallocs are mremap()s. */
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
	got = ownbpf_parse(buf, len, (struct ownbpf_rec *)(void *)buf);
	if (got < 0) {
		ret = (int)got;
		goto out;
	}
	*out = (struct ownbpf_rec *)(void *)buf;
	*n = (size_t)got;
	buf = NULL;
	ret = 0;
out:
	close(iter);
	free(buf);
	return ret;
}

void ownbpf_close(struct ownbpf *ob)
{
	if (!ob)
		return;
	owners_load_close(ob->ol);
	free(ob);
}

/* The prefetch: one per process (a run of portstat owns one procmap scan
 * at a time), so its state is this file's.  go and cancel are the only
 * fields both threads touch while it runs (under lock); the rest is the
 * thread's until pthread_join(). */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t th;
	bool pending;		/* started, not yet joined */
	bool go, cancel;
	int ret;
	struct ownbpf *ob;
	struct ownbpf_rec *rec;
	size_t n;
} pf = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static void *prefetch_main(void *arg)
{
	bool run;

	pf.ret = ownbpf_open(&pf.ob);
	pthread_mutex_lock(&pf.lock);
	while (!pf.go && !pf.cancel)
		pthread_cond_wait(&pf.cond, &pf.lock);
	run = !pf.cancel;
	pthread_mutex_unlock(&pf.lock);
	if (pf.ret == 0 && run)
		pf.ret = ownbpf_run(pf.ob, NULL, 0, &pf.rec, &pf.n);
	return arg;
}

int ownbpf_prefetch_start(bool run)
{
	sigset_t all, old;
	int ret;

	ownbpf_prefetch_end();
	pf.go = run;
	pf.cancel = false;
	pf.ret = 0;
	pf.ob = NULL;
	pf.rec = NULL;
	pf.n = 0;
	/* Signals stay the main thread's: its waits are what they end. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&pf.th, NULL, prefetch_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pf.pending = ret == 0;
	return ret;
}

/* Tell the thread to run (@cancel false) or to stop before its run. */
static void prefetch_tell(bool cancel)
{
	pthread_mutex_lock(&pf.lock);
	if (cancel)
		pf.cancel = true;
	else
		pf.go = true;
	pthread_cond_signal(&pf.cond);
	pthread_mutex_unlock(&pf.lock);
}

void ownbpf_prefetch_go(void)
{
	if (pf.pending)
		prefetch_tell(false);
}

bool ownbpf_prefetch_take(struct ownbpf **ob, struct ownbpf_rec **rec, size_t *n, int *ret)
{
	if (!pf.pending)
		return false;
	prefetch_tell(false);
	pthread_join(pf.th, NULL);
	pf.pending = false;
	*ob = pf.ob;
	*rec = pf.rec;
	*n = pf.n;
	*ret = pf.ret;
	pf.ob = NULL;
	pf.rec = NULL;
	return true;
}

void ownbpf_prefetch_end(void)
{
	if (!pf.pending)
		return;
	prefetch_tell(true);
	pthread_join(pf.th, NULL);
	pf.pending = false;
	ownbpf_close(pf.ob);
	free(pf.rec);
	pf.ob = NULL;
	pf.rec = NULL;
}

#else

int ownbpf_open(struct ownbpf **out)
{
	*out = NULL;
	return -EOPNOTSUPP;
}

bool ownbpf_filters(size_t nwant)
{
	return false;
}

int ownbpf_run(struct ownbpf *ob, const uint32_t *want, size_t nwant,
	       struct ownbpf_rec **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return -EOPNOTSUPP;
}

void ownbpf_close(struct ownbpf *ob)
{
}

int ownbpf_prefetch_start(bool run)
{
	return -EOPNOTSUPP;
}

void ownbpf_prefetch_go(void)
{
}

bool ownbpf_prefetch_take(struct ownbpf **ob, struct ownbpf_rec **rec, size_t *n, int *ret)
{
	return false;
}

void ownbpf_prefetch_end(void)
{
}

#endif
