#include "ingest/web_dom.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "ingest/json_util.h"

/* Room for an error path; longer paths are cut (the message buffer is 1 KiB). */
enum { PATH_MAX_LEN = 1024 };

/* Nodes collect on the heap while the tree is walked (the final count is not
 * known up front) and are copied into the arena once, so a session does not
 * keep every intermediate growth step alive. */
typedef struct node_list {
    reelay_dom_node *items;
    size_t count, cap;
} node_list;

/* One level of the explicit walk stack: an element (or document) whose
 * children are being visited. An explicit stack bounds memory by
 * the depth limit instead of trusting the C stack with hostile input. */
typedef struct walk_frame {
    const json_t *children;
    size_t next;         /* index of the next child to visit */
    int64_t id;          /* the element's id: parent of its children */
    bool style_parent;   /* <style>/<script>: its text is never a label */
} walk_frame;

static int oom(reelay_err *err)
{
    return reelay_err_set(err, REELAY_E_INTERNAL, "out of memory");
}

static reelay_dom_node *list_push(node_list *list)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 64;
        if (cap > SIZE_MAX / sizeof *list->items) return NULL;
        reelay_dom_node *grown = realloc(list->items, cap * sizeof *grown);
        if (!grown) return NULL;
        list->items = grown;
        list->cap = cap;
    }
    reelay_dom_node *node = &list->items[list->count++];
    memset(node, 0, sizeof *node);
    return node;
}

static int list_to_tree(node_list *list, reelay_arena *arena, reelay_dom_tree *out, reelay_err *err)
{
    out->nodes = NULL;
    out->count = 0;
    if (list->count == 0) return REELAY_OK;
    reelay_dom_node *nodes = reelay_arena_array(arena, list->count, sizeof *nodes);
    if (!nodes) return oom(err);
    memcpy(nodes, list->items, list->count * sizeof *nodes);
    out->nodes = nodes;
    out->count = list->count;
    return REELAY_OK;
}

/* Appends text to a bounded path buffer; silently truncates. */
static void path_append(char *path, size_t size, size_t *len, const char *text)
{
    if (*len >= size - 1) return;
    size_t room = size - 1 - *len;
    size_t n = strlen(text);
    if (n > room) n = room;
    memcpy(path + *len, text, n);
    *len += n;
    path[*len] = '\0';
}

/* The path of the node being visited: where + one ".childNodes[i]" per open
 * frame (each frame's `next` is already past the child being visited). Built
 * only when needed, so deep trees cost no path bookkeeping. Middle levels of
 * a deep path are elided so the message keeps its useful ends. */
