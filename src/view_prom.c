/*
 * view_prom: Prometheus text exposition (what node_exporter's textfile
 * collector reads): per-state totals, per-port series for the first --top
 * rows with the rest summed under port="other", the sample's duration and
 * whether its dump was complete.  No timestamps: the textfile collector
 * rejects them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "view.h"

static void family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void port_series(FILE *out, const char *port, const char *dir,
			const uint64_t *n, const char *ns_label)
{
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];

		if (!n[st])
			continue;
		fprintf(out, "portstat_tcp_port_sockets{%sport=\"%s\",direction=\"%s\",state=\"%s\"} %" PRIu64 "\n",
			ns_label, port, dir, tcp_state_name(st), n[st]);
	}
}

int view_prom_render(FILE *out, const struct view_sample *s, const struct view_opts *o)
{
	const struct table *t = s->table;
	size_t n, shown;
	const struct table_row **rows = view_sorted_rows(t, o, &n);
	uint64_t other[2][TCP_STATE_MAX + 1] = { { 0 } };
	/* A netns label only where several namespaces share one output. */
	const char *ns_label = "";

	if (!rows)
		return -ENOMEM;
	shown = view_shown(o, n);

	family(out, "portstat_tcp_sockets", "TCP sockets by state.");
	for (int i = 0; i < TCP_STATE_COUNT; i++) {
		enum tcp_state st = tcp_state_order[i];

		fprintf(out, "portstat_tcp_sockets{%sstate=\"%s\"} %" PRIu64 "\n",
			ns_label, tcp_state_name(st), table_state_total(t, st));
	}
	family(out, "portstat_tcp_port_sockets",
	       "TCP sockets by counted port, direction and state; ports past --top are summed under port=\"other\".");
	for (size_t r = 0; r < n; r++) {
		const struct table_row *row = rows[r];
		uint64_t v[TCP_STATE_MAX + 1];
		char port[8];

		for (int st = 0; st <= TCP_STATE_MAX; st++) {
			v[st] = row->n[st];
			if (r >= shown)
				other[row->dir][st] += row->n[st];
		}
		if (r >= shown)
			continue;
		snprintf(port, sizeof(port), "%u", row->port);
		port_series(out, port, row->dir == TABLE_DIR_IN ? "in" : "out", v, ns_label);
	}
	port_series(out, "other", "in", other[TABLE_DIR_IN], ns_label);
	port_series(out, "other", "out", other[TABLE_DIR_OUT], ns_label);
	family(out, "portstat_sample_duration_seconds", "How long the sample took.");
	fprintf(out, "portstat_sample_duration_seconds %.6f\n", s->cost_ms / 1000.0);
	family(out, "portstat_sample_complete",
	       "1 if the kernel's dump was complete, 0 if it stayed interrupted.");
	fprintf(out, "portstat_sample_complete %d\n", s->complete ? 1 : 0);
	free(rows);
	return ferror(out) ? -EIO : 0;
}
