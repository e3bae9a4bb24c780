/* SPDX-License-Identifier: MIT */
/*
 * outfile: where a run's output lands.  Two sinks: standard output, and
 * --write FILE, which output replaces atomically: it goes to a temporary
 * file created (O_EXCL) in FILE's directory, is flushed to disk and renamed
 * over FILE, so a reader (such as node_exporter's textfile collector) sees
 * the old file or the new one, never a part of one; on any failure FILE is
 * left as it was and no temporary file remains.
 *
 * The rules for FILE (man page, FILES AND SECURITY): it must be absent or a
 * regular file; a symbolic link, a directory, a device, a FIFO or a socket
 * is refused, not replaced.  An existing file keeps its owner, group and
 * mode; a new one is made 0644 whatever the umask (the textfile collector
 * runs as another user).  The directory is opened once (outfile_dir_open)
 * and everything after is relative to it (fstatat without following,
 * openat, renameat), so the checks and the rename speak of the same
 * directory.
 *
 * Both sinks record the errno of the first write that failed, so a message
 * names the real cause (ENOSPC, EPIPE, ...), not whatever errno held later.
 */
#ifndef PORTSTAT_OUTFILE_H
#define PORTSTAT_OUTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct outfile;

/*
 * outfile_check - whether @path is a target --write may replace: its
 * directory opens and @path is absent or a regular file.  Nothing is
 * created.  Returns 0, or -errno (-ELOOP symlink, -EISDIR directory,
 * -EINVAL any other kind of file, or what opening/stat-ing said) with a
 * one-line message in @err.
 */
int outfile_check(const char *path, char *err, size_t errlen);

/* outfile_begin - check @path as outfile_check() does and create the
 * temporary file beside it.  0 or -errno, with a one-line message in @err. */
int outfile_begin(struct outfile **out, const char *path, char *err, size_t errlen);

/* outfile_fp - where to write; owned by the outfile. */
FILE *outfile_fp(struct outfile *f);

/*
 * outfile_commit - flush, give the temporary file the target's owner,
 * group and mode (0644 for a new target), fsync, rename it over the target
 * and fsync the directory; frees @f.  The target is checked again just
 * before the rename.  On failure the temporary file is removed and the
 * target is untouched.  0 or -errno, with a message in @err.
 */
int outfile_commit(struct outfile *f, char *err, size_t errlen);

/* outfile_abort - remove the temporary file and free; accepts NULL. */
void outfile_abort(struct outfile *f);

/*
 * outfile_emit - write one whole output with @render: to standard output
 * (file descriptor 1, flushed before returning) when @path is NULL, else
 * replacing @path atomically.  @render returns 0 or -errno.  Returns 0, or
 * -errno with a one-line message in @err: "cannot write output: REASON"
 * for standard output, "cannot write 'PATH': REASON" for a file.  A write
 * to a closed pipe raises SIGPIPE as any write(2) does; only when SIGPIPE
 * is ignored does -EPIPE come back.
 */
int outfile_emit(const char *path, int (*render)(FILE *out, const void *arg),
		 const void *arg, char *err, size_t errlen);

/*
 * outfile_dir_open - open the directory @path is in (O_DIRECTORY) and point
 * *@base at @path's last component (empty if @path ends in '/').  The
 * directory may be reached through symbolic links, but when the directory
 * named is itself a link, only one owned by root or by us is followed: a
 * link another user made (in /tmp, say) would let that user choose where
 * root writes.  Returns the descriptor, or -errno (-ELOOP: such a link)
 * with a message in @err starting "@what 'PATH': ".  Used by --write and
 * --record alike.
 */
int outfile_dir_open(const char *path, const char **base, const char *what,
		     char *err, size_t errlen);

/* outfile_kind - "a regular file", "a directory", "a symbolic link",
 * "a device", "a FIFO", "a socket": what @mode (st_mode) is, for messages. */
const char *outfile_kind(mode_t mode);

#endif
