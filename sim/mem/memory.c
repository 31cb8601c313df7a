/* Guest-physical memory: RAM, MMIO overlay, decoded-code tracking. */
#include "sim/mem/memory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim/mem/tlb.h"

bool mem_init(Memory *m, uint64_t ram_size)
{
    memset(m, 0, sizeof(*m));
    if (ram_size == 0 || ram_size > (UINT64_C(1) << 46)) {
        errno = EINVAL;
        return false;
    }
    ram_size = (ram_size + PAGE_SIZE - 1) & PAGE_MASK;
    /* Anonymous mapping: pages are committed by the host only when touched. */
    void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (ram == MAP_FAILED)
        return false;
    m->ram = ram;
    m->ram_size = ram_size;
    m->ram_pages = ram_size >> PAGE_SHIFT;
    m->code_lines = calloc(m->ram_pages, sizeof(*m->code_lines));
    m->page_gen = calloc(m->ram_pages, sizeof(*m->page_gen));
    m->page_mmio = calloc(m->ram_pages, sizeof(*m->page_mmio));
    m->page_paging = calloc(m->ram_pages, sizeof(*m->page_paging));
    if (!m->code_lines || !m->page_gen || !m->page_mmio || !m->page_paging) {
        mem_destroy(m);
        errno = ENOMEM;
        return false;
    }
    return true;
}

void mem_destroy(Memory *m)
{
    if (m->ram)
        munmap(m->ram, m->ram_size);
    free(m->code_lines);
    free(m->page_gen);
    free(m->page_mmio);
    free(m->page_paging);
    memset(m, 0, sizeof(*m));
}

bool mem_add_mmio(Memory *m, uint64_t base, uint64_t size, const MmioOps *ops, void *opaque)
{
    if (m->mmio_count == MEM_MAX_MMIO || size == 0 || base + size < base)
        return false;
    for (unsigned i = 0; i < m->mmio_count; i++) {
        const MmioRegion *r = &m->mmio[i];
        if (base < r->base + r->size && r->base < base + size)
            return false;
    }
    m->mmio[m->mmio_count++] = (MmioRegion){base, size, ops, opaque};
    for (uint64_t pa = base & PAGE_MASK; pa < base + size && (pa >> PAGE_SHIFT) < m->ram_pages;
         pa += PAGE_SIZE) {
        m->page_mmio[pa >> PAGE_SHIFT] = 1;
        for (unsigned t = 0; t < m->tlb_count; t++)
            mem_tlb_flush_all(m->tlbs[t]);
    }
    return true;
}

/* Set page_mmio over [base, base+size) to `on`; flush every TLB. */
static void mmio_mark_pages(Memory *m, uint64_t base, uint64_t size, uint8_t on)
{
    for (uint64_t pa = base & PAGE_MASK; pa < base + size && (pa >> PAGE_SHIFT) < m->ram_pages;
         pa += PAGE_SIZE)
        m->page_mmio[pa >> PAGE_SHIFT] = on;
    for (unsigned t = 0; t < m->tlb_count; t++)
        mem_tlb_flush_all(m->tlbs[t]);
}

static bool mmio_overlaps_other(const Memory *m, const MmioRegion *self, uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < m->mmio_count; i++) {
        const MmioRegion *r = &m->mmio[i];
        if (r != self && base < r->base + r->size && r->base < base + size)
            return true;
    }
    return false;
}

bool mem_move_mmio(Memory *m, const void *opaque, uint64_t base, uint64_t size)
{
    MmioRegion *r = NULL;
    for (unsigned i = 0; i < m->mmio_count && !r; i++)
        r = m->mmio[i].opaque == opaque ? &m->mmio[i] : NULL;
    if (!r)
        return false;
    mmio_mark_pages(m, r->base, r->size, 0);
    bool ok = size == 0 || (base + size > base && !mmio_overlaps_other(m, r, base, size));
    *r = (MmioRegion){base, ok ? size : 0, r->ops, r->opaque};
    for (unsigned i = 0; i < m->mmio_count; i++) /* pages shared with other regions */
        mmio_mark_pages(m, m->mmio[i].base, m->mmio[i].size, 1);
    return ok;
}

