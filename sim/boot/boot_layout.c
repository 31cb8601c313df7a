/* Placement of modules and the boot area after the image. */
#include "sim/boot/boot_layout.h"

#include <stdio.h>

#include "sim/boot/guest_ram.h"

bool boot_layout_take(BootLayout *l, uint64_t size, uint64_t align, uint64_t *addr, char *why,
                      size_t whylen) {
    uint64_t at = l->next;
    if (at > UINT64_MAX - (align - 1)) {
        snprintf(why, whylen, "wraps around the top of the 64-bit address space");
        return false;
    }
    at = (at + align - 1) & ~(align - 1);
    if (at < BOOT_HOLE_END && (size > BOOT_HOLE_START || at > BOOT_HOLE_START - size))
        at = BOOT_HOLE_END;
    if (!boot_ram_check(l->mem, at, size, l->limit, why, whylen)) return false;
    l->next = at + size;
    *addr = at;
    return true;
}
