/* SPDX-License-Identifier: MIT */
/*
 * procmap: maps socket inodes to processes, from the BPF task_file
 * iterator's records (src/ownbpf.c) where it runs, else from the scan of
 * /proc/PID/fd.  The wanted inodes live in an open-addressing table (linear
 * probing, power-of-two size, at most half full), so each fd link read or
 * record costs one probe; the owners are a growing array of processes.
 * It also owns the one prefetch of a run (procmap_prefetch()): whether a
 * thread may load and run the iterator while the caller dumps.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ownbpf.h"
#include "procmap.h"
#include "u64map.h"

#define NO_OWNER	UINT32_MAX
/* How many records or sockets ahead a loop asks for its table slot
 * (procmap_touch()): enough to cover a memory access. */
#define PREFETCH_AHEAD	8
/* More distinct socket uids than this and the scan is not ordered by uid:
 * with that many, nearly every process would come first anyway. */
#define MAX_UIDS	16

struct procmap {
	uint32_t *inode;	/* slot -> wanted inode; 0 = empty slot */
	uint32_t *owner;	/* slot -> index in procs, or NO_OWNER */
	size_t mask;		/* slots - 1 */
	size_t capacity;	/* most wanted inodes */
	struct procmap_proc *procs;
	size_t nprocs, procs_cap;
	uint32_t uids[MAX_UIDS];
	size_t nuids;		/* MAX_UIDS + 1: too many to order by */
	enum procmap_backend backend;
	struct procmap_stats st;
};

int procmap_new(struct procmap **out, size_t capacity)
{
	struct procmap *pm = calloc(1, sizeof(*pm));
	size_t slots = 16;

	if (!pm)
		return -ENOMEM;
	while (slots < 2 * capacity)
		slots *= 2;
	pm->inode = calloc(slots, sizeof(*pm->inode));
	pm->owner = malloc(slots * sizeof(*pm->owner));
	if (!pm->inode || !pm->owner) {
		procmap_delete(pm);
		return -ENOMEM;
	}
	pm->mask = slots - 1;
	pm->capacity = capacity;
	/* Every view that wants owners makes its own map; the environment is
	 * the one place all of them (--by process, leaks, top, serve) see.
	 * main() rejects a bad value before any map is made. */
	if (procmap_backend_parse(getenv("PORTSTAT_OWNERS"), &pm->backend) < 0)
		pm->backend = PROCMAP_AUTO;
	*out = pm;
	return 0;
}

void procmap_delete(struct procmap *pm)
{
	if (!pm)
		return;
	free(pm->inode);
	free(pm->owner);
	free(pm->procs);
	free(pm);
}

/* Inodes come from a counter, so neighbours are common: a multiplicative
 * hash spreads them over the whole table. */
static size_t slot_of(const struct procmap *pm, uint32_t inode)
{
	return (size_t)((inode * 2654435761u) & pm->mask);
}

/* The slot holding @inode, or -1. */
static long find(const struct procmap *pm, uint32_t inode)
{
	for (size_t i = slot_of(pm, inode);; i = (i + 1) & pm->mask) {
		if (pm->inode[i] == inode)
			return (long)i;
		if (pm->inode[i] == 0)
			return -1;
	}
}

void procmap_touch(const struct procmap *pm, uint32_t inode)
{
	size_t i = slot_of(pm, inode);

	__builtin_prefetch(&pm->inode[i]);
	__builtin_prefetch(&pm->owner[i]);
}

int procmap_want(struct procmap *pm, uint32_t inode, uint32_t uid)
{
	size_t i;

	if (inode == 0)
		return -EINVAL;
	for (i = slot_of(pm, inode); pm->inode[i]; i = (i + 1) & pm->mask)
		if (pm->inode[i] == inode)
			return 0;
	if (pm->st.wanted >= pm->capacity)
		return -ENOSPC;
	pm->inode[i] = inode;
	pm->owner[i] = NO_OWNER;
	pm->st.wanted++;
	if (pm->nuids <= MAX_UIDS) {
		size_t u;

		for (u = 0; u < pm->nuids && pm->uids[u] != uid; u++)
			;
		if (u == pm->nuids) {
			if (pm->nuids < MAX_UIDS)
				pm->uids[pm->nuids] = uid;
			pm->nuids++;
		}
	}
	return 0;
}

