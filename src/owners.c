/* SPDX-License-Identifier: MIT */
/*
 * owners: per-process and per-cgroup rows of one sample.
 *
 * --by process collects the counted sockets' (inode, uid, state) during
 * the dump and asks procmap for all the inodes at once after it: one scan
 * of /proc, stopped as soon as every inode has an owner.  --by cgroup
 * counts straight into one row per cgroup id (a u64map from id to row),
 * then walks the cgroup2 tree once, stopping when every id has a path; on
 * cgroup2 (kernfs) a directory's inode number is its cgroup id on 64-bit
 * hosts, which is what the kernel reports.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "owners.h"
#include "procmap.h"
#include "u64map.h"

/* Deeper cgroup trees than this are not walked (systemd's are < 10). */
#define CGROUP_DEPTH	32

struct osock {
	uint32_t inode;
	uint32_t uid;
	uint8_t state;
};

struct owners {
	enum owners_kind kind;
	struct owner_row *rows;
	size_t nrows, rows_cap;
	struct u64map *index;		/* cgroup id, or owner code -> row */
	struct osock *socks;		/* --by process, until resolved */
	size_t nsocks, socks_cap;
	uint64_t none[TCP_STATE_MAX + 1];	/* sockets without an owner */
	struct owners_stats st;
	char err[256];			/* why owners_resolve() failed */
};

int owners_new(struct owners **out, enum owners_kind kind)
{
	struct owners *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->kind = kind;
	o->index = u64map_new(64);
	if (!o->index) {
		free(o);
		return -ENOMEM;
	}
	*out = o;
	return 0;
}

static void rows_free(struct owners *o)
{
	for (size_t i = 0; i < o->nrows; i++)
		free(o->rows[i].cgroup);
	o->nrows = 0;
}

void owners_delete(struct owners *o)
{
	if (!o)
		return;
	rows_free(o);
	free(o->rows);
	free(o->socks);
	u64map_delete(o->index);
	free(o);
}

enum owners_kind owners_kind(const struct owners *o)
{
	return o->kind;
}

void owners_clear(struct owners *o)
{
	rows_free(o);
	u64map_clear(o->index);
	o->nsocks = 0;
	memset(o->none, 0, sizeof(o->none));
	memset(&o->st, 0, sizeof(o->st));
	o->err[0] = '\0';
}

static struct owner_row *row_new(struct owners *o)
{
	struct owner_row *r;

