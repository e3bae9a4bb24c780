/* SPDX-License-Identifier: MIT */
/*
 * portset: a set of TCP ports as a 65536-bit map (8 KiB, a plain value), and
 * the parser for --port lists such as "80,443,8000-8100".
 */
#ifndef PORTSTAT_PORTSET_H
#define PORTSTAT_PORTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct portset {
	uint64_t bits[65536 / 64];
};

/*
 * portset_parse - set @ps to the ports of @list: comma-separated ports
 * (1-65535) and inclusive ranges LOW-HIGH with LOW <= HIGH.
 * Returns 0, or -EINVAL with a message naming the bad item in @err.
 */
int portset_parse(struct portset *ps, const char *list, char *err, size_t errlen);

static inline bool portset_has(const struct portset *ps, uint16_t port)
{
	return ps->bits[port >> 6] >> (port & 63) & 1;
}

static inline void portset_add(struct portset *ps, uint16_t port)
{
	ps->bits[port >> 6] |= (uint64_t)1 << (port & 63);
}

#endif
