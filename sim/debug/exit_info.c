/*
 * Exit qualifications (SDM 27.2.1 "Basic VM-Exit Information", Tables
 * "Exit Qualification for Debug Exceptions", "... for Task Switch", "...
 * for Control-Register Accesses", "... for MOV DR", "... for I/O
 * Instructions"; 26.8 for VM-entry failures) and the VM-exit
 * instruction-information field (SDM 27.2.5 "Information for VM Exits Due to
 * Instruction Execution", the formats for INS/OUTS, the descriptor-table
 * instructions, VMCLEAR/VMPTRLD/VMPTRST/VMXON, VMREAD/VMWRITE, INVEPT/
 * INVPCID/INVVPID).
 */
#include "sim/debug/vmcs_format.h"

#include <inttypes.h>

#include "sim/debug/dbg_names.h"
#include "sim/debug/dbg_text.h"
#include "sim/vmx/vmx_tables.h"

static const char *gpr(unsigned n) {
    return dbg_gpr_name[n & 15];
}

/* Table "Exit Qualification for Control-Register Accesses". */
static void cr_access(DbgText *t, uint64_t q) {
    static const char *const type[4] = {"MOV to CR", "MOV from CR", "CLTS", "LMSW"};
    unsigned access = (q >> 4) & 3;
    dbg_text_add(t, "%s, CR%u", type[access], (unsigned)(q & 15));
    if (access < 2) dbg_text_add(t, ", register %s", gpr((unsigned)(q >> 8)));
    if (access == 3)
        dbg_text_add(t, ", %s operand, source data 0x%04x", (q >> 6) & 1 ? "memory" : "register",
                     (unsigned)((q >> 16) & 0xffff));
}

/* Table "Exit Qualification for MOV DR". */
static void dr_access(DbgText *t, uint64_t q) {
    dbg_text_add(t, "%s DR%u, register %s", (q >> 4) & 1 ? "MOV from" : "MOV to", (unsigned)(q & 7),
                 gpr((unsigned)(q >> 8)));
}

/* Table "Exit Qualification for I/O Instructions". */
static void io_access(DbgText *t, uint64_t q) {
    dbg_text_add(t, "%s%s%s, %u byte%s, port 0x%04x (%s)", (q >> 3) & 1 ? "IN" : "OUT",
                 (q >> 4) & 1 ? " string" : "", (q >> 5) & 1 ? " REP" : "", (unsigned)(q & 7) + 1,
                 (q & 7) ? "s" : "", (unsigned)((q >> 16) & 0xffff),
                 (q >> 6) & 1 ? "immediate" : "DX");
}

/* Table "Exit Qualification for Task Switch". */
static void task_switch(DbgText *t, uint64_t q) {
    static const char *const source[4] = {"CALL", "IRET", "JMP", "task gate in IDT"};
    dbg_text_add(t, "TSS selector 0x%04x, initiated by %s", (unsigned)(q & 0xffff),
                 source[(q >> 30) & 3]);
}

/* SDM 26.8 "VM-Entry Failures During or After Loading Guest State". */
static void entry_failure(DbgText *t, unsigned reason, uint64_t q) {
    static const char *const guest[5] = {"default", "reserved", "PDPTE loading",
                                         "NMI injection with blocking by STI",
                                         "invalid VMCS link pointer"};
    if (reason == EXIT_REASON_ENTRY_FAILURE_MSR_LOADING)
        dbg_text_add(t, "VM-entry MSR-load entry %" PRIu64 " (1-based)", q);
    else
        dbg_text_add(t, "%s", q < 5 ? guest[q] : "undefined");
}

