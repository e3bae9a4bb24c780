/* SPDX-License-Identifier: MIT */
/*
 * strenc: untrusted bytes to JSON, Prometheus, CSV and text (strenc.h has
 * the rules).  Everything walks the string one unit at a time: a
 * well-formed UTF-8 character, or one maximal subpart of an invalid
 * sequence; each encoder then decides what that unit becomes.  No
 * allocation, no locale: the same bytes give the same output on every
 * host.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "strenc.h"

struct strenc_range {
	uint32_t lo, hi;
};

#include "strenc_width.h"

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

/* Room for one unit's text form: an invalid subpart is at most 3 bytes
 * ("\xNN" each), an escaped character at most "\UNNNNNNNN". */
#define UNIT_MAX	16

/*
 * One unit of @s (@n > 0 bytes left): returns how many bytes it takes
 * (at least 1) and its code point in *cp, or -1 when those bytes are an
 * invalid sequence.  The second byte's range depends on the first so that
 * overlong forms (E0 80..9F, F0 80..8F), surrogates (ED A0..BF) and code
 * points past U+10FFFF (F4 90.., F5..FF) stop at the first byte that
 * cannot continue: the maximal subpart, as Unicode's "best practice for
 * U+FFFD substitution" and the WHATWG decoder have it.
 */
static size_t unit(const unsigned char *s, size_t n, int32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		*cp = -1;	/* 80..C1, F5..FF never start a character */
		return 1;
	}
	for (size_t i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = -1;
			return i;
		}
		v = v << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = (int32_t)v;
	return need + 1;
}

static bool is_control(int32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Characters that are valid and not controls, yet must not reach a
 * terminal raw: they break a line or reorder what is around them. */
static bool is_layout_control(int32_t cp)
{
	return cp == 0x2028 || cp == 0x2029 || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static bool in_table(const struct strenc_range *t, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	if (cp < t[0].lo || cp > t[n - 1].hi)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp > t[mid].hi)
			lo = mid + 1;
		else if (cp < t[mid].lo)
			hi = mid;
		else
			return true;
	}
	return false;
}

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

int strenc_width(unsigned cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 0;
	if (cp < 0x300)
		return 1;
	if (in_table(width_zero, NELEMS(width_zero), cp))
		return 0;
	if (in_table(width_wide, NELEMS(width_wide), cp))
		return 2;
	return 1;
}

/*
 * The text form of one unit (@s, @n bytes, code point @cp as unit() gave
 * it) into @rep (UNIT_MAX bytes, not terminated): returns its length and
 * its display columns in *w.
 */
static size_t text_unit(const unsigned char *s, size_t n, int32_t cp, unsigned flags,
			char *rep, int *w)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0;

	if (cp < 0 || cp < 0x20 || cp == 0x7f || (cp == '|' && (flags & STRENC_NOPIPE))) {
		for (size_t i = 0; i < n; i++) {
			rep[len++] = '\\';
			rep[len++] = 'x';
			rep[len++] = hex[s[i] >> 4];
			rep[len++] = hex[s[i] & 0xf];
		}
		*w = (int)len;
		return len;
	}
	if (cp < 0x80) {
		rep[0] = (char)cp;
		*w = 1;
		return 1;
	}
	if (is_control(cp) || is_layout_control(cp) || (flags & STRENC_ASCII)) {
		int digits = cp > 0xffff ? 8 : 4;

		rep[len++] = '\\';
		rep[len++] = cp > 0xffff ? 'U' : 'u';
		for (int d = digits - 1; d >= 0; d--)
			rep[len++] = hex[(cp >> (4 * d)) & 0xf];
		*w = (int)len;
		return len;
	}
	memcpy(rep, s, n);
	*w = strenc_width((unsigned)cp);
	return n;
}

int strenc_text(char *buf, size_t len, const char *s, int maxw, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), used = 0;
	int width = 0;

	while (left) {
		char rep[UNIT_MAX];
		int32_t cp;
		size_t n = unit(p, left, &cp), k;
		int w;

		k = text_unit(p, n, cp, flags, rep, &w);
		if ((maxw >= 0 && width + w > maxw) || used + k >= len)
			break;
		memcpy(buf + used, rep, k);
		used += k;
		width += w;
		p += n;
		left -= n;
	}
	buf[used] = '\0';
	return width;
}

