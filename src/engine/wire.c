#include "engine/wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void reelay_wire_reader_init(reelay_wire_reader *reader, int fd)
{
    reader->fd = fd;
    reader->len = 0;
}

long reelay_wire_fill(reelay_wire_reader *reader)
{
    if (reader->len == sizeof reader->buf) reader->len = 0; /* an overlong line: dropped */
    for (;;) {
        ssize_t n = read(reader->fd, reader->buf + reader->len, sizeof reader->buf - reader->len);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) reader->len += (size_t)n;
        return (long)n;
    }
}

/* Copies the first buffered line (without its '\n', cut to size) into
 * line; its length, or -1 when no complete line is buffered. */
static long first_line(const reelay_wire_reader *reader, char *line, size_t size)
{
    const char *nl = memchr(reader->buf, '\n', reader->len);
    if (!nl) return -1;
    size_t n = (size_t)(nl - reader->buf);
    size_t copy = n < size - 1 ? n : size - 1;
    memcpy(line, reader->buf, copy);
    line[copy] = '\0';
    return (long)n;
}

bool reelay_wire_take_line(reelay_wire_reader *reader, char *line, size_t size)
{
    long n = first_line(reader, line, size);
    if (n < 0) return false;
    reader->len -= (size_t)n + 1;
    memmove(reader->buf, reader->buf + n + 1, reader->len);
    return true;
}

bool reelay_wire_peek_line(reelay_wire_reader *reader, char *line, size_t size)
{
    if (!memchr(reader->buf, '\n', reader->len) && reader->len < sizeof reader->buf) {
        ssize_t n = recv(reader->fd, reader->buf + reader->len, sizeof reader->buf - reader->len, MSG_DONTWAIT);
        if (n > 0) reader->len += (size_t)n;
    }
    return first_line(reader, line, size) >= 0;
}

int reelay_wire_read_line(reelay_wire_reader *reader, char *line, size_t size, reelay_err *err)
{
    while (!reelay_wire_take_line(reader, line, size)) {
        long n = reelay_wire_fill(reader);
        if (n == 0) return reelay_err_set(err, REELAY_E_IO, "the other end closed the connection");
        if (n < 0) return reelay_err_set(err, REELAY_E_IO, "cannot read the connection: %s", strerror(errno));
    }
    return REELAY_OK;
}

int reelay_wire_read_bytes(reelay_wire_reader *reader, void *dst, size_t len, reelay_err *err)
{
    unsigned char *out = dst;
    size_t have = reader->len < len ? reader->len : len;
    memcpy(out, reader->buf, have);
    reader->len -= have;
    memmove(reader->buf, reader->buf + have, reader->len);
    while (have < len) {
        ssize_t n = read(reader->fd, out + have, len - have);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) return reelay_err_set(err, REELAY_E_IO, "the connection ended inside a payload");
        if (n < 0) return reelay_err_set(err, REELAY_E_IO, "cannot read the connection: %s", strerror(errno));
        have += (size_t)n;
    }
    return REELAY_OK;
}

int reelay_wire_write(int fd, const void *data, size_t len, reelay_err *err)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return reelay_err_set(err, REELAY_E_IO, "cannot write the connection: %s", strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return REELAY_OK;
}

int reelay_wire_printf(int fd, reelay_err *err, const char *fmt, ...)
{
    char line[REELAY_WIRE_LINE_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line - 1 ? (size_t)n : sizeof line - 2;
    for (size_t i = 0; i < len; i++)
        if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
    line[len++] = '\n';
    return reelay_wire_write(fd, line, len, err);
}
