/* SPDX-License-Identifier: MIT */
/*
 * serve: the exporter.  libmicrohttpd runs one thread per connection under
 * a connection limit; a scrape of /metrics asks the sample cache for the
 * body.  The cache hands out the last sample while it is younger than
 * --min-interval; otherwise the first scrape to ask takes the next sample
 * while later ones wait for that same sample (never a second one at once),
 * so a storm of scrapes costs one sample per interval.  The exporter's own
 * metrics (scrape duration, samples, errors, build) are appended per scrape.
 * With --leaks each sample also runs the leaks model (leaks.h) over the
 * same namespace, a second dump right after the port metrics' one (the
 * leaks dump asks for tcp_info and owners, the report's does not); the
 * model lives as long as the exporter, so growth is known from the second
 * sample on.  With --all-netns too, one model per namespace (leaks_ns.h),
 * kept by the namespace's identity while it exists, all of them finished
 * after one owner scan.  Leak groups keep exported series across samples
 * as the port rows do (series.h): one set per model.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allns.h"
#include "cli.h"
#include "collector.h"
#include "leaks.h"
#include "leaks_ns.h"
#include "pace.h"
#include "sampler.h"
#include "series.h"
#include "serve.h"
#include "strenc.h"
#include "table.h"
#include "view.h"
#include "view_leaks.h"

/* What portstat_errors_total counts, by kind. */
enum serve_err {
	SERVE_ERR_SAMPLE,	/* no sample at all (the collector failed) */
	SERVE_ERR_INCOMPLETE,	/* a dump stayed interrupted: partial */
	SERVE_ERR_NETNS,	/* --all-netns: a namespace not read */
	SERVE_ERR_RENDER,	/* out of memory rendering */
	SERVE_ERR_LEAKS,	/* --leaks: no leaks sample (dump or owners) */
	SERVE_ERR_KINDS,
};

static const char *const err_kind[SERVE_ERR_KINDS] = {
	"sample", "incomplete", "netns", "render", "leaks",
};

struct serve {
	const struct config *cfg;
	struct view_opts vo;
	/* One namespace: its collector, table and exported rows. */
	struct collector *c;
	struct table *t;
	struct series *set;
	/* --leaks: the model, kept across samples for ages and growth,
	 * and its exported groups; with --all-netns one of each per
	 * namespace instead.  Only the sampling scrape touches them. */
	struct leaks *leaks;
	struct series *lset;
	struct leaks_ns_set *lns;
	struct view_opts lvo;
	/* --all-netns: the exported rows of each namespace. */
	struct series_map *map;

	pthread_mutex_t lock;
	pthread_cond_t done;	/* a sample finished */
	/* Under lock: */
	bool sampling;		/* a scrape is taking a sample */
	bool have;		/* body holds a sample */
	struct timespec last;	/* when the last sample began (monotonic) */
	char *body;		/* its metrics */
	size_t len;
	uint64_t samples;
	uint64_t errors[SERVE_ERR_KINDS];
	/* allns_sample()'s message buffer; only the sampling scrape uses
	 * it.  A failed sample is a metric (errors_total), not a message:
	 * nobody reads an exporter's stderr between scrapes. */
	char err[512];
};

int serve_parse_listen(const char *s, struct serve_addr *a)
{
	const char *colon = strrchr(s, ':');
	char host[64], *end;
	unsigned long port;
	size_t hlen;

	memset(a, 0, sizeof(*a));
	if (!colon || !colon[1] || colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || port < 1 || port > 65535)
		return -EINVAL;
	hlen = (size_t)(colon - s);
	if (hlen == 0) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_any;
		in6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*in6);
		a->any = true;
		return 0;
	}
	if (s[0] == '[') {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

		if (hlen < 3 || s[hlen - 1] != ']' || hlen - 2 >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hlen - 2);
		host[hlen - 2] = '\0';
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return -EINVAL;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*in6);
		return 0;
	}
	if (hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	{
		struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return -EINVAL;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		a->len = sizeof(*in);
	}
	return 0;
}

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* ---- one sample, rendered ---- */

