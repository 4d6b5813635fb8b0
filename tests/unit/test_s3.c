/* Unit tests for src/net/s3 and src/sink: the pure parts. S3 settings from
 * an environment (a table here), s3:// URLs split and made into endpoint
 * URLs (virtual-hosted, path-style, keys encoded), S3's XML read (UploadId,
 * error codes), a multipart object's ETag, the file names of URL outputs, job documents and results
 * with URL outputs, and the sink's order: nothing appears before the
 * caller's last check, and a failure withdraws what did. Transfers are tested against s3rver behind a
 * signature-checking proxy (tests/cli/test_s3.sh). */
#include "test_support.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job/job.h"
#include "net/s3.h"
#include "sink/sink.h"

static const char *const *environment;

/* getenv over `environment`, NAME=VALUE strings ending in NULL */
static char *lookup(const char *name)
{
    for (const char *const *e = environment; e && *e; e++)
        if (strncmp(*e, name, strlen(name)) == 0 && (*e)[strlen(name)] == '=') return (char *)*e + strlen(name) + 1;
    return NULL;
}

static void test_config(void **state)
{
    (void)state;
    reelay_s3_config c;
    reelay_err err;
    environment = (const char *const[]){NULL};
    assert_int_equal(reelay_s3_config_read(&c, lookup, &err), REELAY_OK);
    assert_string_equal(c.region, "us-east-1");
    assert_string_equal(c.endpoint, "");
    assert_string_equal(c.access_key_id, "");
    assert_int_equal(c.part_size, REELAY_S3_DEFAULT_PART_SIZE);

    environment = (const char *const[]){"AWS_ACCESS_KEY_ID=AKID", "AWS_SECRET_ACCESS_KEY=sec/ret",
                                        "AWS_SESSION_TOKEN=tok", "AWS_DEFAULT_REGION=eu-west-3",
                                        "AWS_ENDPOINT_URL=http://127.0.0.1:9000/", "REELAY_S3_PART_SIZE=16K", NULL};
    assert_int_equal(reelay_s3_config_read(&c, lookup, &err), REELAY_OK);
    assert_string_equal(c.access_key_id, "AKID");
    assert_string_equal(c.secret_access_key, "sec/ret");
    assert_string_equal(c.session_token, "tok");
    assert_string_equal(c.region, "eu-west-3");
    assert_string_equal(c.endpoint, "http://127.0.0.1:9000"); /* no trailing '/' */
    assert_int_equal(c.part_size, 16384);

    /* AWS_REGION wins over AWS_DEFAULT_REGION */
    environment = (const char *const[]){"AWS_REGION=ap-south-1", "AWS_DEFAULT_REGION=eu-west-3", NULL};
    assert_int_equal(reelay_s3_config_read(&c, lookup, &err), REELAY_OK);
    assert_string_equal(c.region, "ap-south-1");

    const char *bad[][2] = {{"AWS_ENDPOINT_URL=ftp://host", "AWS_ENDPOINT_URL"},
                            {"AWS_ENDPOINT_URL=http://user:pw@host", "AWS_ENDPOINT_URL"},
                            {"AWS_REGION=eu west", "AWS_REGION"},
                            {"REELAY_S3_PART_SIZE=12", "REELAY_S3_PART_SIZE"},
                            {"REELAY_S3_PART_SIZE=lots", "REELAY_S3_PART_SIZE"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        environment = (const char *const[]){bad[i][0], NULL};
        if (reelay_s3_config_read(&c, lookup, &err) != REELAY_E_USAGE) fail_msg("%s accepted", bad[i][0]);
        assert_non_null(strstr(err.msg, bad[i][1]));
        assert_null(strstr(err.msg, "pw"));
    }
}

static void test_split(void **state)
{
    (void)state;
    char bucket[REELAY_S3_BUCKET_MAX + 1], key[REELAY_S3_KEY_MAX + 1];
    reelay_err err;
    assert_int_equal(reelay_s3_split("s3://my-bucket/a/b c+d.json", bucket, key, &err), REELAY_OK);
    assert_string_equal(bucket, "my-bucket");
    assert_string_equal(key, "a/b c+d.json");
    assert_int_equal(reelay_s3_split("S3://logs.example/x", bucket, key, &err), REELAY_OK);
    assert_string_equal(bucket, "logs.example");
    const char *bad[] = {"s3://ab/key", "s3://Bucket/key", "s3://bucket", "s3://bucket/", "s3://bu_cket/k",
                         "s3://bucket/k?versionId=1", "https://bucket/key"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (reelay_s3_split(bad[i], bucket, key, &err) != REELAY_E_USAGE) fail_msg("'%s' accepted", bad[i]);
}

static void test_object_url(void **state)
{
    (void)state;
    reelay_s3_config c;
    reelay_err err;
    environment = (const char *const[]){"AWS_REGION=eu-west-3", NULL};
    assert_int_equal(reelay_s3_config_read(&c, lookup, &err), REELAY_OK);
    char url[512];
    assert_true(reelay_s3_object_url(&c, "clips", "in/a b+é.json", NULL, url, sizeof url));
    assert_string_equal(url, "https://clips.s3.eu-west-3.amazonaws.com/in/a%20b%2B%C3%A9.json");
    /* a dotted bucket is no host name a certificate covers: path-style */
    assert_true(reelay_s3_object_url(&c, "logs.example", "k", "uploads=", url, sizeof url));
    assert_string_equal(url, "https://s3.eu-west-3.amazonaws.com/logs.example/k?uploads=");
    environment = (const char *const[]){"AWS_ENDPOINT_URL=http://127.0.0.1:9000", NULL};
    assert_int_equal(reelay_s3_config_read(&c, lookup, &err), REELAY_OK);
    assert_true(reelay_s3_object_url(&c, "clips", "out/v.webm", "partNumber=2&uploadId=x", url, sizeof url));
    assert_string_equal(url, "http://127.0.0.1:9000/clips/out/v.webm?partNumber=2&uploadId=x");
    char tiny[16];
    assert_false(reelay_s3_object_url(&c, "clips", "out/v.webm", NULL, tiny, sizeof tiny));
}

static void test_xml(void **state)
{
    (void)state;
    char out[256];
    const char *created = "<?xml version=\"1.0\"?><InitiateMultipartUploadResult><Bucket>clips</Bucket>"
                          "<Key>v.webm</Key><UploadId>VXBsb2FkIElE.&amp;x</UploadId></InitiateMultipartUploadResult>";
    assert_true(reelay_s3_xml_text(created, strlen(created), "UploadId", out, sizeof out));
    assert_string_equal(out, "VXBsb2FkIElE.&x");
    const char *error = "<Error>\n  <Code>SignatureDoesNotMatch</Code>\n  <Message>The request signature we\n"
                        "    calculated does not match &quot;x&quot; &lt;y&gt;</Message></Error>";
    assert_true(reelay_s3_xml_text(error, strlen(error), "Code", out, sizeof out));
    assert_string_equal(out, "SignatureDoesNotMatch");
    assert_true(reelay_s3_xml_text(error, strlen(error), "Message", out, sizeof out));
    assert_string_equal(out, "The request signature we calculated does not match \"x\" <y>"); /* one line */
    assert_false(reelay_s3_xml_text(error, strlen(error), "UploadId", out, sizeof out));
    assert_false(reelay_s3_xml_text("<Code>unclosed", 14, "Code", out, sizeof out));
    /* the length given bounds the search */
    assert_false(reelay_s3_xml_text(error, 20, "Code", out, sizeof out));
    char small[8];
    assert_false(reelay_s3_xml_text(error, strlen(error), "Code", small, sizeof small));
}

static void test_multipart_etag(void **state)
{
    (void)state;
    /* md5("part one"), md5("part two"); the object's ETag as S3 (and
     * MinIO) make it: md5 of the two digests, "-2" */
    const char *parts[] = {"\"3303e12af474ca11d85ed2966a932992\"", "3ea4e15b91a17dc76052c56cfcdf67a2"};
    char etag[64];
    assert_true(reelay_s3_multipart_etag(parts, 2, etag, sizeof etag));
    assert_string_equal(etag, "\"0732917abc3288784e318ac0aab1757a-2\"");
    const char *kms[] = {"\"3303e12af474ca11d85ed2966a932992\"", "\"not-an-md5\""};
    assert_false(reelay_s3_multipart_etag(kms, 2, etag, sizeof etag));
    char small[8];
    assert_false(reelay_s3_multipart_etag(parts, 2, small, sizeof small));
}

static void test_file_name(void **state)
{
    (void)state;
    char name[64];
    assert_true(reelay_sink_file_name("https://h/up/v.mp4?X-Amz-Signature=abc.webm", name, sizeof name));
    assert_string_equal(name, "v.mp4");
    assert_true(reelay_sink_file_name("s3://clips/a/b/poster.png", name, sizeof name));
    assert_string_equal(name, "poster.png");
    assert_true(reelay_sink_file_name("out/dir/v.webm", name, sizeof name));
    assert_string_equal(name, "v.webm");
    assert_false(reelay_sink_file_name("https://h/up/?sig=1", name, sizeof name));
    assert_false(reelay_sink_file_name("https://h", name, sizeof name));
    assert_false(reelay_sink_file_name("s3://clips/..", name, sizeof name));
    assert_true(reelay_sink_is_url("S3://b/k"));
    assert_true(reelay_sink_is_url("https://h/v.webm"));
    assert_false(reelay_sink_is_url("posthog://abc"));
    assert_false(reelay_sink_is_url("out.webm"));
    assert_string_equal(reelay_sink_role_name(REELAY_SINK_EMAIL_HTML), "email_html");
}

static int parse_job(const char *text, reelay_job *job, reelay_err *err)
{
    return reelay_job_parse(text, strlen(text), "job", job, err);
}

static void test_job_outputs(void **state)
{
    (void)state;
    reelay_job job;
    reelay_err err;
    /* the container from the URL's path, not its query */
    assert_int_equal(parse_job("{\"id\":\"a\",\"input\":\"in.json\",\"output\":\"https://h/v.mp4?X-Amz-Signature=s\","
                               "\"options\":{\"poster\":\"s3://clips/p.png\",\"manifest\":\"s3://clips/m.json\"}}",
                               &job, &err),
                     REELAY_OK);
    reelay_job_free(&job);
    const char *bad[][2] = {
        {"{\"id\":\"a\",\"input\":\"i\",\"output\":\"https://h/v.avi?sig=1\"}", "output"},
        {"{\"id\":\"a\",\"input\":\"i\",\"output\":\"https://h/up/?sig=s3cret\"}", "names no file"},
        {"{\"id\":\"a\",\"input\":\"i\",\"output\":\"posthog://abc\"}", "can be written"},
        {"{\"id\":\"a\",\"input\":\"i\",\"output\":\"s3://clips/v.webm\",\"options\":{\"poster\":\"s3://clips/p.gif\"}}",
         "options.poster"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse_job(bad[i][0], &job, &err) != REELAY_E_USAGE) fail_msg("accepted: %s", bad[i][0]);
        if (!strstr(err.msg, bad[i][1])) fail_msg("'%s' does not say '%s'", err.msg, bad[i][1]);
        assert_null(strstr(err.msg, "s3cret"));
    }
}

static void test_result_outputs(void **state)
{
    (void)state;
    reelay_job_result r = {.status = REELAY_JOB_DONE, .bytes = 10, .output_count = 2};
    snprintf(r.id, sizeof r.id, "a");
    snprintf(r.output, sizeof r.output, "s3://clips/v.webm");
    r.outputs[0] = (reelay_job_output){.role = "video", .where = "s3://clips/v.webm", .url = true, .bytes = 10};
    r.outputs[1] = (reelay_job_output){.role = "manifest", .where = "/srv/m.json", .url = false, .bytes = 3};
    json_t *doc = reelay_job_result_to_json(&r);
    assert_non_null(doc);
    char *text = json_dumps(doc, JSON_COMPACT);
    assert_non_null(strstr(text, "\"outputs\":[{\"role\":\"video\",\"url\":\"s3://clips/v.webm\",\"bytes\":10},"
                                 "{\"role\":\"manifest\",\"path\":\"/srv/m.json\",\"bytes\":3}]"));
    free(text);
    reelay_job_result back;
    reelay_err err;
    assert_int_equal(reelay_job_result_from_json(doc, &back, &err), REELAY_OK);
    assert_int_equal(back.output_count, 2);
    assert_true(back.outputs[0].url);
    assert_false(back.outputs[1].url);
    assert_string_equal(back.outputs[1].where, "/srv/m.json");
    assert_int_equal(back.outputs[1].bytes, 3);
    json_decref(doc);
    /* a failed result lists none */
    r.status = REELAY_JOB_FAILED;
    doc = reelay_job_result_to_json(&r);
    assert_null(json_object_get(doc, "outputs"));
    json_decref(doc);
}

static int publish_calls;

static int refuse_publish(void *context, reelay_err *err)
{
    (void)context;
    publish_calls++;
    return reelay_err_set(err, REELAY_E_IO, "not published: the claim is lost");
}

static int allow_publish(void *context, reelay_err *err)
{
    (void)context;
    (void)err;
    publish_calls++;
    return REELAY_OK;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* A render's files, as the sink would get them: a video for a presigned
 * URL nobody answers (127.0.0.1:9) and a local manifest. */
static void begin_sink(reelay_sink *sink, reelay_render_options *o, const char *manifest, char *dir, size_t size,
                       int (*before)(void *, reelay_err *))
{
    reelay_err err;
    *o = reelay_render_defaults();
    o->output = "http://127.0.0.1:9/up/v.webm?X-Amz-Signature=s3cret";
    o->manifest = manifest;
    o->ingest.urls = reelay_url_policy_all();
    o->before_publish = before;
    assert_int_equal(reelay_sink_begin(sink, o, &err), REELAY_OK);
    assert_true(sink->active);
    snprintf(dir, size, "%s", sink->dir);
    assert_non_null(strstr(o->output, "/video/v.webm"));
    assert_non_null(strstr(o->manifest, "/manifest/m.json"));
    assert_null(o->before_publish); /* the sink asks it, later */
    assert_null(strstr(sink->outputs[0].shown, "s3cret"));
    write_text(o->output, "video bytes");
    write_text(o->manifest, "{\"output\": {\"path\": \"private\"}}\n");
}

static void test_sink_order(void **state)
{
    (void)state;
    char base[] = "/tmp/reelay-sink-test-XXXXXX", manifest[128], dir[512];
    assert_non_null(mkdtemp(base));
    snprintf(manifest, sizeof manifest, "%s/m.json", base);
    reelay_sink sink;
    reelay_render_options o;
    reelay_err err;
    struct stat st;

    /* the check refuses: nothing appears, nothing is sent */
    publish_calls = 0;
    begin_sink(&sink, &o, manifest, dir, sizeof dir, refuse_publish);
    assert_int_equal(reelay_sink_publish(&sink, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "claim is lost"));
    assert_int_equal(publish_calls, 1);
    assert_int_equal(stat(manifest, &st), -1);
    reelay_sink_end(&sink);
    assert_int_equal(stat(dir, &st), -1); /* the private directory is gone */

    /* the check passes, the video's PUT fails: the manifest, put in place
     * first, is withdrawn; the message shows no query */
    publish_calls = 0;
    begin_sink(&sink, &o, manifest, dir, sizeof dir, allow_publish);
    assert_int_not_equal(reelay_sink_publish(&sink, &err), REELAY_OK);
    assert_non_null(strstr(err.msg, "http://127.0.0.1:9/up/v.webm"));
    assert_null(strstr(err.msg, "s3cret"));
    assert_int_equal(publish_calls, 1);
    assert_int_equal(stat(manifest, &st), -1);
    reelay_sink_end(&sink);
    assert_int_equal(stat(dir, &st), -1);

    /* only paths: the sink stays out of the way */
    o = reelay_render_defaults();
    o.output = "out.webm";
    o.before_publish = allow_publish;
    assert_int_equal(reelay_sink_begin(&sink, &o, &err), REELAY_OK);
    assert_false(sink.active);
    assert_string_equal(o.output, "out.webm");
    assert_ptr_equal(o.before_publish, allow_publish);
    reelay_sink_end(&sink);

    /* a URL output with no policy is refused before anything */
    o.output = "s3://clips/v.webm";
    o.ingest.urls = NULL;
    assert_int_equal(reelay_sink_begin(&sink, &o, &err), REELAY_E_USAGE);
    assert_true(err.flags & REELAY_ERR_LASTING);
    rmdir(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),   cmocka_unit_test(test_split),     cmocka_unit_test(test_object_url),
        cmocka_unit_test(test_xml),      cmocka_unit_test(test_file_name), cmocka_unit_test(test_job_outputs),
        cmocka_unit_test(test_result_outputs), cmocka_unit_test(test_sink_order),
        cmocka_unit_test(test_multipart_etag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
