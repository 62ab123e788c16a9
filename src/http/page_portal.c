/*
 * page_portal.c - the citizen portal: GET / (the appeal form in numbered
 * groups: what, where, the description, contact, consent), POST /appeal
 * (checked like POST /api/v1/appeals, the form shown again with an error
 * summary and the input kept) and the confirmation page with the coupon
 * (registration number, date and time, registering body) and the tracking
 * link, which carries the tracking id and its secret. A hidden form id is
 * the Idempotency-Key, so sending the same form twice registers one appeal.
 * Exports h_portal() and h_portal_submit().
 */
#include "http/html.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/rnd.h"
#include "base/util.h"
#include "domain/iin.h"
#include "text/utf8.h"

enum { FORM_ID_BYTES = 16, FORM_ID_LEN = (FORM_ID_BYTES * 8 + 4) / 5 };

/* The kinds a citizen may choose (responses and messages come from staff). */
static const enum appeal_kind portal_kinds[] = {KIND_STATEMENT, KIND_COMPLAINT, KIND_PROPOSAL,
                                                KIND_REQUEST};
static const char *const kind_hint[] = {
    N_("You ask for your rights or someone else's to be put into effect"),
    N_("Your rights or interests were infringed"),
    N_("You suggest how to improve a law or the work of a state body"),
    N_("You ask for information or an explanation"),
};
_Static_assert(ARRAY_LEN(kind_hint) == ARRAY_LEN(portal_kinds), "kind_hint out of date");

struct portal_form {
    const char *kind, *topic, *region, *text, *address, *lat, *lon;
    const char *name, *email, *phone, *iin, *consent, *form_id;
    struct html_error errs[PAGE_ERRORS_MAX];
    size_t err_count;
};

static void
add_error(struct portal_form *pf, const char *field, const char *msg)
{
    if (pf->err_count < PAGE_ERRORS_MAX)
        pf->errs[pf->err_count++] = (struct html_error){field, msg};
}

static const char *
error_of(const struct portal_form *pf, const char *field)
{
    for (size_t i = 0; i < pf->err_count; i++)
        if (strcmp(pf->errs[i].field, field) == 0)
            return pf->errs[i].msg;
    return NULL;
}

