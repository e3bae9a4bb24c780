/* SPDX-License-Identifier: MIT */
/*
 * doctor_run: the sample loop of `portstat doctor`: opens the collector
 * and the namespace's sysctl and netstat files (inside the namespace: a
 * /proc/sys/net or /proc/thread-self/net file reads the namespace of the
 * task that opened it), feeds each sample to the doctor model, renders it,
 * and maps every failure to the plugin status UNKNOWN.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "netns.h"
#include "pace.h"
#include "procmap.h"
#include "sampler.h"
#include "strenc.h"
#include "view.h"
#include "view_doctor.h"

/* The namespace's files, opened inside it once, read at every sample. */
enum {
	NSF_RANGE,
	NSF_RESERVED,
	NSF_TW_REUSE,
	NSF_SOMAXCONN,
	NSF_NETSTAT,
	NSF_MAX_TW,
	NSF_SYNCOOKIES,
	NSF_MAX_ORPHANS,
	NSF_COUNT
};

static const char *const ns_paths[NSF_COUNT] = {
	[NSF_RANGE]     = "/proc/sys/net/ipv4/ip_local_port_range",
	[NSF_RESERVED]  = "/proc/sys/net/ipv4/ip_local_reserved_ports",
	[NSF_TW_REUSE]  = "/proc/sys/net/ipv4/tcp_tw_reuse",
	[NSF_SOMAXCONN] = "/proc/sys/net/core/somaxconn",
	[NSF_NETSTAT]   = "/proc/thread-self/net/netstat",
	[NSF_MAX_TW]    = "/proc/sys/net/ipv4/tcp_max_tw_buckets",
	[NSF_SYNCOOKIES] = "/proc/sys/net/ipv4/tcp_syncookies",
	/* Host-wide: only the initial namespace has it, so it is opened
	 * here, not inside the namespace (see doctor_run()). */
	[NSF_MAX_ORPHANS] = "/proc/sys/net/ipv4/tcp_max_orphans",
};

/* In the namespace: open what can be opened; a file missing is a fact
 * unknown, not a failure. */
static int ns_open(void *arg)
{
	int *fds = arg;

	for (int i = 0; i < NSF_COUNT; i++)
		if (i != NSF_MAX_ORPHANS)
			fds[i] = open(ns_paths[i], O_RDONLY | O_CLOEXEC);
	return 0;
}

