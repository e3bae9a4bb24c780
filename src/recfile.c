/* SPDX-License-Identifier: MIT */
/*
 * recfile: reading and writing the block structure of recording files.  The
 * reader trusts nothing: every length is checked against the bytes present
 * and against RECFILE_MAX_BLOCK before anything is allocated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "recfile.h"

#define RECFILE_MAGIC	"PORTSTAT"
#define RECFILE_VERSION	1u
/* A new recording's mode: only its owner reads who talked to whom. */
#define RECFILE_MODE	0600

struct recfile {
	FILE *fp;
	char *path;
	int writing;
	int64_t offset;		/* bytes consumed (reading) */
	void *buf;		/* reading: payload of the last block */
	uint32_t bufsize;
	char err[512];
};

struct header {
	char magic[8];
	uint32_t version;
	uint32_t reserved;
};

static int fail(struct recfile *f, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct recfile *f, int ret, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(f->err, sizeof(f->err), "%s '%s': ",
			 f->writing ? "recording" : "replay file", f->path);

	if (n < 0 || (size_t)n >= sizeof(f->err))
		return ret;
	va_start(ap, fmt);
	vsnprintf(f->err + n, sizeof(f->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * A recording is only ever a file this run created: O_EXCL refuses
 * whatever is already at @path (a file another user made in /tmp, a
 * symbolic link planted there, a device, a FIFO) instead of writing into
 * it or through it, and O_NOFOLLOW says so even where O_EXCL would not be
 * checked.  Mode 0600 whatever the umask: a recording holds every
 * connection's addresses and owners.
 */
static int create_new(struct recfile *f, const char *path, char *err, size_t errlen)
{
	const char *base;
	struct stat st;
	int dirfd, fd, ret;

	dirfd = outfile_dir_open(path, &base, "cannot create recording", err, errlen);
	if (dirfd < 0)
		return dirfd;
	if (!*base) {
		snprintf(err, errlen, "cannot create recording '%s': it names a directory", path);
		ret = -EISDIR;
		goto out;
	}
	fd = openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    RECFILE_MODE);
	if (fd < 0) {
		ret = -errno;
		if (ret == -EEXIST && fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
			snprintf(err, errlen, "cannot create recording '%s': it already exists (%s); "
				 "portstat writes only a new file: remove it first",
				 path, outfile_kind(st.st_mode));
		else
			snprintf(err, errlen, "cannot create recording '%s': %s", path,
				 strerror(-ret));
		goto out;
	}
	ret = 0;
	if (fchmod(fd, RECFILE_MODE) < 0 || !(f->fp = fdopen(fd, "w"))) {
		ret = -errno;
		snprintf(err, errlen, "cannot create recording '%s': %s", path, strerror(-ret));
		close(fd);
		unlinkat(dirfd, base, 0);
	}
out:
	close(dirfd);
	return ret;
}

static int open_common(struct recfile **out, const char *path, int writing,
		       char *err, size_t errlen)
{
	struct recfile *f = calloc(1, sizeof(*f));
	int ret;

	if (!f || !(f->path = strdup(path))) {
		free(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f->writing = writing;
	if (writing)
		ret = create_new(f, path, err, errlen);
	else if (!(f->fp = fopen(path, "re"))) {
		ret = -errno;
		snprintf(err, errlen, "cannot open replay file '%s': %s", path, strerror(errno));
	} else {
		ret = 0;
	}
	if (ret < 0)
		goto fail;
	if (writing) {
		struct header h = { .version = RECFILE_VERSION };

		memcpy(h.magic, RECFILE_MAGIC, sizeof(h.magic));
		if (fwrite(&h, sizeof(h), 1, f->fp) != 1) {
			ret = -errno;
			snprintf(err, errlen, "cannot write recording '%s': %s",
				 path, strerror(errno));
			unlink(path);	/* ours: made above */
			goto fail;
		}
	} else {
		struct header h;

		if (fread(&h, sizeof(h), 1, f->fp) != 1 ||
		    memcmp(h.magic, RECFILE_MAGIC, sizeof(h.magic)) != 0) {
			ret = ferror(f->fp) ? -EIO : -EPROTO;
			snprintf(err, errlen, "replay file '%s': %s", path,
				 ferror(f->fp) ? strerror(errno)
					       : "not a portstat recording");
			goto fail;
		}
		if (h.version != RECFILE_VERSION) {
			ret = -EPROTO;
			snprintf(err, errlen,
				 "replay file '%s': recording format version %u, this portstat reads %u",
				 path, h.version, RECFILE_VERSION);
			goto fail;
		}
		f->offset = sizeof(h);
	}
	*out = f;
	return 0;
fail:
	recfile_close(f);
	return ret;
}

int recfile_create(struct recfile **out, const char *path, char *err, size_t errlen)
{
	return open_common(out, path, 1, err, errlen);
}

int recfile_open(struct recfile **out, const char *path, char *err, size_t errlen)
{
	return open_common(out, path, 0, err, errlen);
}

int recfile_write(struct recfile *f, uint32_t type, const void *payload, uint32_t len)
{
	uint32_t hdr[2] = { type, len };

	if (fwrite(hdr, sizeof(hdr), 1, f->fp) != 1 ||
	    (len && fwrite(payload, len, 1, f->fp) != 1))
		return fail(f, -errno ? -errno : -EIO, "write failed: %s", strerror(errno));
	return 0;
}

int recfile_read(struct recfile *f, uint32_t *type, const void **payload, uint32_t *len)
{
	uint32_t hdr[2];
	size_t n = fread(hdr, 1, sizeof(hdr), f->fp);

	if (n == 0 && feof(f->fp))
		return -ENODATA;
	if (n != sizeof(hdr))
		return fail(f, -EBADMSG, "truncated at byte %lld (block header)",
			    (long long)f->offset + (long long)n);
	if (hdr[0] < RECFILE_SAMPLE || hdr[0] > RECFILE_CONTEXT)
		return fail(f, -EBADMSG, "corrupt at byte %lld (unknown block type %u)",
			    (long long)f->offset, hdr[0]);
	if (hdr[1] > RECFILE_MAX_BLOCK)
		return fail(f, -EBADMSG, "corrupt at byte %lld (block of %u bytes)",
			    (long long)f->offset, hdr[1]);
	if (hdr[1] > f->bufsize) {
		void *nb = realloc(f->buf, hdr[1]);

		if (!nb)
			return fail(f, -ENOMEM, "out of memory");
		f->buf = nb;
		f->bufsize = hdr[1];
	}
	n = hdr[1] ? fread(f->buf, 1, hdr[1], f->fp) : 0;
	if (n != hdr[1])
		return fail(f, -EBADMSG, "truncated at byte %lld (block of %u bytes, %zu present)",
			    (long long)f->offset + (long long)sizeof(hdr) + (long long)n,
			    hdr[1], n);
	f->offset += (int64_t)sizeof(hdr) + hdr[1];
	*type = hdr[0];
	*payload = f->buf;
	*len = hdr[1];
	return 0;
}

int64_t recfile_mark(struct recfile *f)
{
	return ftello(f->fp);
}

int recfile_rewind(struct recfile *f, int64_t mark)
{
	if (fflush(f->fp) != 0 || ftruncate(fileno(f->fp), mark) != 0 ||
	    fseeko(f->fp, mark, SEEK_SET) != 0)
		return fail(f, -errno, "cannot rewind: %s", strerror(errno));
	return 0;
}

int recfile_seek(struct recfile *f, int64_t mark)
{
	if (fseeko(f->fp, mark, SEEK_SET) != 0)
		return fail(f, -errno, "cannot seek: %s", strerror(errno));
	f->offset = mark;
	return 0;
}

int recfile_flush(struct recfile *f)
{
	if (fflush(f->fp) != 0)
		return fail(f, -errno, "write failed: %s", strerror(errno));
	return 0;
}

const char *recfile_path(const struct recfile *f)
{
	return f->path;
}

const char *recfile_error(const struct recfile *f)
{
	return f->err;
}

int recfile_close(struct recfile *f)
{
	int ret = 0;

	if (!f)
		return 0;
	if (f->fp && fclose(f->fp) != 0 && f->writing)
		ret = -errno;
	free(f->buf);
	free(f->path);
	free(f);
	return ret;
}