static void
render_form(struct page *p, struct portal_form *pf, unsigned *status)
{
    p->self = "/";
    const char *title = page_t(p, N_("Send an appeal to a state body"));
    page_begin(p, pf->err_count ? page_tf(p, N_("Error: {title}"),
                                          (const char *const[]){"title", title, NULL})
                                : title);
    html_raw(p, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n");
    html_error_summary(p, pf->errs, pf->err_count);
    html_raw(p, "<h1 class=\"govuk-heading-xl\">");
    html_text(p, title);
    html_raw(p, "</h1>\n<p class=\"govuk-body-l\">");
    html_t(p, N_("The body responsible registers your appeal and must answer within 15 working "
                 "days. You can follow it with the link you get at the end."));
    html_raw(p, "</p>\n");
    html_form_begin(p, "post", "/appeal");
    html_raw(p, "<input type=\"hidden\" name=\"form_id\"");
    html_attr(p, "value", pf->form_id);
    html_raw(p, ">\n");

    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("1. What is your appeal"));
    html_raw(p, "</h2>\n");
    struct html_option kinds[ARRAY_LEN(portal_kinds)];
    for (size_t i = 0; i < ARRAY_LEN(portal_kinds); i++)
        kinds[i] = (struct html_option){appeal_kind_name(portal_kinds[i]),
                                        page_kind(p, portal_kinds[i]), page_t(p, kind_hint[i])};
    html_radios(p,
                &(struct html_field){.name = "kind",
                                     .label = page_t(p, N_("Kind of appeal")),
                                     .value = pf->kind,
                                     .error = error_of(pf, "kind")},
                kinds, ARRAY_LEN(kinds));
    size_t n;
    struct html_option *topics =
        page_topic_options(p, page_t(p, N_("Not sure: describe it below")), &n);
    html_select(
        p,
        &(struct html_field){.name = "topic",
                             .label = page_t(p, N_("Topic")),
                             .hint = page_t(p, N_("If no topic fits, an operator will "
                                                  "choose the body from your description.")),
                             .value = pf->topic,
                             .error = error_of(pf, "topic")},
        topics, n);

    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("2. Where"));
    html_raw(p, "</h2>\n");
    struct html_option *regions = page_region_options(p, page_t(p, N_("Choose a region")), &n);
    html_select(p,
                &(struct html_field){.name = "region",
                                     .label = page_t(p, N_("Region")),
                                     .value = pf->region,
                                     .error = error_of(pf, "region")},
                regions, n);
    html_input(p, &(struct html_field){.name = "address",
                                       .label = page_t(p, N_("Address (optional)")),
                                       .hint = page_t(p, N_("Street, building, landmark")),
                                       .value = pf->address,
                                       .error = error_of(pf, "address"),
                                       .autocomplete = "street-address"});
    html_raw(p, "<details class=\"govuk-details\"");
    if (pf->lat || pf->lon || error_of(pf, "lat") || error_of(pf, "lon"))
        html_raw(p, " open");
    html_raw(p, "><summary class=\"govuk-details__summary\">"
                "<span class=\"govuk-details__summary-text\">");
    html_t(p, N_("Add a point on the map (optional)"));
    html_raw(p, "</span></summary>\n<div class=\"govuk-details__text\">\n");
    html_input(p,
               &(struct html_field){.name = "lat",
                                    .label = page_t(p, N_("Latitude")),
                                    .hint = page_t(p, N_("Decimal degrees, for example 51.1282")),
                                    .value = pf->lat,
                                    .error = error_of(pf, "lat"),
                                    .inputmode = "decimal",
                                    .cls = "govuk-input--width-10"});
    html_input(p,
               &(struct html_field){.name = "lon",
                                    .label = page_t(p, N_("Longitude")),
                                    .hint = page_t(p, N_("Decimal degrees, for example 71.4304")),
                                    .value = pf->lon,
                                    .error = error_of(pf, "lon"),
                                    .inputmode = "decimal",
                                    .cls = "govuk-input--width-10"});
    html_raw(p, "<p class=\"govuk-body tyndau-js-only\" hidden><button type=\"button\" "
                "class=\"govuk-button govuk-button--secondary\" data-tyndau-locate>");
    html_t(p, N_("Use my current location"));
    html_raw(p, "</button></p>\n</div>\n</details>\n");

    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("3. Describe the problem"));
    html_raw(p, "</h2>\n");
    html_input(p, &(struct html_field){
                      .name = "text",
                      .label = page_t(p, N_("Your appeal")),
                      .hint = page_t(p, N_("What happened, where and when, and what you ask for. "
                                           "From 10 to 10,000 characters.")),
                      .value = pf->text,
                      .error = error_of(pf, "text"),
                      .rows = 8});

    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("4. How to reach you"));
    html_raw(p, "</h2>\n<div class=\"govuk-inset-text\">");
    html_t(p, N_("By law an appeal without a name or IIN is anonymous and is not considered, "
                 "unless it reports a crime. Your contact details are never shown publicly."));
    html_raw(p, "</div>\n");
    html_input(p, &(struct html_field){.name = "name",
                                       .label = page_t(p, N_("Full name")),
                                       .value = pf->name,
                                       .error = error_of(pf, "name"),
                                       .autocomplete = "name"});
    html_input(p, &(struct html_field){.name = "iin",
                                       .label = page_t(p, N_("IIN (optional)")),
                                       .hint = page_t(p, N_("12 digits")),
                                       .value = pf->iin,
                                       .error = error_of(pf, "iin"),
                                       .inputmode = "numeric",
                                       .cls = "govuk-input--width-20"});
    html_input(p, &(struct html_field){.name = "email",
                                       .label = page_t(p, N_("Email address (optional)")),
                                       .value = pf->email,
                                       .error = error_of(pf, "email"),
                                       .type = "email",
                                       .autocomplete = "email"});
    html_input(p, &(struct html_field){.name = "phone",
                                       .label = page_t(p, N_("Phone number (optional)")),
                                       .hint = page_t(p, N_("For example +7 701 123 45 67")),
                                       .value = pf->phone,
                                       .error = error_of(pf, "phone"),
                                       .type = "tel",
                                       .autocomplete = "tel",
                                       .cls = "govuk-input--width-20"});

    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("5. Consent"));
    html_raw(p, "</h2>\n");
    html_checkbox(p,
                  &(struct html_field){.name = "consent",
                                       .label = page_t(p, N_("I agree to the processing of my "
                                                             "personal data to consider this "
                                                             "appeal")),
                                       .value = pf->consent,
                                       .error = error_of(pf, "consent")},
                  page_t(p, N_("Consent to the processing of personal data")), "yes");
    html_button(p, page_t(p, N_("Send the appeal")), false);
    html_form_end(p);
    html_raw(p, "</div></div>\n");
    page_end(p);
    *status = pf->err_count ? 422 : 200;
}

