/* SPDX-License-Identifier: MIT */
/*
 * check_cli: the command-line contract.  A table of good command lines with
 * the config each must produce (every field compared, defaults included), a
 * table of bad ones with the words each error message must contain, and
 * repeated parsing in one process (getopt's hidden state must be reset).
 * cli_parse() permutes argv, so each case parses a fresh writable copy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "cli.h"

#define MAX_ARGS	12

/* A writable argv ("portstat" + words) whose strings outlive the parse,
 * since the config borrows pointers into it. */
struct args {
	int argc;
	char *argv[MAX_ARGS + 2];
	char text[512];
};

static void args_init(struct args *a, const char *const *words)
{
	size_t used = 0;

	a->argc = 0;
	for (int i = -1; i < 0 || words[i]; i++) {
		const char *w = i < 0 ? "portstat" : words[i];
		size_t n = strlen(w) + 1;

		ck_assert_int_lt(a->argc, MAX_ARGS + 1);
		ck_assert_uint_le(used + n, sizeof(a->text));
		memcpy(a->text + used, w, n);
		a->argv[a->argc++] = a->text + used;
		used += n;
	}
	a->argv[a->argc] = NULL;
}

static int parse(struct config *cfg, struct args *a, const char *const *words,
		 char *err, size_t errlen)
{
	args_init(a, words);
	return cli_parse(cfg, a->argc, a->argv, err, errlen);
}

#define B(s)	TCP_STATE_BIT(TCP_STATE_##s)

enum fam { FAM_BOTH, FAM_V4, FAM_V6 };

/* Expected config.  Zero means the default for every field except count,
 * which each case states (it is the field with the subtlest rules). */
struct want {
	enum cli_command command;
	enum cli_format format;
	uint32_t states;		/* 0: all */
	enum fam fam;
	enum table_by by;
	enum table_sort_key sort;
	enum tcp_state sort_state;
	size_t top;
	bool no_header;
	const char *netns, *record, *replay;
	double interval;
	unsigned long count;
	uint16_t port_in[4];		/* ports the filter must hold (0 ends) */
	uint16_t port_out[4];		/* and must not */
	bool help, version;		/* only these are compared */
};

