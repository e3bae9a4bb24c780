/* SPDX-License-Identifier: MIT */
/*
 * check_tcp_state: state names and labels (including the kernel's
 * NEW_SYN_RECV and out-of-range values), the display order, single-name
 * look-up in portstat's and ss's spellings, and --state list parsing with
 * every ss group's exact mask and every kind of bad list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "tcp_state.h"

#define B(s)	TCP_STATE_BIT(TCP_STATE_##s)

/* Every countable state, spelled out bit by bit rather than derived from
 * TCP_STATE_ALL_MASK, so a wrong constant cannot agree with itself. */
#define EVERY	(B(ESTABLISHED) | B(SYN_SENT) | B(SYN_RECV) | B(FIN_WAIT1) | \
		 B(FIN_WAIT2) | B(TIME_WAIT) | B(CLOSE) | B(CLOSE_WAIT) |      \
		 B(LAST_ACK) | B(LISTEN) | B(CLOSING))

static const struct {
	int state;
	const char *name, *label;
} name_cases[] = {
	{ TCP_STATE_ESTABLISHED,  "established", "ESTAB" },
	{ TCP_STATE_SYN_SENT,     "syn_sent",    "SYN-SENT" },
	{ TCP_STATE_SYN_RECV,     "syn_recv",    "SYN-RECV" },
	{ TCP_STATE_FIN_WAIT1,    "fin_wait1",   "FIN-WAIT-1" },
	{ TCP_STATE_FIN_WAIT2,    "fin_wait2",   "FIN-WAIT-2" },
	{ TCP_STATE_TIME_WAIT,    "time_wait",   "TIME-WAIT" },
	{ TCP_STATE_CLOSE,        "close",       "CLOSE" },
	{ TCP_STATE_CLOSE_WAIT,   "close_wait",  "CLOSE-WAIT" },
	{ TCP_STATE_LAST_ACK,     "last_ack",    "LAST-ACK" },
	{ TCP_STATE_LISTEN,       "listen",      "LISTEN" },
	{ TCP_STATE_CLOSING,      "closing",     "CLOSING" },
	/* request sockets count as syn_recv */
	{ TCP_STATE_NEW_SYN_RECV, "syn_recv",    "SYN-RECV" },
	{ 0,                      "unknown",     "UNKNOWN" },
	{ 13,                     "unknown",     "UNKNOWN" },
	{ 255,                    "unknown",     "UNKNOWN" },
};

START_TEST(test_name_and_label)
{
	enum tcp_state s = (enum tcp_state)name_cases[_i].state;

	ck_assert_str_eq(tcp_state_name(s), name_cases[_i].name);
	ck_assert_str_eq(tcp_state_label(s), name_cases[_i].label);
}
END_TEST

START_TEST(test_kernel_numbering)
{
	/* The enum doubles as the kernel's inet_diag state bit numbers. */
	ck_assert_int_eq(TCP_STATE_ESTABLISHED, 1);
	ck_assert_int_eq(TCP_STATE_TIME_WAIT, 6);
	ck_assert_int_eq(TCP_STATE_LISTEN, 10);
	ck_assert_int_eq(TCP_STATE_CLOSING, 11);
	ck_assert_int_eq(TCP_STATE_NEW_SYN_RECV, 12);
	ck_assert_uint_eq(TCP_STATE_ALL_MASK, EVERY);
	ck_assert_uint_eq(TCP_STATE_ALL_MASK & TCP_STATE_BIT(TCP_STATE_NEW_SYN_RECV), 0);
}
END_TEST

START_TEST(test_display_order)
{
	uint32_t seen = 0;

	ck_assert_int_eq(tcp_state_order[0], TCP_STATE_LISTEN);
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		uint32_t bit = TCP_STATE_BIT(tcp_state_order[i]);

		ck_assert_msg(!(seen & bit), "state %d listed twice", tcp_state_order[i]);
		seen |= bit;
		/* after listen, the kernel's order */
		if (i > 1)
			ck_assert_int_lt(tcp_state_order[i - 1], tcp_state_order[i]);
	}
	ck_assert_uint_eq(seen, EVERY);
}
END_TEST