/*
 * One namespace's leaks sample as the leak views see it.  Thresholds are
 * the alert rules' business, so the status is OK unless the sample is
 * partial (UNKNOWN), as `leaks` says it without --warn.
 */
static struct view_leaks leaks_view(struct leaks *l, struct series *set, const struct timespec *t,
				    bool complete, const char *note, const char *netns)
{
	struct view_leaks vl = {
		.leaks = l,
		.time = *t,
		.netns = netns,
		.tracking = true,
		.complete = complete,
		.note = complete ? NULL : note,
		.series = set,
	};

	vl.status = leaks_evaluate(l, &(struct leaks_thresholds){ 0 }, &vl.worst);
	if (!complete && vl.status != LEAKS_CRITICAL)
		vl.status = LEAKS_UNKNOWN;
	return vl;
}

/*
 * The leak metrics of --leaks: one leaks sample over the namespace's
 * collector (a dump of its own, after the port metrics' one).  A failed
 * sample (the dump, or an owner scan out of fds) serves no leak metrics
 * rather than stale ones, and counts as kind "leaks"; a partial one is
 * served with portstat_leak_sample_complete 0 and counts as "incomplete".
 */
static int render_leaks(struct serve *sv, FILE *out, uint64_t *errs)
{
	struct sampler_info info;
	struct view_leaks vl;
	int ret = leaks_sample(sv->leaks, sv->c, &info);

	if (ret < 0) {
		errs[SERVE_ERR_LEAKS]++;
		return 0;
	}
	if (!info.complete)
		errs[SERVE_ERR_INCOMPLETE]++;
	vl = leaks_view(sv->leaks, sv->lset, &info.time, info.complete, info.note, sv->cfg->netns);
	return view_leaks_prom(out, &vl, &sv->lvo, NULL);
}

/*
 * --leaks --all-netns: every namespace's model sampled (leaks_ns.h), each
 * family once with every namespace's series labelled as the port
 * metrics'.  A namespace whose leaks could not be read (not one that
 * vanished meanwhile) counts as kind "leaks" and serves no leak series;
 * a failed sample as a whole serves none at all.
 */
static int render_leaks_all(struct serve *sv, FILE *out, uint64_t *errs)
{
	const struct view_leaks **read = NULL;
	struct view_leaks *vl = NULL;
	size_t n;
	int ret = leaks_ns_sample(sv->lns, sv->err, sizeof(sv->err));

	if (ret < 0) {
		errs[SERVE_ERR_LEAKS]++;
		return 0;
	}
	n = leaks_ns_count(sv->lns);
	vl = calloc(n ? n : 1, sizeof(*vl));
	read = calloc(n ? n : 1, sizeof(*read));
	if (!vl || !read) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		const struct leaks_ns *e = leaks_ns_get(sv->lns, k);

		if (!e->read) {
			if (!e->vanished)
				errs[SERVE_ERR_LEAKS]++;
			continue;
		}
		if (!e->complete)
			errs[SERVE_ERR_INCOMPLETE]++;
		vl[k] = leaks_view(e->l, e->series, &e->time, e->complete, e->note, e->ns.label);
		vl[k].holder = e->ns.holder.container[0] ? &e->ns.holder : NULL;
		read[k] = &vl[k];
	}
	ret = view_leaks_prom_all(out, read, n, &sv->lvo);
out:
	free(read);
	free(vl);
	return ret;
}

/* One namespace (the caller's, or -N's): the port metrics.  Counts the
 * kinds of error into @errs. */
static int sample_single(struct serve *sv, FILE *out, uint64_t *errs)
{
	struct sampler_info info;
	struct view_sample vs;
	int ret = sampler_run(sv->c, sv->t, &info);

	if (ret < 0) {
		errs[ret == -ENOMEM ? SERVE_ERR_RENDER : SERVE_ERR_SAMPLE]++;
		return 0;	/* served without port metrics: no stale numbers */
	}
	if (!info.complete)
		errs[SERVE_ERR_INCOMPLETE]++;
	vs = (struct view_sample){
		.table = sv->t,
		.time = info.time,
		.complete = info.complete,
		.note = info.complete ? NULL : info.note,
		.cost_ms = info.cost_ms,
	};
	return view_prom_render(out, &vs, &sv->vo);
}

