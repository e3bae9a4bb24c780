/* SPDX-License-Identifier: MIT */
/*
 * cli_doctor: the command line of `portstat doctor` into its own config.
 * Pure like cli.c: it never prints or exits, so every bad command line is
 * a unit-test case.  Kept apart from cli.c because doctor's --warn and
 * --crit take CHECK=VALUE, not leaks' socket counts.
 */
#ifndef PORTSTAT_CLI_DOCTOR_H
#define PORTSTAT_CLI_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "doctor.h"

enum cli_doctor_format {
	CLI_DOCTOR_TEXT,
	CLI_DOCTOR_JSON,
};

struct doctor_config {
	enum cli_doctor_format format;
	const char *netns;		/* -N, borrowed from argv; NULL: our own */
	bool all_netns;			/* --all-netns: every namespace */
	double interval;		/* seconds between samples; 0: one sample */
	unsigned long count;		/* samples; 0: until stopped (a replay: all) */
	const char *record;		/* --record FILE, borrowed; NULL: none */
	const char *replay;		/* --replay FILE, borrowed; NULL: live */
	struct doctor_thresholds th;	/* defaults, then --warn/--crit */
	bool help;
};

/*
 * cli_doctor_parse - parse `portstat doctor [OPTION]...` (@argv[1] is
 * "doctor") into @cfg, defaults first.  Returns 0, or -EINVAL with a
 * one-line message naming the offending value in @err.
 */
int cli_doctor_parse(struct doctor_config *cfg, int argc, char *argv[], char *err, size_t errlen);

/* cli_help_doctor - the --help text of 'portstat doctor'. */
void cli_help_doctor(FILE *out);

#endif
