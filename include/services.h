/* SPDX-License-Identifier: MIT */
/*
 * services: well-known port numbers to service names ("https",
 * "postgresql") from the services database (/etc/services, through
 * getservent(3), the database getservbyport() reads), for the text report
 * and the dashboard, as ss and netstat show them.  A table read once per
 * run, sorted by port; JSON, CSV and Prometheus never use it (their ports
 * stay numbers).  The names are the database's bytes: every view writes
 * them through strenc.
 */
#ifndef PORTSTAT_SERVICES_H
#define PORTSTAT_SERVICES_H

#include <stdint.h>

struct services;

/*
 * services_new - read the database's TCP names.  Returns the table (empty
 * when there is no database: names are a convenience, never an error), or
 * NULL when out of memory.  getservent(3) keeps a cursor per process: call
 * it from one thread at a time.
 */
struct services *services_new(void);

/* services_delete - free; accepts NULL. */
void services_delete(struct services *s);

/*
 * services_name - the name of TCP @port in @s (the database's first entry
 * for it, as getservbyport() answers), or NULL when it has none or @s is
 * NULL.  The string lives as long as @s; read-only, so threads may share it.
 */
const char *services_name(const struct services *s, uint16_t port);

#endif
