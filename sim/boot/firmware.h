/*
 * Firmware boot: a raw ROM image (a BIOS or UEFI flash image, or a test
 * program written for the reset vector) started from the RESET state.
 *
 * The file, any size from 1 byte to 1 MiB, is mapped read-only so that its
 * last byte sits at physical 0xFFFFFFFF, as a PC's flash is decoded below
 * 4 GiB; its last 128 KiB (all of it when smaller) are also mapped read-only
 * at 0xE0000-0xFFFFF, the legacy BIOS window that PC chipsets alias to the
 * top of the flash.  Writes to either window are ignored, as writes to a
 * flash part that is not in programming mode.
 *
 * The CPU then starts in the power-on state of SDM Vol. 3A 9.1.1 "Processor
 * State After Reset": real-address mode, CS selector 0xF000 with base
 * 0xFFFF0000, IP 0xFFF0, so the first instruction is fetched from
 * 0xFFFFFFF0 (SDM 9.1.4 "First Instruction Executed").  docs/boot.md,
 * "Firmware boot".
 */
#ifndef VMXSIM_BOOT_FIRMWARE_H
#define VMXSIM_BOOT_FIRMWARE_H

#include "sim/cpu/cpu.h"
#include "sim/mem/memory.h"
#include "sim/sim.h"

#define BOOT_FIRMWARE_MAX_SIZE (UINT64_C(1) << 20)
#define BOOT_FIRMWARE_TOP (UINT64_C(1) << 32)              /* the ROM ends just below */
#define BOOT_FIRMWARE_LOW_ALIAS_END UINT64_C(0x100000)     /* legacy window 0xE0000-0xFFFFF */
#define BOOT_FIRMWARE_LOW_ALIAS_SIZE (UINT64_C(128) << 10) /* at most */

/* One read-only window onto the ROM bytes. */
typedef struct FirmwareWindow {
    const uint8_t *bytes;
    uint64_t size;
} FirmwareWindow;

/* The ROM contents and its two windows.  It must outlive the Memory it is
 * mapped into: the MMIO regions point at it. */
typedef struct BootFirmware {
    uint8_t *rom; /* owned */
    uint64_t size;
    FirmwareWindow high; /* [4 GiB - size, 4 GiB) */
    FirmwareWindow low;  /* [1 MiB - min(size, 128 KiB), 1 MiB) */
} BootFirmware;

/* Reads the file at path and maps it into mem (both windows).  On failure
 * returns false with one line in err (no trailing newline) naming the file
 * and the reason; one window may then be mapped already.  In every case call
 * boot_firmware_free once the Memory is destroyed. */
bool boot_firmware_map(BootFirmware *fw, const char *path, Memory *mem, char *err,
                       size_t errlen) SIM_MUST_CHECK;
/* Puts cpu in the RESET state (SDM 9.1.1), so it fetches from 0xFFFFFFF0. */
void boot_firmware_start(CpuState *cpu);
/* Frees the ROM bytes; call after the Memory it was mapped into is gone. */
void boot_firmware_free(BootFirmware *fw);

#endif
