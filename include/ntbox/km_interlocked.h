/* ntbox/km_interlocked.h: the Interlocked* operations. In the WDK they are
 * compiler intrinsics (_InterlockedIncrement...) that compile to one locked
 * instruction and act as full barriers; here the same, through GCC's
 * __atomic builtins with sequentially consistent ordering. Each returns
 * what Windows documents: Increment/Decrement/Add the new value,
 * Exchange/ExchangeAdd/CompareExchange/And/Or/Xor the previous one. */
#ifndef NTBOX_KM_INTERLOCKED_H
#define NTBOX_KM_INTERLOCKED_H

#include <ntdef.h>

#define NTBOX_SEQ __ATOMIC_SEQ_CST

/* One set of operations per width: NTBOX_INTERLOCKED_OPS(LONG, ) defines
 * InterlockedIncrement..., NTBOX_INTERLOCKED_OPS(LONG64, 64) the *64 forms. */
#define NTBOX_INTERLOCKED_OPS(T, W) \
    FORCEINLINE T InterlockedIncrement##W(_Inout_ T volatile *Addend) \
    { \
        return __atomic_add_fetch(Addend, 1, NTBOX_SEQ); \
    } \
    FORCEINLINE T InterlockedDecrement##W(_Inout_ T volatile *Addend) \
    { \
        return __atomic_sub_fetch(Addend, 1, NTBOX_SEQ); \
    } \
    FORCEINLINE T InterlockedAdd##W(_Inout_ T volatile *Addend, _In_ T Value) \
    { \
        return __atomic_add_fetch(Addend, Value, NTBOX_SEQ); \
    } \
    FORCEINLINE T InterlockedExchangeAdd##W(_Inout_ T volatile *Addend, _In_ T Value) \
    { \
        return __atomic_fetch_add(Addend, Value, NTBOX_SEQ); \
    } \
    FORCEINLINE T InterlockedExchange##W(_Inout_ T volatile *Target, _In_ T Value) \
    { \
        return __atomic_exchange_n(Target, Value, NTBOX_SEQ); \
    } \
    /* Returns the initial value, whether or not it was replaced. */ \
    FORCEINLINE T InterlockedCompareExchange##W(_Inout_ T volatile *Destination, _In_ T ExChange, _In_ T Comperand) \
    { \
        __atomic_compare_exchange_n(Destination, &Comperand, ExChange, 0, NTBOX_SEQ, NTBOX_SEQ); \
        return Comperand; \
    } \
    FORCEINLINE T InterlockedAnd##W(_Inout_ T volatile *Destination, _In_ T Value) \
    { \
        return __atomic_fetch_and(Destination, Value, NTBOX_SEQ); \
    } \
    FORCEINLINE T InterlockedOr##W(_Inout_ T volatile *Destination, _In_ T Value) \
    { \
        return __atomic_fetch_or(Destination, Value, NTBOX_SEQ); \
    } \
    FORCEINLINE T InterlockedXor##W(_Inout_ T volatile *Destination, _In_ T Value) \
    { \
        return __atomic_fetch_xor(Destination, Value, NTBOX_SEQ); \
    }

NTBOX_INTERLOCKED_OPS(LONG, )
NTBOX_INTERLOCKED_OPS(LONG64, 64)
#undef NTBOX_INTERLOCKED_OPS

FORCEINLINE PVOID InterlockedExchangePointer(_Inout_ PVOID volatile *Target, _In_opt_ PVOID Value)
{
    return __atomic_exchange_n(Target, Value, NTBOX_SEQ);
}
FORCEINLINE PVOID InterlockedCompareExchangePointer(_Inout_ PVOID volatile *Destination, _In_opt_ PVOID ExChange,
                                                    _In_opt_ PVOID Comperand)
{
    __atomic_compare_exchange_n(Destination, &Comperand, ExChange, 0, NTBOX_SEQ, NTBOX_SEQ);
    return Comperand;
}

/* The WDK's other spellings of the same operations. */
#define InterlockedExchangeAddSizeT(a, b) ((SIZE_T)InterlockedExchangeAdd64((LONG64 volatile *)(a), (LONG64)(b)))
#define InterlockedIncrementSizeT(a) ((SIZE_T)InterlockedIncrement64((LONG64 volatile *)(a)))
#define InterlockedDecrementSizeT(a) ((SIZE_T)InterlockedDecrement64((LONG64 volatile *)(a)))
#define InterlockedIncrementAcquire InterlockedIncrement
#define InterlockedIncrementRelease InterlockedIncrement
#define InterlockedDecrementAcquire InterlockedDecrement
#define InterlockedDecrementRelease InterlockedDecrement
#define InterlockedCompareExchangeAcquire InterlockedCompareExchange
#define InterlockedCompareExchangeRelease InterlockedCompareExchange
#define InterlockedExchangeAcquire InterlockedExchange
#define MemoryBarrier() __atomic_thread_fence(NTBOX_SEQ)
#define KeMemoryBarrier() MemoryBarrier()
#define KeMemoryBarrierWithoutFence() __atomic_signal_fence(NTBOX_SEQ)
#define ReadAcquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define WriteRelease(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ReadNoFence(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define WriteNoFence(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define YieldProcessor() __builtin_ia32_pause()

#endif
