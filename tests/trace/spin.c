/* SPDX-License-Identifier: MIT */
/* spin.c - a guest that spends almost all its time in one known function (profile test). */
#include "isa.h"

volatile uint32_t sink;

/* The hot function: the profile must put it on top. */
__attribute__((noinline)) void spin_hot(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		sink += i;
}

/* A little work elsewhere, so the test shows the profile ranks functions. */
__attribute__((noinline)) void spin_cold(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		sink ^= i;
}

__attribute__((noinline)) void spin_outer(void)
{
	for (int k = 0; k < 80; k++) { /* about 0.3 s with the JIT: 150 samples at 500 Hz */
		spin_hot(2000000);
		spin_cold(100000);
	}
}

int main(void)
{
#ifdef SPIN_FOREVER
	/* For the live-statistics tests, which stop it with SIGTERM. */
	for (;;)
		spin_outer();
#endif
	spin_outer();
	isa_puts("spin done\n");
	return 0;
}
