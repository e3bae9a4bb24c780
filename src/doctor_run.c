/* SPDX-License-Identifier: MIT */
/*
 * doctor_run: the sample loop of `portstat doctor`: opens the collector
 * (live, asking it for the namespace's kernel context at every sample, or
 * a recording, whose samples carry theirs), feeds each sample to the
 * doctor model, renders it, and maps every failure to the plugin status
 * UNKNOWN.  A live sample of one namespace is split over parallel dumps
 * as the report's is (split.h, PORTSTAT_SPLIT), one model per share
 * (doctor_split.h); --all-netns samples each namespace in one dump.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_doctor.h"
#include "collector.h"
#include "doctor.h"
#include "doctor_run.h"
#include "doctor_split.h"
#include "netns.h"
#include "pace.h"
#include "procmap.h"
#include "sampler.h"
#include "split.h"
#include "strenc.h"
#include "table.h"
#include "view.h"
#include "view_doctor.h"

/* A failure: one line on stderr, "UNKNOWN: reason" on stdout (text
 * always; JSON while stdout holds nothing yet), '|' escaped. */
static void fail(const struct doctor_config *cfg, bool used, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(const struct doctor_config *cfg, bool used, const char *fmt, ...)
{
	char msg[1024], enc[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strenc_text_line(stderr, "portstat: %s", msg);
	if (cfg && cfg->format != CLI_DOCTOR_TEXT && used)
		return;
	strenc_text(enc, sizeof(enc), msg, -1, STRENC_NOPIPE);
	printf("UNKNOWN: %s\n", enc);
	fflush(stdout);
}

/* The owners of the findings' sockets, one per finding: "comm[pid]"
 * ("" when none is known) and the cgroup. */
struct owner {
	char name[32];
	char cgroup[256];
};

struct owners_of {
	struct owner *name;
	size_t n;
};

static const char *owner_name(const void *arg, size_t i, const char **cgroup)
{
	const struct owners_of *o = arg;

	if (i >= o->n || !o->name[i].name[0])
		return NULL;
	*cgroup = o->name[i].cgroup;
	return o->name[i].name;
}

static int want_one(void *arg, uint32_t inode, uint32_t uid)
{
	int ret = procmap_want(arg, inode, uid);

	return ret == -EINVAL ? 0 : ret;
}

static bool lookup_one(void *arg, uint32_t inode, struct doctor_proc *out)
{
	const struct procmap_proc *p = procmap_lookup(arg, inode);

	if (!p)
		return false;
	*out = (struct doctor_proc){ .pid = p->pid, .comm = p->comm, .cgroup = p->cgroup };
	return true;
}

/* Once a run, why owners the findings would name are missing (without
 * root, other users' processes cannot be read): a report without owners
 * must not read as if nobody held the sockets. */
static void owners_note(const struct procmap *pm, bool no_proc, bool *said)
{
	const struct procmap_stats *st = procmap_stats(pm);
	size_t unknown = st->wanted - st->found;

	if (*said || (!unknown && !no_proc))
		return;
	*said = true;
	if (no_proc)
		strenc_text_line(stderr, "portstat: note: owners unknown: /proc could not be read");
	else if (st->denied)
		strenc_text_line(stderr, "portstat: note: owners of %zu socket%s unknown: %lu "
				 "process%s of other users cannot be inspected without root "
				 "(CAP_SYS_PTRACE); counts are exact", unknown,
				 unknown == 1 ? "" : "s", st->denied, st->denied == 1 ? "" : "es");
	else
		strenc_text_line(stderr, "portstat: note: owners of %zu socket%s unknown: no "
				 "process visible here holds them (another PID namespace, or they "
				 "exited during the scan)", unknown, unknown == 1 ? "" : "s");
}

/* One /proc scan for the sockets the findings name, and every CLOSE_WAIT
 * socket (close-wait by owner: doctor_owners_apply()).  Owners we may not
 * see are not shown, and said once (*@said) on stderr; running out of fds
 * is said on stderr. */
static int owners_find(struct doctor *d, struct owners_of *o, bool *said)
{
	size_t nf, want = doctor_owners_count(d);
	struct procmap *pm = NULL;
	struct owner *name = NULL;
	int ret;

	o->n = 0;
	if (!want)
		return 0;
	if ((ret = procmap_new(&pm, want)) < 0)
		return ret;
	ret = doctor_owners_want(d, want_one, pm);
	if (ret == 0 && procmap_stats(pm)->wanted) {
		ret = procmap_scan(pm, "/proc");
		if (ret == 0 || !procmap_is_limit(ret))
			owners_note(pm, ret < 0, said);
	}
	if (ret < 0 && procmap_is_limit(ret)) {
		char msg[256];

		procmap_limit_message(msg, sizeof(msg), "owners", ret);
		strenc_text_line(stderr, "portstat: %s", msg);
	}
	/* Owners unknown still leave the counts and findings right. */
	ret = doctor_owners_apply(d, lookup_one, pm);
	nf = doctor_nfindings(d);
	if (ret == 0 && nf && !(name = realloc(o->name, nf * sizeof(*name))))
		ret = -ENOMEM;
	if (ret < 0 || !nf)
		goto out;
	o->name = name;
	o->n = nf;
	for (size_t i = 0; i < nf; i++) {
		const struct doctor_finding *f = doctor_finding(d, i);
		const struct procmap_proc *p = f->inode ? procmap_lookup(pm, f->inode) : NULL;

		name[i].name[0] = '\0';
		if (p) {
			snprintf(name[i].name, sizeof(name[i].name), "%s[%d]", p->comm, p->pid);
			snprintf(name[i].cgroup, sizeof(name[i].cgroup), "%s", p->cgroup);
		}
	}
out:
	procmap_delete(pm);
	return ret;
}

/* The port table beside the doctor's dump counts nothing: it only keeps
 * the listeners, which split_run_tap() gives every share to classify with;
 * the doctor model counts. */
static const struct table_filter listeners_only = {
	.by = TABLE_BY_SERVICE, .states = 0, .ipv4 = true, .ipv6 = true,
};

/* One sample into the model @tap feeds: split over parallel dumps by @sp,
 * or one dump (@sp NULL).  As sampler_run(). */
static int sample_doctor(struct collector *c, struct split *sp, struct table *t,
			 const struct split_tap *tap, struct sampler_info *info)
{
	if (sp)
		return split_run_tap(sp, c, t, tap, info);
	return sampler_run_tap(c, t, tap->share(tap->arg, 0), info);
}

/* One namespace of --all-netns: its verdict and its rendered report. */
struct ns_report {
	char label[128];
	int status;
	char verdict[1024];
	char perf[1024];
	char error[512];	/* why it could not be read; "" when it was */
	bool vanished;		/* gone before it could be read: left out */
	bool has_ctr;		/* ov, dr: its ListenOverflows, ListenDrops */
	uint64_t ov, dr;
	char *out;		/* text or one JSON object (no newline) */
	size_t len;
};

static void ns_fail(struct ns_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Namespace @r cannot be read: why, for stderr, its verdict and JSON. */
static void ns_fail(struct ns_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	snprintf(r->verdict, sizeof(r->verdict), "UNKNOWN: %s", r->error);
	strenc_text_line(stderr, "portstat: %s: %s", r->label, r->error);
}

/* A namespace's counters at the last sample of --all-netns -i. */
struct ns_ctr {
	dev_t dev;
	ino_t ino;
	uint64_t ov, dr;
};

/* Sample namespace @e once and render it into @r (r->status UNKNOWN and
 * a note on stderr when it cannot be read); with @prev (its counters at
 * the last sample), their growth since, as -i gives it for one. */
static void sample_ns(const struct doctor_config *cfg, const struct netns_entry *e,
		      struct ns_report *r, bool *said_owners, const struct ns_ctr *prev)
{
	const struct doctor_ns *ns;
	struct collector *c = NULL;
	struct doctor *d = NULL;
	struct owners_of owners = { NULL, 0 };
	struct sampler_info info;
	struct view_doctor vd;
	struct doctor_split ds;
	struct table *t = NULL;
	int ret;
	char err[512];
	FILE *mem = NULL;

	snprintf(r->label, sizeof(r->label), "%s", e->label);
	r->status = DOCTOR_UNKNOWN;
	snprintf(r->verdict, sizeof(r->verdict), "UNKNOWN: cannot be read");
	r->perf[0] = '\0';
	r->error[0] = '\0';
	ret = collector_open_live(&c, e->path, err, sizeof(err));
	/* As the report's and leaks': the holder exited or 'ip netns del'
	 * ran since the list was made (which unmounts the name, leaving a
	 * plain file for a moment: -EINVAL).  A namespace that is no more
	 * is not one doctor could not read. */
	if (ret == -ENOENT || ret == -ESRCH ||
	    (ret == -EINVAL && strncmp(e->path, "/run/netns/", 11) == 0)) {
		r->vanished = true;
		goto out;
	}
	if (ret < 0) {
		ns_fail(r, "%s", err);
		goto out;
	}
	if (!collector_netns_is(c, e->dev, e->ino)) {
		/* The holder exited and its pid was reused: another
		 * namespace, not to be diagnosed under this one's label. */
		r->vanished = true;
		goto out;
	}
	if (collector_want_context(c) < 0) {
		ns_fail(r, "%s", collector_error(c));
		goto out;
	}
	if (doctor_new(&d, &cfg->th) < 0 || !(t = table_new(&listeners_only))) {
		ns_fail(r, "out of memory");
		goto out;
	}
	doctor_set_owners(d, true);
	doctor_split_init(&ds);
	ret = sample_doctor(c, NULL, t, doctor_split_tap(&ds, d), &info);
	doctor_split_done(&ds);
	if (ret == 0)
		ret = doctor_end(d);
	if (ret == 0)
		ret = owners_find(d, &owners, said_owners);
	if (ret < 0) {
		ns_fail(r, "%s", ret == -ENOMEM ? "out of memory" : collector_error(c));
		goto out;
	}
	/* The first line of the whole output carries the perfdata; a
	 * namespace's own after it would be read as more of it. */
	vd = (struct view_doctor){
		.d = d, .time = info.time, .netns = e->label,
		.owner = owner_name, .owner_arg = &owners, .no_perfdata = true,
	};
	vd.incomplete = info.complete ? NULL : info.note;
	ns = doctor_ns(d);
	if (ns->has_netstat) {
		r->has_ctr = true;
		r->ov = ns->listen_overflows;
		r->dr = ns->listen_drops;
		/* Counters only grow: a namespace made anew under the same
		 * inode is not a wrapped-around increase. */
		if (prev && r->ov >= prev->ov && r->dr >= prev->dr) {
			vd.has_delta = true;
			vd.overflows_delta = r->ov - prev->ov;
			vd.drops_delta = r->dr - prev->dr;
		}
	}
	r->status = (int)view_doctor_status(&vd);
	if (!info.complete)
		strenc_text_line(stderr, "portstat: incomplete sample of %s: %s", e->label, info.note);
	view_doctor_verdict(&vd, r->verdict, sizeof(r->verdict));
	view_doctor_perfdata(&vd, r->perf, sizeof(r->perf));
	mem = open_memstream(&r->out, &r->len);
	if (!mem || (cfg->format == CLI_DOCTOR_JSON ? view_doctor_json(mem, &vd)
						     : view_doctor_text(mem, &vd)) < 0)
		r->status = DOCTOR_UNKNOWN;
out:
	if (mem)
		fclose(mem);
	/* One object per namespace inside the namespaces array. */
	if (r->out && r->len && r->out[r->len - 1] == '\n' && cfg->format == CLI_DOCTOR_JSON)
		r->out[--r->len] = '\0';
	free(owners.name);
	table_delete(t);
	doctor_delete(d);
	collector_close(c);
}

/* The plugin ranks UNKNOWN between WARNING and CRITICAL. */
static int rank(int status)
{
	static const int r[] = { 0, 1, 3, 2 };

	return status >= 0 && status <= 3 ? r[status] : 2;
}

/* --all-netns: every namespace, one after another; the first line is the
 * worst namespace's verdict, labelled, with its perfdata. */
static int run_all(const struct doctor_config *cfg, volatile sig_atomic_t *stop)
{
	int status = DOCTOR_UNKNOWN;
	bool said_owners = false;
	struct ns_ctr *last = NULL;	/* the last sample's counters */
	size_t nlast = 0;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long k = 0; !cfg->count || k < cfg->count; k++) {
		struct netns_entry *list = NULL;
		struct ns_report *r = NULL;
		struct timespec now;
		size_t n = 0, worst = 0, bad = 0, unread = 0, gone = 0;
		char when[32], enc[2048], lab[256];
		int ret;

		if (k > 0) {
			pace_advance(&next, cfg->interval);
			pace_wait(&next, stop);
		}
		if (*stop)
			break;
		ret = netns_list(&list, &n);
		if (ret < 0 || !n || !(r = calloc(n, sizeof(*r)))) {
			free(list);
			fail(cfg, k > 0, "cannot list network namespaces: %s",
			     strerror(ret < 0 ? -ret : ENOMEM));
			status = DOCTOR_UNKNOWN;
			break;
		}
		clock_gettime(CLOCK_REALTIME, &now);
		worst = n;
		for (size_t i = 0; i < n; i++) {
			const struct ns_ctr *prev = NULL;

			/* The same namespace as at the last sample: its inode. */
			for (size_t j = 0; j < nlast && !prev; j++)
				if (last[j].dev == list[i].dev && last[j].ino == list[i].ino)
					prev = &last[j];
			sample_ns(cfg, &list[i], &r[i], &said_owners, prev);
			if (r[i].vanished) {
				strenc_text_line(stderr, "portstat: note: network namespace %s vanished during the scan",
						 list[i].label);
				gone++;
				continue;
			}
			if (worst == n || rank(r[i].status) > rank(r[worst].status))
				worst = i;
			/* Unread is not "with findings". */
			unread += r[i].error[0] != '\0';
			bad += !r[i].error[0] && r[i].status != DOCTOR_OK;
		}
		if (worst == n) {
			/* Every one vanished (the host's never does). */
			for (size_t i = 0; i < n; i++)
				free(r[i].out);
			free(r);
			free(list);
			fail(cfg, k > 0, "every network namespace vanished during the scan");
			status = DOCTOR_UNKNOWN;
			break;
		}
		status = r[worst].status;
		view_format_time(&now, when, sizeof(when));
		if (cfg->format == CLI_DOCTOR_JSON) {
			printf("{\"version\":1,\"time\":\"%s\",\"status\":\"%s\",\"namespaces\":[",
			       when, doctor_severity_name(status));
			/* Every namespace, as the report's: one that could
			 * not be read with its error. */
			for (size_t i = 0, first = 1; i < n; i++) {
				if (r[i].vanished)
					continue;
				fputs(first ? "" : ",", stdout);
				first = 0;
				if (r[i].out) {
					fputs(r[i].out, stdout);
					continue;
				}
				fputs("{\"version\":1,\"netns\":", stdout);
				strenc_json(stdout, r[i].label);
				fputs(",\"status\":\"unknown\",\"error\":", stdout);
				strenc_json(stdout, r[i].error[0] ? r[i].error : "cannot be read");
				fputc('}', stdout);
			}
			puts("]}");
		} else {
			const char *v = strchr(r[worst].verdict, ':');

			strenc_text(lab, sizeof(lab), r[worst].label, 64, STRENC_NOPIPE);
			if (status == DOCTOR_OK)
				snprintf(enc, sizeof(enc), "OK: %d checks passed in %zu namespaces",
					 DOCTOR_NCHECKS, n - gone);
			else
				strenc_text(enc, sizeof(enc), v ? v + 2 : "", -1, STRENC_NOPIPE);
			if (status == DOCTOR_OK)
				fputs(enc, stdout);
			else if (unread)
				printf("%.*s: %s: %s (%zu of %zu namespaces with findings, %zu unreadable)",
				       (int)(v ? v - r[worst].verdict : 7), r[worst].verdict, lab, enc,
				       bad, n - gone, unread);
			else
				printf("%.*s: %s: %s (%zu of %zu namespaces with findings)",
				       (int)(v ? v - r[worst].verdict : 7), r[worst].verdict, lab, enc,
				       bad, n - gone);
			/* No perfdata (an unread namespace): no '|'. */
			if (r[worst].perf[0])
				printf(" | %s", r[worst].perf);
			putchar('\n');
			for (size_t i = 0; i < n; i++) {
				if (r[i].vanished)
					continue;
				if (r[i].out) {
					printf("\n%s", r[i].out);
					continue;
				}
				strenc_text(lab, sizeof(lab), r[i].label, -1, STRENC_NOPIPE);
				strenc_text(enc, sizeof(enc), r[i].error[0] ? r[i].error : "cannot be read",
					    -1, STRENC_NOPIPE);
				printf("\nportstat doctor, namespace %s: UNKNOWN, %s\n", lab, enc);
			}
		}
		/* Keep this sample's counters for the next one's growth. */
		if (cfg->count != 1) {
			struct ns_ctr *v = realloc(last, n * sizeof(*v));

			nlast = 0;
			if (v) {
				last = v;
				for (size_t i = 0; i < n; i++)
					if (r[i].has_ctr)
						last[nlast++] = (struct ns_ctr){
							.dev = list[i].dev, .ino = list[i].ino,
							.ov = r[i].ov, .dr = r[i].dr,
						};
			}
		}
		for (size_t i = 0; i < n; i++)
			free(r[i].out);
		free(r);
		free(list);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			strenc_text_line(stderr, "portstat: cannot write output: %s", strerror(errno));
			status = DOCTOR_UNKNOWN;
			break;
		}
	}
	free(last);
	return status;
}

/* Open the collector the command line asks for; the recording last, once
 * nothing else can refuse the run, so a refused run leaves no file. */
static int open_collector(const struct doctor_config *cfg, struct collector **c,
			  struct doctor **d, struct split **sp, struct table **t)
{
	unsigned shares;
	unsigned long min_sockets;
	char err[512];
	int ret;

	if (cfg->replay)
		ret = collector_open_replay(c, cfg->replay, err, sizeof(err));
	else
		ret = collector_open_live(c, cfg->netns, err, sizeof(err));
	if (ret < 0) {
		fail(cfg, false, "%s", err);
		return ret;
	}
	if (!cfg->replay && (ret = collector_want_context(*c)) < 0) {
		fail(cfg, false, "%s", collector_error(*c));
		return ret;
	}
	if ((ret = doctor_new(d, &cfg->th)) < 0) {
		fail(cfg, false, "out of memory");
		return ret;
	}
	/* A replay's sockets are not this host's: no owners to look up. */
	doctor_set_owners(*d, !cfg->replay);
	if (!(*t = table_new(&listeners_only))) {
		fail(cfg, false, "out of memory");
		return -ENOMEM;
	}
	/* As the report's (main.c): a live sample is split when it pays; a
	 * recording holds one dump's replies.  PORTSTAT_SPLIT was checked
	 * with the options. */
	if (split_env(&shares, &min_sockets, err, sizeof(err)) < 0) {
		fail(cfg, false, "%s", err);
		return -EINVAL;
	}
	if (!cfg->replay && !cfg->record && shares != 1 &&
	    (ret = split_new(sp, cfg->netns, &listeners_only, shares, min_sockets, err,
			     sizeof(err))) < 0) {
		fail(cfg, false, "%s", err);
		return ret;
	}
	if (cfg->record && (ret = collector_record(*c, cfg->record, err, sizeof(err))) < 0) {
		fail(cfg, false, "%s", err);
		return ret;
	}
	return 0;
}

int doctor_run(int argc, char *argv[], volatile sig_atomic_t *stop)
{
	struct doctor_config cfg;
	struct collector *c = NULL;
	struct doctor *d = NULL;
	struct split *sp = NULL;
	struct table *t = NULL;
	struct doctor_split ds;
	struct owners_of owners = { NULL, 0 };
	int status = DOCTOR_UNKNOWN, ret;
	uint64_t last_ov = 0, last_dr = 0;
	bool used = false, have_last = false, said_ctx = false, said_owners = false;
	struct timespec next;
	char err[512];

	if (cli_doctor_parse(&cfg, argc, argv, err, sizeof(err)) < 0) {
		fail(NULL, false, "%s", err);
		fputs("Try 'portstat doctor --help' for more information.\n", stderr);
		return DOCTOR_UNKNOWN;
	}
	if (cfg.help) {
		cli_help_doctor(stdout);
		return fflush(stdout) == 0 && !ferror(stdout) ? DOCTOR_OK : DOCTOR_UNKNOWN;
	}
	if (cfg.all_netns)
		return run_all(&cfg, stop);
	doctor_split_init(&ds);
	doctor_split_on_owner(&ds, procmap_prefetch_go, cfg.th.warn[DOCTOR_CLOSE_WAIT]);
	if (open_collector(&cfg, &c, &d, &sp, &t) < 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long n = 0; !cfg.count || n < cfg.count; n++) {
		struct sampler_info info;
		struct view_doctor vd;
		const struct doctor_ns *ns;
		bool has_ctx;

		if (n > 0 && cfg.interval > 0) {
			pace_advance(&next, cfg.interval);
			pace_wait(&next, stop);
		}
		if (*stop)
			break;
		/* The owner iterator (BPF) starts at the first CLOSE_WAIT
		 * socket a process holds and runs beside the rest of the
		 * dump (measured at 1M sockets: 1.30 s -> 1.14 s with the
		 * split on both CPUs); a sample without one starts none. */
		if (!cfg.replay)
			procmap_prefetch(false);
		ret = sample_doctor(c, sp, t, doctor_split_tap(&ds, d), &info);
		has_ctx = doctor_split_has_context(&ds);
		if (ret == -ENODATA) {
			if (n == 0)
				fail(&cfg, false, "replay file '%s' holds no samples", cfg.replay);
			break;
		}
		if (ret == 0)
			ret = doctor_end(d);
		/* A recording's inodes are another moment's (or host's): no
		 * owners from this host's /proc for them. */
		if (ret == 0 && !cfg.replay)
			ret = owners_find(d, &owners, &said_owners);
		procmap_prefetch_end();
		if (ret < 0) {
			fail(&cfg, used, "%s", ret == -ENOMEM ? "out of memory" : collector_error(c));
			status = DOCTOR_UNKNOWN;
			break;
		}
		ns = doctor_ns(d);
		vd = (struct view_doctor){
			.d = d, .time = info.time, .netns = cfg.netns,
			.owner = cfg.replay ? NULL : owner_name, .owner_arg = &owners,
			.no_context = !has_ctx,
			.incomplete = info.complete ? NULL : info.note,
		};
		if (!has_ctx && !said_ctx) {
			fputs("portstat: note: the recording holds no kernel context (made by an "
			      "older portstat): checks against kernel limits are skipped\n", stderr);
			said_ctx = true;
		}
		/* Counters only grow; a recording where they fall is not
		 * turned into a wrapped-around increase. */
		if (have_last && ns->has_netstat && ns->listen_overflows >= last_ov &&
		    ns->listen_drops >= last_dr) {
			vd.has_delta = true;
			vd.overflows_delta = ns->listen_overflows - last_ov;
			vd.drops_delta = ns->listen_drops - last_dr;
		}
		have_last = ns->has_netstat;
		if (ns->has_netstat) {
			last_ov = ns->listen_overflows;
			last_dr = ns->listen_drops;
		}
		/* The status line's word, so the exit status says the same. */
		status = (int)view_doctor_status(&vd);
		ret = cfg.format == CLI_DOCTOR_JSON ? view_doctor_json(stdout, &vd)
						    : view_doctor_text(stdout, &vd);
		if (ret == 0 && fflush(stdout) != 0)
			ret = -errno;
		used = true;
		if (ret < 0) {
			strenc_text_line(stderr, "portstat: cannot write output: %s", strerror(-ret));
			status = DOCTOR_UNKNOWN;
			break;
		}
		if (!info.complete)
			strenc_text_line(stderr, "portstat: incomplete sample: %s", info.note);
	}
out:
	free(owners.name);
	doctor_split_done(&ds);
	split_delete(sp);
	table_delete(t);
	doctor_delete(d);
	collector_close(c);
	return status;
}