/* The whole file @fd into @buf, NUL-terminated; false when unreadable. */
static bool ns_read(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return false;
	while (n + 1 < len && (r = pread(fd, buf + n, len - 1 - n, (off_t)n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n > 0;
}

static void ns_facts(const int *fds, struct doctor_ns *ns)
{
	char buf[16384];
	unsigned lo, hi;
	unsigned long long v;
	int iv;

	memset(ns, 0, sizeof(*ns));
	if (ns_read(fds[NSF_RANGE], buf, sizeof(buf)) && sscanf(buf, "%u %u", &lo, &hi) == 2 &&
	    lo <= hi && hi <= 65535) {
		long r = 0;

		ns->has_range = true;
		ns->eph_lo = (uint16_t)lo;
		ns->eph_hi = (uint16_t)hi;
		if (ns_read(fds[NSF_RESERVED], buf, sizeof(buf)))
			r = doctor_reserved_count(buf, ns->eph_lo, ns->eph_hi);
		ns->reserved = r > 0 ? (uint32_t)r : 0;
	}
	if (ns_read(fds[NSF_TW_REUSE], buf, sizeof(buf)) && sscanf(buf, "%d", &iv) == 1) {
		ns->has_tw_reuse = true;
		ns->tw_reuse = iv;
	}
	if (ns_read(fds[NSF_SOMAXCONN], buf, sizeof(buf)) && sscanf(buf, "%llu", &v) == 1) {
		ns->has_somaxconn = true;
		ns->somaxconn = v;
	}
	if (ns_read(fds[NSF_MAX_TW], buf, sizeof(buf)) && sscanf(buf, "%llu", &v) == 1) {
		ns->has_max_tw = true;
		ns->max_tw = v;
	}
	if (ns_read(fds[NSF_MAX_ORPHANS], buf, sizeof(buf)) && sscanf(buf, "%llu", &v) == 1) {
		ns->has_max_orphans = true;
		ns->max_orphans = v;
	}
	if (ns_read(fds[NSF_SYNCOOKIES], buf, sizeof(buf)) && sscanf(buf, "%d", &iv) == 1) {
		ns->has_syncookies = true;
		ns->syncookies = iv;
	}
	if (ns_read(fds[NSF_NETSTAT], buf, sizeof(buf)))
		doctor_netstat_parse(buf, ns);
}

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

/* One /proc scan for the sockets the findings name, and every CLOSE_WAIT
 * socket (close-wait by owner: doctor_owners_apply()).  Owners we may not
 * see are simply not shown; running out of fds is said on stderr. */
static int owners_find(struct doctor *d, struct owners_of *o)
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
	if (ret == 0 && procmap_stats(pm)->wanted)
		ret = procmap_scan(pm, "/proc");
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

struct once_arg {
	struct doctor *d;
	struct collector *c;
	const int *fds;
};

static int doctor_once(void *arg, struct sampler_info *info)
{
	struct once_arg *a = arg;
	struct table_filter all = {
		.by = TABLE_BY_SERVICE, .states = TCP_STATE_ALL_MASK, .ipv4 = true, .ipv6 = true,
	};
	struct doctor_ns ns;
	struct table *t;
	int ret;

	ns_facts(a->fds, &ns);
	t = doctor_begin(a->d, &ns);
	ret = sampler_begin(a->c, t, &info->time);
	if (ret < 0)
		return ret;
	ret = sampler_dump(a->c, &all, doctor_add, a->d);
	if (ret < 0)
		return ret;
	return collector_sample_end(a->c);
}

/* One namespace of --all-netns: its verdict and its rendered report. */
struct ns_report {
	char label[128];
	int status;
	char verdict[1024];
	char perf[1024];
	char *out;		/* text or one JSON object (no newline) */
	size_t len;
};

/* Sample namespace @e once and render it into @r (r->status UNKNOWN and
 * a note on stderr when it cannot be read). */
static void sample_ns(const struct doctor_config *cfg, const struct netns_entry *e,
		      struct ns_report *r)
{
	struct collector *c = NULL;
	struct doctor *d = NULL;
	struct owners_of owners = { NULL, 0 };
	struct sampler_info info;
	struct view_doctor vd;
	int fds[NSF_COUNT], ret;
	char err[512];
	FILE *mem = NULL;

	for (int i = 0; i < NSF_COUNT; i++)
		fds[i] = -1;
	snprintf(r->label, sizeof(r->label), "%s", e->label);
	r->status = DOCTOR_UNKNOWN;
	snprintf(r->verdict, sizeof(r->verdict), "UNKNOWN: cannot be read");
	r->perf[0] = '\0';
	ret = collector_open_live(&c, e->path, err, sizeof(err));
	if (ret < 0) {
		strenc_text_line(stderr, "portstat: %s: %s", e->label, err);
		goto out;
	}
	if (collector_run_in(c, ns_open, fds) < 0 || doctor_new(&d, &cfg->th) < 0) {
		strenc_text_line(stderr, "portstat: %s: %s", e->label, collector_error(c));
		goto out;
	}
	doctor_set_owners(d, true);
	fds[NSF_MAX_ORPHANS] = open(ns_paths[NSF_MAX_ORPHANS], O_RDONLY | O_CLOEXEC);
	{
		struct once_arg arg = { .d = d, .c = c, .fds = fds };

		ret = sampler_retry(c, &info, doctor_once, &arg);
	}
	if (ret == 0)
		ret = doctor_end(d);
	if (ret == 0)
		ret = owners_find(d, &owners);
	if (ret < 0) {
		strenc_text_line(stderr, "portstat: %s: %s", e->label,
				 ret == -ENOMEM ? "out of memory" : collector_error(c));
		goto out;
	}
	vd = (struct view_doctor){
		.d = d, .time = info.time, .netns = e->label,
		.owner = owner_name, .owner_arg = &owners,
	};
	r->status = (int)doctor_status(d);
	if (!info.complete && r->status != DOCTOR_CRITICAL) {
		r->status = DOCTOR_UNKNOWN;
		strenc_text_line(stderr, "portstat: incomplete sample of %s: %s", e->label, info.note);
	}
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
	for (int i = 0; i < NSF_COUNT; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(owners.name);
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
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long k = 0; !cfg->count || k < cfg->count; k++) {
		struct netns_entry *list = NULL;
		struct ns_report *r = NULL;
		struct timespec now;
		size_t n = 0, worst = 0, bad = 0;
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
			return DOCTOR_UNKNOWN;
		}
		clock_gettime(CLOCK_REALTIME, &now);
		for (size_t i = 0; i < n; i++) {
			sample_ns(cfg, &list[i], &r[i]);
			if (rank(r[i].status) > rank(r[worst].status))
				worst = i;
			bad += r[i].status != DOCTOR_OK;
		}
		status = r[worst].status;
		view_format_time(&now, when, sizeof(when));
		if (cfg->format == CLI_DOCTOR_JSON) {
			printf("{\"version\":1,\"time\":\"%s\",\"status\":\"%s\",\"namespaces\":[",
			       when, doctor_severity_name(status));
			for (size_t i = 0, first = 1; i < n; i++) {
				if (!r[i].out)
					continue;
				printf("%s%s", first ? "" : ",", r[i].out);
				first = 0;
			}
			puts("]}");
		} else {
			const char *v = strchr(r[worst].verdict, ':');

			strenc_text(lab, sizeof(lab), r[worst].label, 64, STRENC_NOPIPE);
			if (status == DOCTOR_OK)
				snprintf(enc, sizeof(enc), "OK: %d checks passed in %zu namespaces",
					 DOCTOR_NCHECKS, n);
			else
				strenc_text(enc, sizeof(enc), v ? v + 2 : "", -1, STRENC_NOPIPE);
			if (status == DOCTOR_OK)
				printf("%s | %s\n", enc, r[worst].perf);
			else
				printf("%.*s: %s: %s (%zu of %zu namespaces with findings) | %s\n",
				       (int)(v ? v - r[worst].verdict : 7), r[worst].verdict, lab, enc,
				       bad, n, r[worst].perf);
			for (size_t i = 0; i < n; i++)
				if (r[i].out)
					printf("\n%s", r[i].out);
		}
		for (size_t i = 0; i < n; i++)
			free(r[i].out);
		free(r);
		free(list);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			strenc_text_line(stderr, "portstat: cannot write output: %s", strerror(errno));
			return DOCTOR_UNKNOWN;
		}
	}
	return status;
}

int doctor_run(int argc, char *argv[], volatile sig_atomic_t *stop)
{
	struct doctor_config cfg;
	struct collector *c = NULL;
	struct doctor *d = NULL;
	struct owners_of owners = { NULL, 0 };
	int fds[NSF_COUNT], status = DOCTOR_UNKNOWN, ret;
	uint64_t last_ov = 0, last_dr = 0;
	bool used = false, have_last = false;
	struct timespec next;
	char err[512];

	for (int i = 0; i < NSF_COUNT; i++)
		fds[i] = -1;
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
	ret = collector_open_live(&c, cfg.netns, err, sizeof(err));
	if (ret < 0) {
		fail(&cfg, false, "%s", err);
		return DOCTOR_UNKNOWN;
	}
	if (collector_run_in(c, ns_open, fds) < 0) {
		fail(&cfg, false, "%s", collector_error(c));
		goto out;
	}
	fds[NSF_MAX_ORPHANS] = open(ns_paths[NSF_MAX_ORPHANS], O_RDONLY | O_CLOEXEC);
	if (doctor_new(&d, &cfg.th) < 0) {
		fail(&cfg, false, "out of memory");
		goto out;
	}
	doctor_set_owners(d, true);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long n = 0; !cfg.count || n < cfg.count; n++) {
		struct once_arg arg = { .d = d, .c = c, .fds = fds };
		struct sampler_info info;
		struct view_doctor vd;
		const struct doctor_ns *ns;

		if (n > 0) {
			pace_advance(&next, cfg.interval);
			pace_wait(&next, stop);
		}
		if (*stop)
			break;
		ret = sampler_retry(c, &info, doctor_once, &arg);
		if (ret == 0)
			ret = doctor_end(d);
		if (ret == 0)
			ret = owners_find(d, &owners);
		if (ret < 0) {
			fail(&cfg, used, "%s", ret == -ENOMEM ? "out of memory" : collector_error(c));
			status = DOCTOR_UNKNOWN;
			break;
		}
		ns = doctor_ns(d);
		vd = (struct view_doctor){
			.d = d, .time = info.time, .netns = cfg.netns,
			.owner = owner_name, .owner_arg = &owners,
		};
		if (have_last && ns->has_netstat) {
			vd.has_delta = true;
			vd.overflows_delta = ns->listen_overflows - last_ov;
			vd.drops_delta = ns->listen_drops - last_dr;
		}
		if (ns->has_netstat) {
			have_last = true;
			last_ov = ns->listen_overflows;
			last_dr = ns->listen_drops;
		}
		status = (int)doctor_status(d);
		/* A partial count is a lower bound: CRITICAL stays true. */
		if (!info.complete && status != DOCTOR_CRITICAL)
			status = DOCTOR_UNKNOWN;
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
	for (int i = 0; i < NSF_COUNT; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(owners.name);
	doctor_delete(d);
	collector_close(c);
	return status;
}

/* The dashboard's doctor (top_doctor.c) reads the same files the same way. */
_Static_assert(DOCTOR_CTX_FILES == NSF_COUNT, "doctor_ctx holds every namespace file");

int doctor_ctx_open(struct doctor_ctx *x, struct collector *c)
{
	int ret;

	for (int i = 0; i < NSF_COUNT; i++)
		x->fd[i] = -1;
	ret = collector_run_in(c, ns_open, x->fd);
	if (ret < 0) {
		doctor_ctx_close(x);
		return ret;
	}
	x->fd[NSF_MAX_ORPHANS] = open(ns_paths[NSF_MAX_ORPHANS], O_RDONLY | O_CLOEXEC);
	return 0;
}

void doctor_ctx_read(const struct doctor_ctx *x, struct doctor_ns *ns)
{
	ns_facts(x->fd, ns);
}

void doctor_ctx_close(struct doctor_ctx *x)
{
	for (int i = 0; i < NSF_COUNT; i++) {
		if (x->fd[i] >= 0)
			close(x->fd[i]);
		x->fd[i] = -1;
	}
}
