/* wire.h — the page engine's protocol over a socket pair (reelay <-> engine).
 * Owns: framing. Every request and reply is one text line, "VERB [ARGS]\n",
 * at most REELAY_WIRE_LINE_MAX bytes; a request may be followed by a payload
 * whose length its line names. The verbs are listed here so both ends agree:
 *
 *   reelay -> engine                      engine -> reelay
 *   LOAD <bytes>\n<bytes of JSON array>   READY | ERR <message>
 *   SEEK <epoch ms> <slot>                FRAME (W x H BGRA in frame <slot> of the shared
 *                                         memory) | ERR <message>; answered in order
 *   QUIT                                  (exits)
 *
 * A reader buffers what it has read; the blocking reads here are for the
 * engine, the client polls with its own deadline (renderers/web/page_engine.c). */
#ifndef REELAY_ENGINE_WIRE_H
#define REELAY_ENGINE_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

#define REELAY_WIRE_LINE_MAX 1024

typedef struct reelay_wire_reader {
    int fd;
    size_t len; /* bytes buffered */
    char buf[4096];
} reelay_wire_reader;

void reelay_wire_reader_init(reelay_wire_reader *reader, int fd);

/* One read() of whatever is available into the buffer: bytes read, 0 at end
 * of file, -1 on error (errno set; EINTR is retried). Only call when the
 * buffer holds no complete line (it never grows past its size). */
long reelay_wire_fill(reelay_wire_reader *reader);

/* Moves the first buffered line (without its '\n') into line (size bytes)
 * and returns true; false when no complete line is buffered yet. A line too
 * long for the buffer is cut. */
bool reelay_wire_take_line(reelay_wire_reader *reader, char *line, size_t size);

/* Not blocking: a copy of the next line, left in the buffer, when one has
 * arrived (buffered, or waiting on the socket); false otherwise. */
bool reelay_wire_peek_line(reelay_wire_reader *reader, char *line, size_t size);

/* Blocking: the next line. REELAY_E_IO at end of file or on an error. */
int reelay_wire_read_line(reelay_wire_reader *reader, char *line, size_t size, reelay_err *err);

/* Blocking: exactly len payload bytes (the buffered ones first). */
int reelay_wire_read_bytes(reelay_wire_reader *reader, void *dst, size_t len, reelay_err *err);

/* Writes all of data to a socket (EINTR retried, never SIGPIPE). REELAY_E_IO
 * when the other end is gone. */
int reelay_wire_write(int fd, const void *data, size_t len, reelay_err *err);

/* Writes one line made from a printf format (the '\n' is added; a message
 * line is cut to REELAY_WIRE_LINE_MAX and its newlines made spaces). */
int reelay_wire_printf(int fd, reelay_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
