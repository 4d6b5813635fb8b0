#include "render/frame_queue.h"

#include <pthread.h>
#include <stdlib.h>

struct reelay_frame_queue {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* any state change: a push, a pop, a release, close or cancel */
    int slots;
    cairo_surface_t **surfaces;
    bool *free_slot;
    reelay_queued_frame *ring; /* capacity: 2 * slots (repeats carry no surface) */
    int capacity, head, count;
    bool closed, cancelled;
};

reelay_frame_queue *reelay_frame_queue_new(int width, int height, int slots)
{
    reelay_frame_queue *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    if (pthread_mutex_init(&q->lock, NULL) != 0) {
        free(q);
        return NULL;
    }
    if (pthread_cond_init(&q->changed, NULL) != 0) {
        pthread_mutex_destroy(&q->lock);
        free(q);
        return NULL;
    }
    q->capacity = 2 * slots;
    q->surfaces = calloc((size_t)slots, sizeof *q->surfaces);
    q->free_slot = calloc((size_t)slots, sizeof *q->free_slot);
    q->ring = calloc((size_t)q->capacity, sizeof *q->ring);
    if (!q->surfaces || !q->free_slot || !q->ring) {
        reelay_frame_queue_free(q);
        return NULL;
    }
    for (int i = 0; i < slots; i++) {
        q->surfaces[i] = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
        q->free_slot[i] = true;
        q->slots = i + 1;
        if (cairo_surface_status(q->surfaces[i]) != CAIRO_STATUS_SUCCESS) {
            reelay_frame_queue_free(q);
            return NULL;
        }
    }
    return q;
}

void reelay_frame_queue_free(reelay_frame_queue *q)
{
    if (!q) return;
    for (int i = 0; i < q->slots; i++) cairo_surface_destroy(q->surfaces[i]);
    pthread_cond_destroy(&q->changed);
    pthread_mutex_destroy(&q->lock);
    free(q->surfaces);
    free(q->free_slot);
    free(q->ring);
    free(q);
}

cairo_surface_t *reelay_frame_queue_acquire(reelay_frame_queue *q)
{
    pthread_mutex_lock(&q->lock);
    cairo_surface_t *found = NULL;
    while (!q->cancelled && !found) {
        for (int i = 0; i < q->slots && !found; i++) {
            if (q->free_slot[i]) {
                q->free_slot[i] = false;
                found = q->surfaces[i];
            }
        }
        if (!found) pthread_cond_wait(&q->changed, &q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    return found;
}

bool reelay_frame_queue_push(reelay_frame_queue *q, const reelay_queued_frame *frame)
{
    pthread_mutex_lock(&q->lock);
    while (!q->cancelled && q->count == q->capacity) pthread_cond_wait(&q->changed, &q->lock);
    bool ok = !q->cancelled;
    if (ok) {
        q->ring[(q->head + q->count) % q->capacity] = *frame;
        q->count++;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    return ok;
}

void reelay_frame_queue_close(reelay_frame_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

bool reelay_frame_queue_pop(reelay_frame_queue *q, reelay_queued_frame *frame)
{
    pthread_mutex_lock(&q->lock);
    while (!q->cancelled && q->count == 0 && !q->closed) pthread_cond_wait(&q->changed, &q->lock);
    bool ok = !q->cancelled && q->count > 0;
    if (ok) {
        *frame = q->ring[q->head];
        q->head = (q->head + 1) % q->capacity;
        q->count--;
        pthread_cond_broadcast(&q->changed);
    }
    pthread_mutex_unlock(&q->lock);
    return ok;
}

void reelay_frame_queue_release(reelay_frame_queue *q, cairo_surface_t *surface)
{
    pthread_mutex_lock(&q->lock);
    for (int i = 0; i < q->slots; i++)
        if (q->surfaces[i] == surface) q->free_slot[i] = true;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}

void reelay_frame_queue_cancel(reelay_frame_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->cancelled = true;
    pthread_cond_broadcast(&q->changed);
    pthread_mutex_unlock(&q->lock);
}
