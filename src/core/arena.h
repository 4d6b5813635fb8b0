/* arena.h — bump allocator.
 * Owns: memory whose lifetime is one session (or one frame). Everything allocated
 * from an arena is released at once by reelay_arena_free; nothing is freed singly.
 * Allocation failure returns NULL; callers report REELAY_E_INTERNAL. */
#ifndef REELAY_CORE_ARENA_H
#define REELAY_CORE_ARENA_H

#include <stddef.h>

typedef struct reelay_arena_block reelay_arena_block;

typedef struct reelay_arena {
    reelay_arena_block *head;
    size_t total_bytes; /* bytes requested from malloc, for memory reporting */
} reelay_arena;

void reelay_arena_init(reelay_arena *arena);
void reelay_arena_free(reelay_arena *arena);

/* Zero-filled, aligned to max_align_t. */
void *reelay_arena_alloc(reelay_arena *arena, size_t size);
/* count*size with overflow check. */
void *reelay_arena_array(reelay_arena *arena, size_t count, size_t size);
char *reelay_arena_strndup(reelay_arena *arena, const char *s, size_t len);
char *reelay_arena_strdup(reelay_arena *arena, const char *s);

#endif
