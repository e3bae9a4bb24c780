/*
 * cli: option parsing and validation.  Every value is checked in full (no
 * atoi, no trailing garbage), and every error names the value it rejects.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "split.h"

enum {
	OPT_BY = 256,
	OPT_SORT,
	OPT_TOP,
	OPT_RECORD,
	OPT_REPLAY,
	OPT_WRITE,
	OPT_ALL_NETNS,
	OPT_WARN,
	OPT_CRIT,
	OPT_WARN_AGE,
	OPT_CRIT_AGE,
};

static const struct option long_opts[] = {
	{ "format",    required_argument, NULL, 'f' },
	{ "state",     required_argument, NULL, 's' },
	{ "port",      required_argument, NULL, 'p' },
	{ "by",        required_argument, NULL, OPT_BY },
	{ "sort",      required_argument, NULL, OPT_SORT },
	{ "top",       required_argument, NULL, OPT_TOP },
	{ "no-header", no_argument,       NULL, 'H' },
	{ "netns",     required_argument, NULL, 'N' },
	{ "interval",  required_argument, NULL, 'i' },
	{ "count",     required_argument, NULL, 'c' },
	{ "record",    required_argument, NULL, OPT_RECORD },
	{ "replay",    required_argument, NULL, OPT_REPLAY },
	{ "write",     required_argument, NULL, OPT_WRITE },
	{ "all-netns", no_argument,       NULL, OPT_ALL_NETNS },
	{ "warn",      required_argument, NULL, OPT_WARN },
	{ "crit",      required_argument, NULL, OPT_CRIT },
	{ "warn-age",  required_argument, NULL, OPT_WARN_AGE },
	{ "crit-age",  required_argument, NULL, OPT_CRIT_AGE },
	{ "help",      no_argument,       NULL, 'h' },
	{ "version",   no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Leading ':' makes getopt report a missing value as ':' instead of
 * printing; opterr = 0 silences the rest. */
static const char short_opts[] = ":f:s:p:46HN:i:c:hV";

#define MIN_INTERVAL	0.01
#define MAX_INTERVAL	86400.0

static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A whole decimal number in [min, max], nothing else. */
static int parse_ulong(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_sort(const char *s, struct table_sort *sort)
{
	if (strcmp(s, "total") == 0) {
		sort->key = TABLE_SORT_TOTAL;
	} else if (strcmp(s, "port") == 0) {
		sort->key = TABLE_SORT_PORT;
	} else {
		enum tcp_state st = tcp_state_lookup(s);

		if (!st)
			return -EINVAL;
		sort->key = TABLE_SORT_STATE;
		sort->state = st;
	}
	return 0;
}

static void defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->command = CLI_REPORT;
	cfg->format = CLI_FORMAT_TEXT;
	cfg->filter.by = TABLE_BY_SERVICE;
	cfg->filter.states = TCP_STATE_ALL_MASK;
	cfg->sort.key = TABLE_SORT_TOTAL;
	cfg->header = true;
}

