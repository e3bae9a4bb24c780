/* SPDX-License-Identifier: MIT */
/*
 * ownbpf: the BPF backend of the owner map.  One run of an iter/task_file
 * program (src/bpf/owners.bpf.c) lists every socket fd of every process
 * the kernel has, as (tgid, fd, inode, euid) records; procmap turns them
 * into the same owners its /proc scan finds.  Nothing is pinned: the
 * program is loaded per run of portstat, run once or twice and closed.
 * The load and the first run may happen in a thread of their own while
 * the caller dumps its sockets (ownbpf_prefetch_start()).
 *
 * The record parser is a pure function over bytes, so it can be tested
 * and fuzzed without a kernel.
 */
#ifndef PORTSTAT_OWNBPF_H
#define PORTSTAT_OWNBPF_H

#include <stdbool.h>
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
 * @len / OWNBPF_REC_SIZE records; @out may be @buf itself, to check records
 * read straight into an array).  Returns the number of records, or -EPROTO
 * when @len is not a whole number of records or a record's padding is not
 * zero (output of another program).
 */
long ownbpf_parse(const void *buf, size_t len, struct ownbpf_rec *out);

/* A loaded program, attached as an iterator: any number of runs. */
struct ownbpf;

/*
 * ownbpf_open - load the program (mostly the parsing of the kernel's BTF:
 * 30-110 ms).  Returns 0; -EOPNOTSUPP when built without BPF or when this
 * process is inside a pid namespace (the records carry initial-namespace
 * pids); -EPERM, -ENOENT, -EINVAL or another -errno when the kernel
 * refuses the program (no privilege, no BTF, a kernel without the iterator
 * or the helper); -EMFILE; -ENOMEM.
 */
int ownbpf_open(struct ownbpf **out);

/*
 * ownbpf_run - one run of the iterator: the records of every socket fd of
 * every process in *@out (malloc'd, *@n of them; the caller frees), or
 * only of the sockets whose inode is among @want (@nwant of them) when
 * they are few enough to filter in the kernel (ownbpf_filters()); with
 * more, or @nwant 0, every socket's.  Returns 0 or -errno.
 */
int ownbpf_run(struct ownbpf *ob, const uint32_t *want, size_t nwant,
	       struct ownbpf_rec **out, size_t *n);

/* ownbpf_filters - whether ownbpf_run() filters @nwant inodes in the kernel. */
bool ownbpf_filters(size_t nwant);

/* ownbpf_close - unload; accepts NULL.  Nothing is pinned, nothing stays. */
void ownbpf_close(struct ownbpf *ob);

/*
 * ownbpf_read - ownbpf_open(), an unfiltered ownbpf_run() and
 * ownbpf_close(): every socket fd's record.  Returns as they do.
 */
int ownbpf_read(struct ownbpf_rec **out, size_t *n);

/*
 * ownbpf_prefetch_start - load the program in a thread of its own, and
 * run it unfiltered there at once (@run) or when ownbpf_prefetch_go()
 * says so, so that a caller can overlap both with its own work (the
 * sock_diag dump) on another CPU.  One at a time per process: a pending
 * one is ended first.  Returns 0, -EOPNOTSUPP when built without BPF, or
 * -errno when no thread could be started.
 */
int ownbpf_prefetch_start(bool run);

/* ownbpf_prefetch_go - start the pending prefetch's run, if not yet. */
void ownbpf_prefetch_go(void);

/*
 * ownbpf_prefetch_take - wait for the pending prefetch and take what it
 * got: the loaded program in *@ob (the caller closes it; NULL when loading
 * failed) and its run's records in *@rec / *@n.  Returns false (and takes
 * nothing) when none is pending; else true, with *@ret 0 or the -errno of
 * its failure.
 */
bool ownbpf_prefetch_take(struct ownbpf **ob, struct ownbpf_rec **rec, size_t *n, int *ret);

/*
 * ownbpf_prefetch_end - end a pending prefetch nobody took, without waiting
 * for it: a thread still loading the program is left to finish and free
 * all it has; a thread done is joined and freed here.
 */
void ownbpf_prefetch_end(void);

#endif
