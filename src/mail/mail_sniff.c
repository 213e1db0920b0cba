/* mail_sniff.c — is a buffer a mail message or an mbox? Decided by content:
 * an mbox "From " envelope line, or a leading block of RFC 5322 header fields
 * with at least two well-known mail header names. */
#include <string.h>

#include "vigil/mail.h"

/* "From " SP sender SP ... with a hh:mm time and a 4-digit year on the line:
 * the envelope written by mbox writers ("From a@b  Thu Aug 22 12:36:23 2002",
 * "From MAILER-DAEMON Fri Jul  8 12:08:34 2011"). */
static bool envelope_line(const char *p, size_t n)
{
    if (n < 5 || memcmp(p, "From ", 5) != 0)
        return false;
    const char *end = memchr(p, '\n', n);
    size_t len = end ? (size_t)(end - p) : n;
    if (len > 512 || len < 12)
        return false;
    if (p[5] == ' ' || p[5] == '\t')
        return false; /* the sender token follows directly */
    bool time = false, year = false;
    for (size_t i = 6; i + 4 <= len; i++) {
        const char *q = p + i;
        bool d0 = q[0] >= '0' && q[0] <= '9', d1 = q[1] >= '0' && q[1] <= '9';
        if (d0 && d1 && q[2] == ':' && q[3] >= '0' && q[3] <= '9')
            time = true;
        if (q[-1] == ' ' && (q[0] == '1' || q[0] == '2') && d1 && q[2] >= '0' && q[2] <= '9' &&
            q[3] >= '0' && q[3] <= '9' && (i + 4 == len || q[4] == ' ' || q[4] == '\r'))
            year = true;
    }
    return time && year;
}

bool vg_mail_sniff_mbox(const void *buf, size_t n) { return envelope_line(buf, n); }

static const char *const known[] = {
    "from", "to", "cc", "subject", "date", "received", "message-id", "return-path",
    "mime-version", "delivered-to", "dkim-signature", "x-mailer", "content-type", "reply-to",
    "sender", "arc-seal", "authentication-results", "x-received", "in-reply-to", "references",
    "list-id", "x-original-to", "content-transfer-encoding", "user-agent", "thread-topic",
    "x-google-smtp-source", "received-spf", "envelope-to", "x-sender", "bcc", "importance",
    "x-priority", "list-unsubscribe", "precedence", "errors-to", "organization",
};
/* Headers a non-mail "key: value" file is unlikely to start with. */
static const char *const strong[] = {
    "received", "message-id", "return-path", "delivered-to", "dkim-signature",
    "mime-version", "authentication-results", "x-received", "arc-seal", "x-original-to",
    "received-spf", "envelope-to", "in-reply-to", "x-mailer",
};

static bool name_in(const char *name, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strlen(list[i]) == n && strncasecmp(list[i], name, n) == 0)
            return true;
    }
    return false;
}

bool vg_mail_sniff(const void *vbuf, size_t n)
{
    const char *p = vbuf, *end = p + n;
    if (!p || n == 0)
        return false;
    if (n >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3; /* UTF-8 BOM */
    if (envelope_line(p, (size_t)(end - p))) {
        /* an envelope line followed by a header field: an mbox */
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return true;
        const char *q = nl + 1;
        size_t i = 0;
        while (q + i < end && q[i] != ':' && (unsigned char)q[i] > 32 && (unsigned char)q[i] < 127)
            i++;
        return i > 0 && q + i < end && q[i] == ':';
    }
    int nknown = 0, nstrong = 0, lines = 0;
    bool have_from_or_subject = false;
    while (p < end && lines < 200) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t len = (size_t)(le - p);
        if (len && p[len - 1] == '\r')
            len--;
        if (len == 0)
            break; /* end of the header block */
        lines++;
        if (p[0] == ' ' || p[0] == '\t') {
            if (lines == 1)
                return false; /* a continuation cannot come first */
        } else {
            size_t i = 0;
            while (i < len && p[i] != ':' && (unsigned char)p[i] > 32 && (unsigned char)p[i] < 127)
                i++;
            size_t name_len = i;
            while (i < len && (p[i] == ' ' || p[i] == '\t'))
                i++; /* obsolete syntax: "From : x" (RFC 5322 4.5.8) */
            if (name_len == 0 || i >= len || p[i] != ':') {
                /* A header block that is cut off at the buffer end is fine. */
                if (!nl)
                    break;
                return false;
            }
            if (name_in(p, name_len, known, sizeof known / sizeof *known))
                nknown++;
            if (name_in(p, name_len, strong, sizeof strong / sizeof *strong))
                nstrong++;
            if ((name_len == 4 && strncasecmp(p, "from", 4) == 0) ||
                (name_len == 7 && strncasecmp(p, "subject", 7) == 0))
                have_from_or_subject = true;
            if (nknown >= 3 && nstrong >= 1 && have_from_or_subject)
                return true; /* enough: no need to read the rest of the block */
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return nknown >= 2 && (nstrong >= 1 || have_from_or_subject);
}