bool mem_register_tlb(Memory *m, struct Tlb *tlb)
{
    if (m->tlb_count == MEM_MAX_TLBS)
        return false;
    m->tlbs[m->tlb_count++] = tlb;
    return true;
}

static const MmioRegion *mmio_find(const Memory *m, uint64_t pa)
{
    for (unsigned i = 0; i < m->mmio_count; i++) {
        const MmioRegion *r = &m->mmio[i];
        if (pa >= r->base && pa - r->base < r->size)
            return r;
    }
    return NULL;
}

bool mem_is_plain_ram(const Memory *m, uint64_t pa, uint64_t len)
{
    if (len == 0 || pa >= m->ram_size || len > m->ram_size - pa)
        return false;
    for (uint64_t p = pa >> PAGE_SHIFT; p <= (pa + len - 1) >> PAGE_SHIFT; p++) {
        if (m->page_mmio[p])
            return false;
    }
    return true;
}

uint8_t *mem_ram_page(Memory *m, uint64_t pa)
{
    uint64_t pfn = pa >> PAGE_SHIFT;
    if (pfn >= m->ram_pages || m->page_mmio[pfn])
        return NULL;
    return m->ram + (pfn << PAGE_SHIFT);
}

static uint64_t size_bytes_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

/* One byte, the slow path for straddling and unbacked accesses. */
static uint8_t read_byte(Memory *m, uint64_t pa)
{
    const MmioRegion *r = mmio_find(m, pa);
    if (r)
        return (uint8_t)r->ops->read(r->opaque, pa - r->base, 1);
    if (pa < m->ram_size)
        return m->ram[pa];
    return 0xff;
}

/* A region wholly inside one MMIO region gets one access of the full size. */
static const MmioRegion *mmio_whole(const Memory *m, uint64_t pa, unsigned size)
{
    const MmioRegion *r = mmio_find(m, pa);
    if (r && pa + size - 1 - r->base < r->size)
        return r;
    return NULL;
}

uint64_t mem_phys_read(Memory *m, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    if (SIM_LIKELY(mem_is_plain_ram(m, pa, size))) {
        memcpy(&v, m->ram + pa, size);
        return v;
    }
    const MmioRegion *r = mmio_whole(m, pa, size);
    if (r) /* devices see exactly `size` bytes both ways */
        return r->ops->read(r->opaque, pa - r->base, size) & size_bytes_mask(size);
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)read_byte(m, pa + i) << (8 * i);
    return v;
}

/* A write to [pa, pa+len) of one RAM page: count it when the page holds
 * paging structures, and drop decoded code on those lines; true if any was
 * there. */
static bool invalidate_code(Memory *m, uint64_t pa, unsigned len)
{
    uint64_t pfn = pa >> PAGE_SHIFT;
    if (pfn >= m->ram_pages)
        return false;
    m->paging_writes += m->page_paging[pfn];
    if (m->code_lines[pfn] == 0)
        return false;
    unsigned first = (unsigned)(pa & (PAGE_SIZE - 1)) >> MEM_CODE_LINE_SHIFT;
    unsigned last = (unsigned)((pa & (PAGE_SIZE - 1)) + len - 1) >> MEM_CODE_LINE_SHIFT;
    if (last > 63)
        last = 63;
    uint64_t lines = (last == 63 ? ~UINT64_C(0) : (UINT64_C(1) << (last + 1)) - 1) &
                     ~((UINT64_C(1) << first) - 1);
    if (!(m->code_lines[pfn] & lines))
        return false;
    /* Every block decoded from this page is stale: bump the page's generation. */
    m->code_lines[pfn] = 0;
    m->page_gen[pfn]++;
    m->code_invalidations++;
    return true;
}

