/* SPDX-License-Identifier: MIT */
/*
 * pace: interval arithmetic and the wait for the next sample.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>

#include "pace.h"

/* The signals whose handlers end a repeating run. */
static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };

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

void pace_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigaddset(set, stop_sigs[i]);
}

/* time_left - what is left until @when into @left; false once it has come. */
static bool time_left(const struct timespec *when, struct timespec *left)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left->tv_sec = when->tv_sec - now.tv_sec;
	left->tv_nsec = when->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += 1000000000L;
	}
	return left->tv_sec > 0 || (left->tv_sec == 0 && left->tv_nsec > 0);
}

void pace_wait(const struct timespec *when, const volatile sig_atomic_t *stop)
{
	sigset_t stops, old, during;
	struct timespec left;

	/* A stop signal that came after the check of *stop but before the
	 * sleep began would be seen only when the interval ends (a minute
	 * with -i 60).  So the stop signals are blocked from the check on and
	 * let in only by ppoll(), atomically with the start of the sleep: one
	 * that came in between is pending and ends the sleep at once. */
	pace_stop_signals(&stops);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	during = old;
	for (size_t i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigdelset(&during, stop_sigs[i]);
	while (!*stop && time_left(when, &left)) {
		if (ppoll(NULL, 0, &left, &during) < 0 && errno != EINTR) {
			/* Cannot happen with these arguments; should it, a
			 * plain sleep still keeps the pace. */
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			while (!*stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, when,
							 NULL) == EINTR)
				;
			return;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
