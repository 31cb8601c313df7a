/* One-line error messages of the boot loaders. */
#ifndef VMXSIM_BOOT_BOOT_ERROR_H
#define VMXSIM_BOOT_BOOT_ERROR_H

#include <inttypes.h>
#include <stdarg.h>

#include "sim/sim.h"

/* Formats the message into err (when errlen > 0), turns any line break into a
 * space so the message stays one line, and returns false. */
bool boot_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends to the message already in err; returns false. */
bool boot_fail_append(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Shorthand for printing addresses and sizes. */
#define BOOT_X "0x%" PRIx64

#endif
