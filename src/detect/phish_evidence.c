/* phish_evidence.c — what the parser recorded and the headers show:
 * duplicate From headers, invisible or mixed-script display names, hidden
 * HTML text, plain and HTML versions that disagree, fake replies, the
 * recipient's address pasted into the subject, disguised subjects, broken
 * MIME. */
#include <string.h>

#include <unicode/uscript.h>

#include "phish_internal.h"

/* A word mixing Latin with Cyrillic, Greek or another confusable script
 * ("Actiоn Requiгed"): deliberate look-alike letters. */
static bool mixed_script_word(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    int latin = 0, other = 0;
    for (size_t i = 0; i <= n;) {
        uint32_t cp = 0;
        size_t k = i < n ? vg_utf8_decode(p + i, n - i, &cp) : 1;
        if (!k) {
            i++;
            continue;
        }
        bool letter_ascii = (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
        UScriptCode sc = USCRIPT_COMMON;
        if (cp >= 0x80 && i < n) {
            UErrorCode st = U_ZERO_ERROR;
            sc = uscript_getScript((UChar32)cp, &st);
        }
        bool boundary = i >= n || (!letter_ascii && cp < 0x80) ||
                        (cp >= 0x80 && (sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED));
        if (boundary) {
            if (latin >= 1 && other >= 1 && latin + other >= 3)
                return true;
            latin = other = 0;
        } else if (letter_ascii || sc == USCRIPT_LATIN) {
            latin++;
        } else if (sc == USCRIPT_CYRILLIC || sc == USCRIPT_GREEK || sc == USCRIPT_ARMENIAN ||
                   sc == USCRIPT_CHEROKEE || sc == USCRIPT_COPTIC) {
            other++;
        } else {
            latin = other = -100; /* CJK and others: not this trick */
        }
        i += k;
    }
    return false;
}

static bool fake_reply(const vg_mail_msg *m)
{
    static const char *const pfx[] = {"re:", "re :", "fw:", "fwd:", "tr:", "aw:", "wg:", "rv:",
                                       "res:", "enc:", "r:", "sv:", "vs:", NULL};
    const char *s = m->subject;
    while (*s == ' ' || *s == '[')
        s++;
    bool reply = false;
    for (const char *const *p = pfx; *p; p++) {
        if (strncasecmp(s, *p, strlen(*p)) == 0)
            reply = true;
    }
    if (!reply)
        return false;
    return !vg_mail_header_get(m, "In-Reply-To") && !vg_mail_header_get(m, "References") &&
           !vg_mail_header_get(m, "Thread-Index") && m->n_nested == 0 && !m->list_id;
}

/* Mathematical alphanumerics, invisible characters or letter-spacing in the subject. */
static const char *subject_trick(const char *s)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = vg_utf8_decode(p + i, n - i, &cp);
        if (!k) {
            i++;
            continue;
        }
        if (cp >= 0x1D400 && cp <= 0x1D7FF)
            return "styled mathematical letters";
        if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF || cp == 0x00AD ||
            cp == 0x034F)
            return "invisible characters";
        if (cp >= 0xFF21 && cp <= 0xFF5A)
            return "full-width letters";
        i += k;
    }
    return NULL;
}

/* The recipient's address in the first lines of the text, as a greeting
 * ("Hallo jane@example.org,") — not in a quoted header, an attribution line
 * or a newsletter's "this message was sent to" notice. */
static bool greets(const char *head, const char *head_low, const char *addr_low)
{
    static const char *const not_greeting[] = {
        "wrote", "schrieb", "escreveu", "a écrit", "escribió", "schreef", "to:", "para:", "de:",
        "from:", "an:", "aan:", "cc:", "von:", "envoyé", "sent to", "sent by", "enviado", "gesendet",
        "verzonden", "was sent", "subscribed", "abonn", "intended for", "inscrit", "cadastrado",
        "unsubscribe", "mailto", NULL};
    const char *low_hit = strstr(head_low, addr_low);
    if (!low_hit)
        return false;
    const char *hit = head + (low_hit - head_low);
    const char *ls = hit;
    while (ls > head && ls[-1] != '\n')
        ls--;
    const char *le = strchr(hit, '\n');
    size_t n = le ? (size_t)(le - ls) : strlen(ls);
    char line[512];
    if (n >= sizeof line)
        n = sizeof line - 1;
    memcpy(line, ls, n);
    line[n] = 0;
    if (line[0] == '>' || line[0] == '|')
        return false;
    for (const char *const *w = not_greeting; *w; w++) {
        if (strcasestr(line, *w))
            return false;
    }
    return true;
}

