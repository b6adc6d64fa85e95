/* SPDX-License-Identifier: MIT */
/*
 * livelock.c - a guest that makes no progress on purpose: a data TLB miss whose vector is
 * not mapped (an instruction TLB miss) and an instruction TLB miss vector whose first
 * instruction misses in the data TLB again. No instruction ever retires; a 440 loops here
 * until reset, and so does hv440, which must say so once on stderr.
 *
 * IVPR moves to EA 0x40000000, where only one 4 KiB page is mapped, holding the ITLB miss
 * vector (IVOR14 = 0x100): "lwz r0,0(r5)" with r5 = 0x50000000, which nothing maps. The
 * DTLB miss vector (IVOR13 = 0x2000) lies in the unmapped rest (PPC440x5 manual, 6.4
 * "Interrupt Vector Offset Registers" and 6.4.14/6.4.15 on the TLB miss interrupts).
 */
#include "isa.h"

#define SPR_IVPR 63
#define SPR_IVOR13 413
#define SPR_IVOR14 414
#define VEC_EA 0x40000000u
#define NOWHERE 0x50000000u

static uint32_t vec_page[1024] __attribute__((aligned(4096)));

int main(void)
{
	vec_page[0x100 / 4] = 0x80050000u; /* lwz r0,0(r5) */
	__asm__ volatile("dcbst 0,%0; msync; icbi 0,%0; isync" : : "r"(&vec_page[0x100 / 4]) : "memory");
	isa_tlb_write(2, VEC_EA, (uint32_t)vec_page, TLB_SIZE_4K, 0, 0, TLB_SX | TLB_SR);
	isa_puts("livelock: entering\n");
	mtspr(SPR_IVOR13, 0x2000);
	mtspr(SPR_IVOR14, 0x100);
	mtspr(SPR_IVPR, VEC_EA);
	__asm__ volatile("isync; lis 5,%0@h; lwz 0,0(5)" : : "i"(NOWHERE) : "r0", "r5", "memory");
	isa_puts("livelock: FAIL, the load returned\n");
	isa_exit();
}
