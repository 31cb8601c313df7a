/*
 * Boot loaders: put a hypervisor image (and its modules) into guest-physical
 * memory and the CPU into the image's entry state.  Two protocols:
 *
 *   - Multiboot v1 (Multiboot Specification 0.6.96): selected by a valid
 *     multiboot header in the first 8192 bytes, whatever the ELF class.
 *   - vmxsim direct boot (include/vmxsim/boot_info.h): an ELF64 x86-64
 *     executable without a multiboot header.
 *
 * docs/boot.md describes both protocols: memory layout, register state and
 * the errors.  A guest image is hostile input: every failure is a return
 * value with a one-line message, never a crash.
 */
#ifndef VMXSIM_BOOT_BOOT_H
#define VMXSIM_BOOT_BOOT_H

#include "sim/cpu/cpu.h"
#include "sim/mem/memory.h"
#include "sim/sim.h"
#include "vmxsim/boot_info.h"

typedef struct BootModule {
    const char *path;
    const char *args; /* the ARGS of --module FILE[,ARGS], or NULL */
} BootModule;

typedef struct BootConfig {
    const char *image_path;
    const char *append; /* --append text or NULL */
    BootModule modules[VMXSIM_BOOT_MAX_MODULES];
    unsigned module_count;
} BootConfig;

typedef enum BootProtocol { BOOT_DIRECT64, BOOT_MULTIBOOT } BootProtocol;

/* Loads the image (and modules) into mem and puts cpu in the image's entry
 * state.  On failure returns false and writes ONE line (no trailing newline)
 * to err naming the file, the offset/segment/field and the reason; mem may
 * then hold part of the image, cpu and *proto are unchanged. */
bool boot_load(const BootConfig *cfg, Memory *mem, CpuState *cpu, BootProtocol *proto, char *err,
               size_t errlen) SIM_MUST_CHECK;

#endif
