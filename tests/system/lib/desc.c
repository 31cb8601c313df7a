/* GDT, TSS and IDT of the tests/system guests (see desc.h). */
#include "desc.h"

#include "guest/string.h"

uint64_t systest_gdt[GDT_ENTRIES] __attribute__((aligned(16)));
Tss64 systest_tss __attribute__((aligned(16)));
IdtGate64 systest_idt[256] __attribute__((aligned(16)));

extern const char systest_isr_stubs[]; /* isr64.S: 256 stubs, 16 bytes apart */

/* Code and data descriptors, accessed bit preset so loads never write the GDT
 * (SDM 3.4.5 Figure 3-8). */
static const uint64_t gdt_template[7] = {
    0,
    0x00af9b000000ffffull, /* 0x08 kernel code, 64-bit (L = 1), DPL 0 */
    0x00cf93000000ffffull, /* 0x10 kernel data, DPL 0 */
    0x00cf9b000000ffffull, /* 0x18 kernel code, 32-bit (D = 1), DPL 0 */
    0x00cffb000000ffffull, /* 0x20 user code, 32-bit, DPL 3 */
    0x00cff3000000ffffull, /* 0x28 user data, DPL 3 */
    0x00affb000000ffffull, /* 0x30 user code, 64-bit, DPL 3 */
};

/* SDM 8.2.3 Figure 8-4: 16-byte available 64-bit TSS descriptor (type 9). */
static void set_tss_descriptor(uint64_t base, uint32_t limit) {
    systest_gdt[7] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
                     (uint64_t)(limit >> 16 & 0xf) << 48 | (base >> 24 & 0xff) << 56;
    systest_gdt[8] = base >> 32;
}

void systest_load_gdt_tss(void) {
    memcpy(systest_gdt, gdt_template, sizeof(gdt_template));
    systest_tss.iomap_base = sizeof(Tss64); /* no I/O permission bitmap (SDM 19.5.2) */
    set_tss_descriptor((uint64_t)&systest_tss, sizeof(Tss64) - 1);
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } gdtr = {sizeof(systest_gdt) - 1, (uint64_t)systest_gdt};
    __asm__ __volatile__("lgdt %0\n\t"
                         "pushq %1\n\t"
                         "leaq 1f(%%rip), %%rax\n\t"
                         "pushq %%rax\n\t"
                         "lretq\n"
                         "1:\n\t"
                         "movl %2, %%eax\n\t"
                         "movl %%eax, %%ds\n\t"
                         "movl %%eax, %%es\n\t"
                         "movl %%eax, %%ss\n\t"
                         "movl %%eax, %%fs\n\t"
                         "movl %%eax, %%gs\n\t"
                         "movl %3, %%eax\n\t"
                         "ltr %%ax"
                         :
                         : "m"(gdtr), "i"(SEL_KCODE64), "i"(SEL_KDATA), "i"(SEL_TSS)
                         : "rax", "memory");
}

uint64_t systest_stub(unsigned vector) {
    return (uint64_t)systest_isr_stubs + 16 * vector;
}

/* SDM 6.14.1 Figure 6-8: offset, selector 0x08, IST, type, DPL, P. */
void systest_set_gate(unsigned vector, unsigned type, unsigned dpl, unsigned ist, bool present) {
    uint64_t off = systest_stub(vector);
    systest_idt[vector].lo = (off & 0xffff) | (uint64_t)SEL_KCODE64 << 16 |
                             (uint64_t)(ist & 7) << 32 | (uint64_t)(type & 0xf) << 40 |
                             (uint64_t)(dpl & 3) << 45 | (uint64_t)present << 47 |
                             (off >> 16 & 0xffff) << 48;
    systest_idt[vector].hi = off >> 32;
}

void systest_set_gate_present(unsigned vector, bool present) {
    if (present)
        systest_idt[vector].lo |= 1ull << 47;
    else
        systest_idt[vector].lo &= ~(1ull << 47);
}

void systest_load_idt(void) {
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = {sizeof(systest_idt) - 1, (uint64_t)systest_idt};
    __asm__ __volatile__("lidt %0" : : "m"(idtr) : "memory");
}
