/* The decoders' text buffer (dbg_text.h). */
#include "sim/debug/dbg_text.h"

#include <stdarg.h>
#include <stdio.h>

void dbg_text_add(DbgText *t, const char *fmt, ...) {
    if (t->used + 1 >= t->len) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
    va_end(ap);
    if (n > 0) t->used = t->used + (size_t)n < t->len ? t->used + (size_t)n : t->len - 1;
}

void dbg_text_bits(DbgText *t, uint64_t v, const char *const names[64]) {
    const char *sep = "";
    for (unsigned b = 0; b < 64; b++) {
        if (!((v >> b) & 1)) continue;
        if (names[b])
            dbg_text_add(t, "%s%s", sep, names[b]);
        else
            dbg_text_add(t, "%sbit %u", sep, b);
        sep = ", ";
    }
}
