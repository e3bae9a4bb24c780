/* SPDX-License-Identifier: MIT */
/*
 * sigwindow: an LD_PRELOAD shim that sends a signal at the worst moment
 * for a loop that checks a flag set by a signal handler and then sleeps:
 * after the check, just before the sleep begins.  SIGWINDOW="SIG[:N]"
 * (SIG: INT, TERM, HUP or a number) raises SIG once, on entry to the N-th
 * (default: first) call of any way to wait -- clock_nanosleep, nanosleep,
 * poll, ppoll, select, pselect, sigtimedwait -- and then calls it.  A loop
 * that sleeps with the signal deliverable has its handler run before the
 * sleep and sleeps the whole interval; one that blocks the signal until
 * the sleep unblocks it wakes at once.  SIGWINDOW_LOG=FILE gets one line
 * per raise, so a test knows the window was hit.
 */
/* The shim defines poll and ppoll itself: no fortified inline versions. */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/select.h>

static unsigned long calls;

static int sig_of(const char *s)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "INT", SIGINT }, { "TERM", SIGTERM }, { "HUP", SIGHUP },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(s, names[i].name, strlen(names[i].name)))
			return names[i].sig;
	return atoi(s);
}

/* Raise the signal if this is the armed call. */
static void window(const char *fn)
{
	const char *spec = getenv("SIGWINDOW"), *colon, *log;
	unsigned long n = 1, c = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	char line[96];
	int sig, fd;

	if (!spec)
		return;
	colon = strchr(spec, ':');
	if (colon)
		n = strtoul(colon + 1, NULL, 10);
	sig = sig_of(spec);
	if (c != n || sig <= 0)
		return;
	log = getenv("SIGWINDOW_LOG");
	if (log && (fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) >= 0) {
		int len = snprintf(line, sizeof(line), "signal %d before %s (call %lu)\n", sig, fn, c);

		if (write(fd, line, (size_t)len) < 0) {
			/* the test sees the line missing */
		}
		close(fd);
	}
	raise(sig);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *t, struct timespec *rem)
{
	window(__func__);
	return REAL(clock_nanosleep)(clk, flags, t, rem);
}

int nanosleep(const struct timespec *t, struct timespec *rem)
{
	window(__func__);
	return REAL(nanosleep)(t, rem);
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	window(__func__);
	return REAL(poll)(fds, n, timeout);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask)
{
	window(__func__);
	return REAL(ppoll)(fds, n, t, mask);
}

/* What a fortified build calls instead of poll / ppoll. */
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	(void)fdslen;
	window(__func__);
	return REAL(poll)(fds, n, timeout);
}

int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask,
		size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask,
		size_t fdslen)
{
	(void)fdslen;
	window(__func__);
	return REAL(ppoll)(fds, n, t, mask);
}

int select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t)
{
	window(__func__);
	return REAL(select)(n, r, w, e, t);
}

int pselect(int n, fd_set *r, fd_set *w, fd_set *e, const struct timespec *t, const sigset_t *mask)
{
	window(__func__);
	return REAL(pselect)(n, r, w, e, t, mask);
}

int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *t)
{
	window(__func__);
	return REAL(sigtimedwait)(set, info, t);
}
