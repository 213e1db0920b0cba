/* fuzz_mail_source.c — libFuzzer target for reading a file of mail: sniffing
 * a single message or an mbox, splitting an mbox at its envelope lines,
 * mboxrd unquoting, message-size limits, and the names of the messages
 * (PATH, PATH#N). The input is a file (a memfd, read through /proc). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vigil/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vg_mail_reader *r;
    static int fd = -1;
    static char path[64];
    if (!r) {
        vg_mail_limits lim;
        vg_mail_limits_default(&lim);
        lim.max_message_bytes = 4096; /* some messages over the limit */
        r = vg_mail_reader_new(&lim);
        fd = memfd_create("fuzz_mail_source", 0);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    for (int in_dir = 0; in_dir < 2; in_dir++) {
        vg_mail_file f = {.path = path, .size = size, .in_dir = in_dir};
        vg_error e;
        if (vg_mail_reader_open(r, &f, &e) != VG_OK)
            continue;
        vg_mail_item it;
        vg_err rc;
        int64_t expect = 1;
        size_t total = 0;
        while ((rc = vg_mail_reader_next(r, &it, &e)) != VG_ENOTFOUND) {
            /* messages come in order, each named after the file */
            if (it.index != expect++ || strncmp(it.name, path, strlen(path)) != 0)
                abort();
            if (rc != VG_OK)
                continue;
            /* a message lies inside the file (unquoting only shortens it) */
            if (it.offset < 0 || (uint64_t)it.offset + it.len > size || !it.data)
                abort();
            total += it.len;
        }
        if (total > size)
            abort();
    }
    return 0;
}
