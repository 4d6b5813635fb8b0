/* Job documents and results: validation names the field, options use the
 * command line's names, results round-trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "job/job.h"
#include "renderers/frame/frame.h"

static int parse(const char *text, reelay_job *job, reelay_err *err)
{
    reelay_err_clear(err);
    return reelay_job_parse(text, strlen(text), "job.json", job, err);
}

static void expect_error(const char *text, const char *fragment)
{
    reelay_job job;
    reelay_err err;
    int rc = parse(text, &job, &err);
    if (rc != REELAY_E_USAGE) fail_msg("accepted: %s", text);
    if (!strstr(err.msg, fragment)) fail_msg("message '%s' lacks '%s'", err.msg, fragment);
    if (!strstr(err.msg, "job.json")) fail_msg("message '%s' does not name the document", err.msg);
    reelay_job_free(&job);
}

static void test_valid_job(void **state)
{
    (void)state;
    reelay_job job;
    reelay_err err;
    assert_int_equal(parse("{\"id\":\"s-1.a_b\",\"input\":\"in.json\",\"output\":\"out/a.mp4\","
                           "\"options\":{\"fps\":12,\"no_skip_idle\":true,\"--size\":\"720p\",\"speed\":1.5,"
                           "\"overlays\":\"touches,pointer\",\"vfr\":false,\"layout\":\"inspector\"}}",
                           &job, &err),
                     REELAY_OK);
    assert_string_equal(job.id, "s-1.a_b");
    assert_string_equal(job.input, "in.json");
    assert_string_equal(job.output, "out/a.mp4");
    assert_string_equal(job.options.output, "out/a.mp4");
    assert_int_equal(job.options.fps, 12);
    assert_false(job.options.timeline.skip_idle);
    assert_int_equal(job.options.width, 1280);
    assert_true(job.options.timeline.speed == 1.5);
    assert_int_equal(job.options.overlays, REELAY_OVERLAY_TOUCHES | REELAY_OVERLAY_POINTER);
    assert_int_equal(job.options.frame_rate, REELAY_RATE_CFR);
    assert_true(job.options.inspector);
    reelay_job_free(&job);

    /* --highlights: true (the default length), a number of seconds, or false */
    assert_int_equal(parse("{\"id\":\"h\",\"input\":\"i\",\"output\":\"o.webm\",\"options\":{\"highlights\":true}}",
                           &job, &err),
                     REELAY_OK);
    assert_true(job.options.highlights_ms == 60000);
    reelay_job_free(&job);
    assert_int_equal(parse("{\"id\":\"h\",\"input\":\"i\",\"output\":\"o.webm\",\"options\":{\"highlights\":45}}",
                           &job, &err),
                     REELAY_OK);
    assert_true(job.options.highlights_ms == 45000);
    reelay_job_free(&job);
    assert_int_equal(parse("{\"id\":\"h\",\"input\":\"i\",\"output\":\"o.webm\",\"options\":{\"highlights\":0}}",
                           &job, &err),
                     REELAY_E_USAGE);
    assert_non_null(strstr(err.msg, "options.highlights"));

    /* No options: the command line's defaults. */
    assert_int_equal(parse("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.webm\"}", &job, &err), REELAY_OK);
    assert_int_equal(job.options.fps, 24);
    reelay_job_free(&job);
}

static void test_invalid_jobs(void **state)
{
    (void)state;
    expect_error("[1]", "JSON object");
    expect_error("{\"input\":\"i\",\"output\":\"o.webm\"}", "\"id\" is required");
    expect_error("{\"id\":7,\"input\":\"i\",\"output\":\"o.webm\"}", "\"id\" must be");
    expect_error("{\"id\":\"../x\",\"input\":\"i\",\"output\":\"o.webm\"}", "\"id\" must be");
    expect_error("{\"id\":\".hidden\",\"input\":\"i\",\"output\":\"o.webm\"}", "\"id\" must be");
    expect_error("{\"id\":\"a\",\"output\":\"o.webm\"}", "\"input\" is required");
    expect_error("{\"id\":\"a\",\"input\":\"\",\"output\":\"o.webm\"}", "non-empty string");
    expect_error("{\"id\":\"a\",\"input\":\"i\"}", "\"output\" is required");
    expect_error("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.avi\"}", "output");
    expect_error("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.webm\",\"colour\":1}", "unknown field \"colour\"");
    expect_error("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.webm\",\"options\":[]}", "must be an object");
    expect_error("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.webm\",\"options\":{\"fsp\":3}}", "options.fsp");
    expect_error("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.webm\",\"options\":{\"fps\":0}}", "--fps");
    expect_error("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.webm\",\"options\":{\"fps\":[1]}}", "options.fps");
    expect_error("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.webm\",\"options\":{\"vfr\":\"maybe\"}}", "true or false");
    expect_error("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.mp4\",\"options\":{\"codec\":\"vp8\"}}", "output");
    expect_error("{\"id\":\"a\",\"input\":\"i\",\"output\":\"o.webm\",\"id\":\"b\"}", "duplicate");
    expect_error("{\"id\":\"a\",\n\"input\":", "job.json:2:");

    char big[REELAY_JOB_MAX_BYTES + 64];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    expect_error(big, "at most");
}

