/* SPDX-License-Identifier: MIT */
/*
 * check_damaged: the real recording (tests/fixtures/sample.rec) damaged
 * every way a disk or a transfer can damage it: cut at every byte offset,
 * and every byte flipped in turn.  Each replay must end in a clear error
 * or in tables; a table may be shown only if the sample's bytes survived,
 * so a cut file never yields a whole sample it did not contain.  The same
 * for `leaks` over tests/fixtures/leaks.rec (real, with tcp_info): its
 * model and renderers, and every error one line naming the file.  Runs
 * under ASan and UBSan in CI, where a crash, an over-read or an overflow
 * fails the test.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include "collector.h"
#include "leaks.h"
#include "sampler.h"
#include "table.h"
#include "view_leaks.h"

static unsigned char *orig;
static size_t orig_len;
static char path[64];

static void load(void)
{
	FILE *f = fopen(FIXTURES_DIR "/sample.rec", "rb");

	ck_assert_ptr_nonnull(f);
	orig = malloc(1 << 16);
	orig_len = fread(orig, 1, 1 << 16, f);
	fclose(f);
	ck_assert_uint_gt(orig_len, 1000);
	snprintf(path, sizeof(path), "/tmp/check_damaged.%d", (int)getpid());
}

static void unload(void)
{
	unlink(path);
	free(orig);
}

/* Replay @data; return the number of complete samples, or -1 for a clean
 * error before any, and store each complete sample's total. */
static int replay(const unsigned char *data, size_t len, uint64_t totals[4], char *err)
{
	FILE *f = fopen(path, "wb");
	struct collector *c = NULL;
	struct table_filter flt = { .states = TCP_STATE_ALL_MASK, .ipv4 = true, .ipv6 = true };
	struct table *t;
	int samples = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	if (collector_open_replay(&c, path, err, 256) < 0) {
		ck_assert_msg(err[0] != '\0', "open failed without a message");
		return -1;
	}
	t = table_new(&flt);
	for (int i = 0; i < 8; i++) {	/* the file has 2 samples: bounded */
		struct sampler_info info;
		int ret = sampler_run(c, t, &info);

		if (ret == -ENODATA)
			break;
		if (ret < 0) {
			ck_assert_msg(collector_error(c)[0] != '\0', "error without a message");
			snprintf(err, 256, "%s", collector_error(c));
			break;
		}
		if (info.complete && samples < 4)
			totals[samples++] = table_total(t);
	}
	table_delete(t);
	collector_close(c);
	return samples;
}

START_TEST(test_intact_file_has_two_whole_samples)
{
	uint64_t totals[4] = { 0 };
	char err[256] = "";

	ck_assert_int_eq(replay(orig, orig_len, totals, err), 2);
	ck_assert_uint_eq(totals[0], 33);
	ck_assert_uint_eq(totals[1], 33);
}
END_TEST

START_TEST(test_cut_at_every_offset)
{
	size_t first_sample_end = 0;

	for (size_t cut = 0; cut < orig_len; cut++) {
		uint64_t totals[4] = { 0 };
		char err[256] = "";
		int n = replay(orig, cut, totals, err);

		/* Never a second whole sample from a file cut short, and every
		 * whole sample has all 33 sockets. */
		ck_assert_msg(n <= 1, "cut at %zu: %d whole samples", cut, n);
		for (int i = 0; i < n; i++)
			ck_assert_msg(totals[i] == 33, "cut at %zu: sample of %llu sockets",
				      cut, (unsigned long long)totals[i]);
		if (n == 1 && !first_sample_end)
			first_sample_end = cut;
		/* Once the first sample is whole, it stays whole. */
		if (first_sample_end)
			ck_assert_msg(n == 1, "cut at %zu lost the first sample", cut);
	}
	ck_assert_uint_gt(first_sample_end, 0);
}
END_TEST

START_TEST(test_every_byte_flipped)
{
	unsigned char *copy = malloc(orig_len);
	unsigned changed = 0;

	for (size_t i = 0; i < orig_len; i++) {
		uint64_t totals[4] = { 0 };
		char err[256] = "";
		int n;

		memcpy(copy, orig, orig_len);
		copy[i] ^= 0xff;
		n = replay(copy, orig_len, totals, err);
		ck_assert_int_le(n, 2);
		/* A flipped address or queue byte legitimately leaves the
		 * counts alone; a flipped port or state byte moves a socket
		 * between rows but never invents or loses one silently, so
		 * whole samples keep at most the sockets there were, plus the
		 * one message a flip may turn into an extra-looking one. */
		for (int k = 0; k < n; k++)
			ck_assert_msg(totals[k] <= 33, "flip at %zu: %llu sockets",
				      i, (unsigned long long)totals[k]);
		changed += n < 2 || totals[0] != 33 || totals[1] != 33;
	}
	/* Damage is noticed: many flips must end in an error or a change. */
	ck_assert_uint_gt(changed, 100);
	free(copy);
}
END_TEST

