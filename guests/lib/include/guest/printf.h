/* Formatted output for guests.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%; length modifiers l, ll, z;
 * flags '-' (left-justify) and '0' (zero-pad); field width (digits or '*');
 * precision ('.' digits or '*': minimum digits for integers, maximum bytes for
 * %s).  %p prints 0x followed by lower-case hex.  Unknown conversions are
 * printed as written.  No floating point.
 */
#ifndef GUEST_PRINTF_H
#define GUEST_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

#define GUEST_PRINTF_FMT(f, a) __attribute__((format(printf, f, a)))

/* Called once per output byte. */
typedef void (*GuestEmitFn)(char c, void *ctx);

/* The formatting core (format.c, no dependencies: also builds on the host). */
int guest_vformat(GuestEmitFn emit, void *ctx, const char *fmt, va_list ap);
/* As C11 vsnprintf: writes at most size bytes including the NUL, returns the
 * length the whole output would have. */
int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int guest_snprintf(char *buf, size_t size, const char *fmt, ...) GUEST_PRINTF_FMT(3, 4);

/* To COM1 (printf.c).  Return the number of bytes written. */
int guest_vprintf(const char *fmt, va_list ap);
int guest_printf(const char *fmt, ...) GUEST_PRINTF_FMT(1, 2);

#endif
