/* SPDX-License-Identifier: MIT */
/*
 * check_outfile: where output lands.  --write's file: replaced atomically,
 * an existing file's owner and mode kept, a new one 0644 whatever the
 * umask, anything but a regular file refused and left as it was, no
 * temporary file left after a failure.  Standard output: a failed write
 * reports its own errno (ENOSPC from /dev/full, EPIPE from a closed pipe
 * with SIGPIPE ignored), not whatever errno held afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <check.h>

#include "outfile.h"

static char dir[PATH_MAX];	/* this test's own directory */

static void dir_make(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/check_outfile.XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void dir_remove(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *in_dir(char *buf, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	ck_assert(n > 0 && n < PATH_MAX);
	return buf;
}

static int entries(void)
{
	char cmd[PATH_MAX + 32];
	FILE *p;
	int n = -1;

	int len = snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);

	ck_assert(len > 0 && (size_t)len < sizeof(cmd));
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void expect_text(const char *path, const char *want)
{
	char got[256] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, got, sizeof(got) - 1);
	ck_assert_int_ge(n, 0);
	got[n] = '\0';
	close(fd);
	ck_assert_str_eq(got, want);
}

static int say(FILE *out, const void *arg)
{
	fputs(arg, out);
	return ferror(out) ? -EIO : 0;
}

/* Renders part of an output, then fails as a view does on ENOMEM. */
static int fail_midway(FILE *out, const void *arg)
{
	(void)arg;
	fputs("half", out);
	return -ENOMEM;
}

/* Enough output to pass the stream's buffer, so writes happen while
 * rendering, not only at the flush. */
static int lots(FILE *out, const void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++)
		fputs("0123456789abcdef\n", out);
	return ferror(out) ? -EIO : 0;
}

