/*
 * dataset.h - labelled texts for training and evaluation, read from CSV
 * (RFC 4180, with or without a header row) or JSON Lines (one object per
 * line), with HTML tags and entities stripped from the text. Exports struct
 * dataset_row, struct dataset_opts, dataset_load(), dataset_strip_html()
 * and the limits DATASET_ROWS_MAX, DATASET_FIELDS_MAX. Pure.
 */
#ifndef PIPELINE_DATASET_H
#define PIPELINE_DATASET_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

enum {
    DATASET_ROWS_MAX = 5000000, /* rows of one file */
    DATASET_FIELDS_MAX = 256,   /* columns of a CSV row, keys of a JSON object */
};

struct dataset_row {
    struct str text;  /* HTML stripped, white space as it was; lives in the arena */
    struct str label; /* trimmed; never empty */
    size_t line;      /* where the row starts, from 1 */
};

struct dataset_opts {
    bool jsonl;            /* JSON Lines; else CSV */
    bool no_header;        /* CSV: the first row is data */
    const char *text_col;  /* a 1-based number, or a header name / JSON key */
    const char *label_col; /* likewise */
};

/*
 * Read the rows of in (borrowed) into *rows (an array of *count; it and
 * every string in it live in a). A row whose text is empty after stripping,
 * or whose label is empty, is skipped and counted in *skipped. ERR_INVALID
 * for a malformed file (unterminated quote, a line that is not a JSON
 * object, invalid UTF-8), a column name the header does not have, a column
 * number past a row's end, or a name given for CSV without a header;
 * ERR_TOOBIG past DATASET_ROWS_MAX rows or DATASET_FIELDS_MAX fields. *why
 * (static or in a) says what and where on error.
 */
enum err dataset_load(struct arena *a, struct str in, const struct dataset_opts *o,
                      struct dataset_row **rows, size_t *count, size_t *skipped, const char **why);

/* Strip HTML from p[0..len) in place: tags (<p>, </div>, <br/>) become a
 * space, comments vanish, the entities &amp; &lt; &gt; &quot; &apos; &nbsp;
 * and &#N; &#xH; become their characters (an invalid or unknown one is kept
 * as written). The new length; never longer. */
size_t dataset_strip_html(char *p, size_t len);

#endif