static const char *
new_form_id(struct req *r)
{
    char *t = arena_alloc(r->arena, FORM_ID_LEN + 1);
    rnd_token(t, FORM_ID_BYTES);
    return t;
}

static bool
form_id_ok(const char *s)
{
    if (!s || strlen(s) != FORM_ID_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '2' && *s <= '7')))
            return false;
    return true;
}

enum handled
h_portal(struct req *r)
{
    struct page p;
    page_init(&p, r, NULL);
    struct portal_form pf = {.form_id = new_form_id(r)};
    unsigned status;
    render_form(&p, &pf, &status);
    return page_reply(&p, status);
}

/* ---- POST /appeal ---- */

static bool
too_long(const char *s, size_t max)
{
    return s && utf8_count(str_from_cstr(s)) > max;
}

/* Check pf into ap; errors go to pf (translated). */
static void
check(struct page *p, struct portal_form *pf, struct appeal *ap)
{
    struct req *r = p->r;
    ap->channel = CHANNEL_WEB;
    ap->language = p->lang;
    bool kind_ok = false;
    for (size_t i = 0; pf->kind && i < ARRAY_LEN(portal_kinds); i++) {
        if (strcmp(pf->kind, appeal_kind_name(portal_kinds[i])) == 0) {
            ap->kind = portal_kinds[i];
            kind_ok = true;
        }
    }
    if (!kind_ok)
        add_error(pf, "kind", page_t(p, N_("Choose the kind of appeal")));
    if (pf->topic && !app_topic(r->app, pf->topic))
        add_error(pf, "topic", page_t(p, N_("Choose a topic from the list")));
    ap->topic = pf->topic;
    if (!pf->region || !app_region(r->app, pf->region))
        add_error(pf, "region", page_t(p, N_("Choose the region")));
    ap->region = pf->region;
    if (too_long(pf->address, APPEAL_ADDRESS_MAX))
        add_error(pf, "address", page_t(p, N_("The address must be 500 characters or fewer")));
    ap->address = pf->address;
    double lat = 0, lon = 0;
    bool lat_ok =
        pf->lat && str_to_double(str_from_cstr(pf->lat), &lat) == ERR_OK && lat >= -90 && lat <= 90;
    bool lon_ok = pf->lon && str_to_double(str_from_cstr(pf->lon), &lon) == ERR_OK && lon >= -180 &&
                  lon <= 180;
    if ((pf->lat || pf->lon) && !lat_ok)
        add_error(pf, "lat", page_t(p, N_("Enter the latitude as a number from -90 to 90")));
    if ((pf->lat || pf->lon) && !lon_ok)
        add_error(pf, "lon", page_t(p, N_("Enter the longitude as a number from -180 to 180")));
    if (lat_ok && lon_ok) {
        ap->has_location = true;
        ap->lat = lat;
        ap->lon = lon;
    }
    if (!pf->text) {
        add_error(pf, "text", page_t(p, N_("Describe the problem")));
    } else {
        char *nfc;
        size_t nfc_len;
        if (utf8_nfc(r->arena, str_from_cstr(pf->text), &nfc, &nfc_len)) {
            add_error(pf, "text", page_t(p, N_("The text has characters that cannot be read")));
        } else {
            size_t chars = utf8_count((struct str){nfc, nfc_len});
            if (chars < APPEAL_TEXT_MIN)
                add_error(pf, "text",
                          page_t(p, N_("The description must be at least 10 characters")));
            else if (chars > APPEAL_TEXT_MAX)
                add_error(pf, "text",
                          page_t(p, N_("The description must be 10,000 characters or fewer")));
            ap->text = nfc;
        }
    }
    if (too_long(pf->name, 200))
        add_error(pf, "name", page_t(p, N_("The name must be 200 characters or fewer")));
    ap->contact_name = pf->name;
    if (pf->iin && !iin_valid(str_from_cstr(pf->iin)))
        add_error(pf, "iin", page_t(p, N_("Enter an IIN of 12 digits, as on your ID card")));
    ap->contact_iin = pf->iin;
    if (pf->email && (too_long(pf->email, 254) || !http_email_ok(pf->email)))
        add_error(pf, "email",
                  page_t(p, N_("Enter an email address in the right form, like name@example.kz")));
    ap->contact_email = pf->email;
    if (pf->phone && (too_long(pf->phone, 32) || !http_phone_ok(pf->phone)))
        add_error(pf, "phone", page_t(p, N_("Enter a phone number of 7 to 15 digits")));
    ap->contact_phone = pf->phone;
    ap->consent = pf->consent && strcmp(pf->consent, "yes") == 0;
    if (!ap->consent)
        add_error(pf, "consent",
                  page_t(p, N_("Agree to the processing of personal data to send the appeal")));
}

