/* SPDX-License-Identifier: MIT */
/*
 * view_doctor: renderers of one `portstat doctor` sample (text, JSON), and
 * its monitoring-plugin status line (verdict | perfdata), built here so
 * tests can check it alone.
 */
#ifndef PORTSTAT_VIEW_DOCTOR_H
#define PORTSTAT_VIEW_DOCTOR_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "doctor.h"

/* One sample as the views see it; everything is borrowed. */
struct view_doctor {
	const struct doctor *d;
	struct timespec time;
	const char *netns;		/* the namespace asked for, NULL: our own */
	/* With -i: the TcpExt counters' increase since the last sample;
	 * has_delta false on the first. */
	bool has_delta;
	uint64_t overflows_delta, drops_delta;
	/* The sample's kernel context (sysctls, TcpExt counters) is unknown:
	 * a recording made without it.  Said in the report. */
	bool no_context;
	/* The owner of finding i's socket, "comm[pid]", and its cgroup
	 * (*cgroup, "" when unknown); NULL when no owner is known. */
	const char *(*owner)(const void *arg, size_t i, const char **cgroup);
	const void *owner_arg;
	/* The text's status line without its perfdata: one namespace's
	 * section of --all-netns, whose first line carries the perfdata
	 * (a '|' in a plugin's long text starts more of it). */
	bool no_perfdata;
	/* Why the sample is incomplete (an interrupted dump), NULL when it
	 * is not: its status is UNKNOWN unless CRITICAL already. */
	const char *incomplete;
};

/* view_doctor_status - the sample's plugin status: the worst finding's,
 * UNKNOWN for an incomplete sample that is not CRITICAL. */
enum doctor_severity view_doctor_status(const struct view_doctor *s);

/* view_doctor_verdict - "CRITICAL: accept-queue: listener 127.0.0.1:8080
 * queue 5 of backlog 4 (125%), 1 more finding", or "OK: 4 checks passed". */
void view_doctor_verdict(const struct view_doctor *s, char *buf, size_t len);

/* view_doctor_perfdata - per check its worst value against its levels:
 * 'accept_queue'=125%;80;100;0 'ephemeral'=3%;60;85;0
 * 'server_close'=12;1000;10000;0 'close_wait'=0;10;100;0, then the
 * namespace's 'listen_overflows'=Nc when known. */
void view_doctor_perfdata(const struct view_doctor *s, char *buf, size_t len);

/* view_doctor_where - where finding @f is, e.g. "listener 127.0.0.1:8080",
 * "10.0.0.1 -> 10.0.0.2:5432", ":8080 in". */
void view_doctor_where(const struct doctor_finding *f, char *buf, size_t len);

/* view_doctor_overflows - with -i (s->has_delta), the namespace's
 * ListenOverflows and ListenDrops growth since the last sample, said once
 * for the whole namespace with the listeners that were full at this
 * sample: "namespace ListenOverflows +12, ListenDrops +12 since the last
 * sample, while 2 listeners were full (listener 127.0.0.1:8080, listener
 * 127.0.0.1:8081); the kernel does not count them per listener". */
void view_doctor_overflows(const struct view_doctor *s, char *buf, size_t len);

/* view_doctor_describe - finding @f of @s in words: what was measured
 * against what (@numbers), why it matters (@why), what to do (@fix), as
 * the text report gives them (the dashboard's findings screen). */
void view_doctor_describe(const struct view_doctor *s, const struct doctor_finding *f,
			  char *numbers, size_t nlen, char *why, size_t wlen, char *fix,
			  size_t flen);

/* Each returns 0, or -EIO when writing to @out failed.  The text report:
 * the status line, a header, then one line per finding (worst first) with
 * its why and fix, then one "ok" line per check without findings. */
int view_doctor_text(FILE *out, const struct view_doctor *s);

/* One JSON object on one line: {"version":1,"time":..,"netns":..,
 * "status":..,"findings":[{check,severity,where,value,limit,why,fix}]}. */
int view_doctor_json(FILE *out, const struct view_doctor *s);

#endif
