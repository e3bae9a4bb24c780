/* SPDX-License-Identifier: MIT */
/*
 * check_procmap: the fd-link parser (table of targets), the scan over a
 * fake /proc tree (owners, comm, unwanted and unknown inodes, processes
 * without an fd directory, uid-ordered passes and the early stop), the
 * limits of procmap_want(), and one scan of the real /proc that must find
 * this test's own socket.  With the BPF backend (skipped where it does not
 * load): few wanted inodes filtered in the kernel give the owners the /proc
 * scan gives, and a prefetched run misses no socket made after it started
 * (the second, filtered run finds it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "fstree.h"
#include "ownbpf.h"
#include "procmap.h"

static const struct {
	const char *target;
	uint32_t inode;
} link_cases[] = {
	{ "socket:[123]", 123 },
	{ "socket:[4294967295]", 4294967295u },
	{ "socket:[4294967296]", 0 },
	{ "socket:[]", 0 },
	{ "socket:[12a]", 0 },
	{ "socket:[123", 0 },
	{ "socket:123]", 0 },
	{ "pipe:[123]", 0 },
	{ "/dev/null", 0 },
	{ "anon_inode:[eventpoll]", 0 },
	{ "", 0 },
};

START_TEST(test_parse_link)
{
	const char *t = link_cases[_i].target;

	ck_assert_uint_eq(procmap_parse_link(t, strlen(t)), link_cases[_i].inode);
}
END_TEST

static void tree_setup(void)
{
	char p[256];

	fstree_setup_named("check_procmap");
	mk_mode("100", 0755);
	mk_mode("100/fd", 0755);
	lnk("socket:[1001]", "100/fd/0");
	lnk("/dev/null", "100/fd/1");
	lnk("socket:[1002]", "100/fd/2");
	put("100/comm", "srv\n");
	/* a hybrid host: v1 lines, then the v2 one */
	put("100/cgroup", "12:pids:/x\n1:name=systemd:/y\n0::/system.slice/srv.service\n");
	mk_mode("200", 0755);
	mk_mode("200/fd", 0755);
	lnk("socket:[1003]", "200/fd/5");
	put("200/comm", "cli\n");
	mk_mode("300", 0755);
	mk_mode("400", 0755);
	mk_mode("400/fd", 0755);
	lnk("pipe:[1004]", "400/fd/3");
	lnk("100", "self");
	mk_mode("abc", 0755);
	if (geteuid() == 0) {
		snprintf(p, sizeof(p), "%s/200", root);
		ck_assert_int_eq(chown(p, 4242, 4242), 0);
	}
}


START_TEST(test_fake_tree)
{
	struct procmap *pm;
	const struct procmap_proc *p;
	const struct procmap_stats *st;

	ck_assert_int_eq(procmap_new(&pm, 8), 0);
	ck_assert_int_eq(procmap_want(pm, 1001, 0), 0);
	ck_assert_int_eq(procmap_want(pm, 1002, 0), 0);
	ck_assert_int_eq(procmap_want(pm, 1003, 0), 0);
	ck_assert_int_eq(procmap_want(pm, 1004, 0), 0);	/* a pipe's inode: never a socket */
	ck_assert_int_eq(procmap_want(pm, 1001, 0), 0);	/* twice is once */
	ck_assert_int_eq(procmap_scan(pm, root), 0);
	st = procmap_stats(pm);
	ck_assert_uint_eq(st->wanted, 4);
	ck_assert_uint_eq(st->found, 3);
	ck_assert(!st->complete);
	ck_assert_uint_eq(st->procs, 4);	/* 100 200 300 400 */
	ck_assert_uint_eq(st->scanned, 3);
	ck_assert_uint_eq(st->vanished, 1);	/* 300 */
	ck_assert_uint_eq(st->denied, 0);
	ck_assert_uint_eq(st->links, 5);

	p = procmap_lookup(pm, 1001);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->pid, 100);
	ck_assert_str_eq(p->comm, "srv");
	ck_assert_str_eq(p->cgroup, "/system.slice/srv.service");
	ck_assert_uint_eq(p->count, 2);
	ck_assert_ptr_eq(procmap_lookup(pm, 1002), p);
	p = procmap_lookup(pm, 1003);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->pid, 200);
	ck_assert_str_eq(p->comm, "cli");
	ck_assert_str_eq(p->cgroup, "");	/* no cgroup file: none */
	ck_assert_uint_eq(p->count, 1);
	ck_assert_ptr_null(procmap_lookup(pm, 1004));
	ck_assert_ptr_null(procmap_lookup(pm, 5555));	/* not wanted */
	ck_assert_ptr_null(procmap_lookup(pm, 0));
	ck_assert_uint_eq(procmap_nprocs(pm), 2);
	procmap_delete(pm);
}
END_TEST

