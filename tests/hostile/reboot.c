/* SPDX-License-Identifier: MIT */
/*
 * reboot.c - 25 bus errors, then a system reset, on every boot: run without
 * --no-reboot, a guest that resets after each burst must not get a fresh
 * allowance of guest-error log lines each time.
 */
#include "isa.h"

#define NOTHING_THERE 0x90000000u

static void on_mc(struct isa_frame *f) { f->srr0 += 4; }

int main(void)
{
	uint32_t i;

	isa_puts("reboot: boot\n");
	mtmsr(mfmsr() | MSR_ME);
	isa_tlb_write(62, NOTHING_THERE, NOTHING_THERE, TLB_SIZE_16M, 0, 0,
		      TLB_I | TLB_G | TLB_SR | TLB_SW);
	isa_handlers[IV_MCHECK] = on_mc;
	__asm__ volatile("" : : : "memory");
	for (i = 0; i < 25; i++)
		(void)*(volatile uint32_t *)NOTHING_THERE;
	isa_exit();
}
