/* rtl/random.c: RtlRandomEx, the kernel's pseudo-random numbers.
 *
 * The caller's seed steps a Lehmer-style generator modulo 2^31 - 1
 * (multiplier 0x7FFFFFED, increment 0x7FFFFFC3, as RtlUniform's), and the
 * result is drawn through a 128-entry shuffle table shared by all callers,
 * which breaks up the generator's sequential correlation. Results lie in
 * [0, MAXLONG - 1]. Not for cryptography, as on Windows. */
#include <ntddk.h>

#define RTL_RANDOM_MODULUS 0x7FFFFFFFu
#define RTL_RANDOM_TABLE 128

static ULONG rtl_uniform(PULONG seed)
{
    *seed = (ULONG)(((ULONGLONG)*seed * 0x7FFFFFEDu + 0x7FFFFFC3u) % RTL_RANDOM_MODULUS);
    return *seed;
}

static ULONG rtl_random_table[RTL_RANDOM_TABLE];
static ULONG rtl_random_last;

__attribute__((constructor)) static void rtl_random_init(void)
{
    ULONG seed = 0x1F2E3D4C;
    for (ULONG i = 0; i < RTL_RANDOM_TABLE; i++)
        rtl_random_table[i] = rtl_uniform(&seed);
    rtl_random_last = rtl_uniform(&seed);
}

/* A number in [0, MAXLONG - 1]; *Seed is advanced. Any IRQL (WDK,
 * RtlRandomEx). Concurrent callers each get a table entry of their own:
 * the exchange is atomic. */
NTSYSAPI ULONG NTAPI RtlRandomEx(PULONG Seed)
{
    ULONG slot = __atomic_load_n(&rtl_random_last, __ATOMIC_RELAXED) % RTL_RANDOM_TABLE;
    ULONG result = __atomic_exchange_n(&rtl_random_table[slot], rtl_uniform(Seed), __ATOMIC_RELAXED);
    __atomic_store_n(&rtl_random_last, result, __ATOMIC_RELAXED);
    return result;
}
