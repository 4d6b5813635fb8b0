/* The page engine's line protocol: lines taken whole and in order, a line
 * peeked at without blocking and left for the next read, payload bytes
 * after a line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/wire.h"

static void test_peek_leaves_the_line(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    reelay_wire_reader reader;
    reelay_wire_reader_init(&reader, fds[0]);
    char line[64];
    /* nothing sent: peeking does not block */
    assert_false(reelay_wire_peek_line(&reader, line, sizeof line));
    /* half a line is not a line */
    assert_int_equal(write(fds[1], "SEEK 1", 6), 6);
    assert_false(reelay_wire_peek_line(&reader, line, sizeof line));
    assert_int_equal(write(fds[1], "0.5 2\nSEEK 20.250 0\n", 20), 20);
    assert_true(reelay_wire_peek_line(&reader, line, sizeof line));
    assert_string_equal(line, "SEEK 10.5 2");
    assert_true(reelay_wire_peek_line(&reader, line, sizeof line)); /* still there */
    assert_string_equal(line, "SEEK 10.5 2");
    reelay_err err;
    reelay_err_clear(&err);
    assert_int_equal(reelay_wire_read_line(&reader, line, sizeof line, &err), REELAY_OK);
    assert_string_equal(line, "SEEK 10.5 2");
    assert_true(reelay_wire_peek_line(&reader, line, sizeof line));
    assert_string_equal(line, "SEEK 20.250 0");
    assert_true(reelay_wire_take_line(&reader, line, sizeof line));
    assert_string_equal(line, "SEEK 20.250 0");
    assert_false(reelay_wire_peek_line(&reader, line, sizeof line));
    close(fds[0]);
    close(fds[1]);
}

static void test_line_then_payload(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    reelay_wire_reader reader;
    reelay_wire_reader_init(&reader, fds[0]);
    const char sent[] = "LOAD 5\n[1,2]QUIT\n";
    assert_int_equal(write(fds[1], sent, sizeof sent - 1), (ssize_t)(sizeof sent - 1));
    reelay_err err;
    reelay_err_clear(&err);
    char line[16], payload[5];
    assert_int_equal(reelay_wire_read_line(&reader, line, sizeof line, &err), REELAY_OK);
    assert_string_equal(line, "LOAD 5");
    assert_int_equal(reelay_wire_read_bytes(&reader, payload, sizeof payload, &err), REELAY_OK);
    assert_memory_equal(payload, "[1,2]", 5);
    assert_true(reelay_wire_peek_line(&reader, line, sizeof line));
    assert_string_equal(line, "QUIT");
    /* a line longer than the caller's buffer is cut, not overrun */
    assert_int_equal(write(fds[1], "SEEK 123456789.123 7\n", 21), 21);
    assert_int_equal(reelay_wire_read_line(&reader, line, sizeof line, &err), REELAY_OK);
    assert_true(reelay_wire_peek_line(&reader, line, 8));
    assert_string_equal(line, "SEEK 12");
    close(fds[1]);
    assert_int_equal(reelay_wire_read_line(&reader, line, sizeof line, &err), REELAY_OK);
    assert_int_equal(reelay_wire_read_line(&reader, line, sizeof line, &err), REELAY_E_IO);
    close(fds[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peek_leaves_the_line),
        cmocka_unit_test(test_line_then_payload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
