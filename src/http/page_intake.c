/*
 * page_intake.c - operator intake: GET /work/intake, the form an operator
 * fills in for a citizen who called, wrote or came in (channel, kind,
 * language, the citizen's name and contacts, region, topic, the text, and
 * that the consent to processing personal data was read out and given), and
 * POST /work/intake, which checks it as the portal does, registers the
 * appeal through app_submit_start() on that channel (only operators may) and
 * shows the coupon to read out to the citizen. A hidden form id is the
 * Idempotency-Key: sending the same form twice registers one appeal.
 * Exports h_intake() and h_intake_submit().
 */
#include "http/html.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/rnd.h"
#include "base/util.h"
#include "text/utf8.h"

enum {
    INTAKE_ID_BYTES = 16,
    INTAKE_ID_LEN = (INTAKE_ID_BYTES * 8 + 4) / 5,
    INTAKE_NAME_MAX = 200, /* characters, as the portal */
    INTAKE_EMAIL_MAX = 254,
    INTAKE_PHONE_MAX = 32,
};

static const enum appeal_channel intake_channels[] = {CHANNEL_PHONE, CHANNEL_LETTER,
                                                      CHANNEL_RECEPTION};
static const enum appeal_kind intake_kinds[] = {KIND_STATEMENT, KIND_COMPLAINT, KIND_PROPOSAL,
                                                KIND_REQUEST};

struct intake_form {
    const char *channel, *kind, *language, *name, *phone, *email, *address;
    const char *region, *topic, *text, *consent, *form_id;
    struct html_error errs[PAGE_ERRORS_MAX];
    size_t err_count;
};

static void
add_error(struct intake_form *f, const char *field, const char *msg)
{
    if (f->err_count < PAGE_ERRORS_MAX)
        f->errs[f->err_count++] = (struct html_error){field, msg};
}

static const char *
error_of(const struct intake_form *f, const char *field)
{
    for (size_t i = 0; i < f->err_count; i++)
        if (strcmp(f->errs[i].field, field) == 0)
            return f->errs[i].msg;
    return NULL;
}

static const char *
new_form_id(struct req *r)
{
    char *t = arena_alloc(r->arena, INTAKE_ID_LEN + 1);
    rnd_token(t, INTAKE_ID_BYTES);
    return t;
}

static bool
form_id_ok(const char *s)
{
    if (!s || strlen(s) != INTAKE_ID_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '2' && *s <= '7')))
            return false;
    return true;
}

