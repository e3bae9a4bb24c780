/* SPDX-License-Identifier: MIT */
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
#include "serve.h"
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
	OPT_WARN_GROWTH,
	OPT_CRIT_GROWTH,
	OPT_STATE_FILE,
	OPT_NO_MOUSE,
	OPT_LISTEN,
	OPT_MIN_INTERVAL,
	OPT_LEAKS,
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
	{ "warn-growth", required_argument, NULL, OPT_WARN_GROWTH },
	{ "crit-growth", required_argument, NULL, OPT_CRIT_GROWTH },
	{ "state-file", required_argument, NULL, OPT_STATE_FILE },
	{ "no-mouse",  no_argument,       NULL, OPT_NO_MOUSE },
	{ "numeric",   no_argument,       NULL, 'n' },
	{ "listen",    required_argument, NULL, OPT_LISTEN },
	{ "min-interval", required_argument, NULL, OPT_MIN_INTERVAL },
	{ "leaks",     no_argument,       NULL, OPT_LEAKS },
	{ "help",      no_argument,       NULL, 'h' },
	{ "version",   no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Leading ':' makes getopt report a missing value as ':' instead of
 * printing; opterr = 0 silences the rest. */
static const char short_opts[] = ":f:s:p:46HnN:i:c:hV";

#define MIN_INTERVAL	0.01
#define MAX_INTERVAL	86400.0

int cli_bad(char *err, size_t errlen, const char *fmt, ...)
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

int cli_parse_decimal(const char *s, double min, double max, double *out)
{
	char *end;
	double d;

	/* strtod() also takes " 1", "+1", hex and "inf"; a plain decimal
	 * is all a number of seconds or sockets needs. */
	*out = 0;
	if ((*s < '0' || *s > '9') && *s != '.')
		return -EINVAL;
	errno = 0;
	d = strtod(s, &end);
	if (*end || errno || strpbrk(s, "xX") || !isfinite(d))
		return -EDOM;
	*out = d;
	return d < min || d > max ? -ERANGE : 0;
}

int cli_parse_netns(const char *arg, const char **netns, char *err, size_t errlen)
{
	if (!*arg)
		return cli_bad(err, errlen, "empty --netns name");
	*netns = arg;
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
	cfg->min_interval = -1;	/* serve: 1 unless given */
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
			return cli_bad(err, errlen, "unknown format '%s' (text, json, csv or prometheus)", arg);
		break;
	case 's': {
		const char *word;
		size_t len;

		if (tcp_state_parse_list(arg, &cfg->filter.states, &word, &len) < 0)
			return cli_bad(err, errlen, "unknown state '%.*s' in --state '%s'",
				   (int)len, word, arg);
		break;
	}
	case 'p':
		if (portset_parse(&cfg->filter.ports, arg, perr, sizeof(perr)) < 0)
			return cli_bad(err, errlen, "%s", perr);
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
			return cli_bad(err, errlen,
				   "unknown --by '%s' (service, local, remote, process or cgroup)", arg);
		/* The last --by wins; owner rows filter -p by service port. */
		if (strcmp(arg, "process") != 0 && strcmp(arg, "cgroup") != 0)
			cfg->rows = CLI_ROWS_PORTS;
		else
			cfg->filter.by = TABLE_BY_SERVICE;
		break;
	case OPT_SORT:
		if (parse_sort(arg, &cfg->sort) < 0)
			return cli_bad(err, errlen, "unknown --sort '%s' (total, port or a state)", arg);
		break;
	case OPT_TOP:
		if (parse_ulong(arg, 1, 1000000, &v) < 0)
			return cli_bad(err, errlen, "invalid --top '%s' (a number from 1)", arg);
		cfg->top = v;
		break;
	case 'H':
		cfg->header = false;
		break;
	case 'N':
		return cli_parse_netns(arg, &cfg->netns, err, errlen);
	case 'i': {
		double d;
		int ret = cli_parse_decimal(arg, MIN_INTERVAL, MAX_INTERVAL, &d);

		if (ret < 0 && (ret != -ERANGE || d <= 0))
			return cli_bad(err, errlen, "invalid --interval '%s' (seconds, more than 0)", arg);
		if (ret < 0)
			return cli_bad(err, errlen, "--interval '%s' out of range (%.2g to %.0f seconds)",
				   arg, MIN_INTERVAL, MAX_INTERVAL);
		cfg->interval = d;
		*has_interval = true;
		break;
	}
	case 'c':
		if (parse_ulong(arg, 1, ULONG_MAX, &v) < 0)
			return cli_bad(err, errlen, "invalid --count '%s' (a number from 1)", arg);
		cfg->count = v;
		break;
	case OPT_RECORD:
		if (!*arg)
			return cli_bad(err, errlen, "empty --record file name");
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
			return cli_bad(err, errlen, "empty --write file name");
		cfg->write = arg;
		break;
	case OPT_WARN:
	case OPT_CRIT: {
		struct leaks_thresholds *th = &cfg->thresholds;

		if (parse_ulong(arg, 0, ULONG_MAX, &v) < 0)
			return cli_bad(err, errlen, "invalid --%s '%s' (a number of sockets)",
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
			return cli_bad(err, errlen, "invalid --%s '%s' (seconds, or with s, m, h or d)",
				   opt == OPT_WARN_AGE ? "warn-age" : "crit-age", arg);
		if (opt == OPT_WARN_AGE)
			th->warn_age = secs, th->has_warn_age = true;
		else
			th->crit_age = secs, th->has_crit_age = true;
		break;
	}
	case OPT_WARN_GROWTH:
	case OPT_CRIT_GROWTH: {
		struct leaks_thresholds *th = &cfg->thresholds;
		const char *name = opt == OPT_WARN_GROWTH ? "warn-growth" : "crit-growth";
		double d;

		if (cli_parse_decimal(arg, 0, 1e12, &d) < 0)
			return cli_bad(err, errlen, "invalid --%s '%s' (sockets per minute)", name, arg);
		if (opt == OPT_WARN_GROWTH)
			th->warn_growth = d, th->has_warn_growth = true;
		else
			th->crit_growth = d, th->has_crit_growth = true;
		break;
	}
	case OPT_STATE_FILE:
		if (!*arg)
			return cli_bad(err, errlen, "empty --state-file name");
		cfg->state_file = arg;
		break;
	case 'n':
		cfg->numeric = true;
		break;
	case OPT_NO_MOUSE:
		cfg->no_mouse = true;
		break;
	case OPT_LISTEN: {
		struct serve_addr a;

		if (serve_parse_listen(arg, &a) < 0)
			return cli_bad(err, errlen,
				   "invalid --listen '%s' (ADDR:PORT, [ADDR]:PORT or :PORT)", arg);
		cfg->listen = arg;
		break;
	}
	case OPT_MIN_INTERVAL:
		if (cli_parse_decimal(arg, 0, MAX_INTERVAL, &cfg->min_interval) < 0)
			return cli_bad(err, errlen,
				   "invalid --min-interval '%s' (seconds, 0 to %.0f)", arg, MAX_INTERVAL);
		break;
	case OPT_LEAKS:
		cfg->serve_leaks = true;
		break;
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
		if (th->has_warn || th->has_crit || th->has_warn_age || th->has_crit_age ||
		    th->has_warn_growth || th->has_crit_growth)
			return cli_bad(err, errlen, "--warn, --crit, --warn-age, --crit-age, --warn-growth and --crit-growth apply to 'leaks' only");
		if (cfg->state_file)
			return cli_bad(err, errlen, "--state-file applies to 'leaks' only");
		return 0;
	}
	if (states_given && extra) {
		int s = __builtin_ctz(extra);

		return cli_bad(err, errlen,
			   "'leaks' reports close-wait, fin-wait-1, fin-wait-2, last-ack and closing only, not '%s'",
			   tcp_state_name((enum tcp_state)s));
	}
	cfg->leak_states = states_given ? cfg->filter.states : TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT);
	if (th->has_warn && th->has_crit && th->warn > th->crit)
		return cli_bad(err, errlen, "--warn %llu is above --crit %llu",
			   (unsigned long long)th->warn, (unsigned long long)th->crit);
	if (th->has_warn_growth && th->has_crit_growth && th->warn_growth > th->crit_growth)
		return cli_bad(err, errlen, "--warn-growth %g is above --crit-growth %g",
			   th->warn_growth, th->crit_growth);
	if (cfg->state_file && (cfg->replay || cfg->all_netns))
		return cli_bad(err, errlen, "--state-file cannot be used with %s",
			   cfg->replay ? "--replay" : "--all-netns");
	if (th->has_warn_age && th->has_crit_age && th->warn_age > th->crit_age)
		return cli_bad(err, errlen, "--warn-age (%llu s) is above --crit-age (%llu s)",
			   (unsigned long long)th->warn_age, (unsigned long long)th->crit_age);
	return 0;
}

