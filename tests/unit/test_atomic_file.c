/* Unit tests for core/atomic_file: temporary files of their own, whole or
 * nothing, never replacing what may not be replaced, two writers of one
 * name, confinement below a root, publishing several files together. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"

typedef struct fixture {
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/reelay-atomic-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    if (system(command) != 0) return -1;
    free(f);
    return 0;
}

static void path_in(const fixture *f, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", f->dir, name);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void assert_content(const char *path, const char *want)
{
    char got[64] = {0};
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(got, 1, sizeof got - 1, fp);
    fclose(fp);
    got[n] = '\0';
    assert_string_equal(got, want);
}

static void begin_ok(reelay_atomic_file *file, const char *path, const reelay_atomic_options *o)
{
    reelay_err err;
    int rc = reelay_atomic_begin_with(file, path, o, &err);
    if (rc != REELAY_OK) fail_msg("begin %s: %s", path, err.msg);
}

static void test_abort_and_commit(void **state)
{
    fixture *f = *state;
    char path[256];
    path_in(f, "out.png", path, sizeof path);
    reelay_err err;
    reelay_atomic_file file;
    begin_ok(&file, path, NULL);
    fputs("half", file.fp);
    fflush(file.fp);
    /* The bytes are readable by the temporary path (a checksum reads them
     * there), and no file of the final name exists yet. */
    assert_content(file.partial_path, "half");
    assert_int_not_equal(access(path, F_OK), 0);
    reelay_atomic_abort(&file);
    assert_int_equal(ts_dir_entries(f->dir), 0);

    begin_ok(&file, path, NULL);
    fputs("whole", file.fp);
    assert_int_equal(reelay_atomic_commit(&file, &err), REELAY_OK);
    assert_content(path, "whole");
    assert_int_equal(ts_dir_entries(f->dir), 1);
    reelay_atomic_abort(&file); /* harmless after commit */
    assert_content(path, "whole");

    /* Replacing is the default. */
    begin_ok(&file, path, NULL);
    fputs("newer", file.fp);
    assert_int_equal(reelay_atomic_commit(&file, &err), REELAY_OK);
    assert_content(path, "newer");
    assert_int_equal(ts_dir_entries(f->dir), 1);

    /* A zeroed writer can be aborted. */
    reelay_atomic_file zero;
    memset(&zero, 0, sizeof zero);
    reelay_atomic_abort(&zero);
}

static void test_keep_existing(void **state)
{
    fixture *f = *state;
    char path[256];
    path_in(f, "taken.webm", path, sizeof path);
    write_text(path, "theirs");
    chmod(path, 0444);
    reelay_atomic_options keep = {.keep_existing = true};
    reelay_atomic_file file;
    reelay_err err;
    /* Known at once, before any work. */
    assert_int_equal(reelay_atomic_begin_with(&file, path, &keep, &err), REELAY_E_IO);
    assert_true(err.flags & REELAY_ERR_LASTING);
    assert_non_null(strstr(err.msg, "exists already"));
    assert_content(path, "theirs");

    /* A file that appears while we write is not replaced either. */
    char fresh[256];
    path_in(f, "fresh.webm", fresh, sizeof fresh);
    begin_ok(&file, fresh, &keep);
    fputs("ours", file.fp);
    write_text(fresh, "first");
    assert_int_equal(reelay_atomic_commit(&file, &err), REELAY_E_IO);
    assert_true(err.flags & REELAY_ERR_LASTING);
    assert_content(fresh, "first");
    assert_int_equal(ts_dir_entries(f->dir), 2);
}

/* The stalled-worker case: two writers of one name, the later one to
 * finish must not touch what the first one published. */
static void test_two_writers(void **state)
{
    fixture *f = *state;
    char path[256];
    path_in(f, "video.mp4", path, sizeof path);
    reelay_err err;
    reelay_atomic_file slow, fast;
    begin_ok(&slow, path, NULL);
    begin_ok(&fast, path, NULL);
    fputs("slow-", slow.fp);
    fputs("fast", fast.fp);
    assert_int_equal(reelay_atomic_commit(&fast, &err), REELAY_OK);
    fputs("more", slow.fp); /* its own file: the published one is untouched */
    assert_content(path, "fast");
    assert_int_equal(reelay_atomic_commit(&slow, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "kept theirs"));
    assert_content(path, "fast");

    /* Both replacing an older file: the first to finish wins, the other
     * keeps its hands off. */
    begin_ok(&slow, path, NULL);
    begin_ok(&fast, path, NULL);
    fputs("second", fast.fp);
    fputs("third", slow.fp);
    assert_int_equal(reelay_atomic_commit(&fast, &err), REELAY_OK);
    assert_int_equal(reelay_atomic_commit(&slow, &err), REELAY_E_IO);
    assert_content(path, "second");
    assert_int_equal(ts_dir_entries(f->dir), 1);
}

