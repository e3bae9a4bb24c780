/* SPDX-License-Identifier: MIT */
/*
 * check_owners: --by process over a fake /proc tree (owners, sockets no
 * process holds, owners not found), --by cgroup over a fake cgroup tree
 * (ids are the directories' inode numbers, as on cgroup2: paths, the
 * kernel's "none", ids no directory has, no resolution for replays), the
 * row orders, owners_clear(), and the cgroup2 mount found in mountinfo
 * text (escaped mount points, other file systems, none at all).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "diag.h"
#include "fstree.h"
#include "owners.h"

static void mk(const char *rel)
{
	mk_mode(rel, 0755);
}

static uint64_t ino(const char *rel)
{
	char p[256];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	ck_assert_int_eq(stat(p, &st), 0);
	return (uint64_t)st.st_ino;
}

static void tree_setup(void)
{
	fstree_setup_named("check_owners");
}

static struct sock_rec rec(enum tcp_state state, uint32_t inode, uint64_t cgroup)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.state = (uint8_t)state;
	r.inode = inode;
	r.cgroup_id = cgroup;
	return r;
}

static void add(struct owners *o, enum tcp_state state, uint32_t inode, uint64_t cgroup,
		unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct sock_rec r = rec(state, inode ? inode + i : 0, cgroup);

		ck_assert_int_eq(owners_add(o, &r), 0);
	}
}

/* The row for which @match is true; fails if there is none. */
static const struct owner_row *row_where(const struct owners *o, int pid, const char *key)
{
	for (size_t i = 0; i < owners_nrows(o); i++) {
		const struct owner_row *r = owners_row(o, i);

		if (r->pid == pid && strcmp(r->who == OWNER_CGROUP ? r->cgroup : r->comm, key) == 0)
			return r;
	}
	ck_abort_msg("no row %d/%s", pid, key);
	return NULL;
}

/*
 * /proc: 100 "srv" holds 1000..1002 (listen + 2 close-wait), 200 "cli"
 * holds 2000..2001 (fin-wait2); 3000 is held by nobody we can see.
 */
