/* Translate Zydis output into the compact DecodedInsn, once per cache miss. */
#include "sim/cpu/decode.h"

#include <string.h>

#include "sim/cpu/fast_handlers.h"
#include "sim/cpu/handlers.h"
#include "sim/cpu/timing.h"

void cpu_decoders_init(Decoders *dec)
{
    static const struct {
        ZydisMachineMode mode;
        ZydisStackWidth stack;
    } cfg[MODE_COUNT] = {
        [MODE_REAL] = {ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16},
        [MODE_V86] = {ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16},
        [MODE_PROT16] = {ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16},
        [MODE_PROT32] = {ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32},
        [MODE_COMPAT16] = {ZYDIS_MACHINE_MODE_LONG_COMPAT_16, ZYDIS_STACK_WIDTH_16},
        [MODE_COMPAT32] = {ZYDIS_MACHINE_MODE_LONG_COMPAT_32, ZYDIS_STACK_WIDTH_32},
        [MODE_LONG64] = {ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64},
    };
    for (unsigned m = 0; m < MODE_COUNT; m++)
        ZydisDecoderInit(&dec->mode[m], cfg[m].mode, cfg[m].stack);
}

/* The handler table, expanded from insn_table.def. */
static InsnHandler table_handler(ZydisMnemonic m)
{
    switch (m) {
#define X(mnemonic, handler)                                                                       \
    case ZYDIS_MNEMONIC_##mnemonic:                                                                \
        return handler;
#include "sim/cpu/insn_table.def"
#undef X
    default:
        return exec_unimplemented;
    }
}

/* Condition code (Intel order) of a Jcc/SETcc/CMOVcc mnemonic, from its name's suffix. */
static int condition_code(ZydisMnemonic m)
{
    static const char *const cc[16] = {"o", "no", "b", "nb", "z", "nz", "be", "nbe",
                                       "s", "ns", "p", "np", "l", "nl", "le", "nle"};
    const char *name = ZydisMnemonicGetString(m);
    size_t skip = strncmp(name, "cmov", 4) == 0 ? 4 : strncmp(name, "set", 3) == 0 ? 3 : 1;
    if (name[0] != 'j' && skip == 1)
        return -1;
    for (int i = 0; i < 16; i++) {
        if (strcmp(name + skip, cc[i]) == 0)
            return i;
    }
    return -1;
}

/* Byte offset of a general register in cpu->gpr, or -1. */
static int gpr_offset(ZydisRegister r)
{
    ZydisRegisterClass c = ZydisRegisterGetClass(r);
    int id = ZydisRegisterGetId(r);
    if (c == ZYDIS_REGCLASS_GPR8) {
        if (id >= 4 && id <= 7) /* AH, CH, DH, BH: bits 15:8 of registers 0..3 */
            return (id - 4) * 8 + 1;
        return (id < 4 ? id : id - 4) * 8;
    }
    if (c == ZYDIS_REGCLASS_GPR16 || c == ZYDIS_REGCLASS_GPR32 || c == ZYDIS_REGCLASS_GPR64)
        return id * 8;
    return -1;
}

/* gpr slot for an address base or index register. */
static uint8_t address_slot(ZydisRegister r)
{
    if (r == ZYDIS_REGISTER_NONE)
        return GPR_ZERO;
    if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP || r == ZYDIS_REGISTER_IP)
        return GPR_RIP;
    return (uint8_t)ZydisRegisterGetId(r);
}

static uint8_t scale_shift(uint8_t scale)
{
    return scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
}

static bool translate_register(const ZydisDecodedOperand *z, DecodedOperand *o)
{
    ZydisRegisterClass c = ZydisRegisterGetClass(z->reg.value);
    int off = gpr_offset(z->reg.value);
    if (off >= 0) {
        o->kind = OPK_REG;
        o->reg = (uint8_t)off;
        return true;
    }
    o->reg = (uint8_t)ZydisRegisterGetId(z->reg.value);
    if (c == ZYDIS_REGCLASS_SEGMENT)
        o->kind = OPK_SREG;
    else if (c == ZYDIS_REGCLASS_CONTROL)
        o->kind = OPK_CR;
    else if (c == ZYDIS_REGCLASS_DEBUG)
        o->kind = OPK_DR;
    else if (c == ZYDIS_REGCLASS_XMM)
        o->kind = OPK_XMM;
    else if (c == ZYDIS_REGCLASS_X87)
        o->kind = OPK_ST;
    else if (c == ZYDIS_REGCLASS_MMX)
        o->kind = OPK_MMX;
    else
        return false;
    return true;
}

