/* Unit tests for renderers/paint/image: decoding the generated quadrant
 * images (scripts/gen_test_images.sh) from data URIs and bare base64, the
 * pixel bound, refusing broken data without crashing, and the cache. */
#include "test_support.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "renderers/paint/image.h"

/* ------------------------------------------------------------- helpers */

static char *encode_base64(const unsigned char *data, size_t len, size_t wrap)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t chars = (len + 2) / 3 * 4;
    char *out = malloc(chars + (wrap ? chars / wrap * 2 : 0) + 1);
    assert_non_null(out);
    size_t j = 0, col = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len) v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < len) v |= data[i + 2];
        char quad[4] = {alphabet[v >> 18 & 63], alphabet[v >> 12 & 63], i + 1 < len ? alphabet[v >> 6 & 63] : '=',
                        i + 2 < len ? alphabet[v & 63] : '='};
        for (int k = 0; k < 4; k++) {
            out[j++] = quad[k];
            /* Android's Base64.DEFAULT style line breaks (as \r\n to test both). */
            if (wrap && ++col == wrap) {
                out[j++] = '\r';
                out[j++] = '\n';
                col = 0;
            }
        }
    }
    out[j] = '\0';
    return out;
}

/* prefix + base64(data): a data URI when prefix is "data:...;base64,", bare
 * base64 when it is "". */
static char *make_source(const char *prefix, const unsigned char *data, size_t len, size_t wrap)
{
    char *b64 = encode_base64(data, len, wrap);
    size_t n = strlen(prefix) + strlen(b64) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%s%s", prefix, b64);
    free(b64);
    return out;
}

static unsigned char *read_fixture(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "fixtures/images/%s", name);
    return (unsigned char *)ts_read_text(path, len);
}

static char *fixture_source(const char *name, const char *prefix)
{
    size_t len;
    unsigned char *data = read_fixture(name, &len);
    char *source = make_source(prefix, data, len, 0);
    free(data);
    return source;
}

/* Premultiplied ARGB, as Cairo stores it. */
typedef struct argb {
    int a, r, g, b;
} argb;

static argb pixel(cairo_surface_t *surface, int x, int y)
{
    cairo_surface_flush(surface);
    const unsigned char *row = cairo_image_surface_get_data(surface) + (size_t)y * (size_t)cairo_image_surface_get_stride(surface);
    uint32_t p;
    memcpy(&p, row + (size_t)x * 4, 4);
    return (argb){(int)(p >> 24), (int)(p >> 16 & 255), (int)(p >> 8 & 255), (int)(p & 255)};
}

/* Quadrant colours of scripts/gen_test_images.sh (TL, TR, BL, BR). The
 * semi-transparent BR green (0,128,0) at alpha 128 premultiplies to 64. */
static const argb opaque_quads[4] = {{255, 220, 20, 60}, {255, 30, 144, 255}, {255, 255, 255, 255}, {255, 0, 128, 0}};
static const argb alpha_quads[4] = {{255, 220, 20, 60}, {255, 30, 144, 255}, {255, 255, 255, 255}, {128, 0, 64, 0}};

static void expect_quadrants(cairo_surface_t *surface, const char *name, int w, int h, const argb expected[4], int tol)
{
    assert_non_null(surface);
    assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_format(surface), CAIRO_FORMAT_ARGB32);
    assert_int_equal(cairo_image_surface_get_width(surface), w);
    assert_int_equal(cairo_image_surface_get_height(surface), h);
    /* The centre of each quadrant, away from lossy edges and chroma blur. */
    const int xs[2] = {w / 4, w / 2 + (w - w / 2) / 2}, ys[2] = {h / 4, h / 2 + (h - h / 2) / 2};
    for (int q = 0; q < 4; q++) {
        argb got = pixel(surface, xs[q % 2], ys[q / 2]);
        const argb *want = &expected[q];
        int d = abs(got.a - want->a);
        if (abs(got.r - want->r) > d) d = abs(got.r - want->r);
        if (abs(got.g - want->g) > d) d = abs(got.g - want->g);
        if (abs(got.b - want->b) > d) d = abs(got.b - want->b);
        if (d > tol)
            fail_msg("%s quadrant %d: got argb(%d,%d,%d,%d), want argb(%d,%d,%d,%d) within %d", name, q, got.a, got.r,
                     got.g, got.b, want->a, want->r, want->g, want->b, tol);
    }
}

typedef struct fixture {
    const char *name;
    const char *prefix; /* data URI prefix as an SDK would send it */
    int w, h;
    const argb *quads;
    int tol;
} fixture;

