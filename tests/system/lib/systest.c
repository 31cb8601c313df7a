/* Numbered checks with a deliberate-failure switch (see systest.h). */
#include "systest.h"

#include <stdarg.h>

#include "guest/guest.h"

static unsigned checks, failures, break_at;
static bool break_all;

void systest_init(void) {
    static const char key[] = "systest.break=";
    const VmxsimBootInfo *info = guest_boot_info;
    const char *s = info && info->cmdline ? (const char *)(uintptr_t)info->cmdline : "";
    for (; *s; s++) {
        unsigned i = 0;
        while (key[i] && s[i] == key[i])
            i++;
        if (key[i]) continue;
        s += i;
        break_all = s[0] == 'a' && s[1] == 'l' && s[2] == 'l';
        for (; *s >= '0' && *s <= '9'; s++)
            break_at = break_at * 10 + (unsigned)(*s - '0');
        return;
    }
}

static bool report(bool pass, uint64_t got, uint64_t want, bool values, const char *fmt,
                   va_list ap) {
    char desc[160];
    unsigned n = ++checks;
    if (n == break_at || break_all)
        pass = !pass; /* deliberate failure: the check must be able to fail */
    guest_vsnprintf(desc, sizeof(desc), fmt, ap);
    if (pass) {
        guest_printf("ok %u - %s\n", n, desc);
        return true;
    }
    failures++;
    if (values)
        guest_printf("FAIL %u - %s: got 0x%llx, expected 0x%llx\n", n, desc,
                     (unsigned long long)got, (unsigned long long)want);
    else
        guest_printf("FAIL %u - %s\n", n, desc);
    return false;
}

bool systest_eq(uint64_t got, uint64_t want, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    bool r = report(got == want, got, want, true, fmt, ap);
    va_end(ap);
    return r;
}

bool systest_true(bool cond, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    bool r = report(cond, 0, 0, false, fmt, ap);
    va_end(ap);
    return r;
}

void systest_note(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    guest_printf("# ");
    guest_vprintf(fmt, ap);
    guest_printf("\n");
    va_end(ap);
}

unsigned systest_failures(void) {
    return failures;
}

int systest_finish(void) {
    guest_printf("%u checks, %u failed\n", checks, failures);
    return failures ? 2 : 0;
}
