/* The smallest direct-boot guest: check the boot info, greet, report it. */
#include "guest/guest.h"

#define MIB (1024u * 1024u)

int guest_main(const VmxsimBootInfo *info) {
    if (info->magic != VMXSIM_BOOT_MAGIC || info->version != VMXSIM_BOOT_VERSION) {
        guest_printf("bad boot info: magic 0x%x version %u\n", info->magic, info->version);
        return 1;
    }
    const char *cmdline = info->cmdline ? (const char *)(uintptr_t)info->cmdline : "";
    guest_printf("hello from vmxsim\n");
    guest_printf("mem: %llu MiB cmdline: %s\n", (unsigned long long)(info->mem_size / MIB),
                 cmdline);
    return 0;
}
