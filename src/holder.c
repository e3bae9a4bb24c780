/* SPDX-License-Identifier: MIT */
/*
 * holder: container and pod of a namespace's holder process, from its
 * cgroup path and UTS namespace.  The parser is a pure function over the
 * path (unit-tested with the runtimes' real path shapes); the reader does
 * the /proc and setns() work.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "holder.h"

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* A container id in one path component @c of @n bytes, or NULL. */
static const char *component_id(const char *c, size_t n)
{
	static const char *const prefix[] = { "docker-", "cri-containerd-", "crio-", "libpod-" };
	static const char scope[] = ".scope";
	size_t slen = sizeof(scope) - 1;

	if (n == 64 && all_hex(c, 64))	/* cgroupfs drivers: the bare id */
		return c;
	if (n <= slen || memcmp(c + n - slen, scope, slen) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
		size_t plen = strlen(prefix[i]);

		/* docker-<id>.scope, not crio-conmon-<id>.scope (the monitor,
		 * not the container) */
		if (n == plen + 64 + slen && memcmp(c, prefix[i], plen) == 0 &&
		    all_hex(c + plen, 64))
			return c + plen;
	}
	return NULL;
}

/* A pod UID in one component: "pod<uid>" (cgroupfs) or
 * "kubepods-<qos>-pod<uid>.slice" / "kubepods-pod<uid>.slice" (systemd,
 * dashes written as underscores).  Into @uid (37 bytes) with dashes. */
static bool component_pod(const char *c, size_t n, char *uid)
{
	const char *p = NULL;
	size_t len;

	if (n > 3 + 36 - 1 && memcmp(c, "pod", 3) == 0)
		p = c + 3;
	else if (n > 8 && memcmp(c, "kubepods", 8) == 0) {
		const char *s = c;

		for (const char *q = c; q + 3 <= c + n; q++)
			if (memcmp(q, "pod", 3) == 0 && (q == c || q[-1] == '-'))
				s = q;
		if (s != c)
			p = s + 3;
	}
	if (!p)
		return false;
	len = (size_t)(c + n - p);
	if (len > 6 && memcmp(p + len - 6, ".slice", 6) == 0)
		len -= 6;
	if (len != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		char ch = p[i] == '_' ? '-' : p[i];
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? ch != '-' : !isxdigit((unsigned char)ch))
			return false;
		uid[i] = (char)tolower((unsigned char)ch);
	}
	uid[36] = '\0';
	return true;
}

bool holder_parse_cgroup(const char *path, struct holder *h)
{
	const char *c = path;
	bool found = false;

	h->container[0] = '\0';
	h->pod_uid[0] = '\0';
	while (*c) {
		size_t n = strcspn(c, "/");
		const char *id = component_id(c, n);
		char uid[37];

		if (id) {
			memcpy(h->container, id, 12);
			h->container[12] = '\0';
			found = true;
		} else if (component_pod(c, n, uid)) {
			memcpy(h->pod_uid, uid, sizeof(uid));
		}
		c += n;
		c += *c == '/';
	}
	if (!found)
		h->pod_uid[0] = '\0';	/* a pod's own slice is not a container */
	return found;
}

struct uts_arg {
	int fd;
	char name[65];
	int err;
};

/* Joins the UTS namespace in its own thread, so the caller's stays. */
static void *uts_thread(void *p)
{
	struct uts_arg *a = p;
	struct utsname u;

	if (setns(a->fd, CLONE_NEWUTS) < 0 || uname(&u) < 0) {
		a->err = errno;
		return NULL;
	}
	snprintf(a->name, sizeof(a->name), "%s", u.nodename);
	return NULL;
}

static void read_hostname(pid_t pid, char *out, size_t len)
{
	struct uts_arg a = { .fd = -1 };
	char path[64];
	pthread_t t;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
	a.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (a.fd < 0)
		return;
	if (pthread_create(&t, NULL, uts_thread, &a) == 0) {
		pthread_join(t, NULL);
		if (!a.err)
			snprintf(out, len, "%s", a.name);
	}
	close(a.fd);
}

int holder_read(pid_t pid, struct holder *h)
{
	char path[64], line[4096];
	FILE *f;
	bool found = false;

	memset(h, 0, sizeof(*h));
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		found = holder_parse_cgroup(line + 3, h);
		break;
	}
	fclose(f);
	if (!found)
		return -ENOENT;
	read_hostname(pid, h->hostname, sizeof(h->hostname));
	return 0;
}
