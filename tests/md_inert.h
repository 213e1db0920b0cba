/* md_inert.h — for the notify tests: Markdown that a renderer would show as
 * text, never as markup. */
#ifndef VIGIL_TEST_MD_INERT_H
#define VIGIL_TEST_MD_INERT_H

#include <string.h>

#include "testutil.h"

/* Fails unless every character of banned outside code spans (literal in
 * CommonMark) is backslash-escaped, and every code span is closed on its
 * own line. */
static inline void md_assert_inert(const char *md, const char *banned)
{
    for (const char *p = md; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p == '`') {
            size_t k = strspn(p, "`");
            const char *q = p + k, *end = NULL;
            while ((q = strchr(q, '`')) != NULL) {
                size_t r = strspn(q, "`");
                if (r == k) {
                    end = q;
                    break;
                }
                q += r;
            }
            if (!end)
                fail_msg("unclosed code span at offset %td: %.40s", p - md, p);
            assert_null(memchr(p, '\n', (size_t)(end - p))); /* spans never cross lines */
            p = end + k - 1;
            continue;
        }
        if (strchr(banned, *p))
            fail_msg("raw '%c' in Markdown at offset %td: %.40s", *p, p - md, p);
    }
}

#endif
