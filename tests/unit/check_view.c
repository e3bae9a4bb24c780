/* SPDX-License-Identifier: MIT */
/*
 * check_view: the views with hostile names.  Processes of a fake /proc
 * carry comms and cgroups with ESC/CSI sequences, CR/LF, C1 controls,
 * invalid UTF-8, quotes, commas, backslashes, a leading '=' and wide
 * characters; a namespace label is as bad.  The port report, --by
 * process and leaks are rendered in every format and each output is
 * checked as a strict consumer would: valid UTF-8 everywhere; text with
 * no control byte but its line ends, one line per row and every line of
 * a table the same display width; CSV records of the header's field
 * count; JSON strings a strict parser takes; Prometheus accepted by
 * promtool (when installed) with no control byte.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <check.h>

#include "diag.h"
#include "fstree.h"
#include "leaks.h"
#include "owners.h"
#include "strenc.h"
#include "table.h"
#include "view.h"
#include "view_leaks.h"

/* Names any user can give a process (prctl(PR_SET_NAME): 15 bytes). */
static const char *const comms[] = {
	"\x1b[2J\x1b[31mevil",		/* clear screen, red */
	"a\r\nb,\"c\"",			/* a forged line, CSV quoting */
	"\xff\xfe\xc0\xaf\xed\xa0\x80",	/* invalid, overlong, surrogate */
	"=cmd|' /C x'",			/* a spreadsheet formula */
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",	/* wide: 3 bytes, 2 columns each */
	"\xc2\x9b" "31m\xe2\x80\xae" "q",	/* C1 CSI, bidi override */
	"\\x1b\\\"q\xe2\x82",		/* backslashes, a cut sequence */
};
#define NCOMMS	((int)(sizeof(comms) / sizeof(comms[0])))

static const char *const hostile_ns = "ns\x1b]0;pwned\x07,\"x\"\n\xff";

static void tree_setup(void)
{
	fstree_setup_named("check_view");
}

/* /proc/<100+i> holding socket inode 1000+i, with comms[i] and a cgroup
 * whose last component is that comm too. */
static void fake_proc(void)
{
	for (int i = 0; i < NCOMMS; i++) {
		char rel[64], target[32], text[128];

		snprintf(rel, sizeof(rel), "%d", 100 + i);
		mk_mode(rel, 0755);
		snprintf(rel, sizeof(rel), "%d/fd", 100 + i);
		mk_mode(rel, 0755);
		snprintf(rel, sizeof(rel), "%d/fd/3", 100 + i);
		snprintf(target, sizeof(target), "socket:[%d]", 1000 + i);
		lnk(target, rel);
		snprintf(rel, sizeof(rel), "%d/comm", 100 + i);
		snprintf(text, sizeof(text), "%s\n", comms[i]);
		put(rel, text);
		snprintf(rel, sizeof(rel), "%d/cgroup", 100 + i);
		snprintf(text, sizeof(text), "0::/user.slice/%s\n", comms[i]);
		put(rel, text);
	}
}

static struct sock_rec rec(enum tcp_state state, uint16_t sport, uint16_t dport, uint32_t inode,
			   uint64_t cookie)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.state = (uint8_t)state;
	r.sport = sport;
	r.dport = dport;
	ck_assert_int_eq(inet_pton(AF_INET, "10.0.0.1", r.daddr), 1);
	r.inode = inode;
	r.cookie = cookie;
	return r;
}

/* ---- what a strict consumer checks ---------------------------------- */

/* Strict UTF-8 (RFC 3629), written apart from strenc's decoder. */
static bool valid_utf8(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			k = 2, cp = s[i] & 0x1f;
		else if ((s[i] & 0xf0) == 0xe0)
			k = 3, cp = s[i] & 0x0f;
		else if ((s[i] & 0xf8) == 0xf0)
			k = 4, cp = s[i] & 0x07;
		else
			return false;
		if (i + k > n)
			return false;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
			return false;	/* C1 counts as invalid here: none may pass */
		i += k;
	}
	return true;
}

