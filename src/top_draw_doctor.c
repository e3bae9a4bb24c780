/* SPDX-License-Identifier: MIT */
/*
 * top_draw_doctor: the dashboard's findings screen (D): the doctor's
 * findings of the front sample, worst first, each with where, its numbers,
 * why and what to do, wrapped to the width (top_findings_lines()) and
 * scrolled by line.  Every string goes through top_put(), so a namespace
 * label reaches the terminal in its text form.
 */
#include "top_priv.h"

#include <stdio.h>
#include <string.h>

void top_draw_doctor(struct top *tp)
{
	const struct top_findings *fs = &tp->sh.ffront;
	struct top_ui *ui = &tp->ui;
	static const char *const keys[] = {
		"Esc", "back", "Up/Dn", "scroll", "p", "pause", "h", "help", NULL,
	};
	int y = TOP_HEAD_LINES, bottom = LINES - 1;
	size_t crit = 0, warn = 0, page;
	long n = 0;
	char head[512];

	for (size_t i = 0; i < fs->n; i++) {
		crit += fs->v[i].severity == DOCTOR_CRITICAL;
		warn += fs->v[i].severity == DOCTOR_WARNING;
	}
	if (!tp->sh.produced)
		snprintf(head, sizeof(head), "DOCTOR (sampling...)");
	else if (!fs->ran)
		snprintf(head, sizeof(head), "DOCTOR not run: %s", fs->note);
	else if (!fs->n)
		snprintf(head, sizeof(head), "DOCTOR OK: %d checks passed", DOCTOR_NCHECKS);
	else
		snprintf(head, sizeof(head), "DOCTOR %zu finding%s: %zu critical, %zu warning%s",
			 fs->n, fs->n == 1 ? "" : "s", crit, warn, warn == 1 ? "" : "s");
	attrset(top_role_attr(tp, ROLE_COLHDR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	top_put(tp, y++, 0, -1, top_role_attr(tp, ROLE_COLHDR), head);
	if (fs->ran && fs->unread && y < bottom) {
		char note[400];

		snprintf(note, sizeof(note), "%zu namespace%s not checked: %s", fs->unread,
			 fs->unread == 1 ? "" : "s", fs->note);
		top_put(tp, y++, 0, -1, top_role_attr(tp, ROLE_WARN), note);
	}
	if (fs->ran && fs->n)
		n = top_findings_lines(fs, COLS, &tp->flines, &tp->flines_cap);
	if (n < 0) {
		top_put(tp, y, 0, -1, top_role_attr(tp, ROLE_ERROR), "out of memory");
		n = 0;
	}
	/* Owners are the report's: the dashboard looks them up only for a
	 * row's detail.  Said once, after the findings. */
	page = bottom > y ? (size_t)(bottom - y) : 1;
	ui->doc_lines = (size_t)n + (n ? 1 : 0);
	ui->doc_page = page;
	if (ui->doc_scroll + page > ui->doc_lines)
		ui->doc_scroll = ui->doc_lines > page ? ui->doc_lines - page : 0;
	for (size_t i = ui->doc_scroll; i < ui->doc_lines && y < bottom; i++, y++) {
		const struct top_fline *l;
		attr_t a = A_NORMAL;

		if (i == (size_t)n) {
			top_put(tp, y, 0, -1, A_DIM,
				"owners: not looked up here ('portstat doctor' names them)");
			continue;
		}
		l = &tp->flines[i];
		if (l->head)
			a = top_role_attr(tp, l->severity == DOCTOR_CRITICAL ? ROLE_ERROR : ROLE_WARN);
		top_put(tp, y, l->indent, COLS - l->indent, a, l->text);
	}
	top_draw_footer(tp, keys);
}