static int parse_option(struct config *cfg, int opt, const char *arg,
			bool *has_interval, bool *v4, bool *v6,
			char *err, size_t errlen)
{
	unsigned long v;
	char perr[160];

	switch (opt) {
	case 'f':
		if (strcmp(arg, "text") == 0)
			cfg->format = CLI_FORMAT_TEXT;
		else if (strcmp(arg, "json") == 0)
			cfg->format = CLI_FORMAT_JSON;
		else if (strcmp(arg, "csv") == 0)
			cfg->format = CLI_FORMAT_CSV;
		else if (strcmp(arg, "prometheus") == 0)
			cfg->format = CLI_FORMAT_PROMETHEUS;
		else
			return bad(err, errlen, "unknown format '%s' (text, json, csv or prometheus)", arg);
		break;
	case 's': {
		const char *word;
		size_t len;

		if (tcp_state_parse_list(arg, &cfg->filter.states, &word, &len) < 0)
			return bad(err, errlen, "unknown state '%.*s' in --state '%s'",
				   (int)len, word, arg);
		break;
	}
	case 'p':
		if (portset_parse(&cfg->filter.ports, arg, perr, sizeof(perr)) < 0)
			return bad(err, errlen, "%s", perr);
		cfg->filter.has_ports = true;
		break;
	case '4':
		*v4 = true;
		break;
	case '6':
		*v6 = true;
		break;
	case OPT_BY:
		if (strcmp(arg, "service") == 0)
			cfg->filter.by = TABLE_BY_SERVICE;
		else if (strcmp(arg, "local") == 0)
			cfg->filter.by = TABLE_BY_LOCAL;
		else if (strcmp(arg, "remote") == 0)
			cfg->filter.by = TABLE_BY_REMOTE;
		else if (strcmp(arg, "process") == 0)
			cfg->rows = CLI_ROWS_PROCESS;
		else if (strcmp(arg, "cgroup") == 0)
			cfg->rows = CLI_ROWS_CGROUP;
		else
			return bad(err, errlen,
				   "unknown --by '%s' (service, local, remote, process or cgroup)", arg);
		/* The last --by wins; owner rows filter -p by service port. */
		if (strcmp(arg, "process") != 0 && strcmp(arg, "cgroup") != 0)
			cfg->rows = CLI_ROWS_PORTS;
		else
			cfg->filter.by = TABLE_BY_SERVICE;
		break;
	case OPT_SORT:
		if (parse_sort(arg, &cfg->sort) < 0)
			return bad(err, errlen, "unknown --sort '%s' (total, port or a state)", arg);
		break;
	case OPT_TOP:
		if (parse_ulong(arg, 1, 1000000, &v) < 0)
			return bad(err, errlen, "invalid --top '%s' (a number from 1)", arg);
		cfg->top = v;
		break;
	case 'H':
		cfg->header = false;
		break;
	case 'N':
		if (!*arg)
			return bad(err, errlen, "empty --netns name");
		cfg->netns = arg;
		break;
	case 'i': {
		char *end;
		double d;

		/* strtod() also takes " 1", "+1", hex and "inf"; a plain
		 * decimal is all an interval needs. */
		if ((*arg < '0' || *arg > '9') && *arg != '.')
			return bad(err, errlen, "invalid --interval '%s' (seconds, more than 0)", arg);
		errno = 0;
		d = strtod(arg, &end);
		if (*end || errno || strpbrk(arg, "xX") || !isfinite(d) || d <= 0)
			return bad(err, errlen, "invalid --interval '%s' (seconds, more than 0)", arg);
		if (d < MIN_INTERVAL || d > MAX_INTERVAL)
			return bad(err, errlen, "--interval '%s' out of range (%.2g to %.0f seconds)",
				   arg, MIN_INTERVAL, MAX_INTERVAL);
		cfg->interval = d;
		*has_interval = true;
		break;
	}
	case 'c':
		if (parse_ulong(arg, 1, ULONG_MAX, &v) < 0)
			return bad(err, errlen, "invalid --count '%s' (a number from 1)", arg);
		cfg->count = v;
		break;
	case OPT_RECORD:
		if (!*arg)
			return bad(err, errlen, "empty --record file name");
		cfg->record = arg;
		break;
	case OPT_REPLAY:
		cfg->replay = arg;
		break;
	case OPT_ALL_NETNS:
		cfg->all_netns = true;
		break;
	case OPT_WRITE:
		if (!*arg)
			return bad(err, errlen, "empty --write file name");
		cfg->write = arg;
		break;
	case OPT_WARN:
	case OPT_CRIT: {
		struct leaks_thresholds *th = &cfg->thresholds;

		if (parse_ulong(arg, 0, ULONG_MAX, &v) < 0)
			return bad(err, errlen, "invalid --%s '%s' (a number of sockets)",
				   opt == OPT_WARN ? "warn" : "crit", arg);
		if (opt == OPT_WARN)
			th->warn = v, th->has_warn = true;
		else
			th->crit = v, th->has_crit = true;
		break;
	}
	case OPT_WARN_AGE:
	case OPT_CRIT_AGE: {
		struct leaks_thresholds *th = &cfg->thresholds;
		uint64_t secs;

		if (leaks_parse_duration(arg, &secs) < 0)
			return bad(err, errlen, "invalid --%s '%s' (seconds, or with s, m, h or d)",
				   opt == OPT_WARN_AGE ? "warn-age" : "crit-age", arg);
		if (opt == OPT_WARN_AGE)
			th->warn_age = secs, th->has_warn_age = true;
		else
			th->crit_age = secs, th->has_crit_age = true;
		break;
	}
	case 'h':
		cfg->help = true;
		break;
	case 'V':
		cfg->version = true;
		break;
	}
	return 0;
}