	if (o->nrows == o->rows_cap) {
		size_t cap = o->rows_cap ? 2 * o->rows_cap : 16;

		r = realloc(o->rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		o->rows = r;
		o->rows_cap = cap;
	}
	r = &o->rows[o->nrows++];
	memset(r, 0, sizeof(*r));
	return r;
}

static int add_cgroup(struct owners *o, const struct sock_rec *rec)
{
	bool created;
	uint64_t *slot;
	struct owner_row *r;

	if (!rec->cgroup_id) {
		o->none[rec->state]++;
		return 0;
	}
	slot = u64map_slot(o->index, rec->cgroup_id, &created);
	if (!slot)
		return -ENOMEM;
	if (created) {
		r = row_new(o);
		if (!r)
			return -ENOMEM;	/* the sample is abandoned */
		*slot = o->nrows - 1;
		r->who = OWNER_CGROUP;
		r->cgroup_id = rec->cgroup_id;
	}
	r = &o->rows[*slot];
	r->n[rec->state]++;
	r->total++;
	return 0;
}

static int add_process(struct owners *o, const struct sock_rec *rec)
{
	if (!rec->inode) {
		o->none[rec->state]++;
		return 0;
	}
	if (o->nsocks == o->socks_cap) {
		size_t cap = o->socks_cap ? 2 * o->socks_cap : 1024;
		struct osock *s = realloc(o->socks, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		o->socks = s;
		o->socks_cap = cap;
	}
	o->socks[o->nsocks++] = (struct osock){ .inode = rec->inode, .uid = rec->uid,
						.state = rec->state };
	return 0;
}

int owners_add(struct owners *o, const struct sock_rec *rec)
{
	return o->kind == OWNERS_CGROUP ? add_cgroup(o, rec) : add_process(o, rec);
}

/* ---- --by process ------------------------------------------------------ */

/* Row codes in the index: procmap's owner index + CODE_PROC. */
enum { CODE_UNKNOWN, CODE_PROC };

static int resolve_processes(struct owners *o, const char *proc_root)
{
	struct procmap *pm = NULL;
	int ret = 0;

	if (o->nsocks) {
		if (procmap_new(&pm, o->nsocks) < 0)
			return -ENOMEM;
		for (size_t i = 0; i < o->nsocks; i++)
			procmap_want(pm, o->socks[i].inode, o->socks[i].uid);
		ret = procmap_scan(pm, proc_root);
		o->st.bpf = procmap_stats(pm)->bpf;
		o->st.bpf_error = procmap_stats(pm)->bpf_error;
		if (procmap_is_limit(ret)) {
			/* Out of fds or memory: the owners would be wrong,
			 * which is a failure, not "unknown". */
			procmap_limit_message(o->err, sizeof(o->err), "owners", ret);
			goto out;
		}
		if (ret < 0) {
			/* No /proc is data (owners unknown), not a failure. */
			o->st.no_proc = true;
			procmap_delete(pm);
			pm = NULL;
			ret = 0;
		} else {
			o->st.denied = procmap_stats(pm)->denied;
		}
	}
	for (size_t i = 0; i < o->nsocks; i++) {
		const struct osock *s = &o->socks[i];
		long idx;
		uint64_t code, *slot;
		bool created;
		struct owner_row *r;

		if (pm && i + 8 < o->nsocks)	/* the table outgrows the cache */
			procmap_touch(pm, o->socks[i + 8].inode);
		idx = pm ? procmap_index(pm, s->inode) : -1;
		code = idx < 0 ? CODE_UNKNOWN : (uint64_t)idx + CODE_PROC;
		slot = u64map_slot(o->index, code, &created);

		if (!slot) {
			ret = -ENOMEM;
			goto out;
		}
		if (created) {
			r = row_new(o);
			if (!r) {
				ret = -ENOMEM;
				goto out;
			}
			*slot = o->nrows - 1;
			if (code == CODE_UNKNOWN) {
				r->who = OWNER_UNKNOWN;
				snprintf(r->comm, sizeof(r->comm), "%s", OWNERS_COMM_UNKNOWN);
			} else {
				const struct procmap_proc *pp = procmap_proc(pm, (size_t)idx);

				r->who = OWNER_PROCESS;
				r->pid = pp->pid;
				memcpy(r->comm, pp->comm, sizeof(r->comm));
				if (pp->cgroup[0] && !(r->cgroup = strdup(pp->cgroup))) {
					ret = -ENOMEM;
					goto out;
				}
			}
		}
		r = &o->rows[*slot];
		r->n[s->state]++;
		r->total++;
		if (code == CODE_UNKNOWN)
			o->st.unknown++;
	}
out:
	procmap_delete(pm);
	return ret;
}

/* ---- --by cgroup ------------------------------------------------------- */

/* The ids a walk looks for. */
struct cgwalk {
	struct u64map *want;	/* id -> index in paths */
	char **paths;
	size_t unresolved;
};

static int set_path(struct cgwalk *w, uint64_t id, const char *path)
{
	uint64_t at;

	if (!u64map_get(w->want, id, &at) || w->paths[at])
		return 0;
	w->paths[at] = strdup(path);
	if (!w->paths[at])
		return -ENOMEM;
	w->unresolved--;
	return 0;
}

/* A subdirectory met by walk(), kept until its siblings are all read. */
struct cgchild {
	char *name;
	uint64_t id;
};

/* The subdirectories of the open directory @d into *@out (*@n of them):
 * the directory is read whole so it can be closed before any of them is
 * walked.  0, or -ENOMEM. */
static int children_read(DIR *d, struct cgchild **out, size_t *n)
{
	struct cgchild *v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOMEM)
				goto nomem;
			continue;	/* removed meanwhile */
		}
		if (!S_ISDIR(st.st_mode))
			continue;	/* not a cgroup */
		if (*n == cap) {
			struct cgchild *nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*nv));

			if (!nv)
				goto nomem;
			v = nv;
		}
		v[*n].name = strdup(de->d_name);
		if (!v[*n].name)
			goto nomem;
		v[(*n)++].id = (uint64_t)st.st_ino;
	}
	*out = v;
	return 0;
nomem:
	for (size_t i = 0; i < *n; i++)
		free(v[i].name);
	free(v);
	*n = 0;
	return -ENOMEM;
}

/*
 * Depth-first over the directories under @path (a PATH_MAX buffer holding
 * @plen bytes: the mount point, @rootlen bytes of it, then the path below
 * it).  Each directory is read and closed before its children are walked,
 * so the walk holds one file descriptor at a time whatever the depth.
 * 0, or -EMFILE, -ENFILE, -ENOMEM.
 */
