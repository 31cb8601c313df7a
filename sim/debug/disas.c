/* Disassembly with the Zydis formatter (disas.h). */
#include "sim/debug/disas.h"

#include <inttypes.h>

#include "sim/cpu/access.h"
#include "sim/cpu/decode.h"

bool dbg_decode(const CpuState *cpu, DbgAddr a, DbgInsn *out) {
    Decoders dec;
    cpu_decoders_init(&dec);
    size_t n = dbg_mem_read(cpu, a, out->bytes, sizeof(out->bytes));
    return n > 0 && ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec.mode[cpu->mode], out->bytes, n,
                                                        &out->zi, out->op));
}

/* Intel syntax, lower-case hex, addresses and immediates without zero padding. */
static bool formatter(ZydisFormatter *f) {
    return ZYAN_SUCCESS(ZydisFormatterInit(f, ZYDIS_FORMATTER_STYLE_INTEL)) &&
           ZYAN_SUCCESS(ZydisFormatterSetProperty(f, ZYDIS_FORMATTER_PROP_ADDR_PADDING_ABSOLUTE,
                                                  ZYDIS_PADDING_DISABLED)) &&
           ZYAN_SUCCESS(ZydisFormatterSetProperty(f, ZYDIS_FORMATTER_PROP_DISP_PADDING,
                                                  ZYDIS_PADDING_DISABLED)) &&
           ZYAN_SUCCESS(ZydisFormatterSetProperty(f, ZYDIS_FORMATTER_PROP_IMM_PADDING,
                                                  ZYDIS_PADDING_DISABLED)) &&
           ZYAN_SUCCESS(
               ZydisFormatterSetProperty(f, ZYDIS_FORMATTER_PROP_HEX_UPPERCASE, ZYAN_FALSE));
}

bool dbg_format(const CpuState *cpu, DbgAddr a, char *buf, size_t len, unsigned *insn_len) {
    DbgInsn d;
    ZydisFormatter f;
    if (!dbg_decode(cpu, a, &d) || !formatter(&f)) return false;
    if (!ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&f, &d.zi, d.op, d.zi.operand_count_visible,
                                                      buf, len, a.addr, NULL)))
        return false;
    *insn_len = d.zi.length;
    return true;
}

void dbg_print_location(const DbgSymbols *syms, DbgAddr a, FILE *out) {
    fprintf(out, "%s0x%" PRIx64, a.phys ? "g:" : "", a.addr);
    const DbgSymbol *s = a.phys ? NULL : dbg_symbols_at(syms, a.addr);
    if (s && a.addr == s->addr)
        fprintf(out, " <%s>", s->name);
    else if (s)
        fprintf(out, " <%s+0x%" PRIx64 ">", s->name, a.addr - s->addr);
}

static bool at_rip(const CpuState *cpu, DbgAddr a) {
    uint64_t lin = cpu_seg_linear_unchecked(cpu, SEG_CS, cpu->RIP), pa;
    if (!a.phys) return a.addr == lin;
    return dbg_translate(cpu, lin, &pa) && pa == a.addr;
}

void dbg_disas(const CpuState *cpu, const DbgSymbols *syms, DbgAddr a, unsigned n, FILE *out) {
    for (unsigned i = 0; i < n; i++) {
        char text[160];
        unsigned len;
        fputs(at_rip(cpu, a) ? "=> " : "   ", out);
        dbg_print_location(syms, a, out);
        if (!dbg_format(cpu, a, text, sizeof(text), &len)) {
            fputs(":  (cannot decode: unmapped or invalid)\n", out);
            return;
        }
        uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
        (void)dbg_mem_read(cpu, a, bytes, len);
        fputs(": ", out);
        for (unsigned b = 0; b < 10; b++)
            fprintf(out, b < len ? " %02x" : "   ", bytes[b < len ? b : 0]);
        fprintf(out, "%s  %s\n", len > 10 ? "+" : " ", text);
        a.addr += len;
    }
}
