/* SPDX-License-Identifier: MIT */
/*
 * nlfault: an LD_PRELOAD shim that injects faults into netlink receives,
 * so the real portstat meets, against the real kernel, what a busy or
 * broken kernel can do.  NLFAULT="KIND:N" applies KIND to the N-th
 * recvmsg() on a netlink socket (1-based), NLFAULT="KIND:N+" to it and
 * every one after:
 *   eintr, enobufs, eagain   the call fails with that errno
 *   truncate                 the datagram loses its last 10 bytes
 *   seq, portid              its first message gets a wrong sequence
 *                            number / sender port id
 *   family                   its first message claims the other family
 *   error                    it is replaced by NLMSG_ERROR (-EPERM)
 * Only netlink sockets are touched; everything else passes through.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>

static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static unsigned long calls;

static int is_netlink(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && ss.ss_family == AF_NETLINK;
}

static int armed(const char *kind)
{
	const char *spec = getenv("NLFAULT");
	size_t k = strlen(kind);
	char *end;
	unsigned long n;

	if (!spec || strncmp(spec, kind, k) != 0 || spec[k] != ':')
		return 0;
	n = strtoul(spec + k + 1, &end, 10);
	return *end == '+' ? calls >= n : calls == n;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct nlmsghdr *nlh;
	ssize_t n;

	if (!real_recvmsg)
		real_recvmsg = (ssize_t (*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
	if (!is_netlink(fd))
		return real_recvmsg(fd, msg, flags);
	__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	if (armed("eintr")) {
		errno = EINTR;
		return -1;
	}
	if (armed("enobufs")) {
		errno = ENOBUFS;
		return -1;
	}
	if (armed("eagain")) {
		errno = EAGAIN;
		return -1;
	}
	n = real_recvmsg(fd, msg, flags);
	if (n < (ssize_t)sizeof(*nlh) || msg->msg_iovlen < 1)
		return n;
	nlh = msg->msg_iov[0].iov_base;
	if (armed("truncate") && n > 10)
		return n - 10;
	if (armed("seq"))
		nlh->nlmsg_seq += 1000;
	if (armed("portid"))
		nlh->nlmsg_pid += 1000;
	if (armed("family") && nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY &&
	    nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
		struct inet_diag_msg *m = NLMSG_DATA(nlh);

		m->idiag_family = m->idiag_family == AF_INET ? AF_INET6 : AF_INET;
	}
	if (armed("error")) {
		struct nlmsgerr *e = NLMSG_DATA(nlh);
		struct nlmsghdr orig = *nlh;

		nlh->nlmsg_type = NLMSG_ERROR;
		nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
		nlh->nlmsg_flags = 0;
		e->error = -EPERM;
		e->msg = orig;
		return nlh->nlmsg_len;
	}
	return n;
}
