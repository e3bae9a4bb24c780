/* SPDX-License-Identifier: MIT */
/*
 * outfile: the two places output goes, standard output and --write's file
 * (atomic replacement: temp + fsync + rename), each through a stdio stream
 * whose writes record the first errno, and the rules for which files
 * --write may replace.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"

/* A file --write creates: readable by node_exporter, which runs as its own
 * user, whatever the umask of the timer or cron job that runs portstat. */
#define OUTFILE_NEW_MODE	0644
#define OUTFILE_BUF		(1 << 16)
#define OUTFILE_TRIES		100

struct outfile {
	FILE *fp;
	int fd;
	int err;		/* errno of the first failed write; 0 so far */
	int dirfd;		/* the target's directory; -1 for stdout */
	char *path;		/* as given, for messages */
	char *base;		/* its last component, relative to dirfd */
	bool tmp_made;		/* tmp exists and is ours to remove */
	char tmp[NAME_MAX + 1];
	char buf[OUTFILE_BUF];
};

const char *outfile_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

/* The stream's write function: all of @n bytes or -1 with the first
 * failure's errno kept, and no write(2) again once one failed (the errno
 * of a later attempt, or of anything between, would hide the cause). */
static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
	struct outfile *f = cookie;
	size_t done = 0;

	if (f->err) {
		errno = f->err;
		return -1;
	}
	while (done < n) {
		ssize_t w = write(f->fd, buf + done, n - done);

		if (w > 0) {
			done += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* A non-blocking descriptor inherited from the caller:
			 * wait until it takes more rather than drop output. */
			struct pollfd p = { .fd = f->fd, .events = POLLOUT };

			if (poll(&p, 1, -1) >= 0 || errno == EINTR)
				continue;
		}
		f->err = w < 0 ? errno : EIO;
		errno = f->err;
		return -1;
	}
	return (ssize_t)n;
}

static int sink_open(struct outfile *f, int fd)
{
	cookie_io_functions_t io = { .write = sink_write };

	f->fd = fd;
	f->err = 0;
	f->fp = fopencookie(f, "w", io);
	if (!f->fp)
		return -errno;
	setvbuf(f->fp, f->buf, _IOFBF, sizeof(f->buf));
	return 0;
}

/* Flush @f's stream; 0 or the -errno of the first write that failed. */
static int sink_flush(struct outfile *f)
{
	if (fflush(f->fp) != 0 || ferror(f->fp))
		return -(f->err ? f->err : EIO);
	return 0;
}

static struct outfile *outfile_alloc(void)
{
	struct outfile *f = calloc(1, sizeof(*f));

	if (f) {
		f->fd = -1;
		f->dirfd = -1;
	}
	return f;
}

static void outfile_free(struct outfile *f)
{
	if (f->fp)
		fclose(f->fp);		/* the cookie stream does not own fd */
	if (f->dirfd >= 0 && f->fd >= 0)
		close(f->fd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->path);
	free(f->base);
	free(f);
}

int outfile_dir_open(const char *path, const char **base, const char *what,
		     char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	char *dir;
	int fd, ret;

	*base = slash ? slash + 1 : path;
	if (slash)
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	else
		dir = strdup(".");
	if (!dir) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* A symbolic link fails O_DIRECTORY (ENOTDIR) before O_NOFOLLOW. */
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		int e = errno;

		/* The directory named is a symbolic link.  One of root's or
		 * our own (/var/run -> /run) is the system's layout; another
		 * user's would let that user choose where root writes. */
		if (lstat(dir, &st) < 0 || !S_ISLNK(st.st_mode)) {
			errno = e;	/* not a link: the error stands */
		} else if (st.st_uid == 0 || st.st_uid == geteuid()) {
			fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		} else {
			snprintf(err, errlen, "%s '%s': its directory '%s' is a symbolic link "
				 "of another user (uid %u); name the real directory",
				 what, path, dir, (unsigned)st.st_uid);
			free(dir);
			return -ELOOP;
		}
	}
	ret = fd < 0 ? -errno : fd;
	free(dir);
	if (ret < 0)
		snprintf(err, errlen, "%s '%s': %s", what, path, strerror(-ret));
	return ret;
}

/* The target's directory, opened once: every later step names the target
 * relative to it. */