/* Every namespace, each family's series of all namespaces together. */
static int sample_all(struct serve *sv, FILE *out, uint64_t *errs)
{
	struct allns_result *r = NULL;
	size_t n = 0;
	int ret = allns_sample(sv->cfg, &sv->vo, sv->map, &r, &n, sv->err, sizeof(sv->err));

	if (ret < 0) {
		errs[SERVE_ERR_SAMPLE]++;
		return 0;
	}
	for (int k = 0; k < VIEW_PROM_FAMILIES; k++) {
		view_prom_header(out, k);
		for (size_t i = 0; i < n; i++)
			if (!r[i].err && r[i].part[k])
				fwrite(r[i].part[k], 1, r[i].partlen[k], out);
	}
	for (size_t i = 0; i < n; i++) {
		if (r[i].err && !r[i].vanished)
			errs[r[i].err == -ENOMEM ? SERVE_ERR_RENDER : SERVE_ERR_NETNS]++;
		else if (!r[i].err && !r[i].complete)
			errs[SERVE_ERR_INCOMPLETE]++;
	}
	allns_free(r, n);
	return ferror(out) ? -ENOMEM : 0;
}

/*
 * Take one sample and render it into a new body.  Sources of metrics, in
 * order: the port metrics; then (--leaks) the leak metrics.
 */
static int render_sample(struct serve *sv, char **body, size_t *len, uint64_t *errs)
{
	FILE *out = open_memstream(body, len);
	int ret;

	if (!out)
		return -ENOMEM;
	ret = sv->cfg->all_netns ? sample_all(sv, out, errs) : sample_single(sv, out, errs);
	if (ret == 0 && sv->cfg->serve_leaks)
		ret = sv->cfg->all_netns ? render_leaks_all(sv, out, errs) : render_leaks(sv, out, errs);
	if (fclose(out) != 0 && ret == 0)
		ret = -ENOMEM;
	if (ret < 0) {
		free(*body);
		*body = NULL;
		*len = 0;
	}
	return ret;
}

/*
 * The body for one scrape (a copy the caller frees), from the cache or a
 * new sample.  NULL when out of memory.
 */
static char *cache_get(struct serve *sv, size_t *len)
{
	struct timespec now;
	char *copy = NULL;

	pthread_mutex_lock(&sv->lock);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (sv->have && since(&sv->last, &now) < sv->cfg->min_interval)
			break;
		if (!sv->sampling) {
			uint64_t errs[SERVE_ERR_KINDS] = { 0 };
			char *body = NULL;
			size_t blen = 0;
			int ret;

			sv->sampling = true;
			sv->last = now;
			pthread_mutex_unlock(&sv->lock);
			ret = render_sample(sv, &body, &blen, errs);
			pthread_mutex_lock(&sv->lock);
			if (ret < 0)
				errs[SERVE_ERR_RENDER]++;
			for (int k = 0; k < SERVE_ERR_KINDS; k++)
				sv->errors[k] += errs[k];
			sv->samples++;
			free(sv->body);
			sv->body = body;
			sv->len = body ? blen : 0;
			sv->have = true;
			sv->sampling = false;
			pthread_cond_broadcast(&sv->done);
			break;
		}
		/* Another scrape is sampling: its sample is ours too. */
		while (sv->sampling)
			pthread_cond_wait(&sv->done, &sv->lock);
		if (sv->have)
			break;
	}
	*len = sv->len;
	copy = malloc(sv->len + 1);
	if (copy) {
		if (sv->len)
			memcpy(copy, sv->body, sv->len);
		copy[sv->len] = '\0';
	}
	pthread_mutex_unlock(&sv->lock);
	return copy;
}

/* ---- the exporter's own metrics ---- */

/* In OpenMetrics a counter's family drops the _total of its samples, and
 * an info metric is of type info. */