static void translate_memory(const ZydisDecodedOperand *z, DecodedInsn *d)
{
    d->base = address_slot(z->mem.base);
    d->index = address_slot(z->mem.index);
    d->scale = scale_shift(z->mem.scale);
    d->disp = z->mem.disp.has_displacement ? z->mem.disp.value : 0;
    d->seg = (uint8_t)ZydisRegisterGetId(z->mem.segment);
    if (z->mem.segment == ZYDIS_REGISTER_NONE)
        d->seg = SEG_DS;
    if (d->base == GPR_RIP)
        d->flags |= DI_RIP_REL;
}

/* Immediates: a second immediate (ENTER) goes to aux. */
static void translate_immediate(const ZydisDecodedOperand *z, DecodedInsn *d, unsigned i,
                                DecodedOperand *o)
{
    uint64_t v = z->imm.is_signed ? (uint64_t)z->imm.value.s : z->imm.value.u;
    o->kind = OPK_IMM;
    if (i > 0 && d->op[0].kind == OPK_IMM) {
        d->aux = (uint16_t)v;
        return;
    }
    d->imm = v;
    if (i > 0 && !z->imm.is_relative)
        o->size = d->op[0].size;
}

static bool translate_operand(const ZydisDecodedOperand *z, DecodedInsn *d, unsigned i)
{
    DecodedOperand *o = &d->op[i];
    o->size = (uint16_t)(z->size / 8);
    switch (z->type) {
    case ZYDIS_OPERAND_TYPE_REGISTER:
        return translate_register(z, o);
    case ZYDIS_OPERAND_TYPE_MEMORY:
        o->kind = OPK_MEM;
        translate_memory(z, d);
        return true;
    case ZYDIS_OPERAND_TYPE_IMMEDIATE:
        translate_immediate(z, d, i, o);
        return true;
    case ZYDIS_OPERAND_TYPE_POINTER:
        o->kind = OPK_FAR;
        d->imm = z->ptr.offset;
        d->aux = z->ptr.segment;
        return true;
    default:
        return false;
    }
}

/* Handlers chosen by operand form rather than by mnemonic alone. */
static InsnHandler select_handler(const ZydisDecodedInstruction *zi, const DecodedInsn *d)
{
    bool far = zi->meta.branch_type == ZYDIS_BRANCH_TYPE_FAR;
    switch (zi->mnemonic) {
    case ZYDIS_MNEMONIC_JMP:
        return far ? exec_jmp_far : exec_jmp;
    case ZYDIS_MNEMONIC_CALL:
        return far ? exec_call_far : exec_call;
    case ZYDIS_MNEMONIC_RET:
        return far ? exec_ret_far : exec_ret;
    case ZYDIS_MNEMONIC_MOV:
        if (d->op[0].kind == OPK_SREG)
            return exec_mov_to_sreg;
        if (d->op[1].kind == OPK_SREG)
            return exec_mov_from_sreg;
        if (d->op[0].kind == OPK_CR)
            return exec_mov_to_cr;
        if (d->op[1].kind == OPK_CR)
            return exec_mov_from_cr;
        if (d->op[0].kind == OPK_DR || d->op[1].kind == OPK_DR)
            return d->op[0].kind == OPK_DR ? exec_mov_to_dr : exec_mov_from_dr;
        return exec_mov;
    case ZYDIS_MNEMONIC_MOVSD:
    case ZYDIS_MNEMONIC_CMPSD:
        /* The same mnemonic names an SSE2 instruction: its family handler
         * (insn_sse.def) rather than the string row of insn_table.def. */
        if (zi->meta.category != ZYDIS_CATEGORY_STRINGOP)
            return zi->mnemonic == ZYDIS_MNEMONIC_MOVSD ? exec_sse_mov : exec_sse_arith;
        return table_handler(zi->mnemonic);
    default:
        return table_handler(zi->mnemonic);
    }
}

