/* Unit tests for QEMU fw_cfg (sim/devices/fw_cfg.c): key reads through the
 * selector and data ports. */
#include "check_main.h"

#include <string.h>

#include "sim/devices/fw_cfg.h"

typedef struct Rig {
    IoBus bus;
    FwCfg fw;
} Rig;

static void rig_init(Rig *r, const char *cmdline) {
    dev_io_bus_init(&r->bus);
    dev_fw_cfg_init(&r->fw, UINT64_C(0x140000000), 1);
    dev_fw_cfg_set_cmdline(&r->fw, cmdline);
    ck_assert(dev_fw_cfg_attach(&r->fw, &r->bus));
}

static void select_key(Rig *r, uint16_t key) {
    dev_io_write(&r->bus, FW_CFG_PORT_SELECTOR, 2, key);
}
static uint8_t data8(Rig *r) {
    return (uint8_t)dev_io_read(&r->bus, FW_CFG_PORT_DATA, 1);
}

static uint64_t read_le(Rig *r, uint16_t key, unsigned n) {
    uint64_t v = 0;
    select_key(r, key);
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)data8(r) << (8 * i);
    return v;
}

START_TEST(test_fw_cfg_signature_and_id) {
    Rig r;
    rig_init(&r, NULL);
    char sig[5] = {0};
    select_key(&r, FW_CFG_SIGNATURE);
    for (unsigned i = 0; i < 4; i++)
        sig[i] = (char)data8(&r);
    ck_assert_str_eq(sig, "QEMU");
    ck_assert_uint_eq(data8(&r), 0); /* past the end */
    ck_assert_uint_eq(read_le(&r, FW_CFG_ID, 4), 1);
    select_key(&r, FW_CFG_SIGNATURE); /* a selector write rewinds */
    ck_assert_uint_eq(data8(&r), 'Q');
}
END_TEST

START_TEST(test_fw_cfg_machine_shape) {
    Rig r;
    rig_init(&r, NULL);
    ck_assert_uint_eq(read_le(&r, FW_CFG_RAM_SIZE, 8), UINT64_C(0x140000000));
    ck_assert_uint_eq(read_le(&r, FW_CFG_NB_CPUS, 2), 1);
    ck_assert_uint_eq(read_le(&r, FW_CFG_MAX_CPUS, 2), 1);
    ck_assert_uint_eq(read_le(&r, FW_CFG_FILE_DIR, 4), 0);
    ck_assert_uint_eq(read_le(&r, FW_CFG_CMDLINE_SIZE, 4), 1); /* no command line: "" */
    ck_assert_uint_eq(read_le(&r, 0x1234, 4), 0);
    select_key(&r, FW_CFG_RAM_SIZE);
    ck_assert_uint_eq(dev_io_read(&r.bus, FW_CFG_PORT_DATA, 4), 0x40000000); /* bytes in order */
    ck_assert_uint_eq(dev_io_read(&r.bus, FW_CFG_PORT_SELECTOR, 2), 0xffff);
}
END_TEST

START_TEST(test_fw_cfg_cmdline_keys) {
    Rig r;
    rig_init(&r, "console=ttyS0 quiet");
    ck_assert_uint_eq(read_le(&r, FW_CFG_CMDLINE_SIZE, 4), 20);
    ck_assert_uint_eq(read_le(&r, FW_CFG_CMDLINE_ADDR, 4), 0);
    char buf[32];
    select_key(&r, FW_CFG_CMDLINE_DATA);
    for (unsigned i = 0; i < 20; i++)
        buf[i] = (char)data8(&r);
    ck_assert_str_eq(buf, "console=ttyS0 quiet");
    dev_io_write(&r.bus, FW_CFG_PORT_DATA, 1, 'X'); /* writes are ignored */
    select_key(&r, FW_CFG_CMDLINE_DATA | FW_CFG_WRITE_CHANNEL);
    ck_assert_uint_eq(data8(&r), 'c');
}
END_TEST

static Suite *fw_cfg_suite(void) {
    Suite *s = suite_create("fw_cfg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fw_cfg_signature_and_id);
    tcase_add_test(tc, test_fw_cfg_machine_shape);
    tcase_add_test(tc, test_fw_cfg_cmdline_keys);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(fw_cfg_suite)