static const struct {
	const char *args[MAX_ARGS + 1];
	struct want w;
} good_cases[] = {
	{ { NULL },                          { .count = 1 } },
	{ { "report" },                      { .count = 1 } },
	{ { "top" },                         { .command = CLI_TOP, .interval = 2.0, .count = 0 } },
	{ { "top", "--replay", "f" },        { .command = CLI_TOP, .interval = 2.0, .replay = "f" } },
	{ { "top", "--all-netns" },          { .command = CLI_TOP, .interval = 2.0, .count = 0 } },
	{ { "top", "--replay", "f", "-i", "0.5", "-c", "3" },
	  { .command = CLI_TOP, .interval = 0.5, .count = 3, .replay = "f" } },
	{ { "leaks" },                       { .command = CLI_LEAKS, .count = 1 } },
	{ { "-f", "json" },                  { .format = CLI_FORMAT_JSON, .count = 1 } },
	{ { "--format", "csv" },             { .format = CLI_FORMAT_CSV, .count = 1 } },
	/* bounded cardinality: 20 rows unless --top says otherwise */
	{ { "-f", "prometheus" },            { .format = CLI_FORMAT_PROMETHEUS, .top = 20, .count = 1 } },
	{ { "-f", "prometheus", "--top", "5" },
	  { .format = CLI_FORMAT_PROMETHEUS, .top = 5, .count = 1 } },
	{ { "--format=json" },               { .format = CLI_FORMAT_JSON, .count = 1 } },
	{ { "-f", "json", "-f", "text" },    { .format = CLI_FORMAT_TEXT, .count = 1 } },
	{ { "-s", "listen" },                { .states = B(LISTEN), .count = 1 } },
	{ { "--state", "established,close-wait" },
	  { .states = B(ESTABLISHED) | B(CLOSE_WAIT), .count = 1 } },
	{ { "-s", "bucket" },                { .states = B(SYN_RECV) | B(TIME_WAIT), .count = 1 } },
	/* the names the output prints, as people type them */
	{ { "-n" },                          { .count = 1 } },
	{ { "top", "--numeric" },            { .command = CLI_TOP, .interval = 2.0 } },
	{ { "-s", "LISTEN,ESTAB" },          { .states = B(LISTEN) | B(ESTABLISHED), .count = 1 } },
	{ { "-s", "CLOSE-WAIT" },            { .states = B(CLOSE_WAIT), .count = 1 } },
	{ { "-s", "SYN-SENT,SYN-RECV,FIN-WAIT-1,FIN-WAIT-2" },
	  { .states = B(SYN_SENT) | B(SYN_RECV) | B(FIN_WAIT1) | B(FIN_WAIT2), .count = 1 } },
	{ { "-s", "TIME-WAIT,LAST-ACK,CLOSING,CLOSED" },
	  { .states = B(TIME_WAIT) | B(LAST_ACK) | B(CLOSING) | B(CLOSE), .count = 1 } },
	{ { "-s", "close_wait,Fin-Wait-2" }, { .states = B(CLOSE_WAIT) | B(FIN_WAIT2), .count = 1 } },
	{ { "leaks", "-s", "CLOSE-WAIT,LAST-ACK" },
	  { .command = CLI_LEAKS, .states = B(CLOSE_WAIT) | B(LAST_ACK), .count = 1 } },
	{ { "--sort", "CLOSE-WAIT" },        { .sort = TABLE_SORT_STATE,
					       .sort_state = TCP_STATE_CLOSE_WAIT, .count = 1 } },
	{ { "-s", "connected" },
	  { .states = TCP_STATE_ALL_MASK & ~(B(LISTEN) | B(CLOSE)), .count = 1 } },
	{ { "-p", "80" },                    { .port_in = { 80 }, .port_out = { 79, 81, 443 },
					       .count = 1 } },
	{ { "--port", "8000-8100,443" },     { .port_in = { 8000, 8100, 443 },
					       .port_out = { 7999, 8101, 80 }, .count = 1 } },
	{ { "-4" },                          { .fam = FAM_V4, .count = 1 } },
	{ { "-6" },                          { .fam = FAM_V6, .count = 1 } },
	{ { "-4", "-6" },                    { .fam = FAM_BOTH, .count = 1 } },
	{ { "-64" },                         { .fam = FAM_BOTH, .count = 1 } },
	{ { "--by", "service" },             { .by = TABLE_BY_SERVICE, .count = 1 } },
	{ { "--by", "local" },               { .by = TABLE_BY_LOCAL, .count = 1 } },
	{ { "--by=remote" },                 { .by = TABLE_BY_REMOTE, .count = 1 } },
	{ { "--sort", "total" },             { .sort = TABLE_SORT_TOTAL, .count = 1 } },
	{ { "--sort", "port" },              { .sort = TABLE_SORT_PORT, .count = 1 } },
	{ { "--sort", "close-wait" },        { .sort = TABLE_SORT_STATE,
					       .sort_state = TCP_STATE_CLOSE_WAIT, .count = 1 } },
	{ { "--sort", "close_wait" },        { .sort = TABLE_SORT_STATE,
					       .sort_state = TCP_STATE_CLOSE_WAIT, .count = 1 } },
	{ { "--sort", "listening" },         { .sort = TABLE_SORT_STATE,
					       .sort_state = TCP_STATE_LISTEN, .count = 1 } },
	{ { "--top", "5" },                  { .top = 5, .count = 1 } },
	{ { "-H" },                          { .no_header = true, .count = 1 } },
	{ { "--no-header" },                 { .no_header = true, .count = 1 } },
	{ { "-N", "blue" },                  { .netns = "blue", .count = 1 } },
	{ { "--netns", "/proc/1/ns/net" },   { .netns = "/proc/1/ns/net", .count = 1 } },
	{ { "-i", "0.5" },                   { .interval = 0.5, .count = 0 } },
	{ { "-i", "0.01" },                  { .interval = 0.01, .count = 0 } },
	{ { "--interval", "86400" },         { .interval = 86400, .count = 0 } },
	{ { "-c", "3" },                     { .interval = 1.0, .count = 3 } },
	{ { "-i", "2", "-c", "3" },          { .interval = 2.0, .count = 3 } },
	{ { "-c", "3", "-i", "2" },          { .interval = 2.0, .count = 3 } },
	{ { "--replay", "f" },               { .replay = "f", .count = 0 } },
	{ { "--replay", "f", "-c", "2" },    { .replay = "f", .count = 2 } },
	{ { "--record", "f" },               { .record = "f", .count = 1 } },
	{ { "--record", "f", "-i", "1", "-c", "5" },
	  { .record = "f", .interval = 1.0, .count = 5 } },
	{ { "leaks", "-f", "csv", "-s", "close-wait", "-p", "8080", "-6", "-H" },
	  { .command = CLI_LEAKS, .format = CLI_FORMAT_CSV, .states = B(CLOSE_WAIT),
	    .port_in = { 8080 }, .port_out = { 8081 }, .fam = FAM_V6, .no_header = true,
	    .count = 1 } },
	{ { "top", "--by", "local", "--sort", "port", "-i", "0.25", "--top", "20" },
	  { .command = CLI_TOP, .by = TABLE_BY_LOCAL, .sort = TABLE_SORT_PORT,
	    .interval = 0.25, .top = 20, .count = 0 } },
	{ { "-h" },                          { .help = true } },
	{ { "--help" },                      { .help = true } },
	{ { "-V" },                          { .version = true } },
	{ { "--version" },                   { .version = true } },
	{ { "top", "-h" },                   { .help = true } },
};