uint32_t procmap_parse_link(const char *target, size_t len)
{
	static const char prefix[] = "socket:[";
	const size_t plen = sizeof(prefix) - 1;
	uint64_t v = 0;
	size_t i;

	if (len < plen + 2 || memcmp(target, prefix, plen) != 0 || target[len - 1] != ']')
		return 0;
	for (i = plen; i < len - 1; i++) {
		if (target[i] < '0' || target[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(target[i] - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	return (uint32_t)v;
}

static bool uid_first(const struct procmap *pm, uid_t uid)
{
	if (pm->nuids > MAX_UIDS)
		return true;
	for (size_t u = 0; u < pm->nuids; u++)
		if (pm->uids[u] == uid)
			return true;
	return false;
}

static long proc_add(struct procmap *pm, int pid)
{
	struct procmap_proc *p;

	if (pm->nprocs == pm->procs_cap) {
		size_t cap = pm->procs_cap ? pm->procs_cap * 2 : 64;

		p = realloc(pm->procs, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		pm->procs = p;
		pm->procs_cap = cap;
	}
	p = &pm->procs[pm->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	strcpy(p->comm, "?");
	return (long)pm->nprocs++;
}

/* Whether a failed open (@err, an errno) says this process is out of file
 * descriptors or memory: that is the scan failing, not the process that
 * went away, and must not be counted as "vanished". */
static bool out_of_resources(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM;
}

/* @dir/PID/@name into @path (PATH_MAX bytes). */
static void pid_path(char *path, const char *dir, int pid, const char *name)
{
	snprintf(path, PATH_MAX, "%s/%d/%s", dir, pid, name);
}

/* The first line of /proc/PID/@name starting with @prefix, without the
 * prefix and the newline, into @out (@len bytes); "" if none.  Longer
 * lines are cut; only the first 4 KiB of the file are read.  0, or
 * -EMFILE, -ENFILE, -ENOMEM. */
static int line_read(const char *dir, int pid, const char *name, const char *prefix,
		     char *out, size_t len)
{
	char path[PATH_MAX], buf[4096], *line, *end;
	size_t plen = strlen(prefix);
	ssize_t n;
	int fd;

	out[0] = '\0';
	pid_path(path, dir, pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)	/* gone: its sockets are still its */
		return out_of_resources(errno) ? -errno : 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (line = buf; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (strncmp(line, prefix, plen) == 0) {
			snprintf(out, len, "%s", line + plen);
			break;
		}
	}
	return 0;
}

/* The owner's comm (any bytes but the last newline; "?" stays if it
 * exited) and cgroup.  0, or -EMFILE, -ENFILE, -ENOMEM. */
static int proc_read(const char *dir, struct procmap_proc *p)
{
	char path[PATH_MAX], buf[sizeof(p->comm)];
	ssize_t n;
	int fd, ret;

	ret = line_read(dir, p->pid, "cgroup", "0::", p->cgroup, sizeof(p->cgroup));
	if (ret < 0)
		return ret;
	pid_path(path, dir, p->pid, "comm");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)	/* gone: its sockets are still its, comm stays "?" */
		return out_of_resources(errno) ? -errno : 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	memcpy(p->comm, buf, (size_t)n + 1);
	return 0;
}

/* Read one process's fd links: one file descriptor, closed before the
 * owner's comm and cgroup are read.  0, or -EMFILE, -ENFILE, -ENOMEM. */
static int scan_pid(struct procmap *pm, const char *dir, int pid)
{
	char path[PATH_MAX], target[64];
	struct dirent *de;
	long idx = -1;
	DIR *d;
	int fd;

	pid_path(path, dir, pid, "fd");
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (out_of_resources(errno))
			return -errno;
		if (errno == EACCES || errno == EPERM)
			pm->st.denied++;
		else
			pm->st.vanished++;	/* ENOENT, ESRCH: it exited */
		return 0;
	}
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		if (out_of_resources(e))
			return -e;
		pm->st.vanished++;	/* its fd directory went away meanwhile */
		return 0;
	}
	pm->st.scanned++;
	while (pm->st.found < pm->st.wanted && (de = readdir(d))) {
		ssize_t n;
		uint32_t ino;
		long slot;

		if (de->d_name[0] == '.')
			continue;
		/* An fd closed since readdir() saw it fails with ENOENT. */
		n = readlinkat(fd, de->d_name, target, sizeof(target));
		if (n <= 0)
			continue;
		pm->st.links++;
		ino = procmap_parse_link(target, (size_t)n);
		if (!ino || (slot = find(pm, ino)) < 0 || pm->owner[slot] != NO_OWNER)
			continue;
		if (idx < 0 && (idx = proc_add(pm, pid)) < 0)
			break;
		pm->owner[slot] = (uint32_t)idx;
		pm->procs[idx].count++;
		pm->st.found++;
	}
	closedir(d);
	if (idx < 0 && idx != -1)
		return (int)idx;
	if (idx >= 0)
		return proc_read(dir, &pm->procs[idx]);
	return 0;
}

/* "123" -> 123; anything else (".", "self", "sys") -> 0. */
static int pid_of(const char *name)
{
	long v = 0;

	if (!*name)
		return 0;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || v > 1000000000L)
			return 0;
		v = v * 10 + (*name - '0');
	}
	return (int)v;
}

struct pids {
	int *v;
	size_t n, cap;
};

static int pids_add(struct pids *p, int pid)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		int *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = pid;
	return 0;
}