static int walk(struct cgwalk *w, char *path, size_t rootlen, size_t plen, int depth)
{
	struct cgchild *kids = NULL;
	size_t nkids = 0;
	int fd, ret;
	DIR *d;

	fd = open(plen ? path : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)	/* gone or unreadable: its ids stay unresolved */
		return procmap_is_limit(-errno) ? -errno : 0;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return procmap_is_limit(ret) ? ret : 0;
	}
	ret = children_read(d, &kids, &nkids);
	closedir(d);
	for (size_t i = 0; ret == 0 && i < nkids && w->unresolved; i++) {
		size_t nlen = strlen(kids[i].name);

		if (plen + 1 + nlen + 1 > PATH_MAX)
			continue;
		path[plen] = '/';
		memcpy(path + plen + 1, kids[i].name, nlen + 1);
		ret = set_path(w, kids[i].id, path + rootlen);
		if (ret == 0 && depth < CGROUP_DEPTH)
			ret = walk(w, path, rootlen, plen + 1 + nlen, depth + 1);
		path[plen] = '\0';
	}
	for (size_t i = 0; i < nkids; i++)
		free(kids[i].name);
	free(kids);
	return ret;
}

/*
 * The paths of cgroup ids @ids[0..@n) under @root (NULL: the cgroup2
 * mount found in /proc/self/mountinfo, *@no_fs set when there is none; "":
 * do not resolve) into @paths (@n NULLs on entry): malloc'd "/a/b" ("/"
 * for the root), or "id:N" where no directory has the id.  One walk of
 * the tree, stopped when every id is found.  0, or -ENOMEM (paths filled
 * so far are the caller's to free).
 */
