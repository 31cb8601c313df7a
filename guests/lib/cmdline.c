#include "guest/cmdline.h"

#include "guest/guest.h"

static const char *cmdline(void) {
    const VmxsimBootInfo *info = guest_boot_info;
    return info && info->cmdline ? (const char *)(uintptr_t)info->cmdline : "";
}

/* Returns the text after "KEY=" when the word starting at w is KEY=..., else NULL. */
static const char *match_key(const char *w, const char *key) {
    while (*key && *w == *key) {
        w++;
        key++;
    }
    return *key == 0 && *w == '=' ? w + 1 : 0;
}

static bool parse_uint(const char *s, uint64_t *value) {
    uint64_t v = 0;
    const char *start = s;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    if (s == start || (*s && *s != ' ')) return false;
    *value = v;
    return true;
}

bool guest_cmdline_uint(const char *key, uint64_t *value) {
    for (const char *w = cmdline(); *w; w++) {
        if (w != cmdline() && w[-1] != ' ') continue;
        const char *v = match_key(w, key);
        if (v) return parse_uint(v, value);
    }
    return false;
}
