/* SPDX-License-Identifier: MIT */
/*
 * portset: parsing of port lists.  Strict on purpose: a typo in a filter
 * must be an error, not a report about the wrong ports.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "portset.h"

/* Parse one port of exactly @len characters. */
static int port_parse(const char *s, size_t len, unsigned *port)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	/* Port 0 is a port too: --by remote shows it (a socket not yet
	 * connected has peer port 0), so it can be selected. */
	if (v > 65535)
		return -ERANGE;
	*port = v;
	return 0;
}

int portset_parse(struct portset *ps, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	memset(ps, 0, sizeof(*ps));
	for (;;) {
		size_t len = strcspn(p, ",");
		const char *dash = memchr(p, '-', len);
		unsigned lo = 0, hi = 0;
		int r1, r2;

		if (dash) {
			r1 = port_parse(p, (size_t)(dash - p), &lo);
			r2 = port_parse(dash + 1, len - (size_t)(dash - p) - 1, &hi);
		} else {
			r1 = r2 = port_parse(p, len, &lo);
			hi = lo;
		}
		if (len == 0) {
			snprintf(err, errlen, "empty item in port list '%s'", list);
			return -EINVAL;
		}
		if (r1 == -ERANGE || r2 == -ERANGE) {
			snprintf(err, errlen, "invalid port '%.*s' (ports are 0-65535)", (int)len, p);
			return -EINVAL;
		}
		if (r1 < 0 || r2 < 0) {
			snprintf(err, errlen, "invalid port '%.*s' (not a port number or LOW-HIGH range)",
				 (int)len, p);
			return -EINVAL;
		}
		if (lo > hi) {
			snprintf(err, errlen, "inverted port range '%.*s'", (int)len, p);
			return -EINVAL;
		}
		for (unsigned port = lo; port <= hi; port++)
			portset_add(ps, (uint16_t)port);
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}
