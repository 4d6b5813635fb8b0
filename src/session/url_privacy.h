/* url_privacy.h — secrets in the URLs a recording names.
 * Owns: which URL parameter names are sensitive (credentials, which are
 * always masked, and personal data, which --unmask-inputs may show), the
 * rewrite of a URL (or of the URLs inside a line of text) that replaces
 * their values with REELAY_URL_MASK, and the pass that applies it to every
 * URL the session model carries. Ingest runs the pass, so every output
 * (chrome, HUD, inspector, subtitles, chapters, manifest, info) only ever
 * sees masked URLs; the events' rrweb_json, which only the page engine
 * reads and never shows as text, keeps the recorded URLs.
 *
 * What is masked:
 *  - the value of a parameter whose name is sensitive, wherever a parameter
 *    can start: after '?', '&', ';' (also path parameters such as
 *    ";jsessionid=") and '#' (a fragment such as "#access_token=..." or
 *    "#/reset?token=..."). A value runs to the next '&', ';', '#', blank,
 *    quote, '<', '>' or '`' (in the query not to '?', so a '?' inside a
 *    secret does not end it early; a path parameter also ends at '/' or
 *    '?'); a value that is empty stays empty, a parameter without '=' is
 *    left alone, and everything else (scheme, host, path, other
 *    parameters, their order) is copied byte for byte. A shown value is
 *    still scanned, so "?next=/login?token=..." is masked; a value that,
 *    percent-decoded, holds something to mask ("?next=%2F%3Ftoken%3D...",
 *    up to two levels of encoding) is masked whole. A value that already reads REELAY_URL_MASK stays so: the rewrite is
 *    idempotent.
 *  - the password of a URL's userinfo ("https://user:pass@host/" →
 *    "https://user:[REDACTED]@host/"), always; the user name stays.
 * Names are matched after percent-decoding (repeatedly, so "pass%2577ord"
 * counts; a malformed escape stays literal) with '+' read as a space and
 * ASCII letters folded to lower case. A name is split into words at every
 * character that is not an ASCII letter or digit, between letters and
 * digits and at camelCase humps ("apiKey" → api, key; "cvv2" → cvv, 2).
 *  - long terms count anywhere in the name with its separators removed
 *    ("sessionid", "auth_token", "pass_word", "x-amz-signature");
 *  - short terms count only as a whole word ("api_key", "code", "cc_exp"),
 *    because as substrings they are everywhere: keyword, monkey, barcode,
 *    zipcode, author, access, success, discard.
 * The lists (url_privacy.c) err towards masking: "error_code" or
 * "sort_key" lose their values too, which a replay rarely needs. */
#ifndef REELAY_SESSION_URL_PRIVACY_H
#define REELAY_SESSION_URL_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "session/session.h"

/* What a masked value reads: the marker PostHog records for a masked input,
 * which reelay already shows as is; fixed, so the length of a secret never
 * shows. */
#define REELAY_URL_MASK "[REDACTED]"

typedef enum reelay_url_param_kind {
    REELAY_URL_PARAM_PLAIN = 0,
    /* card numbers, CVV, social security numbers: like a typed value, shown
     * with --unmask-inputs */
    REELAY_URL_PARAM_PERSONAL,
    /* passwords, PINs, one-time codes, secrets, tokens, keys, sessions,
     * auth, signatures: like a password field, never shown */
    REELAY_URL_PARAM_CREDENTIAL,
} reelay_url_param_kind;

/* The kind of a parameter name as written in a URL (len bytes, still
 * percent-encoded; NUL bytes count as separators). */
reelay_url_param_kind reelay_url_param_kind_of(const char *name, size_t len);

/* `text` (a URL, or a line that may hold URLs) with the values of sensitive
 * parameters and userinfo passwords replaced by REELAY_URL_MASK; personal
 * parameters keep their values when unmask_inputs. Returns `text` itself
 * when nothing was masked (and for NULL), else a copy in `arena`; NULL
 * when out of memory. */
const char *reelay_url_mask(reelay_arena *arena, const char *text, bool unmask_inputs);

/* Masks, in place, every URL the session holds: meta hrefs (web pages and
 * mobile screen names), navigation URLs, network request URLs, console
 * messages and mobile web_view wireframes' URLs. Fails only when out of
 * memory. */
int reelay_session_mask_urls(reelay_session *session, bool unmask_inputs, reelay_err *err);

#endif
