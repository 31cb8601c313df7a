/*
 * boot_load: reads the image and picks the protocol.  A valid Multiboot v1
 * header in the first 8192 bytes selects multiboot whatever the ELF class;
 * otherwise the image must be an ELF64 x86-64 executable for direct boot.
 */
#include "sim/boot/boot.h"

#include "sim/boot/boot_error.h"
#include "sim/boot/direct_boot.h"
#include "sim/boot/image_file.h"
#include "sim/boot/multiboot.h"
#include "sim/boot/multiboot_header.h"

static bool check_config(const BootConfig *cfg, char *err, size_t errlen) {
    if (!cfg || !cfg->image_path || !cfg->image_path[0])
        return boot_fail(err, errlen, "boot: no image file given");
    if (cfg->module_count > VMXSIM_BOOT_MAX_MODULES)
        return boot_fail(err, errlen, "%s: %u modules given, at most %u are supported",
                         cfg->image_path, cfg->module_count, VMXSIM_BOOT_MAX_MODULES);
    for (unsigned i = 0; i < cfg->module_count; i++) {
        if (!cfg->modules[i].path || !cfg->modules[i].path[0])
            return boot_fail(err, errlen, "%s: module %u: no file name given", cfg->image_path, i);
    }
    return true;
}

bool boot_load(const BootConfig *cfg, Memory *mem, CpuState *cpu, BootProtocol *proto, char *err,
               size_t errlen) {
    if (err && errlen) err[0] = '\0';
    if (!check_config(cfg, err, errlen)) return false;
    ImageFile f;
    if (!boot_file_read(&f, cfg->image_path, BOOT_IMAGE_MAX_SIZE, "image", err, errlen))
        return false;
    MultibootHeader h;
    bool multiboot = boot_mb_find_header(&f, &h);
    bool ok = multiboot ? boot_multiboot(cfg, &f, &h, mem, cpu, err, errlen)
                        : boot_direct(cfg, &f, mem, cpu, err, errlen);
    boot_file_free(&f);
    if (ok) *proto = multiboot ? BOOT_MULTIBOOT : BOOT_DIRECT64;
    return ok;
}