/* What only 'serve' takes, and what it does not: it always serves
 * Prometheus text, samples when scraped, and writes no files. */
static int check_serve(struct config *cfg, bool has_interval, bool states_given, char *err,
		       size_t errlen)
{
	const char *wrong = NULL;

	if (cfg->command != CLI_SERVE) {
		if (cfg->listen || cfg->min_interval >= 0 || cfg->serve_leaks)
			return cli_bad(err, errlen, "--listen, --min-interval and --leaks apply to 'serve' only");
		return 0;
	}
	if (cfg->format != CLI_FORMAT_TEXT)
		wrong = "--format";
	else if (has_interval)
		wrong = "--interval";
	else if (cfg->count)
		wrong = "--count";
	else if (cfg->record)
		wrong = "--record";
	else if (cfg->replay)
		wrong = "--replay";
	else if (cfg->write)
		wrong = "--write";
	if (wrong)
		return cli_bad(err, errlen, "%s does not apply to 'serve'", wrong);
	/* Leak metrics for the leak states -s names, CLOSE_WAIT when it
	 * names none (as 'leaks' without -s). */
	cfg->leak_states = states_given ? cfg->filter.states & (uint32_t)LEAKS_STATES_MASK : 0;
	if (!cfg->leak_states)
		cfg->leak_states = TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT);
	cfg->format = CLI_FORMAT_PROMETHEUS;
	if (!cfg->top)
		cfg->top = 20;
	if (cfg->min_interval < 0)
		cfg->min_interval = 1.0;
	return 0;
}

