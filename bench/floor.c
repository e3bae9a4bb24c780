/* SPDX-License-Identifier: MIT */
/*
 * floor: the least work that dumps every TCP socket over sock_diag and
 * counts them per (local port, state).  No libmnl, no attributes, no
 * output beyond one line: the yardstick portstat's wall time is compared
 * with in bench/run.  Runs in the caller's network namespace.
 *
 *   floor [all|close-wait|HEXMASK] [--one-walk]
 *
 * By default one SOCK_DIAG_BY_FAMILY dump per family (two walks of the
 * kernel's hash tables); with --one-walk one legacy TCPDIAG_GETSOCK dump of
 * both families (one walk), the request portstat itself uses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

static unsigned counts[65536][13];

static int dump(int fd, int family, unsigned states, unsigned long *n)
{
	static char buf[64 * 1024];
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.req = { .sdiag_family = (unsigned char)family,
			 .sdiag_protocol = IPPROTO_TCP, .idiag_states = states },
	};
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req req;
	} old = {
		.nlh = { .nlmsg_len = sizeof(old), .nlmsg_type = TCPDIAG_GETSOCK,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.req = { .idiag_family = AF_INET, .idiag_states = states },
	};

	if ((family == AF_UNSPEC ? send(fd, &old, sizeof(old), 0)
				 : send(fd, &msg, sizeof(msg), 0)) < 0)
		return -errno;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		int rem;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		rem = (int)len;
		for (; NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
			const struct inet_diag_msg *m = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EPROTO;
			counts[ntohs(m->id.idiag_sport)][m->idiag_state % 13]++;
			(*n)++;
		}
	}
}

int main(int argc, char **argv)
{
	unsigned states = 0xfff;
	unsigned long n = 0, rows = 0;
	int fd, one_walk = 0, ok;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--one-walk") == 0)
			one_walk = 1;
		else if (strcmp(argv[i], "all") != 0)
			states = strcmp(argv[i], "close-wait") == 0 ? 1u << 8
								  : (unsigned)strtoul(argv[i], NULL, 16);
	}
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (one_walk)
		ok = fd >= 0 && dump(fd, AF_UNSPEC, states, &n) == 0;
	else
		ok = fd >= 0 && dump(fd, AF_INET, states, &n) == 0 &&
		     dump(fd, AF_INET6, states, &n) == 0;
	if (!ok) {
		perror("floor");
		return 1;
	}
	for (unsigned p = 0; p < 65536; p++)
		for (unsigned s = 0; s < 13; s++)
			rows += counts[p][s] != 0;
	printf("%lu sockets, %lu (port, state) pairs\n", n, rows);
	close(fd);
	return 0;
}
