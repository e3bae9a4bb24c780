/* SPDX-License-Identifier: MIT */
/*
 * owners_load: loads src/bpf/owners.bpf.c through its skeleton, attaches
 * it as an iterator, fills its filter and hands out iterator fds; see
 * owners_load.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "owners.skel.h"
#include "owners_load.h"
#include "ownbpf_abi.h"

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

int owners_load_open(struct owners_load **out)
{
	struct owners_load *ol = calloc(1, sizeof(*ol));
	int ret;

	*out = NULL;
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
	*out = ol;
	return 0;
fail:
	owners_load_close(ol);
	return ret;
}

int owners_load_filter(struct owners_load *ol, const uint32_t *ino, size_t n)
{
	__u64 *bits = ol->skel->bss->wanted;

	if (n > OWNBPF_FILTER_MAX)
		return -E2BIG;
	ol->skel->bss->filter = 0;
	memset(bits, 0, sizeof(ol->skel->bss->wanted));
	for (size_t i = 0; i < n; i++) {
		uint32_t h = OWNBPF_FILTER_HASH(ino[i]);

		bits[h / 64] |= 1ULL << (h % 64);
	}
	ol->skel->bss->filter = n > 0;
	return 0;
}

int owners_load_iter(struct owners_load *ol)
{
	int fd = bpf_iter_create(bpf_link__fd(ol->link));

	return fd < 0 ? -errno : fd;
}

void owners_load_close(struct owners_load *ol)
{
	if (!ol)
		return;
	bpf_link__destroy(ol->link);
	owners_bpf__destroy(ol->skel);
	free(ol);
}
