/*
 * QEMU fw_cfg (fw_cfg.h).  Items are little-endian on the I/O-port
 * interface, except the file directory, whose count is big-endian.
 * Writes through the data port are ignored ("As of QEMU v2.4, writes to
 * the fw_cfg data register are no longer supported").
 */
#include "sim/devices/fw_cfg.h"

#include <string.h>

#define FW_CFG_ID_TRADITIONAL 1u /* bit 0: the traditional interface; bit 1 (DMA) clear */
#define FW_CFG_MAX_ITEM 16u      /* the largest fixed-size item: the UUID */

void dev_fw_cfg_init(FwCfg *fw, uint64_t ram_size, uint16_t cpus) {
    *fw = (FwCfg){.ram_size = ram_size, .cpus = cpus, .cmdline = ""};
}

void dev_fw_cfg_set_cmdline(FwCfg *fw, const char *cmdline) {
    fw->cmdline = cmdline ? cmdline : "";
}

static uint32_t le(uint8_t *buf, uint64_t v, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
    return n;
}

/* The fixed-size items: their bytes in buf, their length; 0: no such item. */
static uint32_t fw_cfg_fixed(const FwCfg *fw, uint16_t key, uint8_t buf[FW_CFG_MAX_ITEM]) {
    memset(buf, 0, FW_CFG_MAX_ITEM);
    switch (key) {
    case FW_CFG_SIGNATURE:
        memcpy(buf, "QEMU", 4);
        return 4;
    case FW_CFG_ID:
        return le(buf, FW_CFG_ID_TRADITIONAL, 4);
    case FW_CFG_UUID:
        return 16;
    case FW_CFG_RAM_SIZE:
        return le(buf, fw->ram_size, 8);
    case FW_CFG_NOGRAPHIC:
        return le(buf, 1, 2);
    case FW_CFG_NB_CPUS:
    case FW_CFG_MAX_CPUS:
        return le(buf, fw->cpus, 2);
    case FW_CFG_FILE_DIR:
        return 4; /* count 0 (big-endian), no entries */
    case FW_CFG_CMDLINE_ADDR:
        return 4;
    case FW_CFG_CMDLINE_SIZE:
        return le(buf, strlen(fw->cmdline) + 1, 4);
    default:
        return 0;
    }
}

/* Byte `offset` of the selected item; 0 past its end or for no item. */
static uint8_t fw_cfg_byte(const FwCfg *fw, uint32_t offset) {
    uint16_t key = fw->selector & (uint16_t)~FW_CFG_WRITE_CHANNEL;
    if (key == FW_CFG_CMDLINE_DATA) {
        size_t len = strlen(fw->cmdline) + 1;
        return offset < len ? (uint8_t)fw->cmdline[offset] : 0;
    }
    uint8_t buf[FW_CFG_MAX_ITEM];
    uint32_t len = fw_cfg_fixed(fw, key, buf);
    return offset < len ? buf[offset] : 0;
}

static uint32_t fw_cfg_io_read(void *opaque, uint16_t port, unsigned size) {
    FwCfg *fw = opaque;
    if (port != FW_CFG_PORT_DATA) return UINT32_MAX; /* the selector is write-only */
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)fw_cfg_byte(fw, fw->offset++) << (8 * i);
    return v;
}

/* A selector write resets the data offset. */
static void fw_cfg_io_write(void *opaque, uint16_t port, unsigned size, uint32_t value) {
    FwCfg *fw = opaque;
    if (port != FW_CFG_PORT_SELECTOR) return;
    fw->selector = (uint16_t)value;
    fw->offset = 0;
}

bool dev_fw_cfg_attach(FwCfg *fw, IoBus *bus) {
    return dev_io_bus_claim(bus, FW_CFG_PORT_SELECTOR, FW_CFG_PORT_DATA, fw_cfg_io_read,
                            fw_cfg_io_write, fw);
}
