/* utf8_internal.h — the UTF-8 scanner shared by utf8.c and json.c (core-internal). */
#ifndef VIGIL_CORE_UTF8_INTERNAL_H
#define VIGIL_CORE_UTF8_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Scans the sequence at p (n >= 1 bytes available). When it is well-formed
 * UTF-8, sets *ok = true and *cp and returns its length (1-4). Otherwise sets
 * *ok = false and returns the length of its maximal subpart (1-3): the bytes
 * one U+FFFD replaces (Unicode 3.9, "U+FFFD Substitution of Maximal Subparts"). */
size_t vg_utf8__scan(const uint8_t *p, size_t n, uint32_t *cp, bool *ok);

#endif
