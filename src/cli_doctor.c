/* SPDX-License-Identifier: MIT */
/*
 * cli_doctor: option parsing and validation of `portstat doctor`.  As in
 * cli.c, every value is checked in full and every error names it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_doctor.h"
#include "split.h"

enum {
	OPT_WARN = 256,
	OPT_CRIT,
	OPT_ALL_NETNS,
	OPT_RECORD,
	OPT_REPLAY,
};

static const struct option long_opts[] = {
	{ "format",   required_argument, NULL, 'f' },
	{ "netns",    required_argument, NULL, 'N' },
	{ "all-netns", no_argument,      NULL, OPT_ALL_NETNS },
	{ "interval", required_argument, NULL, 'i' },
	{ "count",    required_argument, NULL, 'c' },
	{ "warn",     required_argument, NULL, OPT_WARN },
	{ "crit",     required_argument, NULL, OPT_CRIT },
	{ "record",   required_argument, NULL, OPT_RECORD },
	{ "replay",   required_argument, NULL, OPT_REPLAY },
	{ "help",     no_argument,       NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_option(struct doctor_config *cfg, int opt, const char *arg, bool *has_interval,
			char *err, size_t errlen)
{
	switch (opt) {
	case 'f':
		if (strcmp(arg, "text") == 0)
			cfg->format = CLI_DOCTOR_TEXT;
		else if (strcmp(arg, "json") == 0)
			cfg->format = CLI_DOCTOR_JSON;
		else
			return cli_bad(err, errlen, "unknown format '%s' (text or json)", arg);
		break;
	case 'N':
		return cli_parse_netns(arg, &cfg->netns, err, errlen);
	case 'i': {
		int ret = cli_parse_decimal(arg, 0.01, 86400, &cfg->interval);

		if (ret == -EINVAL)
			return cli_bad(err, errlen, "invalid --interval '%s' (seconds, more than 0)", arg);
		if (ret < 0)
			return cli_bad(err, errlen, "invalid --interval '%s' (0.01 to 86400 seconds)", arg);
		*has_interval = true;
		break;
	}
	case 'c': {
		char *end;
		unsigned long v;

		if (*arg < '0' || *arg > '9')
			return cli_bad(err, errlen, "invalid --count '%s' (a number from 1)", arg);
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (*end || errno || v < 1)
			return cli_bad(err, errlen, "invalid --count '%s' (a number from 1)", arg);
		cfg->count = v;
		break;
	}
	case OPT_WARN:
	case OPT_CRIT:
		return doctor_threshold_parse(&cfg->th, opt == OPT_CRIT, arg, err, errlen);
	case OPT_ALL_NETNS:
		cfg->all_netns = true;
		break;
	case OPT_RECORD:
		if (!*arg)
			return cli_bad(err, errlen, "empty --record file name");
		cfg->record = arg;
		break;
	case OPT_REPLAY:
		if (!*arg)
			return cli_bad(err, errlen, "empty --replay file name");
		cfg->replay = arg;
		break;
	case 'h':
		cfg->help = true;
		break;
	}
	return 0;
}

int cli_doctor_parse(struct doctor_config *cfg, int argc, char *argv[], char *err, size_t errlen)
{
	bool has_interval = false, has_count = false;
	struct doctor_thresholds def;
	int opt;

	memset(cfg, 0, sizeof(*cfg));
	doctor_thresholds_default(&cfg->th);
	cfg->count = 1;
	if (argc < 2 || strcmp(argv[1], "doctor") != 0)
		return cli_bad(err, errlen, "not the doctor command");
	optind = 0;
	opterr = 0;
	/* argv[1], the command word, plays argv[0]. */
	while ((opt = getopt_long(argc - 1, argv + 1, ":f:N:i:c:h", long_opts, NULL)) != -1) {
		const char *word = argv[optind];
		int ret;

		if (opt == '?') {
			if (optopt && strncmp(word, "--", 2) == 0)
				return cli_bad(err, errlen, "option '%.*s' takes no value",
					   (int)strcspn(word, "="), word);
			if (optopt)
				return cli_bad(err, errlen, "unknown option '-%c' for 'doctor'", optopt);
			return cli_bad(err, errlen, "unknown option '%s' for 'doctor'", word);
		}
		if (opt == ':')
			return cli_bad(err, errlen, "option '%s' needs a value", word);
		ret = parse_option(cfg, opt, optarg, &has_interval, err, errlen);
		if (ret < 0)
			return ret;
		has_count |= opt == 'c';
	}
	if (1 + optind < argc)
		return cli_bad(err, errlen, "unexpected argument '%s'", argv[1 + optind]);
	if (cfg->help)
		return 0;
	/* As the report's (cli.c): an invalid PORTSTAT_SPLIT is a usage
	 * error, also where doctor never splits (--all-netns, replays). */
	{
		unsigned shares;
		unsigned long min_sockets;

		if (split_env(&shares, &min_sockets, err, errlen) < 0)
			return -EINVAL;
	}
	if (cfg->all_netns && (cfg->netns || cfg->replay || cfg->record))
		return cli_bad(err, errlen, "--all-netns cannot be used with %s",
			   cfg->netns ? "--netns" : cfg->replay ? "--replay" : "--record");
	if (cfg->record && cfg->replay)
		return cli_bad(err, errlen, "--record and --replay cannot be used together");
	if (cfg->replay && cfg->netns)
		return cli_bad(err, errlen, "--replay and --netns cannot be used together");
	/* As the report's: the recording's samples are the intervals (the
	 * counters' growth is between them). */
	if (cfg->replay && has_interval)
		return cli_bad(err, errlen,
			   "--replay and --interval cannot be used together (a replay runs its recorded samples; -c limits them)");
	doctor_thresholds_default(&def);
	for (int c = 0; c < DOCTOR_NCHECKS; c++)
		if (cfg->th.warn[c] > cfg->th.crit[c])
			/* Only --warn raised: say the level it meets is the
			 * default, which the user never typed. */
			return cli_bad(err, errlen, "--warn %s=%llu%s is above %s--crit %s=%llu%s%s",
				   doctor_check_name(c), (unsigned long long)cfg->th.warn[c],
				   doctor_check_is_percent(c) ? "%" : "",
				   cfg->th.crit[c] == def.crit[c] ? "the default " : "",
				   doctor_check_name(c), (unsigned long long)cfg->th.crit[c],
				   doctor_check_is_percent(c) ? "%" : "",
				   cfg->th.crit[c] == def.crit[c] ? " (raise it too)" : "");
	/* -i alone repeats until stopped; -c alone samples once a second. */
	if (has_interval && !has_count)
		cfg->count = 0;
	if (has_count && !has_interval && !cfg->replay)
		cfg->interval = 1.0;
	if (cfg->replay && !has_count)
		cfg->count = 0;
	return 0;
}

