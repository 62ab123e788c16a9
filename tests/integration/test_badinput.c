/*
 * test_badinput.c - a table of malformed requests, each with the status and
 * problem type the contract (docs/api.md) gives it: broken JSON, wrong types,
 * invalid UTF-8, lengths in code points after NFC, enum and range errors,
 * media types, body limits, Idempotency-Key, queue parameters, unknown routes
 * and methods. Every row runs even when an earlier one fails, and all
 * mismatches are reported together. Afterwards the server still answers and
 * the database holds exactly the appeals of the rows that were to succeed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xalloc.h"
#include "integration/srv.h"

enum {
    F_OFF = 1,   /* as an official of the appeals' agency */
    F_CIT = 2,   /* as a user with role citizen */
    F_SMALL = 4, /* on the server started with --body-max=4096 */
};

#define A "/api/v1/appeals"
#define CYR "\xd0\xb6"                                   /* ж: 1 code point, 2 bytes */
#define NFD_I "\xd0\xb8\xcc\x86"                         /* и + combining breve: й after NFC */
#define EMOJI "\xf0\x9f\x98\x80"                         /* U+1F600: 1 code point, 4 bytes */
#define TXT "{\"text\":\"Яма на дороге @@ возле дома\"}" /* @@: spliced bytes */

/*
 * body: the raw body, where "@A" stands for the valid appeal (after patch),
 * "@B" for the same without its opening brace, and "@@" (inside the appeal)
 * for splice[0..splice_len). gen_*: a patch {gen_field: unit x count + suffix}.
 */
struct row {
    const char *name;
    const char *method, *path;
    const char *hdr; /* one extra header line, or NULL */
    const char *body;
    const char *patch;
    const char *splice;
    size_t splice_len; /* 0: strlen(splice) */
    const char *gen_field, *gen_unit;
    int gen_count;
    const char *gen_suffix, *gen_prefix;
    int status;
    const char *type;  /* NULL for a success */
    const char *alt;   /* another type the contract allows, or NULL */
    const char *field; /* the problem's "field", checked when set */
    unsigned flags;
};

