/* SPDX-License-Identifier: MIT */
/*
 * bytecode: inet_diag filter programs (INET_DIAG_REQ_BYTECODE) that split
 * one dump into shares the kernel filters for us, so several threads can
 * each dump a part of the table in parallel.  A share is the sockets whose
 * larger port, max(local, remote), is in [lo, hi): the larger port is
 * usually the ephemeral one, so shares stay balanced on skewed hosts (every
 * socket on local port 443, or every socket to remote port 5432).
 */
#ifndef PORTSTAT_BYTECODE_H
#define PORTSTAT_BYTECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest program bytecode_share() writes, in bytes. */
#define BYTECODE_MAX	32

/*
 * bytecode_share - write the program accepting sockets with
 * lo <= max(sport, dport) < hi into @buf (BYTECODE_MAX bytes).
 * @lo in 0..65535, @hi in lo+1..65536.  Returns its length in bytes; 0 when
 * the share is everything (no program needed).
 */
size_t bytecode_share(uint32_t lo, uint32_t hi, void *buf);

/*
 * bytecode_run - run @prog on a socket the way the kernel's
 * inet_diag_bc_run() does.  For tests; returns whether it is accepted.
 */
bool bytecode_run(const void *prog, size_t len, uint16_t sport, uint16_t dport);

/*
 * bytecode_audit - check @prog the way the kernel's inet_diag_bc_audit()
 * does for the ops bytecode_share() uses.  For tests; 0 or -EINVAL.
 */
int bytecode_audit(const void *prog, size_t len);

/* The share of a socket: its larger port. */
static inline uint16_t bytecode_key(uint16_t sport, uint16_t dport)
{
	return sport > dport ? sport : dport;
}

#endif
