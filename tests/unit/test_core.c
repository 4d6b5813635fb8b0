/* Unit tests for src/core: error values, arena, buffers, gzip, id map. */
#include "test_support.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/gzip.h"
#include "core/idmap.h"
#include "core/random.h"

static void test_error_set_and_prefix(void **state)
{
    (void)state;
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(err.code, REELAY_OK);
    assert_int_equal(reelay_err_set(&err, REELAY_E_INPUT, "line %d: bad", 7), REELAY_E_INPUT);
    reelay_err_prefix(&err, "%s", "file.json");
    assert_string_equal(err.msg, "file.json: line 7: bad");
    assert_int_equal(reelay_err_set(NULL, REELAY_E_IO, "ignored"), REELAY_E_IO);
}

static void test_error_prefix_truncates_safely(void **state)
{
    (void)state;
    reelay_err err;
    char long_text[2000];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    reelay_err_set(&err, REELAY_E_INPUT, "%s", long_text);
    reelay_err_prefix(&err, "%s", "name");
    assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
    assert_memory_equal(err.msg, "name: xxx", 9);
}

static void test_arena_alignment_zeroing_and_large_blocks(void **state)
{
    (void)state;
    reelay_arena arena;
    reelay_arena_init(&arena);
    for (int i = 1; i < 2000; i++) {
        unsigned char *p = reelay_arena_alloc(&arena, (size_t)i % 97 + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (int j = 0; j < i % 97 + 1; j++) assert_int_equal(p[j], 0);
        memset(p, 0xAB, (size_t)i % 97 + 1);
    }
    char *big = reelay_arena_alloc(&arena, 1 << 20);
    assert_non_null(big);
    memset(big, 1, 1 << 20);
    char *small_after = reelay_arena_strdup(&arena, "still works");
    assert_string_equal(small_after, "still works");
    assert_null(reelay_arena_array(&arena, SIZE_MAX / 2, 4));
    assert_true(arena.total_bytes >= (1 << 20));
    reelay_arena_free(&arena);
    assert_int_equal(arena.total_bytes, 0);
}

static void test_buf_append_and_printf(void **state)
{
    (void)state;
    reelay_buf buf;
    reelay_buf_init(&buf);
    for (int i = 0; i < 1000; i++) assert_int_equal(reelay_buf_printf(&buf, "%d,", i), 0);
    assert_int_equal(buf.data[buf.len], '\0');
    assert_memory_equal(buf.data, "0,1,2,", 6);
    assert_int_equal(reelay_buf_append_str(&buf, "end"), 0);
    assert_string_equal((char *)buf.data + buf.len - 3, "end");
    reelay_buf_free(&buf);
    assert_null(buf.data);
}

static void test_read_file_limits_and_errors(void **state)
{
    (void)state;
    reelay_buf buf;
    reelay_err err;
    assert_int_equal(reelay_read_file("fixtures/bad/empty-array.json", 1 << 20, &buf, &err), REELAY_OK);
    assert_int_equal(buf.len, 3);
    reelay_buf_free(&buf);
    assert_int_equal(reelay_read_file("fixtures/bad/empty-array.json", 2, &buf, &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "larger than the limit"));
    assert_int_equal(reelay_read_file("fixtures/does-not-exist.json", 100, &buf, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "fixtures/does-not-exist.json: cannot open"));
}

/* gzip-compresses with zlib itself, so the test does not trust our decoder. */
static size_t gzip_bytes(const void *in, size_t len, unsigned char *out, size_t cap)
{
    z_stream zs = {0};
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)in;
    zs.avail_in = (unsigned)len;
    zs.next_out = out;
    zs.avail_out = (unsigned)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = cap - zs.avail_out;
    deflateEnd(&zs);
    return n;
}

/* reelay_gzip: what it writes reads back, and the same bytes always give
 * the same member (no name, no time in the header). */
static void test_gzip_deterministic_roundtrip(void **state)
{
    (void)state;
    unsigned char text[70000];
    for (size_t i = 0; i < sizeof text; i++) text[i] = (unsigned char)(i * 7919 % 251);
    reelay_buf a, b, back;
    reelay_err err;
    reelay_buf_init(&a);
    reelay_buf_init(&b);
    reelay_buf_init(&back);
    assert_int_equal(reelay_gzip(text, sizeof text, &a, &err), REELAY_OK);
    assert_int_equal(reelay_gzip(text, sizeof text, &b, &err), REELAY_OK);
    assert_true(reelay_is_gzip(a.data, a.len));
    assert_int_equal(a.data[3], 0);                               /* FLG: no name, no comment */
    assert_memory_equal(a.data + 4, "\0\0\0\0", 4);              /* MTIME */
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(reelay_gunzip(a.data, a.len, sizeof text, &back, &err), REELAY_OK);
    assert_int_equal(back.len, sizeof text);
    assert_memory_equal(back.data, text, sizeof text);
    reelay_buf_free(&back);
    reelay_buf_free(&a);
    /* nothing in, a valid empty member out */
    assert_int_equal(reelay_gzip(text, 0, &a, &err), REELAY_OK);
    assert_int_equal(reelay_gunzip(a.data, a.len, 10, &back, &err), REELAY_OK);
    assert_int_equal(back.len, 0);
    reelay_buf_free(&a);
    reelay_buf_free(&b);
    reelay_buf_free(&back);
}

