/* SPDX-License-Identifier: MIT */
/*
 * check_strenc: each encoder over a table of hostile strings: every class
 * of invalid UTF-8 (stray continuation bytes, overlong forms, surrogates,
 * code points past U+10FFFF, truncated sequences, bytes that never start
 * one; Unicode's own example of maximal subparts), every class of control
 * (C0, DEL, C1 as raw bytes and as characters, line separators, bidi),
 * quoting (CSV), display widths and cutting to a width (wide characters,
 * combining marks, escapes never split), and that the text form is a
 * fixed point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strenc.h"

#define FFFD "\xef\xbf\xbd"

/* What @enc writes for @s. */
static char *encode(void (*enc)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	enc(f, s);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void check_enc(void (*enc)(FILE *, const char *), const char *in, const char *want)
{
	char *got = encode(enc, in);

	ck_assert_msg(strcmp(got, want) == 0, "input \"%s\": got [%s], want [%s]", in, got, want);
	free(got);
}

/* ---- JSON -------------------------------------------------------------- */

static const struct {
	const char *in, *want;
} json_cases[] = {
	{ "", "\"\"" },
	{ "nginx", "\"nginx\"" },
	{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
	/* C0 and DEL */
	{ "\n\t\r", "\"\\n\\t\\r\"" },
	{ "\x01\x1b[31m\x1f\x7f", "\"\\u0001\\u001b[31m\\u001f\\u007f\"" },
	/* C1 as a character (U+0085 NEL, U+009B CSI) */
	{ "\xc2\x85\xc2\x9b", "\"\\u0085\\u009b\"" },
	/* line and paragraph separators */
	{ "a\xe2\x80\xa8" "b\xe2\x80\xa9", "\"a\\u2028b\\u2029\"" },
	/* valid multibyte passes */
	{ "\xe2\x82\xac \xe6\x97\xa5 \xf0\x9f\x98\x80", "\"\xe2\x82\xac \xe6\x97\xa5 \xf0\x9f\x98\x80\"" },
	/* stray continuation bytes: one U+FFFD each */
	{ "\x80", "\"" FFFD "\"" },
	{ "a\x80\xbf" "b", "\"a" FFFD FFFD "b\"" },
	/* C1 as a raw byte is a stray continuation byte */
	{ "\x9b" "1m", "\"" FFFD "1m\"" },
	/* overlong forms: C0/C1 never start, E0 80..9F and F0 80..8F stop */
	{ "\xc0\xaf", "\"" FFFD FFFD "\"" },
	{ "\xc1\xbf", "\"" FFFD FFFD "\"" },
	{ "\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"" },
	{ "\xf0\x80\x80\xaf", "\"" FFFD FFFD FFFD FFFD "\"" },
	/* UTF-16 surrogates in UTF-8 */
	{ "\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"" },
	{ "\xed\xbf\xbf", "\"" FFFD FFFD FFFD "\"" },
	/* past U+10FFFF */
	{ "\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"" },
	{ "\xf5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"" },
	{ "\xff\xfe", "\"" FFFD FFFD "\"" },
	/* truncated sequences: one U+FFFD for the maximal subpart */
	{ "\xe2\x82", "\"" FFFD "\"" },
	{ "\xf0\x9f\x98" "A", "\"" FFFD "A\"" },
	{ "\xc3", "\"" FFFD "\"" },
	{ "\xe2\x82\"", "\"" FFFD "\\\"\"" },
	/* Unicode 15, section 3.9, table 3-8's example */
	{ "\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64",
	  "\"a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d\"" },
	/* the largest and the boundary code points */
	{ "\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"" },
	{ "\xed\x9f\xbf\xee\x80\x80", "\"\xed\x9f\xbf\xee\x80\x80\"" },
};

START_TEST(test_json)
{
	check_enc(strenc_json, json_cases[_i].in, json_cases[_i].want);
}
END_TEST

/* ---- Prometheus -------------------------------------------------------- */

static const struct {
	const char *in, *want;
} prom_cases[] = {
	{ "/system.slice/web.service", "/system.slice/web.service" },
	{ "a\\b\"c\nd", "a\\\\b\\\"c\\nd" },
	/* other controls: their text form, its backslash escaped */
	{ "\x1b[31mred", "\\\\x1b[31mred" },
	{ "a\rb\tc\x7f", "a\\\\x0db\\\\x09c\\\\x7f" },
	{ "\xc2\x85", "\\\\u0085" },
	{ "\xff" "x\xe2\x82", FFFD "x" FFFD },
	{ "\xed\xa0\x80", FFFD FFFD FFFD },
	{ "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac" },
};

START_TEST(test_prom)
{
	check_enc(strenc_prom, prom_cases[_i].in, prom_cases[_i].want);
}
END_TEST

/* ---- CSV --------------------------------------------------------------- */

static const struct {
	const char *in, *want;
} csv_cases[] = {
	{ "", "" },
	{ "nginx", "nginx" },
	{ "-", "-" },			/* the "no process" placeholder */
	{ "?", "?" },
	{ "/user.slice", "/user.slice" },
	{ "a,b", "\"a,b\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "\"", "\"\"\"\"" },
	{ " lead", "\" lead\"" },
	{ "trail ", "\"trail \"" },
	{ "in side", "in side" },
	/* CR and LF: quoted, and shown as text, so a record stays one line */
	{ "a\r\nb", "\"a\\x0d\\x0ab\"" },
	{ "a\nb,c", "\"a\\x0ab,c\"" },
	/* other controls: their text form */
	{ "\x1b[2J", "\\x1b[2J" },
	{ "\xc2\x9b", "\\u009b" },
	/* invalid UTF-8 */
	{ "\xff" "a\xc0\xaf", FFFD "a" FFFD FFFD },
	/* formulas: quoted with a ' first */
	{ "=1+2", "\"'=1+2\"" },
	{ "=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"" },
	{ "+1", "\"'+1\"" },
	{ "-x", "\"'-x\"" },
	{ "@SUM(A1)", "\"'@SUM(A1)\"" },
	{ "=a,\"b\"", "\"'=a,\"\"b\"\"\"" },
};

START_TEST(test_csv)
{
	check_enc(strenc_csv, csv_cases[_i].in, csv_cases[_i].want);
}
END_TEST

/* ---- text -------------------------------------------------------------- */

static const struct {
	const char *in;
	unsigned flags;
	const char *want;
	int width;
} text_cases[] = {
	{ "java", 0, "java", 4 },
	{ "", 0, "", 0 },
	/* C0, DEL */
	{ "\x1b[31mred", 0, "\\x1b[31mred", 11 },
	{ "a\r\nb", 0, "a\\x0d\\x0ab", 10 },
	{ "\t\x7f", 0, "\\x09\\x7f", 8 },
	/* C1: a raw byte (invalid) and a character */
	{ "\x9b" "2J", 0, "\\x9b2J", 6 },
	{ "\xc2\x9b" "2J", 0, "\\u009b2J", 8 },
	{ "\xc2\x85", 0, "\\u0085", 6 },
	/* invalid sequences: every byte shown */
	{ "\xff\xfe", 0, "\\xff\\xfe", 8 },
	{ "\xe2\x82", 0, "\\xe2\\x82", 8 },
	{ "\xed\xa0\x80", 0, "\\xed\\xa0\\x80", 12 },
	{ "\xc0\xaf", 0, "\\xc0\\xaf", 8 },
	{ "\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80", 16 },
	/* line separators and bidi controls */
	{ "a\xe2\x80\xa8" "b", 0, "a\\u2028b", 8 },
	{ "\xe2\x80\xae" "cba", 0, "\\u202ecba", 9 },
	{ "\xd8\x9c\xe2\x81\xa6", 0, "\\u061c\\u2066", 12 },
	/* printable UTF-8 passes, measured in columns */
	{ "\xe6\x97\xa5\xe6\x9c\xac", 0, "\xe6\x97\xa5\xe6\x9c\xac", 4 },
	{ "e\xcc\x81", 0, "e\xcc\x81", 1 },
	{ "\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80", 2 },
	{ "\xef\xbc\xa1", 0, "\xef\xbc\xa1", 2 },	/* FULLWIDTH A */
	{ "caf\xc3\xa9", 0, "caf\xc3\xa9", 4 },
	/* a backslash is shown as it is (systemd's escapes stay readable) */
	{ "a\\x2db", 0, "a\\x2db", 6 },
	/* not a UTF-8 terminal: only ASCII */
	{ "\xe6\x97\xa5", STRENC_ASCII, "\\u65e5", 6 },
	{ "\xf0\x9f\x98\x80", STRENC_ASCII, "\\U0001f600", 10 },
	{ "\x1b\xff", STRENC_ASCII, "\\x1b\\xff", 8 },
	/* a plugin's status line */
	{ "a|b=1", STRENC_NOPIPE, "a\\x7cb=1", 8 },
	{ "a|b", 0, "a|b", 3 },
};

START_TEST(test_text)
{
	char buf[128], again[128];
	int w = strenc_text(buf, sizeof(buf), text_cases[_i].in, -1, text_cases[_i].flags);

	ck_assert_msg(strcmp(buf, text_cases[_i].want) == 0, "case %d: got [%s], want [%s]",
		      _i, buf, text_cases[_i].want);
	ck_assert_int_eq(w, text_cases[_i].width);
	if (!text_cases[_i].flags)
		ck_assert_int_eq(strenc_text_width(text_cases[_i].in), w);
	/* a fixed point: encoding the text form again changes nothing */
	ck_assert_int_eq(strenc_text(again, sizeof(again), buf, -1, text_cases[_i].flags), w);
	ck_assert_str_eq(again, buf);
}
END_TEST

/* Cut to a width or a buffer: at a character or escape boundary only. */
static const struct {
	const char *in;
	int maxw;
	size_t len;
	const char *want;
	int width;
} cut_cases[] = {
	{ "abcdef", 3, 64, "abc", 3 },
	{ "abc", 0, 64, "", 0 },
	/* a wide character does not fit in one column */
	{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 64, "\xe6\x97\xa5\xe6\x9c\xac", 4 },
	{ "a\xe6\x97\xa5", 2, 64, "a", 1 },
	/* an escape is whole or absent */
	{ "ab\x1b" "cd", 4, 64, "ab", 2 },
	{ "ab\x1b" "cd", 6, 64, "ab\\x1b", 6 },
	{ "ab\xff", 5, 64, "ab", 2 },
	/* a combining mark stays with its base */
	{ "e\xcc\x81x", 1, 64, "e\xcc\x81", 1 },
	/* the buffer: no half character, always terminated */
	{ "\xe6\x97\xa5\xe6\x9c\xac", -1, 5, "\xe6\x97\xa5", 2 },
	{ "\xe6\x97\xa5", -1, 3, "", 0 },
	{ "\x1b", -1, 4, "", 0 },
	{ "\x1b", -1, 5, "\\x1b", 4 },
	{ "abc", -1, 1, "", 0 },
};

START_TEST(test_cut)
{
	char buf[64];
	int w;

	memset(buf, 'X', sizeof(buf));
	w = strenc_text(buf, cut_cases[_i].len, cut_cases[_i].in, cut_cases[_i].maxw, 0);
	ck_assert_msg(strcmp(buf, cut_cases[_i].want) == 0, "case %d: got [%s], want [%s]",
		      _i, buf, cut_cases[_i].want);
	ck_assert_int_eq(w, cut_cases[_i].width);
	ck_assert_uint_lt(strlen(buf), cut_cases[_i].len);
}
END_TEST

static const struct {
	unsigned cp;
	int width;
} width_cases[] = {
	{ 'a', 1 }, { 0xe9, 1 }, { 0x1b, 0 }, { 0x85, 0 },
	{ 0x300, 0 }, { 0x20dd, 0 },		/* combining, enclosing */
	{ 0x200b, 0 }, { 0xfeff, 0 },		/* zero width space, BOM */
	{ 0x1160, 0 },				/* Hangul medial vowel */
	{ 0xad, 1 },				/* soft hyphen is shown */
	{ 0x1100, 2 }, { 0x4e00, 2 }, { 0xac00, 2 }, { 0xff21, 2 },
	{ 0x1f600, 2 }, { 0x20000, 2 }, { 0x3fffd, 2 },
	{ 0x2028, 1 }, { 0xfffd, 1 }, { 0x10ffff, 1 },
};

START_TEST(test_width)
{
	ck_assert_msg(strenc_width(width_cases[_i].cp) == width_cases[_i].width,
		      "U+%04X: %d, want %d", width_cases[_i].cp,
		      strenc_width(width_cases[_i].cp), width_cases[_i].width);
}
END_TEST

/* Padding counts columns, not bytes. */
START_TEST(test_pad)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	strenc_text_pad(f, "\xe6\x97\xa5", 4, false);
	fputc('|', f);
	strenc_text_pad(f, "\xe6\x97\xa5", 4, true);
	fputc('|', f);
	strenc_text_pad(f, "\x1b", 6, false);
	fputc('|', f);
	strenc_text_pad(f, "too long", 3, false);
	fputc('|', f);
	strenc_text_pad(f, "e\xcc\x81", 2, true);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(buf, "\xe6\x97\xa5  |  \xe6\x97\xa5|\\x1b  |too long| e\xcc\x81");
	free(buf);
}
END_TEST

/* A message line: formatted, its text form, one newline; long ones cut
 * whole characters. */
START_TEST(test_line)
{
	char *buf = NULL, big[3000];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	strenc_text_line(f, "portstat: no network namespace '%s' (%d)", "a\x1b[31m\nb\r\xc2\x9b\x7f\xff", 7);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(buf, "portstat: no network namespace 'a\\x1b[31m\\x0ab\\x0d\\u009b\\x7f\\xff' (7)\n");
	free(buf);

	/* 2998 bytes of 2-byte characters after "xy": cut below 2 KiB, never
	 * inside one. */
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	strenc_text_line(f, "xy%s", big);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_uint_eq(len, 2047);	/* "xy", 1022 characters, newline */
	ck_assert_int_eq(buf[len - 1], '\n');
	ck_assert_ptr_null(strchr(buf, '\\'));
	free(buf);
}
END_TEST

START_TEST(test_clean)
{
	ck_assert(strenc_clean(""));
	ck_assert(strenc_clean("/system.slice/a\\x2db.service"));
	ck_assert(strenc_clean("\xe6\x97\xa5 \"q\""));
	ck_assert(!strenc_clean("a\nb"));
	ck_assert(!strenc_clean("\x1b"));
	ck_assert(!strenc_clean("\x7f"));
	ck_assert(!strenc_clean("\xc2\x85"));
	ck_assert(!strenc_clean("\xff"));
	ck_assert(!strenc_clean("ok\xe2\x82"));
}
END_TEST

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *strenc_suite(void)
{
	Suite *s = suite_create("strenc");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_json, 0, NCASES(json_cases));
	tcase_add_loop_test(tc, test_prom, 0, NCASES(prom_cases));
	tcase_add_loop_test(tc, test_csv, 0, NCASES(csv_cases));
	tcase_add_loop_test(tc, test_text, 0, NCASES(text_cases));
	tcase_add_loop_test(tc, test_cut, 0, NCASES(cut_cases));
	tcase_add_loop_test(tc, test_width, 0, NCASES(width_cases));
	tcase_add_test(tc, test_pad);
	tcase_add_test(tc, test_line);
	tcase_add_test(tc, test_clean);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(strenc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
