/* SPDX-License-Identifier: MIT */
/*
 * strenc: the one place that turns untrusted bytes into output.  Process
 * names, cgroup paths, namespace names and labels, -N paths, notes and
 * anything read from a recording are chosen by other users and containers:
 * any bytes at all.  Each output format has one encoder here, and every
 * view writes such a string only through it, so that whatever the bytes,
 * a strict consumer of the format accepts the output and a terminal never
 * receives a control character.
 *
 * Input is a NUL-terminated byte string, decoded as UTF-8.  Whatever is
 * not well-formed UTF-8 (a stray continuation byte, an overlong form, a
 * UTF-16 surrogate, a code point past U+10FFFF, a truncated sequence, a
 * byte that never starts one) is an invalid sequence, split into maximal
 * subparts as Unicode recommends (one U+FFFD per subpart).  "Controls"
 * are C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F, which only
 * ever come as well-formed two-byte sequences: a raw byte 0x80-0x9F is
 * invalid).
 *
 * The text form (text reports, the dashboard, plugin status lines) shows
 * every character that is printable as itself, and nothing else raw:
 *   - a C0 control or DEL as \xNN ("\x1b"), as is every byte of an
 *     invalid sequence ("\xff", "\xc3");
 *   - a C1 control, U+2028/U+2029 (line and paragraph separators) and the
 *     bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
 *     U+2066-U+2069, which would reorder the columns around them) as
 *     \uNNNN;
 *   - with STRENC_ASCII (a terminal that is not UTF-8) every other
 *     non-ASCII character as \uNNNN, or \UNNNNNNNN past U+FFFF.
 * A backslash is not doubled: the text form is for reading (a systemd
 * cgroup such as "system-foo\x2dbar.slice" stays as systemd writes it);
 * JSON is the exact form.  The text form is valid UTF-8 without controls
 * and encoding it again changes nothing.  Widths are display columns from
 * a built-in Unicode table (src/strenc_width.h), never the locale: two for
 * East Asian wide characters, none for combining marks.
 */
#ifndef PORTSTAT_STRENC_H
#define PORTSTAT_STRENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* strenc_text() flags. */
enum {
	STRENC_ASCII = 1u << 0,		/* escape all of non-ASCII too */
	STRENC_NOPIPE = 1u << 1,	/* '|' as \x7c: a monitoring plugin's
					 * status line ends its text at '|' */
};

/* strenc_json - @s as a JSON string literal, quotes included: valid
 * UTF-8 (RFC 8259), invalid sequences as U+FFFD, '"' and '\' escaped,
 * controls, U+2028 and U+2029 \u-escaped. */
void strenc_json(FILE *out, const char *s);

/* strenc_prom - @s as a Prometheus label value, without the quotes: valid
 * UTF-8 with invalid sequences as U+FFFD; '\', '"' and newline escaped as
 * the exposition format requires; any other control in its text form
 * ("\x1b", so the label reads as the text report shows the name). */
void strenc_prom(FILE *out, const char *s);

/* strenc_csv - @s as one RFC 4180 field: valid UTF-8 with invalid
 * sequences as U+FFFD, controls in their text form (so a record is always
 * one line); quoted, with '"' doubled, when it holds ',' or '"' or starts
 * or ends with a space; and when it starts with '=', '+', '-' or '@' and
 * is longer than that one character, quoted with a "'" put first, so a
 * spreadsheet never takes a name for a formula. */
void strenc_csv(FILE *out, const char *s);

/*
 * strenc_text - the text form of @s (see above; @flags STRENC_*) into
 * @buf (@len bytes, at least 1), NUL-terminated, cut at a character or
 * escape boundary (never inside either) to at most @maxw display columns
 * (negative: no limit) and to what @buf holds.  Returns the columns
 * written.
 */
int strenc_text(char *buf, size_t len, const char *s, int maxw, unsigned flags);

/* strenc_text_width - display columns of @s's whole text form. */
int strenc_text_width(const char *s);

/* strenc_text_pad - the text form of @s to @out, padded with spaces to
 * @width columns: after it, or before it when @right. */
void strenc_text_pad(FILE *out, const char *s, int width, bool right);

/*
 * strenc_text_line - one message line to @out (stderr): formatted from
 * @fmt as printf() does, then written in its text form, with one newline
 * after it, in one write.  A message embeds names, labels, paths and notes
 * (any bytes); this is how they reach a terminal on stderr too.  The
 * format's own text is plain ASCII, which the text form leaves as it is;
 * @fmt must not hold a newline (it would show as \x0a): a second line is
 * a second call.  Cut, at a character boundary, past 2 KiB.
 */
void strenc_text_line(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* strenc_width - display columns of code point @cp when printed: 0, 1 or
 * 2 (controls 0: they are never printed raw). */
int strenc_width(unsigned cp);

/* strenc_clean - whether @s is valid UTF-8 without controls, so that its
 * Prometheus label value reads back as @s exactly (two label values can
 * only collide when one of them is not clean). */
bool strenc_clean(const char *s);

#endif
