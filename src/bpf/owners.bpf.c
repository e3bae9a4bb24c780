// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * owners.bpf.c: the iter/task_file program behind the BPF owner backend
 * (src/ownbpf.c).  For every (task, fd, file) the kernel visits, it writes
 * one record (tgid, fd, socket inode, euid) for socket files only, as 24
 * bytes in host order: u32 tgid, u32 fd, u64 inode, u32 euid, u32 zero
 * (include/ownbpf.h).  The euid is what /proc/PID's owner shows; the
 * user-space side orders owners by it as the /proc scan does.
 *
 * Only thread-group leaders are reported: /proc/PID/fd shows the leader's
 * fd table, and threads sharing it would repeat every record.  This keeps
 * the result identical to the /proc scan, which is the contract.
 *
 * When the caller wants few inodes it puts them in the map "wanted" and
 * sets "filter": then only those sockets are written (in-kernel filtering;
 * see OWNBPF_FILTER_MAX for when that pays).
 *
 * CO-RE: built against vmlinux.h generated from the build machine's BTF,
 * relocated by libbpf against the running kernel's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "ownbpf_abi.h"

/* The kernel lets only GPL-compatible programs call bpf_sock_from_file();
 * "Dual MIT/GPL" is such a licence and keeps the project's MIT. */
char LICENSE[] SEC("license") = "Dual MIT/GPL";

struct rec {
	__u32 tgid;
	__u32 fd;
	__u64 ino;
	__u32 uid;
	__u32 pad;
};

/* The wanted inodes as a Bloom-style bitmap of OWNBPF_FILTER_BITS bits
 * (one hash), in .bss: user space writes it through libbpf's mmap of the
 * section (no system call per inode) and the program reads it with one
 * load per socket, where a hash map's lookup is a call and a hash.  A
 * false positive costs one record, which user space matches exactly
 * anyway.  filter says whether to use it. */
__u64 wanted[OWNBPF_FILTER_BITS / 64];
__u32 filter;

SEC("iter/task_file")
int owners(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct rec r;
	__u64 ino;

	if (!task || !file)
		return 0;
	if (task->pid != task->tgid)	/* threads: the leader reports */
		return 0;
	if (!bpf_sock_from_file(file))
		return 0;
	/* Direct loads of BTF pointers (the verifier makes them fault-safe):
	 * BPF_CORE_READ's helper calls were a fifth of the iteration. */
	ino = file->f_inode->i_ino;
	if (filter) {
		__u32 h = OWNBPF_FILTER_HASH((__u32)ino);

		/* (The mask keeps the index provably in bounds.) */
		if (!(wanted[(h / 64) & (OWNBPF_FILTER_BITS / 64 - 1)] & (1ULL << (h % 64))))
			return 0;
	}
	r.tgid = task->tgid;
	r.fd = ctx->fd;
	r.ino = ino;
	r.uid = task->cred->euid.val;
	r.pad = 0;
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