static bool write_byte(Memory *m, uint64_t pa, uint8_t b)
{
    const MmioRegion *r = mmio_find(m, pa);
    if (r) {
        r->ops->write(r->opaque, pa - r->base, 1, b);
        return false;
    }
    if (pa >= m->ram_size)
        return false;
    bool hit = invalidate_code(m, pa, 1);
    m->ram[pa] = b;
    return hit;
}

bool mem_phys_write(Memory *m, uint64_t pa, unsigned size, uint64_t value)
{
    if (SIM_LIKELY(mem_is_plain_ram(m, pa, size))) {
        bool hit = invalidate_code(m, pa, size);
        if (((pa + size - 1) >> PAGE_SHIFT) != (pa >> PAGE_SHIFT))
            hit |= invalidate_code(m, (pa + size - 1) & PAGE_MASK, 1);
        memcpy(m->ram + pa, &value, size);
        return hit;
    }
    const MmioRegion *r = mmio_whole(m, pa, size);
    if (r) {
        r->ops->write(r->opaque, pa - r->base, size, value & size_bytes_mask(size));
        return false;
    }
    bool hit = false;
    for (unsigned i = 0; i < size; i++)
        hit |= write_byte(m, pa + i, (uint8_t)(value >> (8 * i)));
    return hit;
}

void mem_phys_read_bytes(Memory *m, uint64_t pa, void *dst, size_t len)
{
    if (mem_is_plain_ram(m, pa, len)) {
        memcpy(dst, m->ram + pa, len);
        return;
    }
    uint8_t *d = dst;
    for (size_t i = 0; i < len; i++)
        d[i] = read_byte(m, pa + i);
}

bool mem_phys_write_bytes(Memory *m, uint64_t pa, const void *src, size_t len)
{
    const uint8_t *s = src;
    bool hit = false;
    if (mem_is_plain_ram(m, pa, len)) {
        for (uint64_t p = pa; p < pa + len; p = (p & PAGE_MASK) + PAGE_SIZE) {
            uint64_t end = (p & PAGE_MASK) + PAGE_SIZE < pa + len ? (p & PAGE_MASK) + PAGE_SIZE
                                                                  : pa + len;
            hit |= invalidate_code(m, p, (unsigned)(end - p));
        }
        memcpy(m->ram + pa, src, len);
        return hit;
    }
    for (size_t i = 0; i < len; i++)
        hit |= write_byte(m, pa + i, s[i]);
    return hit;
}

void mem_mark_paging_structure(Memory *m, uint64_t pa)
{
    uint64_t pfn = pa >> PAGE_SHIFT;
    if (pfn >= m->ram_pages || m->page_paging[pfn])
        return;
    m->page_paging[pfn] = 1;
    for (unsigned t = 0; t < m->tlb_count; t++)
        mem_tlb_revoke_host_write(m->tlbs[t], pa);
}

void mem_mark_code(Memory *m, uint64_t pa, unsigned len)
{
    while (len > 0) {
        uint64_t pfn = pa >> PAGE_SHIFT;
        unsigned in_page = (unsigned)(PAGE_SIZE - (pa & (PAGE_SIZE - 1)));
        unsigned n = len < in_page ? len : in_page;
        if (pfn >= m->ram_pages)
            return;
        if (m->code_lines[pfn] == 0) {
            for (unsigned t = 0; t < m->tlb_count; t++)
                mem_tlb_revoke_host_write(m->tlbs[t], pa);
        }
        unsigned first = (unsigned)(pa & (PAGE_SIZE - 1)) >> MEM_CODE_LINE_SHIFT;
        unsigned last = (unsigned)((pa & (PAGE_SIZE - 1)) + n - 1) >> MEM_CODE_LINE_SHIFT;
        for (unsigned l = first; l <= last; l++)
            m->code_lines[pfn] |= UINT64_C(1) << l;
        pa += n;
        len -= n;
    }
}
