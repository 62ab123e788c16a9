/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point, which
 * replay_main.c (gcc, make test) and libFuzzer (clang, make fuzz) both call,
 * FUZZ_CHECK(), which aborts with the broken invariant so that the
 * sanitizers or the replay driver report the input, and fuzz_strict().
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Feed one input to the target; always returns 0 (libFuzzer ignores it). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the code under test: abort() if it does not hold. Never
 * for bad input, which the code under test must reject by itself. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Allowances for known, reported bugs (each marked "Known bug" in its
 * target) apply unless FUZZ_STRICT=1 is in the environment, which makes the
 * reproducers in tests/fuzz/repro/ fail again. */
static inline bool
fuzz_strict(void)
{
    static int strict = -1;
    if (strict < 0) {
        const char *v = getenv("FUZZ_STRICT");
        strict = v && v[0] == '1';
    }
    return strict;
}

#endif
