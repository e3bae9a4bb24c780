/* SPDX-License-Identifier: MIT */
/*
 * owners_load: the user-space half of src/bpf/owners.bpf.c that touches its
 * generated skeleton (owners.skel.h).  Kept apart from src/ownbpf.c so the
 * static analysis of the .c files in src does not analyse bpftool's generated code.
 */
#ifndef PORTSTAT_OWNERS_LOAD_H
#define PORTSTAT_OWNERS_LOAD_H

struct owners_load;

/*
 * owners_load_open - load the program, attach the iterator and create one
 * iterator fd in *@iter (read it to the end, then owners_load_close()).
 * Returns 0 or -errno (the kernel's refusal: -EPERM, -EINVAL, ...).
 */
int owners_load_open(struct owners_load **out, int *iter);

/* owners_load_close - detach and unload; accepts NULL.  Nothing stays. */
void owners_load_close(struct owners_load *ol);

#endif