int strenc_text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	int width = 0;

	while (left) {
		char rep[UNIT_MAX];
		int32_t cp;
		size_t n = unit(p, left, &cp);
		int w;

		text_unit(p, n, cp, 0, rep, &w);
		width += w;
		p += n;
		left -= n;
	}
	return width;
}

void strenc_text_pad(FILE *out, const char *s, int width, bool right)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	int pad = width - strenc_text_width(s);

	for (; right && pad > 0; pad--)
		fputc(' ', out);
	while (left) {
		char rep[UNIT_MAX];
		int32_t cp;
		size_t n = unit(p, left, &cp);
		int w;
		size_t k = text_unit(p, n, cp, 0, rep, &w);

		fwrite(rep, 1, k, out);
		p += n;
		left -= n;
	}
	for (; pad > 0; pad--)
		fputc(' ', out);
}

void strenc_text_line(FILE *out, const char *fmt, ...)
{
	/* Every input byte is at most 4 bytes of text form ("\xNN"). */
	char msg[2048], text[4 * sizeof(msg) + 2];
	va_list ap;
	bool cut;
	size_t n;

	va_start(ap, fmt);
	cut = vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg);
	va_end(ap);
	if (cut) {
		/* A character cut in two would show as \xNN: drop its head. */
		size_t end = sizeof(msg) - 1, k = end;

		while (k > 0 && end - k < 3 && ((unsigned char)msg[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)msg[k - 1] >= 0xc2) {
			unsigned char lead = (unsigned char)msg[k - 1];
			size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;

			if (end - (k - 1) < need)
				msg[k - 1] = '\0';
		}
	}
	strenc_text(text, sizeof(text) - 1, msg, -1, 0);
	n = strlen(text);
	text[n++] = '\n';
	fwrite(text, 1, n, out);
}

void strenc_json(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	fputc('"', out);
	while (left) {
		int32_t cp;
		size_t n = unit(p, left, &cp);

		if (cp < 0)
			fputs(REPLACEMENT, out);
		else if (cp == '"')
			fputs("\\\"", out);
		else if (cp == '\\')
			fputs("\\\\", out);
		else if (cp == '\n')
			fputs("\\n", out);
		else if (cp == '\t')
			fputs("\\t", out);
		else if (cp == '\r')
			fputs("\\r", out);
		else if (is_control(cp) || cp == 0x2028 || cp == 0x2029)
			/* U+2028/9 end a line in JavaScript */
			fprintf(out, "\\u%04x", (unsigned)cp);
		else
			fwrite(p, 1, n, out);
		p += n;
		left -= n;
	}
	fputc('"', out);
}

void strenc_prom(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	while (left) {
		int32_t cp;
		size_t n = unit(p, left, &cp);

		if (cp < 0) {
			fputs(REPLACEMENT, out);
		} else if (cp == '\\' || cp == '"') {
			fputc('\\', out);
			fputc(cp, out);
		} else if (cp == '\n') {
			fputs("\\n", out);
		} else if (is_control(cp)) {
			char rep[UNIT_MAX];
			int w;
			size_t k = text_unit(p, n, cp, 0, rep, &w);

			/* the text form's backslash, escaped */
			fputc('\\', out);
			fwrite(rep, 1, k, out);
		} else {
			fwrite(p, 1, n, out);
		}
		p += n;
		left -= n;
	}
}

/* The leading characters a spreadsheet starts a formula with. */
static bool formula_lead(const char *s)
{
	return s[0] && strchr("=+-@", s[0]) && s[1];
}

void strenc_csv(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);
	bool formula = formula_lead(s);
	bool quote = formula || strpbrk(s, ",\"\r\n") ||
		     (left && (s[0] == ' ' || s[left - 1] == ' '));

	if (quote)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	while (left) {
		int32_t cp;
		size_t n = unit(p, left, &cp);

		if (cp < 0) {
			fputs(REPLACEMENT, out);
		} else if (cp == '"') {
			fputs("\"\"", out);
		} else if (is_control(cp)) {
			char rep[UNIT_MAX];
			int w;
			size_t k = text_unit(p, n, cp, 0, rep, &w);

			fwrite(rep, 1, k, out);
		} else {
			fwrite(p, 1, n, out);
		}
		p += n;
		left -= n;
	}
	if (quote)
		fputc('"', out);
}

bool strenc_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	while (left) {
		int32_t cp;
		size_t n = unit(p, left, &cp);

		if (cp < 0 || is_control(cp))
			return false;
		p += n;
		left -= n;
	}
	return true;
}
