/*
 * seed.c - fill a migrated tyndau database with COUNT appeals for the queue
 * benchmark, written straight through SQLite: one transaction, no journal,
 * synchronous=OFF (seeding only; tyndau itself runs WAL + synchronous=FULL).
 *
 *   seed FILE [--count=N]      (default 1000000)
 *
 * FILE must already hold the schema (`tyndau migrate --db=sqlite:FILE`).
 * If FILE already holds exactly N appeals and this seed's marker (counter
 * "bench:seed" = SEED_VERSION), nothing is written and "reused" is printed.
 *
 * The appeals span the two years before now in registration order. Region
 * follows population, topic a plausible mix, and the agency is what tyndau's
 * routing rules give for the pair (so every agency of the reference data
 * that a rule names gets appeals). Appeals older than 45 days are mostly
 * closed; recent ones are spread over the open statuses. Due dates are the
 * end of the day 21 calendar days after registration (about 15 working days),
 * one month later when extended; warned/overdue flags are set as tyndau's
 * deadline scheduler would have set them, so a server started on the file has
 * no backlog of deadline writes. Texts are Russian and Kazakh sentences,
 * 1-8 of them (about 60-900 characters). No timeline rows are written: the
 * queue does not read them. No ANALYZE either: tyndau never runs it, so the
 * planner sees what it sees in production. The per-year registration counters are set, so
 * appeals submitted later get the next numbers. Exports nothing.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { SEED_VERSION = 1, DAY = 86400, ALMATY_OFFSET = 5 * 3600, YEARS_MAX = 8 };

struct weighted {
    const char *code;
    int weight;
};

/* Population in tens of thousands (2024, rounded). */
static const struct weighted regions[] = {
    {"100000000", 60},  {"110000000", 79},  {"150000000", 93},  {"190000000", 150},
    {"230000000", 69},  {"270000000", 69},  {"310000000", 120}, {"330000000", 69},
    {"350000000", 113}, {"390000000", 83},  {"430000000", 84},  {"470000000", 78},
    {"550000000", 75},  {"590000000", 53},  {"610000000", 210}, {"620000000", 22},
    {"630000000", 73},  {"710000000", 140}, {"750000000", 220}, {"790000000", 120},
};

static const struct weighted topics[] = {
    {"housing", 18},    {"roads", 12},        {"water", 10},       {"transport", 6},
    {"health", 8},      {"education", 7},     {"social", 7},       {"employment", 3},
    {"land", 5},        {"ecology", 3},       {"public-order", 4}, {"stray-animals", 2},
    {"business", 2},    {"corruption", 1},    {"emergency", 1},    {"digital", 2},
    {"agriculture", 2}, {"culture-sport", 1}, {"construction", 4}, {"other", 2},
};

static const struct weighted kinds[] = {
    {"complaint", 45}, {"statement", 30}, {"request", 15}, {"proposal", 7}, {"message", 3},
};

static const struct weighted channels[] = {
    {"web", 70}, {"api", 5}, {"phone", 12}, {"letter", 8}, {"reception", 5},
};

static const struct weighted languages[] = {{"ru", 65}, {"kk", 33}, {"en", 2}};

/* Status by age: older than 45 days, or recent. */
static const struct weighted status_old[] = {
    {"closed", 86},  {"not_considered", 5}, {"withdrawn", 3},
    {"answered", 4}, {"in_review", 1},      {"extended", 1},
};
static const struct weighted status_new[] = {
    {"registered", 15}, {"forwarded", 5}, {"in_review", 35},     {"extended", 5},  {"reopened", 2},
    {"answered", 15},   {"closed", 18},   {"not_considered", 3}, {"withdrawn", 2},
};

