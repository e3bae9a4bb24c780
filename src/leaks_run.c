/* SPDX-License-Identifier: MIT */
/*
 * leaks_run: the sample loop of `portstat leaks`: opens the collector (live
 * or a replay), samples into the leaks model, evaluates the thresholds,
 * renders, and maps every failure to the monitoring-plugin status UNKNOWN.
 * With --all-netns it keeps one model per namespace (leaks_ns.h: by nsfs
 * inode, so -i tracks each across samples), samples them one after the
 * other, and renders them together under one verdict, the worst of them.
 * Every failure is UNKNOWN, which a plugin says on stdout too ("UNKNOWN:
 * reason" as the first line, not only a line on stderr that a monitoring
 * system does not show).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "collector.h"
#include "leaks.h"
#include "leaks_run.h"
#include "leaks_ns.h"
#include "leakstate.h"
#include "outfile.h"
#include "procmap.h"
#include "pace.h"
#include "sampler.h"
#include "strenc.h"
#include "view_leaks.h"
#include "view_leaks_owners.h"

static int render(const struct config *cfg, FILE *out, const struct view_leaks *s,
		  const struct view_opts *o)
{
	bool cg = cfg->rows == CLI_ROWS_CGROUP;

	if (cfg->rows != CLI_ROWS_PORTS) {
		switch (cfg->format) {
		case CLI_FORMAT_JSON:
			return view_leaks_owners_json(out, s, o, cg);
		case CLI_FORMAT_CSV:
			return view_leaks_owners_csv(out, s, o, cg);
		default:
			return view_leaks_owners_text(out, s, o, cg);
		}
	}
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

/* The status of @l's last sample: thresholds apply to each row, groups
 * or owners (--by process, --by cgroup). */