START_TEST(test_processes)
{
	struct owners *o;
	const struct owner_row *r, *sorted[8];
	struct table_sort by_total = { .key = TABLE_SORT_TOTAL };
	struct table_sort by_key = { .key = TABLE_SORT_PORT };

	mk("100");
	mk("100/fd");
	lnk("socket:[1000]", "100/fd/3");
	lnk("socket:[1001]", "100/fd/4");
	lnk("socket:[1002]", "100/fd/5");
	put("100/comm", "srv\n");
	put("100/cgroup", "1:name=systemd:/\n0::/system.slice/srv.service\n");
	mk("200");
	mk("200/fd");
	lnk("socket:[2000]", "200/fd/3");
	lnk("socket:[2001]", "200/fd/7");
	put("200/comm", "cli\n");

	ck_assert_int_eq(owners_new(&o, OWNERS_PROCESS), 0);
	ck_assert_int_eq(owners_kind(o), OWNERS_PROCESS);
	/* a process's cgroup is its own, not its sockets' */
	add(o, TCP_STATE_LISTEN, 1000, 5, 1);
	add(o, TCP_STATE_CLOSE_WAIT, 1001, 5, 2);
	add(o, TCP_STATE_FIN_WAIT2, 2000, 0, 2);	/* cli: no cgroup file */
	add(o, TCP_STATE_TIME_WAIT, 0, 0, 3);	/* no process */
	add(o, TCP_STATE_ESTABLISHED, 3000, 0, 1);	/* nobody we see */
	ck_assert_int_eq(owners_resolve(o, root, ""), 0);

	ck_assert_uint_eq(owners_nrows(o), 4);
	r = row_where(o, 100, "srv");
	ck_assert_int_eq(r->who, OWNER_PROCESS);
	ck_assert_uint_eq(r->n[TCP_STATE_LISTEN], 1);
	ck_assert_uint_eq(r->n[TCP_STATE_CLOSE_WAIT], 2);
	ck_assert_uint_eq(r->total, 3);
	ck_assert_str_eq(r->cgroup, "/system.slice/srv.service");
	r = row_where(o, 200, "cli");
	ck_assert_ptr_null(r->cgroup);
	ck_assert_uint_eq(r->n[TCP_STATE_FIN_WAIT2], 2);
	ck_assert_uint_eq(r->total, 2);
	r = row_where(o, 0, OWNERS_COMM_NONE);
	ck_assert_int_eq(r->who, OWNER_NONE);
	ck_assert_uint_eq(r->n[TCP_STATE_TIME_WAIT], 3);
	ck_assert_uint_eq(r->total, 3);
	r = row_where(o, 0, OWNERS_COMM_UNKNOWN);
	ck_assert_int_eq(r->who, OWNER_UNKNOWN);
	ck_assert_uint_eq(r->n[TCP_STATE_ESTABLISHED], 1);
	ck_assert_uint_eq(owners_stats(o)->unknown, 1);
	ck_assert(!owners_stats(o)->no_proc);

	/* by total: srv 3, then the 3 without a process (owners first on
	 * ties), cli 2, unknown 1 */
	owners_sorted(o, &by_total, sorted);
	ck_assert_int_eq(sorted[0]->pid, 100);
	ck_assert_int_eq(sorted[1]->who, OWNER_NONE);
	ck_assert_int_eq(sorted[2]->pid, 200);
	ck_assert_int_eq(sorted[3]->who, OWNER_UNKNOWN);
	/* by key: pids ascending, then "?", then "-" */
	owners_sorted(o, &by_key, sorted);
	ck_assert_int_eq(sorted[0]->pid, 100);
	ck_assert_int_eq(sorted[1]->pid, 200);
	ck_assert_int_eq(sorted[2]->who, OWNER_UNKNOWN);
	ck_assert_int_eq(sorted[3]->who, OWNER_NONE);

	/* cleared, the next sample starts empty */
	owners_clear(o);
	add(o, TCP_STATE_LISTEN, 1000, 0, 1);
	ck_assert_int_eq(owners_resolve(o, root, ""), 0);
	ck_assert_uint_eq(owners_nrows(o), 1);
	ck_assert_uint_eq(row_where(o, 100, "srv")->total, 1);
	ck_assert_uint_eq(owners_stats(o)->unknown, 0);
	owners_delete(o);
}
END_TEST

/* No /proc at all: every socket is unknown, and that is a note, not an
 * error. */
START_TEST(test_processes_no_proc)
{
	struct owners *o;
	char missing[128];

	snprintf(missing, sizeof(missing), "%s/none", root);
	ck_assert_int_eq(owners_new(&o, OWNERS_PROCESS), 0);
	add(o, TCP_STATE_ESTABLISHED, 1000, 0, 4);
	ck_assert_int_eq(owners_resolve(o, missing, ""), 0);
	ck_assert(owners_stats(o)->no_proc);
	ck_assert_uint_eq(owners_nrows(o), 1);
	ck_assert_uint_eq(row_where(o, 0, OWNERS_COMM_UNKNOWN)->total, 4);
	owners_delete(o);
}
END_TEST

/* cgroups: / (the root), /system.slice/web.service, /user.slice; an id no
 * directory has, and sockets the kernel gives no cgroup. */
