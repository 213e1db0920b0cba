/* phish_hscache.c — a disk cache of compiled vectorscan databases.
 *
 * Compiling the lexicon literals with hs_compile_lit_multi() takes 40-65 ms
 * on the machines we measure on: most of `vigil mail`'s start-up, longer
 * than analysing a few hundred messages. rspamd keeps a hyperscan cache for
 * the same reason. A compiled database is serialized once and loaded
 * (hs_deserialize_database, about a millisecond) by later runs.
 *
 * The file name is a SHA-256 of the caller's key (a digest of the patterns,
 * their flags and ids), the vectorscan version and the platform vectorscan
 * compiles for (CPU features and tuning), so that a change to any of them
 * gives a new file. Directory: $VIGIL_CACHE_DIR, else $XDG_CACHE_HOME/vigil,
 * else $HOME/.cache/vigil; VIGIL_CACHE_DIR=off turns the cache off. Nothing
 * here can fail the caller: a missing, unreadable or corrupt file only costs
 * the compile, after which the file is written again (atomically: a
 * temporary file renamed over it, so concurrent runs never read half a file).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs/hs.h>

#include "phish_internal.h"

#define MAX_DB_BYTES (256u << 20)

/* Cache file path for key, or false when the cache is off or has no home. */
static bool cache_path(const uint8_t key[32], char *dir, size_t dcap, char *path, size_t pcap)
{
    const char *env = getenv("VIGIL_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (env && *env) {
        if (strcmp(env, "off") == 0)
            return false;
        n = snprintf(dir, dcap, "%s", env);
    } else if (xdg && *xdg) {
        n = snprintf(dir, dcap, "%s/vigil", xdg);
    } else if (home && *home) {
        n = snprintf(dir, dcap, "%s/.cache/vigil", home);
    } else {
        return false;
    }
    if (n < 0 || (size_t)n >= dcap)
        return false;
    hs_platform_info_t plat;
    memset(&plat, 0, sizeof plat);
    hs_populate_platform(&plat);
    const char *ver = hs_version();
    vg_sha256 h;
    vg_sha256_init(&h);
    vg_sha256_update(&h, key, 32);
    vg_sha256_update(&h, ver, strlen(ver) + 1);
    vg_sha256_update(&h, &plat.tune, sizeof plat.tune);
    vg_sha256_update(&h, &plat.cpu_features, sizeof plat.cpu_features);
    uint8_t d[32];
    vg_sha256_final(&h, d);
    char hex[65];
    vg_hex(d, 16, hex);
    n = snprintf(path, pcap, "%s/lexicon-%s.hsdb", dir, hex);
    return n > 0 && (size_t)n < pcap;
}

/* The file is mapped, not read: hs_deserialize_database() copies it into
 * its own aligned allocation anyway. */
hs_database_t *ph_hs_cache_get(const uint8_t key[32])
{
    char dir[4096], path[4200];
    if (!cache_path(key, dir, sizeof dir, path, sizeof path))
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL; /* not there yet */
    struct stat st;
    void *map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size <= MAX_DB_BYTES)
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    hs_database_t *db = NULL;
    if (hs_deserialize_database(map, (size_t)st.st_size, &db) != HS_SUCCESS) {
        vg_debug("detect: %s does not load as a vectorscan database; compiling", path);
        db = NULL;
    }
    munmap(map, (size_t)st.st_size);
    return db;
}

void ph_hs_cache_put(const uint8_t key[32], const hs_database_t *db)
{
    char dir[4096], path[4200];
    if (!db || !cache_path(key, dir, sizeof dir, path, sizeof path))
        return;
    char *bytes = NULL;
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
        return;
    vg_error e;
    vg_error_clear(&e);
    if (vg_mkdir_p(dir, &e) != VG_OK || vg_file_write(path, bytes, len, &e) != VG_OK)
        vg_debug("detect: vectorscan cache not written: %s", e.msg);
    free(bytes);
}
