/*
 * test_arena.c - the region allocator: every allocation zeroed, 16-byte
 * aligned and disjoint from the others, big blocks (their own chunk) mixed
 * with small ones, string copies, printf past a chunk, and that a size that
 * cannot be served aborts with a message instead of returning too little
 * (checked in a child process).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/util.h"

/* Under AddressSanitizer, let a huge malloc() return NULL as libc's does, so
 * that the child below sees xmalloc's own abort. Unused otherwise. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

static bool
all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void
new_and_free(void **state)
{
    (void)state;
    arena_free(NULL);
    struct arena *a = arena_new();
    assert_non_null(a);
    arena_free(a);
}

struct block {
    unsigned char *p;
    size_t n;
};

/* Sizes from 0 up past the big-block threshold, interleaved: each block is
 * zeroed when handed out, aligned, and no block overlaps another (each is
 * filled with its own byte and all are checked at the end). */
static void
zeroed_aligned_disjoint(void **state)
{
    static const size_t sizes[] = {0,    1,    7,    15,   16,   17,    100, 2047, 2048,
                                   2049, 3000, 4096, 8000, 8192, 8193,  1,   24,   65536,
                                   5,    2040, 2056, 9,    1000, 70000, 16,  3,    8176};
    enum { ROUNDS = 20 };
    struct block blocks[ROUNDS * ARRAY_LEN(sizes)];
    size_t nb = 0;
    struct arena *a = arena_new();
    (void)state;
    for (int r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
            size_t n = sizes[i];
            unsigned char *p = arena_alloc(a, n);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % 16, 0);
            if (!all_zero(p, n))
                fail_msg("round %d: block of %zu bytes not zeroed", r, n);
            memset(p, (int)(nb % 251 + 1), n);
            blocks[nb++] = (struct block){p, n};
        }
    }
    for (size_t k = 0; k < nb; k++) {
        unsigned char want = (unsigned char)(k % 251 + 1);
        for (size_t i = 0; i < blocks[k].n; i++)
            if (blocks[k].p[i] != want)
                fail_msg("block %zu (%zu bytes) overwritten at %zu", k, blocks[k].n, i);
    }
    /* Zero-size blocks are distinct pointers too. */
    void *z1 = arena_alloc(a, 0), *z2 = arena_alloc(a, 0);
    assert_ptr_not_equal(z1, z2);
    arena_free(a);
}

/* Big blocks get a chunk of their own and are zeroed in full. */
static void
big_blocks(void **state)
{
    static const size_t sizes[] = {2049, 8192, 8193, 1 << 20, 16 << 20};
    struct arena *a = arena_new();
    (void)state;
    unsigned char *small = arena_alloc(a, 32);
    memset(small, 0xAA, 32);
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        unsigned char *p = arena_alloc(a, sizes[i]);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_true(all_zero(p, sizes[i]));
        p[0] = 1;
        p[sizes[i] - 1] = 2; /* the last byte is ours (ASan would tell) */
        unsigned char *s = arena_alloc(a, 48);
        assert_true(all_zero(s, 48));
        memset(s, 0xBB, 48);
        assert_int_equal(p[sizes[i] - 1], 2);
    }
    assert_true(small[0] == 0xAA && small[31] == 0xAA);
    arena_free(a);
}

static void
arrays(void **state)
{
    struct arena *a = arena_new();
    (void)state;
    int64_t *v = ARENA_ARRAY(a, int64_t, 1000);
    assert_true(all_zero((unsigned char *)v, 1000 * sizeof(*v)));
    for (int i = 0; i < 1000; i++)
        v[i] = i;
    struct pair {
        int a, b;
    } *pp = ARENA_NEW(a, struct pair);
    assert_int_equal(pp->a, 0);
    assert_int_equal(pp->b, 0);
    assert_int_equal(v[999], 999);
    assert_non_null(ARENA_ARRAY(a, char, 0));
    arena_free(a);
}