START_TEST(test_cgroups)
{
	struct owners *o;
	const struct owner_row *r, *sorted[8];
	struct table_sort by_key = { .key = TABLE_SORT_PORT };
	struct table_sort by_cw = { .key = TABLE_SORT_STATE, .state = TCP_STATE_CLOSE_WAIT };
	uint64_t web, user, top, gone = 0xfffffffffffULL;

	mk("system.slice");
	mk("system.slice/web.service");
	mk("user.slice");
	put("cgroup.procs", "");	/* files are not cgroups */
	web = ino("system.slice/web.service");
	user = ino("user.slice");
	top = ino(".");

	ck_assert_int_eq(owners_new(&o, OWNERS_CGROUP), 0);
	add(o, TCP_STATE_LISTEN, 1, web, 1);
	add(o, TCP_STATE_CLOSE_WAIT, 2, web, 5);
	add(o, TCP_STATE_ESTABLISHED, 10, user, 3);
	add(o, TCP_STATE_ESTABLISHED, 20, top, 2);
	add(o, TCP_STATE_CLOSE_WAIT, 30, gone, 1);
	add(o, TCP_STATE_TIME_WAIT, 0, 0, 4);
	ck_assert_int_eq(owners_resolve(o, NULL, root), 0);

	ck_assert_uint_eq(owners_nrows(o), 5);
	r = row_where(o, 0, "/system.slice/web.service");
	ck_assert_int_eq(r->who, OWNER_CGROUP);
	ck_assert_uint_eq(r->cgroup_id, web);
	ck_assert_uint_eq(r->n[TCP_STATE_LISTEN], 1);
	ck_assert_uint_eq(r->n[TCP_STATE_CLOSE_WAIT], 5);
	ck_assert_uint_eq(r->total, 6);
	ck_assert_uint_eq(row_where(o, 0, "/user.slice")->total, 3);
	ck_assert_uint_eq(row_where(o, 0, "/")->total, 2);
	ck_assert_uint_eq(row_where(o, 0, "id:17592186044415")->total, 1);
	r = row_where(o, 0, OWNERS_COMM_NONE);
	ck_assert_int_eq(r->who, OWNER_NONE);
	ck_assert_ptr_null(r->cgroup);
	ck_assert_uint_eq(r->n[TCP_STATE_TIME_WAIT], 4);

	owners_sorted(o, &by_key, sorted);
	ck_assert_str_eq(sorted[0]->cgroup, "/");
	ck_assert_str_eq(sorted[1]->cgroup, "/system.slice/web.service");
	ck_assert_str_eq(sorted[2]->cgroup, "/user.slice");
	ck_assert_str_eq(sorted[3]->cgroup, "id:17592186044415");
	ck_assert_int_eq(sorted[4]->who, OWNER_NONE);
	owners_sorted(o, &by_cw, sorted);
	ck_assert_str_eq(sorted[0]->cgroup, "/system.slice/web.service");
	ck_assert_str_eq(sorted[1]->cgroup, "id:17592186044415");

	/* a replay's ids belong to another host: shown, not resolved */
	owners_clear(o);
	add(o, TCP_STATE_ESTABLISHED, 10, user, 2);
	ck_assert_int_eq(owners_resolve(o, NULL, ""), 0);
	ck_assert_uint_eq(owners_nrows(o), 1);
	ck_assert(strncmp(owners_row(o, 0)->cgroup, "id:", 3) == 0);
	ck_assert_uint_eq(owners_row(o, 0)->total, 2);
	owners_delete(o);
}
END_TEST

/* Set the fd limit so that exactly @free descriptors can still be
 * opened; returns the old limit. */
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

/* A cgroup five levels down is found with one free descriptor; with none
 * the walk fails with -EMFILE and says so, and the process scan too: never
 * "owners unknown", "id:N" shown as if removed, or "no cgroup2". */
START_TEST(test_fd_limit)
{
	struct owners *o;
	struct rlimit old;
	uint64_t deep;

	mk("a");
	mk("a/b");
	mk("a/b/c");
	mk("a/b/c/d");
	mk("a/b/c/d/e");
	deep = ino("a/b/c/d/e");
	ck_assert_int_eq(owners_new(&o, OWNERS_CGROUP), 0);
	add(o, TCP_STATE_ESTABLISHED, 1, deep, 2);
	old = fds_leave(1);
	ck_assert_int_eq(owners_resolve(o, NULL, root), 0);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_str_eq(owners_row(o, 0)->cgroup, "/a/b/c/d/e");
	ck_assert_str_eq(owners_error(o), "");

	owners_clear(o);
	add(o, TCP_STATE_ESTABLISHED, 1, deep, 2);
	old = fds_leave(0);
	ck_assert_int_eq(owners_resolve(o, NULL, root), -EMFILE);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_str_eq(owners_error(o),
			 "cannot read cgroups: Too many open files (raise the fd limit: ulimit -n)");
	/* the mount looked up in mountinfo: that read fails the same way */
	owners_clear(o);
	add(o, TCP_STATE_ESTABLISHED, 1, deep, 2);
	old = fds_leave(0);
	ck_assert_int_eq(owners_resolve(o, NULL, NULL), -EMFILE);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert(!owners_stats(o)->no_cgroupfs);
	owners_delete(o);

	mk("100");
	mk("100/fd");
	lnk("socket:[1000]", "100/fd/3");
	put("100/comm", "srv\n");
	ck_assert_int_eq(owners_new(&o, OWNERS_PROCESS), 0);
	add(o, TCP_STATE_LISTEN, 1000, 0, 1);
	old = fds_leave(0);
	ck_assert_int_eq(owners_resolve(o, root, ""), -EMFILE);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_str_eq(owners_error(o),
			 "cannot read owners: Too many open files (raise the fd limit: ulimit -n)");
	ck_assert(!owners_stats(o)->no_proc);
	owners_clear(o);
	add(o, TCP_STATE_LISTEN, 1000, 0, 1);
	old = fds_leave(1);
	ck_assert_int_eq(owners_resolve(o, root, ""), 0);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_str_eq(row_where(o, 100, "srv")->comm, "srv");
	ck_assert_str_eq(owners_error(o), "");
	owners_delete(o);
}
END_TEST

