/*
 * services: well-known port numbers to service names ("https",
 * "postgresql") from the services database (/etc/services, through
 * getservent(3), as getservbyport() reads it), for the text report and the
 * dashboard, like ss and netstat show them.  Read once per process, on
 * first use, into a sorted table; JSON, CSV and Prometheus never use it
 * (their ports stay numbers).  The names are the database's bytes: every
 * view writes them through strenc.
 */
#ifndef PORTSTAT_SERVICES_H
#define PORTSTAT_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

/*
 * services_name - the TCP service name of @port, or NULL when the database
 * has none (or could not be read, or memory ran out: names are a
 * convenience, never an error).  Thread-safe; the string lives as long as
 * the process.
 */
const char *services_name(uint16_t port);

#endif
