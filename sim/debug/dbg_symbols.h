/* The image's ELF symbol table, so commands take and print symbol names
 * (`break guest_main`, "<guest_main+0x14>"). */
#ifndef VMXSIM_DEBUG_DBG_SYMBOLS_H
#define VMXSIM_DEBUG_DBG_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct DbgSymbol {
    char *name;
    uint64_t addr, size;
} DbgSymbol;

typedef struct DbgSymbols {
    DbgSymbol *sym; /* sorted by address */
    size_t count;
} DbgSymbols;

/* Functions, objects and labels of the ELF file at path (none when it has
 * no symbol table or cannot be read: symbols are a convenience). */
void dbg_symbols_load(DbgSymbols *s, const char *path);
void dbg_symbols_free(DbgSymbols *s);
bool dbg_symbols_find(const DbgSymbols *s, const char *name, uint64_t *addr);
/* The nearest symbol at or below addr that reaches it (a sized symbol
 * that contains it, or a label at most 4 KiB before it), or NULL. */
const DbgSymbol *dbg_symbols_at(const DbgSymbols *s, uint64_t addr);

#endif
