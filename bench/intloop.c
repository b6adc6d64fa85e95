/* SPDX-License-Identifier: MIT */
/*
 * intloop.c - bare-metal integer benchmark: a fixed number of iterations of
 * integer work (xorshift, multiply, add, rotate, compare-and-branch), then
 * the checksum on UART0. The instruction count is the same on every VMM, so
 * hv440's count (--stats) divided by each VMM's time is its instruction rate.
 */
#include "isa.h"

#ifndef ITERATIONS
#define ITERATIONS 20000000u /* tests/jit builds it with fewer */
#endif

int main(void)
{
	uint32_t x = 0x12345678u, acc = 0, i;

	for (i = 0; i < ITERATIONS; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		acc += x * 2654435761u;
		acc = (acc << 7) | (acc >> 25);
		if (acc & 1)
			acc ^= i;
	}
	isa_puts("intloop checksum ");
	isa_hex32(acc);
	isa_putc('\n');
	isa_exit();
}