/* The processes under @dir, likely owners (uid_first) in @first, the rest
 * in @later.  The directory is read whole and closed, so the scan after it
 * holds one file descriptor at a time: it works at the lowest fd limit
 * the collector itself works at.  0 or -errno. */
static int pids_read(struct procmap *pm, const char *dir, struct pids *first,
		     struct pids *later)
{
	struct dirent *de;
	DIR *d;
	int procfd, ret = 0;

	procfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	d = fdopendir(procfd);
	if (!d) {
		ret = -errno;
		close(procfd);
		return ret;
	}
	while ((de = readdir(d))) {
		int pid = pid_of(de->d_name);
		struct stat st;

		if (!pid)
			continue;
		pm->st.procs++;
		if (fstatat(procfd, de->d_name, &st, 0) < 0) {
			if (errno == ENOMEM) {
				ret = -ENOMEM;
				break;
			}
			pm->st.vanished++;
			continue;
		}
		ret = pids_add(uid_first(pm, st.st_uid) ? first : later, pid);
		if (ret < 0)
			break;
	}
	closedir(d);
	return ret;
}

int procmap_backend_parse(const char *s, enum procmap_backend *out)
{
	if (!s || !*s || strcmp(s, "auto") == 0)
		*out = PROCMAP_AUTO;
	else if (strcmp(s, "bpf") == 0)
		*out = PROCMAP_BPF;
	else if (strcmp(s, "proc") == 0)
		*out = PROCMAP_PROC;
	else
		return -EINVAL;
	return 0;
}

void procmap_set_backend(struct procmap *pm, enum procmap_backend b)
{
	pm->backend = b;
}

/* Where bpf_take() puts records' owners: the process of the last record
 * (records of one process come together), and after a first run, a map
 * pid -> index so that a second run adds no process twice. */
struct bpf_cursor {
	int pid;
	long idx;
	struct u64map *seen;	/* NULL in a first run */
};

/* Give @r's inode to its process if it is wanted and unowned.  0 or
 * -ENOMEM. */
static int bpf_take(struct procmap *pm, const struct ownbpf_rec *r, struct bpf_cursor *cur)
{
	long slot;

	if (r->ino == 0 || r->ino > UINT32_MAX || (slot = find(pm, (uint32_t)r->ino)) < 0 ||
	    pm->owner[slot] != NO_OWNER)
		return 0;
	if (cur->pid != (int)r->tgid) {
		uint64_t v, *at;
		bool created;

		cur->pid = (int)r->tgid;
		if (cur->seen && u64map_get(cur->seen, (uint64_t)cur->pid, &v)) {
			cur->idx = (long)v;
		} else {
			if ((cur->idx = proc_add(pm, cur->pid)) < 0)
				return (int)cur->idx;
			if (cur->seen) {
				if (!(at = u64map_slot(cur->seen, (uint64_t)cur->pid, &created)))
					return -ENOMEM;
				*at = (uint64_t)cur->idx;
			}
		}
	}
	pm->owner[slot] = (uint32_t)cur->idx;
	pm->procs[cur->idx].count++;
	pm->st.found++;
	return 0;
}

