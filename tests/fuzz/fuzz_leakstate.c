/* SPDX-License-Identifier: MIT */
/*
 * fuzz_leakstate: libFuzzer target for the --state-file parser, whose input
 * is a file anyone with write access to its directory may have damaged.
 * For any bytes, leakstate_parse() either refuses them (-EBADMSG, a reason
 * given, nothing allocated) or returns a state whose every entry obeys the
 * rules it checks; an accepted state encodes back to the same bytes, and
 * seeds a model that then takes a sample without complaint.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leaks.h"
#include "leakstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leaks_opts o = { .filter = { .by = TABLE_BY_SERVICE, .states = LEAKS_STATES_MASK,
					    .ipv4 = true, .ipv6 = true }, .track = true };
	struct timespec now = { .tv_sec = 2000000000 };
	struct leakstate st;
	struct leaks *l;
	char err[128] = "";
	char *back = NULL;
	size_t blen = 0;
	FILE *f;
	int ret;

	ret = leakstate_parse(data, size, &st, err, sizeof(err));
	if (ret < 0) {
		if (ret != -EBADMSG || !err[0] || st.socks || st.groups)
			abort();
		return 0;
	}
	for (size_t i = 0; i < st.nsocks; i++)
		if (!st.socks[i].cookie || st.socks[i].born_ms > st.time_ms ||
		    !(st.states & TCP_STATE_BIT(st.socks[i].state)))
			abort();
	for (size_t i = 0; i < st.ngroups; i++)
		if (st.groups[i].dir > 1 || !st.groups[i].count)
			abort();
	f = open_memstream(&back, &blen);
	if (!f || leakstate_encode(f, &st) < 0)
		abort();
	fclose(f);
	if (blen != size || memcmp(back, data, size) != 0)
		abort();
	free(back);
	if (leaks_new(&l, &o) == 0) {
		if (leaks_state_restore(l, &st) < 0)
			abort();
		leaks_begin(l, &now);
		if (leaks_end(l, true) < 0)
			abort();
		leaks_delete(l);
	}
	leakstate_free(&st);
	return 0;
}
