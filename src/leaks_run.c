/*
 * leaks_run: the sample loop of `portstat leaks`: opens the collector (live
 * or a replay), samples into the leaks model, evaluates the thresholds,
 * renders, and maps every failure to the monitoring-plugin status UNKNOWN,
 * which a plugin says on stdout too ("UNKNOWN: reason" as the first line,
 * not only a line on stderr that a monitoring system does not show).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "collector.h"
#include "leaks.h"
#include "leaks_run.h"
#include "outfile.h"
#include "procmap.h"
#include "pace.h"
#include "sampler.h"
#include "strenc.h"
#include "view_leaks.h"

static int render(const struct config *cfg, FILE *out, const struct view_leaks *s,
		  const struct view_opts *o)
{
	switch (cfg->format) {
	case CLI_FORMAT_JSON:
		return view_leaks_json(out, s, o);
	case CLI_FORMAT_CSV:
		return view_leaks_csv(out, s, o);
	case CLI_FORMAT_PROMETHEUS:
		return view_leaks_prom(out, s, o, NULL);
	default:
		return view_leaks_text(out, s, o);
	}
}

/*
 * A failure: its one line on stderr, and the plugin's status line
 * "UNKNOWN: reason" on stdout where a monitoring system reads it.  In the
 * text format always; in the others only while stdout holds nothing yet
 * (@used false), so a JSON or CSV stream is not broken mid-way.  The
 * reason in its text form with '|' escaped: it may hold a file name, and
 * a '|' would start forged perfdata.
 */
static void fail(const struct config *cfg, bool used, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(const struct config *cfg, bool used, const char *fmt, ...)
{
	char msg[1024], enc[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strenc_text_line(stderr, "portstat: %s", msg);
	if (cfg->format != CLI_FORMAT_TEXT && used)
		return;
	strenc_text(enc, sizeof(enc), msg, -1, STRENC_NOPIPE);
	printf("UNKNOWN: %s\n", enc);
	fflush(stdout);
}

struct leaks_output {
	const struct config *cfg;
	const struct view_leaks *s;
	const struct view_opts *o;
};

static int render_cb(FILE *out, const void *arg)
{
	const struct leaks_output *x = arg;

	return render(x->cfg, out, x->s, x->o);
}

/* One sample to stdout or, with --write, to a file replaced atomically.
 * main.c's output-error policy: -EPIPE and the like on stdout end the run
 * (returns -1); a failed --write keeps the previous file and a repeating
 * run goes on (returns 1).  Both make the status UNKNOWN. */
static int emit(const struct config *cfg, const struct view_leaks *s, const struct view_opts *o)
{
	struct leaks_output x = { .cfg = cfg, .s = s, .o = o };
	bool repeating = cfg->count != 1;
	char err[512];

	if (outfile_emit(cfg->write, render_cb, &x, err, sizeof(err)) == 0)
		return 0;
	/* stdout itself failing has nowhere left to say it but stderr. */
	if (cfg->write)
		fail(cfg, false, "%s%s", err,
		     repeating ? " (the file is left as it was; sampling goes on)" : "");
	else
		strenc_text_line(stderr, "portstat: %s", err);
	return cfg->write && repeating ? 1 : -1;
}

/* The one note per run about owners we could not see. */
static void owners_note(const struct leaks_summary *sum, bool *said)
{
	char note[256];

	if (!*said && procmap_note(note, sizeof(note), sum->owners_failed, sum->unowned,
				   sum->denied)) {
		strenc_text_line(stderr, "portstat: note: %s", note);
		*said = true;
	}
}

int leaks_run(const struct config *cfg, volatile sig_atomic_t *stop)
{
	struct collector *c = NULL;
	struct leaks *l = NULL;
	struct leaks_opts lo = {
		.filter = cfg->filter,
		.owners = !cfg->replay,
		.proc_root = "/proc",
		/* More than one sample: follow sockets across them. */
		.track = cfg->count != 1,
	};
	struct view_opts vo = {
		.top = cfg->top,
		.header = cfg->header,
		.stamp = cfg->count != 1 && !cfg->write,
		.first = true,
	};
	int status = LEAKS_UNKNOWN, ret;
	bool said = false, write_failed = false, used = false;
	struct timespec next;
	char err[512];

	lo.filter.states = cfg->leak_states;
	/* Everything that can refuse the run comes before the recording is
	 * created, so a refused run leaves no file. */
	if (cfg->write && outfile_check(cfg->write, err, sizeof(err)) < 0) {
		fail(cfg, false, "%s", err);
		return LEAKS_UNKNOWN;
	}
	if (cfg->replay)
		ret = collector_open_replay(&c, cfg->replay, err, sizeof(err));
	else
		ret = collector_open_live(&c, cfg->netns, err, sizeof(err));
	if (ret < 0) {
		fail(cfg, false, "%s", err);
		return LEAKS_UNKNOWN;
	}
	if (leaks_new(&l, &lo) < 0) {
		fail(cfg, false, "out of memory");
		goto out;
	}
	if (cfg->record && collector_record(c, cfg->record, err, sizeof(err)) < 0) {
		fail(cfg, false, "%s", err);
		goto out;
	}

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long n = 0; !cfg->count || n < cfg->count; n++) {
		struct sampler_info info;
		struct view_leaks vl;

		if (n > 0 && cfg->interval > 0) {
			pace_advance(&next, cfg->interval);
			pace_wait(&next, stop);
		}
		if (*stop)
			break;
		ret = leaks_sample(l, c, &info);
		if (ret == -ENODATA) {
			if (n == 0)
				fail(cfg, false, "replay file '%s' holds no samples", cfg->replay);
			break;
		}
		if (ret < 0) {
			/* An owner scan that ran out of fds says so itself. */
			fail(cfg, used, "%s", *leaks_error(l) ? leaks_error(l) :
			     ret == -ENOMEM ? "out of memory" : collector_error(c));
			status = LEAKS_UNKNOWN;
			break;
		}
		vl = (struct view_leaks){
			.leaks = l,
			.time = info.time,
			.netns = cfg->netns,
			.tracking = lo.track,
			.complete = info.complete,
			.note = info.complete ? NULL : info.note,
			.th = &cfg->thresholds,
		};
		status = (int)leaks_evaluate(l, &cfg->thresholds, &vl.worst);
		/* A partial count is a lower bound: CRITICAL stays true,
		 * anything less is not known. */
		if (!info.complete && status != LEAKS_CRITICAL)
			status = LEAKS_UNKNOWN;
		vl.status = (enum leaks_status)status;
		ret = emit(cfg, &vl, &vo);
		used |= !cfg->write;
		if (ret != 0)
			write_failed = true;
		if (ret < 0)
			break;
		if (!info.complete)
			strenc_text_line(stderr, "portstat: incomplete sample: %s", info.note);
		if (!cfg->replay)
			owners_note(leaks_summary(l), &said);
		vo.first = cfg->write != NULL;
	}
	/* An output that was lost is not a verdict anyone saw. */
	if (write_failed)
		status = LEAKS_UNKNOWN;
out:
	leaks_delete(l);
	collector_close(c);
	return status;
}
