/* The printf formatting core.  Depends on nothing but the compiler's
 * <stdarg.h>/<stddef.h>/<stdint.h>, so host unit tests can build it and
 * compare it with the C library's snprintf. */
#include "guest/printf.h"

#include <stdint.h>

_Static_assert(sizeof(long) == sizeof(size_t), "%zd reads a long");

typedef struct FormatSpec {
    int left;  /* '-' */
    int zero;  /* '0' */
    int width; /* 0 when absent */
    int prec;  /* -1 when absent */
    char len;  /* 0, 'l', 'L' (ll) or 'z' */
    char conv;
} FormatSpec;

typedef struct FormatOut {
    GuestEmitFn emit;
    void *ctx;
    int count;
} FormatOut;

static void out_char(FormatOut *o, char c) {
    o->emit(c, o->ctx);
    o->count++;
}

static void out_repeat(FormatOut *o, char c, int n) {
    for (; n > 0; n--)
        out_char(o, c);
}

static void out_bytes(FormatOut *o, const char *s, int n) {
    for (int i = 0; i < n; i++)
        out_char(o, s[i]);
}

static int parse_int(const char **p) {
    int v = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++)
        v = v * 10 + (**p - '0');
    return v;
}

static void parse_flags(const char **p, FormatSpec *s) {
    for (;; (*p)++) {
        if (**p == '-')
            s->left = 1;
        else if (**p == '0')
            s->zero = 1;
        else
            return;
    }
}

static void parse_width(const char **p, FormatSpec *s, va_list *ap) {
    if (**p != '*') {
        s->width = parse_int(p);
        return;
    }
    (*p)++;
    int w = va_arg(*ap, int);
    if (w < 0) {
        s->left = 1;
        w = -w;
    }
    s->width = w;
}

static void parse_precision(const char **p, FormatSpec *s, va_list *ap) {
    if (**p != '.') return;
    (*p)++;
    if (**p == '*') {
        (*p)++;
        int v = va_arg(*ap, int);
        s->prec = v < 0 ? -1 : v;
    } else {
        s->prec = parse_int(p);
    }
}

static void parse_length(const char **p, FormatSpec *s) {
    if (**p == 'z') {
        s->len = 'z';
        (*p)++;
    } else if (**p == 'l') {
        (*p)++;
        s->len = 'l';
        if (**p == 'l') {
            s->len = 'L';
            (*p)++;
        }
    }
}

/* p points just after '%'; returns the position after the conversion character. */
static const char *parse_spec(const char *p, FormatSpec *s, va_list *ap) {
    *s = (FormatSpec){.prec = -1};
    parse_flags(&p, s);
    parse_width(&p, s, ap);
    parse_precision(&p, s, ap);
    parse_length(&p, s);
    s->conv = *p;
    return *p ? p + 1 : p;
}

/* Digits of v in base 10 or 16, least significant first; returns the count. */
static int to_digits(char *buf, uint64_t v, unsigned base, int upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v);
    return n;
}

typedef struct FormatNumber {
    uint64_t mag;
    unsigned base;
    int upper;
    const char *prefix; /* "-", "0x" or "" */
} FormatNumber;

static void out_number(FormatOut *o, const FormatSpec *s, const FormatNumber *num) {
    char digits[24];
    int ndigits =
        (s->prec == 0 && num->mag == 0) ? 0 : to_digits(digits, num->mag, num->base, num->upper);
    int nprefix = 0;
    while (num->prefix[nprefix])
        nprefix++;
    int zeros = s->prec > ndigits ? s->prec - ndigits : 0;
    int total = nprefix + zeros + ndigits;
    if (s->zero && !s->left && s->prec < 0 && s->width > total) {
        zeros += s->width - total;
        total = s->width;
    }
    int pad = s->width > total ? s->width - total : 0;
    if (!s->left) out_repeat(o, ' ', pad);
    out_bytes(o, num->prefix, nprefix);
    out_repeat(o, '0', zeros);
    while (ndigits > 0)
        out_char(o, digits[--ndigits]);
    if (s->left) out_repeat(o, ' ', pad);
}

