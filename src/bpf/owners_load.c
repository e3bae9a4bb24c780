/* SPDX-License-Identifier: MIT */
/*
 * owners_load: loads src/bpf/owners.bpf.c through its skeleton, attaches
 * it as an iterator and hands out one iterator fd; see owners_load.h.
 */
#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "owners.skel.h"
#include "owners_load.h"

struct owners_load {
	struct owners_bpf *skel;
	struct bpf_link *link;
};

/* libbpf prints its own diagnostics to stderr by default; a module never
 * prints, and a failed load is a fallback, not an error. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int owners_load_open(struct owners_load **out, int *iter)
{
	struct owners_load *ol = calloc(1, sizeof(*ol));
	int ret;

	*out = NULL;
	*iter = -1;
	if (!ol)
		return -ENOMEM;
	libbpf_set_print(quiet);
	ol->skel = owners_bpf__open_and_load();
	if (!ol->skel) {
		ret = errno ? -errno : -EINVAL;
		goto fail;
	}
	ol->link = bpf_program__attach_iter(ol->skel->progs.owners, NULL);
	if (!ol->link) {
		ret = errno ? -errno : -EINVAL;
		goto fail;
	}
	*iter = bpf_iter_create(bpf_link__fd(ol->link));
	if (*iter < 0) {
		ret = -errno;
		goto fail;
	}
	*out = ol;
	return 0;
fail:
	owners_load_close(ol);
	return ret;
}

void owners_load_close(struct owners_load *ol)
{
	if (!ol)
		return;
	bpf_link__destroy(ol->link);
	owners_bpf__destroy(ol->skel);
	free(ol);
}
