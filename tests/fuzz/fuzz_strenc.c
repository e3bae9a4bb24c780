/* SPDX-License-Identifier: MIT */
/*
 * fuzz_strenc: libFuzzer target for every encoder of strenc.  The first
 * two bytes choose the text form's flags and width limit; the rest is the
 * untrusted string.  For any input each output must be valid UTF-8 (by a
 * checker written here, not strenc's decoder), and:
 *   - JSON: one string literal a strict parser accepts, no raw control;
 *   - Prometheus: only the three escapes the format has, no raw '"', no
 *     control byte at all;
 *   - CSV: no control byte (a record is one line), and a record of the
 *     field twice parses back, RFC 4180, as exactly two equal fields;
 *   - text: no C0, DEL or C1 (as bytes or characters), no line separator
 *     or bidi control; within its width limit and buffer; the width it
 *     reports; a prefix of the uncut form; unchanged when encoded again;
 *     ASCII only when asked.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes @s (@n bytes) strictly as UTF-8 (RFC 3629); calls @each per
 * code point.  False at the first ill-formed byte. */
static bool utf8_walk(const unsigned char *s, size_t n, bool (*each)(uint32_t cp))
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k;

		if (s[i] < 0x80) {
			cp = s[i];
			k = 1;
		} else if ((s[i] & 0xe0) == 0xc0) {
			cp = s[i] & 0x1f;
			k = 2;
		} else if ((s[i] & 0xf0) == 0xe0) {
			cp = s[i] & 0x0f;
			k = 3;
		} else if ((s[i] & 0xf8) == 0xf0) {
			cp = s[i] & 0x07;
			k = 4;
		} else {
			return false;
		}
		if (i + k > n)
			return false;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if (each && !each(cp))
			return false;
		i += k;
	}
	return true;
}

static bool no_control(uint32_t cp)
{
	return cp >= 0x20 && !(cp >= 0x7f && cp <= 0x9f);
}

static bool text_safe(uint32_t cp)
{
	return no_control(cp) && cp != 0x2028 && cp != 0x2029 && cp != 0x061c &&
	       cp != 0x200e && cp != 0x200f && !(cp >= 0x202a && cp <= 0x202e) &&
	       !(cp >= 0x2066 && cp <= 0x2069);
}

static char *encode(void (*enc)(FILE *, const char *), const char *s, const char *sep,
		    size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	enc(f, s);
	if (sep) {
		fputs(sep, f);
		enc(f, s);
	}
	if (fclose(f) != 0)
		abort();
	return buf;
}

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "failed: %s\n", #c); abort(); } } while (0)

static void check_json(const char *s)
{
	size_t len, i;
	char *j = encode(strenc_json, s, NULL, &len);

	CHECK(utf8_walk((const unsigned char *)j, len, no_control));
	CHECK(len >= 2 && j[0] == '"' && j[len - 1] == '"');
	for (i = 1; i < len - 1; i++) {
		CHECK(j[i] != '"');
		if (j[i] != '\\')
			continue;
		i++;
		CHECK(i < len - 1 && strchr("\"\\/bfnrtu", j[i]));
		if (j[i] == 'u') {
			for (int d = 1; d <= 4; d++)
				CHECK(i + (size_t)d < len - 1 &&
				      strchr("0123456789abcdefABCDEF", j[i + (size_t)d]));
			i += 4;
		}
	}
	free(j);
}

static void check_prom(const char *s)
{
	size_t len;
	char *p = encode(strenc_prom, s, NULL, &len);

	CHECK(utf8_walk((const unsigned char *)p, len, no_control));
	for (size_t i = 0; i < len; i++) {
		CHECK(p[i] != '"');
		if (p[i] == '\\') {
			i++;
			CHECK(i < len && (p[i] == '\\' || p[i] == '"' || p[i] == 'n'));
		}
	}
	free(p);
}

/* One RFC 4180 field of @r from *@i into @out; false if malformed. */
static bool csv_field(const char *r, size_t len, size_t *i, char *out, size_t *olen)
{
	*olen = 0;
	if (*i < len && r[*i] == '"') {
		for ((*i)++; *i < len; (*i)++) {
			if (r[*i] == '"') {
				if (*i + 1 < len && r[*i + 1] == '"') {
					out[(*olen)++] = '"';
					(*i)++;
					continue;
				}
				(*i)++;
				return *i == len || r[*i] == ',';
			}
			out[(*olen)++] = r[*i];
		}
		return false;	/* unterminated */
	}
	for (; *i < len && r[*i] != ','; (*i)++) {
		if (r[*i] == '"')
			return false;
		out[(*olen)++] = r[*i];
	}
	return true;
}

static void check_csv(const char *s)
{
	size_t len, i = 0, la, lb;
	char *r = encode(strenc_csv, s, ",", &len);
	char *a = malloc(len + 1), *b = malloc(len + 1);

	CHECK(a && b);
	CHECK(utf8_walk((const unsigned char *)r, len, no_control));
	CHECK(csv_field(r, len, &i, a, &la));
	CHECK(i < len && r[i] == ',');
	i++;
	CHECK(csv_field(r, len, &i, b, &lb));
	CHECK(i == len);
	CHECK(la == lb && memcmp(a, b, la) == 0);
	free(a);
	free(b);
	free(r);
}

static void check_text(const char *s, unsigned flags, int maxw)
{
	char full[8192], cut[8192], again[8192];
	size_t room = (size_t)(maxw < 0 ? 0 : maxw) % sizeof(cut) + 1;
	int wfull = strenc_text(full, sizeof(full), s, -1, flags);
	int wcut = strenc_text(cut, room, s, maxw, flags);
	size_t lfull = strlen(full), lcut = strlen(cut);

	CHECK(utf8_walk((const unsigned char *)full, lfull, text_safe));
	CHECK(utf8_walk((const unsigned char *)cut, lcut, text_safe));
	CHECK(lcut < room);
	CHECK(maxw < 0 || wcut <= maxw);
	CHECK(wcut <= wfull);
	CHECK(strncmp(full, cut, lcut) == 0);
	/* The input is at most 2000 bytes and its text form at most four
	 * times as long, so @full holds all of it. */
	if (!flags)
		CHECK(strenc_text_width(s) == wfull);
	if (flags & STRENC_ASCII)
		for (size_t i = 0; i < lfull; i++)
			CHECK((unsigned char)full[i] < 0x80);
	CHECK(strenc_text(again, sizeof(again), full, -1, flags) == wfull);
	CHECK(strcmp(again, full) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags;
	int maxw;
	char *s;

	if (size < 2 || size > 2 + 2000)
		return 0;
	flags = data[0] & (STRENC_ASCII | STRENC_NOPIPE);
	maxw = data[1] == 0xff ? -1 : data[1];
	/* A C string: the encoders stop at the first NUL, as names do. */
	s = malloc(size - 1);
	if (!s)
		abort();
	memcpy(s, data + 2, size - 2);
	s[size - 2] = '\0';
	check_json(s);
	check_prom(s);
	check_csv(s);
	check_text(s, flags, maxw);
	free(s);
	return 0;
}
