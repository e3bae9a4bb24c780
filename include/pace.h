/* SPDX-License-Identifier: MIT */
/*
 * pace: sample starts at a fixed interval (a target between starts, not a
 * sleep after each sample), on CLOCK_MONOTONIC so clock changes don't
 * bunch or skip samples.
 */
#ifndef PORTSTAT_PACE_H
#define PORTSTAT_PACE_H

#include <signal.h>
#include <time.h>

/* pace_advance - move @t on by @secs. */
void pace_advance(struct timespec *t, double secs);

/* pace_stop_signals - fill @set with the signals that end a repeating run
 * (SIGINT, SIGTERM, SIGHUP): the caller's handlers for them set the flag
 * pace_wait() watches. */
void pace_stop_signals(sigset_t *set);

/* pace_wait - sleep until @when (CLOCK_MONOTONIC), or until *@stop is set
 * by the handler of a stop signal.  A stop signal that arrives at any
 * moment, even just before the sleep begins, ends the wait at once: they
 * are blocked from the check of *@stop until ppoll() lets them in.  The
 * caller's signal mask is restored on return. */
void pace_wait(const struct timespec *when, const volatile sig_atomic_t *stop);

#endif
