/*
 * dataset.c - CSV and JSON Lines readers for labelled texts, and the HTML
 * stripper. Exports dataset_load() and dataset_strip_html(); everything
 * else is static.
 *
 * The JSON reader takes what a JSON Lines file of flat records holds: one
 * object per line whose values are strings, numbers, true, false or null;
 * nested arrays and objects are skipped over (a column cannot name them).
 */
#include "pipeline/dataset.h"

#include <string.h>

#include "base/util.h"
#include "text/utf8.h"

/* ---- HTML ---- */

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The entity at p[0..len) (p[0] == '&'): its UTF-8 into out and the bytes
 * it took, or 0 if it is not one we decode. */
static size_t
entity(const char *p, size_t len, char out[4], size_t *out_len)
{
    static const struct {
        const char *name;
        const char *utf8;
    } named[] = {{"&amp;", "&"},   {"&lt;", "<"},   {"&gt;", ">"},
                 {"&quot;", "\""}, {"&apos;", "'"}, {"&nbsp;", "\xC2\xA0"}};
    for (size_t i = 0; i < ARRAY_LEN(named); i++) {
        size_t n = strlen(named[i].name);
        if (len >= n && memcmp(p, named[i].name, n) == 0) {
            *out_len = strlen(named[i].utf8);
            memcpy(out, named[i].utf8, *out_len);
            return n;
        }
    }
    if (len < 4 || p[1] != '#')
        return 0;
    bool hex = p[2] == 'x' || p[2] == 'X';
    size_t i = hex ? 3 : 2, start = i;
    unsigned long cp = 0;
    while (i < len && i - start < 7) {
        int d = hex ? hex_value(p[i]) : (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : -1);
        if (d < 0)
            break;
        cp = cp * (hex ? 16 : 10) + (unsigned long)d;
        i++;
    }
    if (i == start || i >= len || p[i] != ';' || cp == 0 || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *out_len = utf8_encode((int32_t)cp, out);
    return i + 1;
}

size_t
dataset_strip_html(char *p, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        if (p[i] == '<' && i + 3 < len && memcmp(p + i, "<!--", 4) == 0) {
            const char *end = NULL;
            for (size_t k = i + 4; k + 2 < len; k++)
                if (memcmp(p + k, "-->", 3) == 0) {
                    end = p + k + 3;
                    break;
                }
            i = end ? (size_t)(end - p) : len;
            continue;
        }
        /* A tag starts with a letter, '/' or '!': "a < b" is text. */
        if (p[i] == '<' && i + 1 < len &&
            ((p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z'
                 ? true
                 : p[i + 1] == '/' || p[i + 1] == '!')) {
            size_t k = i + 1;
            while (k < len && p[k] != '>')
                k++;
            if (k < len) {
                p[w++] = ' ';
                i = k + 1;
                continue;
            }
        }
        if (p[i] == '&') {
            char u[4];
            size_t ulen, took = entity(p + i, len - i, u, &ulen);
            if (took) {
                memcpy(p + w, u, ulen);
                w += ulen;
                i += took;
                continue;
            }
        }
        p[w++] = p[i++];
    }
    return w;
}

/* ---- columns ---- */

/* A column: 1-based number (index >= 0 after) or a name. */
struct col {
    long index; /* 0-based; -1 when named */
    const char *name;
};

static bool
parse_col(const char *s, struct col *c)
{
    uint64_t v;
    c->name = s;
    c->index = -1;
    if (!s || !*s)
        return false;
    if (str_to_u64(str_from_cstr(s), DATASET_FIELDS_MAX, &v) == ERR_OK) {
        if (v == 0)
            return false;
        c->index = (long)v - 1;
    }
    return true;
}

static struct str
trim(struct str s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.len--;
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' || s.p[s.len - 1] == '\r'))
        s.len--;
    return s;
}

/* ---- CSV ---- */

struct reader {
    struct str in;
    size_t pos, line;
};

/* The next record's fields into f[0..*n); false at the end. ERR_INVALID for
 * an unterminated quote or text after a closing one, ERR_TOOBIG past max. */
static enum err
csv_record(struct reader *r, struct arena *a, struct str *f, size_t max, size_t *n, bool *more)
{
    const char *p = r->in.p;
    size_t len = r->in.len;
    /* Skip blank lines. */
    while (r->pos < len && (p[r->pos] == '\n' || p[r->pos] == '\r')) {
        if (p[r->pos] == '\n')
            r->line++;
        r->pos++;
    }
    *n = 0;
    *more = r->pos < len;
    if (!*more)
        return ERR_OK;
    for (;;) {
        if (*n == max)
            return ERR_TOOBIG;
        if (p[r->pos] == '"') {
            /* Find the closing quote first: the copy is only as long as the field. */
            size_t end = r->pos + 1;
            while (end < len && (p[end] != '"' || (end + 1 < len && p[end + 1] == '"')))
                end += p[end] == '"' ? 2 : 1;
            if (end >= len)
                return ERR_INVALID;
            size_t i = r->pos + 1, w = 0;
            char *out = arena_alloc(a, end - r->pos);
            for (;;) {
                if (i >= len)
                    return ERR_INVALID;
                if (p[i] == '"') {
                    if (i + 1 < len && p[i + 1] == '"') {
                        out[w++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (p[i] == '\n')
                    r->line++;
                out[w++] = p[i++];
            }
            while (i < len && p[i] == ' ')
                i++;
            if (i < len && p[i] != ',' && p[i] != '\n' && p[i] != '\r')
                return ERR_INVALID;
            f[(*n)++] = (struct str){out, w};
            r->pos = i;
        } else {
            size_t i = r->pos;
            while (i < len && p[i] != ',' && p[i] != '\n')
                i++;
            f[(*n)++] = trim((struct str){p + r->pos, i - r->pos});
            r->pos = i;
        }
        if (r->pos < len && p[r->pos] == '\r')
            r->pos++;
        if (r->pos >= len || p[r->pos] == '\n') {
            if (r->pos < len) {
                r->pos++;
                r->line++;
            }
            return ERR_OK;
        }
        r->pos++; /* the comma */
        if (r->pos >= len) {
            if (*n == max)
                return ERR_TOOBIG;
            f[(*n)++] = (struct str){p + len, 0};
            return ERR_OK;
        }
    }
}

/* ---- JSON Lines ---- */

struct jp {
    const char *p;
    size_t len, pos;
};

static void
jskip_ws(struct jp *j)
{
    while (j->pos < j->len && (j->p[j->pos] == ' ' || j->p[j->pos] == '\t' ||
                               j->p[j->pos] == '\r' || j->p[j->pos] == '\n'))
        j->pos++;
}

static int
hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_value(p[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A JSON string at j (at its quote), unescaped into *out (lives in a). */
static bool
jstring(struct jp *j, struct arena *a, struct str *out)
{
    if (j->pos >= j->len || j->p[j->pos] != '"')
        return false;
    char *o = arena_alloc(a, j->len - j->pos + 1);
    size_t w = 0, i = j->pos + 1;
    while (i < j->len && j->p[i] != '"') {
        unsigned char c = (unsigned char)j->p[i];
        if (c < 0x20)
            return false;
        if (c != '\\') {
            o[w++] = (char)c;
            i++;
            continue;
        }
        if (i + 1 >= j->len)
            return false;
        char e = j->p[i + 1];
        i += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            o[w++] = e;
            break;
        case 'b':
            o[w++] = '\b';
            break;
        case 'f':
            o[w++] = '\f';
            break;
        case 'n':
            o[w++] = '\n';
            break;
        case 'r':
            o[w++] = '\r';
            break;
        case 't':
            o[w++] = '\t';
            break;
        case 'u': {
            int u = i + 4 <= j->len ? hex4(j->p + i) : -1;
            if (u < 0)
                return false;
            i += 4;
            unsigned long cp = (unsigned long)u;
            if (u >= 0xD800 && u <= 0xDBFF) {
                int lo = i + 6 <= j->len && j->p[i] == '\\' && j->p[i + 1] == 'u'
                             ? hex4(j->p + i + 2)
                             : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return false;
                cp = 0x10000 + (((unsigned long)u - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
                i += 6;
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                return false;
            }
            if (cp == 0)
                return false; /* a NUL inside a text is not something we take */
            w += utf8_encode((int32_t)cp, o + w);
            break;
        }
        default:
            return false;
        }
    }
    if (i >= j->len)
        return false;
    j->pos = i + 1;
    *out = (struct str){o, w};
    return true;
}

/* Skip any JSON value; scalars other than strings come back as their text. */
static bool
jvalue(struct jp *j, struct arena *a, struct str *out, int depth)
{
    jskip_ws(j);
    if (j->pos >= j->len || depth > 64)
        return false;
    char c = j->p[j->pos];
    if (c == '"')
        return jstring(j, a, out);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->pos++;
        jskip_ws(j);
        if (j->pos < j->len && j->p[j->pos] == close) {
            j->pos++;
            *out = (struct str){NULL, 0};
            return true;
        }
        for (;;) {
            struct str k;
            if (c == '{') {
                jskip_ws(j);
                if (!jstring(j, a, &k))
                    return false;
                jskip_ws(j);
                if (j->pos >= j->len || j->p[j->pos] != ':')
                    return false;
                j->pos++;
            }
            if (!jvalue(j, a, &k, depth + 1))
                return false;
            jskip_ws(j);
            if (j->pos < j->len && j->p[j->pos] == ',') {
                j->pos++;
                continue;
            }
            if (j->pos < j->len && j->p[j->pos] == close) {
                j->pos++;
                *out = (struct str){NULL, 0};
                return true;
            }
            return false;
        }
    }
    size_t s = j->pos;
    while (j->pos < j->len &&
           (strchr("+-.eE", j->p[j->pos]) || (j->p[j->pos] >= '0' && j->p[j->pos] <= '9') ||
            (j->p[j->pos] >= 'a' && j->p[j->pos] <= 'z')))
        j->pos++;
    struct str v = {j->p + s, j->pos - s};
    if (v.len == 0)
        return false;
    if (!str_cstr_eq(v, "true") && !str_cstr_eq(v, "false") && !str_cstr_eq(v, "null")) {
        double d;
        if (str_to_double(v, &d))
            return false;
    }
    *out = str_cstr_eq(v, "null") ? (struct str){NULL, 0} : v;
    return true;
}

/* The keys and values of the object on one line into k[], v[]; *n pairs. */
static enum err
jobject(struct str line, struct arena *a, struct str *k, struct str *v, size_t max, size_t *n)
{
    struct jp j = {line.p, line.len, 0};
    *n = 0;
    jskip_ws(&j);
    if (j.pos >= j.len || j.p[j.pos] != '{')
        return ERR_INVALID;
    j.pos++;
    jskip_ws(&j);
    if (j.pos < j.len && j.p[j.pos] == '}') {
        j.pos++;
    } else {
        for (;;) {
            if (*n == max)
                return ERR_TOOBIG;
            jskip_ws(&j);
            if (!jstring(&j, a, &k[*n]))
                return ERR_INVALID;
            jskip_ws(&j);
            if (j.pos >= j.len || j.p[j.pos] != ':')
                return ERR_INVALID;
            j.pos++;
            if (!jvalue(&j, a, &v[*n], 0))
                return ERR_INVALID;
            (*n)++;
            jskip_ws(&j);
            if (j.pos < j.len && j.p[j.pos] == ',') {
                j.pos++;
                continue;
            }
            if (j.pos < j.len && j.p[j.pos] == '}') {
                j.pos++;
                break;
            }
            return ERR_INVALID;
        }
    }
    jskip_ws(&j);
    return j.pos == j.len ? ERR_OK : ERR_INVALID;
}

/* ---- rows ---- */

struct rows {
    struct dataset_row *row;
    size_t count, cap;
};

static enum err
add_row(struct arena *a, struct rows *rs, struct str text, struct str label, size_t line,
        size_t *skipped)
{
    char *t = arena_strndup(a, text.p ? text.p : "", text.len);
    size_t tl = dataset_strip_html(t, text.len);
    t[tl] = '\0';
    label = trim(label);
    bool blank = true;
    for (size_t i = 0; i < tl && blank; i++)
        blank = t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r';
    if (blank || label.len == 0) {
        (*skipped)++;
        return ERR_OK;
    }
    if (rs->count == DATASET_ROWS_MAX)
        return ERR_TOOBIG;
    if (rs->count == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 256;
        struct dataset_row *n = ARENA_ARRAY(a, struct dataset_row, cap);
        if (rs->count)
            memcpy(n, rs->row, rs->count * sizeof(*n));
        rs->row = n;
        rs->cap = cap;
    }
    rs->row[rs->count++] = (struct dataset_row){
        (struct str){t, tl}, (struct str){arena_strndup(a, label.p, label.len), label.len}, line};
    return ERR_OK;
}

static long
find_name(const struct str *names, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++)
        if (str_cstr_eq(trim(names[i]), want))
            return (long)i;
    return -1;
}

static enum err
load_csv(struct arena *a, struct str in, const struct dataset_opts *o, struct col tc, struct col lc,
         struct rows *rs, size_t *skipped, const char **why)
{
    struct reader r = {in, 0, 1};
    struct str *f = ARENA_ARRAY(a, struct str, DATASET_FIELDS_MAX);
    size_t n;
    bool more;
    enum err e;
    if (!o->no_header) {
        e = csv_record(&r, a, f, DATASET_FIELDS_MAX, &n, &more);
        if (e || !more) {
            *why = e ? arena_printf(a, "line %zu: malformed CSV header", r.line)
                     : "the file has no rows";
            return e ? e : ERR_INVALID;
        }
        if (tc.index < 0)
            tc.index = find_name(f, n, tc.name);
        if (lc.index < 0)
            lc.index = find_name(f, n, lc.name);
        if (tc.index < 0 || lc.index < 0) {
            *why = arena_printf(a, "the header has no column \"%s\"",
                                tc.index < 0 ? tc.name : lc.name);
            return ERR_INVALID;
        }
    } else if (tc.index < 0 || lc.index < 0) {
        *why = "without a header, columns are numbers (1 for the first)";
        return ERR_INVALID;
    }
    for (;;) {
        size_t line = r.line;
        e = csv_record(&r, a, f, DATASET_FIELDS_MAX, &n, &more);
        if (e) {
            *why = arena_printf(a, "line %zu: %s", line,
                                e == ERR_TOOBIG ? "more than 256 fields" : "malformed CSV");
            return e;
        }
        if (!more)
            return ERR_OK;
        if ((size_t)tc.index >= n || (size_t)lc.index >= n) {
            *why = arena_printf(a, "line %zu: %zu fields, no column %ld", line, n,
                                MAX(tc.index, lc.index) + 1);
            return ERR_INVALID;
        }
        e = add_row(a, rs, f[tc.index], f[lc.index], line, skipped);
        if (e) {
            *why = "more rows than the limit";
            return e;
        }
    }
}

static enum err
load_jsonl(struct arena *a, struct str in, struct col tc, struct col lc, struct rows *rs,
           size_t *skipped, const char **why)
{
    struct str *k = ARENA_ARRAY(a, struct str, DATASET_FIELDS_MAX);
    struct str *v = ARENA_ARRAY(a, struct str, DATASET_FIELDS_MAX);
    size_t line = 0;
    for (size_t i = 0; i < in.len;) {
        size_t end = i;
        while (end < in.len && in.p[end] != '\n')
            end++;
        line++;
        struct str l = trim((struct str){in.p + i, end - i});
        i = end + 1;
        if (l.len == 0)
            continue;
        size_t n;
        enum err e = jobject(l, a, k, v, DATASET_FIELDS_MAX, &n);
        if (e) {
            *why = arena_printf(a, "line %zu: %s", line,
                                e == ERR_TOOBIG ? "more than 256 keys" : "not a JSON object");
            return e;
        }
        long ti = tc.index >= 0 ? tc.index : find_name(k, n, tc.name);
        long li = lc.index >= 0 ? lc.index : find_name(k, n, lc.name);
        if (ti < 0 || li < 0 || (size_t)ti >= n || (size_t)li >= n) {
            *why = arena_printf(a, "line %zu: no key \"%s\"", line,
                                ti < 0 || (size_t)ti >= n ? tc.name : lc.name);
            return ERR_INVALID;
        }
        e = add_row(a, rs, v[ti], v[li], line, skipped);
        if (e) {
            *why = "more rows than the limit";
            return e;
        }
    }
    return ERR_OK;
}

enum err
dataset_load(struct arena *a, struct str in, const struct dataset_opts *o,
             struct dataset_row **rows, size_t *count, size_t *skipped, const char **why)
{
    struct col tc, lc;
    *why = NULL;
    if (!parse_col(o->text_col, &tc) || !parse_col(o->label_col, &lc)) {
        *why = "a column is a number from 1 or a name";
        return ERR_INVALID;
    }
    if (!utf8_valid(in)) {
        *why = "the file is not valid UTF-8";
        return ERR_INVALID;
    }
    /* A UTF-8 byte order mark is not part of the first field. */
    if (in.len >= 3 && memcmp(in.p, "\xEF\xBB\xBF", 3) == 0)
        in.p += 3, in.len -= 3;
    struct rows rs = {0};
    size_t skip = 0;
    enum err e = o->jsonl ? load_jsonl(a, in, tc, lc, &rs, &skip, why)
                          : load_csv(a, in, o, tc, lc, &rs, &skip, why);
    if (e)
        return e;
    *rows = rs.row;
    *count = rs.count;
    *skipped = skip;
    return ERR_OK;
}