/* Processes of the sockets' uids first; the rest only when needed. */
START_TEST(test_uid_order)
{
	struct procmap *pm;
	const struct procmap_stats *st;

	if (geteuid() != 0)
		return;		/* chown needs root: the tree has one uid */
	ck_assert_int_eq(procmap_new(&pm, 4), 0);
	ck_assert_int_eq(procmap_want(pm, 1003, 4242), 0);
	ck_assert_int_eq(procmap_scan(pm, root), 0);
	st = procmap_stats(pm);
	ck_assert(st->complete);
	ck_assert_uint_eq(st->passes, 1);
	ck_assert_uint_eq(st->scanned, 1);	/* only 200: stopped when found */
	ck_assert_int_eq(procmap_lookup(pm, 1003)->pid, 200);

	/* A socket of uid 4242 held by a uid-0 process (setuid after
	 * accept): the second pass finds it. */
	ck_assert_int_eq(procmap_want(pm, 1002, 4242), 0);
	ck_assert_int_eq(procmap_scan(pm, root), 0);
	st = procmap_stats(pm);
	ck_assert(st->complete);
	ck_assert_uint_eq(st->passes, 2);
	ck_assert_int_eq(procmap_lookup(pm, 1002)->pid, 100);
	ck_assert_int_eq(procmap_lookup(pm, 1003)->pid, 200);	/* kept */
	procmap_delete(pm);
}
END_TEST

/* Set the fd limit so that exactly @free descriptors can still be
 * opened (the lowest free one and up); returns the old limit. */
static struct rlimit fds_leave(int free)
{
	struct rlimit old, lim;
	int lowest = dup(0);

	ck_assert_int_ge(lowest, 0);
	close(lowest);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)(lowest + free);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &lim), 0);
	return old;
}

/* One free descriptor is enough for an exact scan; with none, the scan
 * fails with -EMFILE: the processes are not counted as vanished. */
START_TEST(test_fd_limit)
{
	struct procmap *pm;
	struct rlimit old;
	const struct procmap_proc *p;

	ck_assert_int_eq(procmap_new(&pm, 4), 0);
	ck_assert_int_eq(procmap_want(pm, 1001, 0), 0);
	ck_assert_int_eq(procmap_want(pm, 1003, 0), 0);
	old = fds_leave(1);
	ck_assert_int_eq(procmap_scan(pm, root), 0);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert(procmap_stats(pm)->complete);
	/* only 300, which has no fd directory, if readdir gave it early */
	ck_assert_uint_le(procmap_stats(pm)->vanished, 1);
	p = procmap_lookup(pm, 1001);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->comm, "srv");
	ck_assert_str_eq(p->cgroup, "/system.slice/srv.service");
	ck_assert_int_eq(procmap_lookup(pm, 1003)->pid, 200);
	procmap_delete(pm);

	ck_assert_int_eq(procmap_new(&pm, 4), 0);
	ck_assert_int_eq(procmap_want(pm, 1001, 0), 0);
	old = fds_leave(0);
	ck_assert_int_eq(procmap_scan(pm, root), -EMFILE);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_uint_eq(procmap_stats(pm)->vanished, 0);
	ck_assert(procmap_is_limit(-EMFILE) && procmap_is_limit(-ENFILE) && procmap_is_limit(-ENOMEM));
	ck_assert(!procmap_is_limit(-ENOENT) && !procmap_is_limit(-EACCES) && !procmap_is_limit(0));
	procmap_delete(pm);
}
END_TEST

