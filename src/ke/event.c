/* ke/event.c: event objects: KeInitializeEvent, KeSetEvent, KeResetEvent,
 * KeClearEvent, KeReadStateEvent, KePulseEvent.
 *
 * A notification event stays signalled and releases every waiter; a
 * synchronization event releases one waiter and resets itself. Surprise:
 * KeSetEvent's Increment (a priority boost) and Wait change nothing. With
 * Wait = TRUE, Windows returns still holding the dispatcher lock so the
 * caller's next KeWaitXxx starts atomically; ntbox's wait takes the lock
 * itself, and no wakeup can be lost in between. */
#include "ke/dispatcher.h"

/* Under the dispatcher lock: signals the event unless it is signalled
 * already, satisfying the waits it can; returns the previous state. */
static LONG ke_event_signal(PRKEVENT event)
{
    LONG previous = event->Header.SignalState;
    if (!previous) {
        event->Header.SignalState = 1;
        ke_dispatcher_signal(&event->Header);
    }
    return previous;
}

/* Sets Type (0 notification, 1 synchronization, the EVENT_TYPE values),
 * Size (6 LONGs), the initial state and an empty wait list; any IRQL (WDK,
 * KeInitializeEvent). */
VOID NTAPI KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    ke_dispatcher_init(&Event->Header, (UCHAR)Type, sizeof(KEVENT) / sizeof(LONG), State);
}

/* Signals the event and satisfies the waits it can; returns the previous
 * state, zero or nonzero; IRQL <= DISPATCH_LEVEL (WDK, KeSetEvent). */
LONG NTAPI KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    ke_dispatcher_lock();
    LONG previous = ke_event_signal(Event);
    ke_dispatcher_unlock();
    return previous;
}

/* Resets to not signalled; returns the previous state; IRQL <=
 * DISPATCH_LEVEL (WDK, KeResetEvent). */
LONG NTAPI KeResetEvent(PRKEVENT Event)
{
    ke_dispatcher_lock();
    LONG previous = Event->Header.SignalState;
    Event->Header.SignalState = 0;
    ke_dispatcher_unlock();
    return previous;
}

/* Resets to not signalled, returning nothing (WDK, KeClearEvent). */
VOID NTAPI KeClearEvent(PRKEVENT Event)
{
    KeResetEvent(Event);
}

/* The current state, zero or nonzero; any IRQL (WDK, KeReadStateEvent). */
LONG NTAPI KeReadStateEvent(PRKEVENT Event)
{
    ke_dispatcher_lock();
    LONG state = Event->Header.SignalState;
    ke_dispatcher_unlock();
    return state;
}

/* Signals the event, satisfies as many waits as it can, then resets it,
 * all at once; returns the previous state; IRQL <= DISPATCH_LEVEL (WDK,
 * KePulseEvent). */
LONG NTAPI KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    ke_dispatcher_lock();
    LONG previous = ke_event_signal(Event);
    Event->Header.SignalState = 0;
    ke_dispatcher_unlock();
    return previous;
}