/* What only 'leaks' takes, and what it does not. */
static int check_leaks(struct config *cfg, bool states_given, char *err, size_t errlen)
{
	const struct leaks_thresholds *th = &cfg->thresholds;
	uint32_t extra = cfg->filter.states & ~(uint32_t)LEAKS_STATES_MASK;

	if (cfg->command != CLI_LEAKS) {
		if (th->has_warn || th->has_crit || th->has_warn_age || th->has_crit_age)
			return bad(err, errlen, "--warn, --crit, --warn-age and --crit-age apply to 'leaks' only");
		return 0;
	}
	if (states_given && extra) {
		int s = __builtin_ctz(extra);

		return bad(err, errlen,
			   "'leaks' reports close-wait, fin-wait-1, fin-wait-2, last-ack and closing only, not '%s'",
			   tcp_state_name((enum tcp_state)s));
	}
	cfg->leak_states = states_given ? cfg->filter.states : TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT);
	if (cfg->all_netns)
		return bad(err, errlen, "--all-netns does not apply to 'leaks'");
	if (th->has_warn && th->has_crit && th->warn > th->crit)
		return bad(err, errlen, "--warn %llu is above --crit %llu",
			   (unsigned long long)th->warn, (unsigned long long)th->crit);
	if (th->has_warn_age && th->has_crit_age && th->warn_age > th->crit_age)
		return bad(err, errlen, "--warn-age (%llu s) is above --crit-age (%llu s)",
			   (unsigned long long)th->warn_age, (unsigned long long)th->crit_age);
	return 0;
}

/* --by process and --by cgroup: rows of the report, live or recorded. */
static int check_rows(const struct config *cfg, char *err, size_t errlen)
{
	const char *by = cfg->rows == CLI_ROWS_PROCESS ? "process" : "cgroup";

	if (cfg->rows == CLI_ROWS_PORTS)
		return 0;
	if (cfg->command != CLI_REPORT)
		return bad(err, errlen, "--by %s applies to the report only, not to '%s'",
			   by, cfg->command == CLI_TOP ? "top" : "leaks");
	if (cfg->all_netns)
		return bad(err, errlen, "--by %s cannot be used with --all-netns", by);
	if (cfg->rows == CLI_ROWS_PROCESS && cfg->replay)
		return bad(err, errlen,
			   "--by process cannot be used with --replay (owners come from this host's /proc, not from the recording)");
	return 0;
}

int cli_parse(struct config *cfg, int argc, char *argv[], char *err, size_t errlen)
{
	bool has_interval = false, v4 = false, v6 = false, states_given = false;
	int opt, first = 1;

	defaults(cfg);
	if (argc > 1 && argv[1][0] != '-') {
		if (strcmp(argv[1], "report") == 0)
			cfg->command = CLI_REPORT;
		else if (strcmp(argv[1], "top") == 0)
			cfg->command = CLI_TOP;
		else if (strcmp(argv[1], "leaks") == 0)
			cfg->command = CLI_LEAKS;
		else
			return bad(err, errlen, "unknown command '%s' (report, top, leaks or doctor)", argv[1]);
		first = 2;
	}

	/* getopt keeps state between calls; optind = 0 resets it fully. */
	optind = 0;
	opterr = 0;
	/* Parse argv[first - 1 ..] so the command word plays argv[0]. */
	while ((opt = getopt_long(argc - first + 1, argv + first - 1, short_opts,
				  long_opts, NULL)) != -1) {
		const char *word = argv[first - 1 + optind - 1];
		int ret;

		if (opt == '?') {
			/* glibc sets optopt to a long option's value when it
			 * was given a value it does not take (--no-header=1). */
			if (optopt && strncmp(word, "--", 2) == 0)
				return bad(err, errlen, "option '%.*s' takes no value",
					   (int)strcspn(word, "="), word);
			if (optopt)
				return bad(err, errlen, "unknown option '-%c'", optopt);
			return bad(err, errlen, "unknown option '%s'", word);
		}
		if (opt == ':')
			return bad(err, errlen, "option '%s' needs a value", word);
		ret = parse_option(cfg, opt, optarg, &has_interval, &v4, &v6, err, errlen);
		if (ret < 0)
			return ret;
		states_given |= opt == 's';
	}
	if (first - 1 + optind < argc)
		return bad(err, errlen, "unexpected argument '%s'", argv[first - 1 + optind]);

	if (cfg->help || cfg->version)
		return 0;
	/* The environment is part of the command line: an invalid
	 * PORTSTAT_SPLIT is the same usage error for every command, also
	 * those that never split (leaks, --all-netns, replays). */
	{
		unsigned shares;
		unsigned long min_sockets;

		if (split_env(&shares, &min_sockets, err, errlen) < 0)
			return -EINVAL;
	}
	/* -4 and -6 together mean both, as in ss. */
	cfg->filter.ipv4 = v4 || !v6;
	cfg->filter.ipv6 = v6 || !v4;
	if (cfg->all_netns && (cfg->netns || cfg->replay || cfg->record))
		return bad(err, errlen, "--all-netns cannot be used with %s",
			   cfg->netns ? "--netns" : cfg->replay ? "--replay" : "--record");
	if (cfg->record && cfg->replay)
		return bad(err, errlen, "--record and --replay cannot be used together");
	if (cfg->replay && cfg->netns)
		return bad(err, errlen, "--replay and --netns cannot be used together");
	if (check_leaks(cfg, states_given, err, errlen) < 0)
		return -EINVAL;
	if (check_rows(cfg, err, errlen) < 0)
		return -EINVAL;
	if (cfg->command == CLI_TOP) {
		/* The dashboard redraws every interval until 'q' (or -c
		 * samples); a replay is paced by the interval too. */
		if (cfg->format != CLI_FORMAT_TEXT)
			return bad(err, errlen, "--format does not apply to 'top'");
		if (cfg->record)
			return bad(err, errlen, "--record does not apply to 'top'");
		if (cfg->write)
			return bad(err, errlen, "--write does not apply to 'top'");
		if (!has_interval)
			cfg->interval = 2.0;
		return 0;
	}
	/* Bounded cardinality by default: every port of a busy host would
	 * be thousands of series per scrape. */
	if (cfg->format == CLI_FORMAT_PROMETHEUS && !cfg->top)
		cfg->top = 20;
	if (cfg->replay && has_interval)
		return bad(err, errlen,
			   "--replay and --interval cannot be used together (a replay runs its recorded samples; -c limits them)");
	if (cfg->count && !has_interval && !cfg->replay)
		cfg->interval = 1.0;
	if (!has_interval && !cfg->count && !cfg->replay)
		cfg->count = 1;
	return 0;
}

