#include "core/idmap.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(uint64_t key, size_t cap)
{
    /* splitmix64 finaliser: ids are often sequential or pointer-like. */
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ULL;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebULL;
    key ^= key >> 31;
    return (size_t)key & (cap - 1);
}

void reelay_idmap_init(reelay_idmap *map)
{
    memset(map, 0, sizeof *map);
}

void reelay_idmap_free(reelay_idmap *map)
{
    free(map->keys);
    free(map->values);
    free(map->used);
    reelay_idmap_init(map);
}

void reelay_idmap_clear(reelay_idmap *map)
{
    if (map->used) memset(map->used, 0, map->cap);
    map->count = 0;
}

static int grow(reelay_idmap *map)
{
    size_t cap = map->cap ? map->cap * 2 : 64;
    reelay_idmap bigger = {
        .keys = malloc(cap * sizeof *bigger.keys),
        .values = malloc(cap * sizeof *bigger.values),
        .used = calloc(cap, 1),
        .cap = cap,
    };
    if (!bigger.keys || !bigger.values || !bigger.used) {
        reelay_idmap_free(&bigger);
        return -1;
    }
    for (size_t i = 0; i < map->cap; i++)
        if (map->used[i]) reelay_idmap_put(&bigger, (int64_t)map->keys[i], map->values[i]);
    reelay_idmap_free(map);
    *map = bigger;
    return 0;
}

int reelay_idmap_put(reelay_idmap *map, int64_t key, uint32_t value)
{
    if ((map->count + 1) * 4 > map->cap * 3 && grow(map) != 0) return -1;
    size_t i = slot_of((uint64_t)key, map->cap);
    while (map->used[i] && map->keys[i] != (uint64_t)key) i = (i + 1) & (map->cap - 1);
    if (!map->used[i]) {
        map->used[i] = 1;
        map->keys[i] = (uint64_t)key;
        map->count++;
    }
    map->values[i] = value;
    return 0;
}

bool reelay_idmap_get(const reelay_idmap *map, int64_t key, uint32_t *value)
{
    if (map->count == 0) return false;
    size_t i = slot_of((uint64_t)key, map->cap);
    while (map->used[i]) {
        if (map->keys[i] == (uint64_t)key) {
            if (value) *value = map->values[i];
            return true;
        }
        i = (i + 1) & (map->cap - 1);
    }
    return false;
}

bool reelay_idmap_remove(reelay_idmap *map, int64_t key)
{
    if (map->count == 0) return false;
    size_t i = slot_of((uint64_t)key, map->cap);
    while (map->used[i] && map->keys[i] != (uint64_t)key) i = (i + 1) & (map->cap - 1);
    if (!map->used[i]) return false;
    map->used[i] = 0;
    map->count--;
    /* Backward-shift deletion keeps probe chains intact without tombstones. */
    size_t hole = i;
    for (size_t j = (i + 1) & (map->cap - 1); map->used[j]; j = (j + 1) & (map->cap - 1)) {
        size_t home = slot_of(map->keys[j], map->cap);
        bool movable = (hole <= j) ? (home <= hole || home > j) : (home <= hole && home > j);
        if (movable) {
            map->keys[hole] = map->keys[j];
            map->values[hole] = map->values[j];
            map->used[hole] = 1;
            map->used[j] = 0;
            hole = j;
        }
    }
    return true;
}

uint64_t reelay_text_hash(const char *text)
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return h;
}
