/* SPDX-License-Identifier: MIT */
/*
 * fstree.h - fake file trees for the unit suites that read /proc-like or
 * cgroupfs-like trees (check_procmap, check_owners): directories, symlinks
 * and files made under one temporary root, removed by fstree_teardown().
 * Included by one suite each; everything is static.
 */
#ifndef PORTSTAT_TESTS_FSTREE_H
#define PORTSTAT_TESTS_FSTREE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

/* The tree's root, made by fstree_setup(). */
static char root[64];

static void fstree_setup_named(const char *name)
{
	snprintf(root, sizeof(root), "/tmp/%s-XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void fstree_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* mk - a directory @rel (below root) of @mode. */
static void mk_mode(const char *rel, int mode)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	ck_assert_int_eq(mkdir(p, (mode_t)mode), 0);
}

/* lnk - a symlink @rel pointing at @target. */
static void lnk(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	ck_assert_int_eq(symlink(target, p), 0);
}

/* put - a file @rel holding @text. */
static void put(const char *rel, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

#endif
