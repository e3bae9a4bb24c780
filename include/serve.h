/* SPDX-License-Identifier: MIT */
/*
 * serve: 'portstat serve', the Prometheus exporter.  HTTP is libmicrohttpd's
 * (bounded connections, per-IP limit, idle timeout); this module owns the
 * sample cache between the scrapes and the kernel: at most one sample per
 * --min-interval, one at a time, shared by every scrape that asks meanwhile.
 */
#ifndef PORTSTAT_SERVE_H
#define PORTSTAT_SERVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct config;

/* The default port: Prometheus' exporter range 9100-9999 is fully
 * allocated, so it is one above it (see the man page, SERVE). */
#define SERVE_DEFAULT_PORT	10061
#define SERVE_DEFAULT_LISTEN	":10061"

/* Bounds that keep a slow or hostile client from pinning the exporter. */
#define SERVE_MAX_CONNECTIONS	64	/* open at once, all clients */
#define SERVE_MAX_PER_IP	8	/* open at once from one address */
#define SERVE_IDLE_TIMEOUT	10	/* seconds a connection may idle */

struct serve_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	bool any;		/* ":PORT": every address, IPv6 and IPv4 */
};

/*
 * serve_parse_listen - "ADDR:PORT" (IPv4), "[ADDR]:PORT" (IPv6) or ":PORT"
 * (every address) into @a; the port from 1 to 65535.  0 or -EINVAL.
 */
int serve_parse_listen(const char *s, struct serve_addr *a);

/*
 * serve_run - serve @cfg's metrics until *@stop is set by a handler of one
 * of pace_stop_signals(), which this function blocks in its own threads and
 * waits for.  Returns 0 after a clean stop, or -errno when it could not
 * start (nothing to sample, cannot listen), with a one-line reason in @err.
 */
int serve_run(const struct config *cfg, volatile sig_atomic_t *stop, char *err, size_t errlen);

#endif