void cli_help_doctor(FILE *out)
{
	fputs(
"Usage: portstat doctor [OPTION]...\n"
"Diagnose the namespace's TCP pathologies, worst first: where, the numbers\n"
"against the limit, why and what to do.  Checks: accept-queue (full accept\n"
"queues), ephemeral (local ports per destination), server-close, close-wait,\n"
"tw-buckets (against tcp_max_tw_buckets), fin-wait2 (peers that never\n"
"close), syn-recv (half-open against the backlog), orphans; see portstat(8).\n"
"\n"
"  -f, --format FMT       text (default: a monitoring plugin's status line,\n"
"                         then the report) or json\n"
"  -N, --netns NAME|PATH  diagnose that network namespace\n"
"      --all-netns        every network namespace, worst first on line one\n"
"      --warn CHECK=VALUE warning level of a check, e.g. ephemeral=50%,\n"
"      --crit CHECK=VALUE critical level ... close-wait=200 (repeatable)\n"
"  -i, --interval SECS    sample every SECS seconds (ListenOverflows growth)\n"
"  -c, --count N          stop after N samples\n"
"      --record FILE      also save the samples and their kernel context\n"
"      --replay FILE      diagnose a recording's samples instead\n"
"  -h, --help             show this help\n"
"\n"
"Exit status: 0 ok, 1 warning, 2 critical, 3 unknown (no sample, usage\n"
"error); the first line on stdout always says which:\n"
"'STATUS: summary | perfdata'\n", out);
}
