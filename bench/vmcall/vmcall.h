/* bench/vmcall: what the host (vmcall.c) and the guest (guest.S) share. */
#ifndef BENCH_VMCALL_H
#define BENCH_VMCALL_H

#define VMCALL_GUEST_DONE 0xd0e /* RAX at the guest's last VMCALL */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Loops RCX times over VMCALL. */
void vmcall_guest(void);
/* exit.S: launch the current VMCS and resume every VMCALL exit. */
uint64_t vmcall_run(uint64_t iterations);
#endif

#endif
