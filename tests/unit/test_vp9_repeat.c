/* VP9 show-existing repeats: which slot a packet's shown picture lives in,
 * from hand-assembled uncompressed headers (VP9 spec §6.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "encode/vp9_repeat.h"

/* Header bytes: marker 10, profile 0, show_existing 0, then: */
static void test_key_frame_fills_every_slot(void **state)
{
    (void)state;
    /* frame_type 0 (key), show_frame 1, error_resilient 0 */
    const uint8_t key[] = {0x82, 0x49, 0x83, 0x42};
    assert_int_equal(reelay_vp9_shown_slot(key, sizeof key), 0);
}

static void test_inter_frame_refresh_flags(void **state)
{
    (void)state;
    /* 1000 0110 | 00 (reset context) then refresh 000000|01: slot 0 */
    const uint8_t slot0[] = {0x86, 0x00, 0x40, 0x92};
    assert_int_equal(reelay_vp9_shown_slot(slot0, sizeof slot0), 0);
    /* refresh 0b00000100: bits 000001 in byte 2 (after 2 reset bits), 00 in byte 3 */
    const uint8_t slot2[] = {0x86, 0x01, 0x00, 0x92};
    assert_int_equal(reelay_vp9_shown_slot(slot2, sizeof slot2), 2);
    /* error resilient: no reset bits, refresh 0b10000000 right after */
    const uint8_t resilient[] = {0x87, 0x80, 0x00};
    assert_int_equal(reelay_vp9_shown_slot(resilient, sizeof resilient), 7);
}

static void test_unknown_cases(void **state)
{
    (void)state;
    /* a shown inter frame kept in no slot */
    const uint8_t unkept[] = {0x86, 0x00, 0x00, 0x92};
    assert_int_equal(reelay_vp9_shown_slot(unkept, sizeof unkept), -1);
    /* hidden frame (show_frame 0) */
    const uint8_t hidden[] = {0x84, 0x00, 0x40};
    assert_int_equal(reelay_vp9_shown_slot(hidden, sizeof hidden), -1);
    /* a show-existing frame itself */
    const uint8_t existing[] = {0x89};
    assert_int_equal(reelay_vp9_shown_slot(existing, sizeof existing), -1);
    /* wrong frame marker */
    const uint8_t marker[] = {0x46, 0x00, 0x40};
    assert_int_equal(reelay_vp9_shown_slot(marker, sizeof marker), -1);
    /* truncated before the refresh flags */
    const uint8_t truncated[] = {0x86};
    assert_int_equal(reelay_vp9_shown_slot(truncated, sizeof truncated), -1);
    assert_int_equal(reelay_vp9_shown_slot(NULL, 0), -1);
    /* profile 3 with its reserved bit set */
    const uint8_t reserved[] = {0xb4, 0x00, 0x00};
    assert_int_equal(reelay_vp9_shown_slot(reserved, sizeof reserved), -1);
    /* a superframe: two frames, one size byte each, index c1 xx xx c1 */
    const uint8_t superframe[] = {0x86, 0x00, 0x40, 0x92, 0xc1, 0x02, 0x02, 0xc1};
    assert_int_equal(reelay_vp9_shown_slot(superframe, sizeof superframe), -1);
}

static void test_show_existing_byte(void **state)
{
    (void)state;
    assert_int_equal(reelay_vp9_show_existing(0), 0x88);
    assert_int_equal(reelay_vp9_show_existing(5), 0x8d);
    /* the byte round-trips: it is a show-existing frame, so no slot of its own */
    uint8_t b = reelay_vp9_show_existing(3);
    assert_int_equal(reelay_vp9_shown_slot(&b, 1), -1);
    assert_int_equal(b & 7, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_frame_fills_every_slot),
        cmocka_unit_test(test_inter_frame_refresh_flags),
        cmocka_unit_test(test_unknown_cases),
        cmocka_unit_test(test_show_existing_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