static void test_ids(void **state)
{
    (void)state;
    assert_true(reelay_job_id_valid("a"));
    assert_true(reelay_job_id_valid("0190-abcd_1.retry"));
    assert_false(reelay_job_id_valid(""));
    assert_false(reelay_job_id_valid(NULL));
    assert_false(reelay_job_id_valid("a/b"));
    assert_false(reelay_job_id_valid("a b"));
    assert_false(reelay_job_id_valid(".."));
    char long_id[REELAY_JOB_ID_MAX + 2];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_false(reelay_job_id_valid(long_id));
    long_id[REELAY_JOB_ID_MAX] = '\0';
    assert_true(reelay_job_id_valid(long_id));
}

static void test_result_round_trip(void **state)
{
    (void)state;
    reelay_job_result done = {.status = REELAY_JOB_DONE, .bytes = 1234, .frames = 240, .duration_s = 10.0,
                              .render_s = 0.12345, .attempts = 1};
    snprintf(done.id, sizeof done.id, "a");
    snprintf(done.output, sizeof done.output, "out/a.webm");
    snprintf(done.sha256, sizeof done.sha256, "%064d", 7);
    json_t *doc = reelay_job_result_to_json(&done);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "done");
    assert_true(json_is_null(json_object_get(doc, "error")));
    assert_true(json_real_value(json_object_get(doc, "render_s")) == 0.123);
    reelay_job_result back;
    reelay_err err;
    assert_int_equal(reelay_job_result_from_json(doc, &back, &err), REELAY_OK);
    assert_int_equal(back.status, REELAY_JOB_DONE);
    assert_int_equal(back.bytes, 1234);
    assert_int_equal(back.frames, 240);
    assert_string_equal(back.sha256, done.sha256);
    json_decref(doc);

    reelay_job_result failed = {.status = REELAY_JOB_FAILED, .attempts = 3, .error_code = REELAY_E_INPUT};
    snprintf(failed.id, sizeof failed.id, "b");
    snprintf(failed.error_message, sizeof failed.error_message, "in.json: line 1: bad");
    doc = reelay_job_result_to_json(&failed);
    json_t *error = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(error, "code")), "input");
    assert_string_equal(json_string_value(json_object_get(error, "message")), "in.json: line 1: bad");
    assert_int_equal(reelay_job_result_from_json(doc, &back, &err), REELAY_OK);
    assert_int_equal(back.status, REELAY_JOB_FAILED);
    assert_int_equal(back.error_code, REELAY_E_INPUT);
    assert_int_equal(back.attempts, 3);
    assert_false(back.lasting);
    assert_null(json_object_get(error, "lasting"));
    json_decref(doc);
    failed.lasting = true;
    doc = reelay_job_result_to_json(&failed);
    assert_true(json_is_true(json_object_get(json_object_get(doc, "error"), "lasting")));
    assert_int_equal(reelay_job_result_from_json(doc, &back, &err), REELAY_OK);
    assert_true(back.lasting);
    json_decref(doc);

    json_t *junk = json_pack("{s:s}", "status", "maybe");
    assert_int_equal(reelay_job_result_from_json(junk, &back, &err), REELAY_E_INPUT);
    json_decref(junk);
    assert_string_equal(reelay_job_error_name(REELAY_E_IO), "io");
    assert_string_equal(reelay_job_error_name(99), "internal");
}

