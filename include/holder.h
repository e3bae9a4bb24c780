/* SPDX-License-Identifier: MIT */
/*
 * holder: what a process-held network namespace belongs to, told by its
 * holder process, without asking any container runtime: the container id
 * its cgroup path names (docker-<id>.scope, cri-containerd-<id>.scope,
 * crio-<id>.scope, libpod-<id>.scope, or a bare 64-hex directory of the
 * cgroupfs drivers), the Kubernetes pod UID in a kubepods path, and the
 * hostname of its UTS namespace (Kubernetes sets it to the pod's name).
 * Every string here is untrusted: a container chooses its hostname.
 */
#ifndef PORTSTAT_HOLDER_H
#define PORTSTAT_HOLDER_H

#include <stdbool.h>
#include <sys/types.h>

struct holder {
	char container[13];	/* short id: 12 hex digits, or "" */
	char pod_uid[37];	/* kubepods pod UID with dashes, or "" */
	char hostname[65];	/* its UTS namespace's, or "" if unknown */
};

/*
 * holder_parse_cgroup - fill @h's container and pod_uid from a cgroup v2
 * path (the "0::" line of /proc/PID/cgroup, without the prefix); the
 * innermost container wins.  Returns true when a container was found.
 */
bool holder_parse_cgroup(const char *path, struct holder *h);

/*
 * holder_read - @h for process @pid: its cgroup v2 path, and when that
 * names a container, its hostname (read by a short-lived thread that
 * joins the process's UTS namespace: /proc/PID/root/etc/hostname may be
 * anything the image shipped).  Returns 0 when a container was found,
 * -ENOENT when none, or -errno when /proc/PID/cgroup is unreadable.  An
 * unreadable hostname leaves it "".
 */
int holder_read(pid_t pid, struct holder *h);

#endif
