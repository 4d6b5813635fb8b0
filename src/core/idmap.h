/* idmap.h — open-addressing hash map from 64-bit ids to 32-bit indexes.
 * Owns: its slot table (heap). Used to index wireframes and DOM nodes by id. */
#ifndef REELAY_CORE_IDMAP_H
#define REELAY_CORE_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct reelay_idmap {
    uint64_t *keys;
    uint32_t *values;
    unsigned char *used;
    size_t cap; /* power of two */
    size_t count;
} reelay_idmap;

void reelay_idmap_init(reelay_idmap *map);
void reelay_idmap_free(reelay_idmap *map);
void reelay_idmap_clear(reelay_idmap *map);
/* Inserts or overwrites. Returns 0, or -1 when out of memory. */
int reelay_idmap_put(reelay_idmap *map, int64_t key, uint32_t value);
bool reelay_idmap_get(const reelay_idmap *map, int64_t key, uint32_t *value);
bool reelay_idmap_remove(reelay_idmap *map, int64_t key);

/* A 64-bit FNV-1a hash of text: a key for things named by strings (job
 * ids, paths). */
uint64_t reelay_text_hash(const char *text);

#endif