static void check_config(const struct config *c, const struct want *w, const char *what)
{
	ck_assert_msg(c->help == w->help && c->version == w->version,
		      "%s: help %d version %d", what, c->help, c->version);
	if (w->help || w->version)
		return;
	ck_assert_msg(c->command == w->command, "%s: command %d", what, c->command);
	ck_assert_msg(c->format == w->format, "%s: format %d", what, c->format);
	ck_assert_msg(c->filter.states == (w->states ? w->states : TCP_STATE_ALL_MASK),
		      "%s: states %#x", what, c->filter.states);
	ck_assert_msg(c->filter.ipv4 == (w->fam != FAM_V6), "%s: ipv4 %d", what, c->filter.ipv4);
	ck_assert_msg(c->filter.ipv6 == (w->fam != FAM_V4), "%s: ipv6 %d", what, c->filter.ipv6);
	ck_assert_msg(c->filter.by == w->by, "%s: by %d", what, c->filter.by);
	ck_assert_msg(c->sort.key == w->sort, "%s: sort %d", what, c->sort.key);
	if (w->sort == TABLE_SORT_STATE)
		ck_assert_msg(c->sort.state == w->sort_state, "%s: sort state %d", what,
			      c->sort.state);
	ck_assert_msg(c->top == w->top, "%s: top %zu", what, c->top);
	ck_assert_msg(c->header == !w->no_header, "%s: header %d", what, c->header);
	ck_assert_pstr_eq(c->netns, w->netns);
	ck_assert_pstr_eq(c->record, w->record);
	ck_assert_pstr_eq(c->replay, w->replay);
	ck_assert_msg(c->interval == w->interval, "%s: interval %g", what, c->interval);
	ck_assert_msg(c->count == w->count, "%s: count %lu", what, c->count);
	ck_assert_msg(c->filter.has_ports == (w->port_in[0] != 0), "%s: has_ports %d", what,
		      c->filter.has_ports);
	for (int i = 0; i < 4 && w->port_in[i]; i++)
		ck_assert_msg(portset_has(&c->filter.ports, w->port_in[i]),
			      "%s: port %u missing", what, w->port_in[i]);
	for (int i = 0; i < 4 && w->port_out[i]; i++)
		ck_assert_msg(!portset_has(&c->filter.ports, w->port_out[i]),
			      "%s: port %u present", what, w->port_out[i]);
}

static void describe(const char *const *args, char *buf, size_t len)
{
	size_t n = 0;

	snprintf(buf, len, "portstat");
	n = strlen(buf);
	for (int i = 0; args[i] && n < len; i++) {
		snprintf(buf + n, len - n, " %s", args[i]);
		n += strlen(buf + n);
	}
}