static enum leaks_status evaluate(const struct config *cfg, const struct leaks *l, long *worst)
{
	if (cfg->rows != CLI_ROWS_PORTS)
		return leaks_evaluate_owners(l, &cfg->thresholds, worst);
	return leaks_evaluate(l, &cfg->thresholds, worst);
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
static void owners_note(const struct leaks_summary *sum, bool said[2])
{
	char note[256];

	/* said[0]: the note about "?"; said[1]: the one about the backend. */
	if (!said[1] && (sum->bpf || sum->bpf_error) && procmap_backend_wanted(sum->bpf_error)) {
		procmap_backend_note(note, sizeof(note), sum->bpf, sum->bpf_error);
		strenc_text_line(stderr, "portstat: note: %s", note);
		said[1] = true;
		/* Forced BPF failed: that note is the one about "?". */
		if (sum->owners_failed && sum->bpf_error)
			said[0] = true;
	}
	if (!said[0] && procmap_note(note, sizeof(note), sum->owners_failed, sum->unowned,
				   sum->denied)) {
		strenc_text_line(stderr, "portstat: note: %s", note);
		said[0] = true;
	}
}

/* Rank of a status in the "worst of" order: OK < WARNING < UNKNOWN <
 * CRITICAL. */
static int rank(enum leaks_status s)
{
	static const int r[] = { [LEAKS_OK] = 0, [LEAKS_WARNING] = 1,
				 [LEAKS_CRITICAL] = 3, [LEAKS_UNKNOWN] = 2 };

	return s <= LEAKS_UNKNOWN ? r[s] : 2;
}

/* --all-netns: the models (leaks_ns.h) and this sample's view of each,
 * index for index. */
struct allns_leaks {
	struct leaks_ns_set *set;
	struct view_leaks *vl;
	const struct view_leaks **read;	/* &vl[k] when read, else NULL */
	size_t n;		/* entries of the last sample */
	struct timespec when;
	enum leaks_status status;
	long worst;		/* entry the verdict is about, -1: none */
	size_t nread;
	uint64_t sockets;
};

/* This sample's views: each namespace read, evaluated against the
 * thresholds (a partial one UNKNOWN unless already CRITICAL).  Returns 0
 * or -ENOMEM. */
static int allns_views(struct allns_leaks *a, const struct config *cfg, bool tracking)
{
	size_t n = leaks_ns_count(a->set);
	struct view_leaks *vl = realloc(a->vl, (n ? n : 1) * sizeof(*vl));
	const struct view_leaks **read;

	if (!vl)
		return -ENOMEM;
	a->vl = vl;
	read = realloc(a->read, (n ? n : 1) * sizeof(*read));
	if (!read)
		return -ENOMEM;
	a->read = read;
	a->n = n;
	for (size_t k = 0; k < n; k++) {
		struct leaks_ns *e = leaks_ns_get(a->set, k);

		vl[k] = (struct view_leaks){ .leaks = e->l, .netns = e->ns.label, .worst = -1 };
		read[k] = e->read ? &vl[k] : NULL;
		if (!e->read)
			continue;
		vl[k].series = e->series;
		vl[k].time = e->time;
		vl[k].holder = e->ns.holder.container[0] ? &e->ns.holder : NULL;
		vl[k].tracking = tracking;
		vl[k].complete = e->complete;
		vl[k].note = e->complete ? NULL : e->note;
		vl[k].th = &cfg->thresholds;
		vl[k].status = evaluate(cfg, e->l, &vl[k].worst);
		if (!e->complete && vl[k].status != LEAKS_CRITICAL)
			vl[k].status = LEAKS_UNKNOWN;
	}
	return 0;
}

/* The verdict over every namespace: the worst status; among equals the
 * namespace whose deciding group is largest. */
static void allns_evaluate(struct allns_leaks *a, const struct config *cfg)
{
	int best = -1;
	uint64_t best_count = 0;

	a->worst = -1;
	a->nread = 0;
	a->sockets = 0;
	for (size_t k = 0; k < a->n; k++) {
		const struct leaks_ns *m = leaks_ns_get(a->set, k);
		const struct view_leaks *vl = &a->vl[k];
		const struct leaks_group *g;
		uint64_t count;
		int r;

		if (!m->read)
			continue;
		a->nread++;
		a->sockets += leaks_summary(m->l)->sockets;
		if (cfg->rows != CLI_ROWS_PORTS) {
			const struct leaks_owner *w = vl->worst >= 0 ?
				leaks_owner(m->l, (size_t)vl->worst) : NULL;

			count = w ? w->count : 0;
		} else {
			g = vl->worst >= 0 ? leaks_group(m->l, (size_t)vl->worst) : NULL;
			count = g ? g->count : 0;
		}
		r = rank(vl->status);
		if (r > best || (r == best && count > best_count)) {
			best = r;
			best_count = count;
			a->worst = (long)k;
		}
	}
	a->status = a->nread == 0 ? LEAKS_UNKNOWN : a->vl[a->worst].status;
}

/* The first line: the deciding namespace's verdict, naming it. */
static void allns_verdict(const struct allns_leaks *a, const struct config *cfg, char *buf,
			  size_t len)
{
	const struct leaks_ns *m;
	const struct view_leaks *vl;
	char v[512], label[4 * sizeof(m->ns.label) + 1];

	if (a->nread == 0) {
		snprintf(buf, len, "UNKNOWN: no network namespace could be read");
		return;
	}
	m = leaks_ns_get(a->set, (size_t)a->worst);
	vl = &a->vl[a->worst];
	if (cfg->rows != CLI_ROWS_PORTS)
		view_leaks_owners_verdict(vl, cfg->rows == CLI_ROWS_CGROUP, v, sizeof(v));
	else
		view_leaks_verdict(vl, v, sizeof(v));
	if (vl->worst < 0) {
		snprintf(buf, len, "%s in %zu network namespace%s", v, a->nread,
			 a->nread == 1 ? "" : "s");
		return;
	}
	/* A label is any bytes: its text form, no '|' (perfdata). */
	strenc_text(label, sizeof(label), m->ns.label, -1, STRENC_NOPIPE);
	snprintf(buf, len, "%s (netns %s)", v, label);
}

struct allns_output {
	const struct config *cfg;
	const struct allns_leaks *a;
	const struct view_opts *o;
};

static int render_allns_cb(FILE *out, const void *arg)
{
	const struct allns_output *x = arg;
	const struct allns_leaks *a = x->a;
	struct view_opts o = *x->o;
	char when[32], verdict[1100];
	bool first = true;
	int ret = 0;

	view_format_time(&a->when, when, sizeof(when));
	allns_verdict(a, x->cfg, verdict, sizeof(verdict));
	o.stamp = false;
	switch (x->cfg->format) {
	case CLI_FORMAT_JSON:
		fprintf(out, "{\"version\":1,\"time\":\"%s\",\"status\":\"%s\",\"verdict\":",
			when, leaks_status_name(a->status));
		view_json_string(out, verdict);
		fprintf(out, ",\"sockets\":%llu,\"namespaces\":[", (unsigned long long)a->sockets);
		for (size_t k = 0; k < a->n && ret == 0; k++) {
			const struct leaks_ns *m = leaks_ns_get(a->set, k);
			char *buf = NULL;
			size_t blen = 0;
			FILE *f;

			if (m->vanished)
				continue;
			fputs(first ? "" : ",", out);
			first = false;
			if (!m->read) {
				fputs("{\"version\":1,\"netns\":", out);
				view_json_string(out, m->ns.label);
				fputs(",\"error\":", out);
				view_json_string(out, m->note);
				fputc('}', out);
				continue;
			}
			/* One object per namespace, its newline dropped. */
			if (!(f = open_memstream(&buf, &blen)))
				return -ENOMEM;
			ret = render(x->cfg, f, &a->vl[k], &o);
			if (fclose(f) != 0 && ret == 0)
				ret = -ENOMEM;
			if (ret == 0)
				fwrite(buf, 1, blen && buf[blen - 1] == '\n' ? blen - 1 : blen, out);
			free(buf);
		}
		fputs("]}\n", out);
		break;
	case CLI_FORMAT_PROMETHEUS:
		/* Each family once, its series from every namespace read,
		 * labelled netns="LABEL" (the report's rule). */
		ret = view_leaks_prom_all(out, a->read, a->n, &o);
		break;
	case CLI_FORMAT_CSV:
		for (size_t k = 0; k < a->n && ret == 0; k++) {
			if (!leaks_ns_get(a->set, k)->read)
				continue;
			ret = render(x->cfg, out, &a->vl[k], &o);
			o.first = false;	/* one header */
		}
		break;
	default:
		if (x->o->stamp)
			fprintf(out, "%s# %s\n", x->o->first ? "" : "\n", when);
		{
			/* One status line for all: the perfdata sums every
			 * namespace read; the sections have none of their own. */
			char perf[1024] = "";

			if (a->nread)
				view_leaks_perfdata_all(a->read, a->n, perf, sizeof(perf));
			fprintf(out, "%s%s%s\n", verdict, perf[0] ? " | " : "", perf);
		}
		for (size_t k = 0; k < a->n && ret == 0; k++) {
			const struct leaks_ns *m = leaks_ns_get(a->set, k);
			struct view_leaks sec;
			char enc[1024];

			if (m->vanished)
				continue;
			/* Plugin output: in its long text a '|' starts perfdata. */
			strenc_text(enc, sizeof(enc), m->ns.label, -1, STRENC_NOPIPE);
			fprintf(out, "\n# netns: %s\n", enc);
			if (!m->read) {
				strenc_text(enc, sizeof(enc), m->note, -1, STRENC_NOPIPE);
				fprintf(out, "# error: %s\n", enc);
				continue;
			}
			sec = a->vl[k];
			sec.section = true;
			ret = render(x->cfg, out, &sec, &o);
		}
		break;
	}
	if (ret == 0 && ferror(out))
		ret = -EIO;
	return ret;
}

/* --all-netns: every namespace each sample, one verdict over them.  A
 * namespace that could not be read or vanished is a note; only when none
 * could be read is the status UNKNOWN. */
static int run_allns(const struct config *cfg, const struct leaks_opts *lo,
		     struct view_opts *vo, volatile sig_atomic_t *stop)
{
	struct allns_leaks a = { 0 };
	int status = LEAKS_UNKNOWN, ret;
	bool prom = cfg->format == CLI_FORMAT_PROMETHEUS && cfg->rows == CLI_ROWS_PORTS;
	bool write_failed = false, said[2] = { false, false };
	struct timespec next;
	char err[512];

