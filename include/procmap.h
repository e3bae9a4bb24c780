/* SPDX-License-Identifier: MIT */
/*
 * procmap: socket inode -> owning process (pid, comm), for the inodes a
 * view asks about only.  One scan of /proc/PID/fd per procmap_scan(), which
 * stops as soon as every wanted inode has an owner; look-ups afterwards are
 * one probe of a hash table sized from the number of wanted inodes.
 *
 * Processes whose uid is the uid of a wanted socket are scanned first, the
 * others only if some inode is still unowned after them: a socket's uid is
 * its creator's, and a process can hold a socket of another uid (setuid
 * after accept, fd passing), so no process can be ruled out, but the
 * likely owners end the scan early in the common case.
 *
 * A socket held by several processes (inherited over fork, passed over a
 * unix socket) is owned by the first process found holding it.
 */
#ifndef PORTSTAT_PROCMAP_H
#define PORTSTAT_PROCMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An owner.  comm is "?" when the process exited before it was read. */
struct procmap_proc {
	int pid;
	uint32_t count;		/* wanted inodes this process owns */
	char comm[16];		/* TASK_COMM_LEN, NUL-terminated */
	/* Its cgroup (v2), the "0::" line of /proc/PID/cgroup: a path under
	 * the cgroup2 mount such as "/system.slice/nginx.service"; "" when
	 * there is none (cgroup v1 only) or the process exited. */
	char cgroup[256];
};

/* What a scan did; for notes, tests and benchmarks. */
struct procmap_stats {
	size_t wanted;		/* distinct inodes asked for */
	size_t found;		/* ... with an owner */
	unsigned long procs;	/* /proc/PID entries seen */
	unsigned long scanned;	/* fd directories read */
	unsigned long links;	/* fd links read */
	unsigned long denied;	/* fd directories we may not read (EACCES/EPERM) */
	unsigned long vanished;	/* processes that exited mid-scan */
	unsigned passes;	/* 1, or 2 when other uids' processes were needed */
	bool complete;		/* stopped because every wanted inode was found */
	bool bpf;		/* the BPF iterator answered (procs, scanned, links:
				 * processes, processes with sockets, socket fds) */
	int bpf_error;		/* why it did not (-errno), 0 if not tried */
	unsigned bpf_runs;	/* runs of the iterator: 1, or 2 after a prefetch
				 * that missed some wanted inode */
	bool bpf_filtered;	/* a run filtered the wanted inodes in the kernel */
};

/* Where owners come from: PORTSTAT_OWNERS=auto (default), bpf or proc. */
enum procmap_backend {
	PROCMAP_AUTO,
	PROCMAP_BPF,
	PROCMAP_PROC,
};

/*
 * procmap_backend_parse - @s ("auto", "bpf", "proc"; NULL or "" = auto)
 * into *@out.  Returns 0 or -EINVAL.
 */
int procmap_backend_parse(const char *s, enum procmap_backend *out);

struct procmap;

/*
 * procmap_new - an empty map for up to @capacity wanted inodes.
 * Returns 0 or -ENOMEM.
 */
int procmap_new(struct procmap **out, size_t capacity);

/* procmap_delete - free; accepts NULL. */
void procmap_delete(struct procmap *pm);

/*
 * procmap_want - ask for the owner of socket inode @inode, whose socket
 * uid is @uid (sock_diag's idiag_uid; it orders the scan).  Asking twice
 * is harmless.  Returns 0, -EINVAL for inode 0, or -ENOSPC beyond the
 * capacity.
 */
int procmap_want(struct procmap *pm, uint32_t inode, uint32_t uid);

/*
 * procmap_set_backend - where procmap_scan() looks (PROCMAP_AUTO by
 * default: the BPF iterator when @proc_root is "/proc" and it loads, else
 * the /proc scan).  PROCMAP_BPF makes a failed load procmap_scan()'s error.
 */
void procmap_set_backend(struct procmap *pm, enum procmap_backend b);

/*
 * procmap_scan - find the owners of the wanted inodes under @proc_root
 * (normally "/proc"; tests pass a tree of their own).  Processes that exit
 * or close fds mid-scan are skipped quietly; fd directories we may not
 * read are counted in stats->denied.  The scan holds one file descriptor
 * at a time (the process list is read first, then each fd directory is
 * closed before the next is opened).  May be called again after more
 * procmap_want()s: owners found before are kept.  Returns 0; -EMFILE,
 * -ENFILE or -ENOMEM when this process ran out of file descriptors or
 * memory at any point (see procmap_is_limit(): a failure, never a process
 * that "vanished"); or another -errno when @proc_root cannot be read.
 */
