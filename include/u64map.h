/* SPDX-License-Identifier: MIT */
/*
 * u64map: a hash map from 64-bit keys to 64-bit values (open addressing,
 * linear probing, power-of-two size, at most half full).  For per-sample
 * indexes that must cost one probe per socket: cookies, group keys.
 */
#ifndef PORTSTAT_U64MAP_H
#define PORTSTAT_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map;

/* u64map_new - an empty map with room for @hint keys before it grows.
 * NULL when out of memory. */
struct u64map *u64map_new(size_t hint);

/* u64map_delete - free; accepts NULL. */
void u64map_delete(struct u64map *m);

/* u64map_clear - forget every key, keep the memory. */
void u64map_clear(struct u64map *m);

/* u64map_get - whether @key is in the map; its value into *val (may be NULL). */
bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);

/*
 * u64map_slot - the value of @key, inserted as 0 (*created true) when new.
 * The pointer is valid until the next insertion.  NULL when out of memory.
 */
uint64_t *u64map_slot(struct u64map *m, uint64_t key, bool *created);

size_t u64map_size(const struct u64map *m);

/*
 * u64map_next - iterate: start with *pos = 0; returns false at the end.
 * Order is the table's, not insertion order.
 */
bool u64map_next(const struct u64map *m, size_t *pos, uint64_t *key, uint64_t *val);

#endif
