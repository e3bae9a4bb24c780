/* SPDX-License-Identifier: MIT */
/*
 * doctor_split: the sampler taps that feed doctor models from a sample's
 * dump, one model per share of a split sample (see doctor_split.h).  The
 * shares' models live as long as the doctor_split, so their memory is
 * reused across samples.
 */
#include <errno.h>
#include <string.h>

#include "collector.h"
#include "diag.h"
#include "doctor.h"
#include "doctor_split.h"
#include "table.h"
#include "tcp_state.h"

/* Share 0: the whole sample's model, begun once the sample began on the
 * collector (a replay's context comes with its sample header). */
static int whole_begin(void *data, struct collector *c)
{
	struct doctor_split_share *run = data;
	struct doctor_ns ns;
	uint16_t lo = TABLE_EPHEMERAL_LO, hi = TABLE_EPHEMERAL_HI;
	struct table *t;

	/* Unknown (a replay made before portstat recorded it, a namespace
	 * whose files could not be opened): the checks needing it skip. */
	run->ds->has_ctx = collector_context(c, &ns) == 0;
	if (!run->ds->has_ctx)
		memset(&ns, 0, sizeof(ns));
	t = doctor_begin(run->d, &ns);
	/* Direction without a listener needs the sample's range, as the
	 * port table's (sampler_begin()). */
	collector_port_range(c, &lo, &hi);
	table_set_ephemeral(t, lo, hi);
	return 0;
}

/* Share i > 0: begun with share 0's facts and listeners (share 0's model
 * holds them by now), made on the first sample that splits. */
static int share_begin(void *data, struct collector *c)
{
	struct doctor_split_share *run = data;
	struct doctor_thresholds th;

	(void)c;
	if (!run->d) {
		/* doctor_share_begin() takes the whole's thresholds. */
		doctor_thresholds_default(&th);
		if (doctor_new(&run->d, &th) < 0)
			return -ENOMEM;
	}
	return doctor_share_begin(run->d, run->ds->run[0].d);
}

static int share_add(const struct sock_rec *rec, void *data)
{
	struct doctor_split *ds = ((struct doctor_split_share *)data)->ds;

	/* Shares add from their own threads: the one whose socket takes the
	 * count past the level says it, once. */
	if (rec->state == TCP_STATE_CLOSE_WAIT && rec->inode && ds->owner_wanted &&
	    __atomic_add_fetch(&ds->owner_seen, 1, __ATOMIC_RELAXED) == ds->owner_after + 1)
		ds->owner_wanted();
	return doctor_add(rec, ((struct doctor_split_share *)data)->d);
}

static const struct sampler_tap *split_share(void *arg, unsigned i)
{
	return &((struct doctor_split *)arg)->stap[i];
}

static int split_merge(void *arg, unsigned i)
{
	struct doctor_split *ds = arg;

	return doctor_merge(ds->run[0].d, ds->run[i].d);
}

void doctor_split_init(struct doctor_split *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->tap = (struct split_tap){ .share = split_share, .merge = split_merge, .arg = ds };
	for (unsigned i = 0; i < SPLIT_MAX_SHARES; i++) {
		ds->run[i].ds = ds;
		ds->stap[i] = (struct sampler_tap){
			.begin = i ? share_begin : whole_begin, .add = share_add, .data = &ds->run[i],
		};
	}
}

const struct split_tap *doctor_split_tap(struct doctor_split *ds, struct doctor *whole)
{
	ds->run[0].d = whole;
	ds->has_ctx = false;
	ds->owner_seen = 0;
	return &ds->tap;
}

void doctor_split_on_owner(struct doctor_split *ds, void (*fn)(void), uint64_t after)
{
	ds->owner_wanted = fn;
	ds->owner_after = after;
}

bool doctor_split_has_context(const struct doctor_split *ds)
{
	return ds->has_ctx;
}

void doctor_split_done(struct doctor_split *ds)
{
	for (unsigned i = 1; i < SPLIT_MAX_SHARES; i++) {
		doctor_delete(ds->run[i].d);
		ds->run[i].d = NULL;
	}
	ds->run[0].d = NULL;
}