void cli_help(FILE *out)
{
	fputs(
"Usage: portstat [report|top|leaks|doctor] [OPTION]...\n"
"TCP sockets per port and state over sock_diag; 'doctor' diagnoses them.\n"
"\n"
"  -f, --format FMT       text (default), json, csv or prometheus\n"
"  -s, --state LIST       states, comma-separated: established, syn-sent,\n"
"                         syn-recv, fin-wait-1, fin-wait-2, time-wait, closed,\n"
"                         close-wait, last-ack, listening, closing, or a group:\n"
"                         all, connected, synchronized, bucket, big\n"
"  -p, --port LIST        ports: 80,443,8000-8100;  -4, -6  IPv4 or IPv6 only\n"
"      --by KEY           rows per port: service (default; local port if\n"
"                         inbound, peer port if outbound), local, remote;\n"
"                         or rows per owner: process, cgroup\n"
"      --sort KEY         total (default), port, or a state name\n"
"      --top N            show N rows; the rest are summed as 'other'\n"
"  -H, --no-header        no column header line\n"
"  -N, --netns NAME|PATH  read that network namespace (/run/netns/NAME)\n"
"      --all-netns        every network namespace, each labelled\n"
"  -i, --interval SECS    take a sample every SECS seconds\n"
"  -c, --count N          stop after N samples\n"
"      --record FILE      save the raw netlink replies to FILE (a new file)\n"
"      --replay FILE      read a recording instead of the kernel\n"
"      --write FILE       replace FILE atomically with each sample's output\n"
"  -h, --help             show this help;  -V, --version  show the version\n"
"Exit status: 0 ok, 1 failure or incomplete sample, 2 usage error; portstat(8)\n", out);
}

void cli_help_leaks(FILE *out)
{
	fputs(
"Usage: portstat leaks [OPTION]...\n"
"Who holds CLOSE_WAIT sockets: per port, direction and state, the count,\n"
"unread bytes, owning processes, top peers and the oldest socket's age.\n"
"\n"
"  -s, --state LIST       close-wait (default), fin-wait-1, fin-wait-2,\n"
"                         last-ack, closing\n"
"      --warn N           warning when a group holds more than N sockets\n"
"      --crit N           critical when a group holds more than N sockets\n"
"      --warn-age AGE     warning when the oldest is older than AGE (90, 5m,\n"
"      --crit-age AGE     critical ...                            2h, 1d)\n"
"  -i, --interval SECS    sample every SECS: first-seen ages, growth per minute\n"
"  -f, --format FMT       text (default: a monitoring plugin's status line,\n"
"                         then the table), json, csv or prometheus\n"
"  -p, -4, -6, --by, --top, -H, -N, -c, --record, --replay, --write\n"
"                         as for the report (portstat --help)\n"
"\n"
"Exit status: 0 ok, 1 warning, 2 critical, 3 unknown (no dump, usage error);\n"
"the first line on stdout always says which: 'STATUS: summary | perfdata'\n", out);
}
