/* Boot modules, loaded page-aligned after the image. */
#include "sim/boot/modules.h"

#include <stdio.h>

#include "sim/boot/boot_error.h"
#include "sim/boot/guest_ram.h"
#include "sim/boot/image_file.h"

static bool load_one(const BootModule *m, unsigned index, BootLayout *l, LoadedModule *out,
                     char *err, size_t errlen) {
    char what[32], why[128];
    snprintf(what, sizeof(what), "module %u", index);
    ImageFile f;
    if (!boot_file_read(&f, m->path, BOOT_IMAGE_MAX_SIZE, what, err, errlen)) return false;
    uint64_t at = 0;
    bool ok = boot_layout_take(l, f.size, PAGE_SIZE, &at, why, sizeof(why));
    if (ok) {
        boot_ram_copy(l->mem, at, f.data, f.size);
        *out = (LoadedModule){.start = at, .end = at + f.size};
    } else {
        boot_fail(err, errlen, "%s: %s (" BOOT_X " bytes, placed after " BOOT_X ") %s", f.path,
                  what, (uint64_t)f.size, l->next, why);
    }
    boot_file_free(&f);
    return ok;
}

bool boot_modules_load(const BootConfig *cfg, BootLayout *l, LoadedModule *out, char *err,
                       size_t errlen) {
    for (unsigned i = 0; i < cfg->module_count; i++) {
        if (!load_one(&cfg->modules[i], i, l, &out[i], err, errlen)) return false;
    }
    return true;
}