static const char *const sentences_ru[] = {
    "Здравствуйте! Обращаюсь к вам уже не в первый раз.",
    "Во дворе нашего дома третий день нет холодной воды.",
    "На перекрёстке у школы не работает светофор, дети переходят дорогу с риском.",
    "Во время дождя подъезд затапливает, управляющая компания не отвечает на звонки.",
    "Просим отремонтировать дорогу: ямы глубиной до двадцати сантиметров.",
    "Автобус по маршруту ходит раз в сорок минут вместо пятнадцати, как указано в расписании.",
    "В поликлинике невозможно записаться к терапевту раньше чем через две недели.",
    "Прошу рассмотреть вопрос о выделении места в детском саду.",
    "Соседи ведут строительство без разрешения, шум продолжается до полуночи.",
    "Просим установить освещение во дворе, вечером там совершенно темно.",
    "Мусор не вывозят больше недели, контейнеры переполнены.",
    "Прошу сообщить сроки устранения аварии и принять меры.",
};
static const char *const sentences_kk[] = {
    "Сәлеметсіз бе! Сізге бірнеше рет хабарласқанмын.",
    "Біздің үйде үш күннен бері суық су жоқ.",
    "Мектеп жанындағы бағдаршам істемейді, балалар жолды қауіппен кесіп өтеді.",
    "Жолды жөндеуді сұраймыз, шұңқырлар өте терең.",
    "Аулада жарық жоқ, кешке өте қараңғы.",
    "Қоқыс бір аптадан бері шығарылмайды.",
    "Апатты жою мерзімін хабарлауды сұраймын.",
};
static const char *const names[] = {
    "Айгерим Сапарова", "Ерлан Жумабаев",  "Ольга Ким",         "Нурлан Абдрахманов",
    "Динара Искакова",  "Сергей Петров",   "Асель Нуриева",     "Бауыржан Оспанов",
    "Мария Иванова",    "Айдос Серикбаев", "Гульнара Ахметова", "Тимур Касымов",
};
static const char *const streets[] = {
    "ул. Абая", "пр. Назарбаева", "ул. Сатпаева", "мкр. Самал-2", "ул. Толе би", "пр. Достык",
};

struct rule {
    char *topic, *region, *agency; /* region NULL: any */
};

struct seed {
    sqlite3 *db;
    struct rule *rules;
    size_t rules_count;
    uint64_t rng;
};

static void
die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "seed: %s: %s\n", what, db ? sqlite3_errmsg(db) : "failed");
    exit(1);
}

static void
exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(db, sql);
}

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(db, sql);
    return st;
}

static uint64_t
mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint64_t
rnd(struct seed *s)
{
    return mix64(s->rng += 0x9E3779B97F4A7C15u);
}

/* Uniform in [0, n). */
static uint64_t
rnd_below(struct seed *s, uint64_t n)
{
    return rnd(s) % n;
}

static const char *
pick(struct seed *s, const struct weighted *w, size_t n)
{
    int total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i].weight;
    int x = (int)rnd_below(s, (uint64_t)total);
    for (size_t i = 0; i < n; i++) {
        if (x < w[i].weight)
            return w[i].code;
        x -= w[i].weight;
    }
    return w[n - 1].code;
}

#define PICK(s, table) pick((s), (table), ARRAY_LEN(table))

/* 16 base32 characters: the first 13 spell a bijective mix of v (so ids never
 * collide), the last 3 are filler to tyndau's length. */
static void
tracking_id(uint64_t v, char out[17])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    uint64_t w = mix64(v ^ 0x5DEECE66Du), x = mix64(w);
    for (int i = 0; i < 13; i++) {
        out[i] = alphabet[w & 31];
        w >>= 5;
    }
    for (int i = 13; i < 16; i++) {
        out[i] = alphabet[x & 31];
        x >>= 5;
    }
    out[16] = '\0';
}

