/* SPDX-License-Identifier: MIT */
/*
 * exitloop.c - bare-metal exit-path benchmark: ITERATIONS mfdcr of UIC0's status register,
 * each a full exit (DCR) that the hypervisor completes, so hv440's time per exit (user CPU
 * time / exits) is the run loop's round trip. Build as bench/run.py builds intloop.c.
 */
#include "isa.h"

#ifndef ITERATIONS
#define ITERATIONS 5000000u
#endif

int main(void)
{
	uint32_t acc = 0, i, v;

	for (i = 0; i < ITERATIONS; i++) {
		__asm__ volatile("mfdcr %0,0xc0" : "=r"(v)); /* UIC0_SR */
		acc += v;
	}
	isa_puts("exitloop done ");
	isa_hex32(acc);
	isa_putc('\n');
	isa_exit();
}