void dbg_exit_qualification(unsigned reason, uint64_t q, char *buf, size_t len) {
    DbgText t = dbg_text(buf, len);
    switch (reason) {
    case EXIT_REASON_CR_ACCESS:
        cr_access(&t, q);
        break;
    case EXIT_REASON_DR_ACCESS:
        dr_access(&t, q);
        break;
    case EXIT_REASON_IO_INSTRUCTION:
        io_access(&t, q);
        break;
    case EXIT_REASON_TASK_SWITCH:
        task_switch(&t, q);
        break;
    case EXIT_REASON_INVLPG:
        dbg_text_add(&t, "linear address 0x%" PRIx64, q);
        break;
    case EXIT_REASON_SIPI:
        dbg_text_add(&t, "SIPI vector 0x%02x", (unsigned)(q & 0xff));
        break;
    case EXIT_REASON_ENTRY_FAILURE_GUEST_STATE:
    case EXIT_REASON_ENTRY_FAILURE_MSR_LOADING:
        entry_failure(&t, reason, q);
        break;
    default:
        break;
    }
}

static const char *const seg_names[8] = {"ES", "CS", "SS", "DS", "FS", "GS", "?", "?"};

/* The memory-operand layout shared by the formats of SDM 27.2.5: scaling
 * 1:0, address size 9:7, segment 17:15, index 21:18 (invalid 22), base
 * 26:23 (invalid 27). */
static unsigned address_size(uint64_t v) {
    unsigned code = (unsigned)((v >> 7) & 7);
    return code < 3 ? 16u << code : 0;
}

static void memory_operand(DbgText *t, uint64_t v) {
    bool base = !((v >> 27) & 1), index = !((v >> 22) & 1);
    dbg_text_add(t, "memory operand %s:[", seg_names[(v >> 15) & 7]);
    if (base) dbg_text_add(t, "%s+", gpr((unsigned)(v >> 23)));
    if (index) dbg_text_add(t, "%s*%u+", gpr((unsigned)(v >> 18)), 1u << (v & 3));
    dbg_text_add(t, "displacement], address size %u", address_size(v));
}

/* Formats with Mem/Reg in bit 10 and Reg1 in 6:3 (VMREAD/VMWRITE, the
 * descriptor-table instructions) or without (VMCLEAR ...: always memory). */
static void operand(DbgText *t, uint64_t v, bool has_reg1) {
    if (has_reg1 && ((v >> 10) & 1))
        dbg_text_add(t, "register operand %s", gpr((unsigned)(v >> 3)));
    else
        memory_operand(t, v);
}

void dbg_exit_insn_info(unsigned reason, uint64_t q, uint64_t v, char *buf, size_t len) {
    DbgText t = dbg_text(buf, len);
    switch (reason) {
    case EXIT_REASON_VMREAD:
    case EXIT_REASON_VMWRITE:
        operand(&t, v, true);
        dbg_text_add(&t, ", Reg2 (field encoding) %s", gpr((unsigned)(v >> 28)));
        break;
    case EXIT_REASON_VMCLEAR:
    case EXIT_REASON_VMPTRLD:
    case EXIT_REASON_VMPTRST:
    case EXIT_REASON_VMXON:
    case EXIT_REASON_XSAVES:
    case EXIT_REASON_XRSTORS:
        operand(&t, v, false);
        break;
    case EXIT_REASON_INVEPT:
    case EXIT_REASON_INVVPID:
    case EXIT_REASON_INVPCID:
        operand(&t, v, false);
        dbg_text_add(&t, ", Reg2 (type) %s", gpr((unsigned)(v >> 28)));
        break;
    case EXIT_REASON_GDTR_IDTR_ACCESS:
    case EXIT_REASON_LDTR_TR_ACCESS: {
        static const char *const identity[2][4] = {{"SGDT", "SIDT", "LGDT", "LIDT"},
                                                   {"SLDT", "STR", "LLDT", "LTR"}};
        bool ldtr = reason == EXIT_REASON_LDTR_TR_ACCESS;
        dbg_text_add(&t, "%s, ", identity[ldtr][(v >> 28) & 3]);
        operand(&t, v, ldtr);
        break;
    }
    case EXIT_REASON_IO_INSTRUCTION:
        if ((q >> 4) & 1) /* INS/OUTS: address size 9:7, segment 17:15 */
            dbg_text_add(&t, "address size %u, segment %s", address_size(v),
                         seg_names[(v >> 15) & 7]);
        break;
    default:
        break;
    }
}
