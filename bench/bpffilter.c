/* SPDX-License-Identifier: MIT */
/*
 * bpffilter: what the BPF owner iterator's in-kernel filter costs against
 * an unfiltered run whose records user space matches (procmap's probe), for
 * K wanted inodes picked among the host's sockets: K = 16 .. 65536.  CPU
 * time of this process (the iterator runs in its read()s), the least of
 * RUNS rounds each, so that other work on the machine counts less; and the
 * records each run returns.  Picks OWNBPF_FILTER_MAX (src/bpf/ownbpf_abi.h).
 *
 * Usage: bpffilter [RUNS]   (root; the binary built with the BPF backend)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ownbpf.h"
#include "procmap.h"

static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* One round for @want (@k inodes): CPU ms of the unfiltered run plus the
 * probes, and of the filtered run, into @u and @f; their record counts. */
static int round_one(struct ownbpf *ob, const uint32_t *want, size_t k, double *u, double *f,
		     size_t *nu, size_t *nf)
{
	struct procmap *pm;
	struct ownbpf_rec *rec;
	size_t n, hits = 0;
	double t0, t1, t2;
	int ret;

	if ((ret = procmap_new(&pm, k)) < 0)
		return ret;
	for (size_t i = 0; i < k; i++)
		procmap_want(pm, want[i], 0);
	t0 = cpu_ms();
	/* Past OWNBPF_FILTER_MAX ownbpf_run() does not filter: force it
	 * unfiltered here with nwant 0, and filtered below only within. */
	if ((ret = ownbpf_run(ob, NULL, 0, &rec, &n)) < 0)
		goto out;
	/* The probe a scan makes per record (none is owned here: -1). */
	for (size_t i = 0; i < n; i++)
		hits += procmap_index(pm, (uint32_t)rec[i].ino) < 0;
	t1 = cpu_ms();
	free(rec);
	*nu = n;
	if ((ret = ownbpf_run(ob, want, k, &rec, &n)) < 0)
		goto out;
	t2 = cpu_ms();
	free(rec);
	*nf = n;
	*u = t1 - t0;
	*f = t2 - t1;
	ret = hits == *nu ? 0 : -EPROTO;
out:
	procmap_delete(pm);
	return ret;
}

int main(int argc, char **argv)
{
	static const size_t ks[] = { 16, 256, 1024, 4096, 16384, 65536 };
	int runs = argc > 1 ? atoi(argv[1]) : 9;
	struct ownbpf *ob;
	struct ownbpf_rec *all;
	size_t nall;
	int ret;

	if ((ret = ownbpf_open(&ob)) < 0 || (ret = ownbpf_run(ob, NULL, 0, &all, &nall)) < 0) {
		fprintf(stderr, "bpffilter: the BPF iterator does not run here: %s\n", strerror(-ret));
		return 1;
	}
	printf("bpffilter: %zu socket fds on the host, least CPU time of %d rounds\n", nall, runs);
	fflush(stdout);
	for (size_t j = 0; j < sizeof(ks) / sizeof(ks[0]) && ks[j] <= nall; j++) {
		size_t k = ks[j], nu = 0, nf = 0;
		uint32_t *want = malloc(k * sizeof(*want));
		double bu = 1e18, bf = 1e18;

		if (!want)
			return 1;
		for (size_t i = 0; i < k; i++)	/* spread over the host's sockets */
			want[i] = (uint32_t)all[(i * 7919) % nall].ino;
		for (int r = 0; r < runs; r++) {
			double u, f;

			if ((ret = round_one(ob, want, k, &u, &f, &nu, &nf)) < 0) {
				fprintf(stderr, "bpffilter: %s\n", strerror(-ret));
				return 1;
			}
			bu = u < bu ? u : bu;
			bf = f < bf ? f : bf;
		}
		printf("wanted %6zu: unfiltered + match %6.1f ms (%zu records), filtered %6.1f ms "
		       "(%zu records)%s\n", k, bu, nu, bf, nf,
		       ownbpf_filters(k) ? "" : "  [above OWNBPF_FILTER_MAX: not filtered]");
		free(want);
	}
	free(all);
	ownbpf_close(ob);
	return 0;
}
