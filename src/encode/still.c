#include "encode/still.h"

#include <stdio.h>

#include "core/atomic_file.h"

static cairo_status_t write_to_file(void *closure, const unsigned char *data, unsigned int length)
{
    FILE *fp = closure;
    return fwrite(data, 1, length, fp) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int reelay_write_png(cairo_surface_t *surface, const char *path, reelay_err *err)
{
    reelay_atomic_file file;
    int rc = reelay_atomic_begin(&file, path, err);
    if (rc != REELAY_OK) return rc;
    cairo_status_t status = cairo_surface_write_to_png_stream(surface, write_to_file, file.fp);
    if (status != CAIRO_STATUS_SUCCESS) {
        reelay_atomic_abort(&file);
        int code = status == CAIRO_STATUS_WRITE_ERROR ? REELAY_E_IO : REELAY_E_INTERNAL;
        return reelay_err_set(err, code, "%s: cannot write PNG: %s", path, cairo_status_to_string(status));
    }
    return reelay_atomic_commit(&file, err);
}
