/* SPDX-License-Identifier: MIT */
/*
 * main: the one place that prints errors and chooses exit statuses.  Parses
 * the command line, opens the collector, and runs the sample loop for the
 * report; the modules below it only return errors.  Messages embed names,
 * labels, paths and notes that may hold any bytes, so every line on stderr
 * goes out through strenc_text_line() (as leaks_run.c's and top.c's do).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allns.h"
#include "cli.h"
#include "collector.h"
#include "doctor_run.h"
#include "leaks.h"
#include "leaks_run.h"
#include "sampler.h"
#include "serve.h"
#include "outfile.h"
#include "services.h"
#include "owners.h"
#include "pace.h"
#include "procmap.h"
#include "split.h"
#include "strenc.h"
#include "table.h"
#include "top.h"
#include "view.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGINT, SIGTERM and SIGHUP end a repeating report after the sample in
 * progress, so a recording or a JSON line is never cut mid-sample; a second
 * signal kills (SA_RESETHAND).  SIGPIPE keeps its default: a reader that
 * went away ends the report at once and without a word.  These are
 * pace_stop_signals(): pace_wait() lets them end the wait between samples
 * whenever they come.  A mask inherited from the parent must not leave
 * them pending until exit, so they are unblocked. */
static void signals_init(void)
{
	struct sigaction sa;
	sigset_t stops;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pace_stop_signals(&stops);
	sigprocmask(SIG_UNBLOCK, &stops, NULL);
}

static int render_owners(const struct config *cfg, FILE *out, const struct view_sample *s,
			 const struct view_opts *o)
{
	switch (cfg->format) {
	case CLI_FORMAT_JSON:
		return view_owners_json(out, s, o);
	case CLI_FORMAT_CSV:
		return view_owners_csv(out, s, o);
	case CLI_FORMAT_PROMETHEUS:
		return view_owners_prom(out, s, o);
	default:
		return view_owners_text(out, s, o);
	}
}

