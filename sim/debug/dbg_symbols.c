/* ELF symbols of the image (dbg_symbols.h), read with libelf. */
#include "sim/debug/dbg_symbols.h"

#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LABEL_REACH 4096u

static bool wanted(const GElf_Sym *sym, const char *name) {
    unsigned type = GELF_ST_TYPE(sym->st_info);
    return name && name[0] && strncmp(name, ".L", 2) != 0 && sym->st_shndx != SHN_UNDEF &&
           sym->st_shndx != SHN_ABS &&
           (type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE);
}

static void add(DbgSymbols *s, size_t *cap, const char *name, uint64_t addr, uint64_t size) {
    if (s->count == *cap) {
        size_t n = *cap ? *cap * 2 : 256;
        DbgSymbol *grown = realloc(s->sym, n * sizeof(*grown));
        if (!grown) return;
        s->sym = grown;
        *cap = n;
    }
    DbgSymbol *y = &s->sym[s->count];
    y->name = strdup(name);
    y->addr = addr;
    y->size = size;
    if (y->name) s->count++;
}

static void read_symtab(DbgSymbols *s, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, size_t *cap) {
    Elf_Data *data = elf_getdata(scn, NULL);
    size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
    for (size_t i = 0; data && i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(data, (int)i, &sym)) continue;
        const char *name = elf_strptr(e, sh->sh_link, sym.st_name);
        if (wanted(&sym, name)) add(s, cap, name, sym.st_value, sym.st_size);
    }
}

static int by_address(const void *a, const void *b) {
    const DbgSymbol *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    return x->size < y->size ? 1 : x->size > y->size ? -1 : strcmp(x->name, y->name);
}

void dbg_symbols_load(DbgSymbols *s, const char *path) {
    *s = (DbgSymbols){0};
    int fd = path ? open(path, O_RDONLY) : -1;
    if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE) {
        if (fd >= 0) close(fd);
        return;
    }
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    size_t cap = 0;
    for (Elf_Scn *scn = NULL; e && (scn = elf_nextscn(e, scn)) != NULL;) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) read_symtab(s, e, scn, &sh, &cap);
    }
    if (e) elf_end(e);
    close(fd);
    if (s->count) qsort(s->sym, s->count, sizeof(*s->sym), by_address);
}

void dbg_symbols_free(DbgSymbols *s) {
    for (size_t i = 0; i < s->count; i++)
        free(s->sym[i].name);
    free(s->sym);
    *s = (DbgSymbols){0};
}

bool dbg_symbols_find(const DbgSymbols *s, const char *name, uint64_t *addr) {
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->sym[i].name, name) == 0) {
            *addr = s->sym[i].addr;
            return true;
        }
    }
    return false;
}

const DbgSymbol *dbg_symbols_at(const DbgSymbols *s, uint64_t addr) {
    const DbgSymbol *best = NULL;
    for (size_t i = 0; i < s->count && s->sym[i].addr <= addr; i++) {
        const DbgSymbol *y = &s->sym[i];
        uint64_t reach = y->size ? y->size : LABEL_REACH;
        /* the nearest; at one address the largest (sorted first): an object over a label */
        if (addr - y->addr < reach && (!best || y->addr != best->addr)) best = y;
    }
    return best;
}
