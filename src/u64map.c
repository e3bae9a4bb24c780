/* SPDX-License-Identifier: MIT */
/*
 * u64map: open addressing with a separate occupancy bitmap, so every key
 * (0 and ~0 included) is a valid key.
 */
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

struct u64map {
	uint64_t *keys;
	uint64_t *vals;
	uint8_t *used;
	size_t mask;		/* slots - 1 */
	size_t n;
};

static uint64_t mix(uint64_t k)
{
	/* splitmix64's finaliser: cookies and packed keys are sequential. */
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ull;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebull;
	return k ^ (k >> 31);
}

static int alloc_slots(struct u64map *m, size_t slots)
{
	m->keys = malloc(slots * sizeof(*m->keys));
	m->vals = malloc(slots * sizeof(*m->vals));
	m->used = calloc(slots, 1);
	if (!m->keys || !m->vals || !m->used) {
		free(m->keys);
		free(m->vals);
		free(m->used);
		return -1;
	}
	m->mask = slots - 1;
	m->n = 0;
	return 0;
}

struct u64map *u64map_new(size_t hint)
{
	struct u64map *m = calloc(1, sizeof(*m));
	size_t slots = 16;

	if (!m)
		return NULL;
	while (slots < 2 * hint)
		slots *= 2;
	if (alloc_slots(m, slots) < 0) {
		free(m);
		return NULL;
	}
	return m;
}

void u64map_delete(struct u64map *m)
{
	if (!m)
		return;
	free(m->keys);
	free(m->vals);
	free(m->used);
	free(m);
}

void u64map_clear(struct u64map *m)
{
	memset(m->used, 0, m->mask + 1);
	m->n = 0;
}

static size_t probe(const struct u64map *m, uint64_t key)
{
	size_t i = (size_t)mix(key) & m->mask;

	while (m->used[i] && m->keys[i] != key)
		i = (i + 1) & m->mask;
	return i;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	size_t i = probe(m, key);

	if (!m->used[i])
		return false;
	if (val)
		*val = m->vals[i];
	return true;
}

static int grow(struct u64map *m)
{
	struct u64map old = *m;

	if (alloc_slots(m, 2 * (old.mask + 1)) < 0) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i <= old.mask; i++) {
		if (old.used[i]) {
			size_t j = probe(m, old.keys[i]);

			m->used[j] = 1;
			m->keys[j] = old.keys[i];
			m->vals[j] = old.vals[i];
			m->n++;
		}
	}
	free(old.keys);
	free(old.vals);
	free(old.used);
	return 0;
}

uint64_t *u64map_slot(struct u64map *m, uint64_t key, bool *created)
{
	size_t i = probe(m, key);

	if (m->used[i]) {
		if (created)
			*created = false;
		return &m->vals[i];
	}
	if (2 * (m->n + 1) > m->mask + 1) {
		if (grow(m) < 0)
			return NULL;
		i = probe(m, key);
	}
	m->used[i] = 1;
	m->keys[i] = key;
	m->vals[i] = 0;
	m->n++;
	if (created)
		*created = true;
	return &m->vals[i];
}

size_t u64map_size(const struct u64map *m)
{
	return m->n;
}

bool u64map_next(const struct u64map *m, size_t *pos, uint64_t *key, uint64_t *val)
{
	for (size_t i = *pos; i <= m->mask; i++) {
		if (m->used[i]) {
			*key = m->keys[i];
			*val = m->vals[i];
			*pos = i + 1;
			return true;
		}
	}
	*pos = m->mask + 1;
	return false;
}