/* The app's 201 body for a page: what the confirmation shows (kept for a
 * replayed form in the idempotency table). Caller frees. */
static char *
render_coupon(const struct appeal *ap, const char *secret, void *arg)
{
    (void)arg;
    json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:s?}", "tracking_id",
                          ap->tracking_id, "secret", secret, "registration_number", ap->reg_number,
                          "registered_at", (json_int_t)ap->registered_at, "registered_by",
                          ap->registered_by, "due_at", (json_int_t)ap->due_at, "status",
                          appeal_status_name(ap->status), "agency", ap->agency);
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
render_coupon_page(struct req *r, const char *body)
{
    struct page p;
    page_init(&p, r, r->form);
    p.self = "/";
    json_error_t jerr;
    json_t *j = json_loads(body, 0, &jerr);
    const char *tid = NULL, *secret = NULL, *reg = NULL, *by = NULL, *status = NULL, *agency = NULL;
    json_int_t at = 0, due = 0;
    if (!j ||
        json_unpack(j, "{s:s, s:s, s:s, s:I, s:s, s:I, s:s, s?s}", "tracking_id", &tid, "secret",
                    &secret, "registration_number", &reg, "registered_at", &at, "registered_by",
                    &by, "due_at", &due, "status", &status, "agency", &agency) != 0) {
        json_decref(j);
        return page_error(r, 500, N_("Sorry, something went wrong"),
                          N_("Your appeal may not have been sent. Try again later."));
    }
    enum appeal_status st = STATUS_REGISTERED;
    (void)appeal_status_parse(str_from_cstr(status), &st);
    const char *track = page_url(&p, arena_printf(r->arena, "/track/%s", tid),
                                 (const char *const[]){"secret", secret, NULL});
    const char *title = page_t(&p, N_("Your appeal is registered"));
    page_begin(&p, title);
    html_raw(&p, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n"
                 "<div class=\"govuk-panel govuk-panel--confirmation\">\n"
                 "<h1 class=\"govuk-panel__title\">");
    html_text(&p, title);
    html_raw(&p, "</h1>\n<div class=\"govuk-panel__body\">");
    html_t(&p, N_("Registration number"));
    html_raw(&p, "<br><strong data-testid=\"reg-number\">");
    html_text(&p, reg);
    html_raw(&p, "</strong></div>\n</div>\n<h2 class=\"govuk-heading-m\">");
    html_t(&p, N_("Coupon"));
    html_raw(&p, "</h2>\n<dl class=\"govuk-summary-list\">\n");
    html_summary_row(&p, page_t(&p, N_("Registration number")), reg);
    html_summary_row(&p, page_t(&p, N_("Registered on")), page_datetime(&p, at));
    html_summary_row(&p, page_t(&p, N_("Registered by")), page_agency(&p, by));
    html_summary_row(&p, page_t(&p, N_("Status")), page_status(&p, st));
    if (due)
        html_summary_row(&p, page_t(&p, N_("Answer")), page_due(&p, due));
    html_summary_row(&p, page_t(&p, N_("Tracking number")), tid);
    html_raw(&p, "</dl>\n");
    if (st == STATUS_NOT_CONSIDERED) {
        html_raw(&p, "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" "
                     "aria-hidden=\"true\">!</span><strong class=\"govuk-warning-text__text\">");
        html_t(&p, N_("You gave no name or IIN, so by law this appeal is not considered."));
        html_raw(&p, "</strong></div>\n");
    }
    html_raw(&p, "<h2 class=\"govuk-heading-m\">");
    html_t(&p, N_("Follow your appeal"));
    html_raw(&p, "</h2>\n<p class=\"govuk-body\">");
    html_t(&p, N_("Keep this link: it shows the status, the answer and the deadline. Anyone with "
                  "the link can see your appeal, so do not share it."));
    html_raw(&p, "</p>\n<p class=\"govuk-body\"><a class=\"govuk-link govuk-!-font-weight-bold\" "
                 "data-testid=\"track-link\"");
    html_attr(&p, "href", track);
    html_raw(&p, ">");
    html_t(&p, N_("Open the tracking page"));
    html_raw(&p, "</a></p>\n<p class=\"govuk-body\">");
    html_t(&p, N_("Link"));
    html_raw(&p, ": <code class=\"tyndau-code\">");
    html_text(&p, track);
    html_raw(&p, "</code></p>\n</div></div>\n");
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
                          N_("The appeal from this form is registered. To send another, "
                             "start again from the start page."));
    if (s->e) {
        log_warn("http: portal submission failed: %s", err_name(s->e));
        return page_error(r, s->e == ERR_UNAVAILABLE ? 503 : 500, N_("Sorry, something went wrong"),
                          N_("Your appeal may not have been sent. Try again later."));
    }
    char *body = s->response;
    s->response = NULL;
    enum handled h = render_coupon_page(r, body);
    free(body);
    return h;
}

