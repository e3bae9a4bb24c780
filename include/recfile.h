/* SPDX-License-Identifier: MIT */
/*
 * recfile: the --record / --replay file.  A 16-byte header ("PORTSTAT", a
 * version, reserved) followed by blocks of {u32 type, u32 length, payload},
 * all in host byte order like the netlink bytes they carry.  This module
 * knows blocks, not what is in them; the collector gives them meaning:
 *
 *   RECFILE_SAMPLE  struct recfile_sample: one sample begins; then, in
 *                   recordings made since portstat records it, struct
 *                   recfile_ports (older ones replay with Linux's default)
 *   RECFILE_CONTEXT optional, right after a sample's RECFILE_SAMPLE: the
 *                   namespace's kernel context at the sample (the sysctls
 *                   and TcpExt counters `portstat doctor` measures
 *                   against), "key=value" text lines, at most KCTX_MAX
 *                   bytes: see kctx.h.  Written by every --record since
 *                   portstat records it; a sample without it (older
 *                   recordings) replays as before, its context unknown.
 *                   Readers before it refuse such files (unknown block
 *                   type 4), as they refused the longer sample header.
 *   RECFILE_DUMP    struct recfile_dump: one dump request (family, states)
 *   RECFILE_DATA    one netlink datagram exactly as received
 */
#ifndef PORTSTAT_RECFILE_H
#define PORTSTAT_RECFILE_H

#include <stdint.h>

enum recfile_type {
	RECFILE_SAMPLE = 1,
	RECFILE_DUMP = 2,
	RECFILE_DATA = 3,
	RECFILE_CONTEXT = 4,
};

struct recfile_sample {
	int64_t sec;		/* CLOCK_REALTIME of the sample's start */
	int64_t nsec;
};

/* The latest sample time a reader accepts (9999-12-31T23:59:59Z, the end
 * of RFC 3339's range); times before 1970 are refused too.  Anything else
 * is damage, and would overflow the milliseconds computed from it. */
#define RECFILE_MAX_SEC		INT64_C(253402300799)

/* The sample's namespace's net.ipv4.ip_local_port_range, which decides the
 * direction of sockets on ports without listener; hi 0 when it could not
 * be read. */
struct recfile_ports {
	uint16_t lo;
	uint16_t hi;
	uint32_t reserved;	/* 0 */
};

struct recfile_dump {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t protocol;	/* IPPROTO_TCP */
	uint16_t reserved;
	uint32_t states;	/* the kernel state mask that was asked for */
};

/* Largest block accepted on reading: a datagram is at most 64 KiB, so
 * anything bigger is corruption, not data. */
#define RECFILE_MAX_BLOCK	(1u << 20)

struct recfile;

/*
 * recfile_create - create @path, which must not exist (O_EXCL: an existing
 * file, symbolic link or anything else there is refused with -EEXIST, never
 * opened), mode 0600, and write the header.
 * recfile_open - open @path for reading and check the header.
 * Both return 0 or a negative errno (-EPROTO: not a portstat recording or
 * an unknown version); recfile_error() of *out is unavailable on failure, so
 * @err (may be NULL) receives the message.
 */
int recfile_create(struct recfile **out, const char *path, char *err, size_t errlen);
int recfile_open(struct recfile **out, const char *path, char *err, size_t errlen);

/* recfile_write - append one block.  Returns 0 or -errno. */
int recfile_write(struct recfile *f, uint32_t type, const void *payload, uint32_t len);

/*
 * recfile_read - read the next block into an internal buffer; *payload stays
 * valid until the next call.  Returns 0, -ENODATA at a clean end of file, or
 * -EBADMSG for a truncated or corrupt file (see recfile_error()).
 */
int recfile_read(struct recfile *f, uint32_t *type, const void **payload, uint32_t *len);

/* recfile_mark / recfile_rewind - remember the write position and later cut
 * the file back to it (used to drop a sample that is retried).  When
 * reading, recfile_mark is the position of the next block and recfile_seek
 * goes back to such a position (to read a block again). */
int64_t recfile_mark(struct recfile *f);
int recfile_rewind(struct recfile *f, int64_t mark);
int recfile_seek(struct recfile *f, int64_t mark);

/* recfile_flush - push buffered blocks to the file.  0 or -errno. */
int recfile_flush(struct recfile *f);

/* recfile_path - the file's path, for messages. */
const char *recfile_path(const struct recfile *f);

/* recfile_error - the last error as one line naming the file. */
const char *recfile_error(const struct recfile *f);

/* recfile_close - flush and close; returns 0 or -errno from the flush.
 * Accepts NULL. */
int recfile_close(struct recfile *f);

#endif