static const struct {
	const char *name;
	int state;		/* 0: unknown */
} lookup_cases[] = {
	/* portstat's names */
	{ "established", TCP_STATE_ESTABLISHED },
	{ "syn_sent",    TCP_STATE_SYN_SENT },
	{ "syn_recv",    TCP_STATE_SYN_RECV },
	{ "fin_wait1",   TCP_STATE_FIN_WAIT1 },
	{ "fin_wait2",   TCP_STATE_FIN_WAIT2 },
	{ "time_wait",   TCP_STATE_TIME_WAIT },
	{ "close",       TCP_STATE_CLOSE },
	{ "close_wait",  TCP_STATE_CLOSE_WAIT },
	{ "last_ack",    TCP_STATE_LAST_ACK },
	{ "listen",      TCP_STATE_LISTEN },
	{ "closing",     TCP_STATE_CLOSING },
	/* ss's names */
	{ "syn-sent",    TCP_STATE_SYN_SENT },
	{ "syn-recv",    TCP_STATE_SYN_RECV },
	{ "fin-wait-1",  TCP_STATE_FIN_WAIT1 },
	{ "fin-wait-2",  TCP_STATE_FIN_WAIT2 },
	{ "time-wait",   TCP_STATE_TIME_WAIT },
	{ "closed",      TCP_STATE_CLOSE },
	{ "close-wait",  TCP_STATE_CLOSE_WAIT },
	{ "last-ack",    TCP_STATE_LAST_ACK },
	{ "listening",   TCP_STATE_LISTEN },
	/* the header's labels, as people type them: any case, - or _ */
	{ "LISTEN",      TCP_STATE_LISTEN },
	{ "ESTAB",       TCP_STATE_ESTABLISHED },
	{ "SYN-SENT",    TCP_STATE_SYN_SENT },
	{ "SYN-RECV",    TCP_STATE_SYN_RECV },
	{ "FIN-WAIT-1",  TCP_STATE_FIN_WAIT1 },
	{ "FIN-WAIT-2",  TCP_STATE_FIN_WAIT2 },
	{ "TIME-WAIT",   TCP_STATE_TIME_WAIT },
	{ "CLOSE-WAIT",  TCP_STATE_CLOSE_WAIT },
	{ "LAST-ACK",    TCP_STATE_LAST_ACK },
	{ "CLOSING",     TCP_STATE_CLOSING },
	{ "CLOSED",      TCP_STATE_CLOSE },
	{ "CLOSE",       TCP_STATE_CLOSE },
	{ "estab",       TCP_STATE_ESTABLISHED },
	{ "Close-Wait",  TCP_STATE_CLOSE_WAIT },
	{ "CLOSE_WAIT",  TCP_STATE_CLOSE_WAIT },
	{ "fin_wait_2",  TCP_STATE_FIN_WAIT2 },
	{ "FIN-WAIT2",   TCP_STATE_FIN_WAIT2 },
	{ "Listening",   TCP_STATE_LISTEN },
	/* not a single state */
	{ "",            0 },
	{ "ESTA",        0 },
	{ "CLOSE WAIT",  0 },
	{ "closewait",   0 },
	{ "foo",         0 },
	{ "all",         0 },
	{ "established,listen", 0 },
	{ "establishe",  0 },
	{ "established ", 0 },
	{ "fin-wait",    0 },
	{ "new_syn_recv", 0 },
};

START_TEST(test_lookup)
{
	ck_assert_int_eq(tcp_state_lookup(lookup_cases[_i].name), lookup_cases[_i].state);
}
END_TEST