static void
load_rules(struct seed *s)
{
    sqlite3_stmt *st = prepare(s->db, "SELECT topic, region, agency FROM routing_rules");
    size_t cap = 512;
    s->rules = calloc(cap, sizeof(*s->rules));
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (s->rules_count == cap) {
            cap *= 2;
            s->rules = realloc(s->rules, cap * sizeof(*s->rules));
        }
        if (!s->rules)
            die(NULL, "out of memory");
        struct rule *r = &s->rules[s->rules_count++];
        r->topic = strdup((const char *)sqlite3_column_text(st, 0));
        r->region = sqlite3_column_type(st, 1) == SQLITE_NULL
                        ? NULL
                        : strdup((const char *)sqlite3_column_text(st, 1));
        r->agency = strdup((const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    if (s->rules_count == 0)
        die(s->db, "no routing rules: run `tyndau migrate` on the file first");
}

/* tyndau's app_route(): the rule for topic and region, else the topic's default. */
static const char *
route(const struct seed *s, const char *topic, const char *region)
{
    const char *fallback = NULL;
    for (size_t i = 0; i < s->rules_count; i++) {
        const struct rule *r = &s->rules[i];
        if (strcmp(r->topic, topic) != 0)
            continue;
        if (r->region && strcmp(r->region, region) == 0)
            return r->agency;
        if (!r->region)
            fallback = r->agency;
    }
    return fallback;
}

/* 23:59:59 Almaty time, days after t's local day. */
static int64_t
end_of_day_after(int64_t t, int days)
{
    int64_t day = (t + ALMATY_OFFSET) / DAY;
    return (day + days + 1) * DAY - ALMATY_OFFSET - 1;
}

static int
year_of(int64_t t)
{
    time_t tt = (time_t)(t + ALMATY_OFFSET);
    struct tm tm;
    gmtime_r(&tt, &tm);
    return tm.tm_year + 1900;
}

static size_t
make_text(struct seed *s, bool kk, char *out, size_t cap)
{
    size_t n = 0, count = 1 + rnd_below(s, 8);
    for (size_t i = 0; i < count; i++) {
        const char *p = kk ? sentences_kk[rnd_below(s, ARRAY_LEN(sentences_kk))]
                           : sentences_ru[rnd_below(s, ARRAY_LEN(sentences_ru))];
        size_t len = strlen(p);
        if (n + len + 2 >= cap)
            break;
        if (n)
            out[n++] = ' ';
        memcpy(out + n, p, len);
        n += len;
    }
    out[n] = '\0';
    return n;
}

static bool
is_closed(const char *status)
{
    return !strcmp(status, "closed") || !strcmp(status, "not_considered") ||
           !strcmp(status, "withdrawn");
}

static int64_t
count_appeals(sqlite3 *db)
{
    sqlite3_stmt *st = prepare(db, "SELECT count(*) FROM appeals");
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

static int64_t
seed_marker(sqlite3 *db)
{
    sqlite3_stmt *st = prepare(db, "SELECT n FROM counters WHERE name = 'bench:seed'");
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return n;
}

static void
seed(struct seed *s, int64_t count)
{
    sqlite3 *db = s->db;
    int64_t now = (int64_t)time(NULL), span = 730 * (int64_t)DAY, start = now - span;
    int64_t reg_seq[YEARS_MAX] = {0};
    int first_year = year_of(start);
    sqlite3_stmt *st = prepare(
        db, "INSERT INTO appeals(tracking_id, secret_hash, reg_number, kind, channel, language,"
            " region, topic, agency, status, text, address, lat, lon, contact_name, contact_email,"
            " contact_phone, anonymous, consent, owner_user, registered_by, filed_at,"
            " registered_at, due_at, forward_due_at, assignee, rating, warned, overdue, extended,"
            " updated_at, closed_at, contact_iin, last_hash)"
            " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,NULL,"
            "?20,?21,?22,?23,?24,NULL,?25,?26,?27,?28,?29,?30,NULL,zeroblob(32))");
    char text[2048], tracking[17], reg[48], address[128];
    unsigned char secret_hash[32];
    for (int64_t i = 0; i < count; i++) {
        /* Registration order: evenly over two years, within working hours. */
        int64_t registered = start + span * i / count;
        int64_t local_sec = (registered + ALMATY_OFFSET) % DAY;
        if (local_sec < 9 * 3600 || local_sec >= 18 * 3600)
            registered += (9 * 3600 - local_sec + DAY) % DAY;
        if (registered > now)
            registered = now;
        int64_t filed = registered - (int64_t)rnd_below(s, 3600);
        int64_t age = now - registered;
        const char *region = PICK(s, regions), *topic = PICK(s, topics);
        const char *agency = route(s, topic, region);
        const char *language = PICK(s, languages);
        bool anonymous = rnd_below(s, 100) < 3;
        const char *status = anonymous                 ? "not_considered"
                             : age > 45 * (int64_t)DAY ? PICK(s, status_old)
                                                       : PICK(s, status_new);
        bool extended = !strcmp(status, "extended");
        bool closed = is_closed(status);
        int64_t due = anonymous ? 0 : end_of_day_after(registered, extended ? 51 : 21);
        int64_t forward_due = end_of_day_after(registered, 7);
        int64_t updated = registered + (int64_t)rnd_below(s, (uint64_t)(age > 0 ? age : 1));
        int64_t closed_at = closed ? updated : 0;
        bool open = !closed;
        int year = year_of(registered);
        int slot = year - first_year;
        if (slot < 0 || slot >= YEARS_MAX)
            die(NULL, "year out of range");
        tracking_id((uint64_t)i, tracking);
        snprintf(reg, sizeof(reg), "%.2s-%d-%07lld", region, year, (long long)++reg_seq[slot]);
        for (size_t k = 0; k < sizeof(secret_hash); k++)
            secret_hash[k] = (unsigned char)rnd(s);
        size_t text_len = make_text(s, language[0] == 'k', text, sizeof(text));
        snprintf(address, sizeof(address), "%s, %d", streets[rnd_below(s, ARRAY_LEN(streets))],
                 (int)(1 + rnd_below(s, 200)));

        sqlite3_bind_text(st, 1, tracking, 16, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, secret_hash, 32, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, reg, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, PICK(s, kinds), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, PICK(s, channels), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, language, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, region, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, topic, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, agency, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, status, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 11, text, (int)text_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 12, address, -1, SQLITE_STATIC);
        if (rnd_below(s, 100) < 40) {
            sqlite3_bind_double(st, 13, 43.2 + (double)rnd_below(s, 1000) / 10000.0);
            sqlite3_bind_double(st, 14, 76.9 + (double)rnd_below(s, 1000) / 10000.0);
        } else {
            sqlite3_bind_null(st, 13);
            sqlite3_bind_null(st, 14);
        }
        if (anonymous)
            sqlite3_bind_null(st, 15);
        else
            sqlite3_bind_text(st, 15, names[rnd_below(s, ARRAY_LEN(names))], -1, SQLITE_STATIC);
        if (!anonymous && rnd_below(s, 100) < 30)
            sqlite3_bind_text(st, 16, "citizen@example.kz", -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 16);
        if (!anonymous && rnd_below(s, 100) < 60)
            sqlite3_bind_text(st, 17, "+7 701 123 45 67", -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 17);
        sqlite3_bind_int(st, 18, anonymous);
        sqlite3_bind_int(st, 19, 1);
        sqlite3_bind_text(st, 20, agency, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 21, filed);
        sqlite3_bind_int64(st, 22, registered);
        if (due)
            sqlite3_bind_int64(st, 23, due);
        else
            sqlite3_bind_null(st, 23);
        sqlite3_bind_int64(st, 24, forward_due);
        if (!strcmp(status, "closed") && rnd_below(s, 100) < 40)
            sqlite3_bind_int(st, 25, 1 + (int)rnd_below(s, 5));
        else
            sqlite3_bind_null(st, 25);
        /* As the deadline scheduler leaves them: warned a week ahead, overdue once past. */
        sqlite3_bind_int(st, 26, open && due && due <= now + 7 * DAY);
        sqlite3_bind_int(st, 27, open && due && due < now);
        sqlite3_bind_int(st, 28, extended);
        sqlite3_bind_int64(st, 29, updated);
        if (closed_at)
            sqlite3_bind_int64(st, 30, closed_at);
        else
            sqlite3_bind_null(st, 30);
        if (sqlite3_step(st) != SQLITE_DONE)
            die(db, "insert appeal");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);

    st = prepare(db, "INSERT INTO counters(name, n) VALUES (?1, ?2)"
                     " ON CONFLICT(name) DO UPDATE SET n = max(n, excluded.n)");
    for (int k = 0; k < YEARS_MAX; k++) {
        if (!reg_seq[k])
            continue;
        char name[32];
        snprintf(name, sizeof(name), "reg:%d", first_year + k);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, reg_seq[k]);
        if (sqlite3_step(st) != SQLITE_DONE)
            die(db, "counter");
        sqlite3_reset(st);
    }
    sqlite3_bind_text(st, 1, "bench:seed", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, SEED_VERSION);
    if (sqlite3_step(st) != SQLITE_DONE)
        die(db, "marker");
    sqlite3_finalize(st);
}

int
main(int argc, char **argv)
{
    int64_t count = 1000000;
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: seed FILE [--count=N]\n");
        return 2;
    }
    if (argc == 3) {
        const char *v = argv[2];
        if (strncmp(v, "--count=", 8) != 0 || !v[8]) {
            fprintf(stderr, "usage: seed FILE [--count=N]\n");
            return 2;
        }
        count = 0;
        for (v += 8; *v; v++) {
            if (*v < '0' || *v > '9' || count > 100000000) {
                fprintf(stderr, "seed: --count must be a number up to 100000000\n");
                return 2;
            }
            count = count * 10 + (*v - '0');
        }
    }
    struct seed s = {.rng = 0x1234567u};
    if (sqlite3_open_v2(argv[1], &s.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die(s.db, argv[1]);
    int64_t have = count_appeals(s.db);
    if (have == count && seed_marker(s.db) == SEED_VERSION) {
        printf("reused %s: %lld appeals\n", argv[1], (long long)have);
        sqlite3_close(s.db);
        return 0;
    }
    if (have != 0) {
        fprintf(stderr, "seed: %s holds %lld appeals; give a fresh migrated file\n", argv[1],
                (long long)have);
        return 1;
    }
    load_rules(&s);
    /* Seeding only: no journal and no fsync; a crash here just means seeding again. */
    exec(s.db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576;"
               " PRAGMA foreign_keys=OFF;");
    exec(s.db, "BEGIN");
    seed(&s, count);
    exec(s.db, "COMMIT");
    exec(s.db, "PRAGMA journal_mode=DELETE");
    printf("seeded %s: %lld appeals\n", argv[1], (long long)count_appeals(s.db));
    sqlite3_close(s.db);
    return 0;
}
