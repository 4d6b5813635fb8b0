/* hover_rules.h — which elements can look different when hovered.
 * Owns: reelay_hover_rules, the compound selectors of a page's CSS whose
 * match depends on hover (":hover") or on the class attribute ("[class"),
 * and the query "can toggling hover on this element change pixels?".
 *
 * rrweb's Replayer (2.0.0-alpha.18) shows hover by adding the class
 * ":hover" to the element under the mouse and each of its parentElements,
 * after rewriting every rule whose selector holds ":hover" into a copy with
 * ".\:hover". So a mouse move changes pixels only when an element whose
 * hover toggles matches a compound selector carrying :hover (or an
 * attribute selector on class, whose value the added class changes).
 *
 * Every answer is conservative: when unsure (a selector that cannot be
 * read, :hover inside :has(), a compound naming no type, id or class,
 * JSON that does not parse) the rules become "any" and every element
 * matches. A wrong "no" would freeze a hover effect out of the video; a
 * wrong "yes" only asks the page engine for a frame it did not need. */
#ifndef REELAY_SCENE_HOVER_RULES_H
#define REELAY_SCENE_HOVER_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "session/dom.h"

typedef struct reelay_hover_rules reelay_hover_rules;

/* REELAY_E_INTERNAL when out of memory. */
int reelay_hover_rules_new(reelay_hover_rules **out, reelay_err *err);
/* NULL ok. */
void reelay_hover_rules_free(reelay_hover_rules *rules);

/* Reads one rrweb event's JSON text: every string value at any depth
 * (object values and array items, not keys) that may hold such a selector
 * is read as CSS with reelay_hover_rules_add_css. JSON that does not parse
 * sets "any". REELAY_OK, or REELAY_E_INTERNAL when out of memory (the
 * rules are then "any", so they stay safe to ask). */
int reelay_hover_rules_add_event_json(reelay_hover_rules *rules, const char *json, reelay_err *err);

/* Whether an event's JSON text may hold a string add_event_json would read
 * (the raw text names "hover" or "class", or has a \u escape that could
 * spell them); false means add_event_json would record nothing, though
 * for text that is no JSON it would set "any". NULL: true. */
bool reelay_hover_rules_json_may_hold(const char *json);

/* Reads a CSS text: a style sheet, a list of rules, one rule, or any text
 * at all (text that is not CSS may set "any"). Same returns as above. */
int reelay_hover_rules_add_css(reelay_hover_rules *rules, const char *css, size_t len, reelay_err *err);

/* Every element may look different when hovered. */
void reelay_hover_rules_set_any(reelay_hover_rules *rules);
/* True when "any" is set (and for NULL: nothing is known). */
bool reelay_hover_rules_any(const reelay_hover_rules *rules);
/* No compound recorded and not "any": no hover shows on this page. */
bool reelay_hover_rules_empty(const reelay_hover_rules *rules);

/* True when toggling hover on element may change pixels: "any" is set, or
 * the element matches a recorded compound (type, id and classes compared
 * ASCII case-insensitively). Non-elements (and NULL): false. */
bool reelay_hover_rules_match(const reelay_hover_rules *rules, const reelay_dom_node *element);

#endif
