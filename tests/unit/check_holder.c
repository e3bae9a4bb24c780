/* SPDX-License-Identifier: MIT */
/*
 * holder: container ids and pod UIDs from the cgroup paths of the
 * runtimes (systemd and cgroupfs drivers), and what is not a container.
 */
#include <check.h>
#include <stdlib.h>

#include "holder.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID_ "1b2c3d4e_1111_2222_3333_444455556666"
#define UID "1b2c3d4e-1111-2222-3333-444455556666"

static const struct {
	const char *path;
	const char *container;	/* "" for none */
	const char *pod_uid;
} cases[] = {
	{ "/system.slice/docker-" ID ".scope", "0123456789ab", "" },
	{ "/docker/" ID, "0123456789ab", "" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" ID ".scope", "0123456789ab", UID },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", "0123456789ab", UID },
	{ "/kubepods/besteffort/pod" UID "/" ID, "0123456789ab", UID },
	{ "/machine.slice/libpod-" ID ".scope/container", "0123456789ab", "" },
	/* the innermost container wins (docker in docker) */
	{ "/docker/" ID "/docker/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
	  "fedcba987654", "" },
	/* not containers */
	{ "/machine.slice/libpod-conmon-" ID ".scope", "", "" },
	{ "/system.slice/crio-conmon-" ID ".scope", "", "" },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice", "", "" },
	{ "/user.slice/user-1000.slice/session-1.scope", "", "" },
	{ "/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", "", "" },
	{ "/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "", "" },
	{ "/system.slice/docker-" ID ".scopex", "", "" },
	{ "/", "", "" },
	{ "", "", "" },
};

START_TEST(test_parse)
{
	struct holder h;
	bool found = holder_parse_cgroup(cases[_i].path, &h);

	ck_assert_msg(found == (cases[_i].container[0] != '\0'), "%s", cases[_i].path);
	ck_assert_str_eq(h.container, cases[_i].container);
	ck_assert_str_eq(h.pod_uid, cases[_i].pod_uid);
}
END_TEST

static Suite *holder_suite(void)
{
	Suite *s = suite_create("holder");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse, 0, sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(holder_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
