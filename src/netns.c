/* SPDX-License-Identifier: MIT */
/*
 * netns: enumeration of network namespaces, and the checked opening of one
 * named by -N.  A namespace is identified by the (device, inode) of its
 * nsfs file, which is what both /run/netns/NAME bind mounts and
 * /proc/PID/ns/net links resolve to.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

#include "netns.h"

struct list {
	struct netns_entry *v;
	size_t n, cap;
};

static struct netns_entry *list_find(struct list *l, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].dev == dev && l->v[i].ino == ino)
			return &l->v[i];
	return NULL;
}

static bool list_label(const struct list *l, const char *label)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].label, label) == 0)
			return true;
	return false;
}

static int list_add(struct list *l, const struct stat *st, const char *label,
		    const char *path)
{
	struct netns_entry *e;

	if (list_find(l, st->st_dev, st->st_ino))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct netns_entry *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->label, sizeof(e->label), "%s", label);
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_named(struct list *l, dev_t nsfs)
{
	DIR *d = opendir("/run/netns");
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (!d)	/* none (ENOENT), unless we ran out of fds or memory */
		return errno == EMFILE || errno == ENFILE || errno == ENOMEM ? -errno : 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn) {
				ret = -ENOMEM;
				goto out;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			ret = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (n)	/* qsort(NULL, 0, ...) is undefined */
		qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n && ret == 0; i++) {
		char path[300];
		struct stat st;

		snprintf(path, sizeof(path), "/run/netns/%s", names[i]);
		/* A name whose namespace is gone leaves an empty file on
		 * /run's filesystem instead of an nsfs inode. */
		if (stat(path, &st) == 0 && st.st_dev == nsfs)
			ret = list_add(l, &st, names[i], path);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

static void read_comm(const char *pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	f = fopen(path, "re");
	if (!f || !fgets(comm, (int)len, f))
		snprintf(comm, len, "?");
	else
		comm[strcspn(comm, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* A process and when it started (clock ticks after boot; UINT64_MAX when
 * it could not be read: it exited, and sorts last). */
struct proc_age {
	unsigned long long start;
	long pid;
	struct stat ns;		/* its /proc/PID/ns/net */
};

/* /proc/PID/stat's starttime: the 20th field after the ')' that ends the
 * command name (a name may hold ')' and spaces: the last one counts). */
static unsigned long long read_start(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = ULLONG_MAX;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return start;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return start;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	for (int field = 0; p && field < 20; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

static int cmp_age(const void *a, const void *b)
{
	const struct proc_age *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int add_held(struct list *l)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct proc_age *pids = NULL;
	size_t n = 0, cap = 0;
	char nspath[64];
	int ret = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			struct proc_age *np = realloc(pids, (cap = cap ? cap * 2 : 256) * sizeof(*np));

			if (!np) {
				ret = -ENOMEM;
				goto out;
			}
			pids = np;
		}
		pids[n].pid = strtol(de->d_name, NULL, 10);
		/* Only processes of a namespace not yet listed (by name, or
		 * ours) can label one: the others' start is not read. */
		snprintf(nspath, sizeof(nspath), "/proc/%ld/ns/net", pids[n].pid);
		if (stat(nspath, &pids[n].ns) < 0 ||	/* exited, or not ours to see */
		    list_find(l, pids[n].ns.st_dev, pids[n].ns.st_ino))
			continue;
		pids[n].start = read_start(pids[n].pid);
		n++;
	}
	/* Oldest first: the label names the oldest holder, usually the
	 * container's init.  By start time, not pid: pids wrap around
	 * (pid_max), and a child's pid can be lower than its parent's. */
	if (n)
		qsort(pids, n, sizeof(*pids), cmp_age);
	for (size_t i = 0; i < n && ret == 0; i++) {
		char path[300], pid[24], comm[64], label[128];
		const struct stat *st = &pids[i].ns;
		struct holder h;

		snprintf(pid, sizeof(pid), "%ld", pids[i].pid);
		snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
		/* An older holder of the same namespace labelled it. */
		if (list_find(l, st->st_dev, st->st_ino))
			continue;
		/* A container's label outlives its processes' pids; two
		 * namespaces of one container (nested) keep pid labels, so
		 * labels stay unique. */
		if (holder_read((pid_t)pids[i].pid, &h) == 0) {
			snprintf(label, sizeof(label), "container:%s", h.container);
			if (!list_label(l, label)) {
				ret = list_add(l, st, label, path);
				if (ret == 0)
					l->v[l->n - 1].holder = h;
				continue;
			}
		}
		read_comm(pid, comm, sizeof(comm));
		snprintf(label, sizeof(label), "pid:%s/%s", pid, comm);
		ret = list_add(l, st, label, path);
	}
out:
	free(pids);
	closedir(d);
	return ret;
}

int netns_list(struct netns_entry **out, size_t *n)
{
	struct list l = { 0 };
	struct stat st, self;
	int ret = 0;

	if (stat("/proc/self/ns/net", &self) < 0)
		return -errno;

	/* The host's namespace is init's, or kthreadd's: kernel threads
	 * always live in the initial namespaces, and some sandboxes hide
	 * PID 1's.  Without either (unprivileged, other users' /proc/PID/ns
	 * are not ours to read), our own comes first as "self". */
	if (stat("/proc/1/ns/net", &st) == 0)
		ret = list_add(&l, &st, "host", "/proc/1/ns/net");
	else if (stat("/proc/2/ns/net", &st) == 0)
		ret = list_add(&l, &st, "host", "/proc/2/ns/net");
	else
		ret = list_add(&l, &self, "self", "/proc/self/ns/net");
	if (ret == 0)
		ret = add_named(&l, self.st_dev);
	if (ret == 0)
		ret = add_held(&l);
	if (ret < 0) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

/* @netns as it goes into a message: a path of thousands of bytes is cut. */
static void shown(char *buf, size_t len, const char *netns)
{
	size_t n = strlen(netns);

	if (n < 80)
		snprintf(buf, len, "%s", netns);
	else
		snprintf(buf, len, "%.64s... (%zu bytes)", netns, n);
}

/* What a file that is not an nsfs file is, for the message. */
static const char *file_kind(mode_t mode)
{
	return S_ISFIFO(mode) ? "a FIFO" : S_ISDIR(mode) ? "a directory" :
	       S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : S_ISSOCK(mode) ? "a socket" :
	       S_ISREG(mode) ? "a plain file, not a namespace file (nsfs)" : "not a namespace file";
}

static const char *ns_kind(int type)
{
	switch (type) {
	case CLONE_NEWNS:	return "mount";
	case CLONE_NEWUTS:	return "UTS";
	case CLONE_NEWIPC:	return "IPC";
	case CLONE_NEWUSER:	return "user";
	case CLONE_NEWPID:	return "PID";
	case CLONE_NEWCGROUP:	return "cgroup";
#ifdef CLONE_NEWTIME
	case CLONE_NEWTIME:	return "time";
#endif
	default:		return "another kind of";
	}
}

int netns_open(const char *netns, char *err, size_t errlen)
{
	char path[PATH_MAX], name[160];
	struct statfs sfs;
	struct stat st;
	int fd, type, e;

	shown(name, sizeof(name), netns);
	if (strchr(netns, '/')) {
		if (strlen(netns) >= sizeof(path)) {
			snprintf(err, errlen, "network namespace path '%s' is too long (at most %zu bytes)",
				 name, sizeof(path) - 1);
			return -ENAMETOOLONG;
		}
		memcpy(path, netns, strlen(netns) + 1);
	} else {
		if (!*netns || strcmp(netns, ".") == 0 || strcmp(netns, "..") == 0) {
			snprintf(err, errlen, "invalid network namespace name '%s'", name);
			return -EINVAL;
		}
		if ((size_t)snprintf(path, sizeof(path), "/run/netns/%s", netns) >= sizeof(path)) {
			snprintf(err, errlen, "network namespace name '%s' is too long", name);
			return -ENAMETOOLONG;
		}
	}
	/* Looked at before it is opened: opening a device can act on it. */
	if (stat(path, &st) < 0) {
		e = errno;
		if (e == ENOENT && !strchr(netns, '/'))
			snprintf(err, errlen, "no network namespace '%s' (nothing at /run/netns/%s)",
				 name, name);
		else
			snprintf(err, errlen, "cannot open network namespace '%s': %s", name,
				 strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "'%s' is not a network namespace: it is %s", name,
			 file_kind(st.st_mode));
		return -EINVAL;
	}
	/* O_NONBLOCK: should it have become a FIFO meanwhile, open() must
	 * not wait for a writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open network namespace '%s': %s", name, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open network namespace '%s': %s", name, strerror(e));
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode) || sfs.f_type != NSFS_MAGIC) {
		/* /run/netns/NAME is such a plain file between 'ip netns add'
		 * creating it and bind-mounting the namespace on it, and
		 * between 'ip netns del' unmounting and unlinking it. */
		snprintf(err, errlen, "'%s' is not a network namespace: it is %s", name,
			 file_kind(S_ISREG(st.st_mode) ? S_IFREG : st.st_mode));
		close(fd);
		return -EINVAL;
	}
	/* Kernels before 4.11 cannot tell (ENOTTY): setns() checks then. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != CLONE_NEWNET) {
		snprintf(err, errlen, "'%s' is not a network namespace: it is a %s namespace",
			 name, ns_kind(type));
		close(fd);
		return -EINVAL;
	}
	return fd;
}