/* Lossless formats are exact; libwebp's premultiplication may round the
 * half-transparent channel differently from Cairo's by one. */
static const fixture fixtures[] = {
    {"quad.png", "data:image/png;base64,", 37, 25, alpha_quads, 0},
    {"quad-rgb.png", "data:image/png;base64,", 37, 25, opaque_quads, 0},
    {"quad-16bit.png", "data:image/png;base64,", 8, 6, alpha_quads, 1},
    {"quad-lossless.webp", "data:image/webp;base64,", 37, 25, alpha_quads, 1},
    {"quad-lossy.webp", "data:image/webp;base64,", 37, 25, opaque_quads, 4},
    {"quad-lossy-alpha.webp", "data:image/webp;base64,", 37, 25, alpha_quads, 4},
    {"quad.jpg", "data:image/jpeg;base64,", 37, 25, opaque_quads, 4},
    {"quad-422.jpg", "data:image/jpeg;base64,", 37, 25, opaque_quads, 4},
    {"quad-444.jpg", "data:image/jpeg;base64,", 37, 25, opaque_quads, 4},
};
#define N_FIXTURES (sizeof fixtures / sizeof fixtures[0])

static void expect_refused(const char *source, size_t max_pixels, const char *message)
{
    reelay_err err;
    cairo_surface_t *surface = reelay_image_decode(source, max_pixels, &err);
    if (surface) {
        cairo_surface_destroy(surface);
        fail_msg("decoded what should be refused (%s)", message ? message : "any reason");
    }
    assert_int_equal(err.code, REELAY_E_INPUT);
    assert_true(err.msg[0] != '\0');
    if (message && !strstr(err.msg, message)) fail_msg("message \"%s\" lacks \"%s\"", err.msg, message);
}

/* A PNG signature and an IHDR chunk (with a valid CRC) claiming w x h, then
 * nothing: the size alone must refuse it. */
static char *png_header_source(uint32_t w, uint32_t h)
{
    unsigned char png[8 + 25 + 12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    const uint32_t fields[2] = {w, h};
    for (int f = 0; f < 2; f++)
        for (int k = 0; k < 4; k++) png[16 + f * 4 + k] = (unsigned char)(fields[f] >> (24 - 8 * k));
    png[24] = 8; /* bit depth */
    png[25] = 6; /* RGBA */
    uLong crc = crc32(0, png + 12, 17);
    for (int k = 0; k < 4; k++) png[29 + k] = (unsigned char)(crc >> (24 - 8 * k));
    /* An empty IEND, so only the size is wrong. */
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
    memcpy(png + 33, iend, sizeof iend);
    return make_source("", png, sizeof png, 0);
}

/* ---------------------------------------------------------- decoding */

static void test_fixtures_decode_to_their_quadrants(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_FIXTURES; i++) {
        const fixture *f = &fixtures[i];
        char *source = fixture_source(f->name, f->prefix);
        reelay_err err;
        cairo_surface_t *surface = reelay_image_decode(source, 0, &err);
        if (!surface) fail_msg("%s: %s", f->name, err.msg);
        assert_int_equal(err.code, REELAY_OK);
        expect_quadrants(surface, f->name, f->w, f->h, f->quads, f->tol);
        cairo_surface_destroy(surface);
        free(source);
    }
}

static void test_jpeg_pixels_are_opaque_everywhere(void **state)
{
    (void)state;
    /* Every pixel, not just quadrant centres: swscale must fill alpha. */
    char *source = fixture_source("quad.jpg", "data:image/jpeg;base64,");
    reelay_err err;
    cairo_surface_t *surface = reelay_image_decode(source, 0, &err);
    assert_non_null(surface);
    for (int y = 0; y < 25; y++)
        for (int x = 0; x < 37; x++) assert_int_equal(pixel(surface, x, y).a, 255);
    cairo_surface_destroy(surface);
    free(source);
}