static int render(const struct config *cfg, FILE *out, const struct view_sample *s,
		  const struct view_opts *o)
{
	if (s->owners)
		return render_owners(cfg, out, s, o);
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

/* What one sample's output is made of. */
struct output {
	const struct config *cfg;
	const struct view_opts *o;
	const struct view_sample *s;		/* one namespace */
	const struct allns_result *r;		/* or --all-netns */
	size_t n;
	const struct timespec *when;
};

static int render_allns(FILE *out, const struct output *x)
{
	const struct config *cfg = x->cfg;
	char when[32];
	bool first = true;

	view_format_time(x->when, when, sizeof(when));
	switch (cfg->format) {
	case CLI_FORMAT_JSON:
		fprintf(out, "{\"version\":1,\"time\":\"%s\",\"namespaces\":[", when);
		for (size_t i = 0; i < x->n; i++) {
			const struct allns_result *r = &x->r[i];

			if (r->vanished)
				continue;
			fputs(first ? "" : ",", out);
			first = false;
			if (r->err) {
				fputs("{\"version\":1,\"netns\":", out);
				view_json_string(out, r->ns.label);
				fputs(",\"error\":", out);
				view_json_string(out, r->note);
				fputc('}', out);
			} else {
				fwrite(r->part[0], 1, r->partlen[0], out);
			}
		}
		fputs("]}\n", out);
		break;
	case CLI_FORMAT_PROMETHEUS:
		for (int k = 0; k < VIEW_PROM_FAMILIES; k++) {
			view_prom_header(out, k);
			for (size_t i = 0; i < x->n; i++)
				if (!x->r[i].err)
					fwrite(x->r[i].part[k], 1, x->r[i].partlen[k], out);
		}
		break;
	case CLI_FORMAT_CSV:
		if (x->o->header && x->o->first)
			view_csv_header(out);
		for (size_t i = 0; i < x->n; i++)
			if (!x->r[i].err)
				fwrite(x->r[i].part[0], 1, x->r[i].partlen[0], out);
		break;
	default:
		if (x->o->stamp)
			fprintf(out, "%s# %s\n", x->o->first ? "" : "\n", when);
		for (size_t i = 0; i < x->n; i++) {
			const struct allns_result *r = &x->r[i];

			if (r->vanished)
				continue;
			/* A label or note may hold any bytes: its text form. */
			fprintf(out, "%s# netns: ", first ? "" : "\n");
			strenc_text_pad(out, r->ns.label, 0, false);
			if (r->ns.holder.container[0] && r->ns.holder.hostname[0]) {
				fputs(r->ns.holder.pod_uid[0] ? " (pod " : " (hostname ", out);
				strenc_text_pad(out, r->ns.holder.hostname, 0, false);
				fputc(')', out);
			}
			fputc('\n', out);
			first = false;
			if (r->err) {
				fputs("# error: ", out);
				strenc_text_pad(out, r->note, 0, false);
				fputc('\n', out);
			} else
				fwrite(r->part[0], 1, r->partlen[0], out);
		}
		break;
	}
	return ferror(out) ? -EIO : 0;
}

static int render_output(FILE *out, const struct output *x)
{
	return x->r ? render_allns(out, x) : render(x->cfg, out, x->s, x->o);
}

static int render_cb(FILE *out, const void *arg)
{
	return render_output(out, arg);
}

/*
 * One sample to stdout, or to --write's file replaced atomically (each
 * sample replaces the last, so the file always holds one whole sample).
 * The output-error policy of every mode (man page, FILES AND SECURITY):
 * stdout failing ends the run (EMIT_END); a failed --write leaves the
 * previous file, is said once per sample, and a repeating run goes on
 * (EMIT_FAILED).  Either way the run's status becomes a failure.
 */
enum emit_result {
	EMIT_OK,
	EMIT_FAILED,
	EMIT_END,
};

static enum emit_result emit(const struct output *x)
{
	const struct config *cfg = x->cfg;
	bool repeating = cfg->count != 1;
	char err[512];

	if (outfile_emit(cfg->write, render_cb, x, err, sizeof(err)) == 0)
		return EMIT_OK;
	strenc_text_line(stderr, "portstat: %s%s", err,
		cfg->write && repeating ? " (the file is left as it was; sampling goes on)" : "");
	return cfg->write && repeating ? EMIT_FAILED : EMIT_END;
}

/* What must hold before the run touches anything: the --write target is
 * one it may replace (refused at once, not once per sample).  0, or an
 * exit status. */
static int check_write(const struct config *cfg, int failure)
{
	char err[512];

	if (cfg->write && outfile_check(cfg->write, err, sizeof(err)) < 0) {
		strenc_text_line(stderr, "portstat: %s", err);
		return failure;
	}
	return 0;
}

/* How the report's views render, from the command line. */
static struct view_opts report_view_opts(const struct config *cfg,
					  const struct services *svc)
{
	return (struct view_opts){
		.sort = cfg->sort,
		.top = cfg->top,
		.header = cfg->header,
		/* A time line per sample only when there is more than one in
		 * the output. */
		.stamp = cfg->count != 1 && !cfg->write,
		.first = true,
		/* Names are for people: JSON, CSV and Prometheus keep
		 * numbers whatever this says (their renderers ignore it). */
		.services = svc,
	};
}

/* The notes of a run about owners --by could not see: one about
 * processes, one about cgroups, each once. */
struct owners_said {
	bool procs, cgroups, backend;
};

static void owners_note(const struct owners *w, struct owners_said *said)
{
	const struct owners_stats *st = owners_stats(w);
	char note[256];

	if (!said->backend && (st->bpf || st->bpf_error) && procmap_backend_wanted(st->bpf_error)) {
		procmap_backend_note(note, sizeof(note), st->bpf, st->bpf_error);
		strenc_text_line(stderr, "portstat: note: %s", note);
		said->backend = true;
		/* Forced BPF failed: that note is the one about "?". */
		if (st->no_proc && st->bpf_error)
			said->procs = true;
	}
	if (!said->procs && procmap_note(note, sizeof(note), st->no_proc, st->unknown, st->denied)) {
		strenc_text_line(stderr, "portstat: note: %s", note);
		said->procs = true;
	} else if (!said->procs && st->unknown) {
		strenc_text_line(stderr, "portstat: note: owners of %llu socket%s unknown (\"?\"): "
			"no process visible here holds them (another PID namespace, or they "
			"exited during the scan)",
			(unsigned long long)st->unknown, st->unknown == 1 ? "" : "s");
		said->procs = true;
	}
	if (!said->cgroups && st->no_cgroupfs) {
		strenc_text_line(stderr, "portstat: note: no cgroup2 file system mounted: cgroups shown by id");
		said->cgroups = true;
	}
}

static int run_report(const struct config *cfg, const struct services *svc)
{
	struct collector *c = NULL;
	struct split *sp = NULL;
	struct owners *w = NULL;
	struct table *t = NULL;
	struct series *set = NULL;
	struct owners_said said = { false, false, false };
	unsigned shares;
	unsigned long min_sockets;
	char err[512];
	int status = CLI_EXIT_OK, ret;
	struct timespec next;
	struct view_opts vo = report_view_opts(cfg, svc);

	/* Everything that can refuse the run comes before the recording is
	 * created, so a refused run leaves no file. */
	if (split_env(&shares, &min_sockets, err, sizeof(err)) < 0) {
		strenc_text_line(stderr, "portstat: %s", err);
		return CLI_EXIT_USAGE;
	}
	if ((status = check_write(cfg, CLI_EXIT_FAILURE)) != 0)
		return status;
	if (cfg->replay)
		ret = collector_open_replay(&c, cfg->replay, err, sizeof(err));
	else
		ret = collector_open_live(&c, cfg->netns, err, sizeof(err));
	if (ret < 0) {
		strenc_text_line(stderr, "portstat: %s", err);
		return CLI_EXIT_FAILURE;
	}
	if (cfg->rows != CLI_ROWS_PORTS) {
		/* Owner rows need every socket's inode or attributes in one
		 * place: no parallel split. */
		shares = 1;
		if (owners_new(&w, cfg->rows == CLI_ROWS_PROCESS ? OWNERS_PROCESS : OWNERS_CGROUP) < 0) {
			strenc_text_line(stderr, "portstat: out of memory");
			status = CLI_EXIT_FAILURE;
			goto out;
		}
		/* the sockets' cgroups are the rows */
		collector_set_attrs(c, cfg->rows == CLI_ROWS_CGROUP);
	}
	if (!cfg->replay && !cfg->record && shares != 1 &&
	    split_new(&sp, cfg->netns, &cfg->filter, shares, min_sockets, err, sizeof(err)) < 0) {
		strenc_text_line(stderr, "portstat: %s", err);
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	t = table_new(&cfg->filter);
	if (!t) {
		strenc_text_line(stderr, "portstat: out of memory");
		status = CLI_EXIT_FAILURE;
		goto out;
	}
	/* Prometheus rows stay exported from one sample to the next (-i with
	 * --write: a textfile's series are as stable as serve's). */
	if (cfg->format == CLI_FORMAT_PROMETHEUS && !w) {
		if (series_new(&set, cfg->top, cfg->filter.has_ports) < 0) {
			fprintf(stderr, "portstat: out of memory\n");
			status = CLI_EXIT_FAILURE;
			goto out;
		}
		vo.series = set;
	}
	if (cfg->record && collector_record(c, cfg->record, err, sizeof(err)) < 0) {
		strenc_text_line(stderr, "portstat: %s", err);
		status = CLI_EXIT_FAILURE;
		goto out;
	}

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long n = 0; !cfg->count || n < cfg->count; n++) {
		struct sampler_info info;
		struct view_sample vs;

		if (n > 0 && cfg->interval > 0) {
			pace_advance(&next, cfg->interval);
			pace_wait(&next, &stop_requested);
		}
		if (stop_requested)
			break;
		/* --by process: the BPF owner iterator loads and runs during
		 * the dump (procmap_prefetch()). */
		if (w && cfg->rows == CLI_ROWS_PROCESS && !cfg->replay)
			procmap_prefetch(true);
		if (w)	/* a replay's cgroup ids are another host's: not resolved */
			ret = sampler_run_owners(c, t, w, cfg->replay ? "" : NULL, &info);
		else if (sp)
			ret = split_run(sp, c, t, &info);
		else
			ret = sampler_run(c, t, &info);
		procmap_prefetch_end();
		if (ret == -ENODATA) {
			if (n == 0) {
				strenc_text_line(stderr, "portstat: replay file '%s' holds no samples",
					cfg->replay);
				status = CLI_EXIT_FAILURE;
			}
			break;
		}
		if (ret < 0) {
			/* Our own allocations fail without a collector error;
			 * an owner scan that ran out of fds says so itself. */
			strenc_text_line(stderr, "portstat: %s",
				w && *owners_error(w) ? owners_error(w) :
				ret == -ENOMEM ? "out of memory" : collector_error(c));
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
			.owners = w,
		};
		switch (emit(&(struct output){ .cfg = cfg, .o = &vo, .s = &vs })) {
		case EMIT_OK:
			break;
		case EMIT_FAILED:
			status = CLI_EXIT_FAILURE;
			break;
		case EMIT_END:
			status = CLI_EXIT_FAILURE;
			goto out;
		}
		if (!info.complete) {
			strenc_text_line(stderr, "portstat: incomplete sample: %s", info.note);
			status = CLI_EXIT_FAILURE;
		}
		if (w)
			owners_note(w, &said);
		/* Every written file is a whole output, header included. */
		vo.first = cfg->write != NULL;
	}
out:
	series_delete(set);
	table_delete(t);
	owners_delete(w);
	split_delete(sp);
	collector_close(c);
	return status;
}

/* --all-netns: like run_report, one sample of every namespace per round.
 * A namespace that vanished mid-scan is a note; one that could not be read
 * is an error (exit 1) but does not hide the others. */
static int run_all_netns(const struct config *cfg, const struct services *svc)
{
	int status = CLI_EXIT_OK;
	struct timespec next;
	struct view_opts vo = report_view_opts(cfg, svc);
	struct series_map *map = NULL;

	if ((status = check_write(cfg, CLI_EXIT_FAILURE)) != 0)
		return status;
	/* Prometheus rows stay exported from one round to the next, per
	 * namespace. */
	if (cfg->format == CLI_FORMAT_PROMETHEUS &&
	    series_map_new(&map, cfg->top, cfg->filter.has_ports) < 0) {
		fprintf(stderr, "portstat: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long round = 0; !cfg->count || round < cfg->count; round++) {
		struct allns_result *r = NULL;
		struct timespec when;
		size_t n = 0;
		char err[512];

		if (round > 0) {
			pace_advance(&next, cfg->interval);
			pace_wait(&next, &stop_requested);
		}
		if (stop_requested)
			break;
		clock_gettime(CLOCK_REALTIME, &when);
		if (allns_sample(cfg, &vo, map, &r, &n, err, sizeof(err)) < 0) {
			strenc_text_line(stderr, "portstat: %s", err);
			status = CLI_EXIT_FAILURE;
			break;
		}
		switch (emit(&(struct output){ .cfg = cfg, .o = &vo, .r = r, .n = n, .when = &when })) {
		case EMIT_OK:
			break;
		case EMIT_FAILED:
			status = CLI_EXIT_FAILURE;
			break;
		case EMIT_END:
			allns_free(r, n);
			status = CLI_EXIT_FAILURE;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			if (r[i].vanished) {
				strenc_text_line(stderr, "portstat: note: network namespace %s vanished during the scan",
					r[i].ns.label);
			} else if (r[i].err) {
				strenc_text_line(stderr, "portstat: %s: %s", r[i].ns.label, r[i].note);
				status = CLI_EXIT_FAILURE;
			} else if (!r[i].complete) {
				strenc_text_line(stderr, "portstat: incomplete sample of %s: %s",
					r[i].ns.label, r[i].note);
				status = CLI_EXIT_FAILURE;
			}
		}
		allns_free(r, n);
		if (status == CLI_EXIT_FAILURE && !cfg->interval)
			break;
		vo.first = cfg->write != NULL;
	}
out:
	series_map_delete(map);
	return status;
}

static int help_cb(FILE *out, const void *arg)
{
	const struct config *cfg = arg;

	if (cfg->version)
		fprintf(out, "portstat %s\nLicense: MIT\n", PORTSTAT_VERSION);
	else if (cfg->command == CLI_LEAKS)
		cli_help_leaks(out);
	else if (cfg->command == CLI_TOP)
		cli_help_top(out);
	else if (cfg->command == CLI_SERVE)
		cli_help_serve(out);
	else
		cli_help(out);
	return 0;
}

int main(int argc, char *argv[])
{
	struct config cfg;
	struct services *svc = NULL;
	char err[512];
	int status;

	/* doctor parses its own command line (cli_doctor.c). */
	if (argc > 1 && strcmp(argv[1], "doctor") == 0) {
		signals_init();
		return doctor_run(argc, argv, &stop_requested);
	}
	if (cli_parse(&cfg, argc, argv, err, sizeof(err)) < 0) {
		strenc_text_line(stderr, "portstat: %s", err);
		fputs("Try 'portstat --help' for more information.\n", stderr);
		/* A monitoring plugin's usage error is UNKNOWN, not CRITICAL,
		 * and says so on stdout: that is all a monitoring system shows.
		 * '|' escaped: the error quotes the argument given. */
		if (cfg.command == CLI_LEAKS) {
			char enc[2048];

			strenc_text(enc, sizeof(enc), err, -1, STRENC_NOPIPE);
			printf("UNKNOWN: %s\n", enc);
			return CLI_EXIT_LEAKS_USAGE;
		}
		return CLI_EXIT_USAGE;
	}
	if (cfg.help || cfg.version) {
		/* The output policy holds here too: help that did not reach
		 * its reader is a failure, said with its cause. */
		if (outfile_emit(NULL, help_cb, &cfg, err, sizeof(err)) < 0) {
			strenc_text_line(stderr, "portstat: %s", err);
			return cfg.command == CLI_LEAKS ? LEAKS_UNKNOWN : CLI_EXIT_FAILURE;
		}
		return CLI_EXIT_OK;
	}
	{
		/* PORTSTAT_OWNERS picks the owner backend in procmap_new(); a
		 * value it does not know is a usage error, said here once. */
		const char *ow = getenv("PORTSTAT_OWNERS");
		enum procmap_backend b;

		if (procmap_backend_parse(ow, &b) < 0) {
			strenc_text_line(stderr, "portstat: PORTSTAT_OWNERS: invalid value '%s' "
					 "(auto, bpf or proc)", ow);
			return cfg.command == CLI_LEAKS ? CLI_EXIT_LEAKS_USAGE : CLI_EXIT_USAGE;
		}
	}
	if (cfg.command == CLI_TOP)
		return top_run(&cfg);
	signals_init();
	if (cfg.command == CLI_LEAKS)
		return leaks_run(&cfg, &stop_requested);
	if (cfg.command == CLI_SERVE) {
		/* Runs until a stop signal; a scrape's failures are metrics
		 * (portstat_errors_total), not exits. */
		if (serve_run(&cfg, &stop_requested, err, sizeof(err)) < 0) {
			strenc_text_line(stderr, "portstat: %s", err);
			return CLI_EXIT_FAILURE;
		}
		return CLI_EXIT_OK;
	}
	/* The SERVICE column's names: text rows of ports only, not -n.
	 * Out of memory leaves the column out (NULL), never the report. */
	if (cfg.format == CLI_FORMAT_TEXT && !cfg.numeric && cfg.rows == CLI_ROWS_PORTS)
		svc = services_new();
	status = cfg.all_netns ? run_all_netns(&cfg, svc) : run_report(&cfg, svc);
	services_delete(svc);
	return status;
}
