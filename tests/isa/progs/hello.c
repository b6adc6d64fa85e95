/* SPDX-License-Identifier: MIT */
/* hello.c - smallest program: the UART, the runtime and exit work. */
#include "isa.h"

int main(void)
{
	isa_puts("hello from the 440\n");
	isa_show("msr", mfmsr());
	return 0;
}
