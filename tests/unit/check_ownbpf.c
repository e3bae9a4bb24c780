/* SPDX-License-Identifier: MIT */
/*
 * check_ownbpf: the parser of the owners iterator's records (whole
 * records, unaligned input, truncated input, foreign padding, nothing),
 * and, where the program loads (root, BTF, built with BPF), one live run
 * that must list this test's own socket with its fd and inode, and none of
 * its pipe's fds.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "ownbpf.h"

/* One record as the program writes it, into @p (24 bytes). */
static void put(unsigned char *p, uint32_t tgid, uint32_t fd, uint64_t ino, uint32_t uid,
		uint32_t pad)
{
	memcpy(p, &tgid, 4);
	memcpy(p + 4, &fd, 4);
	memcpy(p + 8, &ino, 8);
	memcpy(p + 16, &uid, 4);
	memcpy(p + 20, &pad, 4);
}

START_TEST(test_parse_records)
{
	unsigned char buf[1 + 3 * OWNBPF_REC_SIZE];
	struct ownbpf_rec r[3];
	unsigned char *p = buf + 1;	/* unaligned on purpose */

	put(p, 1, 3, 12345, 0, 0);
	put(p + 24, 4242, 1023, 4294967296ull + 7, 1000, 0);
	put(p + 48, 4294967295u, 0, 1, 65534, 0);
	ck_assert_int_eq(ownbpf_parse(p, 3 * OWNBPF_REC_SIZE, r), 3);
	ck_assert_uint_eq(r[0].tgid, 1);
	ck_assert_uint_eq(r[0].fd, 3);
	ck_assert_uint_eq(r[0].ino, 12345);
	ck_assert_uint_eq(r[0].uid, 0);
	ck_assert_uint_eq(r[1].tgid, 4242);
	ck_assert_uint_eq(r[1].fd, 1023);
	ck_assert(r[1].ino == 4294967296ull + 7);
	ck_assert_uint_eq(r[1].uid, 1000);
	ck_assert_uint_eq(r[2].tgid, 4294967295u);
	ck_assert_uint_eq(r[2].uid, 65534);
}
END_TEST

/* In place (@out == @buf), as ownbpf_run() checks the records it read
 * straight into their array: the same values, and a bad padding still
 * refused. */
START_TEST(test_parse_in_place)
{
	struct ownbpf_rec r[2];

	put((unsigned char *)r, 7, 9, 4294967296ull + 3, 1000, 0);
	put((unsigned char *)&r[1], 8, 10, 77, 0, 0);
	ck_assert_int_eq(ownbpf_parse(r, sizeof(r), r), 2);
	ck_assert_uint_eq(r[0].tgid, 7);
	ck_assert_uint_eq(r[0].fd, 9);
	ck_assert(r[0].ino == 4294967296ull + 3);
	ck_assert_uint_eq(r[0].uid, 1000);
	ck_assert_uint_eq(r[1].tgid, 8);
	ck_assert_uint_eq(r[1].ino, 77);
	put((unsigned char *)&r[1], 8, 10, 77, 0, 1);
	ck_assert_int_eq(ownbpf_parse(r, sizeof(r), r), -EPROTO);
	ck_assert_int_eq(ownbpf_parse(r, sizeof(r) - 1, r), -EPROTO);
}
END_TEST

START_TEST(test_parse_bad)
{
	unsigned char buf[2 * OWNBPF_REC_SIZE];
	struct ownbpf_rec r[2];

	put(buf, 1, 3, 5, 0, 0);
	put(buf + 24, 1, 4, 6, 0, 0);
	ck_assert_int_eq(ownbpf_parse(buf, 0, r), 0);
	/* A torn record is not silently dropped. */
	ck_assert_int_eq(ownbpf_parse(buf, OWNBPF_REC_SIZE + 1, r), -EPROTO);
	ck_assert_int_eq(ownbpf_parse(buf, OWNBPF_REC_SIZE - 1, r), -EPROTO);
	/* Padding that is not zero: not this program's output. */
	put(buf + 24, 1, 4, 6, 0, 1);
	ck_assert_int_eq(ownbpf_parse(buf, 2 * OWNBPF_REC_SIZE, r), -EPROTO);
}
END_TEST

START_TEST(test_live_self)
{
	struct ownbpf_rec *rec;
	struct stat st;
	size_t n;
	int s, pipefd[2], ret;
	bool sock_seen = false, pipe_seen = false;

	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(pipe(pipefd), 0);
	ck_assert_int_eq(fstat(s, &st), 0);
	ret = ownbpf_read(&rec, &n);
	if (ret == -EOPNOTSUPP || ret == -EPERM || (ret < 0 && geteuid() != 0)) {
		/* Not built with BPF, a pid namespace, or no privilege:
		 * nothing to check here (it_owners_bpf tests the fallback). */
		close(s);
		return;
	}
	ck_assert_int_eq(ret, 0);
	for (size_t i = 0; i < n; i++) {
		if (rec[i].tgid != (uint32_t)getpid())
			continue;
		if (rec[i].fd == (uint32_t)s) {
			ck_assert(rec[i].ino == st.st_ino);
			ck_assert_uint_eq(rec[i].uid, geteuid());
			sock_seen = true;
		}
		if (rec[i].fd == (uint32_t)pipefd[0] || rec[i].fd == (uint32_t)pipefd[1])
			pipe_seen = true;
	}
	free(rec);
	ck_assert(sock_seen);
	ck_assert(!pipe_seen);
	close(s);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

static Suite *ownbpf_suite(void)
{
	Suite *s = suite_create("ownbpf");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_parse_records);
	tcase_add_test(tc, test_parse_in_place);
	tcase_add_test(tc, test_parse_bad);
	suite_add_tcase(s, tc);
	tc = tcase_create("live");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_live_self);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ownbpf_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
