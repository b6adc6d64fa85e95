/* SPDX-License-Identifier: MIT */
/*
 * uic_irq.c - external input and critical input interrupts from UIC0 (DCR 0xC0), raised by
 * software through UIC0_SRS: gating by MSR[EE] / MSR[CE] and UIC0_ER, routing by UIC0_CR,
 * SRR0/1 versus CSRR0/1, MSR bits cleared on entry, and rfi / rfci back.
 */
#include "isa.h"

#define UIC0_SR 0xc0
#define UIC0_SRS 0xc1
#define UIC0_ER 0xc2
#define UIC0_CR 0xc3
#define UIC0_TR 0xc5
#define UIC0_MSR 0xc6
#define IRQ_BIT (0x80000000u >> 10) /* input 10: not wired to a device on bamboo */

#define mtdcr(n, v) __asm__ volatile("mtdcr " STR(n) ",%0" : : "r"((uint32_t)(v)) : "memory")
#define mfdcr(n) ({ uint32_t v_; __asm__ volatile("mfdcr %0," STR(n) : "=r"(v_)); v_; })

static volatile uint32_t hits, last_vec, last_srr1, msr_in_handler;

static void irq_handler(struct isa_frame *f)
{
	hits++;
	last_vec = f->vec;
	last_srr1 = f->srr1;
	msr_in_handler = mfmsr();
	/* Acknowledge: clear the status bit (write 1 to clear). */
	mtdcr(UIC0_SR, IRQ_BIT);
}

static uint32_t u_inc(uint32_t x)
{
	return x + 1;
}

static void report(const char *what)
{
	isa_puts(what);
	isa_puts(": hits=");
	isa_dec(hits);
	if (hits) {
		isa_puts(" int=");
		isa_puts(isa_vec_name(last_vec));
		isa_puts(" srr1=");
		isa_hex32(last_srr1);
		isa_puts(" msr=");
		isa_hex32(msr_in_handler);
	}
	isa_putc('\n');
	hits = 0;
}

int main(void)
{
	uint32_t msr = mfmsr();

	isa_handlers[IV_EXTERNAL] = irq_handler;
	isa_handlers[IV_CRITICAL] = irq_handler;
	mtdcr(UIC0_ER, 0);
	mtdcr(UIC0_TR, mfdcr(UIC0_TR) | IRQ_BIT); /* edge: the status bit holds until cleared */
	mtdcr(UIC0_SR, 0xffffffffu);

	/* Status without enable: nothing is delivered, MSR (masked status) stays 0. */
	mtmsr(msr | MSR_EE | MSR_CE);
	mtdcr(UIC0_SRS, IRQ_BIT);
	isa_show("uic sr after srs", mfdcr(UIC0_SR) & IRQ_BIT);
	isa_show("uic msr without er", mfdcr(UIC0_MSR) & IRQ_BIT);
	report("pending, not enabled");

	/* Enabled as non-critical while MSR[EE] = 0: held until EE is set. */
	mtmsr(msr);
	mtdcr(UIC0_CR, 0);
	mtdcr(UIC0_ER, IRQ_BIT);
	report("enabled, MSR[EE]=0");
	mtmsr(msr | MSR_EE);
	report("MSR[EE]=1");
	isa_show("uic sr after ack", mfdcr(UIC0_SR) & IRQ_BIT);

	/* Routed critical: MSR[EE] does not matter, MSR[CE] does; CSRR0/1, rfci. */
	mtmsr(msr | MSR_EE);
	mtdcr(UIC0_CR, IRQ_BIT);
	mtdcr(UIC0_SRS, IRQ_BIT);
	report("critical, MSR[CE]=0");
	mtmsr(msr | MSR_CE);
	report("critical, MSR[CE]=1");

	/* Raised from user mode: SRR1 has PR, the handler runs in supervisor mode. */
	mtdcr(UIC0_CR, 0);
	mtmsr(msr);
	mtdcr(UIC0_SRS, IRQ_BIT);
	isa_tlb_user_ok();
	isa_show("user function result", isa_call_user(u_inc, 41, MSR_PR | MSR_EE));
	report("external from user mode");
	mtdcr(UIC0_ER, 0);
	mtmsr(msr);
	return 0;
}
