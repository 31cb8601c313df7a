/* bench/vmcall: what the host (vmcall.c) and the guest (guest.S) share. */
#ifndef BENCH_VMCALL_H
#define BENCH_VMCALL_H

#define VMCALL_GUEST_DONE 0xd0e /* RAX at the guest's last VMCALL */

#ifndef __ASSEMBLER__
/* Loops RCX times over VMCALL. */
void vmcall_guest(void);
#endif

#endif