START_TEST(test_good)
{
	struct config cfg;
	struct args a;
	char err[256] = "", what[256];

	describe(good_cases[_i].args, what, sizeof(what));
	/* Garbage first: cli_parse must initialise every field itself. */
	memset(&cfg, 0x5a, sizeof(cfg));
	ck_assert_msg(parse(&cfg, &a, good_cases[_i].args, err, sizeof(err)) == 0,
		      "%s: rejected: %s", what, err);
	check_config(&cfg, &good_cases[_i].w, what);
}
END_TEST

static const struct {
	const char *args[MAX_ARGS + 1];
	const char *msg;	/* substring the error must contain */
} bad_cases[] = {
	{ { "top", "-f", "json" },           "--format does not apply to 'top'" },
	{ { "top", "--record", "x" },        "--record does not apply to 'top'" },
	{ { "-s", "establised" },            "unknown state 'establised'" },
	{ { "-s", "established,foo" },       "unknown state 'foo'" },
	{ { "--no-mouse" },                  "--no-mouse applies to 'top' only" },
	{ { "-s", "ESTABLISHED-" },          "unknown state 'ESTABLISHED-'" },
	{ { "-s", "LISTEN,CLOSEWAIT" },      "unknown state 'CLOSEWAIT'" },
	{ { "--state", "" },                 "unknown state" },
	{ { "-p", "65536" },                 "'65536'" },
	{ { "-p", "abc" },                   "'abc'" },
	{ { "-p", "100-50" },                "inverted port range '100-50'" },
	{ { "-i", "0" },                     "invalid --interval '0'" },
	{ { "-i", "-1" },                    "invalid --interval '-1'" },
	{ { "-i", "abc" },                   "invalid --interval 'abc'" },
	{ { "-i", "nan" },                   "invalid --interval 'nan'" },
	{ { "-i", "inf" },                   "invalid --interval 'inf'" },
	{ { "-i", "1e999" },                 "invalid --interval '1e999'" },
	{ { "-i", "1s" },                    "invalid --interval '1s'" },
	{ { "-i", "" },                      "invalid --interval ''" },
	{ { "-i", " 1" },                    "invalid --interval ' 1'" },
	{ { "-i", "+1" },                    "invalid --interval '+1'" },
	{ { "-i", "0x10" },                  "invalid --interval '0x10'" },
	{ { "-i", "0.001" },                 "--interval '0.001' out of range" },
	{ { "-i", "86401" },                 "--interval '86401' out of range" },
	{ { "-c", "0" },                     "invalid --count '0'" },
	{ { "-c", "-1" },                    "invalid --count '-1'" },
	{ { "-c", "abc" },                   "invalid --count 'abc'" },
	{ { "-c", "1.5" },                   "invalid --count '1.5'" },
	{ { "-c", "99999999999999999999999" }, "invalid --count" },
	{ { "--top", "0" },                  "invalid --top '0'" },
	{ { "--top", "x" },                  "invalid --top 'x'" },
	{ { "-f", "xml" },                   "unknown format 'xml'" },
	{ { "--by", "foo" },                 "unknown --by 'foo'" },
	{ { "top", "--by", "process" },      "--by process applies to the report and 'leaks', not to 'top'" },
	{ { "leaks", "--by", "cgroup", "--replay", "x" }, "--by cgroup cannot be used with --replay" },
	{ { "--by", "cgroup", "--all-netns" }, "--by cgroup cannot be used with --all-netns" },
	{ { "--by", "process", "--replay", "x" }, "--by process cannot be used with --replay" },
	{ { "--sort", "foo" },               "unknown --sort 'foo'" },
	{ { "--foo" },                       "unknown option '--foo'" },
	{ { "-z" },                          "unknown option '-z'" },
	{ { "-4", "-z", "-6" },              "unknown option '-z'" },
	{ { "-s" },                          "option '-s' needs a value" },
	{ { "-4", "--state" },               "option '--state' needs a value" },
	{ { "-4", "extra" },                 "unexpected argument 'extra'" },
	{ { "report", "extra" },             "unexpected argument 'extra'" },
	{ { "frobnicate" },                  "unknown command 'frobnicate'" },
	{ { "-N", "" },                      "empty --netns" },
	{ { "--record", "a", "--replay", "b" }, "--record and --replay" },
	{ { "--record", "" },                "empty --record file name" },
	{ { "--write", "" },                 "empty --write file name" },
	{ { "--replay", "b", "-N", "ns" },   "--replay and --netns" },
	{ { "--replay", "b", "-i", "1" },    "--replay and --interval" },
};

