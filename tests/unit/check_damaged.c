/*
 * check_damaged: the real recording (tests/fixtures/sample.rec) damaged
 * every way a disk or a transfer can damage it: cut at every byte offset,
 * and every byte flipped in turn.  Each replay must end in a clear error
 * or in tables; a table may be shown only if the sample's bytes survived,
 * so a cut file never yields a whole sample it did not contain.  Runs under
 * ASan in CI, where a crash or an over-read fails the test.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector.h"
#include "sampler.h"
#include "table.h"

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
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