	/* Prometheus: each namespace's exported groups kept across samples
	 * (-i), as the report's rows. */
	if (leaks_ns_set_new(&a.set, lo, prom ? cfg->top : 0, cfg->filter.has_ports) < 0) {
		fail(cfg, false, "out of memory");
		return LEAKS_UNKNOWN;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long n = 0; !cfg->count || n < cfg->count; n++) {
		struct allns_output x = { .cfg = cfg, .a = &a, .o = vo };
		struct leaks_summary sum = { 0 };

		if (n > 0 && cfg->interval > 0) {
			pace_advance(&next, cfg->interval);
			pace_wait(&next, stop);
		}
		if (*stop)
			break;
		clock_gettime(CLOCK_REALTIME, &a.when);
		ret = leaks_ns_sample(a.set, err, sizeof(err));
		if (ret == 0 && (ret = allns_views(&a, cfg, lo->track)) < 0)
			snprintf(err, sizeof(err), "out of memory");
		if (ret < 0) {
			fail(cfg, n > 0 && !cfg->write, "%s", err);
			status = LEAKS_UNKNOWN;
			break;
		}
		allns_evaluate(&a, cfg);
		status = (int)a.status;
		ret = outfile_emit(cfg->write, render_allns_cb, &x, err, sizeof(err));
		if (ret < 0) {
			bool repeating = cfg->count != 1;

			strenc_text_line(stderr, "portstat: %s%s", err,
				cfg->write && repeating ? " (the file is left as it was; sampling goes on)" : "");
			write_failed = true;
			if (!(cfg->write && repeating))
				break;
		}
		for (size_t k = 0; k < a.n; k++) {
			const struct leaks_ns *m = leaks_ns_get(a.set, k);
			const struct leaks_summary *one = m->read ? leaks_summary(m->l) : NULL;

			/* One owners note for the run, over all namespaces. */
			if (one) {
				sum.owners_failed |= one->owners_failed;
				sum.bpf |= one->bpf;
				if (one->bpf_error)
					sum.bpf_error = one->bpf_error;
				sum.unowned += one->unowned;
				sum.denied = one->denied > sum.denied ? one->denied : sum.denied;
			}
		}
		owners_note(&sum, said);
		for (size_t k = 0; k < a.n; k++) {
			const struct leaks_ns *m = leaks_ns_get(a.set, k);

			if (m->vanished)
				strenc_text_line(stderr, "portstat: note: network namespace %s vanished during the scan",
					m->ns.label);
			else if (!m->read)
				strenc_text_line(stderr, "portstat: note: %s not read: %s",
					m->ns.label, m->note);
			else if (!m->complete)
				strenc_text_line(stderr, "portstat: incomplete sample of %s: %s",
					m->ns.label, m->note);
		}
		vo->first = cfg->write != NULL;
	}
	if (write_failed)
		status = LEAKS_UNKNOWN;
	leaks_ns_set_delete(a.set);
	free(a.vl);
	free(a.read);
	return status;
}

/* --state-file: what the last run left, into the model before its first
 * sample.  Missing, unreadable or damaged: a note and a fresh start. */
static int state_load(const struct config *cfg, struct leaks *l)
{
	struct leakstate st;
	char why[256];
	int ret;

	ret = leakstate_read(cfg->state_file, &st, why, sizeof(why));
	if (ret == -ENOENT) {
		strenc_text_line(stderr, "portstat: note: state file '%s' does not exist yet: starting afresh",
			cfg->state_file);
		return 0;
	}
	if (ret < 0) {
		strenc_text_line(stderr, "portstat: note: state file '%s' ignored (%s): starting afresh",
			cfg->state_file, why);
		return 0;
	}
	if (st.states != leaks_states(l)) {
		strenc_text_line(stderr,
			"portstat: note: state file '%s' was written for other states (-s): starting afresh",
			cfg->state_file);
		leakstate_free(&st);
		return 0;
	}
	ret = leaks_state_restore(l, &st);
	leakstate_free(&st);
	return ret;
}

static int state_cb(FILE *out, const void *arg)
{
	return leakstate_encode(out, (struct leakstate *)arg);
}

/* --state-file: this sample, for the next run; replaced atomically with
 * --write's rules.  A failure is said, and does not change the verdict. */
static int state_save(const struct config *cfg, const struct leaks *l)
{
	struct leakstate st;
	char err[512];
	int ret;

	ret = leaks_state_take(l, &st);
	if (ret < 0)
		return ret;
	if (outfile_emit(cfg->state_file, state_cb, &st, err, sizeof(err)) < 0)
		strenc_text_line(stderr, "portstat: note: state not saved: %s", err);
	leakstate_free(&st);
	return 0;
}

int leaks_run(const struct config *cfg, volatile sig_atomic_t *stop)
{
	struct collector *c = NULL;
	struct leaks *l = NULL;
	struct series *set = NULL;
	struct leaks_opts lo = {
		.filter = cfg->filter,
		.owners = !cfg->replay,
		.proc_root = "/proc",
		/* More than one sample, or one after another run: follow
		 * sockets across them. */
		.track = cfg->count != 1 || cfg->state_file,
		.rows = cfg->rows == CLI_ROWS_PROCESS ? LEAKS_ROWS_PROCESS :
			cfg->rows == CLI_ROWS_CGROUP ? LEAKS_ROWS_CGROUP : LEAKS_ROWS_GROUPS,
	};
	struct view_opts vo = {
		.top = cfg->top,
		.header = cfg->header,
		.stamp = cfg->count != 1 && !cfg->write,
		.first = true,
	};
	int status = LEAKS_UNKNOWN, ret;
	bool said[2] = { false, false }, write_failed = false, used = false;
	struct timespec next;
	char err[512];

	lo.filter.states = cfg->leak_states;
	/* Everything that can refuse the run comes before the recording is
	 * created, so a refused run leaves no file. */
	if (cfg->write && outfile_check(cfg->write, err, sizeof(err)) < 0) {
		fail(cfg, false, "%s", err);
		return LEAKS_UNKNOWN;
	}
	/* A link, a device or a directory is refused, as for --write. */
	if (cfg->state_file && outfile_check(cfg->state_file, err, sizeof(err)) < 0) {
		fail(cfg, false, "--state-file: %s", err);
		return LEAKS_UNKNOWN;
	}
	if (cfg->all_netns)
		return run_allns(cfg, &lo, &vo, stop);
	if (cfg->replay)
		ret = collector_open_replay(&c, cfg->replay, err, sizeof(err));
	else
		ret = collector_open_live(&c, cfg->netns, err, sizeof(err));
	if (ret < 0) {
		fail(cfg, false, "%s", err);
		return LEAKS_UNKNOWN;
	}
	/* Prometheus: the exported groups kept across samples (-i), as the
	 * report's rows. */
	if (leaks_new(&l, &lo) < 0 || (cfg->state_file && state_load(cfg, l) < 0) ||
	    (cfg->format == CLI_FORMAT_PROMETHEUS && cfg->rows == CLI_ROWS_PORTS &&
	     series_new(&set, cfg->top, cfg->filter.has_ports) < 0)) {
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
		/* The BPF owner iterator loads during the dump, and runs as
		 * soon as a socket's owner is wanted (procmap_prefetch()). */
		if (lo.owners && !cfg->replay)
			procmap_prefetch(false);
		ret = leaks_sample(l, c, &info);
		procmap_prefetch_end();
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
			.series = set,
		};
		status = (int)evaluate(cfg, l, &vl.worst);
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
			strenc_text_line(stderr, "portstat: incomplete sample: %s%s", info.note,
				cfg->state_file ? " (state not saved)" : "");
		else if (cfg->state_file && state_save(cfg, l) < 0) {
			fail(cfg, used, "out of memory");
			status = LEAKS_UNKNOWN;
			break;
		}
		if (!cfg->replay)
			owners_note(leaks_summary(l), said);
		vo.first = cfg->write != NULL;
	}
	/* An output that was lost is not a verdict anyone saw. */
	if (write_failed)
		status = LEAKS_UNKNOWN;
out:
	series_delete(set);
	leaks_delete(l);
	collector_close(c);
	return status;
}