static const struct {
	const char *list;
	uint32_t mask;
} list_cases[] = {
	{ "established",  B(ESTABLISHED) },
	{ "listening",    B(LISTEN) },
	{ "listen",       B(LISTEN) },
	{ "estab",        B(ESTABLISHED) },
	{ "close-wait",   B(CLOSE_WAIT) },
	{ "closed",       B(CLOSE) },
	{ "close-wait,time_wait", B(CLOSE_WAIT) | B(TIME_WAIT) },
	{ "syn-recv,syn_recv",    B(SYN_RECV) },
	{ "fin-wait-1,fin-wait-2,last-ack,closing",
	  B(FIN_WAIT1) | B(FIN_WAIT2) | B(LAST_ACK) | B(CLOSING) },
	/* ss groups */
	{ "all",          EVERY },
	{ "connected",    B(ESTABLISHED) | B(SYN_SENT) | B(SYN_RECV) | B(FIN_WAIT1) |
			  B(FIN_WAIT2) | B(TIME_WAIT) | B(CLOSE_WAIT) | B(LAST_ACK) |
			  B(CLOSING) },
	{ "synchronized", B(ESTABLISHED) | B(SYN_RECV) | B(FIN_WAIT1) |
			  B(FIN_WAIT2) | B(TIME_WAIT) | B(CLOSE_WAIT) | B(LAST_ACK) |
			  B(CLOSING) },
	{ "bucket",       B(SYN_RECV) | B(TIME_WAIT) },
	{ "big",          B(ESTABLISHED) | B(SYN_SENT) | B(FIN_WAIT1) | B(FIN_WAIT2) |
			  B(CLOSE) | B(CLOSE_WAIT) | B(LAST_ACK) | B(LISTEN) | B(CLOSING) },
	{ "listen,bucket", B(LISTEN) | B(SYN_RECV) | B(TIME_WAIT) },
	{ "bucket,big",   EVERY },
	{ "connected,listening,closed", EVERY },
	/* what the header prints, pasted back */
	{ "LISTEN,ESTAB,CLOSE-WAIT", B(LISTEN) | B(ESTABLISHED) | B(CLOSE_WAIT) },
	{ "Established",  B(ESTABLISHED) },
	{ "ALL",          EVERY },
	{ "Bucket",       B(SYN_RECV) | B(TIME_WAIT) },
};

START_TEST(test_parse_list_good)
{
	uint32_t mask = 0xdeadbeef;
	const char *bad = NULL;
	size_t badlen = 99;

	ck_assert_int_eq(tcp_state_parse_list(list_cases[_i].list, &mask, &bad, &badlen), 0);
	ck_assert_msg(mask == list_cases[_i].mask, "'%s': mask %#x, expected %#x",
		      list_cases[_i].list, mask, list_cases[_i].mask);
}
END_TEST

static const struct {
	const char *list;
	size_t off, len;	/* where *bad must point, and *badlen */
} bad_list_cases[] = {
	{ "",                    0, 0 },
	{ ",",                   0, 0 },
	{ "established,",       12, 0 },
	{ ",established",        0, 0 },
	{ "established,,listen", 12, 0 },
	{ "foo",                 0, 3 },
	{ "established,foo",    12, 3 },
	{ "foo,established",     0, 3 },
	{ "listen,all,x",       11, 1 },
	{ "ESTAB-",              0, 6 },
	{ "LISTEN,ESTA",         7, 4 },
	{ "established ",        0, 12 },
	{ "new_syn_recv",        0, 12 },
};

START_TEST(test_parse_list_bad)
{
	const char *list = bad_list_cases[_i].list;
	uint32_t mask = 0;
	const char *bad = NULL;
	size_t badlen = 99;

	ck_assert_int_eq(tcp_state_parse_list(list, &mask, &bad, &badlen), -EINVAL);
	ck_assert_ptr_eq(bad, list + bad_list_cases[_i].off);
	ck_assert_uint_eq(badlen, bad_list_cases[_i].len);
}
END_TEST

static Suite *tcp_state_suite(void)
{
	Suite *s = suite_create("tcp_state");
	TCase *tc = tcase_create("names");

	tcase_add_loop_test(tc, test_name_and_label, 0,
			    sizeof(name_cases) / sizeof(name_cases[0]));
	tcase_add_test(tc, test_kernel_numbering);
	tcase_add_test(tc, test_display_order);
	tcase_add_loop_test(tc, test_lookup, 0,
			    sizeof(lookup_cases) / sizeof(lookup_cases[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_list");
	tcase_add_loop_test(tc, test_parse_list_good, 0,
			    sizeof(list_cases) / sizeof(list_cases[0]));
	tcase_add_loop_test(tc, test_parse_list_bad, 0,
			    sizeof(bad_list_cases) / sizeof(bad_list_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tcp_state_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
