/*
 * main: the one place that prints errors and chooses exit statuses.  Parses
 * the command line, opens the collector, and runs the sample loop for the
 * report; the modules below it only return errors.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "collector.h"
#include "sampler.h"
#include "outfile.h"
#include "split.h"
#include "table.h"
#include "view.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGINT/SIGTERM end a repeating report after the sample in progress, so a
 * recording is never cut mid-sample; a second signal kills (SA_RESETHAND). */
static void signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void timespec_add(struct timespec *t, double secs)
{
	long long ns = (long long)(secs * 1e9);

	t->tv_sec += (time_t)(ns / 1000000000LL);
	t->tv_nsec += (long)(ns % 1000000000LL);
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Sleep until @when (CLOCK_MONOTONIC); returns early on a stop signal. */
static void sleep_until(const struct timespec *when)
{
	while (!stop_requested &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, when, NULL) == EINTR)
		;
}

static int render(const struct config *cfg, FILE *out, const struct view_sample *s,
		  const struct view_opts *o)
{
	switch (cfg->format) {
	case CLI_FORMAT_JSON:
		return view_json_render(out, s, o);
	case CLI_FORMAT_CSV:
		return view_csv_render(out, s, o);
	case CLI_FORMAT_PROMETHEUS:
		return view_prom_render(out, s, o);
	default:
		return view_text_render(out, s, o);
	}
}

/* One sample to stdout, or to --write's file replaced atomically (each
 * sample replaces the last, so the file always holds one whole sample). */
static int emit(const struct config *cfg, const struct view_sample *s,
		const struct view_opts *o)
{
	struct outfile *of;
	char err[512];
	int ret;

	if (!cfg->write) {
		if (render(cfg, stdout, s, o) < 0 || fflush(stdout) != 0) {
			fprintf(stderr, "portstat: cannot write output: %s\n", strerror(errno));
			return -EIO;
		}
		return 0;
	}
	ret = outfile_begin(&of, cfg->write, err, sizeof(err));
	if (ret == 0 && render(cfg, outfile_fp(of), s, o) < 0) {
		snprintf(err, sizeof(err), "cannot write '%s': %s", cfg->write, strerror(errno));
		outfile_abort(of);
		ret = -EIO;
	} else if (ret == 0) {
		ret = outfile_commit(of, err, sizeof(err));
	}
	if (ret < 0)
		fprintf(stderr, "portstat: %s\n", err);
	return ret;
}

/* PORTSTAT_SPLIT=N forces N parallel shares (1: never split), whatever the
 * namespace's size; unset, portstat splits over the usable CPUs when the
 * namespace holds enough sockets to pay. */
static int split_config(unsigned *shares, unsigned long *min_sockets)
{
	const char *env = getenv("PORTSTAT_SPLIT");
	char *end;
	unsigned long v;

	*shares = 0;
	*min_sockets = SPLIT_MIN_SOCKETS;
	if (!env || !*env)
		return 0;
	v = strtoul(env, &end, 10);
	if (*end || *env < '0' || *env > '9' || v < 1 || v > SPLIT_MAX_SHARES) {
		fprintf(stderr, "portstat: invalid PORTSTAT_SPLIT '%s' (1 to %d)\n",
			env, SPLIT_MAX_SHARES);
		return -EINVAL;
	}
	*shares = (unsigned)v;
	*min_sockets = 0;
	return 0;
}

static int run_report(const struct config *cfg)
{
	struct collector *c = NULL;
	struct split *sp = NULL;
	struct table *t = NULL;
	unsigned shares;
	unsigned long min_sockets;
	char err[512];
	int status = CLI_EXIT_OK, ret;
	struct timespec next;
	struct view_opts vo = {
		.sort = cfg->sort,
		.top = cfg->top,
		.header = cfg->header,
		/* A time line per sample only when there is more than one in
		 * the output. */
		.stamp = cfg->count != 1 && !cfg->write,
		.first = true,
	};

	if (cfg->replay)
		ret = collector_open_replay(&c, cfg->replay, err, sizeof(err));
	else
		ret = collector_open_live(&c, cfg->netns, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "portstat: %s\n", err);
		return CLI_EXIT_FAILURE;
	}
	if (cfg->record && collector_record(c, cfg->record, err, sizeof(err)) < 0) {
		fprintf(stderr, "portstat: %s\n", err);
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	if (split_config(&shares, &min_sockets) < 0) {
		status = CLI_EXIT_USAGE;
		goto out;
	}
	if (!cfg->replay && !cfg->record && shares != 1 &&
	    split_new(&sp, cfg->netns, &cfg->filter, shares, min_sockets, err, sizeof(err)) < 0) {
		fprintf(stderr, "portstat: %s\n", err);
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	t = table_new(&cfg->filter);
	if (!t) {
		fprintf(stderr, "portstat: out of memory\n");
		status = CLI_EXIT_FAILURE;
		goto out;
	}

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long n = 0; !cfg->count || n < cfg->count; n++) {
		struct sampler_info info;
		struct view_sample vs;

		if (n > 0 && cfg->interval > 0) {
			timespec_add(&next, cfg->interval);
			sleep_until(&next);
		}
		if (stop_requested)
			break;
		ret = sp ? split_run(sp, c, t, &info) : sampler_run(c, t, &info);
		if (ret == -ENODATA) {
			if (n == 0) {
				fprintf(stderr, "portstat: replay file '%s' holds no samples\n",
					cfg->replay);
				status = CLI_EXIT_FAILURE;
			}
			break;
		}
		if (ret < 0) {
			fprintf(stderr, "portstat: %s\n", collector_error(c));
			status = CLI_EXIT_FAILURE;
			break;
		}
		vs = (struct view_sample){
			.table = t,
			.time = info.time,
			.netns = cfg->netns,
			.complete = info.complete,
			.note = info.complete ? NULL : info.note,
			.cost_ms = info.cost_ms,
		};
		if (emit(cfg, &vs, &vo) < 0) {
			status = CLI_EXIT_FAILURE;
			break;
		}
		if (!info.complete) {
			fprintf(stderr, "portstat: incomplete sample: %s\n", info.note);
			status = CLI_EXIT_FAILURE;
		}
		/* Every written file is a whole output, header included. */
		vo.first = cfg->write != NULL;
	}
out:
	table_delete(t);
	split_delete(sp);
	collector_close(c);
	return status;
}

int main(int argc, char *argv[])
{
	struct config cfg;
	char err[512];
	static char outbuf[1 << 16];

	if (cli_parse(&cfg, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "portstat: %s\nTry 'portstat --help' for more information.\n", err);
		return CLI_EXIT_USAGE;
	}
	if (cfg.help) {
		cli_help(stdout);
		return CLI_EXIT_OK;
	}
	if (cfg.version) {
		printf("portstat %s\n", PORTSTAT_VERSION);
		return CLI_EXIT_OK;
	}
	if (cfg.command != CLI_REPORT) {
		fprintf(stderr, "portstat: '%s' is not available in this version yet; use 'portstat report'\n",
			cfg.command == CLI_TOP ? "top" : "leaks");
		return CLI_EXIT_FAILURE;
	}
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	signals_init();
	return run_report(&cfg);
}
