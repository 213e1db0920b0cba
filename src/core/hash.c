/* hash.c — SipHash-2-4, OS randomness, SHA-256 / HMAC-SHA-256 (OpenSSL), hex and UUIDv5.
 *
 * SipHash-2-4 (Aumasson and Bernstein, 2012) is the keyed hash behind every
 * vg_htable: keys such as user names and sender addresses are chosen by the
 * attacker, and a secret per-table key stops them from aiming many keys at
 * one bucket (hash flooding). It is written out here, after the reference
 * implementation, because OpenSSL 3.0's SipHash MAC defaults to a 128-bit
 * tag and costs a context allocation per call. Checked against the authors'
 * test vectors (tests/test_core_hash.c).
 *
 * The digests come from OpenSSL's EVP interface; vg_sha256 wraps an
 * EVP_MD_CTX that vg_sha256_final() frees. An OpenSSL failure here can only
 * mean memory exhaustion or a broken installation, so it panics, in line
 * with vg_xmalloc.
 *
 * vg_random_bytes() reads getrandom(2), retrying on EINTR and short reads,
 * and falls back to /dev/urandom only where the system call is missing
 * (ENOSYS: very old kernels, some sandboxes).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "vigil/core.h"

/* ---- SipHash-2-4 ----------------------------------------------------------- */

static inline uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

static inline uint64_t load64_le(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = rotl(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = rotl(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = rotl(v2, 32);                                                                         \
    } while (0)

uint64_t vg_siphash(const uint8_t key[16], const void *data, size_t n)
{
    const uint8_t *in = n ? data : (const void *)""; /* NULL + 0 is UB */
    uint64_t k0 = load64_le(key), k1 = load64_le(key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;

    const uint8_t *end = in + (n - n % 8);
    for (; in != end; in += 8) {
        uint64_t m = load64_le(in);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }

    /* Last block: the remaining 0-7 bytes, length mod 256 in the top byte. */
    uint64_t b = (uint64_t)n << 56;
    switch (n & 7) {
    case 7: b |= (uint64_t)in[6] << 48; /* fall through */
    case 6: b |= (uint64_t)in[5] << 40; /* fall through */
    case 5: b |= (uint64_t)in[4] << 32; /* fall through */
    case 4: b |= (uint64_t)in[3] << 24; /* fall through */
    case 3: b |= (uint64_t)in[2] << 16; /* fall through */
    case 2: b |= (uint64_t)in[1] << 8;  /* fall through */
    case 1: b |= (uint64_t)in[0]; break;
    case 0: break;
    }
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;

    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- randomness --------------------------------------------------------------- */

static bool urandom_fill(uint8_t *p, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return false;
        }
        p += r;
        n -= (size_t)r;
    }
    close(fd);
    return true;
}

void vg_random_bytes(void *out, size_t n)
{
    uint8_t *p = out;
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == ENOSYS) {
            if (urandom_fill(p, n))
                return;
            vg_panic("no randomness: getrandom(2) is missing and /dev/urandom unreadable");
        }
        if (r <= 0)
            vg_panic("getrandom failed: %s", strerror(errno));
        p += r;
        n -= (size_t)r;
    }
}

/* ---- SHA-256, HMAC ------------------------------------------------------------- */

void vg_sha256_init(vg_sha256 *h)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        vg_panic("OpenSSL: cannot initialise SHA-256");
    h->ctx = ctx;
}

void vg_sha256_update(vg_sha256 *h, const void *data, size_t n)
{
    if (n && EVP_DigestUpdate(h->ctx, data, n) != 1)
        vg_panic("OpenSSL: SHA-256 update failed");
}

void vg_sha256_final(vg_sha256 *h, uint8_t out[32])
{
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != 32)
        vg_panic("OpenSSL: SHA-256 final failed");
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

/* OpenSSL 3 looks an algorithm up by name on every use of EVP_sha256();
 * the one-shot digest runs per message and per attachment, so fetch once. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void) { sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL); }

void vg_sha256_digest(const void *data, size_t n, uint8_t out[32])
{
    unsigned int len = 0;
    pthread_once(&sha256_once, sha256_fetch);
    const EVP_MD *md = sha256_md ? sha256_md : EVP_sha256();
    if (EVP_Digest(n ? data : "", n, out, &len, md, NULL) != 1 || len != 32)
        vg_panic("OpenSSL: SHA-256 failed");
}

void vg_hmac_sha256(const void *key, size_t klen, const void *data, size_t n, uint8_t out[32])
{
    unsigned int len = 0;
    /* A NULL key means "reuse the previous key" to parts of OpenSSL's HMAC
     * API; always pass a real pointer. */
    if (klen > INT32_MAX)
        vg_panic("HMAC key too long (%zu bytes)", klen);
    const void *k = klen ? key : "";
    const unsigned char *d = n ? data : (const void *)"";
    if (!HMAC(EVP_sha256(), k, (int)klen, d, n, out, &len) || len != 32)
        vg_panic("OpenSSL: HMAC-SHA-256 failed");
}

/* ---- hex, UUIDv5 ------------------------------------------------------------------ */

void vg_hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* RFC 4122 4.3: SHA-1 over namespace || name, truncated to 16 bytes, then
 * the version (5) in the top nibble of byte 6 and the variant (10xx) in the
 * top bits of byte 8. Printed 8-4-4-4-12 in lower case. */
void vg_uuid5(const uint8_t ns[16], const void *name, size_t n, char out[37])
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, ns, 16) != 1 || (n && EVP_DigestUpdate(ctx, name, n) != 1) ||
        EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 20)
        vg_panic("OpenSSL: SHA-1 failed");
    EVP_MD_CTX_free(ctx);
    md[6] = (uint8_t)((md[6] & 0x0F) | 0x50);
    md[8] = (uint8_t)((md[8] & 0x3F) | 0x80);
    char hex[33];
    vg_hex(md, 16, hex);
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = '\0';
}
