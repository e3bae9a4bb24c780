/* SPDX-License-Identifier: MIT */
/*
 * kctx: a network namespace's kernel context, the sysctls and TcpExt
 * counters `portstat doctor` measures sockets against (struct doctor_ns):
 * reading it from the namespace's files, and the RECFILE_CONTEXT block
 * that carries it in a recording.  The block is text, one "key=value"
 * line each, "format=1" first:
 *
 *   format=1
 *   ip_local_reserved_ports=0       ports of the list inside the range
 *   tcp_tw_reuse=2                  0, 1 or 2
 *   somaxconn=4096
 *   tcp_max_tw_buckets=262144
 *   tcp_max_orphans=262144          host-wide (the initial namespace's)
 *   tcp_syncookies=1                0, 1 or 2
 *   TcpExt.ListenOverflows=5        the namespace's counters
 *   TcpExt.ListenDrops=5
 *   TcpExt.TCPTimeWaitOverflow=0
 *   TcpExt.SyncookiesSent=0
 *
 * A key that could not be read is left out (unknown, never made up).  The
 * port range itself is the sample header's (struct recfile_ports): the
 * one the sockets were classified with.  Values are decimal, without sign
 * or leading zeros, at most UINT64_MAX.  A reader skips keys it does not
 * know (a later portstat may add some) and refuses another format number.
 */
#ifndef PORTSTAT_KCTX_H
#define PORTSTAT_KCTX_H

#include <stddef.h>
#include <stdint.h>

#include "doctor.h"

/* The largest block written or accepted: the lines above are ~300 bytes. */
#define KCTX_MAX	4096u

/* The files kctx_read() reads, open for the life of a collector. */
enum kctx_file {
	KCTX_RESERVED,
	KCTX_TW_REUSE,
	KCTX_SOMAXCONN,
	KCTX_NETSTAT,
	KCTX_MAX_TW,
	KCTX_SYNCOOKIES,
	KCTX_MAX_ORPHANS,	/* host-wide: see kctx_open_host() */
	KCTX_NFILES
};

struct kctx_files {
	int fd[KCTX_NFILES];	/* -1: not open (a fact unknown) */
};

/* kctx_files_init - every descriptor -1, so kctx_files_close() is safe. */
void kctx_files_init(struct kctx_files *f);

/*
 * kctx_open_ns - open the namespace's own files; to run inside the
 * namespace (a /proc/sys/net or /proc/thread-self/net file reads the
 * namespace of the task that opened it).  A file that cannot be opened
 * stays -1: unknown, not a failure.  Returns 0.
 */
int kctx_open_ns(struct kctx_files *f);

/* kctx_open_host - open net.ipv4.tcp_max_orphans, which only the initial
 * namespace has: in the caller's own namespace.  Returns 0. */
int kctx_open_host(struct kctx_files *f);

/* kctx_files_close - close what is open; descriptors become -1. */
void kctx_files_close(struct kctx_files *f);

/*
 * kctx_read - the namespace's context now, into @ns (cleared first): each
 * open file read again; the range is the caller's (@hi 0: unknown), which
 * ip_local_reserved_ports is counted against.
 */
void kctx_read(const struct kctx_files *f, uint16_t lo, uint16_t hi, struct doctor_ns *ns);

/*
 * kctx_encode - @ns as a RECFILE_CONTEXT block into @buf (KCTX_MAX bytes
 * suffice; the range is not part of it).  Returns its length, or -ENOSPC
 * when @len is too small.
 */
int kctx_encode(const struct doctor_ns *ns, char *buf, size_t len);

/*
 * kctx_decode - a RECFILE_CONTEXT block of @len bytes into @ns (cleared
 * first), with the sample's range (@hi 0: unknown) as its range.  Trusts
 * nothing: every line, key and number is checked.  Returns 0, -EPROTO for
 * another format number, or -EBADMSG; @err then says what and where in
 * one line.
 */
int kctx_decode(const void *p, size_t len, uint16_t lo, uint16_t hi, struct doctor_ns *ns,
		char *err, size_t errlen);

#endif