START_TEST(test_cgroup_mount)
{
	char mi[128], buf[256];

	snprintf(mi, sizeof(mi), "%s/mountinfo", root);
	snprintf(buf, sizeof(buf), "%s", "mountinfo");
	/* a bind mount of a subtree first: the whole tree's is wanted */
	put("mountinfo",
	    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	    "29 22 0:27 /sub /srv/cg rw - cgroup2 cgroup2 rw\n"
	    "30 22 0:26 / /sys/fs/cgroup/cpu rw,nosuid shared:9 - cgroup cgroup rw,cpu\n"
	    "31 22 0:27 / /sys/fs/cgroup/my\\040tree rw,nosuid shared:10 master:3 - cgroup2 cgroup2 rw\n"
	    "32 22 0:28 / /other rw - cgroup2 cgroup2 rw\n");
	ck_assert_int_eq(owners_cgroup_mount(mi, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/sys/fs/cgroup/my tree");
	/* too small a buffer: an error, not another mount */
	ck_assert_int_eq(owners_cgroup_mount(mi, buf, 12), -ENAMETOOLONG);
	/* only a subtree's mount: that one */
	put("mountinfo", "29 22 0:27 /sub /srv/cg rw - cgroup2 cgroup2 rw\n");
	ck_assert_int_eq(owners_cgroup_mount(mi, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/srv/cg");

	put("mountinfo", "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
			 "garbage\n\n");
	ck_assert_int_eq(owners_cgroup_mount(mi, buf, sizeof(buf)), -ENOENT);
	snprintf(mi, sizeof(mi), "%s/missing", root);
	ck_assert_int_eq(owners_cgroup_mount(mi, buf, sizeof(buf)), -ENOENT);
}
END_TEST

/* The real host: this process's cgroup2 mount, if it has one, resolves the
 * root's id to "/". */
START_TEST(test_real_cgroupfs)
{
	char mount[256];
	struct stat st;
	struct owners *o;

	if (owners_cgroup_mount("/proc/self/mountinfo", mount, sizeof(mount)) < 0 ||
	    stat(mount, &st) < 0)
		return;	/* no cgroup2 here: nothing to check */
	ck_assert_int_eq(owners_new(&o, OWNERS_CGROUP), 0);
	add(o, TCP_STATE_LISTEN, 1, (uint64_t)st.st_ino, 1);
	ck_assert_int_eq(owners_resolve(o, NULL, NULL), 0);
	ck_assert_str_eq(owners_row(o, 0)->cgroup, "/");
	ck_assert(!owners_stats(o)->no_cgroupfs);
	owners_delete(o);
}
END_TEST

static Suite *owners_suite(void)
{
	Suite *s = suite_create("owners");
	TCase *tc = tcase_create("owners");

	tcase_add_checked_fixture(tc, tree_setup, fstree_teardown);
	tcase_add_test(tc, test_processes);
	tcase_add_test(tc, test_processes_no_proc);
	tcase_add_test(tc, test_cgroups);
	tcase_add_test(tc, test_cgroup_mount);
	tcase_add_test(tc, test_fd_limit);
	tcase_add_test(tc, test_real_cgroupfs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(owners_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