static void node_path(char *path, size_t size, const char *where, const walk_frame *stack, size_t depth)
{
    enum { HEAD = 4, TAIL = 6 };
    size_t len = 0;
    path[0] = '\0';
    path_append(path, size, &len, where);
    for (size_t i = 0; i < depth; i++) {
        char step[64];
        if (depth > HEAD + TAIL + 1 && i >= HEAD && i < depth - TAIL) {
            if (i == HEAD) {
                snprintf(step, sizeof step, ".childNodes[...%zu levels...]", depth - HEAD - TAIL);
                path_append(path, size, &len, step);
            }
            continue;
        }
        snprintf(step, sizeof step, ".childNodes[%zu]", stack[i].next - 1);
        path_append(path, size, &len, step);
    }
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Collapses whitespace runs to one space, trims, and cuts to at most max
 * bytes at a UTF-8 sequence boundary. Stops reading once the cut is certain,
 * so a megabyte of inlined CSS costs max bytes of work, not a megabyte. */
static const char *normalize_text(reelay_arena *arena, const char *text, size_t max)
{
    char *buf = reelay_arena_alloc(arena, max + 2);
    if (!buf) return NULL;
    size_t len = 0;
    bool pending_space = false;
    for (const unsigned char *p = (const unsigned char *)text; *p && len <= max; p++) {
        if (is_space(*p)) {
            pending_space = len > 0;
            continue;
        }
        if (pending_space) {
            buf[len++] = ' ';
            pending_space = false;
            if (len > max) break;
        }
        buf[len++] = (char)*p;
    }
    if (len > max) {
        len = reelay_utf8_cut(buf, len, max);
    }
    while (len > 0 && buf[len - 1] == ' ') len--;
    buf[len] = '\0';
    return buf;
}

/* Attribute value as text: strings as they are, numbers printed, `true`
 * (a bare boolean attribute) as the empty string, as rrweb rebuilds it.
 * *keep is false for null, false and objects (e.g. style objects). */
static const char *attr_value_text(reelay_arena *arena, const json_t *value, bool *keep, bool *failed)
{
    *keep = true;
    *failed = false;
    /* A bare boolean attribute (`disabled: true`) is rebuilt as "". */
    if (json_is_true(value)) {
        const char *text = reelay_arena_strdup(arena, "");
        if (!text) *failed = true;
        return text;
    }
    const char *text = reelay_json_scalar_text(arena, value, failed);
    if (!text && !*failed) *keep = false;
    return text;
}

/* The slot in a node for each attribute the DOM model keeps; NULL otherwise. */
static const char **attr_slot(reelay_dom_node *node, const char *name)
{
    if (strcmp(name, "id") == 0) return &node->attr_id;
    if (strcmp(name, "class") == 0) return &node->attr_class;
    if (strcmp(name, "type") == 0) return &node->attr_type;
    if (strcmp(name, "name") == 0) return &node->attr_name;
    if (strcmp(name, "aria-label") == 0) return &node->attr_aria_label;
    if (strcmp(name, "placeholder") == 0) return &node->attr_placeholder;
    if (strcmp(name, "title") == 0) return &node->attr_title;
    if (strcmp(name, "href") == 0) return &node->attr_href;
    return NULL;
}

/* Canonical spelling of a kept attribute name, so change records can point at
 * static strings instead of arena copies. */
static const char *kept_attr_name(const char *name)
{
    static const char *const kept[] = {"id", "class", "type", "name", "aria-label", "placeholder", "title", "href"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (strcmp(name, kept[i]) == 0) return kept[i];
    return NULL;
}

static const char *lower_copy(reelay_arena *arena, const char *s)
{
    size_t n = strlen(s);
    char *copy = reelay_arena_strndup(arena, s, n);
    if (!copy) return NULL;
    for (size_t i = 0; i < n; i++)
        if (copy[i] >= 'A' && copy[i] <= 'Z') copy[i] = (char)(copy[i] - 'A' + 'a');
    return copy;
}

static int fill_element(const json_t *json, reelay_dom_node *node, reelay_arena *arena, reelay_err *err)
{
    const json_t *tag = json_object_get(json, "tagName");
    node->tag = json_is_string(tag) ? lower_copy(arena, json_string_value(tag)) : "";
    if (!node->tag) return oom(err);
    node->is_svg = json_is_true(json_object_get(json, "isSVG"));
    const json_t *attrs = json_object_get(json, "attributes");
    if (!json_is_object(attrs)) return REELAY_OK;
    const char *name;
    const json_t *value;
    json_object_foreach((json_t *)attrs, name, value) {
        if (strcmp(name, "rr_width") == 0 || strcmp(name, "rr_height") == 0) {
            node->is_blocked = true;
            continue;
        }
        const char **slot = attr_slot(node, name);
        if (!slot) continue;
        bool keep, failed;
        const char *text = attr_value_text(arena, value, &keep, &failed);
        if (failed) return oom(err);
        if (keep) *slot = text;
    }
    return REELAY_OK;
}

static bool tag_is_style(const char *tag)
{
    return tag && (strcmp(tag, "style") == 0 || strcmp(tag, "script") == 0);
}

/* Flattens one serialized node and its subtree into list. The root gets
 * root_parent/root_next; descendants get their real parent and next_id -1. */
static int flatten(const json_t *root, int64_t root_parent, int64_t root_next, node_list *list,
                   const reelay_ingest_options *limits, reelay_arena *arena, const char *where, reelay_err *err)
{
    const size_t max_depth = (size_t)limits->max_tree_depth;
    walk_frame *stack = malloc(max_depth * sizeof *stack);
    char *path = malloc(PATH_MAX_LEN);
    int rc = REELAY_OK;
    if (!stack || !path) {
        rc = oom(err);
        goto done;
    }
    size_t depth = 0; /* open frames = ancestors of the node being visited */
    const json_t *json = root;
    for (;;) {
        if (json) {
            if (!json_is_object(json)) {
                node_path(path, PATH_MAX_LEN, where, stack, depth);
                rc = reelay_err_set(err, REELAY_E_INPUT, "%s: expected a node object", path);
                goto done;
            }
            const json_t *type_json = json_object_get(json, "type");
            json_int_t type = json_is_integer(type_json) ? json_integer_value(type_json) : -1;
            /* Unknown node types (a newer rrweb, or garbage) are dropped with
             * their subtree: nothing below them can be placed reliably. */
            if (type >= DOM_DOCUMENT && type <= DOM_COMMENT) {
                node_path(path, PATH_MAX_LEN, where, stack, depth);
                int64_t id = 0;
                bool present = false;
                rc = reelay_json_get_id(json, "id", &id, &present, path, err);
                if (rc != REELAY_OK) goto done;
                if (!present) {
                    rc = reelay_err_set(err, REELAY_E_INPUT, "%s.id: expected an integer id", path);
                    goto done;
                }
                if (list->count >= limits->max_wireframes) {
                    rc = reelay_err_set(err, REELAY_E_INPUT, "%s: more than %zu DOM nodes (raise --max-wireframes)",
                                        path, limits->max_wireframes);
                    goto done;
                }
                reelay_dom_node *node = list_push(list);
                if (!node) {
                    rc = oom(err);
                    goto done;
                }
                node->id = id;
                node->type = (reelay_dom_node_type)type;
                node->parent_id = depth > 0 ? stack[depth - 1].id : root_parent;
                node->next_id = depth > 0 ? -1 : root_next;
                node->is_shadow = json_is_true(json_object_get(json, "isShadow"));
                if (type == DOM_ELEMENT) {
                    rc = fill_element(json, node, arena, err);
                    if (rc != REELAY_OK) goto done;
                } else if (type == DOM_TEXT || type == DOM_COMMENT) {
                    const json_t *content = json_object_get(json, "textContent");
                    node->text = normalize_text(arena, json_is_string(content) ? json_string_value(content) : "",
                                                REELAY_DOM_TEXT_MAX);
                    if (!node->text) {
                        rc = oom(err);
                        goto done;
                    }
                    node->is_style_text = json_is_true(json_object_get(json, "isStyle")) ||
                                          (depth > 0 && stack[depth - 1].style_parent);
                }
                const json_t *children = json_object_get(json, "childNodes");
                if ((type == DOM_ELEMENT || type == DOM_DOCUMENT) && children && !json_is_null(children)) {
                    if (!json_is_array(children)) {
                        rc = reelay_err_set(err, REELAY_E_INPUT, "%s.childNodes: expected an array", path);
                        goto done;
                    }
                    if (json_array_size(children) > 0) {
                        if (depth + 1 >= max_depth) {
                            rc = reelay_err_set(err, REELAY_E_INPUT,
                                                "%s.childNodes: DOM nested deeper than %zu levels (raise "
                                                "--max-tree-depth)",
                                                path, max_depth);
                            goto done;
                        }
                        /* `node` may move when list grows, so copy what the
                         * children need now. */
                        stack[depth].children = children;
                        stack[depth].next = 0;
                        stack[depth].id = node->id;
                        stack[depth].style_parent = type == DOM_ELEMENT && tag_is_style(node->tag);
                        depth++;
                    }
                }
            }
        }
        /* Next node: the next child of the innermost open frame that has one. */
        json = NULL;
        while (depth > 0) {
            walk_frame *top = &stack[depth - 1];
            if (top->next < json_array_size(top->children)) {
                json = json_array_get(top->children, top->next++);
                break;
            }
            depth--;
        }
        if (!json) break;
    }
done:
    free(stack);
    free(path);
    return rc;
}

int reelay_parse_dom_tree(const json_t *node, reelay_arena *arena, reelay_dom_tree *out,
                          const reelay_ingest_options *limits, const char *where, reelay_err *err)
{
    node_list list = {0};
    out->nodes = NULL;
    out->count = 0;
    if (!node) return reelay_err_set(err, REELAY_E_INPUT, "%s: expected a node object", where);
    reelay_ingest_options resolved = reelay_ingest_limits(limits);
    int rc = flatten(node, -1, -1, &list, &resolved, arena, where, err);
    if (rc == REELAY_OK) rc = list_to_tree(&list, arena, out, err);
    free(list.items);
    return rc;
}

/* Returns the array at data[key]; NULL (count 0) when absent or null. */
static int get_array(const json_t *data, const char *key, const json_t **out, const char *where,
                     reelay_err *err)
{
    const json_t *value = json_object_get(data, key);
    *out = NULL;
    if (!value || json_is_null(value)) return REELAY_OK;
    if (!json_is_array(value)) return reelay_err_set(err, REELAY_E_INPUT, "%s.%s: expected an array", where, key);
    *out = value;
    return REELAY_OK;
}

/* Reads a required integer id at entry[key]; `path` names the entry. */
static int required_id(const json_t *entry, const char *key, int64_t *out, const char *path, reelay_err *err)
{
    bool present = false;
    int rc = reelay_json_get_id(entry, key, out, &present, path, err);
    if (rc != REELAY_OK) return rc;
    if (!present) return reelay_err_set(err, REELAY_E_INPUT, "%s.%s: expected an integer id", path, key);
    return REELAY_OK;
}

static int parse_removes(const json_t *data, reelay_arena *arena, reelay_event *ev, const char *where,
                         reelay_err *err)
{
    const json_t *array;
    char base[PATH_MAX_LEN], path[PATH_MAX_LEN];
    int rc = get_array(data, "removes", &array, where, err);
    if (rc != REELAY_OK || !array || json_array_size(array) == 0) return rc;
    size_t n = json_array_size(array);
    reelay_dom_remove *removes = reelay_arena_array(arena, n, sizeof *removes);
    if (!removes) return oom(err);
    reelay_json_path_key(base, sizeof base, where, "removes");
    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_array_get(array, i);
        reelay_json_path_index(path, sizeof path, base, i);
        if (!json_is_object(entry)) return reelay_err_set(err, REELAY_E_INPUT, "%s: expected an object", path);
        rc = required_id(entry, "parentId", &removes[i].parent_id, path, err);
        if (rc == REELAY_OK) rc = required_id(entry, "id", &removes[i].id, path, err);
        if (rc != REELAY_OK) return rc;
    }
    ev->u.mutation.dom_removes = removes;
    ev->u.mutation.dom_remove_count = n;
    return REELAY_OK;
}

static int parse_texts(const json_t *data, reelay_arena *arena, reelay_event *ev, const char *where,
                       reelay_err *err)
{
    const json_t *array;
    char base[PATH_MAX_LEN], path[PATH_MAX_LEN];
    int rc = get_array(data, "texts", &array, where, err);
    if (rc != REELAY_OK || !array || json_array_size(array) == 0) return rc;
    size_t n = json_array_size(array);
    reelay_dom_text_change *texts = reelay_arena_array(arena, n, sizeof *texts);
    if (!texts) return oom(err);
    reelay_json_path_key(base, sizeof base, where, "texts");
    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_array_get(array, i);
        reelay_json_path_index(path, sizeof path, base, i);
        if (!json_is_object(entry)) return reelay_err_set(err, REELAY_E_INPUT, "%s: expected an object", path);
        rc = required_id(entry, "id", &texts[i].id, path, err);
        if (rc != REELAY_OK) return rc;
        /* Same normalisation as text nodes, so a changed text reads exactly
         * like one that was in the snapshot. */
        bool keep, failed;
        const char *raw = attr_value_text(arena, json_object_get(entry, "value"), &keep, &failed);
        if (failed) return oom(err);
        texts[i].value = normalize_text(arena, keep ? raw : "", REELAY_DOM_TEXT_MAX);
        if (!texts[i].value) return oom(err);
    }
    ev->u.mutation.texts = texts;
    ev->u.mutation.text_count = n;
    return REELAY_OK;
}