static int target_open(struct outfile *f, const char *path, char *err, size_t errlen)
{
	const char *base;

	f->path = strdup(path);
	if (!f->path) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f->dirfd = outfile_dir_open(path, &base, "cannot write", err, errlen);
	if (f->dirfd < 0)
		return f->dirfd;
	if (!*base) {
		snprintf(err, errlen, "refusing to write '%s': it names a directory "
			 "(--write replaces only regular files)", path);
		return -EISDIR;
	}
	f->base = strdup(base);
	if (!f->base) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* The target as it is now: absent (*st zeroed, st_nlink 0) or a regular
 * file; anything else is refused, never followed or replaced. */
static int target_stat(const struct outfile *f, struct stat *st, char *err, size_t errlen)
{
	int ret;

	if (fstatat(f->dirfd, f->base, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT) {
			memset(st, 0, sizeof(*st));
			return 0;
		}
		ret = -errno;
		snprintf(err, errlen, "cannot write '%s': %s", f->path, strerror(errno));
		return ret;
	}
	if (S_ISREG(st->st_mode))
		return 0;
	snprintf(err, errlen, "refusing to write '%s': it is %s, not a regular file "
		 "(--write replaces only regular files)", f->path, outfile_kind(st->st_mode));
	return S_ISLNK(st->st_mode) ? -ELOOP : S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
}

int outfile_check(const char *path, char *err, size_t errlen)
{
	struct outfile *f = outfile_alloc();
	struct stat st;
	int ret;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = target_open(f, path, err, errlen);
	if (ret == 0)
		ret = target_stat(f, &st, err, errlen);
	outfile_free(f);
	return ret;
}

/* A name no one else uses, beside the target: "BASE.XXXXXX", created with
 * O_EXCL so nothing already there (a link planted by someone) is opened.
 * The suffix is random, as mkostemp()'s is; mkostemp() itself takes a
 * path, not a directory descriptor. */
static int tmp_create(struct outfile *f)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	/* Room for ".XXXXXX" within NAME_MAX: a long base is cut short. */
	int keep = (int)strnlen(f->base, NAME_MAX - 7);

	for (unsigned tries = 0; tries < OUTFILE_TRIES; tries++) {
		uint64_t x;
		char *p;
		int fd;

		if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != (ssize_t)sizeof(x)) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
			    (tries * 0x9e3779b97f4a7c15ull);
		}
		p = f->tmp + snprintf(f->tmp, sizeof(f->tmp), "%.*s.", keep, f->base);
		for (int i = 0; i < 6; i++, x /= sizeof(chars) - 1)
			*p++ = chars[x % (sizeof(chars) - 1)];
		*p = '\0';
		fd = openat(f->dirfd, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd >= 0) {
			f->tmp_made = true;
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int outfile_begin(struct outfile **out, const char *path, char *err, size_t errlen)
{
	struct outfile *f = outfile_alloc();
	struct stat st;
	int fd, ret;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = target_open(f, path, err, errlen);
	if (ret < 0)
		goto fail;
	/* Refused before anything is rendered or created. */
	ret = target_stat(f, &st, err, errlen);
	if (ret < 0)
		goto fail;
	fd = tmp_create(f);
	if (fd < 0) {
		ret = fd;
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(-ret));
		goto fail;
	}
	ret = sink_open(f, fd);
	if (ret < 0) {
		f->fd = fd;
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(-ret));
		goto fail;
	}
	*out = f;
	return 0;
fail:
	outfile_abort(f);
	return ret;
}

FILE *outfile_fp(struct outfile *f)
{
	return f->fp;
}

/* Give the temporary file what the target has (or the mode of a new
 * file): ownership first, since chown clears set-id bits, which are not
 * kept anyway (a replaced file is data, never a program). */
static int match_target(int fd, const struct stat *target)
{
	struct stat self;

	if (!target->st_nlink)
		return fchmod(fd, OUTFILE_NEW_MODE) < 0 ? -errno : 0;
	if (fstat(fd, &self) < 0)
		return -errno;
	if ((self.st_uid != target->st_uid || self.st_gid != target->st_gid) &&
	    fchown(fd, target->st_uid, target->st_gid) < 0)
		return -errno;
	return fchmod(fd, target->st_mode & 0777) < 0 ? -errno : 0;
}

int outfile_commit(struct outfile *f, char *err, size_t errlen)
{
	struct stat st;
	const char *what = "";
	int ret;

	ret = sink_flush(f);
	if (ret == 0) {
		/* Again, just before the rename: the target may have been
		 * replaced by something else while the output was made. */
		ret = target_stat(f, &st, err, errlen);
		if (ret < 0)
			goto fail_msg;
		ret = match_target(f->fd, &st);
		if (ret < 0)
			what = st.st_nlink ? "cannot keep its owner and mode: " : "";
	}
	if (ret == 0 && fsync(f->fd) < 0)
		ret = -errno;
	if (ret == 0 && renameat(f->dirfd, f->tmp, f->dirfd, f->base) < 0)
		ret = -errno;
	if (ret < 0) {
		snprintf(err, errlen, "cannot write '%s': %s%s", f->path, what, strerror(-ret));
		goto fail_msg;
	}
	f->tmp_made = false;
	/* The rename itself reaches the disk with the directory.  Some file
	 * systems cannot sync a directory (EINVAL): nothing more to do. */
	if (fsync(f->dirfd) < 0 && errno != EINVAL) {
		ret = -errno;
		snprintf(err, errlen, "cannot write '%s': syncing its directory: %s",
			 f->path, strerror(errno));
		goto fail_msg;
	}
	outfile_free(f);
	return 0;
fail_msg:
	outfile_abort(f);
	return ret;
}

void outfile_abort(struct outfile *f)
{
	if (!f)
		return;
	if (f->tmp_made)
		unlinkat(f->dirfd, f->tmp, 0);
	outfile_free(f);
}

/* One output to file descriptor 1, through a stream of our own: stdout's
 * FILE would say that a write failed, not why. */
static int emit_stdout(int (*render)(FILE *out, const void *arg), const void *arg,
		       char *err, size_t errlen)
{
	struct outfile *f = outfile_alloc();
	int ret, wret;

	if (!f || sink_open(f, STDOUT_FILENO) < 0) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = render(f->fp, arg);
	wret = sink_flush(f);
	if (wret < 0)	/* the stream's own cause comes first */
		ret = wret;
	if (ret < 0)
		snprintf(err, errlen, "cannot write output: %s", strerror(-ret));
	outfile_free(f);
	return ret < 0 ? ret : 0;
}

int outfile_emit(const char *path, int (*render)(FILE *out, const void *arg),
		 const void *arg, char *err, size_t errlen)
{
	struct outfile *of;
	int ret;

	if (!path)
		return emit_stdout(render, arg, err, errlen);
	ret = outfile_begin(&of, path, err, errlen);
	if (ret < 0)
		return ret;
	ret = render(outfile_fp(of), arg);
	if (ret < 0) {
		int wret = sink_flush(of);

		if (wret < 0)
			ret = wret;
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(-ret));
		outfile_abort(of);
		return ret;
	}
	return outfile_commit(of, err, errlen);
}
