/* SPDX-License-Identifier: MIT */
/*
 * fuzz_leaks: libFuzzer target for the leaks path of a replay, as
 * `portstat leaks --replay FILE` runs it: the recording reader, the
 * sampler's dumps, the leaks model (groups, peers, owners, ages, tracking
 * and growth over every sample), the thresholds, and the three renderers,
 * written to /dev/null.  The input is the file.  Besides ASan and UBSan, it
 * checks what the model promises of any input: counts that add up, top
 * peers in order and no more than the distinct ones, sane ages and rates.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collector.h"
#include "leaks.h"
#include "sampler.h"
#include "view_leaks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

#define CHECK(cond)	do { if (!(cond)) { fprintf(stderr, "fuzz_leaks: %s\n", #cond); abort(); } } while (0)

static void check_model(const struct leaks *l)
{
	uint64_t sockets = 0;

	for (size_t i = 0; i < leaks_ngroups(l); i++) {
		const struct leaks_group *g = leaks_group(l, i);
		uint64_t procs = 0, top = 0;

		CHECK(g->count > 0);
		CHECK(LEAKS_STATES_MASK & TCP_STATE_BIT(g->state));
		CHECK(i == 0 || leaks_group(l, i - 1)->count >= g->count);
		CHECK(g->ntop >= 1 && g->ntop <= LEAKS_TOP_PEERS && g->ntop <= g->npeers);
		CHECK(g->npeers <= g->count);
		for (size_t k = 0; k < g->ntop; k++) {
			CHECK(g->peers[k].count > 0);
			CHECK(k == 0 || g->peers[k - 1].count >= g->peers[k].count);
			top += g->peers[k].count;
		}
		CHECK(top <= g->count);
		CHECK(g->nprocs >= 1);
		for (size_t k = 0; k < g->nprocs; k++) {
			CHECK(g->procs[k].cgroup != NULL);
			procs += g->procs[k].count;
		}
		CHECK(procs == g->count);
		/* An age is at most the model's whole time range. */
		CHECK(g->oldest_ms <= (uint64_t)LEAKS_MAX_TIME_MS);
		/* A rate is sockets per minute over at least 1 ms. */
		CHECK(!g->has_growth || (g->growth_per_min <= 60000.0 * (double)g->count &&
					 g->growth_per_min >= -60000.0 * (double)UINT32_MAX));
		sockets += g->count;
	}
	CHECK(sockets == leaks_summary(l)->sockets);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leaks_opts lo = {
		.filter = { .states = LEAKS_STATES_MASK, .ipv4 = true, .ipv6 = true },
		.owners = false,	/* as for every replay */
		.track = true,
	};
	struct leaks_thresholds th = { .has_warn = true, .warn = 2, .has_crit = true, .crit = 5,
				       .has_warn_age = true, .warn_age = 60,
				       .has_crit_age = true, .crit_age = 3600 };
	struct view_opts vo = { .header = true, .stamp = true, .first = true };
	struct collector *c = NULL;
	struct leaks *l = NULL;
	char path[64], err[256];
	int fd = memfd_create("replay", MFD_CLOEXEC);

	if (!sink && !(sink = fopen("/dev/null", "we")))
		abort();
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (collector_open_replay(&c, path, err, sizeof(err)) < 0)
		goto out;
	/* Every way of grouping, picked by the input's length. */
	lo.filter.by = (enum table_by)(size % 3);
	if (leaks_new(&l, &lo) < 0)
		goto out;
	/* Bounded: a replay cannot hold more samples than it has bytes. */
	for (size_t i = 0; i < 128; i++) {
		struct sampler_info info;
		struct view_leaks vl;
		int ret = leaks_sample(l, c, &info);

		if (ret < 0) {
			/* An error is one line, and names the file. */
			CHECK(ret == -ENODATA || ret == -ENOMEM ||
			      (strstr(collector_error(c), path) && !strchr(collector_error(c), '\n')));
			break;
		}
		check_model(l);
		vl = (struct view_leaks){ .leaks = l, .time = info.time, .tracking = true,
					  .complete = info.complete,
					  .note = info.complete ? NULL : info.note };
		vl.status = leaks_evaluate(l, &th, &vl.worst);
		CHECK(vl.worst < (long)leaks_ngroups(l));
		view_leaks_text(sink, &vl, &vo);
		view_leaks_json(sink, &vl, &vo);
		view_leaks_csv(sink, &vl, &vo);
		vo.first = false;
	}
out:
	leaks_delete(l);
	collector_close(c);
	if (fd >= 0)
		close(fd);
	return 0;
}