START_TEST(test_limit_message)
{
	char buf[160];

	procmap_limit_message(buf, sizeof(buf), "owners", -EMFILE);
	ck_assert_str_eq(buf, "cannot read owners: Too many open files (raise the fd limit: ulimit -n)");
	procmap_limit_message(buf, sizeof(buf), "cgroups", -ENFILE);
	ck_assert_str_eq(buf, "cannot read cgroups: Too many open files in system "
			 "(the system-wide limit: sysctl fs.file-max)");
	procmap_limit_message(buf, sizeof(buf), "owners", -ENOMEM);
	ck_assert_str_eq(buf, "cannot read owners: Cannot allocate memory");
}
END_TEST

START_TEST(test_limits)
{
	struct procmap *pm;

	ck_assert_int_eq(procmap_new(&pm, 2), 0);
	ck_assert_int_eq(procmap_want(pm, 0, 0), -EINVAL);
	ck_assert_int_eq(procmap_want(pm, 1, 0), 0);
	ck_assert_int_eq(procmap_want(pm, 2, 0), 0);
	ck_assert_int_eq(procmap_want(pm, 2, 0), 0);
	ck_assert_int_eq(procmap_want(pm, 3, 0), -ENOSPC);
	ck_assert_int_eq(procmap_scan(pm, "/nonexistent-proc"), -ENOENT);
	procmap_delete(pm);
	procmap_delete(NULL);

	/* Nothing wanted: no scan at all, complete. */
	ck_assert_int_eq(procmap_new(&pm, 0), 0);
	ck_assert_int_eq(procmap_scan(pm, "/nonexistent-proc"), 0);
	ck_assert(procmap_stats(pm)->complete);
	ck_assert_uint_eq(procmap_stats(pm)->scanned, 0);
	procmap_delete(pm);
}
END_TEST

/* Many sequential inodes: every wanted one is found by its own probe,
 * nothing else is. */
START_TEST(test_many)
{
	struct procmap *pm;
	const uint32_t n = 200000;

	ck_assert_int_eq(procmap_new(&pm, n), 0);
	for (uint32_t i = 1; i <= n; i++)
		ck_assert_int_eq(procmap_want(pm, i * 3, 0), 0);
	ck_assert_uint_eq(procmap_stats(pm)->wanted, n);
	for (uint32_t i = 1; i <= 3 * n + 3; i++)
		ck_assert_int_eq(procmap_index(pm, i), -1);	/* wanted, no owner yet */
	procmap_delete(pm);
}
END_TEST

/* The real /proc/PID of this process, through a root holding only it (a
 * whole-/proc scan would time with whatever else runs on the host). */
START_TEST(test_live_self)
{
	struct procmap *pm;
	const struct procmap_proc *p;
	struct stat st;
	char self[64], name[32];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	fstree_setup_named("check_procmap");
	snprintf(self, sizeof(self), "/proc/%d", (int)getpid());
	snprintf(name, sizeof(name), "%d", (int)getpid());
	lnk(self, name);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(procmap_new(&pm, 1), 0);
	ck_assert_int_eq(procmap_want(pm, (uint32_t)st.st_ino, getuid()), 0);
	ck_assert_int_eq(procmap_scan(pm, root), 0);
	ck_assert(procmap_stats(pm)->complete);
	p = procmap_lookup(pm, (uint32_t)st.st_ino);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p->pid, getpid());
	ck_assert_str_eq(p->comm, "check_procmap");
	ck_assert_uint_eq(p->count, 1);
	procmap_delete(pm);
	close(fd);
	fstree_teardown();
}
END_TEST

/* A child holding @n sockets of its own (their inodes in @ino) until its
 * stdin, the write end kept in *@wfd, is closed.  Its pid. */
