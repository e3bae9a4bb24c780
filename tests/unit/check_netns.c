/* SPDX-License-Identifier: MIT */
/*
 * check_netns: netns_open()'s checks on what -N names, on real files
 * (no root needed): a FIFO must be refused without blocking, a regular
 * file, a directory, a device and nsfs files of other namespace types are
 * not network namespaces, a path of PATH_MAX bytes or more is an error
 * (not cut), a name without '/' is looked up under /run/netns, and this
 * process's own network namespace opens.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "fstree.h"
#include "netns.h"

static char err[512];

static void refused(const char *arg, int want, const char *msg)
{
	int ret = netns_open(arg, err, sizeof(err));

	if (ret >= 0)
		close(ret);
	ck_assert_msg(ret == want, "%.80s: %d (%s), want %d", arg, ret, err, want);
	ck_assert_msg(strstr(err, msg) != NULL, "%.80s: \"%s\" lacks \"%s\"", arg, err, msg);
	ck_assert_msg(strchr(err, '\n') == NULL, "%.80s: more than one line: %s", arg, err);
}

START_TEST(test_not_namespaces)
{
	char p[256];

	fstree_setup_named("check_netns");
	snprintf(p, sizeof(p), "%s/fifo", root);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	refused(p, -EINVAL, "is not a network namespace: it is a FIFO");
	/* ... also through a symlink */
	lnk("fifo", "to-fifo");
	snprintf(p, sizeof(p), "%s/to-fifo", root);
	refused(p, -EINVAL, "it is a FIFO");
	put("file", "");
	snprintf(p, sizeof(p), "%s/file", root);
	refused(p, -EINVAL, "is not a network namespace: it is a plain file");
	mk_mode("dir", 0700);
	snprintf(p, sizeof(p), "%s/dir", root);
	refused(p, -EINVAL, "is not a network namespace: it is a directory");
	refused("/dev/null", -EINVAL, "'/dev/null' is not a network namespace: it is a device");
	refused("/proc/self/ns/uts", -EINVAL, "it is a UTS namespace");
	refused("/proc/self/ns/mnt", -EINVAL, "it is a mount namespace");
	snprintf(p, sizeof(p), "%s/missing", root);
	refused(p, -ENOENT, "No such file or directory");
	fstree_teardown();
}
END_TEST

START_TEST(test_too_long)
{
	size_t n = 5000;
	char *p = malloc(n + 1);

	ck_assert_ptr_nonnull(p);
	memset(p, 'a', n);
	p[0] = '/';
	p[n] = '\0';
	refused(p, -ENAMETOOLONG, "(5000 bytes)' is too long (at most 4095 bytes)");
	/* exactly PATH_MAX bytes: one too many for the NUL */
	p[PATH_MAX] = '\0';
	refused(p, -ENAMETOOLONG, "is too long");
	/* a name: /run/netns/ + NAME must fit too */
	memset(p, 'b', PATH_MAX - 5);
	p[PATH_MAX - 5] = '\0';
	refused(p, -ENAMETOOLONG, "is too long");
	free(p);
}
END_TEST

START_TEST(test_names)
{
	refused("", -EINVAL, "invalid network namespace name ''");
	refused("..", -EINVAL, "invalid network namespace name '..'");
	refused("no-such-ns-check-netns", -ENOENT,
		"no network namespace 'no-such-ns-check-netns' (nothing at /run/netns/no-such-ns-check-netns)");
}
END_TEST

START_TEST(test_own)
{
	struct stat a, b;
	int fd = netns_open("/proc/self/ns/net", err, sizeof(err));

	ck_assert_msg(fd >= 0, "%s", err);
	ck_assert_int_eq(fstat(fd, &a), 0);
	ck_assert_int_eq(stat("/proc/self/ns/net", &b), 0);
	ck_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
}
END_TEST

static Suite *netns_suite(void)
{
	Suite *s = suite_create("netns");
	TCase *tc = tcase_create("open");

	/* A FIFO that blocked would hang here: the timeout catches it. */
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, test_not_namespaces);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_own);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(netns_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
