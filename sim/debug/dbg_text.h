/* A bounded text buffer the decoders append to (truncates, never overflows). */
#ifndef VMXSIM_DEBUG_DBG_TEXT_H
#define VMXSIM_DEBUG_DBG_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct DbgText {
    char *buf;
    size_t len, used;
} DbgText;

static inline DbgText dbg_text(char *buf, size_t len) {
    if (len) buf[0] = '\0';
    return (DbgText){buf, len, 0};
}

void dbg_text_add(DbgText *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The names of the set bits of v, ", "-separated; unnamed set bits as
 * "bit N".  names[] has 64 entries (NULL for unnamed). */
void dbg_text_bits(DbgText *t, uint64_t v, const char *const names[64]);

#endif
