#!/usr/bin/env bash
# --email-html: a snippet for an email or a ticket, the poster (else the
# preview) linking to the video, written with the video or not at all; its
# links and text are escaped, and its link base is a web address or a path.
set -u
reelay=${1:?usage: test_email_html.sh REELAY_BINARY}
tmp=$(mktemp -d /tmp/reelay-email-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
web=fixtures/web/shop-checkout.rrweb.json
mobile=fixtures/mobile/android-shop.blob.jsonl

"$reelay" render "$web" --web-view interaction --to 6 -o "$tmp/a b.webm" --poster "$tmp/p.png" \
  --email-html "$tmp/s.html" --email-link-base 'https://files.example/r?x=1&y="/' --quiet 2>"$tmp/err"
code=$?
check poster-snippet "$(python3 - "$tmp/s.html" "$code" <<'PY'
import html.parser, sys
text = open(sys.argv[1]).read() if sys.argv[2] == "0" else ""
class P(html.parser.HTMLParser):
    links, imgs = [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a": self.links.append(a["href"])
        if tag == "img": self.imgs.append(a)
p = P(); p.feed(text)
want = 'https://files.example/r?x=1&y="/a%20b.webm'
ok = (p.links == [want, want] and len(p.imgs) == 1 and p.imgs[0]["src"] == 'https://files.example/r?x=1&y="/p.png'
      and int(p.imgs[0]["width"]) == 480 and "00:06" in text and "1 error, 1 failed request" in text
      and "<script" not in text)
print("ok" if ok else "unexpected snippet: %r %r %r" % (p.links, p.imgs, text[:300]))
PY
)"

# the preview when there is no poster; plain file names without a base
"$reelay" render "$mobile" --to 3 -o "$tmp/m.webm" --preview "$tmp/m.webp" --email-html "$tmp/m.html" --quiet 2>"$tmp/err"
check preview-snippet "$(grep -q 'href="m.webm"' "$tmp/m.html" 2>/dev/null && grep -q 'src="m.webp" width="[0-9]*" height="[0-9]*"' "$tmp/m.html" &&
  echo ok || echo "no preview snippet: $(cat "$tmp/err") $(cat "$tmp/m.html" 2>/dev/null)")"

# without a picture, or with a link base a mail client could run: refused before any work
"$reelay" render "$mobile" --to 3 -o "$tmp/n.webm" --email-html "$tmp/n.html" 2>"$tmp/err"
code=$?
check needs-picture "$([ $code -eq 1 ] && [ ! -e "$tmp/n.webm" ] && [ ! -e "$tmp/n.html" ] &&
  grep -q 'email-html needs --poster or --preview' "$tmp/err" && echo ok || echo "exit $code: $(cat "$tmp/err")")"
"$reelay" render "$mobile" --to 3 -o "$tmp/j.webm" --poster "$tmp/j.png" --email-html "$tmp/j.html" \
  --email-link-base 'javascript:alert(1)//' 2>"$tmp/err"
code=$?
check link-base "$([ $code -eq 1 ] && [ ! -e "$tmp/j.html" ] && grep -q 'bad --email-link-base' "$tmp/err" && echo ok ||
  echo "exit $code: $(cat "$tmp/err")")"

# a failed render leaves no snippet either
"$reelay" render "$mobile" --to 3 -o "$tmp/missing-dir/x.webm" --poster "$tmp/x.png" --email-html "$tmp/x.html" 2>/dev/null
check no-half-output "$([ ! -e "$tmp/x.html" ] && [ ! -e "$tmp/x.png" ] && echo ok || echo 'a sidecar was left behind')"

finish test_email_html