static void
strings(void **state)
{
    struct arena *a = arena_new();
    (void)state;
    char *s = arena_strndup(a, "abcdef", 3);
    assert_string_equal(s, "abc");
    s = arena_strndup(a, NULL, 0);
    assert_string_equal(s, "");
    s = arena_strndup(a, "a\0b", 3);
    assert_memory_equal(s, "a\0b", 4);
    assert_null(arena_strdup(a, NULL));
    assert_string_equal(arena_strdup(a, "Қазақ"), "Қазақ");
    assert_string_equal(arena_str(a, STR_NULL), "");
    assert_string_equal(arena_str(a, (struct str){"xyz!", 3}), "xyz");
    assert_string_equal(arena_printf(a, "%d-%s-%c", -5, "ok", 'z'), "-5-ok-z");
    assert_string_equal(arena_printf(a, "%s", ""), "");
    /* Longer than a chunk. */
    char big[20001];
    memset(big, 'w', 20000);
    big[20000] = '\0';
    char *p = arena_printf(a, "[%s]", big);
    assert_int_equal(strlen(p), 20002);
    assert_int_equal(p[0], '[');
    assert_int_equal(p[20001], ']');
    char *q = arena_strdup(a, big);
    assert_string_equal(q, big);
    assert_ptr_not_equal(q, big);
    arena_free(a);
}

/* Run fn(n) in a child: it must die of SIGABRT after printing a message
 * that contains want, not crash or come back with too little memory. */
static void
child_aborts(void (*fn)(size_t), size_t n, const char *want)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        /* cmocka catches these to report a crash; here a crash is the answer. */
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        signal(SIGILL, SIG_DFL);
        signal(SIGFPE, SIG_DFL);
        fn(n);
        _exit(0); /* came back: the test sees exit 0 */
    }
    close(fds[1]);
    char msg[4096];
    size_t len = 0;
    ssize_t r;
    while (len < sizeof(msg) - 1 && (r = read(fds[0], msg + len, sizeof(msg) - 1 - len)) > 0)
        len += (size_t)r;
    msg[len] = '\0';
    close(fds[0]);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT || !strstr(msg, want))
        fail_msg("size %zu: want SIGABRT and \"%s\"; got %s %d, stderr: %.300s", n, want,
                 WIFSIGNALED(st) ? "signal" : "exit",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), msg);
}

static void
alloc_then_touch(size_t n)
{
    struct arena *a = arena_new();
    unsigned char *p = arena_alloc(a, n);
    /* If this returns, the block must really have n bytes. */
    p[n - 1] = 1;
    arena_free(a);
}

static void
array_of(size_t n)
{
    struct arena *a = arena_new();
    (void)arena_array(a, n, 4);
    arena_free(a);
}

static void
impossible_sizes_abort(void **state)
{
    (void)state;
    /* Rounding up to 16 overflows. */
    child_aborts(alloc_then_touch, SIZE_MAX, "tyndau: arena");
    child_aborts(alloc_then_touch, SIZE_MAX - 14, "tyndau: arena");
    /* count x size overflows. */
    child_aborts(array_of, SIZE_MAX / 2, "tyndau: arena");
    /* Fits size_t but no memory has it: xmalloc's message. */
    child_aborts(alloc_then_touch, SIZE_MAX / 4, "tyndau: out of memory");
}

/* Just below SIZE_MAX, the size plus the chunk header overflows: that must
 * abort too, not hand out a block shorter than asked. */
static void
near_size_max_aborts(void **state)
{
    (void)state;
    child_aborts(alloc_then_touch, SIZE_MAX - 15, "tyndau:");
    child_aborts(alloc_then_touch, SIZE_MAX - 64, "tyndau:");
}

/* A small first chunk serves small requests and grows into usual chunks;
 * everything stays zeroed, aligned and disjoint. */
static void
sized_first_chunk(void **state)
{
    (void)state;
    struct arena *a = arena_new_sized(256);
    char *p[64];
    for (size_t i = 0; i < 64; i++) {
        p[i] = arena_alloc(a, 100);
        assert_int_equal((uintptr_t)p[i] % 16, 0);
        for (size_t k = 0; k < 100; k++)
            assert_int_equal(p[i][k], 0);
        memset(p[i], (int)i + 1, 100);
    }
    for (size_t i = 0; i < 64; i++)
        for (size_t k = 0; k < 100; k++)
            assert_int_equal(p[i][k], (char)(i + 1));
    char *big = arena_alloc(a, 5000);
    memset(big, 7, 5000);
    assert_int_equal(p[63][99], 64);
    arena_free(a);
    arena_free(arena_new_sized(0)); /* 0: the usual size */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_and_free),
        cmocka_unit_test(sized_first_chunk),
        cmocka_unit_test(zeroed_aligned_disjoint),
        cmocka_unit_test(big_blocks),
        cmocka_unit_test(arrays),
        cmocka_unit_test(strings),
        cmocka_unit_test(impossible_sizes_abort),
        cmocka_unit_test(near_size_max_aborts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
