/* SPDX-License-Identifier: MIT */
/*
 * services: the port -> name table behind services_name().  It is read
 * whole with getservent_r() (one pass over the database rather than a
 * getservbyport() per row and frame, each of which re-reads the file),
 * sorted by port with the database's order kept among equal ports, and
 * searched; the first entry of a port wins, as with getservbyport().
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "services.h"

struct service {
	uint16_t port;
	char name[32];
};

struct services {
	struct service *v;
	size_t n;
};

static int cmp(const void *a, const void *b)
{
	const struct service *x = a, *y = b;

	return (x->port > y->port) - (x->port < y->port);
}

/* Insertion sort: stable, so the database's first entry of a port stays
 * first (qsort() is not), and the database is nearly sorted already. */
static void sort_stable(struct service *t, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct service v = t[i];
		size_t j = i;

		while (j > 0 && cmp(&t[j - 1], &v) > 0) {
			t[j] = t[j - 1];
			j--;
		}
		t[j] = v;
	}
}

struct services *services_new(void)
{
	struct services *s = calloc(1, sizeof(*s));
	struct servent se, *res;
	char buf[1024];
	size_t cap = 0;

	if (!s)
		return NULL;
	setservent(0);
	while (getservent_r(&se, buf, sizeof(buf), &res) == 0 && res) {
		if (!res->s_proto || strcmp(res->s_proto, "tcp") != 0 || !res->s_name ||
		    !*res->s_name || strlen(res->s_name) >= sizeof(s->v->name))
			continue;
		if (s->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct service *nv = realloc(s->v, ncap * sizeof(*nv));

			if (!nv)
				goto out;
			s->v = nv;
			cap = ncap;
		}
		s->v[s->n].port = ntohs((uint16_t)res->s_port);
		strcpy(s->v[s->n].name, res->s_name);
		s->n++;
	}
	endservent();
	sort_stable(s->v, s->n);
	return s;
out:
	endservent();
	services_delete(s);
	return NULL;
}

void services_delete(struct services *s)
{
	if (!s)
		return;
	free(s->v);
	free(s);
}

const char *services_name(const struct services *s, uint16_t port)
{
	size_t lo = 0, hi;

	if (!s)
		return NULL;
	hi = s->n;
	/* The first entry with this port (lower bound). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo].port == port ? s->v[lo].name : NULL;
}
