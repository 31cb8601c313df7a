/* The smallest multiboot guest: print what the loader passed, then exit 0. */
#include "guest/exit.h"
#include "guest/multiboot.h"
#include "guest/printf.h"

int guest_mb_main(uint32_t mb_info) {
    const MultibootInfo *mbi = mb_phys(mb_info);
    guest_printf("hello from multiboot\n");
    const char *cmdline = "";
    if ((mbi->flags & MULTIBOOT_INFO_CMDLINE) && mbi->cmdline) cmdline = mb_phys(mbi->cmdline);
    guest_printf("cmdline: %s\n", cmdline);
    if (mbi->flags & MULTIBOOT_INFO_MEMORY)
        guest_printf("mem_lower=%u mem_upper=%u\n", mbi->mem_lower, mbi->mem_upper);
    guest_printf("mods: %u\n", (mbi->flags & MULTIBOOT_INFO_MODS) ? mbi->mods_count : 0u);
    guest_exit(0);
}
