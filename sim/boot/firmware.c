/*
 * Firmware boot: a raw ROM image mapped below 4 GiB and at 0xE0000, then a
 * RESET start (SDM Vol. 3A 9.1.1, 9.1.4).  See firmware.h and docs/boot.md.
 */
#include "sim/boot/firmware.h"

#include <string.h>

#include "sim/boot/boot_error.h"
#include "sim/boot/image_file.h"

/* Little-endian read of `size` bytes at offset; the region bounds the access. */
static uint64_t rom_read(void *opaque, uint64_t offset, unsigned size) {
    const FirmwareWindow *w = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && offset + i < w->size; i++)
        v |= (uint64_t)w->bytes[offset + i] << (8 * i);
    return v;
}

/* A flash part outside programming mode ignores writes. */
static void rom_write(void *opaque, uint64_t offset, unsigned size, uint64_t value) {}

static const MmioOps rom_ops = {rom_read, rom_write};

static bool map_window(Memory *mem, uint64_t base, FirmwareWindow *w, const char *path,
                       const char *where, char *err, size_t errlen) {
    if (mem_add_mmio(mem, base, w->size, &rom_ops, w)) return true;
    return boot_fail(err, errlen,
                     "%s: firmware: cannot map the %s window [" BOOT_X ", " BOOT_X
                     "): it overlaps another device or the device table is full",
                     path, where, base, base + w->size);
}

bool boot_firmware_map(BootFirmware *fw, const char *path, Memory *mem, char *err, size_t errlen) {
    ImageFile f;
    memset(fw, 0, sizeof(*fw));
    if (err && errlen) err[0] = '\0';
    if (!boot_file_read(&f, path, BOOT_FIRMWARE_MAX_SIZE, "firmware", err, errlen)) return false;
    uint64_t low = f.size < BOOT_FIRMWARE_LOW_ALIAS_SIZE ? f.size : BOOT_FIRMWARE_LOW_ALIAS_SIZE;
    fw->rom = f.data;
    fw->size = f.size;
    fw->high = (FirmwareWindow){fw->rom, fw->size};
    fw->low = (FirmwareWindow){fw->rom + fw->size - low, low};
    if (!map_window(mem, BOOT_FIRMWARE_TOP - fw->size, &fw->high, f.path, "below-4-GiB", err,
                    errlen) ||
        !map_window(mem, BOOT_FIRMWARE_LOW_ALIAS_END - low, &fw->low, f.path, "legacy 0xE0000", err,
                    errlen))
        return false; /* fw keeps the bytes: a window may already point at them */
    return true;
}

/* SDM 9.1.1 "Processor State After Reset" (Table 9-1): real-address mode,
 * CS.selector 0xF000, CS.base 0xFFFF0000, EIP 0xFFF0; SDM 9.1.4: the first
 * instruction is fetched from 0xFFFFFFF0. */
void boot_firmware_start(CpuState *cpu) {
    cpu_reset(cpu);
}

void boot_firmware_free(BootFirmware *fw) {
    ImageFile f = {NULL, fw->rom, (size_t)fw->size};
    boot_file_free(&f);
    memset(fw, 0, sizeof(*fw));
}
