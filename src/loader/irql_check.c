/* loader/irql_check.c: what an IRQL thunk (loader/irql_thunk.h) does when
 * a driver calls a routine above the highest IRQL its export row records.
 *
 * Windows' Driver Verifier finds such calls with its DDI compliance rules
 * (IrqlZwPassive, IrqlIoPassive1, IrqlKeDispatchLte...), each stopping the
 * system with bug check 0xC4 and the rule's code as parameter 1, a pointer
 * to the text of the violated condition as parameter 2 (bug check 0xC4
 * reference). The rules group routines by family and level; ntbox charges a
 * call to its family's rule for the routine's level, and to IrqlApcLte or
 * IrqlKeDispatchLte when no family rule fits. */
#include "ke/bugcheck.h"
#include "ke/irql.h"
#include "loader/exports.h"
#include "verifier/verifier.h"

#include <stdio.h>
#include <string.h>

struct ldr_irql_rule {
    const char *prefix; /* the routines' family */
    KIRQL max;          /* the level the rule allows up to */
    ULONG code;         /* bug check 0xC4's parameter 1 */
    const char *name;
};

static const struct ldr_irql_rule ldr_irql_rules[] = {
    { "Zw", PASSIVE_LEVEL, 0x0002001F, "IrqlZwPassive" },
    { "Ps", PASSIVE_LEVEL, 0x0002001C, "IrqlPsPassive" },
    { "Ob", PASSIVE_LEVEL, 0x0002001B, "IrqlObPassive" },
    { "Rtl", PASSIVE_LEVEL, 0x0002001E, "IrqlRtlPassive" },
    { "Io", PASSIVE_LEVEL, 0x0002000A, "IrqlIoPassive1" },
    { "Io", APC_LEVEL, 0x00020009, "IrqlIoApcLte" },
    { "Io", DISPATCH_LEVEL, 0x00020022, "IrqlIoDispatch" },
    { "Ex", PASSIVE_LEVEL, 0x00020008, "IrqlExPassive" },
    { "Ex", APC_LEVEL, 0x00020006, "IrqlExApcLte2" },
    { "Ke", APC_LEVEL, 0x0002000F, "IrqlKeApcLte1" },
    { "Mm", PASSIVE_LEVEL, 0x00020019, "IrqlMmApcLte" },
    { "Mm", APC_LEVEL, 0x00020019, "IrqlMmApcLte" },
};

static const struct ldr_irql_rule ldr_irql_apc_rule = { "", APC_LEVEL, 0x00020002, "IrqlApcLte" };
static const struct ldr_irql_rule ldr_irql_dispatch_rule = { "", DISPATCH_LEVEL, 0x00020011, "IrqlKeDispatchLte" };

static const struct ldr_irql_rule *ldr_irql_rule_for(const struct ldr_export *e)
{
    for (size_t i = 0; i < sizeof ldr_irql_rules / sizeof ldr_irql_rules[0]; i++) {
        const struct ldr_irql_rule *r = &ldr_irql_rules[i];
        if (r->max == e->max_irql && strncmp(e->name, r->prefix, strlen(r->prefix)) == 0)
            return r;
    }
    return e->max_irql < DISPATCH_LEVEL ? &ldr_irql_apc_rule : &ldr_irql_dispatch_rule;
}

/* Called by ldr_irql_slow with the row's index and the driver's return
 * address; returns only when the irql group is off. */
__attribute__((ms_abi, used)) void ldr_irql_violation(unsigned row, const void *at)
{
    static char condition[256];
    const struct ldr_export *e = &ldr_exports[row];
    KIRQL irql = ke_irql_get();

    if (!vf_enabled(VF_IRQL))
        return;
    const struct ldr_irql_rule *rule = ldr_irql_rule_for(e);
    snprintf(condition, sizeof condition, "%s is called at IRQL <= %s only", e->name, ke_irql_name(e->max_irql));
    ke_bugcheck(0xC4, rule->code, (ULONG_PTR)condition, 0, 0, at,
                "%s at %s: callers must be at IRQL <= %s (DDI compliance rule %s).", e->name, ke_irql_name(irql),
                ke_irql_name(e->max_irql), rule->name);
}

/* The thunks' way out above the maximum: a frame (rbp chained, so the
 * backtrace passes through the driver's call), the argument registers
 * saved around the Microsoft-ABI call to ldr_irql_violation, then on to the
 * routine at r11 as if the thunk had gone there directly. On entry eax is
 * the row, r11 where to go on, and the stack as the driver's call left it
 * (rsp = 8 mod 16). */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl ldr_irql_slow\n"
        ".hidden ldr_irql_slow\n"
        ".type ldr_irql_slow, @function\n"
        "ldr_irql_slow:\n"
        "    pushq %rbp\n"
        "    movq %rsp, %rbp\n"
        "    subq $0x90, %rsp\n"
        "    movq %rcx, 0x20(%rsp)\n"
        "    movq %rdx, 0x28(%rsp)\n"
        "    movq %r8, 0x30(%rsp)\n"
        "    movq %r9, 0x38(%rsp)\n"
        "    movaps %xmm0, 0x40(%rsp)\n"
        "    movaps %xmm1, 0x50(%rsp)\n"
        "    movaps %xmm2, 0x60(%rsp)\n"
        "    movaps %xmm3, 0x70(%rsp)\n"
        "    movq %r11, 0x80(%rsp)\n"
        "    movl %eax, %ecx\n"
        "    movq 8(%rbp), %rdx\n"
        "    call ldr_irql_violation\n"
        "    movq 0x20(%rsp), %rcx\n"
        "    movq 0x28(%rsp), %rdx\n"
        "    movq 0x30(%rsp), %r8\n"
        "    movq 0x38(%rsp), %r9\n"
        "    movaps 0x40(%rsp), %xmm0\n"
        "    movaps 0x50(%rsp), %xmm1\n"
        "    movaps 0x60(%rsp), %xmm2\n"
        "    movaps 0x70(%rsp), %xmm3\n"
        "    movq 0x80(%rsp), %r11\n"
        "    leave\n"
        "    jmp *%r11\n"
        ".size ldr_irql_slow, . - ldr_irql_slow\n");
