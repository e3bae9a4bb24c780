/* SPDX-License-Identifier: MIT */
/*
 * check_kctx: the kernel context of a namespace: reading it from files
 * like the kernel's, and its recording block, encoded and decoded (the
 * decoder's refusals of damaged blocks are check_replay's, through a
 * recording).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "doctor.h"
#include "kctx.h"

static struct doctor_ns full(void)
{
	struct doctor_ns ns = {
		.has_range = true, .eph_lo = 40000, .eph_hi = 40099, .reserved = 10,
		.has_tw_reuse = true, .tw_reuse = 2,
		.has_somaxconn = true, .somaxconn = 4096,
		.has_max_tw = true, .max_tw = UINT64_MAX,
		.has_netstat = true, .listen_overflows = 45, .listen_drops = 46,
		.has_tw_overflow = true, .tw_overflow = 0,
		.has_max_orphans = true, .max_orphans = 131072,
		.has_syncookies = true, .syncookies = 1,
		.has_cookies_sent = true, .cookies_sent = 15,
	};

	return ns;
}

static void assert_same(const struct doctor_ns *a, const struct doctor_ns *b)
{
	ck_assert(a->has_range == b->has_range && a->eph_lo == b->eph_lo &&
		  a->eph_hi == b->eph_hi && a->reserved == b->reserved);
	ck_assert(a->has_tw_reuse == b->has_tw_reuse && a->tw_reuse == b->tw_reuse);
	ck_assert(a->has_somaxconn == b->has_somaxconn && a->somaxconn == b->somaxconn);
	ck_assert(a->has_max_tw == b->has_max_tw && a->max_tw == b->max_tw);
	ck_assert(a->has_netstat == b->has_netstat && a->listen_overflows == b->listen_overflows &&
		  a->listen_drops == b->listen_drops);
	ck_assert(a->has_tw_overflow == b->has_tw_overflow && a->tw_overflow == b->tw_overflow);
	ck_assert(a->has_max_orphans == b->has_max_orphans && a->max_orphans == b->max_orphans);
	ck_assert(a->has_syncookies == b->has_syncookies && a->syncookies == b->syncookies);
	ck_assert(a->has_cookies_sent == b->has_cookies_sent && a->cookies_sent == b->cookies_sent);
}

START_TEST(test_round_trip)
{
	struct doctor_ns in = full(), out;
	char buf[KCTX_MAX], err[256];
	int n = kctx_encode(&in, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, "format=1\nip_local_reserved_ports=10\ntcp_tw_reuse=2\nsomaxconn=4096\n"
			 "tcp_max_tw_buckets=18446744073709551615\ntcp_max_orphans=131072\n"
			 "tcp_syncookies=1\nTcpExt.ListenOverflows=45\nTcpExt.ListenDrops=46\n"
			 "TcpExt.TCPTimeWaitOverflow=0\nTcpExt.SyncookiesSent=15\n");
	ck_assert_int_eq(kctx_decode(buf, (size_t)n, 40000, 40099, &out, err, sizeof(err)), 0);
	assert_same(&in, &out);
	/* Too small a buffer is said, never cut. */
	ck_assert_int_eq(kctx_encode(&in, buf, 40), -ENOSPC);
}
END_TEST

/* What was not known is not written, and stays unknown. */
START_TEST(test_unknown_left_out)
{
	struct doctor_ns in = { .has_somaxconn = true, .somaxconn = 128 }, out;
	char buf[KCTX_MAX], err[256];
	int n = kctx_encode(&in, buf, sizeof(buf));

	ck_assert_str_eq(buf, "format=1\nsomaxconn=128\n");
	ck_assert_int_eq(kctx_decode(buf, (size_t)n, 40000, 40099, &out, err, sizeof(err)), 0);
	ck_assert(out.has_range && out.reserved == 0);	/* the sample's range */
	ck_assert(out.has_somaxconn && out.somaxconn == 128);
	ck_assert(!out.has_tw_reuse && !out.has_max_tw && !out.has_netstat &&
		  !out.has_max_orphans && !out.has_syncookies && !out.has_cookies_sent &&
		  !out.has_tw_overflow);
	/* No range in the sample: none in the context either. */
	ck_assert_int_eq(kctx_decode(buf, (size_t)n, 0, 0, &out, err, sizeof(err)), 0);
	ck_assert(!out.has_range);
}
END_TEST

