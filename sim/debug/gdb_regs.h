/*
 * The registers the GDB stub offers, in the order of its target
 * description (GDB manual, "Standard Target Features": the i386 core, SSE
 * and segments features for i386:x86-64), plus a vmxsim feature with the
 * system registers: control registers, IA32_EFER, segment bases, the
 * descriptor tables, LDTR and TR.  The 'g' packet is every register in this
 * order, little-endian.
 */
#ifndef VMXSIM_DEBUG_GDB_REGS_H
#define VMXSIM_DEBUG_GDB_REGS_H

#include <stddef.h>

#include "sim/cpu/cpu.h"

#define GDB_REG_MAX_BYTES 16

/* How many registers there are. */
unsigned gdb_reg_count(void);
/* Register n's bytes (little-endian); its size, 0 for no such register. */
unsigned gdb_reg_read(const CpuState *cpu, unsigned n, uint8_t *out);
/* Write register n from its bytes; false when not writable here. */
bool gdb_reg_write(CpuState *cpu, unsigned n, const uint8_t *in, size_t len);
/* The target description XML (qXfer:features:read:target.xml) into buf;
 * its length (GDB_TARGET_XML_MAX is enough). */
#define GDB_TARGET_XML_MAX 8192
size_t gdb_target_xml(char *buf, size_t len);

#endif
