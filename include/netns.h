/* SPDX-License-Identifier: MIT */
/*
 * netns: the network namespaces of the host, for --all-netns: the host's
 * own (PID 1's, labelled "host"), the named ones under /run/netns, and the
 * unnamed ones held by processes (labelled "container:ID" when the
 * holder's cgroup names a container, holder.h, else "pid:PID/COMM" after
 * one holder), each once, deduplicated by namespace inode; and the opening of
 * one, checked, for -N.
 */
#ifndef PORTSTAT_NETNS_H
#define PORTSTAT_NETNS_H

#include <stddef.h>
#include <sys/types.h>

#include "holder.h"

struct netns_entry {
	/* "host", the name, "container:ID" (12 hex) when the holder's cgroup
	 * names a container, or "pid:PID/COMM" as the last resort */
	char label[128];
	struct holder holder;	/* its container, pod and hostname, if any */
	char path[300];		/* what collector_open_live() takes */
	dev_t dev;
	ino_t ino;
};

/*
 * netns_list - every network namespace, host first, then named ones by
 * name, then process-held ones by pid.  *out (caller frees) receives *n
 * entries.  Processes that exit during the scan are skipped.  Returns 0 or
 * -errno (-ENOMEM, or /proc unreadable).
 */
int netns_list(struct netns_entry **out, size_t *n);

/*
 * netns_open - open the network namespace @netns names for setns(): a
 * path if it holds a '/', else the name of one under /run/netns.  Never
 * blocks and never opens anything but a regular file: a FIFO, a device, a
 * directory, a plain file that is not nsfs (such as /run/netns/NAME while
 * 'ip netns add' or 'del' runs) and an nsfs file of another namespace
 * type (/proc/self/ns/uts) are refused.  Returns the fd (O_CLOEXEC), or
 * -errno with a one-line message naming @netns in @err: -ENAMETOOLONG for
 * a path of PATH_MAX bytes or more, -EINVAL for anything that is not a
 * network namespace, -ENOENT for nothing there, or open()'s error.
 */
int netns_open(const char *netns, char *err, size_t errlen);

#endif
