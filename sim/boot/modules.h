/* Boot modules (--module FILE[,ARGS]): loaded page-aligned after the image,
 * in command-line order, for both protocols. */
#ifndef VMXSIM_BOOT_MODULES_H
#define VMXSIM_BOOT_MODULES_H

#include "sim/boot/boot.h"
#include "sim/boot/boot_layout.h"

typedef struct LoadedModule {
    uint64_t start; /* page-aligned */
    uint64_t end;   /* one past the last byte */
} LoadedModule;

/* Loads cfg->modules[0 .. module_count) at the next page-aligned free
 * addresses of l (module_count <= VMXSIM_BOOT_MAX_MODULES, checked by the
 * caller).  Module files must be non-empty. */
bool boot_modules_load(const BootConfig *cfg, BootLayout *l, LoadedModule *out, char *err,
                       size_t errlen) SIM_MUST_CHECK;

#endif