static int cgroup_paths(const char *root, const uint64_t *ids, size_t n, char **paths,
			bool *no_fs)
{
	char mount[PATH_MAX], path[PATH_MAX];
	struct cgwalk w = { .paths = paths };
	struct stat st;
	size_t rootlen;
	int ret = 0;

	*no_fs = false;
	if (!n)
		return 0;
	w.want = u64map_new(n);
	if (!w.want)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool created;
		uint64_t *slot = u64map_slot(w.want, ids[i], &created);

		if (!slot) {
			ret = -ENOMEM;
			goto out;
		}
		if (created) {
			*slot = i;
			w.unresolved++;
		}
	}
	if (!root) {
		ret = owners_cgroup_mount("/proc/self/mountinfo", mount, sizeof(mount));
		/* Unable to read mountinfo is not "no cgroup2 mounted". */
		if (procmap_is_limit(ret))
			goto out;
		*no_fs = ret < 0;
		ret = 0;
		root = *no_fs ? "" : mount;
	}
	/* The mount point without trailing slashes ("/" becomes ""), so the
	 * path below it can be appended. */
	rootlen = strlen(root);
	while (rootlen && root[rootlen - 1] == '/')
		rootlen--;
	if (*root && rootlen < sizeof(path)) {
		if (stat(root, &st) < 0) {
			if (errno == ENOMEM) {
				ret = -ENOMEM;
				goto out;
			}
		} else if (S_ISDIR(st.st_mode)) {
			memcpy(path, root, rootlen);
			path[rootlen] = '\0';
			ret = set_path(&w, (uint64_t)st.st_ino, "/");
			if (ret == 0)
				ret = walk(&w, path, rootlen, rootlen, 0);
			if (ret < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t at;
		char id[32];

		if (paths[i])
			continue;
		/* an id asked for twice: the first one's path */
		u64map_get(w.want, ids[i], &at);
		if (paths[at])
			paths[i] = strdup(paths[at]);
		else {
			snprintf(id, sizeof(id), "id:%" PRIu64, ids[i]);
			paths[i] = strdup(id);
		}
		if (!paths[i]) {
			ret = -ENOMEM;
			goto out;
		}
	}
out:
	u64map_delete(w.want);
	return ret;
}

/* The paths of the rows' cgroup ids (--by cgroup). */
static int resolve_cgroups(struct owners *o, const char *root)
{
	uint64_t *ids;
	size_t *at, n = 0;
	char **paths;
	int ret;

	if (!o->nrows)
		return 0;
	ids = malloc(o->nrows * sizeof(*ids));
	at = malloc(o->nrows * sizeof(*at));
	paths = calloc(o->nrows, sizeof(*paths));
	if (!ids || !at || !paths) {
		free(ids);
		free(at);
		free(paths);
		return -ENOMEM;
	}
	for (size_t i = 0; i < o->nrows; i++)
		if (o->rows[i].cgroup_id) {
			ids[n] = o->rows[i].cgroup_id;
			at[n++] = i;
		}
	ret = cgroup_paths(root, ids, n, paths, &o->st.no_cgroupfs);
	if (procmap_is_limit(ret))
		procmap_limit_message(o->err, sizeof(o->err), "cgroups", ret);
	/* the rows own the strings, also those of a failed call */
	for (size_t i = 0; i < n; i++)
		o->rows[at[i]].cgroup = paths[i];
	free(paths);
	free(at);
	free(ids);
	return ret;
}

int owners_resolve(struct owners *o, const char *proc_root, const char *cgroup_root)
{
	int ret = 0;
	bool any = false;
	struct owner_row *r;

	if (o->kind == OWNERS_PROCESS)
		ret = resolve_processes(o, proc_root ? proc_root : "/proc");
	if (ret == 0)
		ret = resolve_cgroups(o, cgroup_root);
	if (ret < 0)
		return ret;
	for (int s = 0; s <= TCP_STATE_MAX; s++)
		any |= o->none[s] != 0;
	if (!any)
		return 0;
	r = row_new(o);
	if (!r)
		return -ENOMEM;
	r->who = OWNER_NONE;
	snprintf(r->comm, sizeof(r->comm), "%s", OWNERS_COMM_NONE);
	for (int s = 0; s <= TCP_STATE_MAX; s++) {
		r->n[s] = (uint32_t)o->none[s];
		r->total += o->none[s];
	}
	return 0;
}

const char *owners_error(const struct owners *o)
{
	return o->err;
}

size_t owners_nrows(const struct owners *o)
{
	return o->nrows;
}

const struct owner_row *owners_row(const struct owners *o, size_t i)
{
	return &o->rows[i];
}

const struct owners_stats *owners_stats(const struct owners *o)
{
	return &o->st;
}

/* ---- order ------------------------------------------------------------- */

static uint64_t sort_value(const struct owner_row *r, const struct table_sort *sort)
{
	return sort->key == TABLE_SORT_STATE ? r->n[sort->state] : r->total;
}

/* Rows with an owner first, then by pid or path. */
static int key_cmp(const struct owner_row *a, const struct owner_row *b)
{
	bool oa = a->who == OWNER_PROCESS || a->who == OWNER_CGROUP;
	bool ob = b->who == OWNER_PROCESS || b->who == OWNER_CGROUP;

	if (oa != ob)
		return oa ? -1 : 1;
	if (!oa)
		return a->who == OWNER_UNKNOWN ? -1 : b->who == OWNER_UNKNOWN;
	if (a->who == OWNER_CGROUP)
		return strcmp(a->cgroup, b->cgroup);	/* both resolved: never NULL */
	return a->pid < b->pid ? -1 : a->pid > b->pid;
}

static int row_cmp(const void *pa, const void *pb, void *arg)
{
	const struct owner_row *a = *(const struct owner_row *const *)pa;
	const struct owner_row *b = *(const struct owner_row *const *)pb;
	const struct table_sort *sort = arg;

	if (sort->key != TABLE_SORT_PORT) {
		uint64_t va = sort_value(a, sort), vb = sort_value(b, sort);

		if (va != vb)
			return va < vb ? 1 : -1;
	}
	return key_cmp(a, b);
}

void owners_sorted(const struct owners *o, const struct table_sort *sort,
		   const struct owner_row **out)
{
	for (size_t i = 0; i < o->nrows; i++)
		out[i] = &o->rows[i];
	if (o->nrows)	/* qsort_r(NULL, 0, ...) is undefined */
		qsort_r(out, o->nrows, sizeof(*out), row_cmp, (void *)sort);
}

/* ---- the cgroup2 mount ------------------------------------------------- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

int owners_cgroup_mount(const char *mountinfo, char *buf, size_t len)
{
	FILE *f = fopen(mountinfo, "re");
	char *line = NULL;
	size_t cap = 0;
	int ret = -ENOENT;

	if (!f)	/* EMFILE, ENFILE, ENOMEM are not "none mounted" */
		return procmap_is_limit(-errno) ? -errno : -ENOENT;
	errno = 0;
	while (getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE ... */
		char *sep = strstr(line, " - "), *save = NULL, *root = NULL, *mp = NULL, *fstype;
		char *tok = strtok_r(line, " ", &save);

		for (int i = 0; tok && i < 4; i++) {
			root = mp;
			tok = mp = strtok_r(NULL, " ", &save);
		}
		if (!sep || !mp || mp > sep)
			continue;
		fstype = strtok_r(sep + 3, " ", &save);
		if (!fstype || strcmp(fstype, "cgroup2") != 0)
			continue;
		/* A bind mount of a subtree would give paths relative to it:
		 * the whole tree's mount is wanted, the first other one only
		 * if there is none. */
		if (ret == 0 && strcmp(root, "/") != 0)
			continue;
		unescape(mp);
		if (strlen(mp) >= len) {
			ret = -ENAMETOOLONG;
			break;
		}
		memcpy(buf, mp, strlen(mp) + 1);
		ret = 0;
		if (strcmp(root, "/") == 0)
			break;
		errno = 0;
	}
	if (ret == -ENOENT && errno == ENOMEM)
		ret = -ENOMEM;	/* getline() could not hold a line */
	free(line);
	fclose(f);
	return ret;
}