/* The owners in @n records of one run, in the /proc scan's order (likely
 * owners by uid first, then the rest; pid order within each, fd order
 * within a process) so a socket held by several processes gets the owner
 * the /proc scan would give it.  @seen as in struct bpf_cursor.  0 or
 * -ENOMEM. */
static int bpf_records(struct procmap *pm, const struct ownbpf_rec *rec, size_t n,
		       struct u64map *seen)
{
	int ret;

	for (int pass = 0; pass < 2 && pm->st.found < pm->st.wanted; pass++) {
		struct bpf_cursor cur = { 0, -1, seen };

		if (pass == 1)
			pm->st.passes = 2;
		for (size_t i = 0; i < n && pm->st.found < pm->st.wanted; i++) {
			/* At 1M sockets the table is 16 MB: each probe would
			 * wait for memory; ask for the slots a few records on. */
			if (i + PREFETCH_AHEAD < n)
				procmap_touch(pm, (uint32_t)rec[i + PREFETCH_AHEAD].ino);
			if (uid_first(pm, rec[i].uid) != (pass == 0))
				continue;
			if ((ret = bpf_take(pm, &rec[i], &cur)) < 0)
				return ret;
		}
	}
	return 0;
}

/* The wanted inodes still without an owner, for the kernel's filter (the
 * caller checked they are few).  0 or -ENOMEM. */
static int bpf_missing(const struct procmap *pm, uint32_t **out, size_t *n)
{
	size_t k = 0;

	*out = malloc((pm->st.wanted - pm->st.found) * sizeof(**out) + 1);
	if (!*out)
		return -ENOMEM;
	for (size_t i = 0; i <= pm->mask; i++)
		if (pm->inode[i] && pm->owner[i] == NO_OWNER)
			(*out)[k++] = pm->inode[i];
	*n = k;
	return 0;
}

/* One run of @ob for the wanted inodes still unowned (filtered in the
 * kernel when they are few), its records taken as bpf_records() does.
 * 0 or -errno. */
static int bpf_run_missing(struct procmap *pm, struct ownbpf *ob, struct u64map *seen)
{
	struct ownbpf_rec *rec = NULL;
	uint32_t *want = NULL;
	size_t nwant = 0, n = 0;
	int ret;

	if (ownbpf_filters(pm->st.wanted - pm->st.found) &&
	    (ret = bpf_missing(pm, &want, &nwant)) < 0)
		return ret;
	ret = ownbpf_run(ob, want, nwant, &rec, &n);
	if (ret == 0 && pm->st.bpf_runs == 0) {
		for (size_t i = 0; i < n; i++)
			if (i == 0 || rec[i].tgid != rec[i - 1].tgid)
				pm->st.scanned++;
		pm->st.procs = pm->st.scanned;
		pm->st.links = n;
	}
	if (ret == 0) {
		pm->st.bpf_runs++;
		pm->st.bpf_filtered |= nwant > 0;
		ret = bpf_records(pm, rec, n, seen);
	}
	free(want);
	free(rec);
	return ret;
}

/* The owners from the BPF iterator: from the prefetch's run if there is
 * one (made while the caller dumped its sockets), then one more run for
 * the wanted inodes it did not see (sockets made meanwhile; those held by
 * no process cost that run too), so every socket of the dump gets the
 * owner a scan after the dump finds, as the /proc scan's.  Without a
 * prefetch, one run after loading.  Then each owner's comm and cgroup
 * from @dir as the /proc scan reads them.  0 or -errno. */
