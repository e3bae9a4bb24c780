/*
 * services: the port -> name table behind services_name().  It is read
 * whole with getservent_r() on first use (one pass over the database rather
 * than a getservbyport() per row and frame, each of which would re-read the
 * file), sorted by port, and searched; the first entry of a port wins, as
 * with getservbyport().
 */
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "services.h"

struct service {
	uint16_t port;
	char name[32];
};

static struct service *table;
static size_t ntable;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int cmp(const void *a, const void *b)
{
	const struct service *x = a, *y = b;

	return (x->port > y->port) - (x->port < y->port);
}

/* Fills table/ntable; on any failure leaves what was read, or nothing. */
static void load(void)
{
	struct servent se, *res;
	char buf[1024];
	size_t cap = 0, n = 0;
	struct service *t = NULL;

	setservent(0);
	while (getservent_r(&se, buf, sizeof(buf), &res) == 0 && res) {
		struct service *nt;

		if (!res->s_proto || strcmp(res->s_proto, "tcp") != 0 || !res->s_name ||
		    !*res->s_name || strlen(res->s_name) >= sizeof(t->name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nt = realloc(t, cap * sizeof(*t));
			if (!nt)
				break;
			t = nt;
		}
		t[n].port = ntohs((uint16_t)res->s_port);
		strcpy(t[n].name, res->s_name);
		n++;
	}
	endservent();
	if (!n) {
		free(t);
		return;
	}
	/* Stable for equal ports: keep the database's order so the first
	 * entry of a port wins (qsort is not stable; the index decides). */
	for (size_t i = 1; i < n; i++) {
		struct service v = t[i];
		size_t j = i;

		if (cmp(&t[i - 1], &v) <= 0)
			continue;
		while (j > 0 && cmp(&t[j - 1], &v) > 0) {
			t[j] = t[j - 1];
			j--;
		}
		t[j] = v;
	}
	table = t;
	ntable = n;
}

const char *services_name(uint16_t port)
{
	size_t lo = 0, hi;

	pthread_once(&once, load);
	hi = ntable;
	/* The first entry with this port (lower bound). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (table[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ntable && table[lo].port == port ? table[lo].name : NULL;
}