static void test_bare_base64_line_breaks_and_tolerant_prefixes(void **state)
{
    (void)state;
    size_t len;
    unsigned char *png = read_fixture("quad.png", &len);
    size_t webp_len;
    unsigned char *webp = read_fixture("quad-lossless.webp", &webp_len);

    const struct {
        const char *prefix;
        const unsigned char *data;
        size_t len;
        size_t wrap;
    } cases[] = {
        {"", png, len, 0},                                       /* bare base64 means PNG */
        {"", png, len, 76},                                      /* ... and may be line-wrapped */
        {"data:image/png;base64,", png, len, 76},                /* Android's Base64.DEFAULT */
        {"  \n data:image/png;base64,", png, len, 0},            /* leading white space */
        {"DATA:IMAGE/PNG;BASE64,", png, len, 0},                 /* case */
        {"data:image/webp;charset=utf-8;base64,", webp, webp_len, 0}, /* extra parameters */
        {"data:image/webp; base64 ,", webp, webp_len, 0},
        {"", webp, webp_len, 0}, /* bare base64 of a WebP: the magic decides */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *source = make_source(cases[i].prefix, cases[i].data, cases[i].len, cases[i].wrap);
        reelay_err err;
        cairo_surface_t *surface = reelay_image_decode(source, 0, &err);
        if (!surface) fail_msg("case %zu: %s", i, err.msg);
        expect_quadrants(surface, cases[i].prefix, 37, 25, alpha_quads, 1);
        cairo_surface_destroy(surface);
        free(source);
    }
    free(png);
    free(webp);
}