static void self_metrics(FILE *out, struct serve *sv, double scrape_s, bool om)
{
	uint64_t samples, errors[SERVE_ERR_KINDS];

	pthread_mutex_lock(&sv->lock);
	samples = sv->samples;
	memcpy(errors, sv->errors, sizeof(errors));
	pthread_mutex_unlock(&sv->lock);

	fputs("# HELP portstat_scrape_duration_seconds How long this scrape took, the wait for the sample included.\n"
	      "# TYPE portstat_scrape_duration_seconds gauge\n", out);
	fprintf(out, "portstat_scrape_duration_seconds %.6f\n", scrape_s);
	fprintf(out, "# HELP portstat_samples%s Samples of the kernel's tables taken since start.\n"
		"# TYPE portstat_samples%s counter\n", om ? "" : "_total", om ? "" : "_total");
	fprintf(out, "portstat_samples_total %" PRIu64 "\n", samples);
	fprintf(out, "# HELP portstat_errors%s Errors since start, by kind: sample (no sample taken), "
		"incomplete (a dump stayed interrupted), netns (a namespace could not be read), "
		"render (out of memory), leaks (no leaks sample, or none of a namespace).\n"
		"# TYPE portstat_errors%s counter\n", om ? "" : "_total", om ? "" : "_total");
	for (int k = 0; k < SERVE_ERR_KINDS; k++)
		fprintf(out, "portstat_errors_total{kind=\"%s\"} %" PRIu64 "\n", err_kind[k], errors[k]);
	fprintf(out, "# HELP portstat_build%s Which portstat serves these metrics.\n"
		"# TYPE portstat_build%s %s\n", om ? "" : "_info", om ? "" : "_info",
		om ? "info" : "gauge");
	fputs("portstat_build_info{version=\"", out);
	view_prom_value(out, PORTSTAT_VERSION);
	fputs("\"} 1\n", out);
	if (om)
		fputs("# EOF\n", out);
}

/* ---- HTTP ---- */

static const char landing[] =
	"<!DOCTYPE html>\n<html><head><title>portstat exporter</title></head>\n"
	"<body><h1>portstat exporter</h1>\n"
	"<p>TCP sockets per port, direction and state: <a href=\"/metrics\">/metrics</a></p>\n"
	"<p>portstat " PORTSTAT_VERSION "; see portstat(8), SERVE.</p>\n"
	"</body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;	/* closes the connection */
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static bool wants_openmetrics(struct MHD_Connection *conn)
{
	const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT);

	return accept && strstr(accept, "application/openmetrics-text");
}

static enum MHD_Result metrics(struct serve *sv, struct MHD_Connection *conn)
{
	struct timespec t0, t1;
	bool om = wants_openmetrics(conn);
	size_t blen, len;
	char *body, *all = NULL;
	FILE *out;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	body = cache_get(sv, &blen);
	if (!body)
		return MHD_NO;
	out = open_memstream(&all, &len);
	if (!out) {
		free(body);
		return MHD_NO;
	}
	fwrite(body, 1, blen, out);
	free(body);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	self_metrics(out, sv, since(&t0, &t1), om);
	if (fclose(out) != 0) {
		free(all);
		return MHD_NO;
	}
	return reply(conn, MHD_HTTP_OK,
		     om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			: "text/plain; version=0.0.4; charset=utf-8",
		     all, len, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	static const char not_found[] = "404 not found: try /metrics\n";
	static const char not_allowed[] = "405 method not allowed: GET or HEAD\n";
	struct serve *sv = cls;

	(void)version, (void)upload_data, (void)upload_data_size, (void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     (void *)not_allowed, sizeof(not_allowed) - 1, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics") == 0)
		return metrics(sv, conn);
	if (strcmp(url, "/") == 0)
		return reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)landing,
			     sizeof(landing) - 1, MHD_RESPMEM_PERSISTENT);
	return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", (void *)not_found,
		     sizeof(not_found) - 1, MHD_RESPMEM_PERSISTENT);
}

