/* SPDX-License-Identifier: MIT */
/*
 * top: the dashboard engine.  Two threads: the sampler thread
 * (top_sampler.c) owns the collector and a back table it fills with the
 * same sampler_run() / split_run() the report uses, whose dumps also feed
 * the doctor's checks (top_doctor.c; with --all-netns,
 * allns_tables(): one table per namespace, sampled in parallel, and their
 * sum), then swaps it with the front table under a mutex and wakes the UI
 * through an eventfd; the UI thread, here, owns the terminal, polls stdin
 * and the eventfd together (ppoll, so signals and resizes interrupt it
 * without races), and redraws the whole frame (top_draw.c) from the front
 * sample and the model (top_model.h).  Keys (top_input.c) are answered
 * while a long sample runs because nothing on the input path waits for one.
 * This file sets the two threads up, runs the UI loop and tears down.
 */
#include "top_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>

#include "strenc.h"
#include "services.h"
#include "top.h"

/* Set by SIGINT, SIGTERM and SIGHUP: leave the loop and restore the
 * terminal on the normal path. */
static volatile sig_atomic_t top_stop;

static void on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

/* Take in a new sample (mu held): history and rates follow it. */
static void consume(struct top *tp)
{
	struct top_shared *sh = &tp->sh;
	double dt = 0;

	if (!sh->fresh)
		return;
	sh->fresh = false;
	if (top_hist_samples(tp->hist))
		dt = (double)(sh->info.time.tv_sec - tp->last_time.tv_sec) +
		     (double)(sh->info.time.tv_nsec - tp->last_time.tv_nsec) / 1e9;
	tp->last_time = sh->info.time;
	/* Out of memory leaves some rows without history; they still show. */
	top_hist_update(tp->hist, sh->nsfront.ns, sh->nsfront.n, dt);
}

/* Whether the terminal is gone: hung up (its window closed, the ssh
 * session dropped) or in error.  ncurses drops failed writes silently, so
 * this is how a dashboard learns its output no longer reaches anyone; a
 * hung-up tty reports POLLHUP on every descriptor open on it. */