static void test_mime_label_is_not_trusted(void **state)
{
    (void)state;
    const struct {
        const char *name, *lie;
        const argb *quads;
        int tol;
    } cases[] = {
        {"quad.png", "data:image/jpeg;base64,", alpha_quads, 0},
        {"quad-lossless.webp", "data:image/png;base64,", alpha_quads, 1},
        {"quad.jpg", "data:image/webp;base64,", opaque_quads, 4},
        {"quad.png", "data:application/octet-stream;base64,", alpha_quads, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *source = fixture_source(cases[i].name, cases[i].lie);
        reelay_err err;
        cairo_surface_t *surface = reelay_image_decode(source, 0, &err);
        if (!surface) fail_msg("%s as %s: %s", cases[i].name, cases[i].lie, err.msg);
        expect_quadrants(surface, cases[i].name, 37, 25, cases[i].quads, cases[i].tol);
        cairo_surface_destroy(surface);
        free(source);
    }
}

static void test_sources_that_are_not_embedded_images(void **state)
{
    (void)state;
    expect_refused("url(https://example.com/a.png)", 0, "URL");
    expect_refused("https://example.com/a.png", 0, "URL");
    expect_refused("HTTP://example.com/a.png", 0, "URL");
    expect_refused("data:image/png,not-encoded", 0, "not base64");
    expect_refused("data:image/png;base64", 0, "without a comma");
    expect_refused("data:image/png;base64,", 0, "empty image data");
    expect_refused("", 0, "empty image data");
    expect_refused("data:image/png;base64,iVBO*w0K", 0, "image data: not base64 at offset 4");
    expect_refused("R0lGODlhAQABAAAAACw=", 0, "unsupported image format");
    expect_refused("data:image/gif;base64,R0lGODlhAQABAAAAACw=", 0, "unsupported image format (labelled image/gif)");
    expect_refused("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", 0, "labelled image/svg+xml");
    reelay_err err;
    assert_null(reelay_image_decode(NULL, 0, &err));
    assert_int_equal(err.code, REELAY_E_INPUT);
    assert_null(reelay_image_decode("nonsense!", 0, NULL)); /* err is optional */
}

static void test_animated_webp_is_refused(void **state)
{
    (void)state;
    char *source = fixture_source("anim.webp", "data:image/webp;base64,");
    expect_refused(source, 0, "animated WebP");
    free(source);
}

static void test_pixel_bound(void **state)
{
    (void)state;
    /* The header alone claims 10^10 pixels: refused before Cairo allocates. */
    char *source = png_header_source(100000, 100000);
    expect_refused(source, 0, "image 100000x100000 exceeds the 16777216-pixel limit");
    free(source);
    source = png_header_source(5000, 4000);
    expect_refused(source, 0, "image 5000x4000 exceeds the 16777216-pixel limit");
    free(source);
    source = png_header_source(0, 10);
    expect_refused(source, 0, "no pixels");
    free(source);
    source = png_header_source(0x80000000u, 1);
    expect_refused(source, 0, "corrupt PNG");
    free(source);

    /* Each decoder applies the bound it is given: 37x25 is 925 pixels. */
    const char *names[] = {"quad.png", "quad-rgb.png", "quad-lossless.webp", "quad-lossy.webp", "quad.jpg",
                           "quad-444.jpg"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        source = fixture_source(names[i], "");
        expect_refused(source, 924, "image 37x25 exceeds the 924-pixel limit");
        reelay_err err;
        cairo_surface_t *surface = reelay_image_decode(source, 925, &err);
        if (!surface) fail_msg("%s at its exact size: %s", names[i], err.msg);
        cairo_surface_destroy(surface);
        free(source);
    }
}

static void test_truncated_data_is_refused(void **state)
{
    (void)state;
    /* Every prefix of every fixture: each format must notice the cut. */
    for (size_t i = 0; i < N_FIXTURES; i++) {
        size_t len;
        unsigned char *data = read_fixture(fixtures[i].name, &len);
        for (size_t cut = 0; cut < len; cut++) {
            char *source = make_source(fixtures[i].prefix, data, cut, 0);
            reelay_err err;
            cairo_surface_t *surface = reelay_image_decode(source, 0, &err);
            if (surface) fail_msg("%s cut to %zu of %zu bytes decoded", fixtures[i].name, cut, len);
            if (err.code != REELAY_E_INPUT) fail_msg("%s cut to %zu: code %d (%s)", fixtures[i].name, cut, err.code, err.msg);
            free(source);
        }
        /* Cutting the text fails in base64 or in the format's decoder. The
         * last two characters may be padding, which is optional. */
        char *full = make_source(fixtures[i].prefix, data, len, 0);
        size_t text_len = strlen(full);
        for (size_t cut = strlen(fixtures[i].prefix); cut + 2 < text_len; cut += 7) {
            char saved = full[cut];
            full[cut] = '\0';
            reelay_err err;
            cairo_surface_t *surface = reelay_image_decode(full, 0, &err);
            if (surface) fail_msg("%s cut to %zu characters decoded", fixtures[i].name, cut);
            if (err.code != REELAY_E_INPUT) fail_msg("%s cut to %zu characters: %s", fixtures[i].name, cut, err.msg);
            full[cut] = saved;
        }
        free(full);
        free(data);
    }
}

/* Small deterministic generator: tests must not depend on rand()'s state. */
static uint32_t next_random(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

static void test_garbage_and_damaged_data_never_crash(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    static const unsigned char magics[4][12] = {{0}, {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
                                                 {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'},
                                                 {0xFF, 0xD8, 0xFF}};
    static const size_t magic_len[4] = {0, 8, 12, 3};
    unsigned char data[600];
    for (int round = 0; round < 400; round++) {
        int m = round % 4;
        size_t len = magic_len[m] + next_random(&seed) % 500 + 1;
        for (size_t i = 0; i < len; i++) data[i] = (unsigned char)next_random(&seed);
        memcpy(data, magics[m], magic_len[m]);
        char *source = make_source("data:image/webp;base64,", data, len, 0);
        expect_refused(source, 0, NULL);
        free(source);
    }

    /* Damaged real files may or may not decode, but never crash, and a
     * failure is always an input error. */
    for (size_t i = 0; i < N_FIXTURES; i++) {
        size_t len;
        unsigned char *original = read_fixture(fixtures[i].name, &len);
        unsigned char *damaged = malloc(len);
        assert_non_null(damaged);
        for (int round = 0; round < 150; round++) {
            memcpy(damaged, original, len);
            int flips = 1 + (int)(next_random(&seed) % 4);
            for (int k = 0; k < flips; k++) {
                size_t at = next_random(&seed) % len;
                damaged[at] = round % 2 ? (unsigned char)next_random(&seed) : (unsigned char)(damaged[at] ^ (1u << (next_random(&seed) % 8)));
            }
            char *source = make_source("", damaged, len, 0);
            reelay_err err;
            cairo_surface_t *surface = reelay_image_decode(source, 0, &err);
            if (surface) {
                assert_int_equal(cairo_image_surface_get_format(surface), CAIRO_FORMAT_ARGB32);
                cairo_surface_destroy(surface);
            } else if (err.code != REELAY_E_INPUT) {
                fail_msg("%s damaged: code %d (%s)", fixtures[i].name, err.code, err.msg);
            }
            free(source);
        }
        free(damaged);
        free(original);
    }
}

/* ------------------------------------------------------------- cache */

static void expect_stats(const reelay_image_cache *cache, size_t hits, size_t decodes, size_t failures,
                         size_t evictions, size_t bytes)
{
    reelay_image_stats s;
    reelay_image_cache_stats(cache, &s);
    if (s.hits != hits || s.decodes != decodes || s.failures != failures || s.evictions != evictions || s.bytes != bytes)
        fail_msg("stats hits %zu decodes %zu failures %zu evictions %zu bytes %zu; want %zu %zu %zu %zu %zu", s.hits,
                 s.decodes, s.failures, s.evictions, s.bytes, hits, decodes, failures, evictions, bytes);
}

/* 37 pixels * 4 bytes = 148-byte rows, 25 rows. */
#define QUAD_BYTES (148u * 25u)

static void test_cache_matches_by_content(void **state)
{
    (void)state;
    reelay_image_cache *cache = reelay_image_cache_new(REELAY_IMAGE_CACHE_BYTES, 0);
    assert_non_null(cache);
    expect_stats(cache, 0, 0, 0, 0, 0);
    /* iOS resends the same image in new strings every second. */
    char *first = fixture_source("quad.png", "data:image/png;base64,");
    char *second = strdup(first);
    assert_non_null(second);
    reelay_err why;
    cairo_surface_t *a = reelay_image_cache_get(cache, first, &why);
    assert_non_null(a);
    assert_int_equal(why.code, REELAY_OK);
    expect_stats(cache, 0, 1, 0, 0, QUAD_BYTES);
    cairo_surface_t *b = reelay_image_cache_get(cache, second, &why);
    assert_ptr_equal(a, b);
    expect_stats(cache, 1, 1, 0, 0, QUAD_BYTES);
    /* The same string again (the address fast path) is a hit too. */
    for (int i = 0; i < 3; i++) assert_ptr_equal(reelay_image_cache_get(cache, first, NULL), a);
    expect_stats(cache, 4, 1, 0, 0, QUAD_BYTES);
    expect_quadrants(a, "cached quad.png", 37, 25, alpha_quads, 0);

    /* Different content in a string of the same length is another image. */
    char *other = fixture_source("quad.png", "data:image/PNG;base64,");
    assert_int_equal(strlen(other), strlen(first));
    cairo_surface_t *c = reelay_image_cache_get(cache, other, &why);
    assert_non_null(c);
    assert_ptr_not_equal(c, a);
    expect_stats(cache, 4, 2, 0, 0, 2 * QUAD_BYTES);

    free(first);
    free(second);
    free(other);
    reelay_image_cache_free(cache);
    reelay_image_cache_free(NULL);
}

static void test_cache_remembers_failures(void **state)
{
    (void)state;
    reelay_image_cache *cache = reelay_image_cache_new(REELAY_IMAGE_CACHE_BYTES, 0);
    assert_non_null(cache);
    char *bad = fixture_source("anim.webp", "data:image/webp;base64,");
    char *bad_copy = strdup(bad);
    reelay_err why;
    assert_null(reelay_image_cache_get(cache, bad, &why));
    assert_int_equal(why.code, REELAY_E_INPUT);
    assert_non_null(strstr(why.msg, "animated"));
    expect_stats(cache, 0, 0, 1, 0, 0);
    /* Not decoded again, and the reason is still given. */
    reelay_err_clear(&why);
    assert_null(reelay_image_cache_get(cache, bad_copy, &why));
    assert_int_equal(why.code, REELAY_E_INPUT);
    assert_non_null(strstr(why.msg, "animated"));
    assert_null(reelay_image_cache_get(cache, bad, NULL));
    expect_stats(cache, 2, 0, 1, 0, 0);
    /* Another bad source is its own failure; a good one still decodes. */
    assert_null(reelay_image_cache_get(cache, "url(https://example.com/x.png)", &why));
    char *good = fixture_source("quad-lossless.webp", "data:image/webp;base64,");
    assert_non_null(reelay_image_cache_get(cache, good, &why));
    assert_int_equal(why.code, REELAY_OK); /* cleared on success */
    expect_stats(cache, 2, 1, 2, 0, QUAD_BYTES);
    assert_null(reelay_image_cache_get(cache, NULL, &why));
    assert_int_equal(why.code, REELAY_E_INPUT);
    free(bad);
    free(bad_copy);
    free(good);
    reelay_image_cache_free(cache);
}

static void test_cache_evicts_least_recently_used(void **state)
{
    (void)state;
    /* Room for two 37x25 images, not three. */
    reelay_image_cache *cache = reelay_image_cache_new(2 * QUAD_BYTES + 100, 0);
    assert_non_null(cache);
    char *a = fixture_source("quad.png", "");
    char *b = fixture_source("quad-lossless.webp", "");
    char *c = fixture_source("quad.jpg", "");
    cairo_surface_t *sa = reelay_image_cache_get(cache, a, NULL);
    assert_non_null(reelay_image_cache_get(cache, b, NULL));
    assert_ptr_equal(reelay_image_cache_get(cache, a, NULL), sa); /* a is now newer than b */
    expect_stats(cache, 1, 2, 0, 0, 2 * QUAD_BYTES);
    cairo_surface_t *sc = reelay_image_cache_get(cache, c, NULL);
    assert_non_null(sc);
    expect_stats(cache, 1, 3, 0, 1, 2 * QUAD_BYTES); /* b went */
    assert_ptr_equal(reelay_image_cache_get(cache, a, NULL), sa);
    expect_stats(cache, 2, 3, 0, 1, 2 * QUAD_BYTES);
    /* b is decoded again (through a stale address hint: must not return the
     * freed surface), and c, now the oldest, goes. */
    cairo_surface_t *sb = reelay_image_cache_get(cache, b, NULL);
    assert_non_null(sb);
    expect_quadrants(sb, "re-decoded webp", 37, 25, alpha_quads, 1);
    expect_stats(cache, 2, 4, 0, 2, 2 * QUAD_BYTES);
    assert_ptr_equal(reelay_image_cache_get(cache, a, NULL), sa);
    expect_stats(cache, 3, 4, 0, 2, 2 * QUAD_BYTES);
    free(a);
    free(b);
    free(c);
    reelay_image_cache_free(cache);
}

static void test_cache_image_larger_than_budget(void **state)
{
    (void)state;
    reelay_image_cache *cache = reelay_image_cache_new(1000, 0);
    assert_non_null(cache);
    char *a = fixture_source("quad.png", "");
    char *b = fixture_source("quad-rgb.png", "");
    /* Returned and kept while it is the one asked for... */
    cairo_surface_t *sa = reelay_image_cache_get(cache, a, NULL);
    assert_non_null(sa);
    expect_stats(cache, 0, 1, 0, 0, QUAD_BYTES);
    assert_ptr_equal(reelay_image_cache_get(cache, a, NULL), sa);
    expect_stats(cache, 1, 1, 0, 0, QUAD_BYTES);
    /* ...and evicted by the next call for another source. */
    cairo_surface_t *sb = reelay_image_cache_get(cache, b, NULL);
    assert_non_null(sb);
    expect_quadrants(sb, "quad-rgb.png", 37, 25, opaque_quads, 0);
    expect_stats(cache, 1, 2, 0, 1, QUAD_BYTES);
    /* A failure lookup evicts too: it holds no pixels itself. */
    assert_null(reelay_image_cache_get(cache, "!!", NULL));
    expect_stats(cache, 1, 2, 1, 2, 0);
    free(a);
    free(b);
    reelay_image_cache_free(cache);
}

static void test_cache_many_entries(void **state)
{
    (void)state;
    /* Enough distinct sources to grow the entry table and hash buckets; all
     * of them failures, so each is looked up again as a hit. */
    reelay_image_cache *cache = reelay_image_cache_new(REELAY_IMAGE_CACHE_BYTES, 0);
    assert_non_null(cache);
    enum { N = 3000 };
    char **sources = malloc(N * sizeof *sources);
    assert_non_null(sources);
    for (int i = 0; i < N; i++) {
        char text[32];
        snprintf(text, sizeof text, "bad image %d", i);
        sources[i] = strdup(text);
        assert_null(reelay_image_cache_get(cache, sources[i], NULL));
    }
    for (int i = 0; i < N; i++) assert_null(reelay_image_cache_get(cache, sources[i], NULL));
    expect_stats(cache, N, 0, N, 0, 0);
    for (int i = 0; i < N; i++) free(sources[i]);
    free(sources);
    reelay_image_cache_free(cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_decode_to_their_quadrants),
        cmocka_unit_test(test_jpeg_pixels_are_opaque_everywhere),
        cmocka_unit_test(test_bare_base64_line_breaks_and_tolerant_prefixes),
        cmocka_unit_test(test_mime_label_is_not_trusted),
        cmocka_unit_test(test_sources_that_are_not_embedded_images),
        cmocka_unit_test(test_animated_webp_is_refused),
        cmocka_unit_test(test_pixel_bound),
        cmocka_unit_test(test_truncated_data_is_refused),
        cmocka_unit_test(test_garbage_and_damaged_data_never_crash),
        cmocka_unit_test(test_cache_matches_by_content),
        cmocka_unit_test(test_cache_remembers_failures),
        cmocka_unit_test(test_cache_evicts_least_recently_used),
        cmocka_unit_test(test_cache_image_larger_than_budget),
        cmocka_unit_test(test_cache_many_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
