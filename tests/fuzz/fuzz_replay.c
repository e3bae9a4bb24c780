/* SPDX-License-Identifier: MIT */
/*
 * fuzz_replay: libFuzzer target for the replay path: the recording reader,
 * the datagram framing and message callbacks, the sampler and the table,
 * exactly as `portstat --replay FILE` runs them, and each sample's kernel
 * context block (kctx): what the decoder accepts must encode and decode
 * again to the same facts.  The input is the file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collector.h"
#include "doctor.h"
#include "kctx.h"
#include "sampler.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The context the collector decoded survives its own encoding. */
static void context_round_trip(const struct collector *c)
{
	struct doctor_ns a, b;
	char buf[KCTX_MAX], err[256];
	int n;

	if (collector_context(c, &a) < 0)
		return;
	n = kctx_encode(&a, buf, sizeof(buf));
	if (n < 0 || kctx_decode(buf, (size_t)n, a.eph_lo, a.eph_hi, &b, err, sizeof(err)) < 0)
		abort();
	if (a.has_range != b.has_range || a.reserved != b.reserved ||
	    a.has_tw_reuse != b.has_tw_reuse || a.tw_reuse != b.tw_reuse ||
	    a.somaxconn != b.somaxconn || a.max_tw != b.max_tw || a.max_orphans != b.max_orphans ||
	    a.has_netstat != b.has_netstat || a.listen_overflows != b.listen_overflows ||
	    a.listen_drops != b.listen_drops || a.tw_overflow != b.tw_overflow ||
	    a.syncookies != b.syncookies || a.cookies_sent != b.cookies_sent)
		abort();
}

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
		context_round_trip(c);
	}
out:
	table_delete(t);
	collector_close(c);
	if (fd >= 0)
		close(fd);
	return 0;
}
