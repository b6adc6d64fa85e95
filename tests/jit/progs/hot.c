/* SPDX-License-Identifier: MIT */
/*
 * hot.c - instructions the JIT translates, run hot (thousands of times, so
 * they are translated, not interpreted) with every outcome checked against
 * values worked out by hand. tests/jit/run.sh runs it on each engine and in
 * lockstep: each line must say "ok", and the engines must print the same.
 */
#include "isa.h"

static volatile uint32_t words[4] __attribute__((aligned(16)));

static uint32_t mfcr(void)
{
	uint32_t v;

	__asm__ volatile("mfcr %0" : "=r"(v));
	return v;
}

/* lwarx; addi; stwcx. - returns CR0 after the stwcx. */
static uint32_t inc_reserved(volatile uint32_t *p)
{
	uint32_t v, cr;

	__asm__ volatile("lwarx %0,0,%2\n addi %0,%0,1\n stwcx. %0,0,%2\n mfcr %1"
			 : "=&r"(v), "=&r"(cr) : "b"(p) : "cr0", "memory");
	return cr >> 28;
}

/* lwarx of a, then stwcx. to b: the reservation does not cover b. */
static uint32_t cross_reserved(volatile uint32_t *a, volatile uint32_t *b)
{
	uint32_t v, cr;

	__asm__ volatile("lwarx %0,0,%2\n stwcx. %0,0,%3\n mfcr %1"
			 : "=&r"(v), "=&r"(cr) : "b"(a), "b"(b) : "cr0", "memory");
	return cr >> 28;
}

/* stwcx. right after a successful one: no reservation left. */
static uint32_t twice(volatile uint32_t *p)
{
	uint32_t v, cr1, cr2;

	__asm__ volatile("lwarx %0,0,%3\n stwcx. %0,0,%3\n mfcr %1\n stwcx. %0,0,%3\n mfcr %2"
			 : "=&r"(v), "=&r"(cr1), "=&r"(cr2) : "b"(p) : "cr0", "memory");
	return (cr1 >> 28) << 4 | cr2 >> 28;
}

static void check(const char *what, uint32_t got, uint32_t want)
{
	isa_puts(what);
	isa_puts(got == want ? ": ok " : ": BAD ");
	isa_hex32(got);
	isa_putc('\n');
}

int main(void)
{
	uint32_t bad = 0, n, so = 0;

	/* atomics: 3000 successful increments, failures change nothing */
	words[0] = 5;
	for (n = 0; n < 3000; n++) {
		if (inc_reserved(&words[0]) != 2)
			bad++;
		if (cross_reserved(&words[0], &words[1]) != 0)
			bad++;
		if (twice(&words[2]) != 0x20)
			bad++;
	}
	check("lwarx/stwcx. outcomes", bad, 0);
	check("lwarx/stwcx. counter", words[0], 3005);
	check("stwcx. to an unreserved word", words[1], 0);
	/* with XER[SO] set, CR0[SO] follows it on success and failure */
	__asm__ volatile("lis %0,0x8000\n mtxer %0" : "=&r"(so));
	bad = 0;
	for (n = 0; n < 1000; n++) {
		if (inc_reserved(&words[3]) != 3)
			bad++;
		if (cross_reserved(&words[3], &words[1]) != 1)
			bad++;
	}
	__asm__ volatile("li %0,0\n mtxer %0" : "=&r"(so));
	check("stwcx. with SO", bad, 0);
	isa_exit();
}