/* --by process and --by cgroup: rows of the report, live or recorded. */
static int check_rows(const struct config *cfg, char *err, size_t errlen)
{
	const char *by = cfg->rows == CLI_ROWS_PROCESS ? "process" : "cgroup";

	if (cfg->rows == CLI_ROWS_PORTS)
		return 0;
	if (cfg->command == CLI_TOP || cfg->command == CLI_SERVE)
		return cli_bad(err, errlen, "--by %s applies to the report and 'leaks', not to '%s'",
			   by, cfg->command == CLI_TOP ? "top" : "serve");
	if (cfg->command == CLI_LEAKS) {
		/* Owner rows come from /proc; a recording has none. */
		if (cfg->replay)
			return cli_bad(err, errlen,
				   "--by %s cannot be used with --replay (owners come from this host's /proc, not from the recording)",
				   by);
		return 0;
	}
	if (cfg->all_netns)
		return cli_bad(err, errlen, "--by %s cannot be used with --all-netns", by);
	if (cfg->rows == CLI_ROWS_PROCESS && cfg->replay)
		return cli_bad(err, errlen,
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
		else if (strcmp(argv[1], "serve") == 0)
			cfg->command = CLI_SERVE;
		else
			return cli_bad(err, errlen, "unknown command '%s' (report, top, leaks, serve or doctor)", argv[1]);
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
				return cli_bad(err, errlen, "option '%.*s' takes no value",
					   (int)strcspn(word, "="), word);
			if (optopt)
				return cli_bad(err, errlen, "unknown option '-%c'", optopt);
			return cli_bad(err, errlen, "unknown option '%s'", word);
		}
		if (opt == ':')
			return cli_bad(err, errlen, "option '%s' needs a value", word);
		ret = parse_option(cfg, opt, optarg, &has_interval, &v4, &v6, err, errlen);
		if (ret < 0)
			return ret;
		states_given |= opt == 's';
	}
	if (first - 1 + optind < argc)
		return cli_bad(err, errlen, "unexpected argument '%s'", argv[first - 1 + optind]);

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
		return cli_bad(err, errlen, "--all-netns cannot be used with %s",
			   cfg->netns ? "--netns" : cfg->replay ? "--replay" : "--record");
	if (cfg->record && cfg->replay)
		return cli_bad(err, errlen, "--record and --replay cannot be used together");
	if (cfg->replay && cfg->netns)
		return cli_bad(err, errlen, "--replay and --netns cannot be used together");
	if (check_leaks(cfg, states_given, err, errlen) < 0)
		return -EINVAL;
	if (check_rows(cfg, err, errlen) < 0)
		return -EINVAL;
	if (cfg->no_mouse && cfg->command != CLI_TOP)
		return cli_bad(err, errlen, "--no-mouse applies to 'top' only");
	if (check_serve(cfg, has_interval, states_given, err, errlen) < 0)
		return -EINVAL;
	if (cfg->command == CLI_SERVE)
		return 0;
	if (cfg->command == CLI_TOP) {
		/* The dashboard redraws every interval until 'q' (or -c
		 * samples); a replay is paced by the interval too. */
		if (cfg->format != CLI_FORMAT_TEXT)
			return cli_bad(err, errlen, "--format does not apply to 'top'");
		if (cfg->record)
			return cli_bad(err, errlen, "--record does not apply to 'top'");
		if (cfg->write)
			return cli_bad(err, errlen, "--write does not apply to 'top'");
		if (!has_interval)
			cfg->interval = 2.0;
		return 0;
	}
	/* Bounded cardinality by default: every port of a busy host would
	 * be thousands of series per scrape. */
	if (cfg->format == CLI_FORMAT_PROMETHEUS && !cfg->top)
		cfg->top = 20;
	if (cfg->replay && has_interval)
		return cli_bad(err, errlen,
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
"Usage: portstat [report] [OPTION]...  sockets per port and state, printed\n"
"       portstat top [OPTION]...     live dashboard; see portstat top --help\n"
"       portstat leaks [OPTION]...   who holds CLOSE_WAIT; portstat leaks --help\n"
"       portstat serve [OPTION]...   Prometheus exporter; portstat serve --help\n"
"       portstat doctor [OPTION]...  TCP pathologies; portstat doctor --help\n"
"TCP sockets read from the kernel over sock_diag.  The report's options:\n"
"  -f, --format FMT       text (default), json, csv or prometheus\n"
"  -s, --state LIST       states as printed (LISTEN, ESTAB, SYN-SENT, FIN-WAIT-1,\n"
"                         TIME-WAIT, CLOSE-WAIT, CLOSED, ...) or ss's, any case;\n"
"                         groups: all, connected, synchronized, bucket, big\n"
"  -p, --port LIST        ports: 80,443,8000-8100;  -4, -6  IPv4 or IPv6 only\n"
"      --by KEY           rows per port: service (default), local, remote;\n"
"                         or per owner: process, cgroup\n"
"      --sort KEY         total (default), port, or a state name\n"
"      --top N            show N rows; the rest are summed as 'other'\n"
"  -H, --no-header        no header line;  -n, --numeric  no SERVICE column\n"
"  -N, --netns NAME|PATH  read that network namespace (/run/netns/NAME)\n"
"      --all-netns        every network namespace, each labelled\n"
"  -i, --interval SECS    a sample every SECS seconds;  -c, --count N  N samples\n"
"      --record FILE      save the raw netlink replies to FILE (a new file)\n"
"      --replay FILE      read a recording instead of the kernel\n"
"      --write FILE       replace FILE atomically with each sample's output\n"
"  -h, --help             show this help;  -V, --version  show the version\n"
"Exit status: 0 ok, 1 failure or incomplete sample, 2 usage error; portstat(8)\n", out);
}

