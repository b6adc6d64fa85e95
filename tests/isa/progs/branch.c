/* SPDX-License-Identifier: MIT */
/* branch.c - b/bl/bc with BO/BI forms, CTR decrement (bdnz/bdz), bclr/bcctr and their LR forms. */
#include "isa.h"

/* Counts iterations of a bdnz loop started with CTR = n (CTR = 0 runs 2^32 times: not tested). */
static uint32_t bdnz_loop(uint32_t n)
{
	uint32_t k = 0, ctr;

	__asm__ volatile("mtctr %2\n1: addi %0,%0,1\n bdnz 1b\n mfctr %1"
			 : "+r"(k), "=r"(ctr) : "r"(n) : "ctr");
	return k | (ctr << 16);
}

/* Returns which way bc BO,BI went for CR = cr and CTR = ctr, plus the CTR after. */
#define BC(bo, bi, cr, ctr)                                                               \
	({                                                                                \
		uint32_t t_ = 0, c_ = (ctr);                                              \
		__asm__ volatile("mtcrf 0xff,%2; mtctr %1; bc " #bo "," #bi ",1f; li %0,1; 1: mfctr %1" \
				 : "+&r"(t_), "+&r"(c_) : "r"(cr) : "ctr", "cr0", "cr1", "cr2", "cr3", \
				   "cr4", "cr5", "cr6", "cr7");                           \
		isa_puts("bc " #bo "," #bi " cr=");                                       \
		isa_hex32(cr);                                                            \
		isa_puts(" ctr=");                                                        \
		isa_hex32(ctr);                                                           \
		isa_puts(t_ ? " -> fallthrough" : " -> taken");                           \
		isa_puts(" ctr=");                                                        \
		isa_hex32(c_);                                                            \
		isa_putc('\n');                                                           \
	})

static uint32_t target_hits;

static void __attribute__((noinline)) target(void)
{
	target_hits++;
}

int main(void)
{
	uint32_t lr, here, r, ctr;

	isa_show("bdnz 5", bdnz_loop(5));
	isa_show("bdnz 1", bdnz_loop(1));
	BC(12, 2, 0x20000000, 0);
	BC(12, 2, 0x00000000, 0);
	BC(4, 2, 0x20000000, 0);
	BC(4, 2, 0x00000000, 0);
	BC(20, 0, 0, 0);
	BC(16, 0, 0, 2);
	BC(16, 0, 0, 1);
	BC(18, 0, 0, 1);
	BC(18, 0, 0, 2);
	BC(8, 31, 0x00000001, 3);
	BC(8, 31, 0x00000001, 1);
	BC(0, 31, 0x00000000, 3);
	BC(10, 3, 0x10000000, 1);
	BC(2, 3, 0x00000000, 1);
	BC(16, 0, 0, 0);
	/* bl sets LR to the next instruction (CIA + 4). */
	__asm__ volatile("bl 1f\n1: mflr %0\n bl 2f\n2: mflr %1" : "=r"(lr), "=r"(here) : : "lr");
	isa_check("bl lr = next insn", here - lr == 8);
	/* bcl 20,31 is the "get PC" idiom. */
	__asm__ volatile("bcl 20,31,1f\n1: mflr %0" : "=r"(lr) : : "lr");
	__asm__ volatile("bl 1f\n1: mflr %0" : "=r"(here) : : "lr");
	isa_check("bcl 20,31 lr", here - lr == 8);
	/* bcctrl / blrl. */
	target_hits = 0;
	__asm__ volatile("mtctr %0; bctrl" : : "r"(target) : "lr", "ctr", "r0", "r3", "r4", "r5",
			 "r6", "r7", "r8", "r9", "r10", "r11", "r12", "memory");
	__asm__ volatile("mtlr %0; blrl" : : "r"(target) : "lr", "ctr", "r0", "r3", "r4", "r5",
			 "r6", "r7", "r8", "r9", "r10", "r11", "r12", "memory");
	isa_show("indirect calls", target_hits);
	/* bdnzlr-style: bclr 16,0 with CTR=2 returns (taken) after decrement. */
	__asm__ volatile("li %0,0; mtctr %2; bl 1f; b 2f\n1: bdnzlr\n li %0,1; blr\n2: mfctr %1"
			 : "=&r"(r), "=&r"(ctr) : "r"(2u) : "lr", "ctr");
	isa_show("bdnzlr ctr=2 fell", r);
	isa_show("bdnzlr ctr after", ctr);
	__asm__ volatile("li %0,0; mtctr %2; bl 1f; b 2f\n1: bdnzlr\n li %0,1; blr\n2: mfctr %1"
			 : "=&r"(r), "=&r"(ctr) : "r"(1u) : "lr", "ctr");
	isa_show("bdnzlr ctr=1 fell", r);
	/* bcctr with a CR condition: beqctr. */
	__asm__ volatile("li %0,0; lis 9,1f@ha; addi 9,9,1f@l; mtctr 9; cmpw %1,%1; beqctr; li %0,2\n"
			 "1: addi %0,%0,1" : "=&r"(r) : "r"(7u) : "ctr", "r9", "cr0");
	isa_show("beqctr", r);
	return 0;
}