static int bpf_scan(struct procmap *pm, const char *dir)
{
	struct ownbpf *ob = NULL;
	struct ownbpf_rec *rec = NULL;
	struct u64map *seen = NULL;
	size_t n = 0;
	int ret;

	if (ownbpf_prefetch_take(&ob, &rec, &n, &ret)) {
		if (ret < 0)
			goto out;
		pm->st.bpf = true;
		pm->st.bpf_runs = 1;
		for (size_t i = 0; i < n; i++)
			if (i == 0 || rec[i].tgid != rec[i - 1].tgid)
				pm->st.scanned++;
		pm->st.procs = pm->st.scanned;
		pm->st.links = n;
		pm->st.passes = 1;
		if ((ret = bpf_records(pm, rec, n, NULL)) < 0)
			goto out;
		if (pm->st.found < pm->st.wanted) {
			if (!(seen = u64map_new(pm->nprocs + 16))) {
				ret = -ENOMEM;
				goto out;
			}
			for (size_t i = 0; i < pm->nprocs; i++) {
				uint64_t *at = u64map_slot(seen, (uint64_t)pm->procs[i].pid, NULL);

				if (!at) {
					ret = -ENOMEM;
					goto out;
				}
				*at = i;
			}
			if ((ret = bpf_run_missing(pm, ob, seen)) < 0)
				goto out;
		}
	} else {
		if ((ret = ownbpf_open(&ob)) < 0)
			goto out;
		pm->st.bpf = true;
		pm->st.passes = 1;
		if ((ret = bpf_run_missing(pm, ob, NULL)) < 0)
			goto out;
	}
	for (size_t i = 0; i < pm->nprocs; i++)
		if ((ret = proc_read(dir, &pm->procs[i])) < 0)
			goto out;
out:
	ownbpf_close(ob);
	u64map_delete(seen);
	free(rec);
	return ret;
}

/* A prefetch allowed but not started: procmap_prefetch_go() starts it.
 * One run of portstat, one thread that asks: this file's. */
static bool armed;

bool procmap_prefetch(bool run)
{
	enum procmap_backend b;
	struct rlimit rl;

	armed = false;
	/* On one CPU a thread only adds its own cost; with a low fd limit
	 * its fds (loading takes several) could be the dump's. */
	if (procmap_backend_parse(getenv("PORTSTAT_OWNERS"), &b) < 0 || b == PROCMAP_PROC ||
	    sysconf(_SC_NPROCESSORS_ONLN) < 2 ||
	    getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < 256)
		return false;
	if (run)
		return ownbpf_prefetch_start(true) == 0;
	armed = true;
	return true;
}

void procmap_prefetch_go(void)
{
	/* The thread starts here, not at procmap_prefetch(): a run that
	 * wants no owner (leaks on a healthy host) pays nothing. */
	if (armed) {
		armed = false;
		ownbpf_prefetch_start(true);
	}
}

void procmap_prefetch_end(void)
{
	armed = false;
	ownbpf_prefetch_end();
}

int procmap_scan(struct procmap *pm, const char *proc_root)
{
	struct pids first = { 0 }, later = { 0 };
	int ret;

	pm->st.passes = 0;
	pm->st.complete = pm->st.found == pm->st.wanted;
	if (pm->st.complete)
		return 0;
	if (strlen(proc_root) > PATH_MAX - 32)
		return -ENAMETOOLONG;
	/* The iterator sees this kernel's processes: only a scan of the real
	 * /proc can be answered by it (tests scan trees of their own). */
	pm->st.bpf = false;
	pm->st.bpf_error = 0;
	if (pm->backend != PROCMAP_PROC && strcmp(proc_root, "/proc") == 0) {
		ret = bpf_scan(pm, proc_root);
		if (ret < 0)
			pm->st.bpf_error = ret;
		/* Any failure to run it (privilege, BTF, and also a low fd
		 * limit: loading takes several fds, the /proc scan one) falls
		 * back; a failure once its records are in is the scan's. */
		if (ret == 0 || pm->st.bpf || pm->backend == PROCMAP_BPF)
			goto out;
	}
	ret = pids_read(pm, proc_root, &first, &later);
	if (ret < 0)
		goto out;
	pm->st.passes = 1;
	for (size_t i = 0; i < first.n && pm->st.found < pm->st.wanted; i++)
		if ((ret = scan_pid(pm, proc_root, first.v[i])) < 0)
			goto out;
	/* The likely owners did not hold every wanted socket: try the rest. */
	for (size_t i = 0; i < later.n && pm->st.found < pm->st.wanted; i++) {
		pm->st.passes = 2;
		if ((ret = scan_pid(pm, proc_root, later.v[i])) < 0)
			goto out;
	}
out:
	pm->st.complete = pm->st.found == pm->st.wanted;
	free(first.v);
	free(later.v);
	return ret;
}

