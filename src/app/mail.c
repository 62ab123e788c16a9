/*
 * mail.c - e-mail to citizens through the outbox: app__notify() renders a
 * notice with the renderer the caller of app_new() gave (http/mail.c: the
 * message catalogs and HTML escaping live in http/, and app/ reaches them
 * only through app_opts.notice_render, so includes still point down) and
 * queues the whole message in the same transaction as the change it tells
 * of; app_mail_deliver() writes each queued message into the spool
 * directory as one .eml file and marks its row sent. Exports
 * app__notify() and app_mail_deliver().
 */
#include "app/app_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

enum { MAIL_BATCH = 200 };

static const char *
agency_name(struct app *app, const char *code, enum appeal_language l)
{
    const struct ref_agency *ag = code ? app_agency(app, code) : NULL;
    if (!ag)
        return code;
    const char *name = l == LANG_KK ? ag->name_kk : l == LANG_RU ? ag->name_ru : ag->name_en;
    return name ? name : ag->name_en;
}

enum err
app__notify(struct app *app, struct store_tx *tx, struct notice *n)
{
    const struct appeal *ap = n->ap;
    if (!app->opts.notice_render || !ap->contact_email || !ap->contact_email[0])
        return ERR_OK;
    n->site_url = app->opts.site_url;
    n->from = app->opts.mail_from;
    n->now = app_now(app);
    if (!n->agency_name)
        n->agency_name = agency_name(app, ap->agency, ap->language);
    char *msg = app->opts.notice_render(n);
    if (!msg) {
        /* The address passed the form's check but is not safe in a header. */
        log_debug("mail: no notice for appeal %lld: the address was refused", (long long)ap->id);
        return ERR_OK;
    }
    enum err e = store_tx_outbox(tx, n->now, "email", ap->contact_email, ap->id, msg);
    free(msg);
    return e;
}

/* Write body to dir/tyndau-<id>.eml: aside first, fsync'd, then renamed, so
 * that whoever picks files up never reads half a message. */
static int
spool_write(const char *dir, const struct outbox_row *o)
{
    char tmp[4096], dst[4096];
    int n1 = snprintf(tmp, sizeof(tmp), "%s/.tyndau-%lld.eml.tmp", dir, (long long)o->id);
    int n2 = snprintf(dst, sizeof(dst), "%s/tyndau-%lld.eml", dir, (long long)o->id);
    if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof(tmp) || (size_t)n2 >= sizeof(dst))
        return ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno;
    size_t len = strlen(o->body), off = 0;
    int err = 0;
    while (off < len && !err) {
        ssize_t w = write(fd, o->body + off, len - off);
        if (w < 0 && errno != EINTR)
            err = errno;
        else if (w > 0)
            off += (size_t)w;
    }
    if (!err && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, dst) != 0)
        err = errno;
    if (err)
        (void)unlink(tmp);
    return err;
}

struct sent_job {
    int64_t *ids;
    size_t count;
    int64_t now;
};

static enum err
sent_run(struct store_tx *tx, void *arg)
{
    struct sent_job *j = arg;
    for (size_t i = 0; i < j->count; i++) {
        enum err e = store_tx_outbox_sent(tx, j->ids[i], j->now);
        if (e)
            return e;
    }
    return ERR_OK;
}

enum err
app_mail_deliver(struct app *app, int *sent)
{
    *sent = 0;
    const char *dir = app->opts.mail_spool;
    if (!dir || !dir[0])
        return ERR_OK;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        log_warn("mail: cannot make the spool directory: %s", strerror(errno));
        return ERR_UNAVAILABLE;
    }
    for (;;) {
        struct arena *a = arena_new();
        struct outbox_row *rows;
        size_t count;
        enum err e = store_outbox_pending(app->store, a, "email", MAIL_BATCH, &rows, &count);
        struct sent_job j = {.ids = ARENA_ARRAY(a, int64_t, count + 1), .now = app_now(app)};
        for (size_t i = 0; !e && i < count; i++) {
            int err = spool_write(dir, &rows[i]);
            if (err) {
                /* The row stays queued and is tried again on the next tick. */
                log_warn("mail: cannot write outbox row %lld into the spool: %s",
                         (long long)rows[i].id, strerror(err));
                break;
            }
            j.ids[j.count++] = rows[i].id;
        }
        if (!e && j.count)
            e = store_write(app->store, sent_run, &j);
        arena_free(a);
        if (e)
            return e;
        *sent += (int)j.count;
        if (count < MAIL_BATCH || j.count < count)
            return ERR_OK;
    }
}
