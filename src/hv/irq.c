/* SPDX-License-Identifier: MIT */
/* irq.c - Book E interrupt delivery: vectors, save/restore register classes, gating, priority. */
#include "hv/internal.h"

/* MSR bits every interrupt clears (PPC440x5 manual, 6.5 "Interrupt Definitions", MSR tables). */
#define MSR_CLEAR_BASE (MSR_WE | MSR_EE | MSR_PR | MSR_FP | MSR_FE0 | MSR_FE1 | \
			MSR_DWE | MSR_IS | MSR_DS)

static bool is_critical(enum vcpu_ivor ivor)
{
	return ivor == IVOR_CRITICAL || ivor == IVOR_WATCHDOG || ivor == IVOR_DEBUG;
}

void irq_deliver(struct vcpu *v, enum vcpu_ivor ivor, uint32_t srr0)
{
	/*
	 * A wait state ends with the interrupt; the saved MSR has WE clear so
	 * the handler's rfi returns to the code after the wait.
	 */
	uint32_t old = v->msr & ~MSR_WE;
	uint32_t clear = MSR_CLEAR_BASE;

	if (ivor == IVOR_MACHINE_CHECK) {
		v->mcsrr0 = srr0;
		v->mcsrr1 = old;
		clear |= MSR_CE | MSR_ME | MSR_DE;
	} else if (is_critical(ivor)) {
		v->csrr0 = srr0;
		v->csrr1 = old;
		clear |= MSR_CE | MSR_DE;
	} else {
		v->srr0 = srr0;
		v->srr1 = old;
	}
	v->halted = false;
	/* Vector: IVPR[0:15] || IVORn[16:27] || 0b0000 (PPC440x5 manual, 6.3). */
	v->core.pc = (v->ivpr & 0xffff0000u) | (v->ivor[ivor] & 0x0000fff0u);
	vcpu_set_msr(v, v->msr & ~clear);
	v->stats.irq_delivered[ivor]++;
	trace_irq(v, ivor, srr0, v->core.pc);
	/* IRPT debug events come from non-critical interrupts only (manual 8.3.8) */
	if (__builtin_expect(v->dbcr0 & DBCR0_IRPT, 0) && ivor != IVOR_MACHINE_CHECK &&
	    !is_critical(ivor))
		dbg_interrupt_taken(v);
}

bool irq_machine_check(struct vcpu *v, uint32_t mcsr, uint32_t srr0)
{
	v->mcsr |= mcsr;
	if (!(v->msr & MSR_ME))
		return false;
	irq_deliver(v, IVOR_MACHINE_CHECK, srr0);
	return true;
}

/*
 * Asynchronous interrupts in the 440's priority order (PPC440x5 manual,
 * 6.8 "Interrupt Ordering"): critical input, watchdog, external input,
 * fixed-interval timer, decrementer. The return address is the next
 * instruction to execute.
 */
/* Is an asynchronous interrupt waiting (whether or not the guest can take it now)? */
bool irq_waiting(const struct vcpu *v)
{
	return v->irq_ext || v->irq_crit || ((v->tsr & TSR_DIS) && (v->tcr & TCR_DIE)) ||
	       ((v->tsr & TSR_FIS) && (v->tcr & TCR_FIE)) ||
	       ((v->tsr & TSR_WIS) && (v->tcr & TCR_WIE));
}

bool irq_deliver_pending(struct vcpu *v)
{
	uint32_t pc = v->core.pc;

	/* A paravirt guest's critical section holds off CE- and EE-class interrupts (as KVM's booke.c). */
	if (pv_critical(v))
		return false;
	if (v->msr & MSR_CE) {
		if (v->irq_crit) {
			irq_deliver(v, IVOR_CRITICAL, pc);
			return true;
		}
		if ((v->tsr & TSR_WIS) && (v->tcr & TCR_WIE)) {
			irq_deliver(v, IVOR_WATCHDOG, pc);
			return true;
		}
	}
	if (v->msr & MSR_EE) {
		if (v->irq_ext) {
			vcpu_account(v, HV_EXIT_EXTINT, 0, 0, pc, 0, TRACE_NO_INDEX);
			irq_deliver(v, IVOR_EXTERNAL, pc);
			return true;
		}
		if ((v->tsr & TSR_FIS) && (v->tcr & TCR_FIE)) {
			irq_deliver(v, IVOR_FIT, pc);
			return true;
		}
		if ((v->tsr & TSR_DIS) && (v->tcr & TCR_DIE)) {
			vcpu_account(v, HV_EXIT_DEC, 0, 0, pc, 0, TRACE_NO_INDEX);
			irq_deliver(v, IVOR_DECREMENTER, pc);
			return true;
		}
	}
	return false;
}

bool irq_can_wake(const struct vcpu *v)
{
	/*
	 * External, FIT and DEC need EE; critical input and watchdog need CE;
	 * a watchdog reset needs neither.
	 */
	return (v->msr & (MSR_EE | MSR_CE)) || (v->tcr & TCR_WRC);
}
