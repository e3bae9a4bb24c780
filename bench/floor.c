/*
 * floor: the least work that dumps every TCP socket over sock_diag and
 * counts them per (local port, state).  No libmnl, no attributes, no
 * output beyond one line: the yardstick portstat's wall time is compared
 * with in bench/run.  Runs in the caller's network namespace.
 *
 *   floor [all|close-wait|HEXMASK]   state mask to ask the kernel for
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

	if (send(fd, &msg, sizeof(msg), 0) < 0)
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
	int fd;

	if (argc > 1 && strcmp(argv[1], "all") != 0)
		states = strcmp(argv[1], "close-wait") == 0 ? 1u << 8
							  : (unsigned)strtoul(argv[1], NULL, 16);
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0 || dump(fd, AF_INET, states, &n) < 0 || dump(fd, AF_INET6, states, &n) < 0) {
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
