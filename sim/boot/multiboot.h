/* Multiboot v1 boot (Multiboot Specification 0.6.96, 3.2 "Machine state"). */
#ifndef VMXSIM_BOOT_MULTIBOOT_H
#define VMXSIM_BOOT_MULTIBOOT_H

#include "sim/boot/boot.h"
#include "sim/boot/image_file.h"
#include "sim/boot/multiboot_header.h"

#define MB_GDT_BYTES 24u /* null, 0x08 flat 32-bit code, 0x10 flat data */

/* Boots f, whose multiboot header is h. */
bool boot_multiboot(const BootConfig *cfg, const ImageFile *f, const MultibootHeader *h,
                    Memory *mem, CpuState *cpu, char *err, size_t errlen) SIM_MUST_CHECK;

#endif
