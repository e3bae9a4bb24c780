/*
 * pace: interval arithmetic and the wait for the next sample.
 */
#include <errno.h>

#include "pace.h"

void pace_advance(struct timespec *t, double secs)
{
	long long ns = (long long)(secs * 1e9);

	t->tv_sec += (time_t)(ns / 1000000000LL);
	t->tv_nsec += (long)(ns % 1000000000LL);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

void pace_wait(const struct timespec *when, const volatile sig_atomic_t *stop)
{
	/* A signal interrupts the sleep: stop, or sleep on to the same end. */
	while (!*stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, when, NULL) == EINTR)
		;
}