/* Instructions after which the rest of a block may decode differently or
 * events must be sampled: mode, paging, flags-control and serializing ones. */
static bool ends_block(ZydisMnemonic m, InsnHandler h)
{
    if (h == exec_mov_to_cr || h == exec_mov_to_sreg || h == exec_mov_to_dr)
        return true;
    switch (m) {
    case ZYDIS_MNEMONIC_HLT: case ZYDIS_MNEMONIC_WRMSR: case ZYDIS_MNEMONIC_LGDT:
    case ZYDIS_MNEMONIC_LIDT: case ZYDIS_MNEMONIC_LLDT: case ZYDIS_MNEMONIC_LTR:
    case ZYDIS_MNEMONIC_LMSW: case ZYDIS_MNEMONIC_CLTS: case ZYDIS_MNEMONIC_INVLPG:
    case ZYDIS_MNEMONIC_INVPCID:
    case ZYDIS_MNEMONIC_POPF: case ZYDIS_MNEMONIC_POPFD: case ZYDIS_MNEMONIC_POPFQ:
    case ZYDIS_MNEMONIC_STI: case ZYDIS_MNEMONIC_CLI: case ZYDIS_MNEMONIC_POP:
    case ZYDIS_MNEMONIC_IRET: case ZYDIS_MNEMONIC_IRETD: case ZYDIS_MNEMONIC_IRETQ:
    case ZYDIS_MNEMONIC_INT: case ZYDIS_MNEMONIC_INT1: case ZYDIS_MNEMONIC_INT3:
    case ZYDIS_MNEMONIC_INTO: case ZYDIS_MNEMONIC_SYSCALL: case ZYDIS_MNEMONIC_SYSRET:
    case ZYDIS_MNEMONIC_SYSENTER: case ZYDIS_MNEMONIC_SYSEXIT: case ZYDIS_MNEMONIC_CPUID:
    case ZYDIS_MNEMONIC_UD0: case ZYDIS_MNEMONIC_UD1: case ZYDIS_MNEMONIC_UD2:
    /* VMX transitions and mode changes (VMREAD/VMWRITE/VMPTRLD do not end a
     * block: in non-root operation their VM exit returns SIM_VMEXIT) */
    case ZYDIS_MNEMONIC_VMXON: case ZYDIS_MNEMONIC_VMXOFF: case ZYDIS_MNEMONIC_VMLAUNCH:
    case ZYDIS_MNEMONIC_VMRESUME: case ZYDIS_MNEMONIC_VMCALL: case ZYDIS_MNEMONIC_VMFUNC:
        return true;
    default:
        return false;
    }
}

/* True when the instruction writes memory (explicitly or implicitly, as PUSH
 * and CALL do) or performs port I/O: only then can it raise a signal. */