/* Bytes above the space up to the terminating NUL. */
static size_t count_visible(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), v = 0;
    for (size_t i = 0; i < n; i++)
        v += p[i] > ' ';
    return v;
}

void ph_detect_evidence(ph_ctx *c)
{
    const vg_mail_msg *m = c->m;
    unsigned ev = m->evidence;
    if (ev & VG_MAIL_EV_DUP_FROM)
        ph_fire(c, R_duplicate_from, "the message has %zu From headers; mail programs show only one",
                vg_mail_header_count(m, "From"));
    if (ev & (VG_MAIL_EV_NAME_ZERO_WIDTH | VG_MAIL_EV_NAME_MIXED_SCRIPT))
        ph_fire(c, R_display_name_tricks, "the display name \"%s\" has %s",
                c->from && c->from->name ? c->from->name : "",
                (ev & VG_MAIL_EV_NAME_ZERO_WIDTH) ? "invisible characters"
                                                  : "letters of different scripts in one word");
    if ((ev & VG_MAIL_EV_HIDDEN_TEXT) && m->text_hidden_len >= 200 && !c->authenticated)
        ph_fire(c, R_hidden_text, "%zu characters of text are hidden from the reader in the HTML",
                m->text_hidden_len);
    if (ev & VG_MAIL_EV_PLAIN_HTML_DIFFER)
        ph_fire(c, R_plain_html_differ, "the plain-text and HTML versions of the message differ");
    if (fake_reply(m))
        ph_fire(c, R_fake_reply, "the subject \"%.60s\" poses as a reply, but the message answers none",
                m->subject);
    bool official = c->authenticated && (c->from_brand >= 0 || c->from_org >= 0);
    /* the places an address is looked for, lower-cased once: a
     * case-insensitive search is then a plain one */
    const char *subj_low = NULL, *name_low = NULL, *head_low = NULL;
    char head[512];
    for (size_t i = 0; i < m->to.n && !m->list_id && !official; i++) {
        const char *a = m->to.v[i].addr;
        size_t al = a ? strlen(a) : 0;
        if (!a || !strchr(a, '@') || al < 5)
            continue;
        if (!subj_low) {
            const char *name = c->from && c->from->name ? c->from->name : "";
            const char *text = m->text_plain_len ? m->text_plain : m->text_html;
            size_t hn = text ? strnlen(text, sizeof head - 1) : 0;
            memcpy(head, text ? text : "", hn);
            head[hn] = 0;
            subj_low = ph_ascii_lower(c->a, m->subject, strlen(m->subject));
            name_low = ph_ascii_lower(c->a, name, strlen(name));
            head_low = ph_ascii_lower(c->a, head, hn);
        }
        const char *a_low = ph_ascii_lower(c->a, a, al);
        const char *where = strstr(subj_low, a_low)   ? "subject"
                            : strstr(name_low, a_low) ? "display name"
                                                      : NULL;
        if (!where && greets(head, head_low, a_low))
            where = "greeting";
        if (where) {
            ph_fire(c, R_recipient_address, "the %s carries the recipient's address %s", where, a);
            break;
        }
    }
    /* almost no text, but links: the words are in images */
    size_t visible = count_visible(m->text_plain) + count_visible(m->text_html);
    size_t links = 0;
    for (size_t i = 0; i < m->n_urls; i++)
        links += m->urls[i].source == VG_URL_HREF && m->urls[i].host[0];
    if (m->text_html_len > 0 && visible < 80 && links > 0 && m->n_nested == 0)
        ph_fire(c, R_image_only, "the message has %zu characters of text and %zu link%s: its words "
                "are in images", visible, links, links == 1 ? "" : "s");
    if (mixed_script_word(m->subject))
        ph_fire(c, R_subject_homoglyphs, "the subject \"%.60s\" mixes look-alike letters of different "
                "scripts in one word", m->subject);
    const char *trick = subject_trick(m->subject);
    if (trick)
        ph_fire(c, R_subject_obfuscated, "the subject uses %s", trick);
    if (ev & (VG_MAIL_EV_PART_LIMIT | VG_MAIL_EV_DEPTH_LIMIT))
        ph_fire(c, R_mime_limits, "the message has %s: the content past the limit was not checked",
                (ev & VG_MAIL_EV_PART_LIMIT) ? "more MIME parts than the limit"
                                             : "MIME parts nested deeper than the limit");
    if (ev & VG_MAIL_EV_BROKEN_MIME)
        ph_fire(c, R_broken_mime, "the MIME structure is malformed");
}
