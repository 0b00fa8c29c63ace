/* ke/kuser.c: the KUSER_SHARED_DATA page (see kuser.h).
 *
 * One memfd mapped twice: a writable view ntbox updates and a read-only one
 * drivers are pointed at, so a driver writing to it faults as on Windows.
 * The clocks follow Windows' clock interrupt: every 15.625 ms a thread
 * stores InterruptTime (CLOCK_BOOTTIME, as KeQueryInterruptTime), SystemTime
 * (CLOCK_REALTIME from 1601, as KeQuerySystemTimePrecise; UTC, the time zone
 * bias is 0) and TickCount (interrupt time in ticks), each KSYSTEM_TIME the
 * way Windows writes it: High2Time first, then LowPart and High1Time in one
 * 64-bit store, so a reader of the 64-bit value never sees it torn and a
 * reader of the three parts can tell. The version fields follow
 * RtlGetVersion (--os-version). The page is a shared mapping, so a forked
 * child (a test expecting a bugcheck) sees the parent's clock thread tick. */
#include "ke/kuser.h"

#include "ke/dispatcher.h"
#include "rtl/version.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint8_t *ke_kuser_rw;
static const uint8_t *ke_kuser_ro;
static int ke_kuser_state;             /* 0 none, 1 being made, 2 made, 3 could not be made */
static int ke_kuser_update_lock;
static pthread_once_t ke_kuser_clock_once = PTHREAD_ONCE_INIT;

static void ke_kuser_put(unsigned offset, const void *value, size_t n)
{
    memcpy(ke_kuser_rw + offset, value, n);
}

static void ke_kuser_put32(unsigned offset, uint32_t value)
{
    ke_kuser_put(offset, &value, sizeof value);
}

/* One 64-bit store, whatever the optimization level: the two halves of a
 * clock must change together. */
static void ke_kuser_store64(unsigned offset, uint64_t value)
{
    __asm__ volatile("movq %1, %0" : "=m"(*(uint8_t(*)[8])(ke_kuser_rw + offset)) : "r"(value));
}

static void ke_kuser_set_time(unsigned offset, uint64_t value)
{
    ke_kuser_put32(offset + 8, (uint32_t)(value >> 32));     /* High2Time */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    ke_kuser_store64(offset, value);                         /* LowPart, High1Time */
}

static uint64_t ke_kuser_hundred_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 10000000u + (uint64_t)ts.tv_nsec / 100;
}

static void ke_kuser_update(void)
{
    ULONG major, minor, build;

    while (__atomic_exchange_n(&ke_kuser_update_lock, 1, __ATOMIC_ACQUIRE))
        ;
    uint64_t interrupt = ke_kuser_hundred_ns(CLOCK_BOOTTIME);
    ke_kuser_set_time(KE_KUSER_INTERRUPT_TIME, interrupt);
    ke_kuser_set_time(KE_KUSER_SYSTEM_TIME,
                      (uint64_t)KE_SYSTEM_TIME_OF_UNIX_EPOCH + ke_kuser_hundred_ns(CLOCK_REALTIME));
    ke_kuser_set_time(KE_KUSER_TICK_COUNT, interrupt / KE_KUSER_TIME_INCREMENT);
    rtl_version_get(&major, &minor, &build);
    ke_kuser_put32(KE_KUSER_NT_MAJOR_VERSION, major);
    ke_kuser_put32(KE_KUSER_NT_MINOR_VERSION, minor);
    ke_kuser_put32(KE_KUSER_NT_BUILD_NUMBER, build);
    __atomic_store_n(&ke_kuser_update_lock, 0, __ATOMIC_RELEASE);
}

/* What does not change: an x64 workstation with ntbox's processors, no
 * debugger. */
