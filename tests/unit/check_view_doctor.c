/* SPDX-License-Identifier: MIT */
/*
 * check_view_doctor: what the doctor views say when the namespace's
 * kernel context is unknown (a recording made without it): the checks
 * measured against a kernel limit are "skipped" with perfdata U, the
 * verdict counts them, the report and JSON say the context is unknown;
 * and a context known only once the sample began (doctor_set_ns(), as a
 * replay's) is the one the checks use.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "diag.h"
#include "doctor.h"
#include "tcp_state.h"
#include "view_doctor.h"

static struct sock_rec rec4(enum tcp_state st, uint16_t sport, uint16_t dport)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.state = (uint8_t)st;
	inet_pton(AF_INET, "127.0.0.1", r.saddr);
	inet_pton(AF_INET, "127.0.0.1", r.daddr);
	r.sport = sport;
	r.dport = dport;
	return r;
}

/* A sample of 80 client TIME_WAIT toward 127.0.0.1:9000 from ports
 * 40000-40079, with the facts @ns set once the sample began. */
static struct doctor *sample(const struct doctor_ns *ns)
{
	struct doctor_thresholds th;
	struct doctor_ns none = { 0 };
	struct doctor *d;
	struct table *t;
	struct sock_rec l = rec4(TCP_STATE_LISTEN, 9000, 0);

	doctor_thresholds_default(&th);
	ck_assert_int_eq(doctor_new(&d, &th), 0);
	t = doctor_begin(d, &none);
	table_set_ephemeral(t, 40000, 40099);
	doctor_set_ns(d, ns);
	l.wqueue = 128;
	ck_assert_int_eq(doctor_add(&l, d), 0);
	for (uint16_t i = 0; i < 80; i++) {
		struct sock_rec r = rec4(TCP_STATE_TIME_WAIT, (uint16_t)(40000 + i), 9000);

		ck_assert_int_eq(doctor_add(&r, d), 0);
	}
	ck_assert_int_eq(doctor_end(d), 0);
	return d;
}