void cli_help_top(FILE *out)
{
	fputs(
"Usage: portstat top [OPTION]...\n"
"A live dashboard of TCP sockets per port and state; h in it lists the keys.\n"
"\n"
"  -s, --state LIST       states to count, as for the report: LISTEN, ESTAB,\n"
"                         CLOSE-WAIT, ... (any case), or all, connected, ...\n"
"  -p, --port LIST        ports: 80,443,8000-8100;  -4, -6  IPv4 or IPv6 only\n"
"      --by KEY           which port is the row's: service (default), local,\n"
"                         remote;  -n, --numeric  no SERVICE column\n"
"      --sort KEY         first sort column: total (default), port or a state\n"
"  -N, --netns NAME|PATH  watch that network namespace (/run/netns/NAME)\n"
"      --all-netns        every network namespace, a row per namespace\n"
"  -i, --interval SECS    a sample every SECS seconds (default 2; + - change it)\n"
"  -c, --count N          quit after N samples\n"
"      --replay FILE      show a recording, paced by the interval\n"
"      --no-mouse         leave the mouse to the terminal (no click to sort,\n"
"                         select or open)\n"
"  -h, --help             show this help\n"
"\n"
"Keys: q quit, h help, / filter, s < > sort, r reverse, c rate, d direction,\n"
"p pause, Enter detail; a click on a header sorts, on a row selects, twice opens.\n"
"Exit status: 0 ok, 1 failure, 2 usage error; portstat(8), section TOP\n", out);
}

