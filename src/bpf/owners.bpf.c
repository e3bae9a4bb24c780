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
 * CO-RE: built against vmlinux.h generated from the build machine's BTF,
 * relocated by libbpf against the running kernel's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

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

SEC("iter/task_file")
int owners(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct rec r;

	if (!task || !file)
		return 0;
	if (task->pid != task->tgid)	/* threads: the leader reports */
		return 0;
	if (!bpf_sock_from_file(file))
		return 0;
	r.tgid = task->tgid;
	r.fd = ctx->fd;
	r.ino = BPF_CORE_READ(file, f_inode, i_ino);
	r.uid = BPF_CORE_READ(task, cred, euid.val);
	r.pad = 0;
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}