static char *render(const struct view_doctor *vd, int (*fn)(FILE *, const struct view_doctor *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(mem);
	ck_assert_int_eq(fn(mem, vd), 0);
	ck_assert_int_eq(fclose(mem), 0);
	return buf;
}

START_TEST(test_unknown_context)
{
	struct doctor_ns none = { 0 };
	struct doctor *d = sample(&none);
	struct view_doctor vd = { .d = d, .no_context = true };
	char verdict[1024], perf[1024], *text, *json;

	/* Nothing measured against an unknown limit: no finding. */
	ck_assert_uint_eq(doctor_nfindings(d), 0);
	view_doctor_verdict(&vd, verdict, sizeof(verdict));
	ck_assert_str_eq(verdict, "OK: 5 checks passed, 3 skipped (limit unknown)");
	view_doctor_perfdata(&vd, perf, sizeof(perf));
	ck_assert_ptr_nonnull(strstr(perf, "'ephemeral'=U;60;85;0 "));
	ck_assert_ptr_nonnull(strstr(perf, "'tw_buckets'=U;80;95;0 "));
	ck_assert_ptr_nonnull(strstr(perf, "'orphans'=U;50;80;0"));
	ck_assert_ptr_nonnull(strstr(perf, "'accept_queue'=0%;80;100;0 "));
	/* No counters known: none in the perfdata. */
	ck_assert_ptr_null(strstr(perf, "listen_overflows"));
	text = render(&vd, view_doctor_text);
	ck_assert_ptr_nonnull(strstr(text, "\nkernel context unknown (a recording without it)"));
	ck_assert_ptr_nonnull(strstr(text, "\nskipped   ephemeral     ip_local_port_range unknown: not checked\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nskipped   tw-buckets    tcp_max_tw_buckets unknown: not checked\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nskipped   orphans       tcp_max_orphans unknown: not checked\n"));
	ck_assert_ptr_nonnull(strstr(text, "tcp_syncookies unknown\n"));
	json = render(&vd, view_doctor_json);
	ck_assert_ptr_nonnull(strstr(json, ",\"status\":\"ok\",\"kernel_context\":\"unknown\",\"findings\":[]}"));
	free(text);
	free(json);
	doctor_delete(d);
}
END_TEST

/* The same sockets once the context is known: 80 of 100 ports taken. */
START_TEST(test_context_set_late)
{
	struct doctor_ns ns = {
		.has_range = true, .eph_lo = 40000, .eph_hi = 40099,
		.has_tw_reuse = true, .tw_reuse = 0,
		.has_max_tw = true, .max_tw = 1000,
		.has_max_orphans = true, .max_orphans = 1000,
		.has_netstat = true, .listen_overflows = 3, .listen_drops = 4,
	};
	struct doctor *d = sample(&ns);
	struct view_doctor vd = { .d = d };
	char verdict[1024], perf[1024], *text, *json;
	const struct doctor_finding *f;

	ck_assert_uint_eq(doctor_nfindings(d), 1);
	f = doctor_finding(d, 0);
	ck_assert_int_eq(f->check, DOCTOR_EPHEMERAL);
	ck_assert_uint_eq(f->value, 80);
	ck_assert_uint_eq(f->limit, 100);
	view_doctor_verdict(&vd, verdict, sizeof(verdict));
	ck_assert_str_eq(verdict, "WARNING: ephemeral: 127.0.0.1 -> 127.0.0.1:9000 80 of 100 "
			 "local ports taken (80%), 80 in TIME_WAIT; range 40000-40099, 0 reserved");
	view_doctor_perfdata(&vd, perf, sizeof(perf));
	ck_assert_ptr_null(strstr(perf, "=U;"));
	ck_assert_ptr_nonnull(strstr(perf, "'tw_buckets'=8%;80;95;0"));
	ck_assert_ptr_nonnull(strstr(perf, "'listen_overflows'=3c;;;0 'listen_drops'=4c;;;0"));
	text = render(&vd, view_doctor_text);
	ck_assert_ptr_null(strstr(text, "kernel context unknown"));
	ck_assert_ptr_null(strstr(text, "\nskipped "));
	json = render(&vd, view_doctor_json);
	ck_assert_ptr_null(strstr(json, "kernel_context"));
	free(text);
	free(json);
	doctor_delete(d);
}
END_TEST

/* 15 CLOSE_WAIT on :8081 in, their owners kept for doctor_owners_apply(). */
static struct doctor *closewait_sample(void)
{
	struct doctor_thresholds th;
	struct doctor_ns ns = { 0 };
	struct doctor *d;
	struct sock_rec l = rec4(TCP_STATE_LISTEN, 8081, 0);

	doctor_thresholds_default(&th);
	ck_assert_int_eq(doctor_new(&d, &th), 0);
	doctor_set_owners(d, true);
	doctor_begin(d, &ns);
	l.wqueue = 128;
	l.inode = 1000;
	ck_assert_int_eq(doctor_add(&l, d), 0);
	for (uint16_t i = 0; i < 15; i++) {
		struct sock_rec r = rec4(TCP_STATE_CLOSE_WAIT, 8081, (uint16_t)(40000 + i));

		r.inode = 2000u + i;
		ck_assert_int_eq(doctor_add(&r, d), 0);
	}
	ck_assert_int_eq(doctor_end(d), 0);
	return d;
}

static bool owner_unknown(void *arg, uint32_t inode, struct doctor_proc *out)
{
	(void)arg;
	(void)inode;
	(void)out;
	return false;
}

/* A hostile process name and cgroup: '|' and controls. */
static bool owner_hostile(void *arg, uint32_t inode, struct doctor_proc *out)
{
	(void)arg;
	(void)inode;
	*out = (struct doctor_proc){ .pid = 42, .comm = "a|b\x1b[31m", .cgroup = "/x|'y'=1" };
	return true;
}

/* A name of 15 bytes that are all controls: escaped, 60 columns. */
static bool owner_controls(void *arg, uint32_t inode, struct doctor_proc *out)
{
	(void)arg;
	(void)inode;
	*out = (struct doctor_proc){ .pid = 7, .comm = "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" "app", .cgroup = "" };
	return true;
}

static const char *hostile_owner(const void *arg, size_t i, const char **cgroup)
{
	(void)arg;
	(void)i;
	*cgroup = "/x|'y'=1";
	return "a|b\x1b[31m[42]";
}

/* Owners that could not be seen (another user's process, no root): the
 * finding's breakdown still says how many sockets have no known owner. */
START_TEST(test_owners_unknown)
{
	struct doctor *d = closewait_sample();
	struct view_doctor vd = { .d = d };
	char *text, *json;

	ck_assert_int_eq(doctor_owners_apply(d, owner_unknown, NULL), 0);
	ck_assert_uint_eq(doctor_nfindings(d), 1);
	ck_assert_uint_eq(doctor_finding(d, 0)->parts_unknown, 15);
	text = render(&vd, view_doctor_text);
	ck_assert_msg(strstr(text, "\n                        owners: 15 whose owner was not found\n"),
		      "%s", text);
	json = render(&vd, view_doctor_json);
	ck_assert_ptr_nonnull(strstr(json, "\"owners\":[],\"owners_other\":0,\"owners_unknown\":15"));
	free(text);
	free(json);
	doctor_delete(d);
}
END_TEST

/* The text report is a monitoring plugin's output: after the status
 * line, the first '|' of the long text starts more perfdata, so a name
 * must not bring one (nor a control) into any line. */
START_TEST(test_hostile_names_text)
{
	struct doctor *d = closewait_sample();
	struct view_doctor vd = {
		.d = d, .netns = "ns|'z'=9", .owner = hostile_owner, .owner_arg = NULL,
	};
	char *text, *nl;

	ck_assert_int_eq(doctor_owners_apply(d, owner_hostile, NULL), 0);
	text = render(&vd, view_doctor_text);
	nl = strchr(text, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_msg(!strchr(nl, '|'), "a '|' past the status line: %s", text);
	ck_assert_msg(!strchr(nl, '\x1b'), "a control in the text: %s", text);
	ck_assert_ptr_nonnull(strstr(text, "namespace ns\\x7c'z'=9,"));
	ck_assert_ptr_nonnull(strstr(text, ":8081 in (a\\x7cb\\x1b[31m[42], cgroup /x\\x7c'y'=1): 15 CLOSE_WAIT"));
	ck_assert_ptr_nonnull(strstr(text, "owners: a\\x7cb\\x1b[31m[42] 15 (cgroup /x\\x7c'y'=1)\n"));
	free(text);
	doctor_delete(d);
}
END_TEST

/* The breakdown shows an owner's whole name, escaped, as the head line
 * does: a cut after 16 columns of escapes hid what followed them. */
START_TEST(test_owner_name_whole)
{
	struct doctor *d = closewait_sample();
	struct view_doctor vd = { .d = d };
	char *text;

	ck_assert_int_eq(doctor_owners_apply(d, owner_controls, NULL), 0);
	text = render(&vd, view_doctor_text);
	ck_assert_msg(strstr(text, "owners: \\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01\\x01app[7] 15\n"),
		      "%s", text);
	free(text);
	doctor_delete(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("view_doctor");
	TCase *tc = tcase_create("context");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_unknown_context);
	tcase_add_test(tc, test_context_set_late);
	tcase_add_test(tc, test_owners_unknown);
	tcase_add_test(tc, test_hostile_names_text);
	tcase_add_test(tc, test_owner_name_whole);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