static void test_overwrite_and_root(void **state)
{
    (void)state;
    reelay_job job;
    reelay_err err;
    assert_int_equal(parse("{\"id\":\"a\",\"input\":\"in\",\"output\":\"/o/a.mp4\"}", &job, &err), REELAY_OK);
    assert_false(job.overwrite);
    assert_false(job.options.overwrite); /* jobs never replace unless they say so */
    assert_null(job.options.output_root);
    assert_string_equal(job.options.owner, "a");
    reelay_job_free(&job);
    assert_int_equal(parse("{\"id\":\"a\",\"input\":\"in\",\"output\":\"/o/a.mp4\",\"overwrite\":true,"
                           "\"output_root\":\"/o\"}",
                           &job, &err),
                     REELAY_OK);
    assert_true(job.options.overwrite);
    assert_string_equal(job.options.output_root, "/o");
    reelay_job_free(&job);
    expect_error("{\"id\":\"a\",\"input\":\"in\",\"output\":\"o.mp4\",\"overwrite\":1}", "\"overwrite\" must be");
    expect_error("{\"id\":\"a\",\"input\":\"in\",\"output\":\"o.mp4\",\"output_root\":\"rel\"}", "absolute");
}

static void test_output_paths(void **state)
{
    (void)state;
    json_t *doc = json_loads("{\"output\":\"a.mp4\",\"options\":{\"--poster\":\"p.png\",\"fps\":3,"
                             "\"manifest\":\"m.json\",\"preview\":7}}",
                             0, NULL);
    const char *paths[REELAY_JOB_MAX_OUTPUTS];
    assert_int_equal(reelay_job_output_paths(doc, paths), 3);
    assert_string_equal(paths[0], "a.mp4");
    assert_string_equal(paths[1], "p.png");
    assert_string_equal(paths[2], "m.json");
    json_decref(doc);
    doc = json_loads("{\"output\":5}", 0, NULL);
    assert_int_equal(reelay_job_output_paths(doc, paths), 0);
    json_decref(doc);
}

static void test_ceilings(void **state)
{
    (void)state;
    reelay_job_ceilings c = reelay_job_ceilings_default();
    reelay_err err;
    assert_int_equal(c.limits.max_output_dim, 4096);
    assert_true(reelay_job_ceiling_flag("--max-duration"));
    assert_true(reelay_job_ceiling_flag("--max-fps"));
    assert_false(reelay_job_ceiling_flag("--fps"));
    assert_false(reelay_job_ceiling_flag("max-fps"));
    assert_int_equal(reelay_job_ceiling_set(&c, "--max-duration", "1:00", &err), REELAY_OK);
    assert_int_equal(reelay_job_ceiling_set(&c, "--max-fps", "30", &err), REELAY_OK);
    assert_int_equal(reelay_job_ceiling_set(&c, "--max-page-memory", "1G", &err), REELAY_OK);
    assert_int_equal(reelay_job_ceiling_set(&c, "--max-page-time", "10", &err), REELAY_OK);
    assert_int_equal(reelay_job_ceiling_set(&c, "--max-fps", "0", &err), REELAY_E_USAGE);
    assert_int_equal(reelay_job_ceiling_set(&c, "--max-frames", "lots", &err), REELAY_E_USAGE);

    /* Unset limits take the ceiling; lower ones stay. */
    reelay_job job;
    assert_int_equal(parse("{\"id\":\"a\",\"input\":\"in\",\"output\":\"o.webm\",\"options\":{\"max_frames\":100}}",
                           &job, &err),
                     REELAY_OK);
    assert_int_equal(reelay_job_apply_ceilings(&job, &c, "job a", &err), REELAY_OK);
    assert_true(job.options.max_duration_ms == 60000);
    assert_int_equal(job.options.max_frames, 100);
    assert_int_equal(job.options.max_output_dim, 4096);
    /* the page engine's limits are the operator's too */
    assert_int_equal(job.options.page_engine.max_memory_bytes, (size_t)1 << 30);
    assert_true(job.options.page_engine.request_timeout_s == 10);
    assert_false(job.options.page_engine.no_sandbox);
    reelay_job_free(&job);

    /* --no-page-sandbox is the operator's: every job takes it, none may ask for it */
    c.limits.page_engine.no_sandbox = true;
    assert_int_equal(parse("{\"id\":\"a\",\"input\":\"in\",\"output\":\"o.webm\"}", &job, &err), REELAY_OK);
    assert_int_equal(reelay_job_apply_ceilings(&job, &c, "job a", &err), REELAY_OK);
    assert_true(job.options.page_engine.no_sandbox);
    reelay_job_free(&job);
    c.limits.page_engine.no_sandbox = false;
    assert_int_not_equal(
        parse("{\"id\":\"a\",\"input\":\"in\",\"output\":\"o.webm\",\"options\":{\"no_page_sandbox\":true}}", &job,
              &err),
        REELAY_OK);

    struct {
        const char *options, *message;
    } above[] = {
        {"{\"max_duration\":\"2:00\"}", "options.max_duration 120 s is above this service's ceiling of 60 s"},
        {"{\"fps\":60}", "options.fps 60 is above this service's ceiling of 30 fps"},
        {"{\"--max-output-dim\":8192}", "options.--max-output-dim 8192 is above this service's ceiling of 4096"},
        {"{\"size\":\"4098x720\"}", "options.size 4098x720 is larger than this service's ceiling of 4096"},
        {"{\"max_page_memory\":\"2G\"}", "options.max_page_memory 2147483648 is above this service's ceiling of 1073741824"},
        {"{\"max-page-time\":60}", "options.max-page-time 60 s is above this service's ceiling of 10 s"},
    };
    for (size_t i = 0; i < sizeof above / sizeof above[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "{\"id\":\"a\",\"input\":\"in\",\"output\":\"o.webm\",\"options\":%s}",
                 above[i].options);
        assert_int_equal(parse(text, &job, &err), REELAY_OK);
        assert_int_equal(reelay_job_apply_ceilings(&job, &c, "job a", &err), REELAY_E_USAGE);
        assert_true(err.flags & REELAY_ERR_LASTING);
        if (!strstr(err.msg, above[i].message)) fail_msg("'%s' lacks '%s'", err.msg, above[i].message);
        reelay_job_free(&job);
    }
}

