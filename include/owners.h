/* SPDX-License-Identifier: MIT */
/*
 * owners: one sample's sockets counted per owner instead of per port
 * (--by process, --by cgroup).  Rows are processes, found by one procmap
 * scan of /proc for the counted sockets' inodes, or cgroups, from the id
 * the kernel reports with each full socket (INET_DIAG_CGROUP_ID), resolved
 * to a path under the cgroup2 mount by one walk of its directories.
 *
 * Memory: --by process keeps one entry (inode, uid, state) per counted
 * socket until the scan, as procmap needs the inodes anyway; --by cgroup
 * keeps one row per cgroup and nothing per socket.
 */
#ifndef PORTSTAT_OWNERS_H
#define PORTSTAT_OWNERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "table.h"
#include "tcp_state.h"

struct sock_rec;

enum owners_kind {
	OWNERS_PROCESS,
	OWNERS_CGROUP,
};

/* Who a row stands for. */
enum owner_who {
	OWNER_PROCESS,		/* pid, comm */
	OWNER_CGROUP,		/* cgroup, cgroup_id */
	/* No process holds the socket: time-wait and request sockets, and
	 * orphans the kernel is finishing (inode 0).  --by cgroup: the
	 * kernel reports no cgroup for it (the same sockets, or a kernel
	 * before 5.7). */
	OWNER_NONE,
	/* --by process: held by a process we could not see (another user's,
	 * without root) or that exited before the scan reached it. */
	OWNER_UNKNOWN,
};

/* Labels of the rows without an owner, as in 'portstat leaks'. */
#define OWNERS_COMM_NONE	"-"
#define OWNERS_COMM_UNKNOWN	"?"

struct owner_row {
	enum owner_who who;
	int pid;		/* OWNER_PROCESS, else 0 */
	char comm[16];		/* OWNER_PROCESS: comm ("?" if it exited);
				 * else OWNERS_COMM_NONE / _UNKNOWN */
	uint64_t cgroup_id;	/* OWNER_CGROUP: the kernel's id */
	/* OWNER_CGROUP: the path of cgroup_id under the cgroup2 mount ("/"
	 * for its root, "/system.slice/nginx.service"), or "id:N" when no
	 * directory has the id (removed since, another cgroup namespace, or a
	 * replay).  OWNER_PROCESS: the process's own cgroup (procmap.h), NULL
	 * if it has none.  NULL otherwise. */
	char *cgroup;
	uint32_t n[TCP_STATE_MAX + 1];
	uint64_t total;
};

/* What resolving the owners could not do, for one note per run. */
struct owners_stats {
	uint64_t unknown;	/* sockets in the OWNER_UNKNOWN row */
	unsigned long denied;	/* processes whose fds we may not read */
	bool no_proc;		/* /proc could not be read at all */
	bool no_cgroupfs;	/* no cgroup2 mount: paths shown as ids */
	bool bpf;		/* owners came from the BPF iterator */
	int bpf_error;		/* why not (-errno), 0 if not tried */
};

struct owners;

/* owners_new - an empty set of @kind.  0 or -ENOMEM. */
int owners_new(struct owners **out, enum owners_kind kind);

/* owners_delete - free; accepts NULL. */
void owners_delete(struct owners *o);

enum owners_kind owners_kind(const struct owners *o);

/* owners_clear - forget the sample, keep the memory. */
void owners_clear(struct owners *o);

/*
 * owners_add - count one socket (one the table counted: same filter).
 * --by cgroup needs the socket's attributes parsed (collector_set_attrs).
 * 0 or -ENOMEM.
 */
int owners_add(struct owners *o, const struct sock_rec *rec);

/*
 * owners_resolve - after the sample's dump, find the owners: the processes
 * under @proc_root (NULL: "/proc") for --by process, and the cgroup paths
 * under @cgroup_root, the cgroup2 mount (NULL: look it up in
 * /proc/self/mountinfo; "": do not resolve, e.g. for a replay from another
 * host, and show ids).  Owners we cannot see are rows of their own (see
 * owners_stats()), not errors.  Running out of file descriptors or memory
 * is an error, never "owners unknown", "vanished" or "no cgroup2 mounted":
 * 0, or -EMFILE, -ENFILE or -ENOMEM with owners_error() saying so.  The
 * scans hold one file descriptor at a time.
 */
int owners_resolve(struct owners *o, const char *proc_root, const char *cgroup_root);

/*
 * owners_error - why the last owners_resolve() failed, one line ("cannot
 * read owners: Too many open files (raise the fd limit: ulimit -n)"), or
 * "" when it did not (or failed for want of memory outside the scans).
 */
const char *owners_error(const struct owners *o);

size_t owners_nrows(const struct owners *o);
const struct owner_row *owners_row(const struct owners *o, size_t i);
const struct owners_stats *owners_stats(const struct owners *o);

/*
 * owners_sorted - fill @out (owners_nrows() entries) with the rows in the
 * order of @sort: by a state's or the total count, descending, or for
 * TABLE_SORT_PORT by pid or cgroup path; ties go by pid or path, rows
 * without an owner last.  Borrowed until the set changes.
 */
void owners_sorted(const struct owners *o, const struct table_sort *sort,
		   const struct owner_row **out);

/* owners_cgroup_mount - the cgroup2 mount point in @mountinfo (normally
 * /proc/self/mountinfo) into @buf: the first that mounts the whole tree
 * (root "/"), else the first.  0, -ENOENT (none, or no such file),
 * -ENAMETOOLONG when it does not fit @len bytes, or -EMFILE, -ENFILE,
 * -ENOMEM when the file could not be read for want of them. */
int owners_cgroup_mount(const char *mountinfo, char *buf, size_t len);

#endif
