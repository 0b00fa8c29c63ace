/* tests/loader/test_pe_inline.c: what compiled x64 drivers read inline,
 * rather than through exported routines: KUSER_SHARED_DATA (ke/kuser.c)
 * and each thread's KPCR (ke/pcr.c), field by field; then real .sys drivers
 * built against mingw-w64's own DDK headers (tests/cli/drivers_pe/inline.c,
 * at -O0 and -O2): every inline access found and patched at load, and the
 * driver printing the same whether its accesses are patched or emulated. */
#include "ktest.h"

#include "io/driver_load.h"
#include "ke/kuser.h"
#include "ke/pcr.h"
#include "loader/module.h"
#include "loader/pe_load.h"
#include "loader/pe_patch.h"
#include "rtl/version.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static uint32_t kt_kuser32(unsigned offset)
{
    uint32_t v;
    memcpy(&v, ke_kuser_page() + offset, sizeof v);
    return v;
}

static uint64_t kt_kuser64(unsigned offset)
{
    uint64_t v;
    memcpy(&v, ke_kuser_page() + offset, sizeof v);
    return v;
}

static uint64_t kt_hundred_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100;
}

/* The fields that do not change, at the documented offsets (ntddk.h,
 * KUSER_SHARED_DATA): a 15.625 ms tick (TickCountMultiplier 0x0FA00000,
 * ms = ticks * multiplier >> 24), an AMD64 workstation running
 * C:\Windows on one processor, QueryPerformanceFrequency 10 MHz. */
KT_TEST(kuser_constant_fields)
{
    KT_REQUIRE(KT_TRUE(ke_kuser_page() != NULL));
    KT_EQ_HEX(kt_kuser32(KE_KUSER_TICK_COUNT_MULTIPLIER), 0x0FA00000);
    KT_EQ_HEX(kt_kuser32(KE_KUSER_IMAGE_NUMBER_LOW), 0x86648664);
    KT_EQ_MEM(ke_kuser_page() + KE_KUSER_NT_SYSTEM_ROOT, "C\0:\0\\\0W\0i\0n\0d\0o\0w\0s\0\0", 22);
    KT_EQ_INT(kt_kuser32(KE_KUSER_NT_PRODUCT_TYPE), 1);
    KT_EQ_INT(ke_kuser_page()[KE_KUSER_PRODUCT_TYPE_IS_VALID], 1);
    KT_EQ_INT(ke_kuser_page()[KE_KUSER_NATIVE_PROCESSOR_ARCHITECTURE], 9);
    KT_EQ_INT(ke_kuser_page()[KE_KUSER_KD_DEBUGGER_ENABLED], 0);
    KT_EQ_INT(ke_kuser_page()[KE_KUSER_PROCESSOR_FEATURES + 6], 1);   /* PF_XMMI_INSTRUCTIONS_AVAILABLE */
    KT_EQ_INT(ke_kuser_page()[KE_KUSER_PROCESSOR_FEATURES + 12], 1);  /* PF_NX_ENABLED */
    KT_EQ_INT(kt_kuser64(KE_KUSER_QPC_FREQUENCY), 10000000);
    KT_EQ_INT(kt_kuser32(KE_KUSER_ACTIVE_PROCESSOR_COUNT), KeQueryActiveProcessorCount(NULL));
    KT_EQ_INT(ke_kuser_page()[KE_KUSER_ACTIVE_GROUP_COUNT], 1);
    KT_EQ_INT(kt_kuser32(KE_KUSER_LARGE_PAGE_MINIMUM), 0x200000);
}

/* NtMajorVersion, NtMinorVersion and NtBuildNumber are RtlGetVersion's
 * (--os-version), from the next clock tick on; the fault path's view is
 * current at once. */
KT_TEST(kuser_version_follows_os_version)
{
    ULONG major, minor, build, v[3];
    rtl_version_get(&major, &minor, &build);
    KT_REQUIRE(KT_TRUE(rtl_version_parse_and_set("6.1.7601")));
    KT_REQUIRE(KT_TRUE(ke_kuser_read(KE_KUSER_NT_MAJOR_VERSION, &v[0], 4)));
    KT_TRUE(ke_kuser_read(KE_KUSER_NT_MINOR_VERSION, &v[1], 4));
    KT_TRUE(ke_kuser_read(KE_KUSER_NT_BUILD_NUMBER, &v[2], 4));
    KT_EQ_INT(v[0], 6);
    KT_EQ_INT(v[1], 1);
    KT_EQ_INT(v[2], 7601);
    KT_EQ_INT(kt_kuser32(KE_KUSER_NT_MAJOR_VERSION), 6);
    char text[40];
    snprintf(text, sizeof text, "%lu.%lu.%lu", (unsigned long)major, (unsigned long)minor, (unsigned long)build);
    rtl_version_parse_and_set(text);
}

/* The clocks, each a KSYSTEM_TIME whose High1Time and High2Time agree:
 * InterruptTime and SystemTime within a few ticks of the host's boot and
 * wall clocks, TickCount the interrupt time in ticks. */