/* Keys a later portstat adds are skipped; the format number is not. */
START_TEST(test_later_keys)
{
	static const char later[] = "format=1\nsomaxconn=5\nTcpExt.SomethingNew=99\n";
	static const char next[] = "format=2\n";
	struct doctor_ns out;
	char err[256];

	ck_assert_int_eq(kctx_decode(later, sizeof(later) - 1, 0, 0, &out, err, sizeof(err)), 0);
	ck_assert(out.has_somaxconn && out.somaxconn == 5);
	ck_assert_int_eq(kctx_decode(next, sizeof(next) - 1, 0, 0, &out, err, sizeof(err)),
			 -EPROTO);
	ck_assert_str_eq(err, "kernel context format 2, this portstat reads 1");
	/* Every byte length is checked before anything is read. */
	ck_assert_int_eq(kctx_decode(later, 0, 0, 0, &out, err, sizeof(err)), -EBADMSG);
	ck_assert_int_eq(kctx_decode(later, KCTX_MAX + 1, 0, 0, &out, err, sizeof(err)), -EBADMSG);
	ck_assert_str_eq(err, "kernel context of 4097 bytes (1 to 4096 expected)");
	ck_assert_int_eq(kctx_decode(later, 11, 0, 0, &out, err, sizeof(err)), -EBADMSG);
	ck_assert_str_eq(err, "kernel context does not end with a newline");
}
END_TEST

static int file_with(const char *dir, const char *name, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	unlink(path);
	return fd;
}

/* Files as the kernel writes them; an unreadable one or a value the
 * kernel never allows is unknown. */
START_TEST(test_read)
{
	char dir[] = "/tmp/check_kctx-XXXXXX";
	struct kctx_files f;
	struct doctor_ns ns;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	kctx_files_init(&f);
	f.fd[KCTX_RESERVED] = file_with(dir, "reserved", "8080,40090-40099\n");
	f.fd[KCTX_TW_REUSE] = file_with(dir, "tw_reuse", "7\n");
	f.fd[KCTX_SOMAXCONN] = file_with(dir, "somaxconn", "4096\n");
	f.fd[KCTX_NETSTAT] = file_with(dir, "netstat",
		"TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPTimeWaitOverflow\n"
		"TcpExt: 3 17 21 5\n");
	f.fd[KCTX_MAX_TW] = file_with(dir, "max_tw", "10\n");
	f.fd[KCTX_SYNCOOKIES] = file_with(dir, "syncookies", "1\n");
	kctx_read(&f, 40000, 40099, &ns);
	ck_assert(ns.has_range && ns.eph_lo == 40000 && ns.eph_hi == 40099);
	ck_assert_uint_eq(ns.reserved, 10);
	ck_assert(!ns.has_tw_reuse);
	ck_assert(ns.has_somaxconn && ns.somaxconn == 4096);
	ck_assert(ns.has_max_tw && ns.max_tw == 10);
	ck_assert(!ns.has_max_orphans);
	ck_assert(ns.has_syncookies && ns.syncookies == 1);
	ck_assert(ns.has_netstat && ns.listen_overflows == 17 && ns.listen_drops == 21);
	ck_assert(ns.has_tw_overflow && ns.tw_overflow == 5);
	ck_assert(ns.has_cookies_sent && ns.cookies_sent == 3);
	/* No range: no reserved count either. */
	kctx_read(&f, 0, 0, &ns);
	ck_assert(!ns.has_range && ns.reserved == 0);
	kctx_files_close(&f);
	for (int i = 0; i < KCTX_NFILES; i++)
		ck_assert_int_eq(f.fd[i], -1);
	kctx_files_close(&f);	/* twice is harmless */
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kctx");
	TCase *tc = tcase_create("kctx");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_unknown_left_out);
	tcase_add_test(tc, test_later_keys);
	tcase_add_test(tc, test_read);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
