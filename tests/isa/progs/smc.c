/* SPDX-License-Identifier: MIT */
/* smc.c - self-modifying code: patched instruction words take effect, one word at a time. */
#include "isa.h"

/*
 * Code is written into this array and called. The PPC440x5 manual asks for
 * dcbst/msync/icbi/isync after a store to code (the instruction cache is
 * not coherent with data stores); cases 1 and 4 do that, 4 from inside the
 * code being patched. The others store to code that is not running, with
 * no icbi: hv440 and QEMU both see the new words (hv440 kills the decoded
 * blocks a store overlaps). A store into the running block without icbi is
 * undefined on the 440 (QEMU runs the stale word): tests/unit/test_core.c
 * covers hv440's behaviour there.
 */
static volatile uint32_t code[64] __attribute__((aligned(64)));

#define LI_R3(n) (0x38600000u | ((uint32_t)(n) & 0xffff))  /* addi r3,0,n */
#define ADDI_R3(n) (0x38630000u | ((uint32_t)(n) & 0xffff)) /* addi r3,r3,n */
#define STW_R4_R3(d) (0x90830000u | ((uint32_t)(d) & 0xffff)) /* stw r4,d(r3) */
#define BLR 0x4e800020u

typedef uint32_t (*fn0)(void);
typedef uint32_t (*fn2)(volatile uint32_t *, uint32_t);

static void sync_icache(volatile uint32_t *p)
{
	__asm__ volatile("dcbst 0,%0; msync; icbi 0,%0; isync" : : "r"(p) : "memory");
}

static uint32_t call0(void)
{
	return ((fn0)(uint32_t)code)();
}

int main(void)
{
	uint32_t r, sum = 0;

	/* 1. The architected sequence: store, dcbst, msync, icbi, isync. */
	code[0] = LI_R3(1);
	code[1] = BLR;
	sync_icache(&code[0]);
	isa_show("icbi first", call0());
	code[0] = LI_R3(2);
	sync_icache(&code[0]);
	isa_show("icbi patched", call0());

	/* 2. A plain store to an instruction that ran before. */
	code[0] = LI_R3(3);
	isa_show("store patched", call0());

	/* 3. Word granularity: a straight run of adds, one word in the middle patched. */
	code[0] = LI_R3(0);
	for (unsigned k = 1; k <= 8; k++)
		code[k] = ADDI_R3(1);
	code[9] = BLR;
	sync_icache(&code[0]);
	isa_show("run of adds", call0());
	/* data stores next to the code (same page, same line) must not change it */
	for (unsigned k = 10; k < 64; k++)
		code[k] = 0xdead0000u | k;
	isa_show("after data stores", call0());
	code[4] = ADDI_R3(100);
	isa_show("middle word patched", call0());
	code[4] = ADDI_R3(1);
	code[8] = ADDI_R3(1000);
	isa_show("last add patched", call0());
	code[0] = LI_R3(-5);
	isa_show("first word patched", call0());

	/* 4. The running code patches its own next instruction, then dcbst/msync/icbi/isync. */
	code[0] = STW_R4_R3(24);  /* code[6] = r4 */
	code[1] = 0x7c00186cu;    /* dcbst 0,r3 */
	code[2] = 0x7c0004acu;    /* msync */
	code[3] = 0x7c001facu;    /* icbi 0,r3 */
	code[4] = 0x4c00012cu;    /* isync */
	code[5] = LI_R3(1);
	code[6] = LI_R3(5);       /* replaced before it runs */
	code[7] = BLR;
	sync_icache(&code[0]);
	r = ((fn2)(uint32_t)code)(code, LI_R3(77));
	isa_show("patched ahead", r);
	r = ((fn2)(uint32_t)code)(code, LI_R3(78));
	isa_show("patched ahead again", r);

	/* 5. Many patches of the same word, each one called. */
	code[1] = BLR;
	for (unsigned k = 0; k < 100; k++) {
		code[0] = LI_R3(k);
		sum += call0();
	}
	isa_show("sum of 100 patches", sum);

	/* 6. dcbz over code, then new code into the zeroed line. */
	code[0] = LI_R3(9);
	code[1] = BLR;
	isa_show("before dcbz", call0());
	__asm__ volatile("dcbz 0,%0" : : "r"(&code[0]) : "memory");
	code[0] = LI_R3(10);
	code[1] = BLR;
	isa_show("after dcbz", call0());
	return 0;
}
