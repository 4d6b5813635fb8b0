/* Unit tests for src/core/base64: RFC 4648 vectors, optional padding, skipped
 * white space, error offsets and the output bound. */
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/buf.h"

/* Decodes text (NUL-terminated) into a fresh buffer; returns the code. */
static int decode(const char *text, size_t max_out, reelay_buf *out, reelay_err *err)
{
    reelay_buf_init(out);
    reelay_err_clear(err);
    return reelay_base64_decode(text, strlen(text), max_out, out, err);
}

static void expect_decodes(const char *text, const char *expected)
{
    reelay_buf out;
    reelay_err err;
    assert_int_equal(decode(text, 1 << 20, &out, &err), REELAY_OK);
    assert_int_equal(err.code, REELAY_OK);
    assert_int_equal(out.len, strlen(expected));
    assert_memory_equal(out.data, expected, out.len);
    assert_int_equal(out.data[out.len], '\0');
    reelay_buf_free(&out);
}

static void expect_error(const char *text, size_t max_out, const char *message)
{
    reelay_buf out;
    reelay_err err;
    assert_int_equal(decode(text, max_out, &out, &err), REELAY_E_INPUT);
    assert_int_equal(err.code, REELAY_E_INPUT);
    assert_string_equal(err.msg, message);
    assert_int_equal(out.len, 0);
    reelay_buf_free(&out);
}

static void test_rfc4648_vectors_padded_and_unpadded(void **state)
{
    (void)state;
    expect_decodes("", "");
    expect_decodes("Zg==", "f");
    expect_decodes("Zm8=", "fo");
    expect_decodes("Zm9v", "foo");
    expect_decodes("Zm9vYg==", "foob");
    expect_decodes("Zm9vYmE=", "fooba");
    expect_decodes("Zm9vYmFy", "foobar");
    expect_decodes("Zg", "f");
    expect_decodes("Zm8", "fo");
    expect_decodes("Zm9vYg", "foob");
    expect_decodes("Zm9vYmE", "fooba");
    /* One '=' where two would be due: padding is optional, so partial is too. */
    expect_decodes("Zg=", "f");
}

static void test_every_byte_value(void **state)
{
    (void)state;
    static const char all[] =
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xN"
        "Tk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqb"
        "nJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp"
        "6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==";
    reelay_buf out;
    reelay_err err;
    assert_int_equal(decode(all, 256, &out, &err), REELAY_OK);
    assert_int_equal(out.len, 256);
    for (int i = 0; i < 256; i++) assert_int_equal(out.data[i], i);
    reelay_buf_free(&out);
}

static void test_white_space_is_skipped(void **state)
{
    (void)state;
    /* Android's Base64.DEFAULT wraps at 76 columns with "\n"; Windows-style
     * "\r\n", tabs and spaces are skipped the same way, padding included. */
    expect_decodes("Zm9v\nYmFy\n", "foobar");
    expect_decodes("Zm9v\r\nYmFy\r\n", "foobar");
    expect_decodes("\n Zm\t9vY g\r=\n=\n", "foob");
    expect_decodes("\r\n\r\n", "");

    /* A long line-wrapped payload: 60000 'A's are 45000 zero bytes. */
    size_t chars = 60000, len = chars + chars / 76 + 1;
    char *text = malloc(len + 1);
    assert_non_null(text);
    size_t j = 0;
    for (size_t i = 0; i < chars; i++) {
        text[j++] = 'A';
        if (i % 76 == 75) text[j++] = '\n';
    }
    text[j] = '\0';
    reelay_buf out;
    reelay_err err;
    assert_int_equal(decode(text, 45000, &out, &err), REELAY_OK);
    assert_int_equal(out.len, 45000);
    for (size_t i = 0; i < out.len; i++) assert_int_equal(out.data[i], 0);
    reelay_buf_free(&out);
    free(text);
}

