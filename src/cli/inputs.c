/* The recordings a command takes many of (batch, submit): names from the
 * command line or, for "-", one per line from standard input, as `reelay
 * list` prints them; and the job id each gets from its name. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "source/source.h"

/* A list on standard input larger than this is refused. */
#define INPUT_LIST_MAX ((size_t)64 << 20)

int reelay_cli_inputs_add(reelay_cli_inputs *inputs, char *name, reelay_err *err)
{
    if (!reelay_grow_array((void **)&inputs->names, &inputs->cap, inputs->count + 1, sizeof *inputs->names))
        return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
    inputs->names[inputs->count++] = name;
    return REELAY_OK;
}

int reelay_cli_inputs_read_list(reelay_cli_inputs *inputs, reelay_err *err)
{
    int rc = reelay_read_file("-", INPUT_LIST_MAX, &inputs->listed, err);
    if (rc != REELAY_OK) {
        reelay_err_prefix(err, "the list of INPUTS (-)");
        return rc;
    }
    char *text = (char *)inputs->listed.data;
    for (char *line = text; rc == REELAY_OK && line && line < text + inputs->listed.len;) {
        char *end = strchr(line, '\n');
        char *next = end ? end + 1 : NULL;
        if (!end) end = line + strlen(line);
        while (end > line && isspace((unsigned char)end[-1])) end--;
        while (line < end && isspace((unsigned char)*line)) line++;
        *end = '\0';
        if (line[0] && line[0] != '#') rc = reelay_cli_inputs_add(inputs, line, err);
        line = next;
    }
    return rc;
}

void reelay_cli_inputs_free(reelay_cli_inputs *inputs)
{
    free(inputs->names);
    reelay_buf_free(&inputs->listed);
    memset(inputs, 0, sizeof *inputs);
}

void reelay_cli_job_id(const reelay_cli_inputs *inputs, size_t index, const char (*earlier)[REELAY_JOB_ID_MAX + 1],
                       char out[REELAY_JOB_ID_MAX + 1])
{
    char shown[REELAY_SHOWN_INPUT_MAX];
    reelay_source_shown_input(inputs->names[index], shown, sizeof shown);
    const char *base = strrchr(shown, '/');
    base = base ? base + 1 : shown;
    size_t n = 0;
    for (const char *p = base; *p && *p != '.' && n < 48; p++) {
        unsigned char c = (unsigned char)*p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        out[n++] = plain ? (char)c : '_';
    }
    out[n] = '\0';
    if (n == 0) snprintf(out, REELAY_JOB_ID_MAX + 1, "recording");
    for (size_t j = 0; j < index; j++) {
        if (strcmp(earlier[j], out) == 0) {
            size_t len = strlen(out);
            snprintf(out + len, REELAY_JOB_ID_MAX + 1 - len, "-%zu", index + 1);
            break;
        }
    }
}
