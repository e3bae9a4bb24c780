/*
 * netns: the network namespaces of the host, for --all-netns: the host's
 * own (PID 1's, labelled "host"), the named ones under /run/netns, and the
 * unnamed ones held by processes (labelled "pid:PID/COMM" after one
 * holder), each once, deduplicated by namespace inode.
 */
#ifndef PORTSTAT_NETNS_H
#define PORTSTAT_NETNS_H

#include <stddef.h>
#include <sys/types.h>

struct netns_entry {
	char label[128];	/* "host", the name, or "pid:PID/COMM" */
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

#endif