static bool term_gone(void)
{
	struct pollfd p[2] = { { .fd = STDIN_FILENO }, { .fd = STDOUT_FILENO } };

	if (poll(p, 2, 0) <= 0)
		return false;
	return ((p[0].revents | p[1].revents) & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/*
 * The dashboard's loop.  Returns 0 when it ends as asked (q, a stop
 * signal, -c samples), -EIO when the terminal went away (also when the
 * SIGHUP of a hangup is what stopped it: the output policy makes lost
 * output a failure, while `kill -HUP` on a live terminal is a quit), or
 * another -errno.
 */
static int ui_loop(struct top *tp, const sigset_t *waitmask)
{
	struct top_shared *sh = &tp->sh;
	struct pollfd fds[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sh->efd, .events = POLLIN },
	};

	for (;;) {
		bool quit, done;

		pthread_mutex_lock(&sh->mu);
		consume(tp);
		quit = top_read_keys(tp);
		if (!quit)
			top_draw(tp);
		done = tp->cfg->count && sh->produced >= tp->cfg->count;
		pthread_mutex_unlock(&sh->mu);
		if (quit || done || top_stop)
			return term_gone() ? -EIO : 0;

		/* Signals are blocked except inside ppoll(): one that comes
		 * while drawing interrupts the next wait instead of being
		 * lost.  SIGWINCH likewise, so KEY_RESIZE is read at once. */
		if (ppoll(fds, 2, NULL, waitmask) < 0) {
			if (errno != EINTR)
				return -errno;
			continue;
		}
		if (fds[1].revents & POLLIN) {
			uint64_t v;

			if (read(sh->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				return -errno;
		}
		if (fds[0].revents & (POLLHUP | POLLERR))
			return -EIO;	/* the terminal went away */
	}
}

/* ---- run --------------------------------------------------------------- */

static int top_open(struct top *tp, char *err, size_t errlen)
{
	const struct config *cfg = tp->cfg;
	int ret = 0;

	/* --all-netns opens a collector per namespace and sample (allns.c). */
	if (cfg->replay)
		ret = collector_open_replay(&tp->c, cfg->replay, err, errlen);
	else if (!cfg->all_netns)
		ret = collector_open_live(&tp->c, cfg->netns, err, errlen);
	if (ret < 0)
		return ret;
	/* The report's parallel split, sized the same way (PORTSTAT_SPLIT,
	 * or usable CPUs for namespaces large enough to pay); the doctor's
	 * checks ride on its dumps, a model per share. */
	if (!cfg->replay && !cfg->all_netns) {
		unsigned shares;
		unsigned long min_sockets;

		ret = split_env(&shares, &min_sockets, err, errlen);
		if (ret == 0 && shares != 1)
			ret = split_new(&tp->sp, cfg->netns, &cfg->filter, shares, min_sockets,
					err, errlen);
		if (ret < 0)
			return ret;
	}
	ret = top_doctor_new(&tp->td);
	if (ret < 0) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	tp->back = table_new(&cfg->filter);
	tp->sh.front = table_new(&cfg->filter);
	tp->dback = top_detail_new();
	tp->sh.dfront = top_detail_new();
	tp->hist = top_hist_new();
	/* Entry 0, the whole sample, is there from the start. */
	tp->nsback.ns = calloc(1, sizeof(*tp->nsback.ns));
	tp->sh.nsfront.ns = calloc(1, sizeof(*tp->sh.nsfront.ns));
	tp->nsback.cap = tp->sh.nsfront.cap = 1;
	if (!tp->back || !tp->sh.front || !tp->dback || !tp->sh.dfront || !tp->hist ||
	    !tp->nsback.ns || !tp->sh.nsfront.ns) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	tp->sh.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (tp->sh.efd < 0) {
		ret = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return ret;
	}
	return 0;
}

static void nsset_done(struct top_nsset *set)
{
	allns_free(set->r, set->nr);
	free(set->ns);
}

static int sync_init(struct top *tp, char *err, size_t errlen)
{
	pthread_condattr_t ca;
	int ret;

	ret = pthread_mutex_init(&tp->sh.mu, NULL);
	if (ret) {
		snprintf(err, errlen, "pthread_mutex_init: %s", strerror(ret));
		return -ret;
	}
	tp->mutex_ok = true;
	pthread_condattr_init(&ca);
	/* Sample starts are paced on the monotonic clock. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	ret = pthread_cond_init(&tp->sh.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (ret) {
		snprintf(err, errlen, "pthread_cond_init: %s", strerror(ret));
		return -ret;
	}
	tp->cond_ok = true;
	return 0;
}

/* The sampler thread blocks every signal, so they all reach the UI thread
 * (SIGWINCH must interrupt its ppoll). */
static int thread_start(struct top *tp, char *err, size_t errlen)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&tp->tid, NULL, top_sampler_main, tp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		snprintf(err, errlen, "pthread_create: %s", strerror(ret));
		return -ret;
	}
	tp->thread_ok = true;
	return 0;
}

static void thread_stop(struct top *tp)
{
	if (!tp->thread_ok)
		return;
	pthread_mutex_lock(&tp->sh.mu);
	tp->sh.quit = true;
	pthread_cond_signal(&tp->sh.cv);
	pthread_mutex_unlock(&tp->sh.mu);
	/* A sample in progress finishes first; the terminal is already
	 * restored by then. */
	pthread_join(tp->tid, NULL);
	tp->thread_ok = false;
}

int top_run(const struct config *cfg)
{
	struct top *tp = calloc(1, sizeof(*tp));
	struct sigaction sa, old_int, old_term, old_hup;
	sigset_t block, old_mask;
	char err[512] = "";
	int status = CLI_EXIT_FAILURE, ret;

	if (!tp) {
		strenc_text_line(stderr, "portstat: out of memory");
		return CLI_EXIT_FAILURE;
	}
	tp->cfg = cfg;
	tp->sh.efd = -1;
	top_ui_init(&tp->ui, &cfg->sort, cfg->filter.states, cfg->interval, cfg->all_netns);
	tp->sh.interval = cfg->interval;

	/* Signals first: from here on every exit path restores the terminal. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);

	/* Before the sampler thread: getservent() is not for two threads.
	 * Out of memory only leaves the SERVICE column out. */
	if (!cfg->numeric)
		tp->svc = services_new();
	setlocale(LC_ALL, "");
	tp->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (gethostname(tp->host, sizeof(tp->host) - 1) < 0)
		snprintf(tp->host, sizeof(tp->host), "?");

	if (top_term_check(err, sizeof(err)) < 0 || top_open(tp, err, sizeof(err)) < 0 ||
	    sync_init(tp, err, sizeof(err)) < 0 || top_curses_init(tp, err, sizeof(err)) < 0 ||
	    thread_start(tp, err, sizeof(err)) < 0)
		goto out;

	ret = ui_loop(tp, &old_mask);
	if (ret < 0) {
		snprintf(err, sizeof(err), "terminal: %s", strerror(-ret));
		goto out;
	}
	status = CLI_EXIT_OK;
out:
	top_curses_done(tp);
	thread_stop(tp);
	/* A replay that failed, or held nothing, fails as the report's does
	 * (the sampler has stopped: sh is ours alone now). */
	if (status == CLI_EXIT_OK && cfg->replay && tp->sh.err) {
		snprintf(err, sizeof(err), "%s", tp->sh.errmsg);
		status = CLI_EXIT_FAILURE;
	} else if (status == CLI_EXIT_OK && cfg->replay && tp->sh.ended && !tp->sh.produced) {
		snprintf(err, sizeof(err), "replay file '%s' holds no samples", cfg->replay);
		status = CLI_EXIT_FAILURE;
	}
	if (status != CLI_EXIT_OK)
		strenc_text_line(stderr, "portstat: %s", err);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (tp->cond_ok)
		pthread_cond_destroy(&tp->sh.cv);
	if (tp->mutex_ok)
		pthread_mutex_destroy(&tp->sh.mu);
	if (tp->sh.efd >= 0)
		close(tp->sh.efd);
	free(tp->rows);
	nsset_done(&tp->nsback);
	nsset_done(&tp->sh.nsfront);
	top_hist_delete(tp->hist);
	services_delete(tp->svc);
	top_detail_delete(tp->sh.dfront);
	top_detail_delete(tp->dback);
	table_delete(tp->sh.front);
	table_delete(tp->back);
	split_delete(tp->sp);
	top_doctor_delete(tp->td);
	top_findings_done(&tp->fback);
	top_findings_done(&tp->sh.ffront);
	free(tp->flines);
	collector_close(tp->c);
	free(tp);
	return status;
}