/* The last message of a datagram need not end on a 4-byte boundary; the
 * framing check must not step past the datagram's end (found by review:
 * it read 3 bytes beyond a 17-byte block). */
START_TEST(test_unaligned_last_message)
{
	unsigned char file[16 + 8 + 16 + 8 + 8 + 8 + 17];
	uint32_t hdr[2];
	int64_t when[2] = { 1700000000, 0 };
	uint8_t dump[8] = { 10, 6, 0, 0, 0xfe, 0x0f, 0, 0 };
	uint32_t msg[5] = { 17, 0, 0, 0, 0 };
	size_t o = 0;
	uint64_t totals[4] = { 0 };
	char err[256] = "";

	memcpy(file, "PORTSTAT", 8);
	hdr[0] = 1, hdr[1] = 0;
	memcpy(file + 8, hdr, 8);
	o = 16;
	hdr[0] = 1, hdr[1] = 16;		/* SAMPLE */
	memcpy(file + o, hdr, 8), o += 8;
	memcpy(file + o, when, 16), o += 16;
	hdr[0] = 2, hdr[1] = 8;			/* DUMP: IPv6, all states */
	memcpy(file + o, hdr, 8), o += 8;
	memcpy(file + o, dump, 8), o += 8;
	hdr[0] = 3, hdr[1] = 17;		/* DATA: one 17-byte message */
	memcpy(file + o, hdr, 8), o += 8;
	memcpy(file + o, msg, 17), o += 17;
	ck_assert_uint_eq(o, sizeof(file));
	ck_assert_int_eq(replay(file, sizeof(file), totals, err), 0);
	ck_assert_msg(err[0] != '\0', "no error for a damaged datagram");
}
END_TEST

/* ---- leaks ---- */

static unsigned char *lrec;
static size_t lrec_len;
static FILE *sink;
/* leaks.rec's three samples, a second apart from lrec_sec: CLOSE_WAIT
 * and FIN_WAIT2 sockets. */
static const uint64_t lrec_sockets[3] = { 14, 18, 24 };
static const time_t lrec_sec = 1796016813;

static void load_leaks(void)
{
	FILE *f = fopen(FIXTURES_DIR "/leaks.rec", "rb");

	ck_assert_ptr_nonnull(f);
	lrec = malloc(1 << 16);
	lrec_len = fread(lrec, 1, 1 << 16, f);
	fclose(f);
	ck_assert_uint_gt(lrec_len, 10000);
	ck_assert_uint_lt(lrec_len, 1 << 16);
	sink = fopen("/dev/null", "w");
	ck_assert_ptr_nonnull(sink);
}

static void unload_leaks(void)
{
	fclose(sink);
	free(lrec);
}

/* What the model promises of any input; false and why in @why. */
static bool leaks_sane(const struct leaks *l, char *why, size_t len)
{
	uint64_t sockets = 0;

	for (size_t i = 0; i < leaks_ngroups(l); i++) {
		const struct leaks_group *g = leaks_group(l, i);
		uint64_t procs = 0;

		if (i && leaks_group(l, i - 1)->count < g->count)
			return snprintf(why, len, "group %zu out of order", i), false;
		if (!g->ntop || g->ntop > g->npeers || g->npeers > g->count)
			return snprintf(why, len, "group %zu: %u top of %zu peers, %llu sockets", i,
					g->ntop, g->npeers, (unsigned long long)g->count), false;
		for (size_t k = 0; k < g->nprocs; k++)
			procs += g->procs[k].count;
		if (procs != g->count)
			return snprintf(why, len, "group %zu: owners hold %llu of %llu", i,
					(unsigned long long)procs, (unsigned long long)g->count), false;
		sockets += g->count;
	}
	if (sockets != leaks_summary(l)->sockets)
		return snprintf(why, len, "groups hold %llu of %llu sockets", (unsigned long long)sockets,
				(unsigned long long)leaks_summary(l)->sockets), false;
	return true;
}

/*
 * Replay @data through leaks, rendering every sample; return the number
 * of complete samples (their socket counts in sockets[]), or -1 for an
 * error before any.  An error must be one line naming the file.  @at[k]
 * is which of the recording's samples the k-th was, by its time (-1: a
 * time it never had).
 */
