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

/* The prefetch: one pending per process (a run of portstat owns one procmap
 * scan at a time), this file's.  go, cancel, done and detached are the
 * fields both threads touch while it runs (under lock); the rest is the
 * thread's until pthread_join().  Ended without being taken, a thread
 * still loading is detached and frees its own state when it is done: the
 * caller does not wait for a load it no longer needs. */
struct prefetch {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t th;
	bool go, cancel, done, detached;
	int ret;
	struct ownbpf *ob;
	struct ownbpf_rec *rec;
	size_t n;
};

static struct prefetch *pending;

static void prefetch_free(struct prefetch *p)
{
	ownbpf_close(p->ob);
	free(p->rec);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

static void *prefetch_main(void *arg)
{
	struct prefetch *p = arg;
	bool run, detached;

	p->ret = ownbpf_open(&p->ob);
	pthread_mutex_lock(&p->lock);
	while (!p->go && !p->cancel)
		pthread_cond_wait(&p->cond, &p->lock);
	run = !p->cancel;
	pthread_mutex_unlock(&p->lock);
	if (p->ret == 0 && run)
		p->ret = ownbpf_run(p->ob, NULL, 0, &p->rec, &p->n);
	pthread_mutex_lock(&p->lock);
	p->done = true;
	detached = p->detached;
	pthread_mutex_unlock(&p->lock);
	if (detached)
		prefetch_free(p);
	return NULL;
}

int ownbpf_prefetch_start(bool run)
{
	struct prefetch *p;
	sigset_t all, old;
	int ret;

	ownbpf_prefetch_end();
	if (!(p = calloc(1, sizeof(*p))))
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->go = run;
	/* Signals stay the main thread's: its waits are what they end. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&p->th, NULL, prefetch_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret < 0) {
		prefetch_free(p);
		return ret;
	}
	pending = p;
	return 0;
}

static void prefetch_go(struct prefetch *p)
{
	pthread_mutex_lock(&p->lock);
	p->go = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

void ownbpf_prefetch_go(void)
{
	if (pending)
		prefetch_go(pending);
}

bool ownbpf_prefetch_take(struct ownbpf **ob, struct ownbpf_rec **rec, size_t *n, int *ret)
{
	struct prefetch *p = pending;

	if (!p)
		return false;
	pending = NULL;
	prefetch_go(p);
	pthread_join(p->th, NULL);
	*ob = p->ob;
	*rec = p->rec;
	*n = p->n;
	*ret = p->ret;
	p->ob = NULL;
	p->rec = NULL;
	prefetch_free(p);
	return true;
}

void ownbpf_prefetch_end(void)
{
	struct prefetch *p = pending;
	bool done;

	if (!p)
		return;
	pending = NULL;
	pthread_mutex_lock(&p->lock);
	p->cancel = true;
	pthread_cond_signal(&p->cond);
	done = p->done;
	if (!done)
		p->detached = true;
	pthread_mutex_unlock(&p->lock);
	if (done) {
		pthread_join(p->th, NULL);
		prefetch_free(p);
	} else {
		pthread_detach(p->th);
	}
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