START_TEST(test_bad)
{
	struct config cfg;
	struct args a;
	char err[256] = "", what[256];

	describe(bad_cases[_i].args, what, sizeof(what));
	ck_assert_msg(parse(&cfg, &a, bad_cases[_i].args, err, sizeof(err)) == -EINVAL,
		      "%s: accepted", what);
	ck_assert_msg(strstr(err, bad_cases[_i].msg) != NULL,
		      "%s: message \"%s\" lacks \"%s\"", what, err, bad_cases[_i].msg);
	ck_assert_msg(strchr(err, '\n') == NULL, "%s: message is not one line", what);
}
END_TEST

/* PORTSTAT_SPLIT is checked by cli_parse() for every command, whether it
 * splits or not: one usage error everywhere. */
START_TEST(test_split_env)
{
	static const char *const cmds[][4] = {
		{ NULL }, { "top", NULL }, { "leaks", NULL }, { "--all-netns", NULL },
		{ "--replay", "x", NULL },
	};
	static const char *const bad[] = { "0", "9", "x", "-1", " 2", "2 ", "99999999999999999999" };
	struct config cfg;
	struct args a;
	char err[256], want[64];

	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
			ck_assert_int_eq(setenv("PORTSTAT_SPLIT", bad[b], 1), 0);
			err[0] = '\0';
			ck_assert_msg(parse(&cfg, &a, cmds[c], err, sizeof(err)) == -EINVAL,
				      "%s with PORTSTAT_SPLIT='%s': accepted", cmds[c][0] ? cmds[c][0] : "report",
				      bad[b]);
			snprintf(want, sizeof(want), "invalid PORTSTAT_SPLIT '%s' (1 to 8)", bad[b]);
			ck_assert_str_eq(err, want);
		}
		ck_assert_int_eq(setenv("PORTSTAT_SPLIT", "3", 1), 0);
		ck_assert_int_eq(parse(&cfg, &a, cmds[c], err, sizeof(err)), 0);
		/* empty is unset */
		ck_assert_int_eq(setenv("PORTSTAT_SPLIT", "", 1), 0);
		ck_assert_int_eq(parse(&cfg, &a, cmds[c], err, sizeof(err)), 0);
	}
	/* --help needs no valid environment */
	ck_assert_int_eq(setenv("PORTSTAT_SPLIT", "x", 1), 0);
	ck_assert_int_eq(parse(&cfg, &a, (const char *const[]){ "--help", NULL }, err, sizeof(err)), 0);
	ck_assert_int_eq(unsetenv("PORTSTAT_SPLIT"), 0);
}
END_TEST

/* Port 0 can be selected: --by remote shows it. */
START_TEST(test_port_zero)
{
	struct config cfg;
	struct args a;
	char err[256];

	ck_assert_int_eq(parse(&cfg, &a, (const char *const[]){ "-p", "0", "--by", "remote", NULL },
			       err, sizeof(err)), 0);
	ck_assert(cfg.filter.has_ports);
	ck_assert(portset_has(&cfg.filter.ports, 0));
	ck_assert(!portset_has(&cfg.filter.ports, 1));
	ck_assert_int_eq(parse(&cfg, &a, (const char *const[]){ "-p", "0-2,80", NULL },
			       err, sizeof(err)), 0);
	ck_assert(portset_has(&cfg.filter.ports, 0) && portset_has(&cfg.filter.ports, 2));
	ck_assert(!portset_has(&cfg.filter.ports, 3));
}
END_TEST