static int replay_leaks(const unsigned char *data, size_t len, uint64_t sockets[4], int at[4])
{
	struct leaks_opts lo = {
		.filter = { .states = TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT) |
				      TCP_STATE_BIT(TCP_STATE_FIN_WAIT2),
			    .ipv4 = true, .ipv6 = true },
		.track = true,
	};
	struct view_opts vo = { .header = true, .stamp = true, .first = true };
	struct leaks_thresholds th = { .has_warn = true, .warn = 3, .has_crit_age = true,
				       .crit_age = 1 };
	struct collector *c = NULL;
	struct leaks *l = NULL;
	char fpath[64], err[256], why[128], want[96];
	int fd = memfd_create("leaks.rec", MFD_CLOEXEC), samples = 0;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	snprintf(fpath, sizeof(fpath), "/proc/self/fd/%d", fd);
	snprintf(want, sizeof(want), "replay file '%s': ", fpath);
	if (collector_open_replay(&c, fpath, err, sizeof(err)) < 0) {
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "open: \"%s\"", err);
		close(fd);
		return -1;
	}
	ck_assert_int_eq(leaks_new(&l, &lo), 0);
	for (int i = 0; i < 8; i++) {	/* the file has 3 samples: bounded */
		struct sampler_info info;
		struct view_leaks vl;
		int ret = leaks_sample(l, c, &info);

		if (ret == -ENODATA)
			break;
		if (ret < 0) {
			const char *e = collector_error(c);

			ck_assert_msg(strncmp(e, want, strlen(want)) == 0 && !strchr(e, '\n'),
				      "error \"%s\" does not name the file", e);
			break;
		}
		ck_assert_msg(leaks_sane(l, why, sizeof(why)), "sample %d: %s", i, why);
		vl = (struct view_leaks){ .leaks = l, .time = info.time, .tracking = true,
					  .complete = info.complete,
					  .note = info.complete ? NULL : info.note };
		vl.status = leaks_evaluate(l, &th, &vl.worst);
		ck_assert_int_eq(view_leaks_text(sink, &vl, &vo), 0);
		ck_assert_int_eq(view_leaks_json(sink, &vl, &vo), 0);
		ck_assert_int_eq(view_leaks_csv(sink, &vl, &vo), 0);
		if (info.complete && samples < 4) {
			at[samples] = info.time.tv_sec >= lrec_sec && info.time.tv_sec < lrec_sec + 3 ?
				      (int)(info.time.tv_sec - lrec_sec) : -1;
			sockets[samples++] = leaks_summary(l)->sockets;
		}
	}
	leaks_delete(l);
	collector_close(c);
	close(fd);
	return samples;
}

START_TEST(test_leaks_intact)
{
	uint64_t sockets[4] = { 0 };
	int at[4];

	ck_assert_int_eq(replay_leaks(lrec, lrec_len, sockets, at), 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(at[i], i);
		ck_assert_uint_eq(sockets[i], lrec_sockets[i]);
	}
}
END_TEST

/* Cut anywhere: whole samples are the recorded ones, in order. */
START_TEST(test_leaks_cut)
{
	int most = 0;

	for (size_t cut = 0; cut < lrec_len; cut++) {
		uint64_t sockets[4] = { 0 };
		int at[4], n = replay_leaks(lrec, cut, sockets, at);

		n = n < 0 ? 0 : n;
		ck_assert_msg(n <= 2, "cut at %zu: %d whole samples", cut, n);
		ck_assert_msg(n >= most, "cut at %zu lost a sample", cut);
		for (int i = 0; i < n; i++)
			ck_assert_msg(at[i] == i && sockets[i] == lrec_sockets[i],
				      "cut at %zu: sample %d (recorded %d) of %llu sockets", cut, i, at[i],
				      (unsigned long long)sockets[i]);
		most = n > most ? n : most;
	}
	ck_assert_int_eq(most, 2);
}
END_TEST

/* Any byte flipped: a clear error or sane samples.  A flipped state can
 * make one listener or other socket a reported one: at most one more. */
START_TEST(test_leaks_flipped)
{
	unsigned char *copy = malloc(lrec_len);
	unsigned changed = 0;

	for (size_t i = 0; i < lrec_len; i++) {
		uint64_t sockets[4] = { 0 };
		int at[4], n;

		memcpy(copy, lrec, lrec_len);
		copy[i] ^= 0xff;
		n = replay_leaks(copy, lrec_len, sockets, at);
		ck_assert_int_le(n, 3);
		for (int k = 0; k < n; k++)
			ck_assert_msg(at[k] < 0 || sockets[k] <= lrec_sockets[at[k]] + 1,
				      "flip at %zu: recorded sample %d with %llu sockets", i, at[k],
				      (unsigned long long)sockets[k]);
		changed += n < 3 || sockets[0] != 14 || sockets[1] != 18 || sockets[2] != 24;
	}
	ck_assert_uint_gt(changed, 100);
	free(copy);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("damaged");
	TCase *tc = tcase_create("recording");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, load, unload);
	tcase_add_test(tc, test_intact_file_has_two_whole_samples);
	tcase_add_test(tc, test_cut_at_every_offset);
	tcase_add_test(tc, test_every_byte_flipped);
	tcase_add_test(tc, test_unaligned_last_message);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	tc = tcase_create("leaks");
	tcase_add_unchecked_fixture(tc, load_leaks, unload_leaks);
	tcase_add_test(tc, test_leaks_intact);
	tcase_add_test(tc, test_leaks_cut);
	tcase_add_test(tc, test_leaks_flipped);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
