/* SPDX-License-Identifier: MIT */
/*
 * view_prom: Prometheus text exposition (what node_exporter's textfile
 * collector reads): per-state totals, per-port series for the first --top
 * rows with the rest summed under port="other", the sample's duration and
 * whether its dump was complete.  No timestamps: the textfile collector
 * rejects them.  With several namespaces each series gets a netns label,
 * and a family's series must stay together under one HELP/TYPE, so the
 * families are rendered one at a time (view_prom_family()).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "strenc.h"
#include "view.h"

static const struct {
	const char *name, *help;
} families[VIEW_PROM_FAMILIES] = {
	{ "portstat_tcp_sockets", "TCP sockets by state." },
	{ "portstat_tcp_port_sockets",
	  "TCP sockets by counted port, direction and state; ports past --top are summed under port=\"other\"." },
	{ "portstat_sample_duration_seconds", "How long the sample took." },
	{ "portstat_sample_complete", "1 if the kernel's dump was complete, 0 if it stayed interrupted." },
};

void view_prom_header(FILE *out, int family)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n",
		families[family].name, families[family].help, families[family].name);
}

void view_prom_value(FILE *out, const char *v)
{
	strenc_prom(out, v);
}

void view_prom_ns_labels(FILE *out, const char *netns, const struct holder *h, const char *sep)
{
	if (!netns)
		return;
	fputs("netns=\"", out);
	view_prom_value(out, netns);
	fputc('"', out);
	if (h && h->container[0]) {
		fprintf(out, ",container=\"%s\"", h->container);
		if (h->pod_uid[0] && h->hostname[0]) {
			fputs(",pod=\"", out);
			view_prom_value(out, h->hostname);
			fputc('"', out);
		}
	}
	fputs(sep, out);
}


/* Every state the filter selects, zeros included: a series that
 * vanished at 0 would leave gaps and stale markers where rate() and
 * alerts want a 0. */
static void port_series(FILE *out, const char *netns, const struct holder *h,
			const char *port, const char *dir, const uint64_t *n, uint32_t states)
{
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];

		if (!(states & TCP_STATE_BIT(st)))
			continue;
		fprintf(out, "portstat_tcp_port_sockets{");
		view_prom_ns_labels(out, netns, h, ",");
		fprintf(out, "port=\"%s\",direction=\"%s\",state=\"%s\"} %" PRIu64 "\n",
			port, dir, tcp_state_name(st), n[st]);
	}
}

static const char *dir_name(uint8_t dir)
{
	return dir == TABLE_DIR_IN ? "in" : "out";
}

/* The exported rows (series.h) in the sample's order, then members the
 * sample no longer holds (all zero) by port, then everything else summed
 * under port="other", which is always exported. */
static int ports_family(FILE *out, const struct view_sample *s, const struct view_opts *o,
			const char *netns)
{
	size_t n;
	const struct table_row **rows = view_sorted_rows(s->table, o, &n);
	uint64_t other[2][TCP_STATE_MAX + 1] = { { 0 } };
	uint32_t states = table_filter(s->table)->states;
	struct series *set = o->series, *own = NULL;
	int ret = 0;

	if (!rows)
		return -ENOMEM;
	if (!set) {
		ret = series_new(&own, o->top ? o->top : n, false);
		if (ret < 0)
			goto out;
		set = own;
	}
	series_update(set, rows, n, &o->sort);
	for (size_t r = 0; r < n; r++) {
		const struct table_row *row = rows[r];
		uint64_t v[TCP_STATE_MAX + 1];
		char port[8];

		for (int st = 0; st <= TCP_STATE_MAX; st++)
			v[st] = row->n[st];
		if (!series_has(set, row->port, row->dir)) {
			for (int st = 0; st <= TCP_STATE_MAX; st++)
				other[row->dir][st] += v[st];
			continue;
		}
		snprintf(port, sizeof(port), "%u", row->port);
		port_series(out, netns, s->holder, port, dir_name(row->dir), v, states);
	}
	for (size_t i = 0; i < series_count(set); i++) {
		static const uint64_t zero[TCP_STATE_MAX + 1];
		uint16_t p;
		uint8_t d;
		char port[8];

		if (series_present(set, i))	/* written above */
			continue;
		series_get(set, i, &p, &d);
		snprintf(port, sizeof(port), "%u", p);
		port_series(out, netns, s->holder, port, dir_name(d), zero, states);
	}
	port_series(out, netns, s->holder, "other", "in", other[TABLE_DIR_IN], states);
	port_series(out, netns, s->holder, "other", "out", other[TABLE_DIR_OUT], states);
out:
	series_delete(own);
	free(rows);
	return ret;
}

int view_prom_family(FILE *out, int family, const struct view_sample *s,
		     const struct view_opts *o, const char *netns)
{
	const char *name = families[family].name;
	const struct holder *h = s->holder;
	int ret = 0;

	switch (family) {
	case VIEW_PROM_SOCKETS:
		for (int i = 0; i < TCP_STATE_COUNT; i++) {
			enum tcp_state st = tcp_state_order[i];

			fprintf(out, "%s{", name);
			view_prom_ns_labels(out, netns, h, ",");
			fprintf(out, "state=\"%s\"} %" PRIu64 "\n", tcp_state_name(st),
				table_state_total(s->table, st));
		}
		break;
	case VIEW_PROM_PORT_SOCKETS:
		ret = ports_family(out, s, o, netns);
		break;
	case VIEW_PROM_DURATION:
	case VIEW_PROM_COMPLETE:
		fputs(name, out);
		if (netns) {
			fputc('{', out);
			view_prom_ns_labels(out, netns, h, "}");
		}
		if (family == VIEW_PROM_DURATION)
			fprintf(out, " %.6f\n", s->cost_ms / 1000.0);
		else
			fprintf(out, " %d\n", s->complete ? 1 : 0);
		break;
	}
	if (ret < 0)
		return ret;
	return ferror(out) ? -EIO : 0;
}

int view_prom_render(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	for (int f = 0; f < VIEW_PROM_FAMILIES; f++) {
		int ret;

		view_prom_header(out, f);
		ret = view_prom_family(out, f, s, o, NULL);
		if (ret < 0)
			return ret;
	}
	return 0;
}
