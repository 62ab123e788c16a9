/*
 * jobq.c - the queue of write jobs both backends' writer threads take their
 * groups from. Exports store__jobq_init(), _fini(), _push(), _take(),
 * _close() and _done().
 */
#include "store/store_int.h"

#include <stdlib.h>

#include "base/xalloc.h"

void
store__jobq_init(struct store__jobq *q)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    q->head = q->tail = NULL;
    q->closing = false;
}

void
store__jobq_fini(struct store__jobq *q)
{
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
}

enum err
store__jobq_push(struct store__jobq *q, store_job_fn fn, store_done_fn done, void *arg)
{
    struct store__job *j = xcalloc(1, sizeof(*j));
    j->fn = fn;
    j->done = done;
    j->arg = arg;
    pthread_mutex_lock(&q->mu);
    if (q->closing) {
        pthread_mutex_unlock(&q->mu);
        free(j);
        return ERR_UNAVAILABLE;
    }
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return ERR_OK;
}

struct store__job *
store__jobq_take(struct store__jobq *q, int max)
{
    pthread_mutex_lock(&q->mu);
    while (!q->head && !q->closing)
        pthread_cond_wait(&q->cv, &q->mu);
    struct store__job *group = q->head, *last = group;
    if (group) {
        for (int n = 1; n < max && last->next; n++)
            last = last->next;
        q->head = last->next;
        if (!q->head)
            q->tail = NULL;
        last->next = NULL;
    }
    pthread_mutex_unlock(&q->mu);
    return group; /* NULL only once closed and drained */
}

void
store__jobq_close(struct store__jobq *q)
{
    pthread_mutex_lock(&q->mu);
    q->closing = true;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

void
store__jobq_done(struct store__job *group, enum err commit)
{
    while (group) {
        struct store__job *next = group->next;
        if (group->done)
            group->done(commit ? ERR_STORE : group->e, group->arg);
        free(group);
        group = next;
    }
}
