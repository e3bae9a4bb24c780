/* SPDX-License-Identifier: MIT */
/*
 * fuzz_replay: libFuzzer target for the replay path: the recording reader,
 * the datagram framing and message callbacks, the sampler and the table,
 * exactly as `portstat --replay FILE` runs them.  The input is the file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collector.h"
#include "sampler.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct table_filter f = { .states = TCP_STATE_ALL_MASK, .ipv4 = true, .ipv6 = true };
	struct collector *c = NULL;
	struct table *t = NULL;
	char path[64], err[256];
	int fd = memfd_create("replay", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (collector_open_replay(&c, path, err, sizeof(err)) < 0)
		goto out;
	t = table_new(&f);
	/* Bounded: a replay cannot hold more samples than it has bytes. */
	for (size_t i = 0; t && i < 64; i++) {
		struct sampler_info info;

		if (sampler_run(c, t, &info) < 0)
			break;
	}
out:
	table_delete(t);
	collector_close(c);
	if (fd >= 0)
		close(fd);
	return 0;
}