static bool may_signal(const ZydisDecodedInstruction *zi, const ZydisDecodedOperand *zo)
{
    if (zi->meta.category == ZYDIS_CATEGORY_IO || zi->meta.category == ZYDIS_CATEGORY_IOSTRINGOP)
        return true;
    for (unsigned i = 0; i < zi->operand_count; i++) {
        if (zo[i].type == ZYDIS_OPERAND_TYPE_MEMORY && (zo[i].actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
            return true;
    }
    return false;
}

static uint8_t prefix_bits(const ZydisDecodedInstruction *zi)
{
    uint8_t p = 0;
    if (zi->attributes & ZYDIS_ATTRIB_HAS_LOCK)
        p |= PFX_LOCK;
    if (zi->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE))
        p |= PFX_REP;
    if (zi->attributes & ZYDIS_ATTRIB_HAS_REPNE)
        p |= PFX_REPNE;
    return p;
}

/* String instructions have only hidden memory operands: the overridable
 * source segment comes from the prefix (SDM Vol. 2 MOVS: DS, overridable). */
static uint8_t string_segment(const ZydisDecodedInstruction *zi)
{
    static const struct {
        ZydisInstructionAttributes attr;
        uint8_t seg;
    } map[] = {{ZYDIS_ATTRIB_HAS_SEGMENT_ES, SEG_ES}, {ZYDIS_ATTRIB_HAS_SEGMENT_CS, SEG_CS},
               {ZYDIS_ATTRIB_HAS_SEGMENT_SS, SEG_SS}, {ZYDIS_ATTRIB_HAS_SEGMENT_FS, SEG_FS},
               {ZYDIS_ATTRIB_HAS_SEGMENT_GS, SEG_GS}};
    for (unsigned i = 0; i < SIM_ARRAY_SIZE(map); i++) {
        if (zi->attributes & map[i].attr)
            return map[i].seg;
    }
    return SEG_DS;
}

static DecodeResult status_result(ZyanStatus s)
{
    if (s == ZYDIS_STATUS_NO_MORE_DATA)
        return DECODE_NEED_MORE;
    if (s == ZYDIS_STATUS_INSTRUCTION_TOO_LONG)
        return DECODE_TOO_LONG;
    return DECODE_INVALID;
}

/* Zydis's real-mode tables reject SYSENTER and SYSEXIT (0F 34, 0F 35), which
 * SDM Vol. 2 defines there: SYSENTER works from virtual-8086 mode, and both
 * are #GP(0) in real-address mode (CR0.PE = 0) and SYSEXIT in virtual-8086
 * mode (CPL 3).  They are decoded as 16-bit protected-mode code, which has
 * the same default operand and address sizes. */
static ZyanStatus decode_full(const Decoders *dec, CpuMode mode, const uint8_t *bytes, size_t len,
                              ZydisDecodedInstruction *zi, ZydisDecodedOperand *zo)
{
    ZyanStatus s = ZydisDecoderDecodeFull(&dec->mode[mode], bytes, len, zi, zo);
    if (ZYAN_SUCCESS(s) || (mode != MODE_REAL && mode != MODE_V86))
        return s;
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec->mode[MODE_PROT16], bytes, len, zi, zo)))
        return s;
    bool fast_call =
        zi->mnemonic == ZYDIS_MNEMONIC_SYSENTER || zi->mnemonic == ZYDIS_MNEMONIC_SYSEXIT;
    return fast_call ? ZYAN_STATUS_SUCCESS : s;
}

DecodeResult cpu_decode(const Decoders *dec, CpuMode mode, const uint8_t *bytes, size_t len,
                        DecodedInsn *d)
{
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
    ZyanStatus s = decode_full(dec, mode, bytes, len, &zi, zo);
    if (!ZYAN_SUCCESS(s))
        return status_result(s);
    memset(d, 0, sizeof(*d));
    d->mnemonic = (uint16_t)zi.mnemonic;
    d->len = zi.length;
    d->opsize = (uint8_t)(zi.operand_width / 8);
    d->addrsize = (uint8_t)(zi.address_width / 8);
    d->base = d->index = GPR_ZERO;
    d->seg = SEG_DS;
    d->prefix = prefix_bits(&zi);
    bool ok = zi.operand_count_visible <= 3;
    d->op_count = ok ? zi.operand_count_visible : 0;
    for (unsigned i = 0; ok && i < d->op_count; i++)
        ok = translate_operand(&zo[i], d, i);
    /* XLAT's memory operand is hidden too: DS:[rBX+AL], overridable. */
    if (zi.meta.category == ZYDIS_CATEGORY_STRINGOP || zi.meta.category == ZYDIS_CATEGORY_IOSTRINGOP ||
        zi.mnemonic == ZYDIS_MNEMONIC_XLAT)
        d->seg = string_segment(&zi);
    int cc = condition_code(zi.mnemonic);
    if (cc >= 0)
        d->aux = (uint16_t)cc;
    d->handler = ok ? select_handler(&zi, d) : exec_unimplemented;
    InsnHandler generic = d->handler;
    d->handler = cpu_fast_handler(d, mode, generic);
    if (zi.meta.branch_type != ZYDIS_BRANCH_TYPE_NONE || ends_block(zi.mnemonic, generic) ||
        generic == exec_unimplemented)
        d->flags |= DI_ENDS_BLOCK;
    if (may_signal(&zi, zo))
        d->flags |= DI_CHECK_SIGNALS;
    d->cycles = timing_cost(zi.meta.category, d->op_count > 0 && (d->op[0].kind == OPK_MEM ||
                                                                  d->op[1].kind == OPK_MEM));
    return DECODE_OK;
}
