/*
 * replay_main.c - main() for the corpus replay binaries (make test): feeds
 * each file named on the command line to LLVMFuzzerTestOneInput() once, in
 * order. A broken invariant aborts, and the sanitizers of make check stop
 * the process on a memory error, so any non-zero exit names a bad input:
 * the driver prints each file's name before running it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

/* The whole file in a buffer of exactly its size, so that ASan sees a read
 * past the end; *len is its length. NULL if it cannot be read. */
static uint8_t *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *p = malloc(cap);
    while (p) {
        if (n == cap) {
            uint8_t *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
            cap *= 2;
        }
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (p && ferror(f)) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (!p)
        return NULL;
    /* Exact size (at least one byte, so an empty input is not NULL). */
    uint8_t *exact = malloc(n ? n : 1);
    if (exact)
        memcpy(exact, p, n);
    free(p);
    *len = n;
    return exact;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        size_t len = 0;
        uint8_t *data = read_file(argv[i], &len);
        if (!data) {
            fprintf(stderr, "%s: cannot read: %s\n", argv[i], strerror(errno));
            return 2;
        }
        fprintf(stderr, "replay %s (%zu bytes)\n", argv[i], len);
        (void)LLVMFuzzerTestOneInput(data, len);
        free(data);
    }
    fprintf(stderr, "replayed %d file(s)\n", argc - 1);
    return 0;
}