static int64_t arg_signed(const FormatSpec *s, va_list *ap) {
    switch (s->len) {
    case 'l':
    case 'z':
        return va_arg(*ap, long);
    case 'L':
        return va_arg(*ap, long long);
    default:
        return va_arg(*ap, int);
    }
}

static uint64_t arg_unsigned(const FormatSpec *s, va_list *ap) {
    switch (s->len) {
    case 'l':
        return va_arg(*ap, unsigned long);
    case 'z':
        return va_arg(*ap, size_t);
    case 'L':
        return va_arg(*ap, unsigned long long);
    default:
        return va_arg(*ap, unsigned int);
    }
}

static void out_signed(FormatOut *o, const FormatSpec *s, va_list *ap) {
    int64_t v = arg_signed(s, ap);
    FormatNumber num = {.mag = (uint64_t)v, .base = 10, .prefix = ""};
    if (v < 0) {
        num.mag = 0 - num.mag;
        num.prefix = "-";
    }
    out_number(o, s, &num);
}

static void out_unsigned(FormatOut *o, const FormatSpec *s, va_list *ap) {
    FormatNumber num = {.mag = arg_unsigned(s, ap), .base = 10, .prefix = ""};
    if (s->conv == 'x' || s->conv == 'X') num.base = 16;
    num.upper = s->conv == 'X';
    out_number(o, s, &num);
}

static void out_pointer(FormatOut *o, const FormatSpec *s, va_list *ap) {
    FormatNumber num = {.mag = (uintptr_t)va_arg(*ap, void *), .base = 16, .prefix = "0x"};
    out_number(o, s, &num);
}

static void out_padded(FormatOut *o, const FormatSpec *s, const char *str, int n) {
    int pad = s->width > n ? s->width - n : 0;
    if (!s->left) out_repeat(o, ' ', pad);
    out_bytes(o, str, n);
    if (s->left) out_repeat(o, ' ', pad);
}

static void out_string(FormatOut *o, const FormatSpec *s, va_list *ap) {
    const char *str = va_arg(*ap, const char *);
    if (!str) str = "(null)";
    int n = 0;
    while (str[n] && (s->prec < 0 || n < s->prec))
        n++;
    out_padded(o, s, str, n);
}

static void out_conversion(FormatOut *o, const FormatSpec *s, va_list *ap, const char *spec,
                           const char *end) {
    char c;
    switch (s->conv) {
    case 'd':
    case 'i':
        out_signed(o, s, ap);
        break;
    case 'u':
    case 'x':
    case 'X':
        out_unsigned(o, s, ap);
        break;
    case 'p':
        out_pointer(o, s, ap);
        break;
    case 's':
        out_string(o, s, ap);
        break;
    case 'c':
        c = (char)va_arg(*ap, int);
        out_padded(o, s, &c, 1);
        break;
    case '%':
        out_char(o, '%');
        break;
    default: /* unknown: print the specification as written */
        out_bytes(o, spec, (int)(end - spec));
        break;
    }
}

int guest_vformat(GuestEmitFn emit, void *ctx, const char *fmt, va_list ap) {
    FormatOut o = {.emit = emit, .ctx = ctx};
    va_list args;
    va_copy(args, ap);
    while (*fmt) {
        if (*fmt != '%') {
            out_char(&o, *fmt++);
            continue;
        }
        const char *spec = fmt;
        FormatSpec s;
        fmt = parse_spec(fmt + 1, &s, &args);
        out_conversion(&o, &s, &args, spec, fmt);
    }
    va_end(args);
    return o.count;
}

typedef struct BufferOut {
    char *buf;
    size_t size;
    size_t pos;
} BufferOut;

static void emit_buffer(char c, void *ctx) {
    BufferOut *b = ctx;
    if (b->pos + 1 < b->size) b->buf[b->pos] = c;
    b->pos++;
}

int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
    BufferOut b = {.buf = buf, .size = size};
    int n = guest_vformat(emit_buffer, &b, fmt, ap);
    if (size > 0) buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int guest_snprintf(char *buf, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = guest_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
