/*
 * router.h - which topic an appeal is about and which agency answers it:
 * keyword rules an administrator edits first, then the model (a topic
 * classifier and, when trained, an agency classifier), then the routing
 * table (topic x region -> agency); below the confidence threshold the
 * appeal goes to the operators' triage queue. Exports struct router_model,
 * router_model_new(), router_model_save(), router_model_load(),
 * router_model_ref(), router_model_unref(), router_model_set_agency_version(),
 * struct router_rule, struct
 * router_route, struct router_opts, struct router, router_new(),
 * router_free(), router_swap_model(), router_set_rules(), struct
 * router_result, enum router_why, router_why_name(), router_classify(),
 * router_features(), router_predict(), struct router_guess and
 * router_suggest().
 *
 * Threads: router_classify() may run in any number of threads at once.
 * A model is read-only and ref-counted: router_swap_model() puts a new one
 * in place atomically, calls already running finish with the model they
 * started with, and the old one is freed by the last of them.
 */
#ifndef PIPELINE_ROUTER_H
#define PIPELINE_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "pipeline/classify.h"
#include "text/lang.h"
#include "text/token.h"

enum {
    ROUTER_RULES_MAX = 10000,   /* keyword rules */
    ROUTER_ROUTES_MAX = 100000, /* routing-table rows */
    ROUTER_KEYWORD_MAX = 200,   /* bytes of one keyword */
};

struct router_model; /* opaque, ref-counted */

/* A model of a topic classifier and an optional agency classifier (NULL);
 * takes ownership of both. version is the store's (0: not stored yet).
 * Starts with one reference: the caller's. */
struct router_model *router_model_new(struct classifier *topic, struct classifier *agency,
                                      int64_t version);
/* Append the model's bytes to b (check buf_failed() once after). */
void router_model_save(const struct router_model *m, struct buf *b);
/* A model from bytes that router_model_save() wrote. ERR_INVALID for
 * anything else. Caller owns *out (one reference). */
enum err router_model_load(const void *p, size_t len, int64_t version, struct router_model **out);
struct router_model *router_model_ref(struct router_model *m);
/* Drop a reference; frees at zero. Accepts NULL. Returns NULL. */
struct router_model *router_model_unref(struct router_model *m);
int64_t router_model_version(const struct router_model *m);
/* The agency classifier's own store version (0: none or not stored); set it
 * before the model is shared. */
void router_model_set_agency_version(struct router_model *m, int64_t version);
const struct classifier *router_model_topic(const struct router_model *m);
const struct classifier *router_model_agency(const struct router_model *m); /* may be NULL */

/* A keyword rule: an appeal from region (NULL: any) whose text has keyword
 * (one or more words; matched case-, script- and ending-insensitively: each
 * word of the keyword, in its Kazakh fold, must begin a word of the text, in
 * order) goes to topic, and to agency when that is not NULL. The first
 * matching rule wins. */
struct router_rule {
    const char *keyword, *region, *topic, *agency;
};
/* A row of the routing table: topic in region (NULL: anywhere else) -> agency. */
struct router_route {
    const char *topic, *region, *agency;
};

struct router_opts {
    double threshold; /* below this topic probability: triage; 0 means 0.4 */
};

struct router; /* opaque */

/* A router with no model and no rules, with its own language model (a few
 * milliseconds to build). Caller owns the result (router_free()). */
struct router *router_new(const struct router_opts *o);
void router_free(struct router *r); /* accepts NULL */
/* Put m in place (takes the caller's reference; NULL removes the model). */
void router_swap_model(struct router *r, struct router_model *m);
/* Replace the rules and the routing table (copied). ERR_INVALID for a rule
 * without keyword or topic, a keyword longer than ROUTER_KEYWORD_MAX or one
 * that folds to nothing, a route without topic or agency; ERR_TOOBIG past
 * the limits. The old ones stay on error. */
enum err router_set_rules(struct router *r, const struct router_rule *rules, size_t rule_count,
                          const struct router_route *routes, size_t route_count);

enum router_why {
    ROUTER_WHY_MODEL,   /* the model, at or above the threshold */
    ROUTER_WHY_KEYWORD, /* a keyword rule */
    ROUTER_WHY_LOW,     /* the model, below the threshold: triage */
    ROUTER_WHY_NOMODEL, /* no model and no rule: triage */
};
const char *router_why_name(enum router_why w); /* "model", "keyword", "low", "nomodel" */

struct router_result {
    const char *topic;        /* NULL when there is neither a model nor a rule */
    const char *agency;       /* NULL when nothing names one: triage */
    double topic_confidence;  /* the topic's probability; 1 for a rule */
    double agency_confidence; /* the agency model's, 1 for a rule or the table */
    bool triage;              /* to the operators' queue */
    enum router_why why;
    int64_t model_version;        /* of the model used; 0 if none */
    int64_t agency_model_version; /* of its agency classifier; 0 if none */
    const char *lang;             /* "kk", "ru", "en" or "und" (text/lang.h) */
    bool lang_mixed;              /* a second language has a large share */
    bool kk_latin;                /* Kazakh in Latin letters */
    /* The text split into tokens (token_split(), in a) and the language
     * guessed from them, for a caller that works on the same text next
     * (MinHash: minhash_shingles_tokens()), so the text is split once. */
    struct token *tokens;
    size_t token_count;
    struct lang_guess guess;
};

/*
 * Route text (valid UTF-8, at most NORMALISE_MAX bytes) from region (a code
 * the routing table uses, or NULL). Strings in *out live in a. ERR_INVALID
 * if text is not valid UTF-8, ERR_TOOBIG if it is too long.
 */
enum err router_classify(struct router *r, struct arena *a, struct str text, const char *region,
                         struct router_result *out);

/*
 * The features of text as router_classify() computes them (*f: *count of
 * them, lives in a), and its language code (static) when lang is not NULL:
 * for training and evaluation. Safe in any thread. Errors as
 * router_classify().
 */
enum err router_features(struct router *r, struct arena *a, struct str text, struct feature **f,
                         size_t *count, const char **lang);

/*
 * The most probable class of text under m (borrowed) into *best, and the
 * probabilities into prob (may be NULL), as router_classify() computes them
 * for a model's classifier (features_predict()): for evaluation. Safe in
 * any thread. Errors as router_classify().
 */
enum err router_predict(struct router *r, struct arena *a, struct str text,
                        const struct classifier *m, double *prob, size_t *best);

/* One topic the model finds likely, for a person choosing among them. */
struct router_guess {
    const char *topic; /* in a */
    double p;          /* the model's probability */
};

/*
 * The model's k most probable topics for text into out[0..*n), most
 * probable first (*n is 0 with no model). For the operators' triage, where
 * the choice is a person's. Errors as router_classify().
 */
enum err router_suggest(struct router *r, struct arena *a, struct str text, size_t k,
                        struct router_guess *out, size_t *n);

#endif