static int parse_attributes(const json_t *data, reelay_arena *arena, reelay_event *ev, const char *where,
                            reelay_err *err)
{
    const json_t *array;
    char base[PATH_MAX_LEN], path[PATH_MAX_LEN], attrs_path[PATH_MAX_LEN];
    int rc = get_array(data, "attributes", &array, where, err);
    if (rc != REELAY_OK || !array || json_array_size(array) == 0) return rc;
    size_t n = json_array_size(array);
    reelay_json_path_key(base, sizeof base, where, "attributes");

    /* First pass validates and counts the kept names, so the result is one
     * exact arena array. */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_array_get(array, i);
        reelay_json_path_index(path, sizeof path, base, i);
        if (!json_is_object(entry)) return reelay_err_set(err, REELAY_E_INPUT, "%s: expected an object", path);
        int64_t id;
        rc = required_id(entry, "id", &id, path, err);
        if (rc != REELAY_OK) return rc;
        const json_t *attrs = json_object_get(entry, "attributes");
        if (!attrs || json_is_null(attrs)) continue;
        if (!json_is_object(attrs)) {
            reelay_json_path_key(attrs_path, sizeof attrs_path, path, "attributes");
            return reelay_err_set(err, REELAY_E_INPUT, "%s: expected an object", attrs_path);
        }
        const char *name;
        const json_t *value;
        bool other = false;
        json_object_foreach((json_t *)attrs, name, value) {
            if (kept_attr_name(name) && !json_is_object(value))
                total++;
            else
                other = true;
        }
        if (other) total++;
    }
    if (total == 0) return REELAY_OK;
    reelay_dom_attr_change *changes = reelay_arena_array(arena, total, sizeof *changes);
    if (!changes) return oom(err);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *entry = json_array_get(array, i);
        const json_t *attrs = json_object_get(entry, "attributes");
        if (!json_is_object(attrs)) continue;
        int64_t id = 0;
        reelay_json_get_id(entry, "id", &id, NULL, "", NULL);
        const char *name;
        const json_t *value;
        bool other = false;
        json_object_foreach((json_t *)attrs, name, value) {
            const char *kept = kept_attr_name(name);
            if (!kept || json_is_object(value)) other = true;
            if (!kept || json_is_object(value) || k >= total) continue;
            bool keep, failed;
            const char *text = attr_value_text(arena, value, &keep, &failed);
            if (failed) return oom(err);
            changes[k].id = id;
            changes[k].name = kept;
            changes[k].value = keep ? text : NULL;
            k++;
        }
        if (other && k < total) changes[k++] = (reelay_dom_attr_change){.id = id, .name = NULL, .value = NULL};
    }
    ev->u.mutation.attributes = changes;
    ev->u.mutation.attribute_count = k;
    return REELAY_OK;
}

