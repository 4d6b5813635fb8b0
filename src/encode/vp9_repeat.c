#include "encode/vp9_repeat.h"

#include <stdbool.h>

/* Uncompressed-header fields are big-endian bit strings (VP9 spec §6.2). */
typedef struct bits {
    const uint8_t *data;
    size_t size, pos; /* pos in bits */
} bits;

static bool read_bits(bits *b, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++, b->pos++) {
        if (b->pos / 8 >= b->size) return false;
        v = (v << 1) | ((b->data[b->pos / 8] >> (7 - b->pos % 8)) & 1u);
    }
    *out = v;
    return true;
}

/* A superframe ends with an index whose first and last bytes are the same
 * marker 0b110xxxxx (spec Annex B). */
static bool is_superframe(const uint8_t *data, size_t size)
{
    uint8_t marker = data[size - 1];
    if ((marker & 0xe0) != 0xc0) return false;
    size_t frames = (size_t)(marker & 0x7) + 1, bytes_per_size = (size_t)((marker >> 3) & 0x3) + 1;
    size_t index_size = 2 + bytes_per_size * frames;
    return size >= index_size && data[size - index_size] == marker;
}

int reelay_vp9_shown_slot(const uint8_t *data, size_t size)
{
    if (!data || size == 0 || is_superframe(data, size)) return -1;
    bits b = {data, size, 0};
    unsigned marker, low, high, reserved, show_existing, frame_type, show_frame, error_resilient;
    if (!read_bits(&b, 2, &marker) || marker != 2) return -1;
    if (!read_bits(&b, 1, &low) || !read_bits(&b, 1, &high)) return -1;
    if (low == 1 && high == 1 && (!read_bits(&b, 1, &reserved) || reserved != 0)) return -1;
    if (!read_bits(&b, 1, &show_existing) || show_existing) return -1;
    if (!read_bits(&b, 1, &frame_type) || !read_bits(&b, 1, &show_frame) || !read_bits(&b, 1, &error_resilient))
        return -1;
    if (!show_frame) return -1;
    unsigned refresh;
    if (frame_type == 0) {
        refresh = 0xff; /* a key frame refreshes every slot */
    } else {
        /* A shown inter frame has no intra_only bit. */
        unsigned reset_context;
        if (!error_resilient && !read_bits(&b, 2, &reset_context)) return -1;
        if (!read_bits(&b, 8, &refresh)) return -1;
    }
    for (int slot = 0; slot < 8; slot++)
        if (refresh & (1u << slot)) return slot;
    return -1;
}

uint8_t reelay_vp9_show_existing(int slot)
{
    /* frame_marker 10, profile 0 (two 0 bits), show_existing_frame 1, then
     * frame_to_show_map_idx in the low three bits. */
    return (uint8_t)(0x88 | (slot & 7));
}