const struct procmap_proc *procmap_lookup(const struct procmap *pm, uint32_t inode)
{
	long i = procmap_index(pm, inode);

	return i < 0 ? NULL : &pm->procs[i];
}

long procmap_index(const struct procmap *pm, uint32_t inode)
{
	long slot;

	if (inode == 0 || (slot = find(pm, inode)) < 0 || pm->owner[slot] == NO_OWNER)
		return -1;
	return (long)pm->owner[slot];
}

size_t procmap_nprocs(const struct procmap *pm)
{
	return pm->nprocs;
}

const struct procmap_proc *procmap_proc(const struct procmap *pm, size_t i)
{
	return i < pm->nprocs ? &pm->procs[i] : NULL;
}

const struct procmap_stats *procmap_stats(const struct procmap *pm)
{
	return &pm->st;
}

bool procmap_is_limit(int ret)
{
	return ret < 0 && out_of_resources(-ret);
}

void procmap_limit_message(char *buf, size_t len, const char *what, int ret)
{
	const char *hint = ret == -EMFILE ? " (raise the fd limit: ulimit -n)" :
			   ret == -ENFILE ? " (the system-wide limit: sysctl fs.file-max)" : "";

	snprintf(buf, len, "cannot read %s: %s%s", what, strerror(-ret), hint);
}

void procmap_backend_note(char *buf, size_t len, bool bpf, int bpf_error)
{
	const char *o = getenv("PORTSTAT_OWNERS");

	if (!bpf && bpf_error < 0 && o && strcmp(o, "bpf") == 0)
		snprintf(buf, len, "owners unknown (\"?\"): PORTSTAT_OWNERS=bpf but the BPF "
			 "iterator did not load: %s", bpf_error == -ESRCH ? "no usable kernel BTF" :
			 strerror(-bpf_error));
	else if (bpf)
		snprintf(buf, len, "owners from the BPF task_file iterator");
	else if (bpf_error == -EOPNOTSUPP)
		snprintf(buf, len, "owners from /proc: the BPF iterator is not built in, or "
			 "this runs inside a PID namespace");
	else if (bpf_error < 0)
		snprintf(buf, len, "owners from /proc: the BPF iterator did not load: %s%s",
			 /* libbpf's "not found": no readable vmlinux BTF, or one
			  * without the iterator's attach point. */
			 bpf_error == -ESRCH ? "no usable kernel BTF" : strerror(-bpf_error),
			 bpf_error == -EPERM ? " (needs CAP_BPF and CAP_PERFMON, or root)" :
			 bpf_error == -ESRCH ? " (/sys/kernel/btf/vmlinux missing, unreadable, or "
					       "without the task_file iterator)" : "");
	else
		snprintf(buf, len, "owners from /proc");
}

bool procmap_backend_wanted(int bpf_error)
{
	const char *d = getenv("PORTSTAT_DEBUG"), *o = getenv("PORTSTAT_OWNERS");

	if (d && *d && strcmp(d, "0") != 0)
		return true;
	return bpf_error < 0 && o && strcmp(o, "bpf") == 0;
}

bool procmap_note(char *buf, size_t len, bool no_proc, uint64_t unknown, unsigned long denied)
{
	buf[0] = '\0';
	if (no_proc)
		snprintf(buf, len, "owners unknown (\"?\"): /proc could not be read");
	else if (unknown && denied)
		snprintf(buf, len, "owners of %llu socket%s unknown (\"?\"): %lu process%s of "
			 "other users cannot be inspected without root (CAP_SYS_PTRACE); "
			 "counts are exact",
			 (unsigned long long)unknown, unknown == 1 ? "" : "s", denied,
			 denied == 1 ? "" : "es");
	return buf[0] != '\0';
}
