/* SPDX-License-Identifier: MIT */
/*
 * owners_load: the user-space half of src/bpf/owners.bpf.c that touches its
 * generated skeleton (owners.skel.h).  Kept apart from src/ownbpf.c so the
 * static analysis of the .c files in src does not analyse bpftool's generated code.
 */
#ifndef PORTSTAT_OWNERS_LOAD_H
#define PORTSTAT_OWNERS_LOAD_H

#include <stddef.h>
#include <stdint.h>

struct owners_load;

/*
 * owners_load_open - load the program and attach the iterator (no run
 * yet: owners_load_iter()).  Returns 0 or -errno (the kernel's refusal:
 * -EPERM, -EINVAL, ...).
 */
int owners_load_open(struct owners_load **out);

/*
 * owners_load_filter - make the next runs write only the sockets whose
 * inode is one of @ino (@n of them, at most OWNBPF_FILTER_MAX), or every
 * socket when @n is 0.  Returns 0 or -errno.
 */
int owners_load_filter(struct owners_load *ol, const uint32_t *ino, size_t n);

/*
 * owners_load_iter - a new iterator fd: one run, read it to the end and
 * close it.  Returns the fd or -errno.
 */
int owners_load_iter(struct owners_load *ol);

/* owners_load_close - detach and unload; accepts NULL.  Nothing stays. */
void owners_load_close(struct owners_load *ol);

#endif
