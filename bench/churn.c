/* SPDX-License-Identifier: MIT */
/*
 * churn: connection churn on loopback for tests and benchmarks.  Keeps a
 * window of W connections to its own listener on 127.0.0.1:PORT and keeps
 * replacing the oldest (closed with a RST, so no TIME_WAIT piles up) by a
 * new one, as fast as it can or at most RATE a second, for SECONDS or until
 * stdin reaches EOF or SIGTERM.  Prints "ready" once the window is full and
 * "churned N connections in S s" at the end.  Runs in the caller's network
 * namespace; every loop is bounded in count and time.
 *
 *   churn --port P [--window W] [--seconds S] [--rate R] [--max N]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "churn: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Close with a RST: SO_LINGER 0 skips FIN and TIME_WAIT. */
static void slam(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

int main(int argc, char **argv)
{
	unsigned long port = 0, window = 200, seconds = 30, rate = 0, max = 10000000, n = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int lfd, one = 1, (*conn)[2];
	double t0, tend;

	for (int i = 1; i + 1 < argc; i += 2) {
		unsigned long v = strtoul(argv[i + 1], NULL, 10);

		if (!strcmp(argv[i], "--port")) port = v;
		else if (!strcmp(argv[i], "--window")) window = v;
		else if (!strcmp(argv[i], "--seconds")) seconds = v;
		else if (!strcmp(argv[i], "--rate")) rate = v;
		else if (!strcmp(argv[i], "--max")) max = v;
		else {
			fprintf(stderr, "usage: churn --port P [--window W] [--seconds S] [--rate R] [--max N]\n");
			return 2;
		}
	}
	if (!port || port > 65535 || !window || window > 5000 || !seconds || seconds > 3600) {
		fprintf(stderr, "churn: need --port 1-65535, --window 1-5000, --seconds 1-3600\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	conn = calloc(window, sizeof(*conn));
	if (!conn)
		die("calloc");
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 4096) < 0)
		die("listen");
	t0 = now();
	tend = t0 + (double)seconds;
	for (unsigned long i = 0; !stop && n < max && now() < tend; i = (i + 1) % window) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		int c;

		if (conn[i][0]) {
			slam(conn[i][0]);
			slam(conn[i][1]);
		}
		c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("connect");
		conn[i][0] = c;
		conn[i][1] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (conn[i][1] < 0)
			die("accept");
		n++;
		if (n == window) {
			printf("ready\n");
			fflush(stdout);
		}
		/* stdin closed: the caller is gone or done with us. */
		if (n % 256 == 0 && poll(&pfd, 1, 0) == 1) {
			char b;

			if (read(0, &b, 1) <= 0)
				break;
		}
		if (rate && (double)n > rate * (now() - t0)) {
			struct timespec d = { 0, 1000000 };

			nanosleep(&d, NULL);
		}
	}
	printf("churned %lu connections in %.1f s\n", n, now() - t0);
	for (unsigned long i = 0; i < window; i++)
		if (conn[i][0]) {
			slam(conn[i][0]);
			slam(conn[i][1]);
		}
	close(lfd);
	free(conn);
	return 0;
}