/* A value given to a long option that takes none: the message must name
 * what was typed, not the option's short form (glibc reports the option's
 * val in optopt here, e.g. 'H' for --no-header=1). */
START_TEST(test_long_option_given_a_value)
{
	static const char *const words[] = { "--no-header=1", NULL };
	struct config cfg;
	struct args a;
	char err[256] = "";

	ck_assert_int_eq(parse(&cfg, &a, words, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "--no-header") != NULL,
		      "message \"%s\" does not name --no-header", err);
}
END_TEST

/* --by process|cgroup: rows per owner, -p by service port; the last --by
 * wins; a recording can be shown per cgroup (ids), not per process. */
START_TEST(test_rows)
{
	static const struct {
		const char *const words[6];
		enum cli_rows rows;
		enum table_by by;
	} cases[] = {
		{ { NULL }, CLI_ROWS_PORTS, TABLE_BY_SERVICE },
		{ { "--by", "process", NULL }, CLI_ROWS_PROCESS, TABLE_BY_SERVICE },
		{ { "--by", "local", "--by", "cgroup", NULL }, CLI_ROWS_CGROUP, TABLE_BY_SERVICE },
		{ { "--by", "process", "--by", "remote", NULL }, CLI_ROWS_PORTS, TABLE_BY_REMOTE },
		{ { "--by", "cgroup", "--replay", "x", NULL }, CLI_ROWS_CGROUP, TABLE_BY_SERVICE },
	};
	struct config cfg;
	struct args a;
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(parse(&cfg, &a, cases[i].words, err, sizeof(err)), 0);
		ck_assert_int_eq(cfg.rows, cases[i].rows);
		ck_assert_int_eq(cfg.filter.by, cases[i].by);
	}
}
END_TEST