static void test_unwritable_places(void **state)
{
    fixture *f = *state;
    char path[256];
    reelay_atomic_file file;
    reelay_err err;
    path_in(f, "no/such/dir/out.png", path, sizeof path);
    assert_int_equal(reelay_atomic_begin(&file, path, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "no/such/dir/out.png: cannot create: No such file or directory"));
    assert_true(err.flags & REELAY_ERR_LASTING);
    reelay_atomic_abort(&file);

    /* The name is a directory: lasting, known at once. */
    path_in(f, "adir", path, sizeof path);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(reelay_atomic_begin(&file, path, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "Is a directory"));
    assert_true(err.flags & REELAY_ERR_LASTING);
}

static void test_root_confines(void **state)
{
    fixture *f = *state;
    char root[200], outside[200], link[256], path[256];
    path_in(f, "root", root, sizeof root);
    path_in(f, "outside", outside, sizeof outside);
    assert_int_equal(mkdir(root, 0755), 0);
    assert_int_equal(mkdir(outside, 0755), 0);
    snprintf(link, sizeof link, "%s/linkdir", root);
    assert_int_equal(symlink(outside, link), 0);
    reelay_atomic_options confined = {.root = root};
    reelay_atomic_file file;
    reelay_err err;

    /* Through a symlinked directory: refused, nothing written outside. */
    snprintf(path, sizeof path, "%s/linkdir/x.mp4", root);
    assert_int_equal(reelay_atomic_begin_with(&file, path, &confined, &err), REELAY_E_IO);
    assert_true(err.flags & REELAY_ERR_LASTING);
    assert_non_null(strstr(err.msg, "leaves"));
    assert_int_equal(ts_dir_entries(outside), 0);

    /* '..' and paths elsewhere. */
    snprintf(path, sizeof path, "%s/../outside/x.mp4", root);
    assert_int_equal(reelay_atomic_begin_with(&file, path, &confined, &err), REELAY_E_IO);
    snprintf(path, sizeof path, "%s/x.mp4", outside);
    assert_int_equal(reelay_atomic_begin_with(&file, path, &confined, &err), REELAY_E_IO);
    assert_non_null(strstr(err.msg, "not inside"));
    assert_int_equal(ts_dir_entries(outside), 0);

    /* A real subdirectory is fine; a symlink as the final name is replaced
     * as a name, never followed. */
    char sub[240], target[240];
    snprintf(sub, sizeof sub, "%s/sub", root);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(target, sizeof target, "%s/victim", outside);
    write_text(target, "safe");
    snprintf(path, sizeof path, "%s/sub/out.mp4", root);
    assert_int_equal(symlink(target, path), 0);
    begin_ok(&file, path, &confined);
    fputs("video", file.fp);
    assert_int_equal(reelay_atomic_commit(&file, &err), REELAY_OK);
    assert_content(target, "safe");
    assert_content(path, "video");
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
}

static void test_commit_all(void **state)
{
    fixture *f = *state;
    char a[256], b[256], c[256];
    path_in(f, "a.webm", a, sizeof a);
    path_in(f, "b.png", b, sizeof b);
    path_in(f, "c.json", c, sizeof c);
    reelay_atomic_options keep = {.keep_existing = true};
    reelay_atomic_file files[3];
    reelay_err err;
    begin_ok(&files[0], a, &keep);
    begin_ok(&files[1], b, &keep);
    begin_ok(&files[2], c, &keep);
    for (int i = 0; i < 3; i++) fputs("x", files[i].fp);
    /* The last one's name is taken meanwhile: none of the three appears. */
    write_text(c, "theirs");
    assert_int_equal(reelay_atomic_commit_all(files, 3, &err), REELAY_E_IO);
    assert_int_equal(ts_dir_entries(f->dir), 1);
    assert_content(c, "theirs");
    unlink(c);

    /* Held writers published together. */
    reelay_atomic_file writer, held[2];
    for (int i = 0; i < 2; i++) {
        begin_ok(&writer, i ? b : a, &keep);
        fputs(i ? "bee" : "ay", writer.fp);
        assert_int_equal(reelay_atomic_finish(&writer, &held[i], &err), REELAY_OK);
        assert_null(writer.fp);
    }
    assert_int_equal(ts_dir_entries(f->dir), 0);
    assert_int_equal(reelay_atomic_commit_all(held, 2, &err), REELAY_OK);
    assert_content(a, "ay");
    assert_content(b, "bee");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_abort_and_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_places, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_confines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_all, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
