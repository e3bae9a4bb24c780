/*
 * outfile: atomic replacement of an output file (temp + fsync + rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

struct outfile {
	FILE *fp;
	char *path;
	char *tmp;
};

int outfile_begin(struct outfile **out, const char *path, char *err, size_t errlen)
{
	struct outfile *f = calloc(1, sizeof(*f));
	mode_t mask;
	int fd, ret;

	if (!f || !(f->path = strdup(path)) || asprintf(&f->tmp, "%s.XXXXXX", path) < 0) {
		if (f)
			f->tmp = NULL;
		outfile_abort(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* In the target's directory, so rename() cannot cross filesystems. */
	fd = mkostemp(f->tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		outfile_abort(f);
		return ret;
	}
	/* mkstemp() makes 0600; readers such as node_exporter need the
	 * mode an ordinary file would get. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	f->fp = fdopen(fd, "w");
	if (!f->fp) {
		ret = -errno;
		close(fd);
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(-ret));
		outfile_abort(f);
		return ret;
	}
	*out = f;
	return 0;
}

FILE *outfile_fp(struct outfile *f)
{
	return f->fp;
}

int outfile_commit(struct outfile *f, char *err, size_t errlen)
{
	int ret = 0;

	if (fflush(f->fp) != 0 || ferror(f->fp) || fsync(fileno(f->fp)) != 0)
		ret = -(errno ? errno : EIO);
	if (fclose(f->fp) != 0 && !ret)
		ret = -errno;
	f->fp = NULL;
	if (!ret && rename(f->tmp, f->path) != 0)
		ret = -errno;
	if (ret) {
		snprintf(err, errlen, "cannot write '%s': %s", f->path, strerror(-ret));
		outfile_abort(f);
		return ret;
	}
	free(f->tmp);
	free(f->path);
	free(f);
	return 0;
}

void outfile_abort(struct outfile *f)
{
	if (!f)
		return;
	if (f->fp)
		fclose(f->fp);
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	free(f);
}

int outfile_emit(const char *path, int (*render)(FILE *out, const void *arg),
		 const void *arg, char *err, size_t errlen)
{
	struct outfile *of;
	int ret;

	if (!path) {
		if (render(stdout, arg) < 0 || fflush(stdout) != 0) {
			snprintf(err, errlen, "cannot write output: %s", strerror(errno));
			return -EIO;
		}
		return 0;
	}
	ret = outfile_begin(&of, path, err, errlen);
	if (ret < 0)
		return ret;
	if (render(outfile_fp(of), arg) < 0) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		outfile_abort(of);
		return -EIO;
	}
	return outfile_commit(of, err, errlen);
}
