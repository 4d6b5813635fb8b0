/* archive.h — recordings carried inside the videos reelay makes.
 * Owns: the convention of a self-contained archive (a Matroska file whose
 * attachments hold the recording, gzip-compressed, and the render's
 * manifest) and reading the recording back out with libavformat. Written by
 * the render (--attach-recording), read by ingest (so `info` and `render`
 * take such a video as their input) and by `reelay extract`. */
#ifndef REELAY_INGEST_ARCHIVE_H
#define REELAY_INGEST_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* The attachments' MIME types and descriptions (Matroska FileMimeType and
 * FileDescription); the recording is found by its description. */
#define REELAY_ARCHIVE_RECORDING_MIME "application/gzip"
#define REELAY_ARCHIVE_RECORDING_TITLE "reelay: the recording, gzip-compressed"
#define REELAY_ARCHIVE_MANIFEST_MIME "application/json"
#define REELAY_ARCHIVE_MANIFEST_TITLE "reelay: the render's manifest"
#define REELAY_ARCHIVE_MANIFEST_NAME "manifest.json"

/* Whether data starts like a Matroska (EBML) file. */
bool reelay_archive_is_matroska(const unsigned char *data, size_t len);

/* Appends the recording attached to the Matroska file in data (gzip bytes,
 * as attached) to out. REELAY_E_INPUT when the file cannot be read as
 * Matroska, holds no recording attachment (a video made without
 * --attach-recording), or the recording is larger than max_bytes. */
int reelay_archive_read_recording(const unsigned char *data, size_t len, size_t max_bytes, reelay_buf *out,
                                  reelay_err *err);

/* The attachment's file name for a recording read from input_path: its base
 * name, with ".gz" added unless it has it; "recording.json.gz" for stdin
 * ("-") or an archive (.mkv) being rendered again. */
void reelay_archive_recording_name(const char *input_path, char *out, size_t size);

#endif
