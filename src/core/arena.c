#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct reelay_arena_block {
    reelay_arena_block *next;
    size_t used;
    size_t capacity;
    alignas(max_align_t) unsigned char data[];
};

enum { ARENA_BLOCK_MIN = 64 * 1024 };

void reelay_arena_init(reelay_arena *arena)
{
    arena->head = NULL;
    arena->total_bytes = 0;
}

void reelay_arena_free(reelay_arena *arena)
{
    reelay_arena_block *block = arena->head;
    while (block) {
        reelay_arena_block *next = block->next;
        free(block);
        block = next;
    }
    arena->head = NULL;
    arena->total_bytes = 0;
}

void *reelay_arena_alloc(reelay_arena *arena, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size > SIZE_MAX - align) return NULL;
    size_t rounded = (size + align - 1) & ~(align - 1);
    if (rounded == 0) rounded = align;

    reelay_arena_block *block = arena->head;
    if (!block || block->capacity - block->used < rounded) {
        size_t capacity = rounded > ARENA_BLOCK_MIN ? rounded : ARENA_BLOCK_MIN;
        if (capacity > SIZE_MAX - sizeof *block) return NULL;
        reelay_arena_block *fresh = malloc(sizeof *fresh + capacity);
        if (!fresh) return NULL;
        fresh->used = 0;
        fresh->capacity = capacity;
        /* A big one-off allocation goes behind the current block so the
         * current block's free space stays usable for small ones. */
        if (block && rounded > ARENA_BLOCK_MIN) {
            fresh->next = block->next;
            block->next = fresh;
        } else {
            fresh->next = block;
            arena->head = fresh;
        }
        arena->total_bytes += sizeof *fresh + capacity;
        block = fresh;
    }
    void *p = block->data + block->used;
    block->used += rounded;
    memset(p, 0, rounded);
    return p;
}

void *reelay_arena_array(reelay_arena *arena, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) return NULL;
    return reelay_arena_alloc(arena, count * size);
}

char *reelay_arena_strndup(reelay_arena *arena, const char *s, size_t len)
{
    if (len == SIZE_MAX) return NULL;
    char *copy = reelay_arena_alloc(arena, len + 1);
    if (!copy) return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *reelay_arena_strdup(reelay_arena *arena, const char *s)
{
    return reelay_arena_strndup(arena, s, strlen(s));
}