static enum handled
render_form(struct page *p, struct intake_form *f, unsigned status)
{
    const char *title = page_t(p, N_("Register an appeal for a citizen"));
    p->self = "/work/intake";
    page_begin(p, f->err_count ? page_tf(p, N_("Error: {title}"),
                                         (const char *const[]){"title", title, NULL})
                               : title);
    page_work_bar(p);
    html_raw(p, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n");
    html_error_summary(p, f->errs, f->err_count);
    html_raw(p, "<h1 class=\"govuk-heading-l\">");
    html_text(p, title);
    html_raw(p, "</h1>\n<p class=\"govuk-body\">");
    html_t(p, N_("For a citizen who called, wrote a letter or came to the reception. Write down "
                 "what they say in their words."));
    html_raw(p, "</p>\n");
    html_form_begin(p, "post", "/work/intake");
    html_raw(p, "<input type=\"hidden\" name=\"form_id\"");
    html_attr(p, "value", f->form_id);
    html_raw(p, ">\n");

    struct html_option ch[ARRAY_LEN(intake_channels)];
    for (size_t i = 0; i < ARRAY_LEN(intake_channels); i++)
        ch[i] = (struct html_option){appeal_channel_name(intake_channels[i]),
                                     page_channel(p, intake_channels[i]), NULL};
    html_radios(p,
                &(struct html_field){.name = "channel",
                                     .label = page_t(p, N_("How did the appeal come in?")),
                                     .value = f->channel,
                                     .error = error_of(f, "channel")},
                ch, ARRAY_LEN(ch));
    struct html_option kinds[ARRAY_LEN(intake_kinds)];
    for (size_t i = 0; i < ARRAY_LEN(intake_kinds); i++)
        kinds[i] = (struct html_option){appeal_kind_name(intake_kinds[i]),
                                        page_kind(p, intake_kinds[i]), NULL};
    html_radios(p,
                &(struct html_field){.name = "kind",
                                     .label = page_t(p, N_("Kind of appeal")),
                                     .value = f->kind,
                                     .error = error_of(f, "kind")},
                kinds, ARRAY_LEN(kinds));
    static const char *const lang_names[LANG__COUNT] = {
        [LANG_KK] = "Қазақша", [LANG_RU] = "Русский", [LANG_EN] = "English"};
    struct html_option langs[LANG__COUNT];
    for (int l = 0; l < LANG__COUNT; l++)
        langs[l] =
            (struct html_option){i18n_lang_code((enum appeal_language)l), lang_names[l], NULL};
    html_radios(p,
                &(struct html_field){.name = "language",
                                     .label = page_t(p, N_("Language of the appeal")),
                                     .hint = page_t(p, N_("The answer will be in this language.")),
                                     .value = f->language ? f->language : i18n_lang_code(p->lang),
                                     .error = error_of(f, "language")},
                langs, LANG__COUNT);

    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("The citizen"));
    html_raw(p, "</h2>\n");
    html_input(p, &(struct html_field){.name = "name",
                                       .label = page_t(p, N_("Full name")),
                                       .hint = page_t(p, N_("By law an appeal without a name is "
                                                            "not considered.")),
                                       .value = f->name,
                                       .error = error_of(f, "name"),
                                       .autocomplete = "off"});
    html_input(p, &(struct html_field){.name = "phone",
                                       .label = page_t(p, N_("Phone number")),
                                       .hint = page_t(p, N_("A phone number, an email address or "
                                                            "a postal address is needed for the "
                                                            "answer.")),
                                       .value = f->phone,
                                       .error = error_of(f, "phone"),
                                       .type = "tel",
                                       .autocomplete = "off",
                                       .cls = "govuk-input--width-20"});
    html_input(p, &(struct html_field){.name = "email",
                                       .label = page_t(p, N_("Email address")),
                                       .value = f->email,
                                       .error = error_of(f, "email"),
                                       .type = "email",
                                       .autocomplete = "off"});
    html_input(p, &(struct html_field){.name = "address",
                                       .label = page_t(p, N_("Address")),
                                       .value = f->address,
                                       .error = error_of(f, "address"),
                                       .autocomplete = "off"});

    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("The appeal"));
    html_raw(p, "</h2>\n");
    size_t regions_count, topics_count;
    struct html_option *regions =
        page_region_options(p, page_t(p, N_("Choose the region")), &regions_count);
    struct html_option *topics =
        page_topic_options(p, page_t(p, N_("Not sure: the service will choose")), &topics_count);
    html_select(p,
                &(struct html_field){.name = "region",
                                     .label = page_t(p, N_("Region")),
                                     .value = f->region,
                                     .error = error_of(f, "region")},
                regions, regions_count);
    html_select(p,
                &(struct html_field){.name = "topic",
                                     .label = page_t(p, N_("Topic")),
                                     .value = f->topic,
                                     .error = error_of(f, "topic")},
                topics, topics_count);
    html_input(p, &(struct html_field){.name = "text",
                                       .label = page_t(p, N_("What the citizen asks")),
                                       .value = f->text,
                                       .error = error_of(f, "text"),
                                       .rows = 8});
    html_checkbox(p,
                  &(struct html_field){.name = "consent",
                                       .label = page_t(p, N_("I read the consent text to the "
                                                             "citizen and they agreed")),
                                       .hint = page_t(p, N_("Read out: your personal data are "
                                                            "processed only to consider this "
                                                            "appeal and to answer it.")),
                                       .value = f->consent,
                                       .error = error_of(f, "consent")},
                  page_t(p, N_("Consent to the processing of personal data")), "yes");
    html_button(p, page_t(p, N_("Register the appeal")), false);
    html_form_end(p);
    html_raw(p, "</div></div>\n");
    page_end(p);
    return page_reply(p, status);
}

enum handled
h_intake(struct req *r)
{
    struct page p;
    page_init(&p, r, NULL);
    struct intake_form f = {.form_id = new_form_id(r)};
    return render_form(&p, &f, 200);
}

/* ---- POST /work/intake ---- */

static bool
too_long(const char *s, size_t max)
{
    return s && utf8_count(str_from_cstr(s)) > max;
}