/* A job's URLs are held to the operator's --allow-url list before anything
 * is fetched; without a list, none is allowed. */
static void test_url_ceiling(void **state)
{
    (void)state;
    reelay_job_ceilings c = reelay_job_ceilings_default();
    reelay_err err;
    reelay_job job;
    const char *url_job = "{\"id\":\"a\",\"input\":\"https://rec.example.com/in/a.json?sig=x\",\"output\":\"o.webm\"}";
    assert_true(reelay_job_ceiling_flag("--allow-url"));
    assert_int_equal(parse(url_job, &job, &err), REELAY_OK);
    assert_int_equal(reelay_job_apply_ceilings(&job, &c, "job a", &err), REELAY_E_USAGE);
    assert_true(err.flags & REELAY_ERR_LASTING);
    assert_non_null(strstr(err.msg, "job a: https://rec.example.com/in/a.json: a URL input is not allowed here"));
    reelay_job_free(&job);

    assert_int_equal(reelay_job_ceiling_set(&c, "--allow-url", "https://rec.example.com/in/", &err), REELAY_OK);
    assert_int_equal(reelay_job_ceiling_set(&c, "--allow-url", "ftp://x", &err), REELAY_E_USAGE);
    assert_int_equal(parse(url_job, &job, &err), REELAY_OK);
    assert_int_equal(reelay_job_apply_ceilings(&job, &c, "job a", &err), REELAY_OK);
    assert_ptr_equal(job.options.ingest.urls, &c.urls);
    reelay_job_free(&job);

    /* outputs (sidecars too) and other schemes are held to it as well */
    const char *refused[] = {
        "{\"id\":\"a\",\"input\":\"in\",\"output\":\"s3://videos/o.webm\"}",
        "{\"id\":\"a\",\"input\":\"in\",\"output\":\"o.webm\",\"options\":{\"poster\":\"https://x.test/p.png\"}}",
        "{\"id\":\"a\",\"input\":\"file:///etc/passwd\",\"output\":\"o.webm\"}",
        "{\"id\":\"a\",\"input\":\"https://rec.example.com/other/a.json\",\"output\":\"o.webm\"}",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        if (parse(refused[i], &job, &err) != REELAY_OK) continue; /* refused when read: fine too */
        if (reelay_job_apply_ceilings(&job, &c, "job a", &err) != REELAY_E_USAGE) fail_msg("%s admitted", refused[i]);
        assert_non_null(strstr(err.msg, "--allow-url"));
        reelay_job_free(&job);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_ceiling),
        cmocka_unit_test(test_valid_job),
        cmocka_unit_test(test_invalid_jobs),
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_result_round_trip),
        cmocka_unit_test(test_overwrite_and_root),
        cmocka_unit_test(test_output_paths),
        cmocka_unit_test(test_ceilings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