KT_TEST(kuser_clocks_are_live)
{
    uint64_t tick = KE_KUSER_TIME_INCREMENT;
    uint8_t raw[12];
    KT_REQUIRE(KT_TRUE(ke_kuser_read(KE_KUSER_INTERRUPT_TIME, raw, sizeof raw)));
    KT_EQ_MEM(raw + 4, raw + 8, 4);
    uint64_t interrupt = kt_kuser64(KE_KUSER_INTERRUPT_TIME), boot = kt_hundred_ns(CLOCK_BOOTTIME);
    uint64_t system = kt_kuser64(KE_KUSER_SYSTEM_TIME), wall = kt_hundred_ns(CLOCK_REALTIME) + 116444736000000000ull;
    uint64_t ticks = kt_kuser64(KE_KUSER_TICK_COUNT);
    KT_TRUE(interrupt <= boot && boot - interrupt < 8 * tick);
    KT_TRUE(system <= wall && wall - system < 8 * tick);
    KT_TRUE(ticks * tick <= interrupt + tick && interrupt - ticks * tick < 3 * tick);
    KT_EQ_MEM(ke_kuser_page() + KE_KUSER_SYSTEM_TIME + 4, ke_kuser_page() + KE_KUSER_SYSTEM_TIME + 8, 4);
    KT_EQ_INT(kt_kuser64(KE_KUSER_TIME_ZONE_BIAS), 0);
}

/* The clock thread advances the page by itself, every 15.625 ms; two
 * seconds is a generous bound. */
KT_TEST(kuser_clock_ticks)
{
    uint64_t first = kt_kuser64(KE_KUSER_TICK_COUNT), deadline = kt_hundred_ns(CLOCK_MONOTONIC) + 20000000;
    while (kt_kuser64(KE_KUSER_TICK_COUNT) == first && kt_hundred_ns(CLOCK_MONOTONIC) < deadline)
        ;
    KT_TRUE(kt_kuser64(KE_KUSER_TICK_COUNT) > first);
}

/* Reads end inside the page. */
KT_TEST(kuser_read_bounds)
{
    uint8_t b[8];
    KT_TRUE(ke_kuser_read(KE_KUSER_SIZE - 8, b, 8));
    KT_FALSE(ke_kuser_read(KE_KUSER_SIZE - 4, b, 8));
    KT_FALSE(ke_kuser_read(KE_KUSER_SIZE, b, 1));
    KT_FALSE(ke_kuser_read(~0ull - 2, b, 4));
}

static void kt_write_kuser(void *arg)
{
    (void)arg;
    *(volatile uint32_t *)(uintptr_t)(ke_kuser_page() + KE_KUSER_NT_MAJOR_VERSION) = 5;
}

/* Drivers see it read-only, as Windows maps it: a store is bugcheck 0xBE,
 * P1 the Windows address of the field written. */
KT_TEST(kuser_page_is_read_only)
{
    KT_EXPECT_BUGCHECK(0xBE, KE_KUSER_ADDRESS + KE_KUSER_NT_MAJOR_VERSION, kt_write_kuser, NULL);
}

static uint64_t kt_pcr64(const uint8_t *pcr, unsigned offset)
{
    uint64_t v;
    memcpy(&v, pcr + offset, sizeof v);
    return v;
}

/* The KPCR's fields at their x64 offsets: Self, CurrentPrcb (the KPRCB at
 * 0x180), MajorVersion and MinorVersion 1, Prcb.MxCsr 0x1F80, processor 0,
 * and a placeholder thread until ke_pcr_set_thread. */
KT_TEST(pcr_fields)
{
    uint8_t *pcr = ke_pcr_current();
    KT_REQUIRE(KT_TRUE(pcr != NULL));
    KT_EQ_PTR(ke_pcr_if_created(), pcr);
    KT_EQ_HEX(kt_pcr64(pcr, KE_PCR_SELF), (uintptr_t)pcr);
    KT_EQ_HEX(kt_pcr64(pcr, KE_PCR_CURRENT_PRCB), (uintptr_t)pcr + 0x180);
    KT_EQ_HEX(kt_pcr64(pcr, KE_PCR_MAJOR_VERSION) & 0xFFFFFFFF, 0x00010001);
    KT_EQ_HEX(kt_pcr64(pcr, KE_PCR_PRCB + KE_PRCB_MXCSR) & 0xFFFFFFFF, 0x1F80);
    KT_EQ_INT(pcr[KE_PCR_PRCB + KE_PRCB_LEGACY_NUMBER], 0);
    KT_EQ_INT(kt_pcr64(pcr, KE_PCR_PRCB + KE_PRCB_NUMBER) & 0xFFFFFFFF, 0);
    void *placeholder = ke_pcr_current_thread();
    KT_EQ_HEX(kt_pcr64(pcr, KE_PCR_PRCB + KE_PRCB_CURRENT_THREAD), (uintptr_t)placeholder);
    KT_TRUE((uint8_t *)placeholder >= pcr + KE_PCR_SIZE);
    int object;
    ke_pcr_set_thread(&object);
    KT_EQ_PTR(ke_pcr_current_thread(), &object);
    ke_pcr_set_thread(NULL);
    KT_EQ_PTR(ke_pcr_current_thread(), placeholder);
}

