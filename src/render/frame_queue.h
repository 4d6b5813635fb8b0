/* frame_queue.h — frames handed from the drawing thread to the encoding thread.
 * Owns: a small pool of frame surfaces and the bounded queue between the two
 * threads of a render, so drawing (Cairo/Pango) and encoding (swscale and the
 * codec) overlap instead of taking turns. The producer acquires a free
 * surface, draws, and pushes it (or pushes a repeat of the previous frame,
 * which needs no surface), optionally with the frame already converted for
 * the encoder; the consumer pops in order and releases surfaces
 * when the encoder no longer needs them. Either side may cancel. */
#ifndef REELAY_RENDER_FRAME_QUEUE_H
#define REELAY_RENDER_FRAME_QUEUE_H

#include <cairo.h>
#include <stdbool.h>
#include <stdint.h>

#include "encode/video.h"

typedef struct reelay_frame_queue reelay_frame_queue;

typedef struct reelay_queued_frame {
    int64_t pts;
    double out_ms, session_ms;
    cairo_surface_t *surface; /* NULL: the previous frame again */
    /* with a surface: the same frame converted for the encoder, or NULL
     * when the consumer is to convert it (the producer owns pictures) */
    reelay_video_picture *picture;
} reelay_queued_frame;

/* slots surfaces of width x height (RGB24). NULL when out of memory. */
reelay_frame_queue *reelay_frame_queue_new(int width, int height, int slots);
void reelay_frame_queue_free(reelay_frame_queue *queue);

/* Producer: a free surface, blocking until one is released; NULL once cancelled. */
cairo_surface_t *reelay_frame_queue_acquire(reelay_frame_queue *queue);
/* Producer: queues a frame (blocks while the queue is full); false once cancelled. */
bool reelay_frame_queue_push(reelay_frame_queue *queue, const reelay_queued_frame *frame);
/* Producer: no more frames. */
void reelay_frame_queue_close(reelay_frame_queue *queue);

/* Consumer: the next frame in order, blocking; false when closed and drained, or cancelled. */
bool reelay_frame_queue_pop(reelay_frame_queue *queue, reelay_queued_frame *frame);
/* Consumer: gives a popped surface back to the pool. */
void reelay_frame_queue_release(reelay_frame_queue *queue, cairo_surface_t *surface);

/* Either side: stop; every blocked call returns at once. */
void reelay_frame_queue_cancel(reelay_frame_queue *queue);

#endif
