#include "guest/exit.h"
#include "guest/asm.h"
#include "guest/io.h"
#include "vmxsim/boot_info.h"

_Static_assert(GUEST_ASM_DEBUG_EXIT_PORT == VMXSIM_DEBUG_EXIT_PORT, "guest/asm.h is stale");

_Noreturn void guest_exit(uint32_t code) {
    outl(VMXSIM_DEBUG_EXIT_PORT, code);
    for (;;) {
        cli();
        hlt();
    }
}
