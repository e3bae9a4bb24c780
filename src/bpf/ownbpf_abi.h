/* SPDX-License-Identifier: MIT */
/*
 * ownbpf_abi.h: what src/bpf/owners.bpf.c and its user-space side
 * (src/bpf/owners_load.c, src/ownbpf.c) must agree on beyond the record
 * layout (include/ownbpf.h).
 */
#ifndef PORTSTAT_OWNBPF_ABI_H
#define PORTSTAT_OWNBPF_ABI_H

/*
 * The most wanted inodes filtered in the kernel.  Measured with
 * bench/bpffilter (bench/RESULTS-owners-bpf.txt): at 100k sockets the
 * filtered run costs the CPU the unfiltered one does (records written and
 * matched in user space) within a few per cent, 16 to 16384 wanted; the
 * kernel's work per socket fd (the fd table walk, the file and inode
 * loads) dominates both.  What the filter saves is the records: 24 bytes
 * per socket of the host (24 MB at 1M) down to those wanted.  Up to this
 * many the bitmap's false positives stay under 1 in 64.
 */
#define OWNBPF_FILTER_MAX 16384

/* The filter's bitmap: 2^20 bits (128 KiB), and where an inode's bit is
 * (a multiplicative hash: inodes come from a counter). */
#define OWNBPF_FILTER_BITS (1u << 20)
#define OWNBPF_FILTER_HASH(ino) (((ino) * 2654435761u) >> 12)

#endif
