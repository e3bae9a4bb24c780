/* SPDX-License-Identifier: MIT */
/*
 * cli: the command line into one struct config.  Pure: it never prints or
 * exits, so every bad command line is a unit-test case.
 */
#ifndef PORTSTAT_CLI_H
#define PORTSTAT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "leaks.h"
#include "table.h"

enum cli_command {
	CLI_REPORT,
	CLI_TOP,
	CLI_LEAKS,
	CLI_SERVE,
};

enum cli_format {
	CLI_FORMAT_TEXT,
	CLI_FORMAT_JSON,
	CLI_FORMAT_CSV,
	CLI_FORMAT_PROMETHEUS,
};

/* Exit statuses of the contract. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,
	CLI_EXIT_USAGE = 2,
	/* 'leaks' returns monitoring-plugin statuses instead (enum
	 * leaks_status), usage errors included: UNKNOWN, 3. */
	CLI_EXIT_LEAKS_USAGE = 3,
};

/* What the report's rows are (--by). */
enum cli_rows {
	CLI_ROWS_PORTS,		/* service, local or remote: filter.by */
	CLI_ROWS_PROCESS,	/* owning processes */
	CLI_ROWS_CGROUP,	/* the sockets' cgroups */
};

struct config {
	enum cli_command command;
	enum cli_format format;
	struct table_filter filter;	/* --by, --state, --port, -4, -6 */
	enum cli_rows rows;		/* --by process|cgroup */
	struct table_sort sort;
	size_t top;			/* 0 = every row */
	bool header;
	const char *netns;		/* borrowed from argv */
	double interval;		/* seconds between sample starts; 0 = none */
	unsigned long count;		/* samples; 0 = until stopped / replay ends */
	const char *record;		/* borrowed from argv */
	const char *replay;		/* borrowed from argv */
	const char *write;		/* --write FILE, borrowed from argv */
	bool all_netns;
	bool no_mouse;			/* top: --no-mouse */
	bool numeric;			/* -n: no service names (text, top) */
	/* leaks: the states reported (close_wait unless -s says otherwise;
	 * filter.states keeps what -s gave) and the alert thresholds. */
	uint32_t leak_states;
	struct leaks_thresholds thresholds;
	const char *state_file;		/* leaks --state-file, borrowed from argv */
	/* serve: where to listen (NULL: SERVE_DEFAULT_LISTEN), the least
	 * time between samples, and whether leak metrics are served. */
	const char *listen;
	double min_interval;
	bool serve_leaks;
	bool help, version;
};

/*
 * cli_parse - parse @argv into @cfg (fully initialised, defaults first).
 * getopt_long() may permute @argv.  Returns 0, or -EINVAL with a one-line
 * message naming the offending value in @err.
 */
int cli_parse(struct config *cfg, int argc, char *argv[], char *err, size_t errlen);

/* cli_bad - the usage error @fmt into @err (@errlen bytes, cut to fit);
 * returns -EINVAL, for `return cli_bad(...)`.  Shared by every command's
 * parser so their messages are made one way. */
int cli_bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * cli_parse_decimal - @s as a plain decimal number of seconds, sockets per
 * minute and the like ("2", "0.5", ".5", "1e3"): it begins with a digit or
 * a '.', so no sign, space, "inf" or "nan"; no hex; nothing after it; a
 * finite double.  Shared by every command's decimal options so that they
 * accept the same words.  Returns 0 with *out in [@min, @max]; -EINVAL
 * when @s does not begin like a number; -EDOM when it begins like one but
 * is not one (trailing bytes, hex, overflow, infinite); -ERANGE when it is
 * one outside [@min, @max], *out then holding it (0 on the others).
 */
int cli_parse_decimal(const char *s, double min, double max, double *out);

/*
 * cli_parse_netns - -N/--netns's value into *netns (borrowed): any
 * non-empty name or path (netns_open() checks it when used).  Returns 0,
 * or -EINVAL with the one-line message in @err.
 */
int cli_parse_netns(const char *arg, const char **netns, char *err, size_t errlen);

/* cli_help - the --help text: the commands, where their help is, and the
 * report's options. */
void cli_help(FILE *out);

/* cli_help_top - the --help text of 'portstat top': only what it takes. */
void cli_help_top(FILE *out);

/* cli_help_leaks - the --help text of 'portstat leaks'. */
void cli_help_leaks(FILE *out);

/* cli_help_serve - the --help text of 'portstat serve'. */
void cli_help_serve(FILE *out);

#endif
