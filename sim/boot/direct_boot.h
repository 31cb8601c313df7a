/* The vmxsim direct-boot protocol (include/vmxsim/boot_info.h, docs/boot.md). */
#ifndef VMXSIM_BOOT_DIRECT_BOOT_H
#define VMXSIM_BOOT_DIRECT_BOOT_H

#include "sim/boot/boot.h"
#include "sim/boot/image_file.h"

#define DIRECT_STACK_SIZE (UINT64_C(64) * 1024)
#define DIRECT_GDT_BYTES 40u /* null, code, data, 16-byte TSS descriptor */

/* Boots f (which has no multiboot header) as an ELF64 x86-64 executable. */
bool boot_direct(const BootConfig *cfg, const ImageFile *f, Memory *mem, CpuState *cpu, char *err,
                 size_t errlen) SIM_MUST_CHECK;

#endif
