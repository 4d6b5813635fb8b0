/* VP9 repeats without encoding: a frame that only shows again a picture the
 * decoder already holds.
 *
 * A VP9 frame header may say "show_existing_frame": display the picture in
 * reference slot N, decode nothing, change nothing. Such a frame is one
 * byte. When the encoder's last packet was a shown frame stored in some
 * slot, every repeat of it can be that byte instead of another full encode
 * (which costs libvpx about as much as a changed frame). Owns only the
 * header parsing and the byte; the caller decides when it applies (nothing
 * may be pending inside the encoder). */
#ifndef REELAY_ENCODE_VP9_REPEAT_H
#define REELAY_ENCODE_VP9_REPEAT_H

#include <stddef.h>
#include <stdint.h>

/* The reference slot (0..7) that holds the picture a VP9 packet shows, or
 * -1 when that is not known: a packet that is not one plain shown frame
 * (superframes, hidden or intra-only frames, show-existing frames, a
 * header that does not parse) or a shown frame stored in no slot. */
int reelay_vp9_shown_slot(const uint8_t *data, size_t size);

/* The one-byte profile-0 frame that shows slot `slot` (0..7) again. */
uint8_t reelay_vp9_show_existing(int slot);

#endif
