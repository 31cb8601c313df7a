/* vmx-toolkit: what vmx_toolkit.c and its guest code (vmx_toolkit_guest.S) share. */
#ifndef VMX_TOOLKIT_H
#define VMX_TOOLKIT_H

#define TK_PORT 0x80       /* the 32-bit guest's OUT imm8 (I/O bitmap bit set) */
#define TK_DONE32 0x3232   /* RAX at the 32-bit guest's VMCALL */
#define TK_MODE_BYTE_INC 1 /* EBX at that VMCALL: 0x40 was INC EAX (32-bit code) */

#ifndef __ASSEMBLER__
/* vmx_toolkit_guest.S: 32-bit protected-mode code (tk_guest32) and 64-bit
 * code (tk_guest64: HLT). */
extern const char tk_guest32[], tk_guest64[];
#endif

#endif
