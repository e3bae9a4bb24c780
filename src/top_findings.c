/* SPDX-License-Identifier: MIT */
/*
 * top_findings: the dashboard's doctor findings as the screen shows them,
 * without a terminal: the set of one sample (every namespace's, worst
 * first), the status line's item that drops whole words to fit, and the
 * findings screen's lines wrapped at word boundaries.  Widths are display
 * cells of the strings' text form (strenc), so an untrusted label that
 * expands when escaped is measured as it will be drawn.  Declared in
 * top_model.h; tested in check_top_findings.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strenc.h"
#include "top_model.h"

int top_findings_add(struct top_findings *s, const struct top_finding *f)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct top_finding *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *f;
	return 0;
}

void top_findings_clear(struct top_findings *s)
{
	s->ran = false;
	s->n = 0;
	s->unread = 0;
	s->note[0] = '\0';
}

void top_findings_done(struct top_findings *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int finding_cmp(const void *pa, const void *pb)
{
	const struct top_finding *a = pa, *b = pb;
	int c;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank > b->rank ? -1 : 1;
	if (a->check != b->check)
		return a->check < b->check ? -1 : 1;
	c = strcmp(a->label, b->label);
	return c ? c : strcmp(a->where, b->where);
}

void top_findings_sort(struct top_findings *s)
{
	if (s->n)	/* qsort(NULL, 0, ...) is undefined */
		qsort(s->v, s->n, sizeof(s->v[0]), finding_cmp);
}

static const char *sev_upper(enum doctor_severity s)
{
	return s == DOCTOR_CRITICAL ? "CRITICAL" : s == DOCTOR_WARNING ? "WARNING" :
	       s == DOCTOR_OK ? "OK" : "UNKNOWN";
}

int top_findings_status(const struct top_findings *s, int width, char *buf, size_t len)
{
	char full[1024];
	size_t cut[6];
	int ncut = 0, w;

	buf[0] = '\0';
	if (!s->ran || width <= 0)
		return 0;
	if (!s->n) {
		snprintf(full, sizeof(full), "doctor: OK");
		cut[ncut++] = strlen(full);
	} else {
		const struct top_finding *f = &s->v[0];
		size_t n = 0;

		/* Each cut ends a shorter form; the longest that fits wins. */
		n += (size_t)snprintf(full + n, sizeof(full) - n, "doctor: %zu", s->n);
		cut[ncut++] = n;
		n += (size_t)snprintf(full + n, sizeof(full) - n, " finding%s", s->n == 1 ? "" : "s");
		cut[ncut++] = n;
		n += (size_t)snprintf(full + n, sizeof(full) - n, ", worst %s", sev_upper(f->severity));
		cut[ncut++] = n;
		n += (size_t)snprintf(full + n, sizeof(full) - n, " %s", doctor_check_name(f->check));
		cut[ncut++] = n;
		if (n < sizeof(full) - 1)
			n += (size_t)snprintf(full + n, sizeof(full) - n, " %s", f->where);
		cut[ncut++] = n < sizeof(full) ? n : sizeof(full) - 1;
		n = cut[ncut - 1];
		if (f->label[0] && n < sizeof(full) - 1) {
			n += (size_t)snprintf(full + n, sizeof(full) - n, " (%s)", f->label);
			cut[ncut++] = n < sizeof(full) ? n : sizeof(full) - 1;
		}
	}
	for (int k = ncut - 1; k >= 0; k--) {
		char save = full[cut[k]];

		full[cut[k]] = '\0';
		w = strenc_text_width(full);
		if (w <= width) {
			snprintf(buf, len, "%s", full);
			return w;
		}
		full[cut[k]] = save;
	}
	return 0;
}

/* Room for one more line in *@out. */
static struct top_fline *line_new(struct top_fline **out, size_t *cap, size_t n)
{
	if (n == *cap) {
		size_t c = *cap ? *cap * 2 : 32;
		struct top_fline *v = realloc(*out, c * sizeof(*v));

		if (!v)
			return NULL;
		*out = v;
		*cap = c;
	}
	return &(*out)[n];
}

/* @text wrapped at spaces into lines @width cells wide, the first
 * @indent cells in, the others @hang more (so "why: " hangs).  Returns
 * the new number of lines, or -ENOMEM. */
static long wrap(const char *text, int width, int indent, int hang, enum doctor_severity sev,
		 struct top_fline **out, size_t *cap, long n)
{
	struct top_fline *l = NULL;
	const char *p = text;
	size_t used = 0;
	int x = 0;

	while (*p) {
		size_t wl = strcspn(p, " ");
		char word[TOP_FLINE_MAX];
		int ww;

		if (wl == 0) {
			p++;
			continue;
		}
		if (wl >= sizeof(word))
			wl = sizeof(word) - 1;
		memcpy(word, p, wl);
		word[wl] = '\0';
		p += wl;
		ww = strenc_text_width(word);
		/* A new line when this one is full; a word wider than a
		 * whole line takes one of its own (and is clipped). */
		if (!l || l->indent + x + 1 + ww > width || used + 1 + wl >= sizeof(l->text)) {
			if (!(l = line_new(out, cap, (size_t)n)))
				return -ENOMEM;
			l->severity = sev;
			l->head = false;
			l->indent = used ? indent + hang : indent;
			l->text[0] = '\0';
			used = 0;
			x = 0;
			n++;
		}
		if (x > 0) {
			l->text[used++] = ' ';
			x++;
		}
		memcpy(l->text + used, word, wl + 1);
		used += wl;
		x += ww;
	}
	return n;
}

long top_findings_lines(const struct top_findings *s, int width, struct top_fline **out,
			size_t *cap)
{
	long n = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct top_finding *f = &s->v[i];
		char head[1024], why[600], fix[600];
		long first = n;

		if (f->label[0])
			snprintf(head, sizeof(head), "%s %s %s (netns %s)", sev_upper(f->severity),
				 doctor_check_name(f->check), f->where, f->label);
		else
			snprintf(head, sizeof(head), "%s %s %s", sev_upper(f->severity),
				 doctor_check_name(f->check), f->where);
		snprintf(why, sizeof(why), "why: %s", f->why);
		snprintf(fix, sizeof(fix), "fix: %s", f->fix);
		if ((n = wrap(head, width, 0, 2, f->severity, out, cap, n)) < 0 ||
		    (n = wrap(f->numbers, width, 2, 0, f->severity, out, cap, n)) < 0 ||
		    (n = wrap(why, width, 2, 5, f->severity, out, cap, n)) < 0 ||
		    (n = wrap(fix, width, 2, 5, f->severity, out, cap, n)) < 0)
			return -ENOMEM;
		if (n > first)
			(*out)[first].head = true;
	}
	return n;
}