/* No control byte but the line ends. */
static void assert_no_controls(const char *out)
{
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		ck_assert_msg(*p == '\n' || (*p >= 0x20 && *p != 0x7f),
			      "control byte 0x%02x at offset %td in:\n%s", *p,
			      (const char *)p - out, out);
	ck_assert_msg(valid_utf8(out, strlen(out)), "invalid UTF-8 in:\n%s", out);
}

/* The output's lines; *n receives how many.  Modifies @out. */
static size_t split_lines(char *out, char **lines, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l && n < max;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	return n;
}

/* RFC 4180 fields of one record; -1 when malformed. */
static int csv_fields(const char *r)
{
	int n = 1;

	for (size_t i = 0; r[i];) {
		if (r[i] == '"') {
			for (i++;; i++) {
				if (!r[i])
					return -1;
				if (r[i] == '"' && r[i + 1] == '"')
					i++;
				else if (r[i] == '"')
					break;
			}
			i++;
			if (r[i] && r[i] != ',')
				return -1;
		} else {
			while (r[i] && r[i] != ',') {
				if (r[i] == '"')
					return -1;
				i++;
			}
		}
		if (r[i] == ',') {
			n++;
			i++;
		}
	}
	return n;
}

/* A JSON text's strings: no raw control, only JSON's escapes. */
static void assert_json_strings(const char *j)
{
	bool in = false;

	for (size_t i = 0; j[i]; i++) {
		unsigned char c = (unsigned char)j[i];

		if (!in) {
			in = c == '"';
			continue;
		}
		ck_assert_msg(c >= 0x20, "raw control in a JSON string: %s", j);
		if (c == '\\') {
			i++;
			ck_assert_msg(j[i] && strchr("\"\\/bfnrtu", j[i]), "bad escape in %s", j);
			if (j[i] == 'u')
				for (int d = 1; d <= 4; d++)
					ck_assert(j[i + d] &&
						  strchr("0123456789abcdefABCDEF", j[i + d]));
		} else if (c == '"') {
			in = false;
		}
	}
	ck_assert(!in);
}

static void assert_promtool(const char *text)
{
	char path[] = "/tmp/check_view-prom-XXXXXX", cmd[128];
	int fd;
	FILE *f;

	if (system("command -v promtool >/dev/null 2>&1") != 0)
		return;		/* scripts/test installs it; a bare build may not */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s >/dev/null 2>&1", path);
	ck_assert_msg(system(cmd) == 0, "promtool rejects:\n%s", text);
	unlink(path);
}

/* Every line of a text table has the same display width: the columns
 * line up whatever the names.  Lines @from..@n-1. */
static void assert_aligned(char **lines, size_t from, size_t n)
{
	int w = strenc_text_width(lines[from]);

	for (size_t i = from + 1; i < n; i++)
		ck_assert_msg(strenc_text_width(lines[i]) == w, "line %zu is %d columns, not %d:\n%s",
			      i, strenc_text_width(lines[i]), w, lines[i]);
}

/* The display column where @needle starts in @line. */
static int column_of(const char *line, const char *needle)
{
	const char *at = strstr(line, needle);
	char prefix[512];

	ck_assert_msg(at != NULL, "no \"%s\" in %s", needle, line);
	ck_assert_uint_lt((size_t)(at - line), sizeof(prefix));
	memcpy(prefix, line, (size_t)(at - line));
	prefix[at - line] = '\0';
	return strenc_text_width(prefix);
}

typedef int (*render_fn)(FILE *, const struct view_sample *, const struct view_opts *);