static void test_bad_characters_name_their_offset(void **state)
{
    (void)state;
    expect_error("Zm9v*mFy", 100, "not base64 at offset 4");
    expect_error("Zm9v\nYm-y", 100, "not base64 at offset 7"); /* URL-safe alphabet is not accepted */
    expect_error("Zm9v\nYm_y", 100, "not base64 at offset 7");
    expect_error("data:image/png;base64,Zm9v", 100, "not base64 at offset 4");
    expect_error("Zm9v\xc3\xa9", 100, "not base64 at offset 4");

    /* An embedded NUL is a bad character, not the end of the text. */
    reelay_buf out;
    reelay_err err;
    reelay_buf_init(&out);
    assert_int_equal(reelay_base64_decode("Zm9v\0YmFy", 9, 100, &out, &err), REELAY_E_INPUT);
    assert_string_equal(err.msg, "not base64 at offset 4");
    reelay_buf_free(&out);
}

static void test_misplaced_padding_is_an_error(void **state)
{
    (void)state;
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"=", "not base64 at offset 0"},
        {"Z===", "not base64 at offset 1"},
        {"Zg===", "not base64 at offset 4"},
        {"Zm8==", "not base64 at offset 4"},
        {"Zm9v=", "not base64 at offset 4"},
        {"Zg==Zg==", "not base64 at offset 4"}, /* data after padding */
        {"Zm8=\nZm8=", "not base64 at offset 5"},
        /* One character alone carries 6 bits, not a byte: the text was cut. */
        {"Zm9vY", "base64 data cut short at offset 5"},
        {"Zm9vY\n", "base64 data cut short at offset 6"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) expect_error(cases[i].text, 100, cases[i].message);
}

static void test_output_bound(void **state)
{
    (void)state;
    reelay_buf out;
    reelay_err err;
    assert_int_equal(decode("Zm9vYmFy", 6, &out, &err), REELAY_OK);
    assert_int_equal(out.len, 6);
    reelay_buf_free(&out);
    expect_error("Zm9vYmFy", 5, "base64 data decodes to more than 5 bytes");
    /* The bound counts the unpadded tail too. */
    assert_int_equal(decode("Zm9vYg", 4, &out, &err), REELAY_OK);
    reelay_buf_free(&out);
    expect_error("Zm9vYg", 3, "base64 data decodes to more than 3 bytes");
    expect_error("Zm9vYmE=", 4, "base64 data decodes to more than 4 bytes");
    expect_error("Zg", 0, "base64 data decodes to more than 0 bytes");
}

static void test_appends_and_leaves_buffer_alone_on_failure(void **state)
{
    (void)state;
    reelay_buf out;
    reelay_err err;
    reelay_buf_init(&out);
    assert_int_equal(reelay_buf_append_str(&out, "head:"), 0);
    assert_int_equal(reelay_base64_decode("Zm9v", 4, 10, &out, &err), REELAY_OK);
    assert_string_equal((char *)out.data, "head:foo");
    /* The bound is on the decoded bytes, not on what the buffer held. */
    assert_int_equal(reelay_base64_decode("YmFy", 4, 3, &out, &err), REELAY_OK);
    assert_string_equal((char *)out.data, "head:foobar");
    assert_int_equal(reelay_base64_decode("YmF6!!!!", 8, 100, &out, &err), REELAY_E_INPUT);
    assert_int_equal(out.len, 11);
    assert_string_equal((char *)out.data, "head:foobar");
    assert_int_equal(reelay_base64_decode("YmF6YmF6", 8, 3, &out, &err), REELAY_E_INPUT);
    assert_string_equal((char *)out.data, "head:foobar");
    reelay_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors_padded_and_unpadded),
        cmocka_unit_test(test_every_byte_value),
        cmocka_unit_test(test_white_space_is_skipped),
        cmocka_unit_test(test_bad_characters_name_their_offset),
        cmocka_unit_test(test_misplaced_padding_is_an_error),
        cmocka_unit_test(test_output_bound),
        cmocka_unit_test(test_appends_and_leaves_buffer_alone_on_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
