/* Writing the boot image into guest RAM: range checks, copies, zero fill. */
#include "sim/boot/guest_ram.h"

#include <stdio.h>

#include "sim/boot/boot_error.h"

bool boot_ram_check(const Memory *mem, uint64_t pa, uint64_t len, uint64_t limit, char *why,
                    size_t whylen) {
    const char *text = NULL;
    uint64_t value = 0;
    if (len > UINT64_MAX - pa)
        text = "wraps around the top of the 64-bit address space";
    else if (pa + len > mem->ram_size)
        text = "does not fit in --mem (RAM is " BOOT_X " bytes)", value = mem->ram_size;
    else if (pa + len > limit)
        text = "reaches above " BOOT_X ", beyond what the boot protocol can address", value = limit;
    else if (len > 0 && !mem_is_plain_ram(mem, pa, len))
        text = "overlaps a device (MMIO) region";
    if (!text) return true;
    if (why && whylen) snprintf(why, whylen, text, value);
    return false;
}

void boot_ram_copy(Memory *mem, uint64_t pa, const void *src, uint64_t len) {
    if (len > 0) (void)mem_phys_write_bytes(mem, pa, src, (size_t)len);
}

void boot_ram_zero(Memory *mem, uint64_t pa, uint64_t len) {
    static const uint8_t zeros[PAGE_SIZE];
    while (len > 0) {
        uint64_t n = len < PAGE_SIZE ? len : PAGE_SIZE;
        (void)mem_phys_write_bytes(mem, pa, zeros, (size_t)n);
        pa += n;
        len -= n;
    }
}

void boot_ram_write32(Memory *mem, uint64_t pa, uint32_t value) {
    (void)mem_phys_write(mem, pa, 4, value);
}

void boot_ram_write64(Memory *mem, uint64_t pa, uint64_t value) {
    (void)mem_phys_write(mem, pa, 8, value);
}
