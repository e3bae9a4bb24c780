/* SPDX-License-Identifier: MIT */
/*
 * check_top_findings: the dashboard's doctor findings without a terminal:
 * the order worst first across namespaces, the status line's item at every
 * width from 30 to 200 (whole words dropped from the end, never wider than
 * the width, the untrusted label measured escaped), and the findings
 * screen's lines at 40 and 60 cells (wrapped at spaces, nothing wider than
 * the width, no word lost).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "strenc.h"
#include "top_model.h"

static struct top_finding finding(enum doctor_severity sev, enum doctor_check c, double rank,
				  const char *label, const char *where)
{
	struct top_finding f;

	memset(&f, 0, sizeof(f));
	f.severity = sev;
	f.check = c;
	f.rank = rank;
	snprintf(f.label, sizeof(f.label), "%s", label);
	snprintf(f.where, sizeof(f.where), "%s", where);
	snprintf(f.numbers, sizeof(f.numbers), "accept queue 5 of backlog 4 (125%%)");
	snprintf(f.why, sizeof(f.why),
		 "the application does not accept() as fast as connections arrive; a full "
		 "queue drops new ones (namespace ListenOverflows 90, ListenDrops 90)");
	snprintf(f.fix, sizeof(f.fix),
		 "accept faster (more acceptor threads, no blocking work in the accept loop); "
		 "raise the listen() backlog, capped by net.core.somaxconn (4096)");
	return f;
}

START_TEST(test_sort)
{
	struct top_findings s = { .ran = true };
	struct top_finding a = finding(DOCTOR_WARNING, DOCTOR_CLOSE_WAIT, 3.0, "b", ":80 in");
	struct top_finding b = finding(DOCTOR_CRITICAL, DOCTOR_ACCEPT_QUEUE, 1.25, "a", "x");
	struct top_finding c = finding(DOCTOR_WARNING, DOCTOR_EPHEMERAL, 1.2, "a", "y");
	struct top_finding d = finding(DOCTOR_CRITICAL, DOCTOR_SYN_RECV, 2.0, "c", "z");

	ck_assert_int_eq(top_findings_add(&s, &a), 0);
	ck_assert_int_eq(top_findings_add(&s, &b), 0);
	ck_assert_int_eq(top_findings_add(&s, &c), 0);
	ck_assert_int_eq(top_findings_add(&s, &d), 0);
	top_findings_sort(&s);
	ck_assert_int_eq(s.v[0].check, DOCTOR_SYN_RECV);
	ck_assert_int_eq(s.v[1].check, DOCTOR_ACCEPT_QUEUE);
	ck_assert_int_eq(s.v[2].check, DOCTOR_CLOSE_WAIT);
	ck_assert_int_eq(s.v[3].check, DOCTOR_EPHEMERAL);
	top_findings_clear(&s);
	ck_assert(!s.ran);
	ck_assert_uint_eq(s.n, 0);
	top_findings_done(&s);
}
END_TEST

START_TEST(test_status_forms)
{
	struct top_findings s = { .ran = false };
	struct top_finding f = finding(DOCTOR_CRITICAL, DOCTOR_ACCEPT_QUEUE, 1.25, "",
				       "listener 127.0.0.1:8080");
	char buf[512];

	/* Not run: nothing to say. */
	ck_assert_int_eq(top_findings_status(&s, 200, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	s.ran = true;
	ck_assert_int_eq(top_findings_status(&s, 200, buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "doctor: OK");
	ck_assert_int_eq(top_findings_status(&s, 9, buf, sizeof(buf)), 0);
	top_findings_add(&s, &f);
	top_findings_add(&s, &f);
	top_findings_status(&s, 200, buf, sizeof(buf));
	ck_assert_str_eq(buf, "doctor: 2 findings, worst CRITICAL accept-queue listener 127.0.0.1:8080");
	top_findings_status(&s, 70, buf, sizeof(buf));
	ck_assert_str_eq(buf, "doctor: 2 findings, worst CRITICAL accept-queue");
	top_findings_status(&s, 47, buf, sizeof(buf));
	ck_assert_str_eq(buf, "doctor: 2 findings, worst CRITICAL accept-queue");
	top_findings_status(&s, 46, buf, sizeof(buf));
	ck_assert_str_eq(buf, "doctor: 2 findings, worst CRITICAL");
	top_findings_status(&s, 33, buf, sizeof(buf));
	ck_assert_str_eq(buf, "doctor: 2 findings");
	top_findings_status(&s, 17, buf, sizeof(buf));
	ck_assert_str_eq(buf, "doctor: 2");
	ck_assert_int_eq(top_findings_status(&s, 8, buf, sizeof(buf)), 0);
	/* One finding; a namespace label last, escaped. */
	s.n = 1;
	snprintf(s.v[0].label, sizeof(s.v[0].label), "ns\x1b[2J");
	top_findings_status(&s, 200, buf, sizeof(buf));
	ck_assert_str_eq(buf, "doctor: 1 finding, worst CRITICAL accept-queue listener 127.0.0.1:8080 (ns\x1b[2J)");
	top_findings_done(&s);
}
END_TEST

/* Every width from 30 to 200: the item fits, is a prefix of the full one
 * that ends at a word's end, and only grows with the width. */
START_TEST(test_status_widths)
{
	struct top_findings s = { .ran = true };
	struct top_finding f = finding(DOCTOR_WARNING, DOCTOR_CLOSE_WAIT, 1.5, "pid:42/\x01\xffname",
				       ":8081 in");
	char full[512], buf[512];
	int last = 0;

	top_findings_add(&s, &f);
	top_findings_status(&s, 1000, full, sizeof(full));
	for (int w = 30; w <= 200; w++) {
		int got = top_findings_status(&s, w, buf, sizeof(buf));
		size_t n = strlen(buf);

		ck_assert_int_gt(got, 0);
		ck_assert_int_le(got, w);
		ck_assert_int_eq(got, strenc_text_width(buf));
		ck_assert_int_ge(got, last);
		ck_assert(strncmp(full, buf, n) == 0);
		ck_assert(full[n] == '\0' || full[n] == ' ' || full[n] == ',');
		last = got;
	}
	ck_assert_str_eq(buf, full);
	top_findings_done(&s);
}
END_TEST

/* The findings screen at 40 and 60 cells: each finding's head line first,
 * nothing wider than the screen, and the words of the text in order. */
START_TEST(test_lines)
{
	static const int widths[] = { 40, 60, 200 };
	struct top_findings s = { .ran = true };
	struct top_finding a = finding(DOCTOR_CRITICAL, DOCTOR_ACCEPT_QUEUE, 1.25, "",
				       "listener 127.0.0.1:8080");
	struct top_finding b = finding(DOCTOR_WARNING, DOCTOR_CLOSE_WAIT, 1.5, "ns\x1b]0;x\x07",
				       ":8081 in");
	struct top_fline *l = NULL;
	size_t cap = 0;

	top_findings_add(&s, &a);
	top_findings_add(&s, &b);
	for (size_t k = 0; k < sizeof(widths) / sizeof(widths[0]); k++) {
		int w = widths[k], heads = 0;
		long n = top_findings_lines(&s, w, &l, &cap);
		char joined[4096] = "";

		ck_assert_int_gt(n, 4);
		ck_assert(l[0].head);
		ck_assert_int_eq(l[0].severity, DOCTOR_CRITICAL);
		ck_assert(strncmp(l[0].text, "CRITICAL accept-queue", 21) == 0);
		for (long i = 0; i < n; i++) {
			ck_assert_int_le(l[i].indent + strenc_text_width(l[i].text), w);
			heads += l[i].head;
			if (l[i].head && i > 0) {
				ck_assert_int_eq(l[i].severity, DOCTOR_WARNING);
				ck_assert(strncmp(l[i].text, "WARNING close-wait :8081 in", 27) == 0 ||
					  strncmp(l[i].text, "WARNING close-wait :8081", 24) == 0);
			}
			if (i < 3 || !l[i].head) {
				strcat(joined, " ");
				strcat(joined, l[i].text);
			}
		}
		ck_assert_int_eq(heads, 2);
		/* No word lost or cut. */
		ck_assert_ptr_nonnull(strstr(joined, " accept queue 5 of backlog 4 (125%) why: the application does not accept() as fast as connections arrive;"));
		ck_assert_ptr_nonnull(strstr(joined, "capped by net.core.somaxconn (4096)"));
		if (w == 200)
			ck_assert_str_eq(l[0].text, "CRITICAL accept-queue listener 127.0.0.1:8080");
	}
	/* Continuation lines of why and fix hang under their text. */
	top_findings_lines(&s, 40, &l, &cap);
	ck_assert_int_eq(l[0].indent, 0);
	ck_assert_int_eq(l[1].indent, 2);	/* "listener 127.0.0.1:8080" wrapped */
	ck_assert_int_eq(l[2].indent, 2);
	ck_assert(strncmp(l[3].text, "why: ", 5) == 0);
	ck_assert_int_eq(l[4].indent, 7);
	free(l);
	top_findings_done(&s);
}
END_TEST

static Suite *top_findings_suite(void)
{
	Suite *s = suite_create("top_findings");
	TCase *tc = tcase_create("findings");

	tcase_add_test(tc, test_sort);
	tcase_add_test(tc, test_status_forms);
	tcase_add_test(tc, test_status_widths);
	tcase_add_test(tc, test_lines);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(top_findings_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
