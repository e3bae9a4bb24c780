/* SPDX-License-Identifier: MIT */
/*
 * leakstate: the --state-file of `portstat leaks`: what one check leaves
 * for the next, so a check run every minute knows its sockets' first-seen
 * times and its groups' counts of the last run (ages and growth across
 * invocations).  This module owns the file format: encoding into a FILE
 * (written through outfile, as --write), reading with the same refusal of
 * links and devices, and the parse, which trusts nothing in the file.
 *
 * Format (version 1), all integers little-endian:
 *   header, 32 bytes: "PSLKSTAT", u32 version (1), u32 states (the
 *     TCP_STATE_BIT()s reported), i64 time (ms since the epoch, of the
 *     sample), u32 nsocks, u32 ngroups;
 *   nsocks x 16 bytes: u64 cookie, u64 born_ms << 8 | state;
 *   ngroups x 8 bytes: u16 port, u8 direction, u8 state, u32 count.
 * The file is exactly that long.  At most LEAKSTATE_MAX_SOCKS sockets are
 * kept: past that the ones first seen most recently are dropped (the
 * oldest are the ones whose ages matter).
 */
#ifndef PORTSTAT_LEAKSTATE_H
#define PORTSTAT_LEAKSTATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LEAKSTATE_VERSION	1
#define LEAKSTATE_HEADER	32
#define LEAKSTATE_MAX_SOCKS	(1u << 20)	/* 16 MiB of file */
#define LEAKSTATE_MAX_GROUPS	(5u * 2 * 65536)

struct leakstate_sock {
	uint64_t cookie;
	int64_t born_ms;
	uint8_t state;
};

struct leakstate_group {
	uint16_t port;
	uint8_t dir;
	uint8_t state;
	uint32_t count;
};

struct leakstate {
	uint32_t states;
	int64_t time_ms;
	size_t nsocks, ngroups;
	struct leakstate_sock *socks;
	struct leakstate_group *groups;
};

/*
 * leakstate_parse - @len bytes of a state file into @st (free with
 * leakstate_free()).  Every length, count and value is checked: a wrong
 * magic or version, a size that is not exactly what the counts say, counts
 * past the limits, a state outside @states, a direction other than 0 or
 * 1, a zero count, a reserved cookie, a birth after the sample time or a
 * time past LEAKS_MAX_TIME_MS is -EBADMSG with a one-line reason in @err.
 * Returns 0, -EBADMSG or -ENOMEM.
 */
int leakstate_parse(const void *buf, size_t len, struct leakstate *st, char *err, size_t errlen);

/*
 * leakstate_read - read and parse @path (a regular file, not followed if
 * a symbolic link; at most the largest valid size is read).  Returns 0;
 * -ENOENT when there is none; -EBADMSG, -ENOMEM, or another -errno with a
 * one-line reason in @err.
 */
int leakstate_read(const char *path, struct leakstate *st, char *err, size_t errlen);

/*
 * leakstate_encode - @st into @out in the format above.  Sockets past
 * LEAKSTATE_MAX_SOCKS are dropped, newest first (@st's array is reordered
 * then).  Returns 0 or -EIO.
 */
int leakstate_encode(FILE *out, struct leakstate *st);

/* leakstate_free - the arrays of @st; accepts a zeroed one. */
void leakstate_free(struct leakstate *st);

#endif