static void
check(struct page *p, struct intake_form *f, struct appeal *ap)
{
    struct req *r = p->r;
    bool ok = false;
    for (size_t i = 0; f->channel && i < ARRAY_LEN(intake_channels); i++)
        if (strcmp(f->channel, appeal_channel_name(intake_channels[i])) == 0) {
            ap->channel = intake_channels[i];
            ok = true;
        }
    if (!ok)
        add_error(f, "channel", page_t(p, N_("Choose how the appeal came in")));
    ok = false;
    for (size_t i = 0; f->kind && i < ARRAY_LEN(intake_kinds); i++)
        if (strcmp(f->kind, appeal_kind_name(intake_kinds[i])) == 0) {
            ap->kind = intake_kinds[i];
            ok = true;
        }
    if (!ok)
        add_error(f, "kind", page_t(p, N_("Choose the kind of appeal")));
    if (!f->language || i18n_lang_parse(f->language, &ap->language))
        add_error(f, "language", page_t(p, N_("Choose the language of the appeal")));
    if (!f->name)
        add_error(f, "name", page_t(p, N_("Enter the citizen's full name")));
    else if (too_long(f->name, INTAKE_NAME_MAX))
        add_error(f, "name", page_t(p, N_("The name must be 200 characters or fewer")));
    ap->contact_name = f->name;
    if (f->phone && (too_long(f->phone, INTAKE_PHONE_MAX) || !http_phone_ok(f->phone)))
        add_error(f, "phone", page_t(p, N_("Enter a phone number of 7 to 15 digits")));
    ap->contact_phone = f->phone;
    if (f->email && (too_long(f->email, INTAKE_EMAIL_MAX) || !http_email_ok(f->email)))
        add_error(f, "email",
                  page_t(p, N_("Enter an email address in the right form, like name@example.kz")));
    ap->contact_email = f->email;
    if (too_long(f->address, APPEAL_ADDRESS_MAX))
        add_error(f, "address", page_t(p, N_("The address must be 500 characters or fewer")));
    ap->address = f->address;
    if (!f->phone && !f->email && !f->address)
        add_error(f, "phone",
                  page_t(p, N_("Enter a phone number, an email address or a postal address for "
                               "the answer")));
    if (!f->region || !app_region(r->app, f->region))
        add_error(f, "region", page_t(p, N_("Choose the region")));
    ap->region = f->region;
    if (f->topic && !app_topic(r->app, f->topic))
        add_error(f, "topic", page_t(p, N_("Choose a topic from the list")));
    ap->topic = f->topic;
    char *nfc;
    size_t nfc_len;
    if (!f->text) {
        add_error(f, "text", page_t(p, N_("Describe the problem")));
    } else if (utf8_nfc(r->arena, str_from_cstr(f->text), &nfc, &nfc_len)) {
        add_error(f, "text", page_t(p, N_("The text has characters that cannot be read")));
    } else {
        size_t chars = utf8_count((struct str){nfc, nfc_len});
        if (chars < APPEAL_TEXT_MIN)
            add_error(f, "text", page_t(p, N_("The description must be at least 10 characters")));
        else if (chars > APPEAL_TEXT_MAX)
            add_error(f, "text",
                      page_t(p, N_("The description must be 10,000 characters or fewer")));
        ap->text = nfc;
    }
    ap->consent = f->consent && strcmp(f->consent, "yes") == 0;
    if (!ap->consent)
        add_error(f, "consent",
                  page_t(p, N_("Read the consent text to the citizen and mark that they agreed")));
}

/* The app's 201 body for this page: what the coupon shows (kept for a
 * replayed form in the idempotency table). Caller frees. */
static char *
render_coupon(const struct appeal *ap, const char *secret, void *arg)
{
    (void)arg;
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:s}", "tracking_id", ap->tracking_id, "secret",
                  secret, "registration_number", ap->reg_number, "registered_at",
                  (json_int_t)ap->registered_at, "registered_by", ap->registered_by, "due_at",
                  (json_int_t)ap->due_at, "status", appeal_status_name(ap->status));
    if (!j)
        return NULL;
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static enum err
submit_start(struct req *r)
{
    return app_submit_start(r->app, &r->job.submit, r->arena, http_job_done, r);
}