struct kt_other {
    intptr_t pcr_offset;
    uint8_t *pcr;
};

static void *kt_other_thread(void *arg)
{
    struct kt_other *o = arg;
    o->pcr_offset = ke_pcr_tls_offset();
    o->pcr = ke_pcr_current();
    return NULL;
}

/* Each thread has its own KPCR, found at the same offset from the thread
 * pointer in every thread (what patched code relies on). */
KT_TEST(pcr_per_thread)
{
    struct kt_other o = { 0, NULL };
    pthread_t t;
    KT_REQUIRE(KT_EQ_INT(pthread_create(&t, NULL, kt_other_thread, &o), 0));
    pthread_join(t, NULL);
    KT_EQ_INT(o.pcr_offset, ke_pcr_tls_offset());
    KT_TRUE(o.pcr != NULL && o.pcr != ke_pcr_current());
}

/* --- .sys drivers built against mingw-w64's DDK headers --- */

static const char *kt_sys(const char *name)
{
    static char path[4096];
    const char *dir = getenv("NTBOX_SYS_DIR");
    if (!dir || !*dir)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, R_OK) == 0 ? path : NULL;
}

#define KT_NEED_SYS(path, name)                                                                                  \
    const char *path = kt_sys(name);                                                                             \
    if (!path) {                                                                                                 \
        printf("    # SKIP %s: no .sys test drivers (x86_64-w64-mingw32-gcc and its DDK headers)\n", name); \
        return;                                                                                                  \
    }

static void kt_check_counts(const char *name)
{
    char err[4096];
    KT_NEED_SYS(path, name);
    struct ldr_module *m = ldr_load_pe(path, false, err, sizeof err);
    if (!m) {
        kt_fail(__FILE__, __LINE__, "%s", err);
        return;
    }
    const struct ldr_patch_counts *c = ldr_pe_patch_counts(m);
    /* The source has 13 CR8 accesses (volatile: each stays), 5 gs loads
     * (not volatile: -O2 merges the two of gs:[0x188]) and at least 3
     * distinct KUSER_SHARED_DATA addresses whatever the optimizer merges. */
    if (c->cr8 < 13 || c->gs < 4 || c->kuser < 3 || c->left != 0)
        kt_fail(__FILE__, __LINE__, "%s: %u CR8, %u gs, %u KUSER accesses found, %u left unpatched", name, c->cr8, c->gs,
                c->kuser, c->left);
    ldr_unload_pe(m);
}

/* Every inline access of the driver is found and patched, at -O0 (gs
 * loads through a register, the KUSER address built with movabs) and at
 * -O2 (absolute gs offsets, moffs loads). */
KT_TEST(pe_inline_every_access_patched)
{
    kt_check_counts("inline_o0.sys");
    kt_check_counts("inline_o2.sys");
}

static void kt_run_driver(void *arg)
{
    char err[4096];
    struct io_driver *d;
    const char *path = arg;
    NTSTATUS status = io_driver_load("inline", path, &d, err, sizeof err);
    if (!d) {
        printf("load failed: %s\n", err);
        return;
    }
    printf("DriverEntry 0x%08X\n", (unsigned)status);
    io_driver_unload(d);
    io_driver_release(d);
}

static void kt_run_driver_emulated(void *arg)
{
    ldr_patch_enabled = false;
    kt_run_driver(arg);
}

static void kt_check_same(const char *name)
{
    static char patched[8192];
    int status;
    KT_NEED_SYS(path, name);
    snprintf(patched, sizeof patched, "%s", kt_run_child(kt_run_driver, (void *)path, &status));
    KT_EQ_INT(status, 0);
    KT_CONTAINS(patched, "inline: IRQL 0 at DriverEntry, 2 raised, the spin lock saw 2, 2 after it, 0 lowered\n"
                         "inline: 1000 raise and lower pairs, 0 mismatches\n");
    KT_CONTAINS(patched, "inline: TickCountMultiplier 0x0fa00000, system time live, tick count matches the interrupt "
                         "time\ninline: the tick count advances\n");
    KT_CONTAINS(patched, "inline: KPCR Self ok, Prcb ok, CurrentThread ok, PsGetCurrentThread ok, processor 0\n");
    KT_CONTAINS(patched, "DriverEntry 0x00000000\n");
    const char *emulated = kt_run_child(kt_run_driver_emulated, (void *)path, &status);
    KT_EQ_INT(status, 0);
    KT_EQ_STR(emulated, patched);
}

/* Patched or emulated, the driver sees the same IRQLs, clocks, version and
 * KPCR. */
KT_TEST(pe_inline_same_patched_and_emulated)
{
    kt_check_same("inline_o0.sys");
    kt_check_same("inline_o2.sys");
}
