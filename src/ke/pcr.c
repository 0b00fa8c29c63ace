/* ke/pcr.c: one KPCR per thread that runs driver code (see pcr.h).
 *
 * A KPCR is one mapping: the KPCR and KPRCB drivers may read (zero but for
 * the fields below), a guard page, then the placeholder thread object that
 * gs:[0x188] points at until the thread has a real one. The mapping is made
 * with mmap only, so the fault handler can create it on a thread's first gs
 * access. */
#include "ke/pcr.h"

#include "ke/irql.h"

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

/* Room for a placeholder KTHREAD/ETHREAD (0x900 bytes or so on x64). */
#define KE_PCR_THREAD_SIZE 0x1000u
#define KE_PCR_GUARD 0x1000u
#define KE_PCR_MAPPING (KE_PCR_SIZE + KE_PCR_GUARD + KE_PCR_THREAD_SIZE)

static __thread uint8_t *ke_pcr_this_thread;
static pthread_key_t ke_pcr_key;
static pthread_once_t ke_pcr_key_once = PTHREAD_ONCE_INIT;

static void ke_pcr_release(void *pcr)
{
    ke_pcr_this_thread = NULL;
    munmap(pcr, KE_PCR_MAPPING);
}

static void ke_pcr_make_key(void)
{
    pthread_key_create(&ke_pcr_key, ke_pcr_release);
}

static void ke_pcr_put(uint8_t *pcr, unsigned offset, const void *value, size_t n)
{
    memcpy(pcr + offset, value, n);
}

static uint8_t *ke_pcr_placeholder(uint8_t *pcr)
{
    return pcr + KE_PCR_SIZE + KE_PCR_GUARD;
}

static uint8_t *ke_pcr_create(void)
{
    uint8_t *pcr = mmap(NULL, KE_PCR_MAPPING, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pcr == MAP_FAILED)
        return NULL;
    mprotect(pcr + KE_PCR_SIZE, KE_PCR_GUARD, PROT_NONE);
    uint8_t *prcb = pcr + KE_PCR_PRCB, *thread = ke_pcr_placeholder(pcr);
    const uint16_t version = 1;             /* PCR_MAJOR_VERSION, PCR_MINOR_VERSION */
    const uint32_t mxcsr = 0x1F80;          /* all exceptions masked, round to nearest */
    KIRQL irql = ke_irql_get();
    ke_pcr_put(pcr, KE_PCR_SELF, &pcr, sizeof pcr);
    ke_pcr_put(pcr, KE_PCR_CURRENT_PRCB, &prcb, sizeof prcb);
    ke_pcr_put(pcr, KE_PCR_IRQL, &irql, sizeof irql);
    ke_pcr_put(pcr, KE_PCR_MAJOR_VERSION, &version, sizeof version);
    ke_pcr_put(pcr, KE_PCR_MINOR_VERSION, &version, sizeof version);
    ke_pcr_put(prcb, KE_PRCB_MXCSR, &mxcsr, sizeof mxcsr);
    ke_pcr_put(prcb, KE_PRCB_CURRENT_THREAD, &thread, sizeof thread);
    pthread_once(&ke_pcr_key_once, ke_pcr_make_key);
    pthread_setspecific(ke_pcr_key, pcr);
    ke_pcr_this_thread = pcr;
    return pcr;
}

uint8_t *ke_pcr_current(void)
{
    return ke_pcr_this_thread ? ke_pcr_this_thread : ke_pcr_create();
}

uint8_t *ke_pcr_if_created(void)
{
    return ke_pcr_this_thread;
}

void ke_pcr_set_thread(void *thread)
{
    uint8_t *pcr = ke_pcr_current();
    if (!pcr)
        return;
    void *value = thread ? thread : ke_pcr_placeholder(pcr);
    ke_pcr_put(pcr, KE_PCR_PRCB + KE_PRCB_CURRENT_THREAD, &value, sizeof value);
}

void *ke_pcr_current_thread(void)
{
    uint8_t *pcr = ke_pcr_current();
    void *thread = NULL;
    if (pcr)
        memcpy(&thread, pcr + KE_PCR_PRCB + KE_PRCB_CURRENT_THREAD, sizeof thread);
    return thread;
}

intptr_t ke_tls_offset(const void *variable)
{
    const char *tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return (const char *)variable - tp;
}

intptr_t ke_pcr_tls_offset(void)
{
    return ke_tls_offset(&ke_pcr_this_thread);
}
