/* I/O and MSR bitmaps (guest/vmx.h). */
#include "guest/vmx.h"

#define MSR_LOW_LAST 0x00001FFFu
#define MSR_HIGH_FIRST 0xC0000000u
#define MSR_HIGH_LAST 0xC0001FFFu

static void set_bit(uint8_t *map, unsigned bit) {
    map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

/* 24.6.4: port p is bit p of A (p < 8000H) or bit p - 8000H of B; an
 * access of several bytes exits if the bit of any port it touches is set. */
void vmx_io_intercept(VmxIoBitmaps *bitmaps, uint16_t port, unsigned count) {
    for (unsigned i = 0; i < count; i++) {
        uint16_t p = (uint16_t)(port + i);
        if (p < 0x8000)
            set_bit(bitmaps->a, p);
        else
            set_bit(bitmaps->b, p - 0x8000u);
    }
}

/* 24.6.9: bit n of a low bitmap is MSR n, of a high bitmap C0000000H + n. */
bool vmx_msr_intercept(VmxMsrBitmap *bitmap, uint32_t msr, bool read, bool write) {
    bool low = msr <= MSR_LOW_LAST;
    if (!low && (msr < MSR_HIGH_FIRST || msr > MSR_HIGH_LAST)) return false;
    unsigned bit = msr & 0x1fffu;
    if (read) set_bit(low ? bitmap->read_low : bitmap->read_high, bit);
    if (write) set_bit(low ? bitmap->write_low : bitmap->write_high, bit);
    return true;
}