int procmap_scan(struct procmap *pm, const char *proc_root);

/*
 * procmap_prefetch - let the next procmap_scan() of "/proc" start early: a
 * thread loads the BPF program and runs the iterator, now (@run) or from
 * procmap_prefetch_go() on (no thread before), while the caller dumps its
 * sockets.  That scan then takes the run's records and runs the iterator
 * once more only for wanted inodes they lack (sockets made during the
 * dump, or held by no process), so its owners are those a scan after the
 * dump finds.  Declines (false) when PORTSTAT_OWNERS=proc, on one CPU (the
 * thread would only add its cost), below 256 fds (its fds could be the
 * dump's), or (@run) without BPF built in.  Call procmap_prefetch_end()
 * when done.
 */
bool procmap_prefetch(bool run);

/* procmap_prefetch_go - owners will be wanted: start an allowed prefetch. */
void procmap_prefetch_go(void);

/* procmap_prefetch_end - end a prefetch no scan took (never waits for it). */
void procmap_prefetch_end(void);

/*
 * procmap_is_limit - whether @ret (a negative errno) is this process
 * running out of a resource: -EMFILE, -ENFILE or -ENOMEM.  Such a failure
 * of an owner or cgroup scan is an error to report, not missing data.
 */
bool procmap_is_limit(int ret);

/*
 * procmap_limit_message - "cannot read @what: <strerror> (<what to do>)"
 * into @buf for a procmap_is_limit() @ret, e.g. "cannot read owners: Too
 * many open files (raise the fd limit: ulimit -n)".
 */
void procmap_limit_message(char *buf, size_t len, const char *what, int ret);

/*
 * procmap_touch - a hint: @inode will be looked up soon (its table slot is
 * fetched into the cache meanwhile).  Loops over many sockets call it a
 * few sockets ahead of procmap_index(); at 1M wanted inodes the table no
 * longer fits in the cache and each look-up would wait for memory.
 */
void procmap_touch(const struct procmap *pm, uint32_t inode);

/* procmap_lookup - the owner of @inode, or NULL (not wanted, not found). */
const struct procmap_proc *procmap_lookup(const struct procmap *pm, uint32_t inode);

/* procmap_nprocs / procmap_proc - the owners found, in scan order. */
size_t procmap_nprocs(const struct procmap *pm);
const struct procmap_proc *procmap_proc(const struct procmap *pm, size_t i);

/* procmap_index - the index (for procmap_proc()) of @inode's owner, or -1. */
long procmap_index(const struct procmap *pm, uint32_t inode);

const struct procmap_stats *procmap_stats(const struct procmap *pm);

/*
 * procmap_note - the note for stderr on owners that could not be seen:
 * /proc unreadable (@no_proc), or @unknown sockets of which @denied
 * processes of other users could not be read.  Returns false (and "")
 * when there is nothing of that to say.
 */
bool procmap_note(char *buf, size_t len, bool no_proc, uint64_t unknown, unsigned long denied);

/*
 * procmap_backend_note - the note saying where owners came from: the BPF
 * iterator (@bpf), or /proc and why not the iterator (@bpf_error, -errno;
 * 0 when it was not tried); with PORTSTAT_OWNERS=bpf and a failure, that
 * owners are unknown for it (no /proc scan was made).  Shown when PORTSTAT_DEBUG asks, or when
 * PORTSTAT_OWNERS=bpf was asked for and it failed (procmap_backend_wanted()).
 */
void procmap_backend_note(char *buf, size_t len, bool bpf, int bpf_error);

/*
 * procmap_backend_wanted - whether the backend note is to be shown: when
 * PORTSTAT_DEBUG is set (not "" or "0"), or when PORTSTAT_OWNERS=bpf and
 * the iterator failed (@bpf_error < 0).
 */
bool procmap_backend_wanted(int bpf_error);

/*
 * procmap_parse_link - the inode of an fd link's target "socket:[12345]",
 * or 0 when @target (of @len bytes, not NUL-terminated) is anything else.
 */
uint32_t procmap_parse_link(const char *target, size_t len);

#endif