void cli_help_serve(FILE *out)
{
	fputs(
"Usage: portstat serve [OPTION]...\n"
"A Prometheus exporter: GET /metrics samples the kernel's TCP tables (at most\n"
"once per --min-interval, shared by concurrent scrapes); GET / a landing page.\n"
"\n"
"      --listen ADDR:PORT  where to listen (default " SERVE_DEFAULT_LISTEN ": every address);\n"
"                         [ADDR]:PORT for IPv6, 127.0.0.1:PORT for this host only\n"
"      --min-interval SECS  least time between two samples (default 1; 0: every\n"
"                         scrape samples, still one sample at a time)\n"
"  -N, --netns NAME|PATH  serve that network namespace;  --all-netns  every one\n"
"      --by KEY           service (default), local or remote\n"
"      --top N            rows exported per namespace (default 20); the rest\n"
"                         are summed under port=\"other\"\n"
"  -s, --state LIST       states exported;  -p, --port LIST  ports (sticky rows)\n"
"  -4, -6                 IPv4 or IPv6 only\n"
"      --leaks            also leak metrics (portstat_leak_*, as 'leaks -f\n"
"                         prometheus'): CLOSE_WAIT, or the leak states of -s;\n"
"                         with --all-netns one model per namespace, labelled\n"
"\n"
"SIGTERM or SIGINT stop it (exit 0).  Exit status: 1 when it cannot listen or\n"
"sample at start, 2 usage error; portstat(8)\n", out);
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
"      --warn-growth N    warning when a group grows by more than N/minute\n"
"      --crit-growth N    critical ...           (with -i or --state-file)\n"
"      --state-file FILE  first-seen times and counts kept between runs\n"
"  -i, --interval SECS    sample every SECS: first-seen ages, growth per minute\n"
"      --all-netns        every network namespace; the verdict is the worst\n"
"      --by process|cgroup  rows per owner, thresholds applied to each\n"
"  -f, --format FMT       text (default: a plugin's status line, then the\n"
"                         table), json, csv or prometheus\n"
"  -p, -4, -6, --by, --top, -H, -N, -c, --record, --replay, --write\n"
"                         as for the report (portstat --help)\n"
"\n"
"Exit status: 0 ok, 1 warning, 2 critical, 3 unknown (no dump, usage error);\n"
"the first line on stdout always says which: 'STATUS: summary | perfdata'\n", out);
}
