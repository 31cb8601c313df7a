/* One-line error messages of the boot loaders. */
#include "sim/boot/boot_error.h"

#include <stdio.h>
#include <string.h>

static void keep_one_line(char *s) {
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r') *s = ' ';
    }
}

bool boot_fail(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    keep_one_line(err);
    return false;
}

bool boot_fail_append(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return false;
    size_t used = strnlen(err, errlen - 1);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, errlen - used, fmt, ap);
    va_end(ap);
    keep_one_line(err);
    return false;
}
