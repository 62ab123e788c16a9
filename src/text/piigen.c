/*
 * piigen.c - made-up texts with and without personal data, labelled.
 * Exports piigen_init(), piigen_pii(), piigen_clean(), piigen_form_name()
 * and piigen_form_count(); everything else is static.
 *
 * A template is a sentence with slots: \1 takes an item of personal data
 * (sometimes after a label such as "ИИН" or "tel."), \2 a number that is
 * not personal data. Kazakh templates are also written in the 2021 Latin
 * alphabet a quarter of the time (translit_to_latin() of the template).
 */
#include "text/piigen.h"

#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "text/translit.h"

enum { TEXT_CAP = 2048 };

static uint64_t
next(struct piigen *g)
{
    uint64_t z = (g->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static unsigned
below(struct piigen *g, unsigned n)
{
    return (unsigned)(next(g) % n);
}

static const char *
pick(struct piigen *g, const char *const *set, size_t n)
{
    return set[below(g, (unsigned)n)];
}
#define PICK(g, set) pick((g), (set), ARRAY_LEN(set))

void
piigen_init(struct piigen *g, uint64_t seed)
{
    g->state = seed;
}

/* ---- the text being built ---- */

struct text {
    char p[TEXT_CAP];
    size_t len;
};

static void
put(struct text *t, const char *s, size_t n)
{
    if (t->len + n >= TEXT_CAP)
        n = TEXT_CAP - 1 - t->len;
    memcpy(t->p + t->len, s, n);
    t->len += n;
}

static void
puts_(struct text *t, const char *s)
{
    put(t, s, strlen(s));
}

static void
digits(struct piigen *g, char *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d[i] = (char)('0' + below(g, 10));
}

/* Write d (n digits) in groups: shape[] lengths, sep between them. */
static void
grouped(struct text *t, const char *d, const size_t *shape, size_t parts, const char *sep)
{
    size_t at = 0;
    for (size_t k = 0; k < parts; k++) {
        if (k)
            puts_(t, sep);
        put(t, d + at, shape[k]);
        at += shape[k];
    }
}

/* ---- personal data ---- */

static int
iin_check_digit(const char *d)
{
    static const int w1[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    static const int w2[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
    int s1 = 0, s2 = 0;
    for (int i = 0; i < 11; i++) {
        s1 += (d[i] - '0') * w1[i];
        s2 += (d[i] - '0') * w2[i];
    }
    int k = s1 % 11;
    return k == 10 ? (s2 % 11 == 10 ? -1 : s2 % 11) : k;
}

static void
make_iin(struct piigen *g, char d[12])
{
    for (;;) {
        int year = 1940 + (int)below(g, 70), month = 1 + (int)below(g, 12);
        int day = 1 + (int)below(g, 28);
        int century = (year < 2000 ? 3 : 5) + (int)below(g, 2);
        snprintf(d, 12, "%02d%02d%02d%d", year % 100, month, day, century);
        digits(g, d + 7, 4);
        int k = iin_check_digit(d);
        if (k >= 0) {
            d[11] = (char)('0' + k);
            return;
        }
    }
}

static void
write_iin(struct piigen *g, struct text *t, unsigned form)
{
    char d[12];
    make_iin(g, d);
    static const size_t s66[] = {6, 6}, s444[] = {4, 4, 4}, s3333[] = {3, 3, 3, 3};
    switch (form) {
    case 0:
        put(t, d, 12);
        break;
    case 1:
        grouped(t, d, s66, 2, " ");
        break;
    case 2:
        grouped(t, d, s444, 3, " ");
        break;
    case 3:
        grouped(t, d, s3333, 4, "-");
        break;
    default: /* fullwidth digits */
        for (int i = 0; i < 12; i++) {
            char fw[3] = {(char)0xEF, (char)0xBC, (char)(0x90 + (d[i] - '0'))};
            put(t, fw, 3);
        }
        break;
    }
}

/* C: a digit of the area code (3: mobile, 4: city), R: a Russian mobile
 * code (9XX), X: a subscriber digit, _: a no-break space. */
static const char *const phone_forms[PIIGEN_PHONE_FORMS] = {
    "+7 (CCC) XXX-XX-XX", "+7 CCC XXX XX XX", "8 (CCC) XXX-XX-XX", "8CCCXXXXXXX",
    "+7CCCXXXXXXX",       "8-CCC-XXX-XX-XX",  "8.CCC.XXX.XX.XX",   "+7 CCC XXXXXXX",
    "8 CCCC XX XX XX",    "+7 (CCCC) XXXXXX", "8 (CCCC) XXX-XXX",  "+7-CCC-XXX-XXXX",
    "CCC XXX XX XX",      "+7_CCC_XXX_XX_XX", "8 CCC XXX XXXX",    "+7 RRR XXX-XX-XX",
    "8(CCC)XXXXXXX",
};

static void
write_phone(struct piigen *g, struct text *t, unsigned form)
{
    static const char *const mobile[] = {"700", "701", "702", "705", "707", "708",
                                         "747", "771", "775", "776", "777", "778"};
    static const char *const city[] = {"7172", "7273", "7212", "7132", "7252", "7122", "7182"};
    const char *tpl = phone_forms[form];
    const char *code = strstr(tpl, "CCCC") ? PICK(g, city) : PICK(g, mobile);
    char ru[4] = {'9', (char)('0' + below(g, 10)), (char)('0' + below(g, 10)), 0};
    size_t ci = 0, ri = 0;
    for (const char *p = tpl; *p; p++) {
        char c = *p;
        if (c == 'C')
            c = code[ci++];
        else if (c == 'R')
            c = ru[ri++];
        else if (c == 'X')
            c = (char)('0' + below(g, 10));
        if (c == '_')
            puts_(t, "\xC2\xA0");
        else
            put(t, &c, 1);
    }
}

static void
write_email(struct piigen *g, struct text *t, unsigned form)
{
    static const char *const first[] = {"aidos",  "aigerim", "nurlan",  "dana",   "asel",
                                        "ivan",   "olga",    "serik",   "madina", "timur",
                                        "zhanna", "arman",   "gulnara", "yerlan", "kate"};
    static const char *const last[] = {"seitkali", "petrova", "nurpeisov", "ahmetova",
                                       "smith",    "ospanov", "kim",       "ivanov"};
    static const char *const domain[] = {"mail.kz", "gmail.com",   "inbox.ru",      "yandex.kz",
                                         "bk.ru",   "outlook.com", "akimat.gov.kz", "kaspi.kz"};
    static const char *const cyr[] = {"айгерім", "нұрлан", "дана", "серік"};
    char b[128];
    switch (form) {
    case 0:
        snprintf(b, sizeof(b), "%s.%s@%s", PICK(g, first), PICK(g, last), PICK(g, domain));
        break;
    case 1:
        snprintf(b, sizeof(b), "%s_%u@%s", PICK(g, first), below(g, 1000), PICK(g, domain));
        break;
    case 2:
        snprintf(b, sizeof(b), "%s.%s@almaty.akimat.gov.kz", PICK(g, first), PICK(g, last));
        break;
    case 3:
        snprintf(b, sizeof(b), "%s@мысал.қаз", PICK(g, cyr));
        break;
    case 4:
        snprintf(b, sizeof(b), "%s [at] %s", PICK(g, first), PICK(g, domain));
        break;
    case 5:
        snprintf(b, sizeof(b), "%s%u(at)%s", PICK(g, last), below(g, 100), PICK(g, domain));
        break;
    default:
        snprintf(b, sizeof(b), "%s-%s+appeals@%s", PICK(g, first), PICK(g, last), PICK(g, domain));
        for (char *p = b; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        break;
    }
    puts_(t, b);
}

static void
luhn_fill(struct piigen *g, char *d, size_t n, const char *prefix)
{
    size_t pl = strlen(prefix);
    memcpy(d, prefix, pl);
    digits(g, d + pl, n - pl - 1);
    int sum = 0;
    for (size_t i = 0; i < n - 1; i++) {
        int v = d[n - 2 - i] - '0';
        if (i % 2 == 0) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    d[n - 1] = (char)('0' + (10 - sum % 10) % 10);
}

static void
write_card(struct piigen *g, struct text *t, unsigned form)
{
    static const char *const p16[] = {"4", "51", "53", "55", "2200", "2202", "62"};
    static const size_t s4444[] = {4, 4, 4, 4}, s465[] = {4, 6, 5}, s44443[] = {4, 4, 4, 4, 3};
    char d[19];
    switch (form) {
    case 0:
        luhn_fill(g, d, 16, PICK(g, p16));
        grouped(t, d, s4444, 4, " ");
        break;
    case 1:
        luhn_fill(g, d, 16, PICK(g, p16));
        put(t, d, 16);
        break;
    case 2:
        luhn_fill(g, d, 16, PICK(g, p16));
        grouped(t, d, s4444, 4, "-");
        break;
    case 3:
        luhn_fill(g, d, 15, below(g, 2) ? "34" : "37");
        grouped(t, d, s465, 3, " ");
        break;
    case 4:
        luhn_fill(g, d, 19, "62");
        grouped(t, d, s44443, 5, " ");
        break;
    default:
        luhn_fill(g, d, 13, "4");
        put(t, d, 13);
        break;
    }
}

static void
write_iban(struct piigen *g, struct text *t, unsigned form)
{
    char bban[17], iban[21];
    digits(g, bban, 16);
    if (below(g, 2)) /* many Kazakh accounts carry the currency: 125KZT5004100100 */
        memcpy(bban + 3, "KZT", 3);
    /* Check digits: 98 - (BBAN + "KZ00" mod 97), letters as 10..35. */
    unsigned rem = 0;
    char tmp[21];
    memcpy(tmp, bban, 16);
    memcpy(tmp + 16, "KZ00", 4);
    for (int i = 0; i < 20; i++) {
        char c = tmp[i];
        if (c >= 'A' && c <= 'Z')
            rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
        else
            rem = (rem * 10 + (unsigned)(c - '0')) % 97;
    }
    snprintf(iban, sizeof(iban), "KZ%02u%.16s", 98 - rem, bban);
    if (form == 2 || form == 3)
        for (char *p = iban; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
    if (form == 1 || form == 3) {
        static const size_t s[] = {4, 4, 4, 4, 4};
        grouped(t, iban, s, 5, " ");
    } else {
        put(t, iban, 20);
    }
}

/* ---- numbers that are not personal data ---- */

static const char *const months_ru[] = {"января",   "февраля", "марта",  "апреля",
                                        "мая",      "июня",    "июля",   "августа",
                                        "сентября", "октября", "ноября", "декабря"};

static void
write_distractor(struct piigen *g, struct text *t, enum lang lang)
{
    char b[128];
    unsigned d = below(g, 28) + 1, m = below(g, 12) + 1, y = 2015 + below(g, 12);
    switch (below(g, 24)) {
    case 0:
        snprintf(b, sizeof(b), "%02u.%02u.%u", d, m, y);
        break;
    case 1:
        snprintf(b, sizeof(b), "%u-%02u-%02u", y, m, d);
        break;
    case 2:
        snprintf(b, sizeof(b), "%02u/%02u/%u %02u:%02u", d, m, y, below(g, 24), below(g, 60));
        break;
    case 3:
        if (lang == LANG_ID_RU)
            snprintf(b, sizeof(b), "%u %s %u года", d, months_ru[m - 1], y);
        else
            snprintf(b, sizeof(b), "%02u.%02u.%02u", d, m, y % 100);
        break;
    case 4:
        snprintf(b, sizeof(b), "%u %03u %03u %s", 1 + below(g, 99), below(g, 1000), below(g, 1000),
                 lang == LANG_ID_EN ? "tenge" : "тенге");
        break;
    case 5:
        snprintf(b, sizeof(b), "%u %03u,%02u тг", 1 + below(g, 999), below(g, 1000), below(g, 100));
        break;
    case 6:
        snprintf(b, sizeof(b), "KZT %u,%03u,%03u", 1 + below(g, 99), below(g, 1000),
                 below(g, 1000));
        break;
    case 7:
        snprintf(b, sizeof(b), "%u %03u %03u %03u ₸", 1 + below(g, 9), below(g, 1000),
                 below(g, 1000), below(g, 1000));
        break;
    case 8: /* a registration number: region-year-serial */
        snprintf(b, sizeof(b), "%u-%u-%07u", 10 + below(g, 70), y, below(g, 10000000));
        break;
    case 9:
        snprintf(b, sizeof(b), "ЖТ-%u-%05u", y, below(g, 100000));
        break;
    case 10: {
        static const char *const roman[] = {"III", "IV", "V", "VI", "VII", "VIII"};
        snprintf(b, sizeof(b), "№ %u-%s", 1 + below(g, 500), PICK(g, roman));
        break;
    }
    case 11:
        snprintf(b, sizeof(b), "№ %02u-%02u/%u", below(g, 100), below(g, 100), below(g, 10000));
        break;
    case 12: /* KATO */
        snprintf(b, sizeof(b), "%u%07u", 10 + below(g, 70), below(g, 10000000));
        break;
    case 13: /* cadastral */
        snprintf(b, sizeof(b), "%02u-%03u-%03u-%03u", below(g, 100), below(g, 1000), below(g, 1000),
                 below(g, 1000));
        break;
    case 14:
        snprintf(b, sizeof(b), "%s%09u%s", below(g, 2) ? "RR" : "CP", below(g, 1000000000), "KZ");
        break;
    case 15:
        snprintf(b, sizeof(b), "TY-%u-%06u", y, below(g, 1000000));
        break;
    case 16:
        snprintf(b, sizeof(b), "%02u0000", 1 + below(g, 16) * 5);
        break;
    case 17:
        snprintf(b, sizeof(b), "%03u %s %02u", below(g, 1000),
                 PICK(g, ((const char *[]){"ABC", "KZA", "AAE"})), 1 + below(g, 19));
        break;
    case 18:
        snprintf(b, sizeof(b), "%u,%u%%", below(g, 100), below(g, 10));
        break;
    case 19:
        snprintf(b, sizeof(b), "%s", PICK(g, ((const char *[]){"109", "1414", "112", "102"})));
        break;
    case 20: { /* a 12-digit contract number whose IIN check fails */
        char c[12];
        do {
            snprintf(c, sizeof(c), "%u%02u", y, m);
            digits(g, c + 6, 6);
        } while (iin_check_digit(c) == c[11] - '0');
        put(t, c, 12);
        return;
    }
    case 21: /* a 10-digit personal account number */
        snprintf(b, sizeof(b), "%u%09u", 1 + below(g, 9), below(g, 1000000000));
        break;
    case 22:
        snprintf(b, sizeof(b), "%u–%u", y, y + 1 + below(g, 3));
        break;
    default: /* a 16-digit payment reference: random, so sometimes Luhn-valid */
        snprintf(b, sizeof(b), "%u%02u%02u%08u", y, m, d, below(g, 100000000));
        break;
    }
    puts_(t, b);
}

/* ---- templates ---- */

static const char *const pii_ru[] = {
    "Прошу связаться со мной: \1. Обращение от \2 по поводу начисления \2.",
    "Здравствуйте! \1 Жалоба на управляющую компанию, регистрационный номер \2.",
    "Я уже писал \2, ответа нет. Мои данные: \1, \1.",
    "Верните переплату \2 на \1.",
    "Для обратной связи \1. Кадастровый номер участка \2, КАТО \2.",
    "\1 — мой контакт, звоните после \2.",
    "Заявитель: Иванова А.К., \1, адрес: ул. Абая, д. 15, кв. 42, индекс \2.",
    "Номер обращения \2. \1. Прошу ответить до \2.",
};
static const char *const pii_kk[] = {
    "Менімен байланысу үшін: \1. Өтініш \2 күні берілген.",
    "Сәлеметсіз бе! \1 Тіркеу нөмірі \2, жауап әлі жоқ.",
    "Менің деректерім: \1, \1. Төлем сомасы \2.",
    "Артық төленген \2 соманы \1 қайтаруыңызды сұраймын.",
    "Байланыс: \1. Жер учаскесінің кадастрлық нөмірі \2, ҚАТО \2.",
    "\1 — менің байланыс деректерім, \2 кейін хабарласыңыз.",
};
static const char *const pii_en[] = {
    "Please contact me at \1 about appeal \2 of \2.",
    "My details: \1, \1. I paid \2 on \2.",
    "Refund \2 to \1, please.",
    "Hello, \1 here. The plot has cadastral number \2.",
    "Reference \2. Contact: \1.",
    "I wrote on \2 and have had no answer; reach me at \1.",
};
static const char *const clean_ru[] = {
    "Обращение № \2 от \2 зарегистрировано, срок ответа \2.",
    "Сумма задолженности \2, оплачено \2, остаток \2.",
    "Согласно Закону РК \2 решение принято \2.",
    "Участок с кадастровым номером \2 расположен в населённом пункте с КАТО \2.",
    "Посылка \2 не доставлена с \2, трек-номер \2.",
    "Договор \2 заключён \2 на сумму \2.",
    "В доме по улице Сейфуллина с \2 нет воды, заявка \2, лицевой счёт \2.",
    "Тариф вырос на \2 с \2, платёж \2.",
    "Мой номер в очереди \2, дата постановки \2.",
};
static const char *const clean_kk[] = {
    "№ \2 өтініш \2 тіркелді, жауап мерзімі \2.",
    "Қарыз сомасы \2, төленгені \2, қалғаны \2.",
    "ҚР \2 Заңына сәйкес шешім \2 қабылданды.",
    "Кадастрлық нөмірі \2 учаске ҚАТО коды \2 елді мекенде орналасқан.",
    "\2 сәлемдемесі \2 бері жеткізілмеді.",
    "\2 шарты \2 күні \2 сомаға жасалды.",
    "\2 бастап су жоқ, өтінім \2, дербес шот \2.",
};
static const char *const clean_en[] = {
    "Appeal \2 of \2 was registered; the answer is due on \2.",
    "The debt is \2, I paid \2 and \2 remains.",
    "Under Law \2 the decision of \2 stands.",
    "The plot \2 lies in the settlement with KATO code \2.",
    "Parcel \2 has not arrived since \2.",
    "Contract \2 was signed on \2 for \2, payment reference \2.",
    "No water at our house since \2, request \2, account \2.",
};

static const char *
label(struct piigen *g, enum redact_kind k, enum lang l)
{
    static const char *const ru[REDACT__COUNT] = {"ИИН", "тел.", "e-mail", "карта", "счёт"};
    static const char *const kk[REDACT__COUNT] = {"ЖСН", "телефон", "эл. пошта", "карта", "шот"};
    static const char *const en[REDACT__COUNT] = {"IIN", "phone", "email", "card", "IBAN"};
    if (below(g, 10) < 3)
        return NULL;
    return (l == LANG_ID_RU ? ru : l == LANG_ID_KK ? kk : en)[k];
}

unsigned
piigen_form_count(enum redact_kind kind)
{
    switch (kind) {
    case REDACT_IIN:
        return PIIGEN_IIN_FORMS;
    case REDACT_PHONE:
        return PIIGEN_PHONE_FORMS;
    case REDACT_EMAIL:
        return PIIGEN_EMAIL_FORMS;
    case REDACT_CARD:
        return PIIGEN_CARD_FORMS;
    case REDACT_IBAN:
        return PIIGEN_IBAN_FORMS;
    case REDACT__COUNT:
        break;
    }
    return 0;
}

const char *
piigen_form_name(enum redact_kind kind, unsigned form)
{
    static const char *const iin[] = {"12 digits", "6 6", "4 4 4", "3-3-3-3", "fullwidth"};
    static const char *const email[] = {
        "first.last@domain", "first_N@domain",  "sub.domain.gov.kz", "Cyrillic IDN",
        "name [at] domain",  "nameN(at)domain", "UPPER-CASE+tag@"};
    static const char *const card[] = {"4 4 4 4",    "16 digits",           "4-4-4-4",
                                       "Amex 4 6 5", "19 digits 4 4 4 4 3", "13 digits"};
    static const char *const iban[] = {"KZ.. 20", "KZ.. grouped", "kz.. lower",
                                       "kz.. lower grouped"};
    if (form >= piigen_form_count(kind))
        return "?";
    switch (kind) {
    case REDACT_IIN:
        return iin[form];
    case REDACT_PHONE:
        return phone_forms[form];
    case REDACT_EMAIL:
        return email[form];
    case REDACT_CARD:
        return card[form];
    case REDACT_IBAN:
        return iban[form];
    case REDACT__COUNT:
        break;
    }
    return "?";
}

static enum lang
pick_lang(struct piigen *g)
{
    static const enum lang l[] = {LANG_ID_KK, LANG_ID_RU, LANG_ID_EN};
    return l[below(g, 3)];
}

/* Fill tpl into out: \1 items of personal data when pii, \2 distractors. */
static void
render(struct piigen *g, struct arena *a, const char *tpl, enum lang lang, bool pii,
       struct piigen_sample *out)
{
    struct str src = str_from_cstr(tpl);
    if (lang == LANG_ID_KK && below(g, 4) == 0)
        (void)translit_to_latin(a, src, &src);
    struct text t = {.len = 0};
    memset(out, 0, sizeof(*out));
    out->lang = lang;
    for (size_t i = 0; i < src.len; i++) {
        if (src.p[i] == '\2') {
            write_distractor(g, &t, lang);
        } else if (src.p[i] == '\1' && pii && out->item_count < PIIGEN_ITEMS_MAX) {
            enum redact_kind k = (enum redact_kind)below(g, REDACT__COUNT);
            unsigned form = below(g, piigen_form_count(k));
            const char *l = label(g, k, lang);
            if (l) {
                puts_(&t, l);
                puts_(&t, below(g, 2) ? ": " : " ");
            }
            size_t off = t.len;
            switch (k) {
            case REDACT_IIN:
                write_iin(g, &t, form);
                break;
            case REDACT_PHONE:
                write_phone(g, &t, form);
                break;
            case REDACT_EMAIL:
                write_email(g, &t, form);
                break;
            case REDACT_CARD:
                write_card(g, &t, form);
                break;
            case REDACT_IBAN:
            case REDACT__COUNT:
                write_iban(g, &t, form);
                break;
            }
            out->items[out->item_count++] = (struct piigen_item){off, t.len - off, k, form};
        } else if (src.p[i] != '\1') {
            put(&t, src.p + i, 1);
        }
    }
    out->text = (struct str){arena_strndup(a, t.p, t.len), t.len};
}

void
piigen_pii(struct piigen *g, struct arena *a, struct piigen_sample *out)
{
    enum lang l = pick_lang(g);
    const char *tpl = l == LANG_ID_RU   ? PICK(g, pii_ru)
                      : l == LANG_ID_KK ? PICK(g, pii_kk)
                                        : PICK(g, pii_en);
    render(g, a, tpl, l, true, out);
}

void
piigen_clean(struct piigen *g, struct arena *a, struct piigen_sample *out)
{
    enum lang l = pick_lang(g);
    const char *tpl = l == LANG_ID_RU   ? PICK(g, clean_ru)
                      : l == LANG_ID_KK ? PICK(g, clean_kk)
                                        : PICK(g, clean_en);
    render(g, a, tpl, l, false, out);
}