enum handled
h_portal_submit(struct req *r)
{
    struct submit_req *s = &r->job.submit;
    r->job_is_submit = true;
    struct page p;
    page_init(&p, r, r->form);
    struct portal_form pf = {
        .kind = form_text(r->form, r->arena, "kind"),
        .topic = form_text(r->form, r->arena, "topic"),
        .region = form_text(r->form, r->arena, "region"),
        .text = form_text(r->form, r->arena, "text"),
        .address = form_text(r->form, r->arena, "address"),
        .lat = form_text(r->form, r->arena, "lat"),
        .lon = form_text(r->form, r->arena, "lon"),
        .name = form_text(r->form, r->arena, "name"),
        .email = form_text(r->form, r->arena, "email"),
        .phone = form_text(r->form, r->arena, "phone"),
        .iin = form_text(r->form, r->arena, "iin"),
        .consent = form_text(r->form, r->arena, "consent"),
        .form_id = form_text(r->form, r->arena, "form_id"),
    };
    if (!form_id_ok(pf.form_id))
        pf.form_id = new_form_id(r);
    check(&p, &pf, &s->ap);
    if (pf.err_count) {
        unsigned status;
        render_form(&p, &pf, &status);
        return page_reply(&p, status);
    }
    buf_fini(&p.b); /* the confirmation is built when the appeal is durable */
    s->idem_key = arena_printf(r->arena, "web:%s", pf.form_id);
    crypto_hash_sha256(s->req_hash, (const unsigned char *)r->body.p, r->body.len);
    s->report = REPORT_NONE;
    s->caller = r->caller;
    s->render = render_coupon;
    s->render_arg = r;
    return http_wait(r, submit_start, submit_finish);
}