static int parse_adds(const json_t *data, reelay_arena *arena, reelay_event *ev,
                      const reelay_ingest_options *limits, const char *where, reelay_err *err)
{
    const json_t *array;
    char base[PATH_MAX_LEN], path[PATH_MAX_LEN], node_where[PATH_MAX_LEN];
    int rc = get_array(data, "adds", &array, where, err);
    if (rc != REELAY_OK || !array || json_array_size(array) == 0) return rc;
    reelay_json_path_key(base, sizeof base, where, "adds");
    node_list list = {0};
    size_t n = json_array_size(array);
    for (size_t i = 0; i < n && rc == REELAY_OK; i++) {
        const json_t *entry = json_array_get(array, i);
        reelay_json_path_index(path, sizeof path, base, i);
        if (!json_is_object(entry)) {
            rc = reelay_err_set(err, REELAY_E_INPUT, "%s: expected an object", path);
            break;
        }
        int64_t parent_id = 0, next_id = -1;
        rc = required_id(entry, "parentId", &parent_id, path, err);
        if (rc == REELAY_OK) rc = reelay_json_get_id(entry, "nextId", &next_id, NULL, path, err);
        if (rc != REELAY_OK) break;
        const json_t *node = json_object_get(entry, "node");
        reelay_json_path_key(node_where, sizeof node_where, path, "node");
        if (!json_is_object(node)) {
            rc = reelay_err_set(err, REELAY_E_INPUT, "%s: expected a node object", node_where);
            break;
        }
        rc = flatten(node, parent_id, next_id, &list, limits, arena, node_where, err);
    }
    if (rc == REELAY_OK) rc = list_to_tree(&list, arena, &ev->u.mutation.dom_adds, err);
    free(list.items);
    return rc;
}

int reelay_parse_web_mutation(const json_t *data, reelay_arena *arena, reelay_event *ev,
                              const reelay_ingest_options *limits, const char *where, reelay_err *err)
{
    if (!json_is_object(data)) return reelay_err_set(err, REELAY_E_INPUT, "%s: expected an object", where);
    reelay_ingest_options resolved = reelay_ingest_limits(limits);
    int rc = parse_removes(data, arena, ev, where, err);
    if (rc == REELAY_OK) rc = parse_adds(data, arena, ev, &resolved, where, err);
    if (rc == REELAY_OK) rc = parse_texts(data, arena, ev, where, err);
    if (rc == REELAY_OK) rc = parse_attributes(data, arena, ev, where, err);
    return rc;
}

int reelay_dom_index(const reelay_dom_tree *tree, reelay_idmap *index)
{
    if (tree->count > UINT32_MAX) return -1;
    for (size_t i = 0; i < tree->count; i++)
        if (reelay_idmap_put(index, tree->nodes[i].id, (uint32_t)i) != 0) return -1;
    return 0;
}
