#include "ingest/archive.h"

#include <stdio.h>
#include <string.h>

#include <libavformat/avformat.h>

/* Matroska and WebM files start with the EBML magic. */
static const unsigned char ebml_magic[4] = {0x1A, 0x45, 0xDF, 0xA3};

bool reelay_archive_is_matroska(const unsigned char *data, size_t len)
{
    return len >= sizeof ebml_magic && memcmp(data, ebml_magic, sizeof ebml_magic) == 0;
}

/* libavformat reads the file from memory. */
typedef struct memory_source {
    const unsigned char *data;
    size_t len, pos;
} memory_source;

static int read_memory(void *opaque, uint8_t *buf, int size)
{
    memory_source *m = opaque;
    size_t left = m->len - m->pos;
    if (left == 0) return AVERROR_EOF;
    size_t n = (size_t)size < left ? (size_t)size : left;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (int)n;
}

static int64_t seek_memory(void *opaque, int64_t offset, int whence)
{
    memory_source *m = opaque;
    if (whence == AVSEEK_SIZE) return (int64_t)m->len;
    int64_t base = 0;
    switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)m->pos; break;
    case SEEK_END: base = (int64_t)m->len; break;
    default: return AVERROR(EINVAL);
    }
    if (offset > (int64_t)m->len - base || offset < -base) return AVERROR(EINVAL);
    m->pos = (size_t)(base + offset);
    return (int64_t)m->pos;
}

static const char *tag(const AVStream *st, const char *key)
{
    const AVDictionaryEntry *e = av_dict_get(st->metadata, key, NULL, 0);
    return e ? e->value : NULL;
}

int reelay_archive_read_recording(const unsigned char *data, size_t len, size_t max_bytes, reelay_buf *out,
                                  reelay_err *err)
{
    memory_source source = {data, len, 0};
    const int buffer_size = 1 << 16;
    uint8_t *buffer = av_malloc(buffer_size);
    AVIOContext *io = buffer ? avio_alloc_context(buffer, buffer_size, 0, &source, read_memory, NULL, seek_memory)
                             : NULL;
    AVFormatContext *fmt = io ? avformat_alloc_context() : NULL;
    if (!fmt) {
        if (io) av_freep(&io->buffer);
        else av_free(buffer);
        avio_context_free(&io);
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    fmt->pb = io;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    int rc = REELAY_OK;
    int lav = avformat_open_input(&fmt, NULL, av_find_input_format("matroska"), NULL);
    if (lav < 0) {
        char text[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(lav, text, sizeof text);
        rc = reelay_err_set(err, REELAY_E_INPUT, "a Matroska file that cannot be read (%s)", text);
    } else {
        const AVStream *found = NULL;
        for (unsigned i = 0; i < fmt->nb_streams && !found; i++) {
            const AVStream *st = fmt->streams[i];
            const char *title = tag(st, "title");
            if (st->codecpar->codec_type == AVMEDIA_TYPE_ATTACHMENT && title &&
                strcmp(title, REELAY_ARCHIVE_RECORDING_TITLE) == 0)
                found = st;
        }
        if (!found)
            rc = reelay_err_set(err, REELAY_E_INPUT,
                                "a video without a recording attached (reelay attaches one to .mkv outputs with "
                                "--attach-recording)");
        else if (found->codecpar->extradata_size <= 0)
            rc = reelay_err_set(err, REELAY_E_INPUT, "the attached recording is empty");
        else if ((size_t)found->codecpar->extradata_size > max_bytes)
            rc = reelay_err_set(err, REELAY_E_INPUT,
                                "the attached recording (%d bytes) is larger than --max-input-bytes (%zu)",
                                found->codecpar->extradata_size, max_bytes);
        else if (reelay_buf_append(out, found->codecpar->extradata, (size_t)found->codecpar->extradata_size) != 0)
            rc = reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    }
    avformat_close_input(&fmt);
    av_freep(&io->buffer);
    avio_context_free(&io);
    return rc;
}

void reelay_archive_recording_name(const char *input_path, char *out, size_t size)
{
    const char *base = input_path && strcmp(input_path, "-") != 0 ? strrchr(input_path, '/') : NULL;
    base = base ? base + 1 : input_path;
    size_t base_len = base ? strlen(base) : 0;
    /* stdin, or an archive being re-rendered: a neutral name */
    if (!base_len || strcmp(input_path, "-") == 0 || (base_len >= 4 && strcmp(base + base_len - 4, ".mkv") == 0))
        base = "recording.json";
    size_t n = strlen(base);
    bool gz = n >= 3 && strcmp(base + n - 3, ".gz") == 0;
    snprintf(out, size, "%s%s", base, gz ? "" : ".gz");
}