static enum handled
coupon_page(struct req *r, const char *body)
{
    json_error_t jerr;
    json_t *j = json_loads(body, 0, &jerr);
    const char *tid = NULL, *secret = NULL, *reg = NULL, *by = NULL, *status = NULL;
    json_int_t at = 0, due = 0;
    if (!j || json_unpack(j, "{s:s, s:s, s:s, s:I, s:s, s:I, s:s}", "tracking_id", &tid, "secret",
                          &secret, "registration_number", &reg, "registered_at", &at,
                          "registered_by", &by, "due_at", &due, "status", &status) != 0) {
        json_decref(j);
        return page_error(r, 500, N_("Sorry, something went wrong"),
                          N_("The appeal may not have been registered. Look for it in the queue "
                             "before you try again."));
    }
    struct page p;
    page_init(&p, r, r->form);
    p.self = "/work/intake";
    enum appeal_status st = STATUS_REGISTERED;
    (void)appeal_status_parse(str_from_cstr(status), &st);
    const char *track = page_url(&p, arena_printf(r->arena, "/track/%s", tid),
                                 (const char *const[]){"secret", secret, NULL});
    const char *title = page_t(&p, N_("The appeal is registered"));
    page_begin(&p, title);
    page_work_bar(&p);
    html_raw(&p, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n"
                 "<div class=\"govuk-panel govuk-panel--confirmation\">\n"
                 "<h1 class=\"govuk-panel__title\">");
    html_text(&p, title);
    html_raw(&p, "</h1>\n<div class=\"govuk-panel__body\">");
    html_t(&p, N_("Registration number"));
    html_raw(&p, "<br><strong data-testid=\"reg-number\">");
    html_text(&p, reg);
    html_raw(&p, "</strong></div>\n</div>\n<h2 class=\"govuk-heading-m\">");
    html_t(&p, N_("Read the coupon out to the citizen"));
    html_raw(&p, "</h2>\n<dl class=\"govuk-summary-list\" data-testid=\"coupon\">\n");
    html_summary_row(&p, page_t(&p, N_("Registration number")), reg);
    html_summary_row(&p, page_t(&p, N_("Registered on")), page_datetime(&p, at));
    html_summary_row(&p, page_t(&p, N_("Registered by")), page_agency(&p, by));
    html_summary_row(&p, page_t(&p, N_("Status")), page_status(&p, st));
    if (due)
        html_summary_row(&p, page_t(&p, N_("Answer")), page_due(&p, due));
    html_summary_row(&p, page_t(&p, N_("Tracking number")), tid);
    html_raw(&p, "</dl>\n<p class=\"govuk-body\">");
    html_t(&p, N_("The citizen can follow the appeal with this link. Give it only to them."));
    html_raw(&p, "</p>\n<p class=\"govuk-body\"><code class=\"tyndau-code\" "
                 "data-testid=\"track-link\">");
    html_text(&p, track);
    html_raw(&p, "</code></p>\n<p class=\"govuk-body\">");
    html_link(
        &p,
        page_url(&p, "/work/intake", (const char *const[]){"lang", i18n_lang_code(p.lang), NULL}),
        page_t(&p, N_("Register another appeal")));
    html_raw(&p, "</p>\n</div></div>\n");
    page_end(&p);
    json_decref(j);
    return page_reply(&p, 200);
}

static enum handled
submit_finish(struct req *r)
{
    struct submit_req *s = &r->job.submit;
    if (s->e == ERR_RATE)
        return page_error(r, 429, N_("Too many appeals from your address"),
                          N_("Wait a minute and send the form again."));
    if (s->why && strcmp(s->why, "idempotency-key-reused") == 0)
        return page_error(r, 409, N_("This form was already sent"),
                          N_("The appeal from this form is registered. To register another, "
                             "open the form again."));
    if (s->e == ERR_DENIED)
        return page_error(r, 403, N_("You cannot open this page"),
                          N_("Your role does not give access to it."));
    if (s->e) {
        log_warn("http: intake failed: %s", err_name(s->e));
        return page_error(r, s->e == ERR_UNAVAILABLE ? 503 : 500, N_("Sorry, something went wrong"),
                          N_("The appeal may not have been registered. Look for it in the queue "
                             "before you try again."));
    }
    char *body = s->response;
    s->response = NULL;
    enum handled h = coupon_page(r, body);
    free(body);
    return h;
}

enum handled
h_intake_submit(struct req *r)
{
    struct submit_req *s = &r->job.submit;
    r->job_is_submit = true;
    struct page p;
    page_init(&p, r, r->form);
    struct intake_form f = {
        .channel = form_text(r->form, r->arena, "channel"),
        .kind = form_text(r->form, r->arena, "kind"),
        .language = form_text(r->form, r->arena, "language"),
        .name = form_text(r->form, r->arena, "name"),
        .phone = form_text(r->form, r->arena, "phone"),
        .email = form_text(r->form, r->arena, "email"),
        .address = form_text(r->form, r->arena, "address"),
        .region = form_text(r->form, r->arena, "region"),
        .topic = form_text(r->form, r->arena, "topic"),
        .text = form_text(r->form, r->arena, "text"),
        .consent = form_text(r->form, r->arena, "consent"),
        .form_id = form_text(r->form, r->arena, "form_id"),
    };
    if (!form_id_ok(f.form_id))
        f.form_id = new_form_id(r);
    check(&p, &f, &s->ap);
    if (f.err_count)
        return render_form(&p, &f, 422);
    buf_fini(&p.b); /* the coupon is built when the appeal is durable */
    s->idem_key = arena_printf(r->arena, "intake:%s", f.form_id);
    crypto_hash_sha256(s->req_hash, (const unsigned char *)r->body.p, r->body.len);
    s->report = REPORT_NONE;
    s->caller = r->caller;
    s->render = render_coupon;
    s->render_arg = r;
    return http_wait(r, submit_start, submit_finish);
}