static pid_t holder_start(int n, uint32_t *ino, int *wfd)
{
	int up[2], down[2];
	pid_t pid;

	ck_assert_int_eq(pipe(up), 0);
	ck_assert_int_eq(pipe(down), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char c;

		close(up[0]);
		close(down[1]);
		for (int i = 0; i < n; i++) {
			struct stat st;
			int s = socket(AF_INET, SOCK_STREAM, 0);

			if (s < 0 || fstat(s, &st) < 0)
				_exit(1);
			ino[i] = (uint32_t)st.st_ino;
		}
		if (write(up[1], ino, n * sizeof(*ino)) != (ssize_t)(n * sizeof(*ino)))
			_exit(1);
		while (read(down[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	ck_assert_int_eq(read(up[0], ino, n * sizeof(*ino)), (ssize_t)(n * sizeof(*ino)));
	close(up[0]);
	*wfd = down[1];
	return pid;
}

static void holder_stop(pid_t pid, int wfd)
{
	int status;

	close(wfd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A socket of this process; its inode. */
static uint32_t own_socket(int *fd)
{
	struct stat st;

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(*fd, 0);
	ck_assert_int_eq(fstat(*fd, &st), 0);
	return (uint32_t)st.st_ino;
}

/* The inode of a socket that no longer exists (held by nobody). */
static uint32_t dead_inode(void)
{
	int fd;
	uint32_t ino = own_socket(&fd);

	close(fd);
	return ino;
}

/* Whether the BPF iterator runs here (built in, privileged, BTF). */
static bool bpf_runs_here(void)
{
	struct ownbpf *ob;

	if (ownbpf_open(&ob) < 0)
		return false;
	ownbpf_close(ob);
	return true;
}

#define NPARENT 5
#define NCHILD 3

/* Owners of this process's and a child's sockets, and of a dead inode:
 * the BPF backend, few inodes so filtered in the kernel, over the real
 * /proc, and the /proc scan over a tree of just the two processes (a
 * whole-/proc scan would time with whatever else runs on the host) agree
 * on every owner: pid, comm, cgroup, count. */
START_TEST(test_bpf_filter_vs_proc)
{
	struct procmap *pb, *pp;
	uint32_t mine[NPARENT], theirs[NCHILD], dead;
	int fds[NPARENT], wfd;
	char path[64], name[32];
	pid_t child;

	if (!bpf_runs_here())
		return;	/* it_owners_bpf says why, and tests the fallback */
	/* The child first: it must not inherit this process's sockets
	 * (a shared socket's owner is the first holder in pid order, which a
	 * tree of links does not keep). */
	child = holder_start(NCHILD, theirs, &wfd);
	for (int i = 0; i < NPARENT; i++)
		mine[i] = own_socket(&fds[i]);
	dead = dead_inode();
	ck_assert_int_eq(procmap_new(&pb, NPARENT + NCHILD + 1), 0);
	ck_assert_int_eq(procmap_new(&pp, NPARENT + NCHILD + 1), 0);
	for (int i = 0; i < NPARENT; i++) {
		procmap_want(pb, mine[i], getuid());
		procmap_want(pp, mine[i], getuid());
	}
	for (int i = 0; i < NCHILD; i++) {
		procmap_want(pb, theirs[i], getuid());
		procmap_want(pp, theirs[i], getuid());
	}
	procmap_want(pb, dead, getuid());
	procmap_want(pp, dead, getuid());

	procmap_set_backend(pb, PROCMAP_BPF);
	ck_assert_int_eq(procmap_scan(pb, "/proc"), 0);
	ck_assert(procmap_stats(pb)->bpf);
	ck_assert(procmap_stats(pb)->bpf_filtered);
	ck_assert_uint_eq(procmap_stats(pb)->bpf_runs, 1);
	ck_assert_uint_eq(procmap_stats(pb)->found, NPARENT + NCHILD);

	fstree_setup_named("check_procmap");
	snprintf(path, sizeof(path), "/proc/%d", (int)getpid());
	snprintf(name, sizeof(name), "%d", (int)getpid());
	lnk(path, name);
	snprintf(path, sizeof(path), "/proc/%d", (int)child);
	snprintf(name, sizeof(name), "%d", (int)child);
	lnk(path, name);
	procmap_set_backend(pp, PROCMAP_PROC);
	ck_assert_int_eq(procmap_scan(pp, root), 0);
	ck_assert(!procmap_stats(pp)->bpf);
	ck_assert_uint_eq(procmap_stats(pp)->found, NPARENT + NCHILD);

	for (int i = 0; i < NPARENT + NCHILD + 1; i++) {
		uint32_t ino = i < NPARENT ? mine[i] : i < NPARENT + NCHILD ? theirs[i - NPARENT] : dead;
		const struct procmap_proc *a = procmap_lookup(pb, ino), *b = procmap_lookup(pp, ino);

		if (ino == dead) {
			ck_assert_ptr_null(a);
			ck_assert_ptr_null(b);
			continue;
		}
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_int_eq(a->pid, i < NPARENT ? getpid() : child);
		ck_assert_int_eq(a->pid, b->pid);
		ck_assert_str_eq(a->comm, b->comm);
		ck_assert_str_eq(a->cgroup, b->cgroup);
		ck_assert_uint_eq(a->count, b->count);
		ck_assert_uint_eq(a->count, i < NPARENT ? NPARENT : NCHILD);
	}
	procmap_delete(pb);
	procmap_delete(pp);
	fstree_teardown();
	holder_stop(child, wfd);
	for (int i = 0; i < NPARENT; i++)
		close(fds[i]);
}
END_TEST

/* A prefetch (load and run in a thread) started before a socket exists:
 * the scan still finds that socket's owner, and the dead inode it cannot
 * find makes it run the iterator once more, filtered. */
START_TEST(test_bpf_prefetch_late_socket)
{
	struct procmap *pm;
	uint32_t early, late, dead;
	int efd, lfd;
	bool pre;

	if (!bpf_runs_here())
		return;
	early = own_socket(&efd);
	dead = dead_inode();
	pre = procmap_prefetch(true);
	late = own_socket(&lfd);
	ck_assert_int_eq(procmap_new(&pm, 3), 0);
	procmap_want(pm, early, getuid());
	procmap_want(pm, late, getuid());
	procmap_want(pm, dead, getuid());
	ck_assert_int_eq(procmap_scan(pm, "/proc"), 0);
	procmap_prefetch_end();
	ck_assert(procmap_stats(pm)->bpf);
	ck_assert_uint_eq(procmap_stats(pm)->found, 2);
	ck_assert_int_eq(procmap_lookup(pm, early)->pid, getpid());
	ck_assert_int_eq(procmap_lookup(pm, late)->pid, getpid());
	ck_assert_uint_eq(procmap_lookup(pm, late)->count, 2);
	ck_assert_ptr_null(procmap_lookup(pm, dead));
	/* Prefetched (it declines on one CPU or a low fd limit): two runs,
	 * the second for the dead inode alone, so filtered. */
	if (pre) {
		ck_assert_uint_eq(procmap_stats(pm)->bpf_runs, 2);
		ck_assert(procmap_stats(pm)->bpf_filtered);
	} else {
		ck_assert_uint_eq(procmap_stats(pm)->bpf_runs, 1);
	}
	ck_assert_uint_eq(procmap_nprocs(pm), 1);
	procmap_delete(pm);
	close(efd);
	close(lfd);
}
END_TEST

/* A prefetch nobody takes is ended without a leak (ASan) or a hang. */
START_TEST(test_bpf_prefetch_unused)
{
	procmap_prefetch(false);
	procmap_prefetch_end();
	procmap_prefetch(true);
	procmap_prefetch(true);	/* ends the first */
	procmap_prefetch_end();
	procmap_prefetch_end();
}
END_TEST

static Suite *procmap_suite(void)
{
	Suite *s = suite_create("procmap");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse_link, 0, sizeof(link_cases) / sizeof(link_cases[0]));
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_limit_message);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("scan");
	tcase_add_checked_fixture(tc, tree_setup, fstree_teardown);
	tcase_add_test(tc, test_fake_tree);
	tcase_add_test(tc, test_uid_order);
	tcase_add_test(tc, test_fd_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("live");
	tcase_add_test(tc, test_live_self);
	tcase_add_test(tc, test_bpf_filter_vs_proc);
	tcase_add_test(tc, test_bpf_prefetch_late_socket);
	tcase_add_test(tc, test_bpf_prefetch_unused);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(procmap_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
