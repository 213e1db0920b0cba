/* fuzz_core_json.c — libFuzzer target for the JSON writer and its escaping (src/core/json.c).
 *
 * Two experiments on every input; abort() on any violated invariant.
 *
 * 1. Escaping. The input bytes become a string value, an array element and
 *    (up to the first NUL, since keys are C strings) an object key. The
 *    document must parse with jansson, be valid UTF-8 as a whole, and each
 *    decoded string (and key) must equal vg_utf8_sanitize() of the input: byte for
 *    byte the input itself when the input is valid UTF-8 (U+2028/U+2029
 *    included: they are escaped but decode to themselves), otherwise the
 *    input with each maximal ill-formed subpart replaced by U+FFFD.
 *
 * 2. The writer's state machine. The input is read as a program of writer
 *    calls (begin/end object or array, key, string, numbers, literals, raw),
 *    sometimes into a size-capped buffer. Whatever the sequence, the output
 *    must be valid UTF-8, and whenever the writer has not set `failed` and
 *    every container is closed after at least one value, the output must be
 *    exactly one JSON document jansson accepts. Misuse must set `failed`,
 *    never produce broken JSON.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/core.h"

static json_t *load(const vg_buf *b)
{
    json_error_t err;
    size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL;
    return json_loadb(b->p ? b->p : "", b->n, flags, &err);
}

static void check_string(const json_t *v, const vg_buf *want)
{
    if (!json_is_string(v))
        abort();
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n != want->n || (n && memcmp(s, want->p, n) != 0))
        abort();
    if (!vg_utf8_valid(s, n))
        abort();
}

static void escaping(const uint8_t *data, size_t size)
{
    size_t klen = strnlen((const char *)data, size);
    char *key = malloc(klen + 1);
    memcpy(key, data, klen);
    key[klen] = '\0';

    vg_buf doc;
    vg_buf_init(&doc, 0);
    vg_json j;
    vg_json_init(&j, &doc);
    vg_json_obj_begin(&j);
    vg_json_key(&j, "v");
    vg_json_strn(&j, data, size);
    vg_json_key(&j, "a");
    vg_json_arr_begin(&j);
    vg_json_strn(&j, data, size);
    vg_json_arr_end(&j);
    vg_json_key(&j, "k");
    vg_json_obj_begin(&j);
    vg_json_key(&j, key);
    vg_json_int(&j, 1);
    vg_json_obj_end(&j);
    vg_json_obj_end(&j);
    if (j.failed || j.depth != 0)
        abort();
    if (!vg_utf8_valid(doc.p, doc.n))
        abort();

    vg_buf want, want_key;
    vg_buf_init(&want, 0);
    vg_buf_init(&want_key, 0);
    vg_utf8_sanitize(&want, data, size);
    vg_utf8_sanitize(&want_key, key, klen);
    if (vg_utf8_valid(data, size) && (want.n != size || (size && memcmp(want.p, data, size))))
        abort(); /* valid input must come back unchanged */

    json_t *root = load(&doc);
    if (!root || !json_is_object(root))
        abort();
    check_string(json_object_get(root, "v"), &want);
    json_t *arr = json_object_get(root, "a");
    if (!json_is_array(arr) || json_array_size(arr) != 1)
        abort();
    check_string(json_array_get(arr, 0), &want);
    /* The key, alone in its own object. */
    json_t *obj = json_object_get(root, "k");
    if (!json_is_object(obj) || json_object_size(obj) != 1 || json_object_size(root) != 3)
        abort();
    if (!json_is_number(json_object_get(obj, vg_buf_cstr(&want_key))))
        abort();
    json_decref(root);

    /* The bare escaper agrees with the writer: quotes around it parse too. */
    vg_buf bare;
    vg_buf_init(&bare, 0);
    vg_buf_putc(&bare, '"');
    vg_json_escape(&bare, data, size);
    vg_buf_putc(&bare, '"');
    json_t *s = load(&bare);
    if (!s)
        abort();
    check_string(s, &want);
    json_decref(s);

    vg_buf_free(&bare);
    vg_buf_free(&want);
    vg_buf_free(&want_key);
    vg_buf_free(&doc);
    free(key);
}

static void program(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    vg_buf out;
    /* One input in four writes into a small capped buffer. */
    vg_buf_init(&out, (data[0] & 3) == 0 ? 64 + data[0] : 0);
    vg_json j;
    vg_json_init(&j, &out);
    bool wrote = false;
    size_t i = 1;
    while (i < size) {
        uint8_t c = data[i++];
        size_t arg = c >> 4; /* 0..15 */
        switch (c % 13) {
        case 0: vg_json_obj_begin(&j); break;
        case 1: vg_json_obj_end(&j); break;
        case 2: vg_json_arr_begin(&j); break;
        case 3: vg_json_arr_end(&j); break;
        case 4: {
            char k[16];
            size_t n = arg < size - i ? arg : size - i;
            memcpy(k, data + i, n);
            k[n] = '\0';
            vg_json_key(&j, k);
            i += n;
            break;
        }
        case 5: {
            size_t n = arg < size - i ? arg : size - i;
            vg_json_strn(&j, data + i, n);
            i += n;
            break;
        }
        case 6: {
            int64_t v = 0;
            size_t n = size - i < 8 ? size - i : 8;
            memcpy(&v, data + i, n);
            i += n;
            vg_json_int(&j, v);
            break;
        }
        case 7: {
            uint64_t v = 0;
            size_t n = size - i < 8 ? size - i : 8;
            memcpy(&v, data + i, n);
            i += n;
            vg_json_uint(&j, v);
            break;
        }
        case 8: {
            double v = 0;
            size_t n = size - i < 8 ? size - i : 8;
            memcpy(&v, data + i, n);
            i += n;
            vg_json_double(&j, v);
            break;
        }
        case 9: vg_json_bool(&j, arg & 1); break;
        case 10: vg_json_null(&j); break;
        case 11: vg_json_raw(&j, (arg & 1) ? "{\"raw\":[1,2]}" : NULL); break;
        case 12: vg_json_kv_str(&j, "kv", (arg & 1) ? NULL : "x\x80y"); break;
        }
        if (j.failed)
            break;
        wrote = true;
    }
    if (!vg_utf8_valid(out.p, out.n))
        abort();
    if (!j.failed && j.depth == 0 && wrote && out.n > 0) {
        json_t *root = load(&out);
        if (!root)
            abort();
        json_decref(root);
    }
    vg_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    escaping(data, size);
    program(data, size);
    return 0;
}
