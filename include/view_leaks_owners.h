/* SPDX-License-Identifier: MIT */
/*
 * view_leaks_owners: `portstat leaks --by process` and `--by cgroup`, one
 * row per owner over all its groups (leaks_owner()), as text, JSON and
 * CSV.  The sample is the same struct view_leaks as for the group views,
 * its worst an owner index (leaks_evaluate_owners()).
 */
#ifndef PORTSTAT_VIEW_LEAKS_OWNERS_H
#define PORTSTAT_VIEW_LEAKS_OWNERS_H

#include <stdbool.h>
#include <stdio.h>

#include "leaks.h"
#include "view_leaks.h"

/* Each returns 0, or -EIO when writing to @out failed; @cgroup: rows are
 * cgroups, else processes.  o->top, o->header, o->stamp and o->first as
 * for view_leaks_text(). */
int view_leaks_owners_text(FILE *out, const struct view_leaks *s, const struct view_opts *o,
			   bool cgroup);
int view_leaks_owners_json(FILE *out, const struct view_leaks *s, const struct view_opts *o,
			   bool cgroup);
int view_leaks_owners_csv(FILE *out, const struct view_leaks *s, const struct view_opts *o,
			  bool cgroup);

/* view_leaks_owners_verdict - the one-line verdict on the deciding row,
 * e.g. "WARNING: leaker[812] holds 15 CLOSE_WAIT on 5 ports, oldest 4m10s". */
void view_leaks_owners_verdict(const struct view_leaks *s, bool cgroup, char *buf, size_t len);

#endif