START_TEST(test_parse_twice)
{
	static const char *const first[] = { "top", "-6", "--port", "22", "-z", "-4", NULL };
	static const char *const second[] = { "-f", "json", "-4", "-c", "2", NULL };
	static const char *const third[] = { "leaks", "--by", "remote", NULL };
	struct config cfg;
	struct args a;
	char err[256];

	/* An error mid-argv leaves getopt half-way through; the next parse
	 * must still start from the first word. */
	ck_assert_int_eq(parse(&cfg, &a, first, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'-z'"));

	ck_assert_int_eq(parse(&cfg, &a, second, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.command, CLI_REPORT);
	ck_assert_int_eq(cfg.format, CLI_FORMAT_JSON);
	ck_assert(cfg.filter.ipv4 && !cfg.filter.ipv6);
	ck_assert(!cfg.filter.has_ports);
	ck_assert_uint_eq(cfg.count, 2);

	ck_assert_int_eq(parse(&cfg, &a, third, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.command, CLI_LEAKS);
	ck_assert_int_eq(cfg.format, CLI_FORMAT_TEXT);
	ck_assert_int_eq(cfg.filter.by, TABLE_BY_REMOTE);
	ck_assert(cfg.filter.ipv4 && cfg.filter.ipv6);
	ck_assert_uint_eq(cfg.count, 1);
}
END_TEST

START_TEST(test_borrows_argv)
{
	static const char *const words[] = { "-N", "blue", "--record", "out.rec", NULL };
	struct config cfg;
	struct args a;
	char err[256];

	ck_assert_int_eq(parse(&cfg, &a, words, err, sizeof(err)), 0);
	/* Borrowed, not copied: the pointers are into argv's strings. */
	ck_assert(cfg.netns >= a.text && cfg.netns < a.text + sizeof(a.text));
	ck_assert(cfg.record >= a.text && cfg.record < a.text + sizeof(a.text));
}
END_TEST

START_TEST(test_short_error_buffer)
{
	static const char *const words[] = { "-f", "a-very-long-format-name", NULL };
	struct config cfg;
	struct args a;
	char err[16];

	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(parse(&cfg, &a, words, err, 10), -EINVAL);
	ck_assert_uint_eq(strlen(err), 9);
	ck_assert_int_eq(err[10], 'x');
}
END_TEST

START_TEST(test_help_text)
{
	static const char *const opts[] = {
		"--format", "--state", "--port", "--by", "--sort", "--top", "--no-header",
		"--netns", "--interval", "--count", "--record", "--replay", "--help",
		"--version",
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	cli_help(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(strstr(text, "Usage: portstat"));
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		ck_assert_msg(strstr(text, opts[i]) != NULL, "help lacks %s", opts[i]);
	free(text);
}
END_TEST

/* The text @fn prints, malloc'd. */
static char *help_of(void (*fn)(FILE *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	fn(f);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

/* The top-level help says where each command's help is. */
START_TEST(test_help_names_commands)
{
	char *text = help_of(cli_help);

	ck_assert_ptr_nonnull(strstr(text, "portstat top --help"));
	ck_assert_ptr_nonnull(strstr(text, "portstat leaks --help"));
	free(text);
}
END_TEST

/* top's help lists what top takes and nothing it refuses or ignores. */
START_TEST(test_help_top)
{
	static const char *const has[] = {
		"Usage: portstat top", "--state", "--port", "--by", "--sort", "--netns",
		"--all-netns", "--interval", "--count", "--replay", "--no-mouse", "--help",
	};
	static const char *const lacks[] = {
		"--format", "-f,", "--record", "--write", "--top", "--no-header",
		"--warn", "process", "cgroup", "prometheus",
	};
	char *text = help_of(cli_help_top);

	for (size_t i = 0; i < sizeof(has) / sizeof(has[0]); i++)
		ck_assert_msg(strstr(text, has[i]) != NULL, "top help lacks %s", has[i]);
	for (size_t i = 0; i < sizeof(lacks) / sizeof(lacks[0]); i++)
		ck_assert_msg(strstr(text, lacks[i]) == NULL, "top help has %s", lacks[i]);
	free(text);
}
END_TEST

/* leaks' help leaves out what leaks refuses, and names its formats. */
START_TEST(test_help_leaks)
{
	static const char *const lacks[] = { "--sort", "--numeric", "--no-mouse" };
	char *text = help_of(cli_help_leaks);

	ck_assert_ptr_nonnull(strstr(text, "Usage: portstat leaks"));
	ck_assert_ptr_nonnull(strstr(text, "prometheus"));
	for (size_t i = 0; i < sizeof(lacks) / sizeof(lacks[0]); i++)
		ck_assert_msg(strstr(text, lacks[i]) == NULL, "leaks help has %s", lacks[i]);
	free(text);
}
END_TEST

/* serve: its defaults and options; what it refuses is in cli_errors.sh. */
START_TEST(test_serve)
{
	static const char *const plain[] = { "serve", NULL };
	static const char *const given[] = { "serve", "--listen", "127.0.0.1:9", "--min-interval",
					     "0", "--top", "5", "--all-netns", NULL };
	struct config cfg;
	struct args a;
	char err[256];

	ck_assert_int_eq(parse(&cfg, &a, plain, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.command, CLI_SERVE);
	ck_assert_int_eq(cfg.format, CLI_FORMAT_PROMETHEUS);
	ck_assert_uint_eq(cfg.top, 20);
	ck_assert(cfg.min_interval == 1.0);
	ck_assert_ptr_null(cfg.listen);
	ck_assert(!cfg.serve_leaks);
	ck_assert_int_eq(parse(&cfg, &a, given, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.listen, "127.0.0.1:9");
	ck_assert(cfg.min_interval == 0.0);
	ck_assert_uint_eq(cfg.top, 5);
	ck_assert(cfg.all_netns);
}
END_TEST

/* serve --leaks: CLOSE_WAIT unless -s names leak states; with --all-netns
 * too (one model per namespace). */
START_TEST(test_serve_leaks)
{
	static const char *const plain[] = { "serve", "--leaks", NULL };
	static const char *const states[] = { "serve", "--leaks", "-s",
					      "established,fin-wait-2,last-ack", "-N", "x", NULL };
	static const char *const other[] = { "serve", "--leaks", "-s", "established", NULL };
	static const char *const all[] = { "serve", "--leaks", "--all-netns", NULL };
	struct config cfg;
	struct args a;
	char err[256];

	ck_assert_int_eq(parse(&cfg, &a, plain, err, sizeof(err)), 0);
	ck_assert(cfg.serve_leaks);
	ck_assert_uint_eq(cfg.leak_states, TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT));
	ck_assert_int_eq(parse(&cfg, &a, states, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.leak_states, TCP_STATE_BIT(TCP_STATE_FIN_WAIT2) |
					   TCP_STATE_BIT(TCP_STATE_LAST_ACK));
	ck_assert_uint_eq(cfg.filter.states, TCP_STATE_BIT(TCP_STATE_ESTABLISHED) |
					     TCP_STATE_BIT(TCP_STATE_FIN_WAIT2) |
					     TCP_STATE_BIT(TCP_STATE_LAST_ACK));
	ck_assert_int_eq(parse(&cfg, &a, other, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.leak_states, TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT));
	ck_assert_int_eq(parse(&cfg, &a, all, err, sizeof(err)), 0);
	ck_assert(cfg.serve_leaks && cfg.all_netns);
	ck_assert_uint_eq(cfg.leak_states, TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT));
}
END_TEST

/* cli_parse_decimal(), shared by -i, --min-interval, --warn-growth and
 * doctor's -i (in [0.01, 1000] here): each kind of failure apart, since
 * doctor words them apart. */
static const struct {
	const char *s;
	int ret;
	double value;		/* *out: the number for 0 and -ERANGE */
} decimal_cases[] = {
	{ "2", 0, 2 },		{ "0.5", 0, 0.5 },	{ ".5", 0, 0.5 },
	{ "1e3", 0, 1000 },	{ "10", 0, 10 },	{ "00", -ERANGE, 0 },
	{ "", -EINVAL, 0 },	{ " 1", -EINVAL, 0 },	{ "+1", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },	{ "inf", -EINVAL, 0 },	{ "nan", -EINVAL, 0 },
	{ "1s", -EDOM, 0 },	{ "1 ", -EDOM, 0 },	{ "0x10", -EDOM, 0 },
	{ "1e999", -EDOM, 0 },	{ ".", -EDOM, 0 },	{ "1e-400", -EDOM, 0 },
	{ "1001", -ERANGE, 1001 },	{ "0.001", -ERANGE, 0.001 },
};

START_TEST(test_parse_decimal)
{
	double d = -1;
	int ret = cli_parse_decimal(decimal_cases[_i].s, 0.01, 1000, &d);

	ck_assert_msg(ret == decimal_cases[_i].ret, "'%s': %d", decimal_cases[_i].s, ret);
	ck_assert_msg(d == decimal_cases[_i].value, "'%s': %g", decimal_cases[_i].s, d);
}
END_TEST

START_TEST(test_parse_decimal_bounds)
{
	double d;

	ck_assert_int_eq(cli_parse_decimal("0.01", 0.01, 86400, &d), 0);
	ck_assert_int_eq(cli_parse_decimal("86400", 0.01, 86400, &d), 0);
	ck_assert_int_eq(cli_parse_decimal("86400.5", 0.01, 86400, &d), -ERANGE);
	ck_assert(d == 86400.5);
	ck_assert_int_eq(cli_parse_decimal("0.001", 0.01, 86400, &d), -ERANGE);
	ck_assert(d == 0.001);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_good, 0, sizeof(good_cases) / sizeof(good_cases[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_long_option_given_a_value);
	tcase_add_loop_test(tc, test_parse_decimal, 0,
			    sizeof(decimal_cases) / sizeof(decimal_cases[0]));
	tcase_add_test(tc, test_parse_decimal_bounds);
	tcase_add_test(tc, test_serve_leaks);
	tcase_add_test(tc, test_split_env);
	tcase_add_test(tc, test_serve);
	tcase_add_test(tc, test_port_zero);
	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_parse_twice);
	tcase_add_test(tc, test_borrows_argv);
	tcase_add_test(tc, test_short_error_buffer);
	tcase_add_test(tc, test_help_text);
	tcase_add_test(tc, test_help_names_commands);
	tcase_add_test(tc, test_help_top);
	tcase_add_test(tc, test_help_leaks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
