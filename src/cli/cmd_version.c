/* cmd_version.c — `vigil version`: vigil's version and those of the linked
 * libraries, read from the libraries at run time (not from headers). */
#include <archive.h>
#include <curl/curl.h>
#include <hs/hs.h>
#include <idn2.h>
#include <jansson.h>
#include <libpsl.h>
#include <libxml/parser.h>
#include <magic.h>
#include <microhttpd.h>
#include <nats/nats.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unicode/uversion.h>
#include <xxhash.h>
#include <yaml.h>

#include "cli/cli.h"
#include "vigil/mail.h"

const char vg_usage_version[] =
    "usage: vigil version\n\n"
    "Prints vigil's version and the run-time versions of the libraries it links.\n";

int vg_cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return vg_cli_usage_error(vg_cli_find("version"), "takes no arguments");
    char icu[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo uv;
    u_getVersion(uv);
    u_versionToString(uv, icu);
    unsigned xx = XXH_versionNumber();
    int magic = magic_version();

    printf("vigil %s\n", VIGIL_VERSION);
    printf("  %-14s %s\n", "GMime", vg_mail_gmime_version());
    printf("  %-14s %s\n", "GLib", vg_mail_glib_version());
    printf("  %-14s %s\n", "ICU", icu);
    printf("  %-14s %s\n", "libidn2", idn2_check_version(NULL));
    printf("  %-14s %s\n", "libpsl", psl_get_version());
    printf("  %-14s %s\n", "vectorscan", hs_version());
    printf("  %-14s %s\n", "libyaml", yaml_get_version_string());
    printf("  %-14s %s\n", "jansson", jansson_version_str());
    printf("  %-14s %s\n", "SQLite", sqlite3_libversion());
    printf("  %-14s %s\n", "libcurl", curl_version_info(CURLVERSION_NOW)->version);
    printf("  %-14s %s\n", "libmicrohttpd", MHD_get_version());
    printf("  %-14s %s\n", "libnats", nats_GetVersion());
    printf("  %-14s %d.%02d\n", "libmagic", magic / 100, magic % 100);
    printf("  %-14s %u.%u.%u\n", "xxHash", xx / 10000, (xx / 100) % 100, xx % 100);
    printf("  %-14s %s\n", "OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING));
    printf("  %-14s %s\n", "libxml2", xmlParserVersion);
    printf("  %-14s %s\n", "libarchive", archive_version_string());
    return VG_EXIT_OK;
}