static const struct row rows[] = {
    /* ---- JSON syntax ---- */
    {"truncated JSON", "POST", A, NULL, "{\"kind\":", .status = 400,
     .type = "/problems/invalid-json"},
    {"empty body", "POST", A, NULL, "", .status = 400, .type = "/problems/invalid-json"},
    {"not JSON at all", "POST", A, NULL, "kind=complaint", .status = 400,
     .type = "/problems/invalid-json"},
    {"trailing garbage", "POST", A, NULL, "@A x", .status = 400, .type = "/problems/invalid-json"},
    {"two objects", "POST", A, NULL, "@A@A", .status = 400, .type = "/problems/invalid-json"},
    {"duplicate key", "POST", A, NULL, "{\"kind\":\"statement\",@B", .status = 400,
     .type = "/problems/invalid-json"},
    {"duplicate key in contact", "POST", A, NULL, "@A", "{\"contact\":{\"name\":\"@@\"}}",
     "Иван\",\"name\":\"Пётр", .status = 400, .type = "/problems/invalid-json"},
    {"top-level array", "POST", A, NULL, "[@A]", .status = 422, .type = "/problems/wrong-type",
     .alt = "/problems/invalid-json"},
    {"top-level string", "POST", A, NULL, "\"complaint\"", .status = 422,
     .type = "/problems/wrong-type", .alt = "/problems/invalid-json"},
    {"top-level null", "POST", A, NULL, "null", .status = 422, .type = "/problems/wrong-type",
     .alt = "/problems/invalid-json"},
    {"raw NUL byte in a string", "POST", A, NULL, "@A", TXT, "\0", 1, .status = 400,
     .type = "/problems/invalid-json"},
    {"raw newline in a string", "POST", A, NULL, "@A", TXT, "\n", .status = 400,
     .type = "/problems/invalid-json"},
    /* ---- unknown fields ---- */
    {"unknown field", "POST", A, NULL, "@A", "{\"foo\":1}", .status = 422,
     .type = "/problems/unknown-field", .field = "foo"},
    {"unknown field in contact", "POST", A, NULL, "@A", "{\"contact\":{\"fax\":\"123\"}}",
     .status = 422, .type = "/problems/unknown-field"},
    {"field names are case-sensitive", "POST", A, NULL, "@A", "{\"Kind\":\"complaint\"}",
     .status = 422, .type = "/problems/unknown-field"},
    /* ---- wrong types, one per field ---- */
    {"kind number", "POST", A, NULL, "@A", "{\"kind\":1}", .status = 422,
     .type = "/problems/wrong-type", .field = "kind"},
    {"channel boolean", "POST", A, NULL, "@A", "{\"channel\":false}", .status = 422,
     .type = "/problems/wrong-type", .field = "channel"},
    {"language number", "POST", A, NULL, "@A", "{\"language\":7}", .status = 422,
     .type = "/problems/wrong-type", .field = "language"},
    {"region number", "POST", A, NULL, "@A", "{\"region\":750000000}", .status = 422,
     .type = "/problems/wrong-type", .field = "region"},
    {"topic array", "POST", A, NULL, "@A", "{\"topic\":[\"roads\"]}", .status = 422,
     .type = "/problems/wrong-type", .field = "topic"},
    {"text number", "POST", A, NULL, "@A", "{\"text\":12345678901}", .status = 422,
     .type = "/problems/wrong-type", .field = "text"},
    {"address object", "POST", A, NULL, "@A", "{\"address\":{}}", .status = 422,
     .type = "/problems/wrong-type", .field = "address"},
    {"lat string", "POST", A, NULL, "@A", "{\"lat\":\"43.2\"}", .status = 422,
     .type = "/problems/wrong-type", .field = "lat"},
    {"lon string", "POST", A, NULL, "@A", "{\"lon\":\"76.9\"}", .status = 422,
     .type = "/problems/wrong-type", .field = "lon"},
    {"contact string", "POST", A, NULL, "@A", "{\"contact\":\"Айгуль\"}", .status = 422,
     .type = "/problems/wrong-type", .field = "contact"},
    {"contact.name number", "POST", A, NULL, "@A", "{\"contact\":{\"name\":5}}", .status = 422,
     .type = "/problems/wrong-type"},
    {"contact.email array", "POST", A, NULL, "@A", "{\"contact\":{\"email\":[\"a@b.kz\"]}}",
     .status = 422, .type = "/problems/wrong-type"},
    {"contact.phone number", "POST", A, NULL, "@A", "{\"contact\":{\"phone\":87011234567}}",
     .status = 422, .type = "/problems/wrong-type"},
    {"contact.iin number", "POST", A, NULL, "@A", "{\"contact\":{\"iin\":900101300123}}",
     .status = 422, .type = "/problems/wrong-type"},
    {"consent string", "POST", A, NULL, "@A", "{\"consent\":\"true\"}", .status = 422,
     .type = "/problems/wrong-type", .field = "consent"},
    {"consent number", "POST", A, NULL, "@A", "{\"consent\":1}", .status = 422,
     .type = "/problems/wrong-type", .field = "consent"},
    {"report number", "POST", A, NULL, "@A", "{\"contact\":null,\"report\":1}", .status = 422,
     .type = "/problems/wrong-type", .field = "report"},
    {"kind null", "POST", A, NULL, "{\"kind\":null,@B", "{\"kind\":null}", .status = 422,
     .type = "/problems/wrong-type", .alt = "/problems/missing-field"},
    /* ---- UTF-8 ---- */
    {"overlong encoding", "POST", A, NULL, "@A", TXT, "\xc0\xaf", .status = 400,
     .type = "/problems/invalid-utf8"},
    {"UTF-16 surrogate", "POST", A, NULL, "@A", TXT, "\xed\xa0\x80", .status = 400,
     .type = "/problems/invalid-utf8"},
    {"truncated sequence", "POST", A, NULL, "@A", TXT, "\xd0", .status = 400,
     .type = "/problems/invalid-utf8"},
    {"byte 0xFF", "POST", A, NULL, "@A", TXT, "\xff", .status = 400,
     .type = "/problems/invalid-utf8"},
    {"above U+10FFFF", "POST", A, NULL, "@A", TXT, "\xf4\x90\x80\x80", .status = 400,
     .type = "/problems/invalid-utf8"},
    {"invalid UTF-8 in address", "POST", A, NULL, "@A", "{\"address\":\"Абая @@ 10\"}", "\xe2\x82",
     .status = 400, .type = "/problems/invalid-utf8"},
    {"invalid UTF-8 in a key", "POST", A, NULL, "{\"\xff\":1,@B", .status = 400,
     .type = "/problems/invalid-utf8"},
    {"escaped lone surrogate", "POST", A, NULL, "@A", TXT, "\\ud800", .status = 400,
     .type = "/problems/invalid-utf8", .alt = "/problems/invalid-json"},
    {"escaped NUL in text", "POST", A, NULL, "@A", TXT, "\\u0000", .status = 422,
     .type = "/problems/invalid-value", .alt = "/problems/invalid-json"},
    /* ---- text length in code points after NFC ---- */
    {"text empty", "POST", A, NULL, "@A", "{\"text\":\"\"}", .status = 422,
     .type = "/problems/text-too-short", .field = "text"},
    {"text 9 Cyrillic", "POST", A, .gen_field = "text", .gen_unit = CYR, .gen_count = 9,
     .status = 422, .type = "/problems/text-too-short", .field = "text"},
    {"text 10 Cyrillic", "POST", A, .gen_field = "text", .gen_unit = CYR, .gen_count = 10,
     .status = 201},
    {"text 9 after NFC (18 code points NFD)", "POST", A, .gen_field = "text", .gen_unit = NFD_I,
     .gen_count = 9, .status = 422, .type = "/problems/text-too-short", .field = "text"},
    {"text 9 emoji (18 UTF-16 units)", "POST", A, .gen_field = "text", .gen_unit = EMOJI,
     .gen_count = 9, .status = 422, .type = "/problems/text-too-short", .field = "text"},
    {"text 10 emoji", "POST", A, .gen_field = "text", .gen_unit = EMOJI, .gen_count = 10,
     .status = 201},
    {"text 10000 Cyrillic", "POST", A, .gen_field = "text", .gen_unit = CYR, .gen_count = 10000,
     .status = 201},
    {"text 10001 Cyrillic", "POST", A, .gen_field = "text", .gen_unit = CYR, .gen_count = 10001,
     .status = 422, .type = "/problems/text-too-long", .field = "text"},
    {"text 10000 after NFC (20000 NFD)", "POST", A, .gen_field = "text", .gen_unit = NFD_I,
     .gen_count = 10000, .status = 201},
    {"text 10001 after NFC", "POST", A, .gen_field = "text", .gen_unit = NFD_I, .gen_count = 10001,
     .status = 422, .type = "/problems/text-too-long", .field = "text"},
    /* ---- enums and references ---- */
    {"kind unknown", "POST", A, NULL, "@A", "{\"kind\":\"complaintx\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "kind"},
    {"kind empty", "POST", A, NULL, "@A", "{\"kind\":\"\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "kind"},
    {"kind wrong case", "POST", A, NULL, "@A", "{\"kind\":\"Complaint\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "kind"},
    {"channel unknown", "POST", A, NULL, "@A", "{\"channel\":\"fax\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "channel"},
    {"language unknown", "POST", A, NULL, "@A", "{\"language\":\"de\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "language"},
    {"region unknown KATO", "POST", A, NULL, "@A", "{\"region\":\"750000001\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "region"},
    {"region short", "POST", A, NULL, "@A", "{\"region\":\"75\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "region"},
    {"topic unknown", "POST", A, NULL, "@A", "{\"topic\":\"weather\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "topic"},
    {"report unknown", "POST", A, NULL, "@A", "{\"contact\":null,\"report\":\"burglary\"}",
     .status = 422, .type = "/problems/invalid-value", .field = "report"},
    {"channel phone by a citizen", "POST", A, NULL, "@A", "{\"channel\":\"phone\"}", .status = 403,
     .type = "/problems/forbidden", .flags = F_CIT},
    {"channel letter without credentials", "POST", A, NULL, "@A", "{\"channel\":\"letter\"}",
     .status = 401, .type = "/problems/unauthorized", .alt = "/problems/forbidden"},
    /* ---- required fields ---- */
    {"kind missing", "POST", A, NULL, "@A", "{\"kind\":null}", .status = 422,
     .type = "/problems/missing-field", .field = "kind"},
    {"region missing", "POST", A, NULL, "@A", "{\"region\":null}", .status = 422,
     .type = "/problems/missing-field", .field = "region"},
    {"text missing", "POST", A, NULL, "@A", "{\"text\":null}", .status = 422,
     .type = "/problems/missing-field", .field = "text"},
    {"consent missing", "POST", A, NULL, "@A", "{\"consent\":null}", .status = 422,
     .type = "/problems/missing-field", .field = "consent"},
    {"consent false", "POST", A, NULL, "@A", "{\"consent\":false}", .status = 422,
     .type = "/problems/invalid-value", .field = "consent"},
    {"empty object", "POST", A, NULL, "{}", .status = 422, .type = "/problems/missing-field"},
    /* ---- ranges and formats ---- */
    {"lat without lon", "POST", A, NULL, "@A", "{\"lon\":null}", .status = 422,
     .type = "/problems/invalid-value", .alt = "/problems/missing-field"},
    {"lon without lat", "POST", A, NULL, "@A", "{\"lat\":null}", .status = 422,
     .type = "/problems/invalid-value", .alt = "/problems/missing-field"},
    {"lat 91", "POST", A, NULL, "@A", "{\"lat\":91}", .status = 422,
     .type = "/problems/invalid-value", .field = "lat"},
    {"lat -90.0001", "POST", A, NULL, "@A", "{\"lat\":-90.0001}", .status = 422,
     .type = "/problems/invalid-value", .field = "lat"},
    {"lon 180.5", "POST", A, NULL, "@A", "{\"lon\":180.5}", .status = 422,
     .type = "/problems/invalid-value", .field = "lon"},
    {"lat 90 lon -180 (edges)", "POST", A, NULL, "@A",
     "{\"lat\":90,\"lon\":-180,\"text\":\"Обращение с координатами на краю диапазона.\"}",
     .status = 201},
    {"address 500", "POST", A, .gen_field = "address", .gen_unit = CYR, .gen_count = 500,
     .status = 201},
    {"address 501", "POST", A, .gen_field = "address", .gen_unit = CYR, .gen_count = 501,
     .status = 422, .type = "/problems/invalid-value", .field = "address"},
    {"contact.name 201", "POST", A, .gen_field = "contact.name", .gen_unit = CYR, .gen_count = 201,
     .status = 422, .type = "/problems/invalid-value"},
    {"contact.email without @", "POST", A, NULL, "@A",
     "{\"contact\":{\"email\":\"aigul.example.kz\"}}", .status = 422,
     .type = "/problems/invalid-value"},
    {"contact.email two @", "POST", A, NULL, "@A", "{\"contact\":{\"email\":\"a@b@example.kz\"}}",
     .status = 422, .type = "/problems/invalid-value"},
    {"contact.email 254", "POST", A, .gen_field = "contact.email", .gen_prefix = "aig@",
     .gen_unit = "abcdefghi.", .gen_count = 24, .gen_suffix = "example.kz", .status = 201},
    {"contact.email 255", "POST", A, .gen_field = "contact.email", .gen_prefix = "aigu@",
     .gen_unit = "abcdefghi.", .gen_count = 24, .gen_suffix = "example.kz", .status = 422,
     .type = "/problems/invalid-value"},
    {"contact.phone letters", "POST", A, NULL, "@A", "{\"contact\":{\"phone\":\"+7 701 ABC\"}}",
     .status = 422, .type = "/problems/invalid-value"},
    {"contact.phone 33", "POST", A, .gen_field = "contact.phone", .gen_unit = "1", .gen_count = 33,
     .status = 422, .type = "/problems/invalid-value"},
    {"contact.iin bad check digit", "POST", A, NULL, "@A", "{\"contact\":{\"iin\":\"@IINBAD\"}}",
     .status = 422, .type = "/problems/invalid-value"},
    {"contact.iin 11 digits", "POST", A, NULL, "@A", "{\"contact\":{\"iin\":\"90010130012\"}}",
     .status = 422, .type = "/problems/invalid-value"},
    {"contact.iin letters", "POST", A, NULL, "@A", "{\"contact\":{\"iin\":\"9001013001ab\"}}",
     .status = 422, .type = "/problems/invalid-value"},
    {"contact.iin valid", "POST", A, NULL, "@A",
     "{\"contact\":{\"iin\":\"@IINOK\"},\"text\":\"Обращение с правильным ИИН заявителя.\"}",
     .status = 201},
    /* ---- media type, size ---- */
    {"Content-Type text/plain", "POST", A, "Content-Type: text/plain", "@A", .status = 415,
     .type = "/problems/unsupported-media-type"},
    {"no Content-Type", "POST", A, "Content-Type:", "@A", .status = 415,
     .type = "/problems/unsupported-media-type"},
    {"Content-Type form", "POST", A, "Content-Type: application/x-www-form-urlencoded", "@A",
     .status = 415, .type = "/problems/unsupported-media-type"},
    {"Content-Type with charset", "POST", A, "Content-Type: application/json; charset=utf-8", "@A",
     "{\"text\":\"Обращение с параметром charset в заголовке.\"}", .status = 201},
    {"body over --body-max", "POST", A, .gen_field = "text", .gen_unit = "x", .gen_count = 5000,
     .status = 413, .type = "/problems/body-too-large", .flags = F_SMALL},
    {"small server works", "POST", A, NULL, "@A", .status = 201, .flags = F_SMALL},
    /* ---- Idempotency-Key ---- */
    {"Idempotency-Key 129 chars", "POST", A,
     "Idempotency-Key: "
     "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
     "k"
     "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
     "@A", .status = 400, .type = "/problems/invalid-header"},
    {"Idempotency-Key empty", "POST", A, "Idempotency-Key;", "@A", .status = 400,
     .type = "/problems/invalid-header"},
    {"Idempotency-Key control char", "POST", A,
     "Idempotency-Key: ab\x01"
     "cd",
     "@A", .status = 400, .type = "/problems/invalid-header"},
    {"Idempotency-Key non-ASCII", "POST", A, "Idempotency-Key: ключ", "@A", .status = 400,
     .type = "/problems/invalid-header"},
    {"Idempotency-Key 128 chars", "POST", A,
     "Idempotency-Key: "
     "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
     "k"
     "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
     "@A", "{\"text\":\"Обращение с самым длинным ключом идемпотентности.\"}", .status = 201},
    /* ---- queue parameters ---- */
    {"limit=0", "GET", "/api/v1/queue?limit=0", .status = 400, .type = "/problems/invalid-query",
     .flags = F_OFF},
    {"limit=abc", "GET", "/api/v1/queue?limit=abc", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    {"limit=99999", "GET", "/api/v1/queue?limit=99999", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    {"limit=201", "GET", "/api/v1/queue?limit=201", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    {"limit=-1", "GET", "/api/v1/queue?limit=-1", .status = 400, .type = "/problems/invalid-query",
     .flags = F_OFF},
    {"limit empty", "GET", "/api/v1/queue?limit=", .status = 400, .type = "/problems/invalid-query",
     .flags = F_OFF},
    {"limit=1e2", "GET", "/api/v1/queue?limit=1e2", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    {"limit=99999999999999999999999", "GET", "/api/v1/queue?limit=99999999999999999999999",
     .status = 400, .type = "/problems/invalid-query", .flags = F_OFF},
    {"limit=200", "GET", "/api/v1/queue?limit=200", .status = 200, .flags = F_OFF},
    {"limit=1", "GET", "/api/v1/queue?limit=1", .status = 200, .flags = F_OFF},
    {"bad cursor", "GET", "/api/v1/queue?cursor=garbage%21%21", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    {"overdue=maybe", "GET", "/api/v1/queue?overdue=maybe", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    {"status=bogus", "GET", "/api/v1/queue?status=bogus", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    {"region=abc", "GET", "/api/v1/queue?region=abc", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    {"topic=nope", "GET", "/api/v1/queue?topic=nope", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    {"bad percent-encoding", "GET", "/api/v1/queue?status=%zz", .status = 400,
     .type = "/problems/invalid-query", .flags = F_OFF},
    /* ---- routes and methods ---- */
    {"unknown API route", "GET", "/api/v1/nope", .status = 404, .type = "/problems/not-found"},
    {"unknown path", "GET", "/nope", .status = 404, .type = "/problems/not-found"},
    {"unknown action", "POST", "/api/v1/appeals/{T}/explode", .body = "{}", .status = 404,
     .type = "/problems/not-found", .flags = F_OFF},
    {"DELETE appeals", "DELETE", A, .status = 405, .type = "/problems/method-not-allowed"},
    {"GET take", "GET", "/api/v1/appeals/{T}/take", .status = 405,
     .type = "/problems/method-not-allowed", .flags = F_OFF},
    {"PUT take", "PUT", "/api/v1/appeals/{T}/take", .body = "{}", .status = 405,
     .type = "/problems/method-not-allowed", .flags = F_OFF},
    {"POST healthz", "POST", "/healthz", .body = "{}", .status = 405,
     .type = "/problems/method-not-allowed"},
    {"unknown tracking id", "GET", A "/NOSUCHAPPEAL42", "X-Tracking-Secret: {S}", .status = 404,
     .type = "/problems/not-found"},
    /* ---- session ---- */
    {"login invalid JSON", "POST", "/api/v1/session", NULL, "{\"login\":", .status = 400,
     .type = "/problems/invalid-json"},
    {"login unknown user", "POST", "/api/v1/session", NULL,
     "{\"login\":\"nobody\",\"password\":\"whatever-password\"}", .status = 401,
     .type = "/problems/unauthorized"},
    {"login without password", "POST", "/api/v1/session", NULL, "{\"login\":\"off\"}",
     .status = 422, .type = "/problems/missing-field", .field = "password"},
    {"login password number", "POST", "/api/v1/session", NULL,
     "{\"login\":\"off\",\"password\":12345}", .status = 422, .type = "/problems/wrong-type"},
    {"login unknown field", "POST", "/api/v1/session", NULL,
     "{\"login\":\"off\",\"password\":\"x\",\"remember\":true}", .status = 422,
     .type = "/problems/unknown-field"},
    /* ---- citizen actions on the answered appeal {T} ---- */
    {"rating 6", "POST", A "/{T}/rating", "X-Tracking-Secret: {S}", "{\"score\":6}", .status = 422,
     .type = "/problems/invalid-value", .field = "score"},
    {"rating 0", "POST", A "/{T}/rating", "X-Tracking-Secret: {S}", "{\"score\":0}", .status = 422,
     .type = "/problems/invalid-value", .field = "score"},
    {"rating string", "POST", A "/{T}/rating", "X-Tracking-Secret: {S}", "{\"score\":\"4\"}",
     .status = 422, .type = "/problems/wrong-type", .field = "score"},
    {"rating 4.5", "POST", A "/{T}/rating", "X-Tracking-Secret: {S}", "{\"score\":4.5}",
     .status = 422, .type = "/problems/wrong-type", .alt = "/problems/invalid-value"},
    {"rating missing score", "POST", A "/{T}/rating", "X-Tracking-Secret: {S}",
     "{\"comment\":\"ok\"}", .status = 422, .type = "/problems/missing-field", .field = "score"},
    {"rating unknown field", "POST", A "/{T}/rating", "X-Tracking-Secret: {S}",
     "{\"score\":4,\"stars\":4}", .status = 422, .type = "/problems/unknown-field"},
    {"rating text/plain", "POST", A "/{T}/rating", "X-Tracking-Secret: {S}", "{\"score\":4}",
     .status = 0 /* set below: 415 */},
    {"dispute without reason", "POST", A "/{T}/dispute", "X-Tracking-Secret: {S}", "{}",
     .status = 422, .type = "/problems/missing-field", .field = "reason"},
    /* ---- staff actions on the in-review appeal {T2} ---- */
    {"take with a bad Idempotency-Key (every POST takes one)", "POST", A "/{T2}/take",
     "Idempotency-Key: bad\x7fkey", "{}", .status = 400, .type = "/problems/invalid-header",
     .flags = F_OFF},
    {"extend bad date", "POST", A "/{T2}/extend", NULL,
     "{\"reason\":\"Нужна проверка\",\"due_date\":\"2026-13-45\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "due_date", .flags = F_OFF},
    {"extend date number", "POST", A "/{T2}/extend", NULL,
     "{\"reason\":\"Нужна проверка\",\"due_date\":20260701}", .status = 422,
     .type = "/problems/wrong-type", .field = "due_date", .flags = F_OFF},
    {"answer language unknown", "POST", A "/{T2}/answer", NULL,
     "{\"text\":\"Ответ по существу обращения.\",\"language\":\"de\"}", .status = 422,
     .type = "/problems/invalid-value", .field = "language", .flags = F_OFF},
    {"assign user string", "POST", A "/{T2}/assign", "Authorization: Bearer {SUP}",
     "{\"user\":\"off\"}", .status = 422, .type = "/problems/wrong-type", .field = "user"},
    {"assign unknown user", "POST", A "/{T2}/assign", "Authorization: Bearer {SUP}",
     "{\"user\":999999}", .status = 422, .type = "/problems/invalid-value", .field = "user"},
};

/* ---- building the request of a row --------------------------------------- */

struct ctx {
    struct srv *s, *small;
    const char *off, *cit, *sup_token;
    const char *t, *t2, *secret;
    char iin_ok[13], iin_bad[13];
};

/* Replace the first occurrence of key in s by val[0..val_len) (malloc'd). */
static char *
replace(const char *s, size_t s_len, const char *key, const char *val, size_t val_len,
        size_t *out_len)
{
    const char *hit = NULL;
    size_t k = strlen(key);
    for (size_t i = 0; i + k <= s_len && !hit; i++)
        if (memcmp(s + i, key, k) == 0)
            hit = s + i;
    if (!hit) {
        char *p = xmalloc(s_len + 1);
        memcpy(p, s, s_len);
        p[s_len] = '\0';
        *out_len = s_len;
        return p;
    }
    size_t pre = (size_t)(hit - s), n = s_len - k + val_len;
    char *p = xmalloc(n + 1);
    memcpy(p, s, pre);
    memcpy(p + pre, val, val_len);
    memcpy(p + pre + val_len, hit + k, s_len - pre - k);
    p[n] = '\0';
    *out_len = n;
    return p;
}

static char *
replace_all(char *s, size_t *len, const char *key, const char *val)
{
    while (strstr(s, key)) {
        char *n = replace(s, *len, key, val, strlen(val), len);
        free(s);
        s = n;
    }
    return s;
}

/* A patch {"a":{"b": unit x count + suffix}} for field "a.b" (scratch arena). */
static const char *
gen_patch(const struct row *w)
{
    size_t u = strlen(w->gen_unit);
    char *v = xmalloc(u * (size_t)w->gen_count + 1);
    for (int i = 0; i < w->gen_count; i++)
        memcpy(v + u * (size_t)i, w->gen_unit, u);
    v[u * (size_t)w->gen_count] = '\0';
    json_t *val =
        json_pack("s++", w->gen_prefix ? w->gen_prefix : "", v, w->gen_suffix ? w->gen_suffix : "");
    free(v);
    const char *dot = strchr(w->gen_field, '.');
    json_t *p = json_object();
    if (dot) {
        char *outer = xstrndup(w->gen_field, (size_t)(dot - w->gen_field));
        json_object_set_new(p, outer, json_pack("{s:o}", dot + 1, val));
        free(outer);
    } else {
        json_object_set_new(p, w->gen_field, val);
    }
    char *txt = json_dumps(p, JSON_COMPACT);
    const char *res = t_printf("%s", txt);
    free(txt);
    json_decref(p);
    return res;
}

/* The body of row w (malloc'd; *len its length), NULL for none. */
static char *
build_body(const struct ctx *c, const struct row *w, size_t *len)
{
    const char *tmpl = w->body;
    const char *patch = w->patch;
    if (w->gen_field) {
        tmpl = "@A";
        patch = gen_patch(w);
    }
    if (!tmpl)
        return NULL;
    char *pat = NULL;
    if (patch) {
        size_t pl = strlen(patch);
        pat = xstrndup(patch, pl);
        pat = replace_all(pat, &pl, "@IINOK", c->iin_ok);
        pat = replace_all(pat, &pl, "@IINBAD", c->iin_bad);
    }
    /* The appeal (with the patch applied) still has @@ in it, if the row
     * splices: JSON-encoding the patch left those two bytes alone. */
    const char *ap = appeal_json(pat);
    free(pat);
    size_t n = strlen(tmpl);
    char *b = xstrndup(tmpl, n);
    if (strstr(b, "@A"))
        b = replace_all(b, &n, "@A", ap);
    if (strstr(b, "@B"))
        b = replace_all(b, &n, "@B", ap + 1);
    if (w->splice) {
        size_t sl = w->splice_len ? w->splice_len : strlen(w->splice);
        char *nb = replace(b, n, "@@", w->splice, sl, &n);
        free(b);
        b = nb;
    }
    *len = n;
    return b;
}

static const char *
subst(const struct ctx *c, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *p = xstrndup(s, n);
    p = replace_all(p, &n, "{T2}", c->t2);
    p = replace_all(p, &n, "{T}", c->t);
    p = replace_all(p, &n, "{S}", c->secret);
    p = replace_all(p, &n, "{SUP}", c->sup_token);
    const char *res = t_printf("%s", p);
    free(p);
    return res;
}

/* The status that goes with a problem type a row allows as an alternative. */
static int
type_status(const char *type)
{
    static const struct {
        const char *type;
        int status;
    } t[] = {{"/problems/invalid-json", 400},
             {"/problems/invalid-utf8", 400},
             {"/problems/unauthorized", 401},
             {"/problems/forbidden", 403}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(t[i].type, type) == 0)
            return t[i].status;
    return 422;
}

/* Run row w; NULL if the server answered as the row says, else why not. */
static const char *
run_row(const struct ctx *c, const struct row *w, int *status)
{
    struct srv *s = w->flags & F_SMALL ? c->small : c->s;
    const char *auth = w->flags & F_OFF ? c->off : w->flags & F_CIT ? c->cit : NULL;
    const char *h[] = {auth, subst(c, w->hdr), NULL};
    if (!auth) {
        h[0] = h[1];
        h[1] = NULL;
    }
    size_t len = 0;
    char *body = build_body(c, w, &len);
    int want = w->status;
    const char *type = w->type;
    if (want == 0) { /* the rating row with a wrong media type */
        h[1] = "Content-Type: text/plain";
        want = 415;
        type = "/problems/unsupported-media-type";
    }
    struct resp *r = srv_req_raw(s, w->method, subst(c, w->path), h, body, len);
    free(body);
    *status = r->status;
    const char *why = NULL;
    if (type) {
        why = check_problem(r, want, type);
        if (why && w->alt && !check_problem(r, type_status(w->alt), w->alt))
            why = NULL;
        const char *f = json_string_value(json_object_get(r->json, "field"));
        if (!why && w->field && (!f || strcmp(f, w->field) != 0))
            why = t_printf("problem \"field\" is %s, want %s", f ? f : "(none)", w->field);
    } else if (r->status != want) {
        why = t_printf("status %d, want %d", r->status, want);
    }
    if (!why)
        why = check_security(r);
    if (why)
        why = t_printf("%s [got %d %s: %.200s]", why, r->status,
                       resp_header(r, "Content-Type") ? resp_header(r, "Content-Type") : "-",
                       r->body);
    resp_free(r);
    return why;
}

static bool
row_creates(const struct row *w)
{
    return w->status == 201 && strcmp(w->path, A) == 0;
}

static void
badinput_table(void **state)
{
    (void)state;
    struct ctx c;
    memset(&c, 0, sizeof(c));
    /* Input checks only: no request here may meet the submit rate limit. */
    c.s = srv_start("--rate-submit=1000000", NULL);
    c.small = srv_start("--body-max=4096", "--rate-submit=1000000", NULL);
    const char *agency = srv_db_text(
        c.s, "SELECT agency FROM routing_rules WHERE topic = 'roads' AND region = ?1", "750000000");
    c.off = srv_bearer(c.s, srv_user(c.s, "off", "official", agency));
    c.sup_token = srv_user(c.s, "sup", "supervisor", agency);
    c.cit = srv_bearer(c.s, srv_user(c.s, "cit", "citizen", NULL));
    iin_make("90010130012", c.iin_ok);
    memcpy(c.iin_bad, c.iin_ok, sizeof(c.iin_bad));
    c.iin_bad[11] = (char)('0' + (c.iin_ok[11] - '0' + 1) % 10);

    /* {T}: answered; {T2}: in review. */
    struct resp *r = srv_post(c.s, A, NULL, appeal_json(NULL));
    expect_status(r, 201);
    c.t = t_printf("%s", resp_str(r, "tracking_id"));
    c.secret = t_printf("%s", resp_str(r, "secret"));
    resp_free(r);
    r = srv_post(c.s, A, NULL, appeal_json("{\"text\":\"Второе обращение для проверок.\"}"));
    expect_status(r, 201);
    c.t2 = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    const char *steps[][2] = {{c.t, "take"}, {c.t2, "take"}, {c.t, "answer"}};
    for (size_t i = 0; i < 3; i++) {
        r = srv_post(c.s, t_printf(A "/%s/%s", steps[i][0], steps[i][1]), c.off,
                     strcmp(steps[i][1], "answer") == 0
                         ? "{\"text\":\"Ответ по существу обращения.\",\"language\":\"ru\"}"
                         : "{}");
        if (r->status != 200 && r->status != 204) {
            resp_print(r);
            fail_msg("fixture: %s failed", steps[i][1]);
        }
        resp_free(r);
    }
    static const char fp_sql[] = "SELECT status || coalesce(CAST(rating AS TEXT), '-') ||"
                                 " extended FROM appeals WHERE tracking_id = ?1";
    const char *fp_before =
        t_printf("%s,%s", srv_db_text(c.s, fp_sql, c.t), srv_db_text(c.s, fp_sql, c.t2));

    size_t nrows = sizeof(rows) / sizeof(rows[0]);
    assert_true(nrows >= 45);
    const char *failures = "";
    int nfail = 0, created = 0, created_small = 0;
    for (size_t i = 0; i < nrows; i++) {
        int status;
        const char *why = run_row(&c, &rows[i], &status);
        if (row_creates(&rows[i]))
            *(rows[i].flags & F_SMALL ? &created_small : &created) += 1;
        if (why) {
            failures = t_printf("%s  [%zu] %s: %s\n", failures, i, rows[i].name, why);
            nfail++;
        }
    }

    /* Body too large, announced by Content-Length: answered before the body. */
    const char *raw = srv_raw(c.small,
                              "POST /api/v1/appeals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n",
                              strlen("POST /api/v1/appeals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Content-Type: application/json\r\nContent-Length: 5000"
                                     "\r\n\r\n"),
                              3000);
    if (strncmp(raw, "HTTP/1.1 413", 12) != 0 || !strstr(raw, "/problems/body-too-large")) {
        failures = t_printf("%s  Content-Length 5000 > body-max, no body sent: want 413 at once, "
                            "got \"%.300s\"\n",
                            failures, raw);
        nfail++;
    }
    raw = srv_raw(c.small,
                  "POST /api/v1/appeals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nContent-Length: 99999999999999\r\n\r\n{",
                  strlen("POST /api/v1/appeals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Content-Type: application/json\r\nContent-Length: 99999999999999"
                         "\r\n\r\n{"),
                  3000);
    if (strncmp(raw, "HTTP/1.1 413", 12) != 0) {
        failures = t_printf("%s  Content-Length 99999999999999: want 413, got \"%.300s\"\n",
                            failures, raw);
        nfail++;
    }
    /* Chunked: the size is known only while reading; still 413. */
    {
        const char *head = "POST /api/v1/appeals HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "1388\r\n";
        size_t hl = strlen(head);
        char *req = xmalloc(hl + 5000 + 16);
        memcpy(req, head, hl);
        memset(req + hl, ' ', 5000);
        memcpy(req + hl + 5000, "\r\n0\r\n\r\n", 8);
        raw = srv_raw(c.small, req, hl + 5000 + 7, 3000);
        free(req);
        if (strncmp(raw, "HTTP/1.1 413", 12) != 0) {
            failures = t_printf("%s  chunked body of 5000 bytes > body-max: want 413, got "
                                "\"%.300s\"\n",
                                failures, raw);
            nfail++;
        }
    }

    /* Still up, and no partial writes. */
    struct srv *both[] = {c.s, c.small};
    for (size_t i = 0; i < 2; i++) {
        r = srv_get(both[i], "/healthz", NULL);
        expect_status(r, 200);
        resp_free(r);
    }
    int64_t n_main = srv_db_int(c.s, "SELECT count(*) FROM appeals", NULL);
    int64_t n_small = srv_db_int(c.small, "SELECT count(*) FROM appeals", NULL);
    const char *fp_after =
        t_printf("%s,%s", srv_db_text(c.s, fp_sql, c.t), srv_db_text(c.s, fp_sql, c.t2));
    if (n_main != 2 + created)
        failures = t_printf("%s  appeals in the database: %lld, want %d (2 + %d good rows)\n",
                            failures, (long long)n_main, 2 + created, created);
    if (n_small != created_small)
        failures = t_printf("%s  appeals on the small server: %lld, want %d\n", failures,
                            (long long)n_small, created_small);
    if (strcmp(fp_before, fp_after) != 0)
        failures = t_printf("%s  refused requests changed the fixture appeals: %s -> %s\n",
                            failures, fp_before, fp_after);
    print_message("badinput: %zu rows + 3 raw requests, %d mismatches\n", nrows, nfail);
    fail_report("requests not answered as docs/api.md says", failures);
    srv_done(c.s);
    srv_done(c.small);
}

int
main(void)
{
    srv_init(300);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(badinput_table, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