START_TEST(test_new_file_0644)
{
	char p[PATH_MAX], err[512] = "";
	struct stat st;
	mode_t old = umask(077);

	ck_assert_msg(outfile_emit(in_dir(p, "new.prom"), say, "hello\n", err, sizeof(err)) == 0,
		      "%s", err);
	umask(old);
	expect_text(p, "hello\n");
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(test_replace_keeps_mode)
{
	char p[PATH_MAX], err[512] = "";
	struct stat before, after;

	put(in_dir(p, "x.prom"), "old\n", 0640);
	ck_assert_int_eq(lstat(p, &before), 0);
	ck_assert_msg(outfile_emit(p, say, "new\n", err, sizeof(err)) == 0, "%s", err);
	expect_text(p, "new\n");
	ck_assert_int_eq(lstat(p, &after), 0);
	ck_assert_int_eq(after.st_mode & 07777, 0640);
	/* replaced, not written into: a reader holding the old file keeps it */
	ck_assert(after.st_ino != before.st_ino);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

/* Root only: the owner of an existing file is another user's, and stays. */
START_TEST(test_replace_keeps_owner)
{
	char p[PATH_MAX], err[512] = "";
	struct stat st;

	if (geteuid() != 0)
		return;
	put(in_dir(p, "owned.prom"), "old\n", 0604);
	ck_assert_int_eq(chown(p, 65534, 65534), 0);
	ck_assert_msg(outfile_emit(p, say, "new\n", err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert_int_eq(st.st_uid, 65534);
	ck_assert_int_eq(st.st_gid, 65534);
	ck_assert_int_eq(st.st_mode & 07777, 0604);
	expect_text(p, "new\n");
}
END_TEST

/* Set-id bits are not carried to what portstat writes. */
START_TEST(test_setid_dropped)
{
	char p[PATH_MAX], err[512] = "";
	struct stat st;

	put(in_dir(p, "s.prom"), "old\n", 02755);
	ck_assert_msg(outfile_emit(p, say, "new\n", err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
}
END_TEST

START_TEST(test_symlink_refused)
{
	char p[PATH_MAX], t[PATH_MAX], link[PATH_MAX], err[512] = "";
	struct stat st;

	put(in_dir(t, "target"), "precious\n", 0600);
	ck_assert_int_eq(symlink(t, in_dir(p, "link.prom")), 0);
	ck_assert_int_eq(outfile_emit(p, say, "new\n", err, sizeof(err)), -ELOOP);
	ck_assert_msg(strstr(err, "a symbolic link") && strstr(err, p), "%s", err);
	ck_assert_int_eq(outfile_check(p, err, sizeof(err)), -ELOOP);
	expect_text(t, "precious\n");
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_int_gt(readlink(p, link, sizeof(link) - 1), 0);
	ck_assert_int_eq(entries(), 2);
}
END_TEST

/* A dangling link is refused too: following it would create its target. */
START_TEST(test_dangling_symlink_refused)
{
	char p[PATH_MAX], t[PATH_MAX], err[512] = "";

	ck_assert_int_eq(symlink(in_dir(t, "nowhere"), in_dir(p, "dangling.prom")), 0);
	ck_assert_int_eq(outfile_emit(p, say, "new\n", err, sizeof(err)), -ELOOP);
	ck_assert_int_eq(access(t, F_OK), -1);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(test_directory_refused)
{
	char p[PATH_MAX], slash[PATH_MAX + 1], err[512] = "";

	ck_assert_int_eq(mkdir(in_dir(p, "d.prom"), 0755), 0);
	ck_assert_int_eq(outfile_emit(p, say, "x", err, sizeof(err)), -EISDIR);
	ck_assert_msg(strstr(err, "a directory"), "%s", err);
	ck_assert_int_lt(snprintf(slash, sizeof(slash), "%s/", p), (int)sizeof(slash));
	ck_assert_int_eq(outfile_emit(slash, say, "x", err, sizeof(err)), -EISDIR);
	ck_assert_int_eq(entries(), 1);
}
END_TEST

/* A FIFO is refused without opening it: an open would block for ever. */
START_TEST(test_fifo_refused)
{
	char p[PATH_MAX], err[512] = "";
	struct stat st;

	ck_assert_int_eq(mkfifo(in_dir(p, "f.prom"), 0600), 0);
	alarm(10);
	ck_assert_int_eq(outfile_emit(p, say, "x", err, sizeof(err)), -EINVAL);
	alarm(0);
	ck_assert_msg(strstr(err, "a FIFO"), "%s", err);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(entries(), 1);
}
END_TEST

START_TEST(test_socket_refused)
{
	char p[PATH_MAX], err[512] = "";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(s, 0);
	in_dir(p, "s.prom");
	ck_assert_uint_lt(strlen(p), sizeof(sa.sun_path));
	strcpy(sa.sun_path, p);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(outfile_emit(p, say, "x", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "a socket"), "%s", err);
	ck_assert_int_eq(lstat(p, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	close(s);
}
END_TEST

START_TEST(test_device_refused)
{
	char err[512] = "";
	struct stat st;

	ck_assert_int_eq(outfile_check("/dev/null", err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "a character device"), "%s", err);
	ck_assert_int_eq(lstat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

START_TEST(test_missing_directory)
{
	char p[PATH_MAX], err[512] = "";

	ck_assert_int_eq(outfile_emit(in_dir(p, "no/such.prom"), say, "x", err, sizeof(err)),
			 -ENOENT);
	ck_assert_msg(strstr(err, "cannot write '") && strstr(err, "No such file"), "%s", err);
	ck_assert_int_eq(outfile_check(p, err, sizeof(err)), -ENOENT);
	ck_assert_int_eq(entries(), 0);
}
END_TEST

/* A render that fails leaves the old file and no temporary file. */
START_TEST(test_render_failure_keeps_old)
{
	char p[PATH_MAX], err[512] = "";

	put(in_dir(p, "keep.prom"), "old\n", 0644);
	ck_assert_int_eq(outfile_emit(p, fail_midway, NULL, err, sizeof(err)), -ENOMEM);
	ck_assert_msg(strstr(err, "Cannot allocate memory"), "%s", err);
	expect_text(p, "old\n");
	ck_assert_int_eq(entries(), 1);
}
END_TEST

/* outfile_check creates nothing: a target that is absent stays absent. */
START_TEST(test_check_creates_nothing)
{
	char p[PATH_MAX], err[512] = "";

	ck_assert_int_eq(outfile_check(in_dir(p, "later.prom"), err, sizeof(err)), 0);
	ck_assert_int_eq(entries(), 0);
	put(p, "x", 0644);
	ck_assert_int_eq(outfile_check(p, err, sizeof(err)), 0);
}
END_TEST

/* A last component of NAME_MAX bytes still gets a temporary file (its
 * name cut short) and the rename. */
START_TEST(test_long_name)
{
	char name[NAME_MAX + 1], p[PATH_MAX], err[512] = "";

	memset(name, 'n', NAME_MAX);
	name[NAME_MAX] = '\0';
	ck_assert_msg(outfile_emit(in_dir(p, name), say, "long\n", err, sizeof(err)) == 0,
		      "%s", err);
	expect_text(p, "long\n");
	ck_assert_int_eq(entries(), 1);
}
END_TEST

/* A directory named through a symbolic link: ours is followed; another
 * user's (root only: lchown) is refused and nothing is made through it. */
START_TEST(test_directory_link)
{
	char real[PATH_MAX], link[PATH_MAX], p[PATH_MAX], err[512] = "";

	ck_assert_int_eq(mkdir(in_dir(real, "real"), 0755), 0);
	ck_assert_int_eq(symlink(real, in_dir(link, "link")), 0);
	ck_assert_int_lt(snprintf(p, sizeof(p), "%s/x.prom", link), (int)sizeof(p));
	ck_assert_msg(outfile_emit(p, say, "via\n", err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_lt(snprintf(p, sizeof(p), "%s/x.prom", real), (int)sizeof(p));
	expect_text(p, "via\n");
	ck_assert_int_eq(unlink(p), 0);
	if (geteuid() != 0)
		return;
	ck_assert_int_eq(lchown(link, 65534, 65534), 0);
	ck_assert_int_lt(snprintf(p, sizeof(p), "%s/x.prom", link), (int)sizeof(p));
	ck_assert_int_eq(outfile_emit(p, say, "via\n", err, sizeof(err)), -ELOOP);
	ck_assert_msg(strstr(err, "symbolic link of another user (uid 65534)"), "%s", err);
	ck_assert_int_eq(outfile_check(p, err, sizeof(err)), -ELOOP);
	ck_assert_int_lt(snprintf(p, sizeof(p), "%s/x.prom", real), (int)sizeof(p));
	ck_assert_int_eq(access(p, F_OK), -1);
}
END_TEST

/* stdout is @fd for the call; restored after. */
static int emit_to(int fd, int (*render)(FILE *, const void *), const void *arg,
		   char *err, size_t errlen)
{
	int saved = dup(STDOUT_FILENO), ret;

	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	ret = outfile_emit(NULL, render, arg, err, errlen);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return ret;
}

START_TEST(test_stdout_full)
{
	char err[512] = "";
	int fd = open("/dev/full", O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(emit_to(fd, say, "x\n", err, sizeof(err)), -ENOSPC);
	ck_assert_str_eq(err, "cannot write output: No space left on device");
	/* failing during the render, not only at the flush */
	errno = 0;
	ck_assert_int_eq(emit_to(fd, lots, NULL, err, sizeof(err)), -ENOSPC);
	ck_assert_str_eq(err, "cannot write output: No space left on device");
	close(fd);
}
END_TEST

START_TEST(test_stdout_closed_pipe)
{
	char err[512] = "";
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(pipe(p), 0);
	close(p[0]);
	ck_assert_int_eq(emit_to(p[1], lots, NULL, err, sizeof(err)), -EPIPE);
	ck_assert_str_eq(err, "cannot write output: Broken pipe");
	close(p[1]);
}
END_TEST

START_TEST(test_stdout_ok)
{
	char err[512] = "", got[16] = "";
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(emit_to(p[1], say, "hello\n", err, sizeof(err)), 0);
	close(p[1]);
	ck_assert_int_eq(read(p[0], got, sizeof(got) - 1), 6);
	ck_assert_str_eq(got, "hello\n");
	close(p[0]);
}
END_TEST

START_TEST(test_kind)
{
	ck_assert_str_eq(outfile_kind(S_IFREG | 0644), "a regular file");
	ck_assert_str_eq(outfile_kind(S_IFDIR), "a directory");
	ck_assert_str_eq(outfile_kind(S_IFLNK), "a symbolic link");
	ck_assert_str_eq(outfile_kind(S_IFCHR), "a character device");
	ck_assert_str_eq(outfile_kind(S_IFBLK), "a block device");
	ck_assert_str_eq(outfile_kind(S_IFIFO), "a FIFO");
	ck_assert_str_eq(outfile_kind(S_IFSOCK), "a socket");
}
END_TEST

static Suite *outfile_suite(void)
{
	Suite *s = suite_create("outfile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, dir_make, dir_remove);
	tcase_add_test(tc, test_new_file_0644);
	tcase_add_test(tc, test_replace_keeps_mode);
	tcase_add_test(tc, test_replace_keeps_owner);
	tcase_add_test(tc, test_setid_dropped);
	tcase_add_test(tc, test_symlink_refused);
	tcase_add_test(tc, test_dangling_symlink_refused);
	tcase_add_test(tc, test_directory_refused);
	tcase_add_test(tc, test_fifo_refused);
	tcase_add_test(tc, test_socket_refused);
	tcase_add_test(tc, test_device_refused);
	tcase_add_test(tc, test_missing_directory);
	tcase_add_test(tc, test_render_failure_keeps_old);
	tcase_add_test(tc, test_check_creates_nothing);
	tcase_add_test(tc, test_long_name);
	tcase_add_test(tc, test_directory_link);
	tcase_add_test(tc, test_stdout_full);
	tcase_add_test(tc, test_stdout_closed_pipe);
	tcase_add_test(tc, test_stdout_ok);
	tcase_add_test(tc, test_kind);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(outfile_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
