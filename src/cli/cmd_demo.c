/*
 * cmd_demo.c - `tyndau demo`: a fresh demo database, demo staff for a few
 * agencies (logins printed at start), and a generator that submits realistic
 * appeals in Kazakh, Russian and English at a steady rate while demo
 * officials take and answer some. Everything it makes says it is demo data;
 * the texts are generated from templates, never taken from real appeals.
 */
#include "cli/cmd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/rnd.h"
#include "base/util.h"

static const char *const demo_agencies[] = {
    "almaty-city.roads", "almaty-city.housing", "almaty-city.energy",
    "astana.roads",      "astana.housing",      "astana.health",
};

/* Templates: {street} is a street, {n} a house or route number. */
static const struct {
    const char *topic;
    enum appeal_language lang;
    const char *text;
} templates[] = {
    {"roads", LANG_RU,
     "На улице {street} возле дома {n} глубокая яма на проезжей части, машины объезжают"
     " её по встречной полосе. Прошу отремонтировать покрытие."},
    {"roads", LANG_KK,
     "{street} көшесіндегі {n}-үйдің жанында жолда үлкен шұңқыр бар. Жолды жөндеуді"
     " сұраймын."},
    {"roads", LANG_EN,
     "There is a deep pothole on {street} street near house {n}; cars swerve into the"
     " oncoming lane to avoid it. Please repair the road surface."},
    {"housing", LANG_RU,
     "В доме {n} по улице {street} уже неделю не работает лифт, пожилые жильцы не"
     " могут выйти из квартир. Просим принять меры."},
    {"housing", LANG_KK,
     "{street} көшесі, {n}-үйде бір аптадан бері лифт істемейді. Шара қолдануды"
     " сұраймыз."},
    {"housing", LANG_EN,
     "The lift in house {n} on {street} street has been broken for a week and"
     " elderly residents cannot leave their flats."},
    {"water", LANG_RU,
     "По адресу улица {street}, дом {n} третий день нет горячей воды и отопление едва"
     " тёплое. Когда восстановят подачу?"},
    {"water", LANG_KK,
     "{street} көшесі, {n}-үйде үш күннен бері ыстық су жоқ, жылу да әлсіз. Қашан"
     " қалпына келтіріледі?"},
    {"water", LANG_EN,
     "No hot water for three days at {street} street, house {n}, and the radiators are"
     " barely warm. When will supply be restored?"},
    {"transport", LANG_RU,
     "Автобус маршрута {n} по улице {street} ходит раз в сорок минут вместо"
     " пятнадцати по расписанию."},
    {"transport", LANG_KK,
     "{n}-бағыттағы автобус {street} көшесінде кестеге сай жүрмейді, қырық минут"
     " күтеміз."},
    {"health", LANG_RU,
     "В поликлинике на улице {street} невозможно записаться к терапевту, очередь"
     " на {n} дней вперёд."},
    {"health", LANG_EN,
     "The clinic on {street} street has no appointments with a GP for the next {n}"
     " days. Please add doctors or hours."},
    {"stray-animals", LANG_RU,
     "Во дворе дома {n} по улице {street} стая бездомных собак нападает на"
     " детей, просим принять меры."},
    {"ecology", LANG_KK,
     "{street} көшесінде, {n}-үйдің артында заңсыз қоқыс үйіндісі пайда болды."},
    {"proposal", LANG_RU,
     "Предлагаю установить светофор на пересечении улицы {street} и проезда {n},"
     " там ежедневно опасные ситуации."},
};

static const char *const streets[] = {"Abai",         "Dostyk",         "Tole bi",     "Satpayev",
                                      "Zhibek Zholy", "Kabanbai batyr", "Mangilik El", "Turan",
                                      "Respublika",   "Kenesary"};
static const char *const regions[] = {"750000000", "750000000", "710000000", "710000000",
                                      "790000000", "390000000", "350000000", "550000000"};

static const char *const answers[] = {
    [LANG_KK] = "Сіздің өтінішіңіз қаралды. Мамандар орынға шығып, жұмыстар кестеге енгізілді."
                " (демо жауап)",
    [LANG_RU] = "Ваше обращение рассмотрено. Специалисты выехали на место, работы включены в"
                " график. (демо-ответ)",
    [LANG_EN] = "Your appeal has been reviewed. Specialists visited the site and the work is"
                " scheduled. (demo answer)",
};

struct demo {
    struct app *app;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop; /* guarded by mu */
    int rate;
    struct user staff[ARRAY_LEN(demo_agencies)];
    struct user operator_user;
};

struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done; /* guarded by mu */
};

static void
wake(void *arg)
{
    struct waiter *w = arg;
    pthread_mutex_lock(&w->mu);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void
wait_done(struct waiter *w)
{
    pthread_mutex_lock(&w->mu);
    while (!w->done)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

/* The template with {street} and {n} filled in, in a. */
static const char *
fill(struct arena *a, const char *tpl, const char *street, int num)
{
    struct buf b = BUF_INIT(4096);
    for (const char *p = tpl; *p;) {
        if (strncmp(p, "{street}", 8) == 0) {
            buf_puts(&b, street);
            p += 8;
        } else if (strncmp(p, "{n}", 3) == 0) {
            buf_printf(&b, "%d", num);
            p += 3;
        } else {
            buf_putc(&b, *p++);
        }
    }
    const char *out = arena_strdup(a, b.p ? b.p : "");
    buf_fini(&b);
    return out;
}

static char *
render(const struct appeal *ap, const char *secret, void *arg)
{
    (void)secret;
    (void)arg;
    return strdup(ap->tracking_id);
}

static void
submit_one(struct demo *d, int64_t n)
{
    struct arena *a = arena_new();
    struct submit_req r = {0};
    size_t t = rnd_below(ARRAY_LEN(templates));
    const char *street = streets[rnd_below(ARRAY_LEN(streets))];
    int num = 1 + (int)rnd_below(120);
    const char *topic = templates[t].topic;
    bool proposal = strcmp(topic, "proposal") == 0;
    r.ap.text = arena_printf(a, "[DEMO] %s", fill(a, templates[t].text, street, num));
    r.ap.kind = proposal ? KIND_PROPOSAL : (rnd_below(3) ? KIND_COMPLAINT : KIND_STATEMENT);
    r.ap.language = templates[t].lang;
    r.ap.region = regions[rnd_below(ARRAY_LEN(regions))];
    /* One in five leaves the topic to the operators' triage queue. */
    r.ap.topic = proposal ? "roads" : (rnd_below(5) ? topic : NULL);
    r.ap.consent = true;
    r.ap.contact_name = arena_printf(a, "Demo citizen %lld", (long long)n);
    r.ap.contact_email = arena_printf(a, "demo%lld@example.invalid", (long long)n);
    r.ap.channel = rnd_below(6) ? CHANNEL_WEB : CHANNEL_PHONE;
    if (r.ap.channel == CHANNEL_PHONE)
        r.caller.user = d->operator_user;
    else
        r.caller.user.role = ROLE_CITIZEN;
    r.caller.ip = "demo";
    r.render = render;
    struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    if (app_submit_start(d->app, &r, a, wake, &w) == ERR_OK)
        wait_done(&w);
    if (r.e)
        log_warn("demo: cannot submit: %s", r.why ? r.why : err_name(r.e));
    free(r.response);
    arena_free(a);
}

static void
act(struct demo *d, const struct user *u, const char *tracking, enum appeal_action action,
    enum appeal_language lang)
{
    struct arena *a = arena_new();
    struct act_req r = {.action = action, .tracking_id = tracking, .language = lang};
    r.caller.user = *u;
    r.caller.ip = "demo";
    r.text = answers[lang];
    struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    if (app_act_start(d->app, &r, a, wake, &w) == ERR_OK)
        wait_done(&w);
    arena_free(a);
}

/* Each demo official takes the most urgent new appeal and answers one in review. */
static void
officials_work(struct demo *d)
{
    for (size_t i = 0; i < ARRAY_LEN(d->staff); i++) {
        struct arena *a = arena_new();
        struct caller c = {.user = d->staff[i], .ip = "demo"};
        struct queue_query q = {.status = -1, .limit = 20};
        struct appeal *rows;
        size_t count;
        bool more;
        if (app_queue(d->app, a, &c, &q, &rows, &count, &more) == ERR_OK) {
            bool took = false, answered = false;
            for (size_t k = 0; k < count; k++) {
                struct appeal *ap = &rows[k];
                if (!took && ap->status == STATUS_REGISTERED) {
                    act(d, &d->staff[i], ap->tracking_id, ACT_TAKE, ap->language);
                    took = true;
                } else if (!answered && ap->status == STATUS_IN_REVIEW && rnd_below(2)) {
                    act(d, &d->staff[i], ap->tracking_id, ACT_ANSWER, ap->language);
                    answered = true;
                }
            }
        }
        arena_free(a);
    }
}

static void *
demo_main(void *arg)
{
    struct demo *d = arg;
    int64_t n = 0;
    for (;;) {
        submit_one(d, ++n);
        if (n % (d->rate * 3) == 0)
            officials_work(d);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + 1000000000LL / d->rate;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_mutex_lock(&d->mu);
        while (!d->stop && pthread_cond_timedwait(&d->cv, &d->mu, &ts) == 0)
            ;
        bool stop = d->stop;
        pthread_mutex_unlock(&d->mu);
        if (stop)
            return NULL;
    }
}

static void
on_ready(struct app *app, void *arg)
{
    struct demo *d = arg;
    (void)app;
    printf("demo traffic: %d generated appeals per second; this is demo data\n", d->rate);
    fflush(stdout);
    if (pthread_create(&d->thread, NULL, demo_main, d) == 0)
        d->started = true;
}

static bool
make_user(struct app *app, const char *login, enum role role, const char *agency, struct user *out)
{
    char pw[APP_TOKEN_LEN];
    rnd_token(pw, 10);
    struct user u = {.login = login, .role = role, .agency = agency, .name = "demo staff"};
    int64_t id;
    const char *why;
    if (app_user_add(app, &u, pw, &id, &why)) {
        log_error("demo: cannot add %s: %s", login, why ? why : "store");
        return false;
    }
    printf("  %-34s %-10s password %s\n", login, role_name(role), pw);
    if (out) {
        *out = u;
        out->id = id;
    }
    return true;
}

int
cmd_demo(struct config *c, struct config_args *a)
{
    (void)a;
    cli_block_signals();
    if (strcmp(c->db, "sqlite:tyndau.db") == 0) {
        free(c->db);
        c->db = strdup("sqlite:tyndau-demo.db");
    }
    if (strncmp(c->db, "sqlite:", 7) == 0 && strcmp(c->db + 7, ":memory:") != 0) {
        char path[4096];
        const char *suffix[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < ARRAY_LEN(suffix); i++) {
            snprintf(path, sizeof(path), "%s%s", c->db + 7, suffix[i]);
            (void)unlink(path); /* a fresh demo database every time */
        }
    }
    struct store *s = cli_store(c);
    if (!s)
        return 1;
    struct app_opts ao = cli_app_opts(c);
    ao.rate_submit = INT64_MAX / 4; /* the generator is one busy "citizen" */
    struct app *app = NULL;
    struct demo d = {.rate = (int)c->demo_rate};
    pthread_mutex_init(&d.mu, NULL);
    pthread_cond_init(&d.cv, NULL);
    int rc = 1;
    if (app_new(s, &ao, &app))
        goto out;
    d.app = app;
    printf("tyndau demo: every appeal here is generated demo data\ndemo staff (sign in at"
           " /work/login or /api/v1/session):\n");
    char login[96];
    bool ok = make_user(app, "demo-operator", ROLE_OPERATOR, NULL, &d.operator_user) &&
              make_user(app, "demo-analyst", ROLE_ANALYST, NULL, NULL) &&
              make_user(app, "demo-admin", ROLE_ADMIN, NULL, NULL);
    for (size_t i = 0; ok && i < ARRAY_LEN(demo_agencies); i++) {
        snprintf(login, sizeof(login), "%s.official", demo_agencies[i]);
        ok = make_user(app, login, ROLE_OFFICIAL, demo_agencies[i], &d.staff[i]);
        snprintf(login, sizeof(login), "%s.head", demo_agencies[i]);
        ok = ok && make_user(app, login, ROLE_SUPERVISOR, demo_agencies[i], NULL);
    }
    /* A labelled synthetic opinion sample, so /opinion shows real figures. */
    ok = ok && cli_opinion_demo_write(s, "housing", 3000, 1) == 0;
    printf("pages: / (citizens), /work (officials and operators), /dashboard (heads and"
           " analysts), /opinion (analysts)\n");
    fflush(stdout);
    if (!ok)
        goto out;
    rc = cli_serve_until_signal(c, app, on_ready, &d);
    pthread_mutex_lock(&d.mu);
    d.stop = true;
    pthread_cond_broadcast(&d.cv);
    pthread_mutex_unlock(&d.mu);
    if (d.started)
        pthread_join(d.thread, NULL);
out:
    app_free(app);
    store_close(s);
    pthread_mutex_destroy(&d.mu);
    pthread_cond_destroy(&d.cv);
    return rc;
}
