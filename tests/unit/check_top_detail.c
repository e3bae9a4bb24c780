/* SPDX-License-Identifier: MIT */
/*
 * check_top_detail: the owners of a detail row.  A live collector (the
 * test's own namespace; sock_diag needs no privilege) sees a loopback
 * listener of this test with accepted and not yet accepted connections;
 * the owner scan runs on the real /proc (this process holds them all), on
 * a fake tree that deals the real inodes out to fake processes (ranking,
 * the top-10 cut, "(n more)" totals and "?"), and on a missing /proc (an
 * error of the owners only, not of the detail).
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector.h"
#include "sampler.h"
#include "table.h"
#include "top_detail.h"

#define MAX_FDS	32

/* A listener on 127.0.0.1 with @accepted accepted connections and
 * @pending connected but never accepted.  srv[0] is the listener,
 * srv[1..accepted] the accepted ends; cli[] the client ends. */
struct loop {
	uint16_t port;
	int srv[MAX_FDS], nsrv;
	int cli[MAX_FDS], ncli;
};

static void loop_open(struct loop *l, int accepted, int pending)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	memset(l, 0, sizeof(*l));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->srv[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(l->srv[0], 0);
	ck_assert_int_eq(bind(l->srv[0], (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(l->srv[0], MAX_FDS), 0);
	ck_assert_int_eq(getsockname(l->srv[0], (struct sockaddr *)&a, &len), 0);
	l->port = ntohs(a.sin_port);
	l->nsrv = 1;
	for (int i = 0; i < accepted + pending; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
		l->cli[l->ncli++] = fd;
		if (i < accepted) {
			/* Blocking: the connection is queued once connect()
			 * returned. */
			l->srv[l->nsrv] = accept(l->srv[0], NULL, NULL);
			ck_assert_int_ge(l->srv[l->nsrv], 0);
			l->nsrv++;
		}
	}
}

static void loop_close(struct loop *l)
{
	for (int i = 0; i < l->nsrv; i++)
		close(l->srv[i]);
	for (int i = 0; i < l->ncli; i++)
		close(l->cli[i]);
}

static uint32_t inode_of(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return (uint32_t)st.st_ino;
}

/* One sample of the test's namespace, then the detail of (@port, @dir). */
static struct top_detail *detail_of(uint16_t port, uint8_t dir, const char *proc_root)
{
	struct table_filter f = {
		.by = TABLE_BY_SERVICE, .states = TCP_STATE_ALL_MASK, .ipv4 = true, .ipv6 = true,
	};
	struct collector *c = NULL;
	struct sampler_info info;
	struct top_detail *d;
	struct table *t;
	char err[256];

	ck_assert_msg(collector_open_live(&c, NULL, err, sizeof(err)) == 0, "%s", err);
	t = table_new(&f);
	d = top_detail_new();
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(d);
	if (proc_root)
		top_detail_set_proc_root(d, proc_root);
	ck_assert_int_eq(sampler_run(c, t, &info), 0);
	ck_assert_int_eq(top_detail_collect(d, c, t, port, dir), 0);
	ck_assert(top_detail_sum(d)->complete);
	table_delete(t);
	collector_close(c);
	return d;
}

static void own_comm(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/comm", "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, (int)len, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* The owner's cgroup is ours, as /proc/self/cgroup says (its "0::" line;
 * none on a cgroup v1 only host). */
static void own_cgroup_check(const struct top_owner *o)
{
	char line[512] = "";
	FILE *f;

	f = fopen("/proc/self/cgroup", "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) && strncmp(line, "0::", 3) != 0)
		;
	fclose(f);
	if (strncmp(line, "0::", 3) != 0) {
		ck_assert_str_eq(o->cgroup, "");
		return;
	}
	line[strcspn(line, "\n")] = '\0';
	ck_assert_str_eq(o->cgroup, line + 3);
}

START_TEST(test_owner_is_us)
{
	struct loop l;
	struct top_detail *d;
	const struct top_detail_owners *o;
	char comm[16];

	loop_open(&l, 3, 1);
	own_comm(comm, sizeof(comm));

	/* In: the listener, 3 accepted (ours) and 1 queued (no process). */
	d = detail_of(l.port, TABLE_DIR_IN, NULL);
	o = &top_detail_sum(d)->owners;
	ck_assert_uint_eq(top_detail_sum(d)->sockets, 5);
	ck_assert_int_eq(o->err, 0);
	ck_assert_uint_eq(o->nprocs, 1);
	ck_assert_uint_eq(o->ntop, 1);
	ck_assert_int_eq(o->top[0].pid, getpid());
	ck_assert_str_eq(o->top[0].comm, comm);
	ck_assert_uint_eq(o->top[0].sockets, 4);
	ck_assert_uint_eq(o->owned, 4);
	own_cgroup_check(&o->top[0]);
	ck_assert_uint_eq(o->unowned, 0);
	ck_assert_uint_eq(o->no_inode, 1);
	top_detail_delete(d);

	/* Out: the 4 clients, all ours. */
	d = detail_of(l.port, TABLE_DIR_OUT, NULL);
	o = &top_detail_sum(d)->owners;
	ck_assert_uint_eq(top_detail_sum(d)->sockets, 4);
	ck_assert_uint_eq(o->nprocs, 1);
	ck_assert_int_eq(o->top[0].pid, getpid());
	ck_assert_uint_eq(o->top[0].sockets, 4);
	ck_assert_uint_eq(o->no_inode, 0);
	top_detail_delete(d);
	loop_close(&l);
}
END_TEST

static char root[64];

/* mkdir ROOT/@pid@sub */
static void tree_mk(int pid, const char *sub)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%d%s", root, pid, sub);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

/* Fake process @pid named @comm holding socket inodes @ino[0..n-1]. */
static void tree_proc(int pid, const char *comm, const uint32_t *ino, int n)
{
	char p[256], target[32];
	FILE *f;

	tree_mk(pid, "");
	tree_mk(pid, "/fd");
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%d/fd/%d", root, pid, i + 3);
		snprintf(target, sizeof(target), "socket:[%u]", ino[i]);
		ck_assert_int_eq(symlink(target, p), 0);
	}
	snprintf(p, sizeof(p), "%s/%d/comm", root, pid);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fprintf(f, "%s\n", comm);
	fclose(f);
}

static void tree_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/*
 * The 15 sockets of the row (listener + 14 accepted) dealt out:
 *   900 "big" 3, 800 "mid" 2, 101..109 "p101".. 1 each, 1 held by nobody.
 * 11 owners: the top 10 are 900, 800, 101..108 (ties by pid); 109 is
 * "1 more" with 1 socket.
 */
START_TEST(test_fake_tree_ranking)
{
	uint32_t ino[15];
	struct loop l;
	struct top_detail *d;
	const struct top_detail_owners *o;
	static const int want_pid[] = { 900, 800, 101, 102, 103, 104, 105, 106, 107, 108 };

	loop_open(&l, 14, 0);
	for (int i = 0; i < 15; i++)
		ino[i] = inode_of(l.srv[i]);
	snprintf(root, sizeof(root), "/tmp/check_top_detail-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	tree_proc(900, "big", ino, 3);
	tree_proc(800, "mid", ino + 3, 2);
	for (int i = 0; i < 9; i++) {
		char comm[16];

		snprintf(comm, sizeof(comm), "p%d", 101 + i);
		tree_proc(101 + i, comm, ino + 5 + i, 1);
	}
	/* ino[14] is held by no process of the tree. */

	d = detail_of(l.port, TABLE_DIR_IN, root);
	o = &top_detail_sum(d)->owners;
	ck_assert_uint_eq(top_detail_sum(d)->sockets, 15);
	ck_assert_int_eq(o->err, 0);
	ck_assert_uint_eq(o->nprocs, 11);
	ck_assert_uint_eq(o->ntop, TOP_DETAIL_MAX_OWNERS);
	for (int i = 0; i < TOP_DETAIL_MAX_OWNERS; i++)
		ck_assert_int_eq(o->top[i].pid, want_pid[i]);
	ck_assert_str_eq(o->top[0].comm, "big");
	ck_assert_uint_eq(o->top[0].sockets, 3);
	ck_assert_str_eq(o->top[1].comm, "mid");
	ck_assert_uint_eq(o->top[1].sockets, 2);
	ck_assert_str_eq(o->top[9].comm, "p108");
	ck_assert_uint_eq(o->top[9].sockets, 1);
	ck_assert_uint_eq(o->owned, 14);
	ck_assert_uint_eq(o->unowned, 1);
	ck_assert_uint_eq(o->no_inode, 0);
	ck_assert_uint_eq(o->denied, 0);
	top_detail_delete(d);
	tree_teardown();
	loop_close(&l);
}
END_TEST

START_TEST(test_no_proc)
{
	struct loop l;
	struct top_detail *d;
	const struct top_detail_sum *s;

	loop_open(&l, 2, 0);
	d = detail_of(l.port, TABLE_DIR_IN, "/nonexistent-proc");
	s = top_detail_sum(d);
	/* The owners are unknown; the rest of the detail is still there. */
	ck_assert_int_eq(s->owners.err, -ENOENT);
	ck_assert_uint_eq(s->owners.nprocs, 0);
	ck_assert_uint_eq(s->owners.ntop, 0);
	ck_assert_uint_eq(s->sockets, 3);
	ck_assert_uint_eq(s->npeers, 1);
	top_detail_delete(d);
	loop_close(&l);
}
END_TEST

START_TEST(test_clear_forgets_owners)
{
	struct loop l;
	struct top_detail *d;

	loop_open(&l, 1, 0);
	d = detail_of(l.port, TABLE_DIR_IN, NULL);
	ck_assert_uint_eq(top_detail_sum(d)->owners.nprocs, 1);
	top_detail_clear(d);
	ck_assert(!top_detail_sum(d)->valid);
	ck_assert_uint_eq(top_detail_sum(d)->owners.nprocs, 0);
	ck_assert_uint_eq(top_detail_sum(d)->owners.ntop, 0);
	top_detail_delete(d);
	loop_close(&l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("top_detail");
	TCase *tc = tcase_create("owners");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_owner_is_us);
	tcase_add_test(tc, test_fake_tree_ranking);
	tcase_add_test(tc, test_no_proc);
	tcase_add_test(tc, test_clear_forgets_owners);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
