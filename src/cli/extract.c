#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/atomic_file.h"
#include "core/buf.h"
#include "ingest/archive.h"
#include "ingest/ingest.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: reelay extract VIDEO.mkv -o RECORDING.json.gz\n"
                 "  VIDEO.mkv  a video rendered with --attach-recording (or - for standard input)\n"
                 "  -o FILE    where the attached recording goes, as attached (gzip-compressed);\n"
                 "             - for standard output\n");
}

/* The recording bytes out to path ("-": standard output), put in place
 * only when complete. */
static int write_out(const char *path, const reelay_buf *data, reelay_err *err)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data->data, 1, data->len, stdout) != data->len || fflush(stdout) != 0)
            return reelay_err_set(err, REELAY_E_IO, "<stdout>: write error");
        return REELAY_OK;
    }
    reelay_atomic_file file;
    int rc = reelay_atomic_begin(&file, path, err);
    if (rc != REELAY_OK) return rc;
    if (data->len && fwrite(data->data, 1, data->len, file.fp) != data->len) {
        reelay_atomic_abort(&file);
        return reelay_err_set(err, REELAY_E_IO, "%s: write error", path);
    }
    return reelay_atomic_commit(&file, err);
}

int reelay_cmd_extract(int argc, char **argv)
{
    const char *input = NULL, *output = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return REELAY_OK;
        } else if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc) {
            output = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "reelay extract: unknown option %s (or it needs a value)\n", argv[i]);
            usage(stderr);
            return REELAY_E_USAGE;
        } else if (!input) {
            input = argv[i];
        } else {
            fprintf(stderr, "reelay extract: one VIDEO only (got %s too)\n", argv[i]);
            return REELAY_E_USAGE;
        }
    }
    if (!input || !output) {
        usage(stderr);
        return REELAY_E_USAGE;
    }
    reelay_err err;
    reelay_err_clear(&err);
    size_t max_bytes = reelay_ingest_defaults().max_input_bytes;
    reelay_buf video, recording;
    reelay_buf_init(&video);
    reelay_buf_init(&recording);
    int rc = reelay_read_file(input, max_bytes, &video, &err);
    if (rc == REELAY_OK && !reelay_archive_is_matroska(video.data, video.len))
        rc = reelay_err_set(&err, REELAY_E_INPUT, "%s: not a Matroska (.mkv) file", input);
    else if (rc == REELAY_OK) {
        rc = reelay_archive_read_recording(video.data, video.len, max_bytes, &recording, &err);
        if (rc != REELAY_OK) reelay_err_prefix(&err, "%s", input);
    }
    reelay_buf_free(&video);
    if (rc == REELAY_OK) rc = write_out(output, &recording, &err);
    reelay_buf_free(&recording);
    if (rc != REELAY_OK) fprintf(stderr, "reelay: %s\n", err.msg);
    return rc;
}