static struct MHD_Daemon *listen_on(struct serve *sv, struct serve_addr *a)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_POLL;

	if (a->ss.ss_family == AF_INET6)
		flags |= a->any ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, sv,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a->ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVE_MAX_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_IDLE_TIMEOUT,
				/* MHD's default SO_REUSEADDR lets a restart bind
				 * again at once; MHD_OPTION_LISTENING_ADDRESS_REUSE
				 * would add SO_REUSEPORT, and a second exporter
				 * would then share the port silently. */
				MHD_OPTION_END);
}

int serve_run(const struct config *cfg, volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct serve sv = { .cfg = cfg };
	/* --leaks: the leaks model's options (each namespace's, with
	 * --all-netns): owners and tracking, for ages and growth. */
	struct leaks_opts lo = {
		.filter = cfg->filter,
		.owners = true,
		.proc_root = "/proc",
		.track = true,
	};
	struct MHD_Daemon *d = NULL;
	struct serve_addr a;
	sigset_t stops, old;
	int ret;

	pthread_mutex_init(&sv.lock, NULL);
	pthread_cond_init(&sv.done, NULL);
	sv.vo = (struct view_opts){ .sort = cfg->sort, .top = cfg->top, .header = true };
	sv.lvo = (struct view_opts){ .top = cfg->top, .header = true };
	if (serve_parse_listen(cfg->listen ? cfg->listen : SERVE_DEFAULT_LISTEN, &a) < 0) {
		snprintf(err, errlen, "invalid --listen '%s'",
			 cfg->listen ? cfg->listen : SERVE_DEFAULT_LISTEN);
		ret = -EINVAL;
		goto out;
	}
	lo.filter.states = cfg->leak_states;
	if (cfg->all_netns) {
		ret = series_map_new(&sv.map, cfg->top, cfg->filter.has_ports);
		if (ret == 0 && cfg->serve_leaks)
			ret = leaks_ns_set_new(&sv.lns, &lo, cfg->top, cfg->filter.has_ports);
	} else {
		ret = collector_open_live(&sv.c, cfg->netns, err, errlen);
		if (ret < 0)
			goto out;
		sv.t = table_new(&cfg->filter);
		ret = sv.t ? series_new(&sv.set, cfg->top, cfg->filter.has_ports) : -ENOMEM;
		sv.vo.series = sv.set;
		if (ret == 0 && cfg->serve_leaks)
			ret = leaks_new(&sv.leaks, &lo);
		if (ret == 0 && cfg->serve_leaks)
			ret = series_new(&sv.lset, cfg->top, cfg->filter.has_ports);
	}
	if (ret < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}

	/* Stop signals reach this thread only: the server's threads (made
	 * below, they inherit the mask) never take them. */
	pace_stop_signals(&stops);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	errno = 0;
	d = listen_on(&sv, &a);
	if (!d && a.any) {
		/* No IPv6 here: every IPv4 address then. */
		struct sockaddr_in *in = (struct sockaddr_in *)&a.ss;
		uint16_t port = ((struct sockaddr_in6 *)&a.ss)->sin6_port;

		memset(&a.ss, 0, sizeof(a.ss));
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_ANY);
		in->sin_port = port;
		a.len = sizeof(*in);
		errno = 0;
		d = listen_on(&sv, &a);
	}
	if (!d) {
		ret = errno ? -errno : -EADDRINUSE;
		snprintf(err, errlen, "cannot listen on %s: %s",
			 cfg->listen ? cfg->listen : SERVE_DEFAULT_LISTEN, strerror(-ret));
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	while (!*stop)
		sigsuspend(&old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	ret = 0;
out:
	/* Waits for the connections' threads, a sample in progress too. */
	if (d)
		MHD_stop_daemon(d);
	free(sv.body);
	series_map_delete(sv.map);
	series_delete(sv.set);
	leaks_ns_set_delete(sv.lns);
	series_delete(sv.lset);
	leaks_delete(sv.leaks);
	table_delete(sv.t);
	collector_close(sv.c);
	pthread_cond_destroy(&sv.done);
	pthread_mutex_destroy(&sv.lock);
	return ret;
}
