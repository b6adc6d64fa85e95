/* SPDX-License-Identifier: MIT */
/* chatty.c - prints 5000 known lines on UART0 as fast as THRE allows, for a slow host reader. */
#include "isa.h"

#define UART_LSR ((volatile uint8_t *)0xef600305)
#define LSR_TEMT 0x40

int main(void)
{
	uint32_t x = 1;

	/* The host recomputes the same LCG (Numerical Recipes constants) and compares. */
	for (int i = 0; i < 5000; i++) {
		x = x * 1664525u + 1013904223u;
		isa_hex32(x);
		isa_putc('\n');
	}
	isa_puts("chatty end\n");
	/* Leave only when the last byte is out (LSR[TEMT]), as a driver does before a reset. */
	while (!(*UART_LSR & LSR_TEMT))
		;
	return 0;
}
