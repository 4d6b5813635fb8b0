/* dom.h — the part of an rrweb DOM that reelay keeps.
 * Owns: the flat node records of web full snapshots and mutation adds, and the
 * per-snapshot index from node id to record (spec: formats-web.md §1.5).
 * rrweb stores the DOM, not geometry; we keep only what names an element for a
 * human (tag, id, class, a little text, a few attributes) and the tree shape.
 * Strings live in the session arena. */
#ifndef REELAY_SESSION_DOM_H
#define REELAY_SESSION_DOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/idmap.h"

typedef enum reelay_dom_node_type {
    DOM_DOCUMENT = 0,
    DOM_DOCTYPE = 1,
    DOM_ELEMENT = 2,
    DOM_TEXT = 3,
    DOM_CDATA = 4,
    DOM_COMMENT = 5,
} reelay_dom_node_type;

/* Longest text kept per text node; enough to label a button or a link. */
#define REELAY_DOM_TEXT_MAX 120

typedef struct reelay_dom_node {
    int64_t id;
    int64_t parent_id;    /* -1 for the root of the serialized tree */
    int64_t next_id;      /* mutation adds: insert before this sibling; -1 = append */
    reelay_dom_node_type type;
    const char *tag;      /* elements: lower-case tag name */
    const char *attr_id;  /* id="" */
    const char *attr_class;
    const char *attr_type;        /* input type */
    const char *attr_name;        /* name="" */
    const char *attr_aria_label;
    const char *attr_placeholder;
    const char *attr_title;       /* title="" (and <title> text lives in a text child) */
    const char *attr_href;        /* <a href> */
    const char *text;             /* text/comment nodes, trimmed and cut to REELAY_DOM_TEXT_MAX bytes */
    bool is_style_text;           /* text inside <style>/<script>: never a label */
    bool is_svg;
    bool is_shadow;
    bool is_blocked;              /* rr_width/rr_height present (ph-no-capture) */
} reelay_dom_node;

/* Nodes in document (pre-)order, parents before children. */
typedef struct reelay_dom_tree {
    reelay_dom_node *nodes;
    size_t count;
} reelay_dom_tree;

/* Whether n is an element with this (lower-case) tag. */
static inline bool reelay_dom_is_tag(const reelay_dom_node *n, const char *tag)
{
    return n->type == DOM_ELEMENT && n->tag && strcmp(n->tag, tag) == 0;
}

#endif
