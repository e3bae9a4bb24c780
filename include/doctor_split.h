/* SPDX-License-Identifier: MIT */
/*
 * doctor_split: feeding a doctor model (doctor.h) from a sample's own dump,
 * whole or split into parallel dumps (split.h).  Share 0's tap feeds the
 * caller's model and reads the namespace's kernel context when the sample
 * begins; shares i > 0 feed models kept here, begun with share 0's
 * listeners (doctor_share_begin()) and folded into it after the dumps
 * (doctor_merge()).  Used by `portstat doctor` and the dashboard's doctor,
 * so both count a split sample the same way.
 *
 * The struct is declared here so a caller can hold one on its stack (an
 * --all-netns worker's); its members belong to this module, and it must not
 * be moved once initialised (the taps point into it).
 */
#ifndef PORTSTAT_DOCTOR_SPLIT_H
#define PORTSTAT_DOCTOR_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

#include "sampler.h"
#include "split.h"

struct doctor;
struct doctor_split;

/* Share i's model: share 0's the caller's, the others' owned here. */
struct doctor_split_share {
	struct doctor_split *ds;
	struct doctor *d;
};

struct doctor_split {
	bool has_ctx;		/* the last begun sample's kernel context was known */
	void (*owner_wanted)(void);	/* doctor_split_on_owner() */
	uint64_t owner_after;
	uint64_t owner_seen;	/* held CLOSE_WAIT fed this sample (atomic: any share's thread) */
	struct doctor_split_share run[SPLIT_MAX_SHARES];
	struct sampler_tap stap[SPLIT_MAX_SHARES];
	struct split_tap tap;
};

/* doctor_split_init - ready @ds (no model yet, nothing allocated). */
void doctor_split_init(struct doctor_split *ds);

/*
 * doctor_split_tap - the taps of the next sample into @whole, for
 * split_run_tap() (or share 0's, tap->share(tap->arg, 0), for
 * sampler_run_tap()).  Share 0's begin forgets @whole's last sample and
 * takes the namespace's kernel context and ephemeral range from the
 * collector (unknown: zeroed, and doctor_split_has_context() says so);
 * @whole's owner setting (doctor_set_owners()) reaches every share.
 */
const struct split_tap *doctor_split_tap(struct doctor_split *ds, struct doctor *whole);

/*
 * doctor_split_on_owner - call @fn (NULL: nothing) once per sample, from
 * whichever share's thread feeds the (@after + 1)-th CLOSE_WAIT socket a
 * process holds: past the close-wait warning level their owners will be
 * looked up (doctor_owners_want()), so it is the moment to start an owner
 * prefetch (procmap_prefetch_go()).  Before the samples.
 */
void doctor_split_on_owner(struct doctor_split *ds, void (*fn)(void), uint64_t after);

/* doctor_split_has_context - whether the last sample begun through @ds
 * knew its kernel context (a replay made by an older portstat does not). */
bool doctor_split_has_context(const struct doctor_split *ds);

/* doctor_split_done - free the shares' models (not the caller's). */
void doctor_split_done(struct doctor_split *ds);

#endif
