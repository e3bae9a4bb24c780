/* SPDX-License-Identifier: MIT */
/*
 * procfloor: the least work that maps sockets to processes: open every
 * /proc/PID/fd directory and readlink() every fd in it once, nothing
 * else.  The yardstick `portstat leaks`' owner look-up is compared with:
 * it must read at most this much (it stops early, and skips nothing it
 * could need).  Prints one line: processes, links, socket links, seconds.
 *
 *   procfloor [PROC_ROOT]     default /proc
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	const char *root = argc > 1 ? argv[1] : "/proc";
	unsigned long procs = 0, links = 0, sockets = 0, denied = 0;
	struct timespec t0, t1;
	struct dirent *de;
	DIR *d;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	d = opendir(root);
	if (!d) {
		perror(root);
		return 1;
	}
	while ((de = readdir(d))) {
		char path[64], target[64];
		struct dirent *fe;
		DIR *fd;
		int dfd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/fd", de->d_name);
		dfd = openat(dirfd(d), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			denied++;
			continue;
		}
		fd = fdopendir(dfd);
		if (!fd) {
			close(dfd);
			continue;
		}
		procs++;
		while ((fe = readdir(fd))) {
			ssize_t n;

			if (fe->d_name[0] == '.')
				continue;
			n = readlinkat(dfd, fe->d_name, target, sizeof(target));
			if (n <= 0)
				continue;
			links++;
			sockets += n > 8 && memcmp(target, "socket:[", 8) == 0;
		}
		closedir(fd);
	}
	closedir(d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("procfloor: %lu processes, %lu fd links, %lu sockets, %lu unreadable, %.3f s\n",
	       procs, links, sockets, denied,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