static void ke_kuser_fill(void)
{
    /* PF_COMPARE_EXCHANGE_DOUBLE, MMX, XMMI, RDTSC, PAE, XMMI64, NX,
     * COMPARE_EXCHANGE128, FASTFAIL: what every x64 processor Windows
     * supports has; SSE3 when the host has it. */
    static const uint8_t features[] = { 2, 3, 6, 8, 9, 10, 12, 14, 23 };
    static const char root[] = "C:\\Windows";
    long pages = sysconf(_SC_PHYS_PAGES);

    ke_kuser_put32(KE_KUSER_TICK_COUNT_MULTIPLIER, (uint32_t)(((uint64_t)KE_KUSER_TIME_INCREMENT << 24) / 10000));
    ke_kuser_put32(KE_KUSER_IMAGE_NUMBER_LOW, 0x8664 | 0x8664u << 16);   /* both USHORTs: IMAGE_FILE_MACHINE_AMD64 */
    for (unsigned i = 0; root[i]; i++) {
        uint16_t c = (uint16_t)root[i];
        ke_kuser_put(KE_KUSER_NT_SYSTEM_ROOT + 2 * i, &c, sizeof c);
    }
    ke_kuser_put32(KE_KUSER_LARGE_PAGE_MINIMUM, 0x200000);
    ke_kuser_put32(KE_KUSER_NT_PRODUCT_TYPE, 1);                  /* NtProductWinNt */
    ke_kuser_rw[KE_KUSER_PRODUCT_TYPE_IS_VALID] = 1;
    ke_kuser_rw[KE_KUSER_NATIVE_PROCESSOR_ARCHITECTURE] = 9;      /* PROCESSOR_ARCHITECTURE_AMD64 */
    for (size_t i = 0; i < sizeof features; i++)
        ke_kuser_rw[KE_KUSER_PROCESSOR_FEATURES + features[i]] = 1;
    __builtin_cpu_init();
    ke_kuser_rw[KE_KUSER_PROCESSOR_FEATURES + 13] = __builtin_cpu_supports("sse3") ? 1 : 0;
    ke_kuser_put32(KE_KUSER_NUMBER_OF_PHYSICAL_PAGES, pages > 0 && pages < 0xFFFFFFFFL ? (uint32_t)pages : 0);
    uint64_t qpc_frequency = 10000000;                            /* 10 MHz, as Windows 10 and later */
    ke_kuser_put(KE_KUSER_QPC_FREQUENCY, &qpc_frequency, sizeof qpc_frequency);
    ke_kuser_put32(KE_KUSER_ACTIVE_PROCESSOR_COUNT, KeQueryActiveProcessorCount(NULL));
    ke_kuser_rw[KE_KUSER_ACTIVE_GROUP_COUNT] = 1;
}

/* Made with system calls only (memfd, mmap), so the fault handler can make
 * it: the first thread to get here makes it, others wait. */
static bool ke_kuser_make(void)
{
    int expected = 0;
    if (__atomic_compare_exchange_n(&ke_kuser_state, &expected, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        int fd = memfd_create("ntbox-kuser-shared-data", MFD_CLOEXEC);
        void *rw = MAP_FAILED, *ro = MAP_FAILED;
        if (fd >= 0 && ftruncate(fd, KE_KUSER_SIZE) == 0) {
            rw = mmap(NULL, KE_KUSER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            ro = mmap(NULL, KE_KUSER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
        }
        if (fd >= 0)
            close(fd);
        if (rw == MAP_FAILED || ro == MAP_FAILED) {
            if (rw != MAP_FAILED)
                munmap(rw, KE_KUSER_SIZE);
            if (ro != MAP_FAILED)
                munmap(ro, KE_KUSER_SIZE);
            __atomic_store_n(&ke_kuser_state, 3, __ATOMIC_RELEASE);
            return false;
        }
        ke_kuser_rw = rw;
        ke_kuser_ro = ro;
        ke_kuser_fill();
        ke_kuser_update();
        __atomic_store_n(&ke_kuser_state, 2, __ATOMIC_RELEASE);
        return true;
    }
    while ((expected = __atomic_load_n(&ke_kuser_state, __ATOMIC_ACQUIRE)) == 1)
        ;
    return expected == 2;
}

/* The clock interrupt: absolute deadlines, so ticks do not drift. */
static void *ke_kuser_clock(void *arg)
{
    struct timespec next;
    (void)arg;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        next.tv_nsec += KE_KUSER_TIME_INCREMENT * 100;
        if (next.tv_nsec >= 1000000000) {
            next.tv_nsec -= 1000000000;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        ke_kuser_update();
    }
    return NULL;
}

static void ke_kuser_start_clock(void)
{
    pthread_attr_t attr;
    pthread_t thread;
    sigset_t all, old;

    /* Signals belong to the threads that run drivers and clients. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_create(&thread, &attr, ke_kuser_clock, NULL);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

const uint8_t *ke_kuser_page(void)
{
    if (!ke_kuser_make())
        return NULL;
    pthread_once(&ke_kuser_clock_once, ke_kuser_start_clock);
    return ke_kuser_ro;
}

bool ke_kuser_contains(const void *address, uint64_t *windows)
{
    uintptr_t a = (uintptr_t)address, page = (uintptr_t)ke_kuser_ro;
    if (a - KE_KUSER_ADDRESS < KE_KUSER_SIZE) {
        *windows = a;
        return true;
    }
    if (page && a - page < KE_KUSER_SIZE) {
        *windows = KE_KUSER_ADDRESS + (a - page);
        return true;
    }
    return false;
}

bool ke_kuser_read(uint64_t offset, void *out, size_t n)
{
    if (offset > KE_KUSER_SIZE || n > KE_KUSER_SIZE - offset || !ke_kuser_make())
        return false;
    ke_kuser_update();
    memcpy(out, ke_kuser_ro + offset, n);
    return true;
}
