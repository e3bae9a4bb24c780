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

/* pace_wait - sleep until @when (CLOCK_MONOTONIC), or until *@stop is set
 * by a signal handler. */
void pace_wait(const struct timespec *when, const volatile sig_atomic_t *stop);

#endif