static char *render(render_fn fn, const struct view_sample *s)
{
	struct view_opts o = { .sort = { .key = TABLE_SORT_PORT }, .header = true, .first = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fn(f, s, &o), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* ---- --by process ------------------------------------------------------ */

static struct table_filter filter(void)
{
	return (struct table_filter){ .by = TABLE_BY_SERVICE, .states = TCP_STATE_ALL_MASK,
				      .ipv4 = true, .ipv6 = true };
}

START_TEST(test_owners)
{
	struct table_filter f = filter();
	struct table *t = table_new(&f);
	struct owners *w;
	struct view_sample s;
	char *out, *lines[64];
	size_t n;

	ck_assert_ptr_nonnull(t);
	fake_proc();
	ck_assert_int_eq(owners_new(&w, OWNERS_PROCESS), 0);
	for (int i = 0; i < NCOMMS; i++) {
		struct sock_rec r = rec(TCP_STATE_ESTABLISHED, 40000, 443, 1000 + (uint32_t)i,
					1 + (uint64_t)i);

		ck_assert_int_eq(table_add(t, &r), 1);
		ck_assert_int_eq(owners_add(w, &r), 0);
	}
	ck_assert_int_eq(owners_resolve(w, root, ""), 0);
	ck_assert_uint_eq(owners_nrows(w), NCOMMS);
	s = (struct view_sample){ .table = t, .netns = hostile_ns, .complete = false,
				  .note = "cut\x1b[K short\n", .owners = w };

	out = render(view_owners_text, &s);
	assert_no_controls(out);
	/* header, a row per process, total, the incomplete note: no more */
	n = split_lines(out, lines, 64);
	ck_assert_uint_eq(n, (size_t)NCOMMS + 3);
	assert_aligned(lines, 0, n - 1);
	ck_assert_str_eq(lines[n - 1], "# incomplete: cut\\x1b[K short\\x0a");
	free(out);

	out = render(view_owners_json, &s);
	assert_no_controls(out);
	assert_json_strings(out);
	ck_assert_ptr_nonnull(strstr(out, "\"comm\":\"\\u001b[2J\\u001b[31mevil\""));
	ck_assert_ptr_nonnull(strstr(out, "\"comm\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
	free(out);

	out = render(view_owners_csv, &s);
	assert_no_controls(out);
	ck_assert_msg(strstr(out, ",\"'=cmd|' /C x'\",") != NULL, "%s", out);
	n = split_lines(out, lines, 64);
	ck_assert_uint_eq(n, (size_t)NCOMMS + 1);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(csv_fields(lines[i]) == csv_fields(lines[0]), "record %zu: %s", i,
			      lines[i]);
	free(out);

	out = render(view_owners_prom, &s);
	assert_no_controls(out);
	assert_promtool(out);
	free(out);

	owners_delete(w);
	table_delete(t);
}
END_TEST

/* Every series (name and label set) appears once: node_exporter drops a
 * whole file that repeats one. */
static void assert_unique_series(const char *text)
{
	char *copy = strdup(text), *lines[256];
	size_t n;

	ck_assert_ptr_nonnull(copy);
	n = split_lines(copy, lines, 256);
	for (size_t i = 0; i < n; i++) {
		char *sp = strrchr(lines[i], ' ');

		if (lines[i][0] != '#' && sp)
			*sp = '\0';	/* the value */
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			ck_assert_msg(lines[i][0] == '#' || strcmp(lines[i], lines[j]) != 0,
				      "series twice: %s", lines[i]);
	free(copy);
}

/* Cgroups whose paths differ only in bytes the encoder replaces: one
 * series, their counts summed. */
START_TEST(test_cgroup_collisions)
{
	static const char *const dirs[] = { "a\xff", "a\xfe", "b\x1b", "b\\x1b", "c" };
	struct table_filter f = filter();
	struct table *t = table_new(&f);
	struct owners *w;
	struct view_sample s;
	char *out;

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(owners_new(&w, OWNERS_CGROUP), 0);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[256];
		struct stat st;

		mk_mode(dirs[i], 0755);
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		ck_assert_int_eq(stat(p, &st), 0);
		for (size_t k = 0; k <= i; k++) {	/* 1, 2, 3, 4, 5 sockets */
			struct sock_rec r = rec(TCP_STATE_ESTABLISHED, 40000, 443, 0, i * 10 + k + 1);

			r.cgroup_id = (uint64_t)st.st_ino;
			ck_assert_int_eq(table_add(t, &r), 1);
			ck_assert_int_eq(owners_add(w, &r), 0);
		}
	}
	ck_assert_int_eq(owners_resolve(w, NULL, root), 0);
	ck_assert_uint_eq(owners_nrows(w), 5);
	s = (struct view_sample){ .table = t, .complete = true, .owners = w };

	out = render(view_owners_prom, &s);
	assert_no_controls(out);
	assert_unique_series(out);
	assert_promtool(out);
	ck_assert_msg(strstr(out, "{cgroup=\"/a\xef\xbf\xbd\",state=\"established\"} 3\n") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "{cgroup=\"/b\\\\x1b\",state=\"established\"} 7\n") != NULL,
		      "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "{cgroup=\"/c\",state=\"established\"} 5\n"));
	free(out);

	/* text and JSON keep every row */
	out = render(view_owners_json, &s);
	assert_json_strings(out);
	ck_assert_ptr_nonnull(strstr(out, "\"cgroup\":\"/b\\u001b\""));
	ck_assert_ptr_nonnull(strstr(out, "\"cgroup\":\"/b\\\\x1b\""));
	free(out);
	owners_delete(w);
	table_delete(t);
}
END_TEST

/* ---- the port report with a hostile namespace label ------------------ */

START_TEST(test_ports_netns)
{
	struct table_filter f = filter();
	struct table *t = table_new(&f);
	struct view_sample s;
	char *out, *lines[16];
	size_t n;

	ck_assert_ptr_nonnull(t);
	for (uint32_t i = 0; i < 3; i++) {
		struct sock_rec r = rec(TCP_STATE_CLOSE_WAIT, 40000, 443, i + 1, i + 1);

		ck_assert_int_eq(table_add(t, &r), 1);
	}
	s = (struct view_sample){ .table = t, .netns = hostile_ns, .complete = true };

	out = render(view_json_render, &s);
	assert_no_controls(out);
	assert_json_strings(out);
	ck_assert_ptr_nonnull(strstr(out, "\"netns\":\"ns\\u001b]0;pwned\\u0007,\\\"x\\\"\\n\xef\xbf\xbd\""));
	free(out);

	out = render(view_csv_render, &s);
	assert_no_controls(out);
	n = split_lines(out, lines, 16);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(csv_fields(lines[1]), csv_fields(lines[0]));
	free(out);

	out = render(view_prom_render, &s);
	assert_promtool(out);
	free(out);

	/* --all-netns's Prometheus: the label on every series */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&buf, &len);
		struct view_opts o = { .sort = { .key = TABLE_SORT_TOTAL } };

		ck_assert_ptr_nonnull(fp);
		for (int k = 0; k < VIEW_PROM_FAMILIES; k++) {
			view_prom_header(fp, k);
			ck_assert_int_eq(view_prom_family(fp, k, &s, &o, hostile_ns), 0);
		}
		ck_assert_int_eq(fclose(fp), 0);
		assert_no_controls(buf);
		ck_assert_ptr_nonnull(strstr(buf, "netns=\"ns\\\\x1b]0;pwned\\\\x07,\\\"x\\\"\\n\xef\xbf\xbd\""));
		assert_promtool(buf);
		free(buf);
	}
	table_delete(t);
}
END_TEST

/* ---- leaks ------------------------------------------------------------- */

static char *render_leaks(int (*fn)(FILE *, const struct view_leaks *, const struct view_opts *),
			  const struct view_leaks *v)
{
	struct view_opts o = { .header = true, .first = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fn(f, v, &o), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(test_leaks)
{
	struct leaks_opts lo = {
		.filter = filter(),
		.owners = true,
		.proc_root = root,
	};
	struct timespec when = { .tv_sec = 1 };
	struct leaks *l;
	struct view_leaks v;
	char *out, *lines[64];
	size_t n;

	fake_proc();
	lo.filter.states = TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT);
	ck_assert_int_eq(leaks_new(&l, &lo), 0);
	leaks_begin(l, &when);
	for (int i = 0; i < NCOMMS; i++) {
		struct sock_rec r = rec(TCP_STATE_LISTEN, (uint16_t)(8000 + i), 0, 1, 1);

		ck_assert_int_eq(leaks_add(&r, l), 0);
	}
	/* one group per process (ports 8000+i), the most sockets first, so
	 * the verdict names the ESC one */
	for (int i = 0; i < NCOMMS; i++)
		for (int k = 0; k <= NCOMMS - i; k++) {
			struct sock_rec r = rec(TCP_STATE_CLOSE_WAIT, (uint16_t)(8000 + i),
						(uint16_t)(40000 + k), 1000 + (uint32_t)i,
						(uint64_t)(i * 100 + k + 1));

			ck_assert_int_eq(leaks_add(&r, l), 0);
		}
	ck_assert_int_eq(leaks_end(l, true), 0);
	v = (struct view_leaks){ .leaks = l, .time = when, .netns = hostile_ns, .worst = 0,
				 .complete = true, .status = LEAKS_OK };

	out = render_leaks(view_leaks_text, &v);
	assert_no_controls(out);
	n = split_lines(out, lines, 64);
	/* verdict, header, a row per group */
	ck_assert_msg(n == (size_t)NCOMMS + 2, "%zu lines:\n%s", n, out);
	ck_assert_ptr_nonnull(strstr(lines[0], "held by \\x1b[2J\\x1b[31mevil[100]"));
	/* the last column has no trailing blanks: where it starts lines up */
	for (size_t i = 2; i < n; i++)
		ck_assert_msg(column_of(lines[i], "10.0.0.1") == column_of(lines[1], "PEERS"),
			      "%s\n%s", lines[1], lines[i]);
	free(out);

	out = render_leaks(view_leaks_json, &v);
	assert_no_controls(out);
	assert_json_strings(out);
	free(out);

	out = render_leaks(view_leaks_csv, &v);
	assert_no_controls(out);
	n = split_lines(out, lines, 64);
	ck_assert_uint_eq(n, (size_t)NCOMMS + 1);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(csv_fields(lines[i]) == csv_fields(lines[0]), "record %zu: %s", i,
			      lines[i]);
	/* the namespace column is quoted like any other */
	ck_assert_ptr_nonnull(strstr(lines[1], ",\"ns\\x1b]0;pwned\\x07,\"\"x\"\"\\x0a\xef\xbf\xbd\","));
	free(out);
	leaks_delete(l);
}
END_TEST

/* The verdict is a plugin's status line: a '|' in a name must not start
 * perfdata. */
START_TEST(test_leaks_verdict_pipe)
{
	struct leaks_opts lo = { .filter = filter(), .owners = true, .proc_root = root };
	struct timespec when = { .tv_sec = 1 };
	struct sock_rec r = rec(TCP_STATE_CLOSE_WAIT, 8080, 40000, 1003, 1);
	struct leaks *l;
	struct view_leaks v;
	char verdict[512];

	fake_proc();	/* 103 is "=cmd|' /C x'" */
	lo.filter.states = TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT);
	ck_assert_int_eq(leaks_new(&l, &lo), 0);
	leaks_begin(l, &when);
	ck_assert_int_eq(leaks_add(&r, l), 0);
	ck_assert_int_eq(leaks_end(l, true), 0);
	v = (struct view_leaks){ .leaks = l, .worst = 0, .complete = true, .status = LEAKS_OK };
	view_leaks_verdict(&v, verdict, sizeof(verdict));
	ck_assert_ptr_null(strchr(verdict, '|'));
	ck_assert_ptr_nonnull(strstr(verdict, "=cmd\\x7c' /C x'[103]"));
	leaks_delete(l);
}
END_TEST

static Suite *view_suite(void)
{
	Suite *s = suite_create("view");
	TCase *tc = tcase_create("hostile");

	tcase_add_checked_fixture(tc, tree_setup, fstree_teardown);
	tcase_add_test(tc, test_owners);
	tcase_add_test(tc, test_cgroup_collisions);
	tcase_add_test(tc, test_ports_netns);
	tcase_add_test(tc, test_leaks);
	tcase_add_test(tc, test_leaks_verdict_pipe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(view_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
