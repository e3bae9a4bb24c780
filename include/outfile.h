/*
 * outfile: --write FILE.  Output goes to a temporary file in FILE's
 * directory, is flushed to disk and renamed over FILE, so a reader (such as
 * node_exporter's textfile collector) sees the old file or the new one,
 * never a part of one; on any failure FILE is left as it was.
 */
#ifndef PORTSTAT_OUTFILE_H
#define PORTSTAT_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

struct outfile;

/* outfile_begin - create the temporary file for @path.  0 or -errno, with
 * a one-line message in @err. */
int outfile_begin(struct outfile **out, const char *path, char *err, size_t errlen);

/* outfile_fp - where to write; owned by the outfile. */
FILE *outfile_fp(struct outfile *f);

/* outfile_commit - flush, fsync and rename over the target; frees @f.
 * On failure the temporary file is removed and the target is untouched.
 * 0 or -errno, with a message in @err. */
int outfile_commit(struct outfile *f, char *err, size_t errlen);

/* outfile_abort - remove the temporary file and free; accepts NULL. */
void outfile_abort(struct outfile *f);

/*
 * outfile_emit - write one whole output with @render: to stdout (flushed)
 * when @path is NULL, else replacing @path atomically.  @render returns 0
 * or -errno.  Returns 0, or -errno with a one-line message in @err.
 */
int outfile_emit(const char *path, int (*render)(FILE *out, const void *arg),
		 const void *arg, char *err, size_t errlen);

#endif
