/* SPDX-License-Identifier: MIT */
/*
 * serve: the --listen addresses it takes and those it refuses (the HTTP
 * side and the sample cache run in tests/integration/it_serve.sh).
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

static const struct {
	const char *s;
	int family;	/* 0: refused */
	const char *addr;
	unsigned port;
	bool any;
} cases[] = {
	{ ":10061", AF_INET6, "::", 10061, true },
	{ SERVE_DEFAULT_LISTEN, AF_INET6, "::", SERVE_DEFAULT_PORT, true },
	{ "127.0.0.1:9999", AF_INET, "127.0.0.1", 9999, false },
	{ "0.0.0.0:1", AF_INET, "0.0.0.0", 1, false },
	{ "[::1]:65535", AF_INET6, "::1", 65535, false },
	{ "[::]:80", AF_INET6, "::", 80, false },
	{ "", 0, NULL, 0, false },
	{ ":", 0, NULL, 0, false },
	{ ":0", 0, NULL, 0, false },
	{ ":65536", 0, NULL, 0, false },
	{ ":80x", 0, NULL, 0, false },
	{ ": 80", 0, NULL, 0, false },
	{ ":-1", 0, NULL, 0, false },
	{ "80", 0, NULL, 0, false },
	{ "localhost:80", 0, NULL, 0, false },
	{ "1.2.3:80", 0, NULL, 0, false },
	{ "::1:80", 0, NULL, 0, false },
	{ "[::1:80", 0, NULL, 0, false },
	{ "[]:80", 0, NULL, 0, false },
	{ "[127.0.0.1]:80", 0, NULL, 0, false },
	{ "[::1]80", 0, NULL, 0, false },
	{ "127.0.0.1:99999999999999999999", 0, NULL, 0, false },
};

START_TEST(test_listen)
{
	struct serve_addr a;
	char buf[INET6_ADDRSTRLEN];
	int ret = serve_parse_listen(cases[_i].s, &a);

	if (!cases[_i].family) {
		ck_assert_msg(ret < 0, "'%s' accepted", cases[_i].s);
		return;
	}
	ck_assert_msg(ret == 0, "'%s' refused", cases[_i].s);
	ck_assert_int_eq(a.ss.ss_family, cases[_i].family);
	ck_assert(a.any == cases[_i].any);
	if (cases[_i].family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&a.ss;

		ck_assert_uint_eq(a.len, sizeof(*in));
		ck_assert_uint_eq(ntohs(in->sin_port), cases[_i].port);
		inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a.ss;

		ck_assert_uint_eq(a.len, sizeof(*in6));
		ck_assert_uint_eq(ntohs(in6->sin6_port), cases[_i].port);
		inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
	}
	ck_assert_str_eq(buf, cases[_i].addr);
}
END_TEST

static Suite *serve_suite(void)
{
	Suite *s = suite_create("serve");
	TCase *tc = tcase_create("listen");

	tcase_add_loop_test(tc, test_listen, 0, sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(serve_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