static void test_gunzip_roundtrip_members_and_errors(void **state)
{
    (void)state;
    char text[5000];
    for (size_t i = 0; i < sizeof text; i++) text[i] = (char)('a' + i % 26);
    unsigned char packed[12000];
    size_t n1 = gzip_bytes(text, sizeof text, packed, sizeof packed);
    size_t n2 = gzip_bytes("tail", 4, packed + n1, sizeof packed - n1);
    assert_true(reelay_is_gzip(packed, n1));
    assert_false(reelay_is_gzip((const unsigned char *)"{}", 2));

    reelay_buf out;
    reelay_err err;
    reelay_buf_init(&out);
    assert_int_equal(reelay_gunzip(packed, n1 + n2, 1 << 20, &out, &err), REELAY_OK);
    assert_int_equal(out.len, sizeof text + 4);
    assert_memory_equal(out.data, text, sizeof text);
    assert_memory_equal(out.data + sizeof text, "tail", 4);
    reelay_buf_free(&out);

    assert_int_equal(reelay_gunzip(packed, n1, 100, &out, &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "beyond the limit"));
    reelay_buf_free(&out);

    assert_int_equal(reelay_gunzip(packed, n1 / 2, 1 << 20, &out, &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "truncated"));
    reelay_buf_free(&out);

    unsigned char garbage[64];
    memcpy(garbage, packed, 10);
    memset(garbage + 10, 0xFF, sizeof garbage - 10);
    assert_int_equal(reelay_gunzip(garbage, sizeof garbage, 1 << 20, &out, &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "corrupt gzip"));
    reelay_buf_free(&out);

    unsigned char with_junk[12000];
    memcpy(with_junk, packed, n1);
    memcpy(with_junk + n1, "junk", 4);
    assert_int_equal(reelay_gunzip(with_junk, n1 + 4, 1 << 20, &out, &err), REELAY_E_INPUT);
    assert_non_null(strstr(err.msg, "trailing garbage"));
    reelay_buf_free(&out);
}

static void test_idmap_put_get_remove(void **state)
{
    (void)state;
    reelay_idmap map;
    reelay_idmap_init(&map);
    assert_false(reelay_idmap_get(&map, 1, NULL));
    const int n = 20000;
    for (int i = 0; i < n; i++) assert_int_equal(reelay_idmap_put(&map, (int64_t)i * 4324378400LL, (uint32_t)i), 0);
    assert_int_equal(map.count, (size_t)n);
    for (int i = 0; i < n; i += 2) assert_true(reelay_idmap_remove(&map, (int64_t)i * 4324378400LL));
    assert_false(reelay_idmap_remove(&map, -7));
    for (int i = 0; i < n; i++) {
        uint32_t value = 0;
        bool found = reelay_idmap_get(&map, (int64_t)i * 4324378400LL, &value);
        assert_int_equal(found, i % 2 == 1);
        if (found) assert_int_equal(value, (uint32_t)i);
    }
    assert_int_equal(reelay_idmap_put(&map, 3 * 4324378400LL, 99), 0);
    uint32_t value;
    assert_true(reelay_idmap_get(&map, 3 * 4324378400LL, &value));
    assert_int_equal(value, 99);
    reelay_idmap_clear(&map);
    assert_false(reelay_idmap_get(&map, 3 * 4324378400LL, NULL));
    reelay_idmap_free(&map);
}

static void test_random_hex_and_text_hash(void **state)
{
    (void)state;
    char a[17], b[17];
    reelay_err err;
    assert_int_equal(reelay_random_hex(a, 16, &err), REELAY_OK);
    assert_int_equal(reelay_random_hex(b, 16, &err), REELAY_OK);
    assert_int_equal(strlen(a), 16);
    assert_int_equal(strspn(a, "0123456789abcdef"), 16);
    assert_string_not_equal(a, b);
    char odd[4];
    assert_int_equal(reelay_random_hex(odd, 3, &err), REELAY_OK);
    assert_int_equal(strlen(odd), 3);
    /* FNV-1a 64's published values. */
    assert_true(reelay_text_hash("") == 0xcbf29ce484222325ull);
    assert_true(reelay_text_hash("a") == 0xaf63dc4c8601ec8cull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_set_and_prefix),
        cmocka_unit_test(test_error_prefix_truncates_safely),
        cmocka_unit_test(test_arena_alignment_zeroing_and_large_blocks),
        cmocka_unit_test(test_buf_append_and_printf),
        cmocka_unit_test(test_read_file_limits_and_errors),
        cmocka_unit_test(test_gunzip_roundtrip_members_and_errors),
        cmocka_unit_test(test_gzip_deterministic_roundtrip),
        cmocka_unit_test(test_idmap_put_get_remove),
        cmocka_unit_test(test_random_hex_and_text_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
