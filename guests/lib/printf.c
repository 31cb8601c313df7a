/* printf to COM1, built on the formatting core in format.c. */
#include "guest/printf.h"
#include "guest/serial.h"

static void emit_serial(char c, void *ctx) {
    (void)ctx;
    guest_serial_putc(c);
}

int guest_vprintf(const char *fmt, va_list ap) {
    return guest_vformat(emit_serial, NULL, fmt, ap);
}

int guest_printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = guest_vprintf(fmt, ap);
    va_end(ap);
    return n;
}
