/* SPDX-License-Identifier: MIT */
/*
 * top: the live dashboard (`portstat top`).  An ncurses view over the same
 * collector, sampler and table the report uses; sampling runs in its own
 * thread so keys are answered while a large sample is taken.
 */
#ifndef PORTSTAT_TOP_H
#define PORTSTAT_TOP_H

struct config;

/*
 * top_run - run the dashboard for @cfg (command CLI_TOP) until 'q', a
 * signal (SIGINT, SIGTERM, SIGHUP) or cfg->count samples.  Like main()'s
 * report loop it is a top-level command: it writes its errors to stderr
 * (after the terminal is restored) and returns an exit status
 * (CLI_EXIT_*): 0, or 1 when there is no usable terminal or sampling
 * cannot start.
 */
int top_run(const struct config *cfg);

#endif
