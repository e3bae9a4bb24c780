/* SPDX-License-Identifier: MIT */
/*
 * ownbpf: the BPF backend of the owner map.  One run of an iter/task_file
 * program (src/bpf/owners.bpf.c) lists every socket fd of every process
 * the kernel has, as (tgid, fd, inode, euid) records; procmap turns them
 * into the same owners its /proc scan finds.  Nothing is pinned: the
 * program is loaded, run once and closed by ownbpf_read().
 *
 * The record parser is a pure function over bytes, so it can be tested
 * and fuzzed without a kernel.
 */
#ifndef PORTSTAT_OWNBPF_H
#define PORTSTAT_OWNBPF_H

#include <stddef.h>
#include <stdint.h>

/* One socket fd, as the program writes it (host order, 24 bytes). */
struct ownbpf_rec {
	uint32_t tgid;		/* pid in the initial pid namespace */
	uint32_t fd;
	uint64_t ino;		/* the socket's inode */
	uint32_t uid;		/* the process's euid, as /proc/PID's owner */
	uint32_t pad;		/* 0 */
};

#define OWNBPF_REC_SIZE 24

/*
 * ownbpf_parse - decode @len bytes of iterator output into @out (room for
 * @len / OWNBPF_REC_SIZE records).  Returns the number of records, or
 * -EPROTO when @len is not a whole number of records or a record's
 * padding is not zero (output of another program).
 */
long ownbpf_parse(const void *buf, size_t len, struct ownbpf_rec *out);

/*
 * ownbpf_read - load the program, run the iterator once and return its
 * records in *@out (malloc'd, *@n of them; the caller frees).  Returns 0;
 * -EOPNOTSUPP when built without BPF or when this process is inside a pid
 * namespace (the records carry initial-namespace pids); -EPERM, -ENOENT,
 * -EINVAL or another -errno when the kernel refuses the program (no
 * privilege, no BTF, a kernel without the iterator or the helper); -ENOMEM.
 */
int ownbpf_read(struct ownbpf_rec **out, size_t *n);

#endif
