/* SPDX-License-Identifier: MIT */
/* count.c - a bare-metal guest for snapshot tests: deterministic work, a line of its state per step. */
#include "isa.h"

#define STEPS 1500
#define WORK  60000

static volatile uint32_t shared;

int main(void)
{
	uint32_t x = 0x12345678u, acc = 0;

	for (uint32_t step = 0; step < STEPS; step++) {
		for (uint32_t i = 0; i < WORK; i++) {
			uint32_t t;

			acc += isa_xorshift(&x) ^ (acc << 3);
			/* A reservation and a store-conditional every round, as Linux's atomics do. */
			__asm__ volatile("lwarx %0,0,%1\n\taddi %0,%0,1\n\tstwcx. %0,0,%1"
					 : "=&r"(t) : "r"(&shared) : "cr0", "memory");
		}
		isa_puts("step ");
		isa_dec(step);
		isa_puts(" acc ");
		isa_hex32(acc);
		isa_puts(" shared ");
		isa_hex32(shared);
		isa_putc('\n');
	}
	isa_puts("done\n");
	return 0;
}
