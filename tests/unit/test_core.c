/* SPDX-License-Identifier: MIT */
/* test_core.c - unit tests of the emulated 440 core: decoder, instructions, translation and exits. */
#include "core/block.h"
#include "core/core.h"
#include "core/decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
	checks++; \
	if (a_ != b_) { \
		failures++; \
		fprintf(stderr, "%s:%d: FAILED: %s == %s (0x%llx != 0x%llx)\n", \
			__FILE__, __LINE__, #a, #b, a_, b_); \
	} \
} while (0)

#define RAM_SIZE (1u << 20)
#define CODE 0x1000u
#define DATA 0x8000u

static uint8_t *ram;
static struct core C;

/* Instruction encoders (PPC440x5 manual, "Instruction Formats"). */
static uint32_t D(unsigned op, unsigned rt, unsigned ra, uint32_t imm)
{
	return op << 26 | rt << 21 | ra << 16 | (imm & 0xffff);
}

static uint32_t X(unsigned op, unsigned rt, unsigned ra, unsigned rb, unsigned xo, unsigned rc)
{
	return op << 26 | rt << 21 | ra << 16 | rb << 11 | xo << 1 | rc;
}

static uint32_t XO(unsigned rt, unsigned ra, unsigned rb, unsigned oe, unsigned xo, unsigned rc)
{
	return 31u << 26 | rt << 21 | ra << 16 | rb << 11 | oe << 10 | xo << 1 | rc;
}

static uint32_t M(unsigned op, unsigned rs, unsigned ra, unsigned sh, unsigned mb, unsigned me,
		  unsigned rc)
{
	return op << 26 | rs << 21 | ra << 16 | sh << 11 | mb << 6 | me << 1 | rc;
}

static uint32_t BC(unsigned bo, unsigned bi, int32_t bd, unsigned lk)
{
	return 16u << 26 | bo << 21 | bi << 16 | ((uint32_t)bd & 0xfffc) | lk;
}

static uint32_t B(int32_t li, unsigned lk)
{
	return 18u << 26 | ((uint32_t)li & 0x03fffffc) | lk;
}

static uint32_t SPR(unsigned xo, unsigned rt, unsigned spr)
{
	return X(31, rt, spr & 31, spr >> 5, xo, 0);
}

/* The test writes RAM behind the core's back (like DMA), so it tells the block cache. */
static void be32(uint32_t addr, uint32_t v)
{
	ram[addr] = (uint8_t)(v >> 24);
	ram[addr + 1] = (uint8_t)(v >> 16);
	ram[addr + 2] = (uint8_t)(v >> 8);
	ram[addr + 3] = (uint8_t)v;
	core_icache_invalidate_range(&C, addr, 4);
}

static uint32_t rd32(uint32_t addr)
{
	return (uint32_t)ram[addr] << 24 | (uint32_t)ram[addr + 1] << 16 |
	       (uint32_t)ram[addr + 2] << 8 | ram[addr + 3];
}

/* The engine every test runs on (main() runs the whole suite on each). */
static enum core_engine engine;

static void setup(void)
{
	struct core_stlb_entry e = {
		.ea = 0, .size = RAM_SIZE, .pa = 0, .ts = 0, .tid = 0,
		.uperm = 7, .kperm = 7, .flags = CORE_STLB_VALID,
	};
	struct core_ctx ctx = { .kmode = true };

	memset(ram, 0, RAM_SIZE);
	core_fini(&C);
	CHECK_EQ(core_init(&C, ram, RAM_SIZE, 400000000), 0);
	if (engine != CORE_ENGINE_INTERP)
		CHECK_EQ(core_set_engine(&C, engine, -1), 0);
	core_set_ctx(&C, &ctx);
	core_stlb_write(&C, 0, &e);
}

/* Load n words at CODE and run them (budget = n unless given). */
static const struct core_exit *run(const uint32_t *w, unsigned n, uint64_t budget)
{
	for (unsigned k = 0; k < n; k++)
		be32(CODE + 4 * k, w[k]);
	C.pc = CODE;
	return core_run(&C, budget ? budget : n);
}

#define RUN(...) ({ \
	const uint32_t prog_[] = { __VA_ARGS__ }; \
	run(prog_, sizeof(prog_) / 4, 0); \
})

static void test_arith(void)
{
	const struct core_exit *e;

	setup();
	C.gpr[3] = 0xffffffffu;
	C.gpr[4] = 1;
	e = RUN(XO(5, 3, 4, 0, 10, 1) /* addc. r5,r3,r4 */);
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.gpr[5], 0);
	CHECK_EQ(C.xer & 0x20000000u, 0x20000000u);
	CHECK_EQ(C.cr >> 28, 2);
	CHECK_EQ(C.pc, CODE + 4);

	/* adde with CA in: 5 + 6 + 1 */
	C.gpr[3] = 5;
	C.gpr[4] = 6;
	RUN(XO(5, 3, 4, 0, 138, 0));
	CHECK_EQ(C.gpr[5], 12);
	CHECK_EQ(C.xer & 0x20000000u, 0);

	/* addo. overflow: 0x7fffffff + 1 sets OV, SO, CR0 = LT|SO */
	C.xer = 0;
	C.gpr[3] = 0x7fffffffu;
	C.gpr[4] = 1;
	RUN(XO(5, 3, 4, 1, 266, 1));
	CHECK_EQ(C.gpr[5], 0x80000000u);
	CHECK_EQ(C.xer, 0xc0000000u);
	CHECK_EQ(C.cr >> 28, 9);
	/* a following addo without overflow clears OV, keeps SO */
	RUN(XO(5, 4, 4, 1, 266, 0));
	CHECK_EQ(C.xer, 0x80000000u);

	/* subf, subfc borrow, neg of 0x80000000 (OV) */
	C.xer = 0;
	C.gpr[3] = 3;
	C.gpr[4] = 10;
	RUN(XO(5, 3, 4, 0, 40, 0), XO(6, 4, 3, 0, 8, 0));
	CHECK_EQ(C.gpr[5], 7);
	CHECK_EQ(C.gpr[6], (uint32_t)-7);
	CHECK_EQ(C.xer & 0x20000000u, 0); /* 3 - 10 borrows: CA = 0 */
	C.gpr[3] = 0x80000000u;
	RUN(XO(5, 3, 0, 1, 104, 0));
	CHECK_EQ(C.gpr[5], 0x80000000u);
	CHECK_EQ(C.xer & 0x40000000u, 0x40000000u);

	/* addic., addis, addi with RA=0, subfic, addme, addze, subfze */
	C.xer = 0;
	C.gpr[3] = 0xfffffffeu;
	RUN(D(13, 5, 3, 2), D(15, 6, 0, 0x1234), D(14, 7, 0, (uint32_t)-5), D(8, 8, 3, 0));
	CHECK_EQ(C.gpr[5], 0);
	CHECK_EQ(C.cr >> 28, 2 | 0);
	CHECK_EQ(C.gpr[6], 0x12340000u);
	CHECK_EQ(C.gpr[7], (uint32_t)-5);
	CHECK_EQ(C.gpr[8], 2); /* 0 - 0xfffffffe */
	CHECK_EQ(C.xer & 0x20000000u, 0);
	C.xer = 0x20000000u;
	C.gpr[3] = 0;
	RUN(XO(5, 3, 0, 0, 234, 0), XO(6, 3, 0, 0, 202, 0));
	CHECK_EQ(C.gpr[5], 0); /* 0 + CA - 1 */
	CHECK_EQ(C.gpr[6], 1); /* CA left set by addme */

	/* multiply and divide */
	C.xer = 0;
	C.gpr[3] = 0x10000;
	C.gpr[4] = 0x10000;
	RUN(XO(5, 3, 4, 1, 235, 0), X(31, 6, 3, 4, 11, 0), D(7, 7, 3, (uint32_t)-3));
	CHECK_EQ(C.gpr[5], 0);
	CHECK_EQ(C.xer & 0xc0000000u, 0xc0000000u);
	CHECK_EQ(C.gpr[6], 1);
	CHECK_EQ(C.gpr[7], (uint32_t)-0x30000);
	C.xer = 0;
	C.gpr[3] = (uint32_t)-7;
	C.gpr[4] = 2;
	RUN(XO(5, 3, 4, 0, 491, 0), XO(6, 3, 4, 0, 459, 0), X(31, 7, 3, 4, 75, 0));
	CHECK_EQ(C.gpr[5], (uint32_t)-3);
	CHECK_EQ(C.gpr[6], 0x7ffffffcu);
	CHECK_EQ(C.gpr[7], 0xffffffffu);
	C.gpr[4] = 0;
	RUN(XO(5, 3, 4, 1, 491, 0));
	CHECK_EQ(C.xer & 0x40000000u, 0x40000000u);
}

static void test_logic(void)
{
	setup();
	C.gpr[3] = 0xf0f0ff00u;
	C.gpr[4] = 0x0ff0f0f0u;
	RUN(X(31, 3, 5, 4, 28, 0), X(31, 3, 6, 4, 444, 0), X(31, 3, 7, 4, 316, 0),
	    X(31, 3, 8, 4, 476, 0), X(31, 3, 9, 4, 124, 0), X(31, 3, 10, 4, 284, 0),
	    X(31, 3, 11, 4, 60, 0), X(31, 3, 12, 4, 412, 0));
	CHECK_EQ(C.gpr[5], 0x00f0f000u);
	CHECK_EQ(C.gpr[6], 0xfff0fff0u);
	CHECK_EQ(C.gpr[7], 0xff000ff0u);
	CHECK_EQ(C.gpr[8], 0xff0f0fffu);
	CHECK_EQ(C.gpr[9], 0x000f000fu);
	CHECK_EQ(C.gpr[10], 0x00fff00fu);
	CHECK_EQ(C.gpr[11], 0xf0000f00u);
	CHECK_EQ(C.gpr[12], 0xf0ffff0fu);

	C.gpr[3] = 0x00001280u;
	RUN(D(28, 3, 5, 0x0f00), D(29, 3, 6, 0xffff), D(24, 3, 7, 0xffff), D(25, 3, 8, 1),
	    D(26, 3, 9, 0x1000), D(27, 3, 10, 0x8000), X(31, 3, 11, 0, 954, 0),
	    X(31, 3, 12, 0, 922, 0), X(31, 3, 13, 0, 26, 1));
	CHECK_EQ(C.gpr[5], 0x0200u);
	CHECK_EQ(C.gpr[6], 0);
	CHECK_EQ(C.gpr[7], 0xffffu);
	CHECK_EQ(C.gpr[8], 0x00011280u);
	CHECK_EQ(C.gpr[9], 0x0280u);
	CHECK_EQ(C.gpr[10], 0x80001280u);
	CHECK_EQ(C.gpr[11], 0xffffff80u);
	CHECK_EQ(C.gpr[12], 0x1280u);
	CHECK_EQ(C.gpr[13], 19);
	CHECK_EQ(C.cr >> 28, 4);

	/* rotates: rlwinm (extrwi), rlwnm, rlwimi with a wrapping mask */
	C.gpr[3] = 0x12345678u;
	C.gpr[4] = 8;
	C.gpr[7] = 0xffffffffu;
	RUN(M(21, 3, 5, 4, 24, 31, 0), M(23, 3, 6, 4, 0, 31, 0), M(20, 3, 7, 0, 28, 3, 0));
	CHECK_EQ(C.gpr[5], 0x81u);
	CHECK_EQ(C.gpr[6], 0x34567812u);
	CHECK_EQ(C.gpr[7], 0x1ffffff8u);

	/* shifts and sraw carry */
	C.xer = 0;
	C.gpr[3] = 0x80000001u;
	C.gpr[4] = 33;
	C.gpr[14] = 1;
	RUN(X(31, 3, 5, 4, 24, 0), X(31, 3, 6, 14, 536, 0), X(31, 3, 7, 14, 792, 0),
	    X(31, 3, 8, 4, 824, 0));
	CHECK_EQ(C.gpr[5], 0);
	CHECK_EQ(C.gpr[6], 0x40000000u);
	CHECK_EQ(C.gpr[7], 0xc0000000u);
	CHECK_EQ(C.gpr[8], 0xf8000000u); /* srawi 4 */
	CHECK_EQ(C.xer & 0x20000000u, 0x20000000u);
}

static void test_compare_cr(void)
{
	setup();
	C.gpr[3] = (uint32_t)-1;
	C.gpr[4] = 1;
	C.xer = 0x80000000u;
	RUN(X(31, 0, 3, 4, 0, 0), X(31, 1 << 2, 3, 4, 32, 0), D(11, 2 << 2, 3, (uint32_t)-1),
	    D(10, 3 << 2, 4, 2));
	CHECK_EQ(C.cr >> 28, 8 | 1);
	CHECK_EQ((C.cr >> 24) & 0xf, 4 | 1);
	CHECK_EQ((C.cr >> 20) & 0xf, 2 | 1);
	CHECK_EQ((C.cr >> 16) & 0xf, 8 | 1);
	/* cmp with L = 1 is an invalid form */
	CHECK_EQ(RUN(X(31, 1, 3, 4, 0, 0))->kind, CORE_EXIT_PROGRAM);

	C.cr = 0x80000000u;
	/* crnor 1,0,0 ; cror 2,0,1 ; crxor 3,3,3 ; mcrf 7,0 ; mcrxr 6 ; mfcr r5 ; mtcrf 0x01,r6 */
	C.gpr[6] = 0xaaaaaaa5u;
	RUN(X(19, 1, 0, 0, 33, 0), X(19, 2, 0, 1, 449, 0), X(19, 3, 3, 3, 193, 0),
	    X(19, 7 << 2, 0, 0, 0, 0), X(31, 6 << 2, 0, 0, 512, 0), X(31, 5, 0, 0, 19, 0),
	    (31u << 26) | 6u << 21 | 0x01u << 12 | 144u << 1);
	CHECK_EQ(C.gpr[5] >> 28, 0xa);
	CHECK_EQ(C.gpr[5] & 0xf, 0xa);
	CHECK_EQ((C.gpr[5] >> 4) & 0xf, 0x8);
	CHECK_EQ(C.xer & 0xe0000000u, 0);
	CHECK_EQ(C.cr & 0xf, 5);
	CHECK_EQ(C.cr >> 4, C.gpr[5] >> 4);
}

static void test_branch(void)
{
	const struct core_exit *e;

	setup();
	/* li r3,0 ; li r4,5 ; mtctr r4 ; loop: addi r3,r3,1 ; bdnz loop */
	e = RUN(D(14, 3, 0, 0), D(14, 4, 0, 5), SPR(467, 4, 9), D(14, 3, 3, 1), BC(16, 0, -4, 0),
		D(14, 5, 0, 7));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.gpr[3], 2); /* budget 6: 3 setup + addi, bdnz, addi */
	C.pc = CODE;
	e = core_run(&C, 14 + 1);
	CHECK_EQ(C.gpr[3], 5);
	CHECK_EQ(C.gpr[5], 7);
	CHECK_EQ(C.ctr, 0);

	/* bl / blr, b backwards absolute forms */
	e = RUN(B(8, 1), D(14, 6, 0, 1), D(14, 7, 0, 2), X(19, 20, 0, 0, 16, 0));
	CHECK_EQ(C.lr, CODE + 4);
	CHECK_EQ(C.gpr[7], 2);
	CHECK_EQ(C.pc, CODE + 8);
	CHECK_EQ(C.gpr[6], 1);
	/* beq taken / bne not taken; bcctrl */
	C.cr = 0x20000000u;
	C.ctr = CODE + 0x100;
	RUN(BC(12, 2, 8, 0), 0, BC(4, 2, 8, 0), X(19, 20, 0, 0, 528, 1));
	CHECK_EQ(C.pc, CODE + 0x100);
	CHECK_EQ(C.lr, CODE + 16);
	/* ba: absolute */
	RUN(B(0, 0) | 2);
	CHECK_EQ(C.pc, 0);
	/* bdz with BO = 18 on ctr == 1 */
	C.ctr = 1;
	RUN(BC(18, 0, 0x40, 0));
	CHECK_EQ(C.pc, CODE + 0x40);
}

static void test_loadstore(void)
{
	const struct core_exit *e;

	setup();
	be32(DATA, 0x89abcdefu);
	C.gpr[3] = DATA;
	C.gpr[4] = 2;
	RUN(D(34, 5, 3, 1), D(40, 6, 3, 2), D(42, 7, 3, 0), D(32, 8, 3, 0), X(31, 9, 3, 4, 790, 0),
	    X(31, 10, 3, 0, 534, 0), X(31, 11, 3, 4, 343, 0));
	CHECK_EQ(C.gpr[5], 0xab);
	CHECK_EQ(C.gpr[6], 0xcdef);
	CHECK_EQ(C.gpr[7], 0xffff89abu);
	CHECK_EQ(C.gpr[8], 0x89abcdefu);
	CHECK_EQ(C.gpr[9], 0xefcd);
	CHECK_EQ(C.gpr[10], 0xefcdab89u);
	CHECK_EQ(C.gpr[11], 0xffffcdefu);

	/* update forms */
	C.gpr[3] = DATA - 4;
	RUN(D(33, 5, 3, 4), D(35, 6, 3, 1));
	CHECK_EQ(C.gpr[5], 0x89abcdefu);
	CHECK_EQ(C.gpr[6], 0xab);
	CHECK_EQ(C.gpr[3], DATA + 1);
	/* lwzu with RA = RT is an invalid form */
	CHECK_EQ(RUN(D(33, 3, 3, 4))->kind, CORE_EXIT_PROGRAM);

	/* stores: stb sth stw stwu sthbrx stwbrx */
	C.gpr[3] = DATA + 0x100;
	C.gpr[5] = 0x11223344u;
	C.gpr[4] = 8;
	RUN(D(38, 5, 3, 0), D(44, 5, 3, 2), D(36, 5, 3, 4), X(31, 5, 3, 4, 918, 0),
	    X(31, 5, 3, 4, 662, 0) + 0, D(37, 5, 3, 16));
	CHECK_EQ(ram[DATA + 0x100], 0x44);
	CHECK_EQ(ram[DATA + 0x102], 0x33);
	CHECK_EQ(ram[DATA + 0x103], 0x44);
	CHECK_EQ(rd32(DATA + 0x104), 0x11223344u);
	CHECK_EQ(rd32(DATA + 0x108), 0x44332211u);
	CHECK_EQ(rd32(DATA + 0x110), 0x11223344u);
	CHECK_EQ(C.gpr[3], DATA + 0x110);

	/* unaligned and page-crossing word */
	C.gpr[3] = 0x2ffe;
	C.gpr[5] = 0xa1b2c3d4u;
	RUN(D(36, 5, 3, 0), D(32, 6, 3, 0), D(40, 7, 3, 1));
	CHECK_EQ(ram[0x2ffe], 0xa1);
	CHECK_EQ(ram[0x3001], 0xd4);
	CHECK_EQ(C.gpr[6], 0xa1b2c3d4u);
	CHECK_EQ(C.gpr[7], 0xb2c3);

	/* page crossing into an unmapped page faults with the second page's EA */
	C.gpr[3] = RAM_SIZE - 2;
	C.gpr[6] = 0;
	e = RUN(D(32, 6, 3, 0));
	CHECK_EQ(e->kind, CORE_EXIT_DTLB_MISS);
	CHECK_EQ(e->ea, RAM_SIZE);
	CHECK_EQ(C.pc, CODE);
	CHECK_EQ(C.gpr[6], 0);
	e = RUN(D(36, 6, 3, 0));
	CHECK_EQ(e->kind, CORE_EXIT_DTLB_MISS);
	CHECK_EQ(e->esr, CORE_ESR_ST);
	CHECK(e->write);
	CHECK_EQ(ram[RAM_SIZE - 1], 0);

	/* lmw / stmw */
	for (unsigned k = 0; k < 4; k++)
		be32(DATA + 0x200 + 4 * k, 0x1000 + k);
	C.gpr[3] = DATA + 0x200;
	RUN(D(46, 28, 3, 0), D(47, 28, 3, 0x20));
	CHECK_EQ(C.gpr[28], 0x1000);
	CHECK_EQ(C.gpr[31], 0x1003);
	CHECK_EQ(rd32(DATA + 0x22c), 0x1003);
}

static void test_string_resv(void)
{
	setup();
	memcpy(ram + DATA, "hello, world!", 14);
	C.gpr[3] = DATA;
	C.gpr[4] = DATA + 0x40;
	C.xer = 6;
	C.gpr[7] = 0xffffffffu;
	/* lswi r5,r3,7 ; stswi r5,r4,7 ; lswx r8,0,r3 (6 bytes via XER) */
	RUN(X(31, 5, 3, 7, 597, 0), X(31, 5, 4, 7, 725, 0), X(31, 8, 0, 3, 533, 0));
	CHECK_EQ(C.gpr[5], 0x68656c6cu);
	CHECK_EQ(C.gpr[6], 0x6f2c2000u);
	CHECK_EQ(memcmp(ram + DATA + 0x40, "hello, ", 7), 0);
	CHECK_EQ(ram[DATA + 0x47], 0);
	CHECK_EQ(C.gpr[9], 0x6f2c0000u);
	/* lswi wraps from r31 to r0 */
	RUN(X(31, 31, 3, 8, 597, 0));
	CHECK_EQ(C.gpr[31], 0x68656c6cu);
	CHECK_EQ(C.gpr[0], 0x6f2c2077u);
	/* stswx with XER[TBC] = 3 */
	C.xer = 3;
	C.gpr[10] = 0x41424344u;
	C.gpr[11] = 0x40;
	RUN(X(31, 10, 3, 11, 661, 0));
	CHECK_EQ(memcmp(ram + DATA + 0x40, "ABCl", 4), 0);

	/* lwarx / stwcx. success, then failure without a reservation */
	be32(DATA + 0x80, 5);
	C.gpr[3] = DATA + 0x80;
	C.gpr[0] = 0;
	C.xer = 0;
	RUN(X(31, 4, 0, 3, 20, 0), D(14, 4, 4, 1), X(31, 4, 0, 3, 150, 1));
	CHECK_EQ(rd32(DATA + 0x80), 6);
	CHECK_EQ(C.cr >> 28, 2);
	RUN(X(31, 4, 0, 3, 150, 1));
	CHECK_EQ(C.cr >> 28, 0);
	/* misaligned lwarx: alignment exit */
	C.gpr[3] = DATA + 0x82;
	CHECK_EQ(RUN(X(31, 4, 0, 3, 20, 0))->kind, CORE_EXIT_ALIGN);
	CHECK_EQ(C.exit.ea, DATA + 0x82);

	/* dcbz clears the aligned 32-byte line; dcbt/icbi/sync are harmless */
	memset(ram + DATA + 0x100, 0xff, 64);
	C.gpr[3] = DATA + 0x105;
	RUN(X(31, 0, 0, 3, 1014, 0), X(31, 0, 0, 3, 278, 0), X(31, 0, 0, 3, 982, 0),
	    X(31, 0, 0, 0, 598, 0), X(19, 0, 0, 0, 150, 0));
	CHECK_EQ(ram[DATA + 0x100], 0);
	CHECK_EQ(ram[DATA + 0x11f], 0);
	CHECK_EQ(ram[DATA + 0x120], 0xff);
	CHECK_EQ(C.pc, CODE + 20);
}

static uint32_t mac(unsigned xo, unsigned oe, uint32_t rt, uint32_t ra, uint32_t rb)
{
	C.gpr[5] = rt;
	C.gpr[3] = ra;
	C.gpr[4] = rb;
	RUN(4u << 26 | 5u << 21 | 3u << 16 | 4u << 11 | oe << 10 | xo << 1 | 1);
	return C.gpr[5];
}

static void test_mac(void)
{
	setup();
	/* mulchw: low(RA) * high(RB), signed */
	CHECK_EQ(mac(168, 0, 0, 0x0000fffeu, 0x00030000u), (uint32_t)-6);
	CHECK_EQ(mac(136, 0, 0, 0x0000fffeu, 0x00030000u), 0x2fffau);
	CHECK_EQ(mac(40, 0, 0, 0x7fff0000u, 0x80000000u), (uint32_t)(0x7fff * -0x8000));
	CHECK_EQ(mac(8, 0, 0, 0xffff0000u, 0xffff0000u), 0xfffe0001u);
	CHECK_EQ(mac(424, 0, 0, 0x1234ffffu, 0x5678ffffu), 1);
	CHECK_EQ(mac(392, 0, 0, 0x1234ffffu, 0x5678ffffu), 0xfffe0001u);
	/* macchw: accumulate; macchwo overflow; macchws saturates */
	C.xer = 0;
	CHECK_EQ(mac(172, 0, 100, 0x00000002u, 0x00030000u), 106);
	CHECK_EQ(mac(172, 1, 0x7fffffffu, 1, 0x00010000u), 0x80000000u);
	CHECK_EQ(C.xer & 0xc0000000u, 0xc0000000u);
	CHECK_EQ(C.cr >> 28, 8 | 1);
	C.xer = 0;
	CHECK_EQ(mac(236, 1, 0x7fffffffu, 1, 0x00010000u), 0x7fffffffu);
	CHECK_EQ(C.xer & 0x40000000u, 0x40000000u);
	C.xer = 0;
	CHECK_EQ(mac(204, 0, 0xfffffff0u, 0xffffu, 0xffff0000u), 0xffffffffu); /* macchwsu */
	CHECK_EQ(mac(140, 1, 0xfffffff0u, 0x1u, 0x00200000u), 0x10u);       /* macchwu wraps */
	CHECK_EQ(C.xer & 0x40000000u, 0x40000000u);
	C.xer = 0;
	/* machhw, maclhw, nmacchw, nmacchws */
	CHECK_EQ(mac(44, 0, 10, 0x00020000u, 0x00050000u), 20);
	CHECK_EQ(mac(428, 0, 10, 0x2u, 0xfffbu), 0);
	CHECK_EQ(mac(174, 0, 10, 0x2u, 0x00050000u), 0);
	CHECK_EQ(mac(238, 0, 0x80000000u, 0x1u, 0x00010000u), 0x80000000u);
	CHECK_EQ(C.xer & 0x40000000u, 0);
}

static void test_dlmzb(void)
{
	setup();
	C.xer = 0x80000000u;
	C.gpr[3] = 0x41420043u;
	C.gpr[4] = 0x44454647u;
	RUN(X(31, 3, 5, 4, 78, 1));
	CHECK_EQ(C.gpr[5], 3);
	CHECK_EQ(C.xer & 0x7f, 3);
	CHECK_EQ(C.cr >> 28, 4 | 1);
	C.gpr[3] = 0x41424344u;
	C.gpr[4] = 0x45464700u;
	C.xer = 0;
	RUN(X(31, 3, 5, 4, 78, 1));
	CHECK_EQ(C.gpr[5], 8);
	CHECK_EQ(C.cr >> 28, 8);
	C.gpr[4] = 0x45464748u;
	RUN(X(31, 3, 5, 4, 78, 1));
	CHECK_EQ(C.gpr[5], 8);
	CHECK_EQ(C.cr >> 28, 2);
}

static void test_spr(void)
{
	setup();
	C.sprg_ro[1] = 0xabcd;
	C.gpr[3] = 0x1234;
	RUN(SPR(467, 3, 256), SPR(339, 4, 256), SPR(339, 5, 261), SPR(467, 3, 8), SPR(339, 6, 8),
	    SPR(371, 7, 268), SPR(339, 8, 269));
	CHECK_EQ(C.usprg0, 0x1234);
	CHECK_EQ(C.gpr[4], 0x1234);
	CHECK_EQ(C.gpr[5], 0xabcd);
	CHECK_EQ(C.gpr[6], 0x1234);
	CHECK_EQ(C.gpr[8], 0);
	/* TB restarts at 0 and counts */
	CHECK(core_tb_read(&C) < 400000000ull);
	core_tb_write(&C, 1000000);
	CHECK(core_tb_read(&C) >= 1000000);
	CHECK(core_tb_ns_until(&C, core_tb_read(&C) + 400) > 0);
	CHECK(core_tb_ns_until(&C, core_tb_read(&C) + 400) <= 1001);
	CHECK_EQ(core_tb_ns_until(&C, 5), 0);
}

static void test_exits(void)
{
	const struct core_exit *e;
	struct core_stlb_entry io = {
		.ea = 0xef600000u, .size = 4096, .pa = 0xef600000ull, .uperm = 3, .kperm = 7,
		.flags = CORE_STLB_VALID | CORE_STLB_IO,
	};
	struct core_stlb_entry ro = {
		.ea = 0x100000u, .size = 4096, .pa = 0x9000, .uperm = 1, .kperm = 1,
		.flags = CORE_STLB_VALID,
	};

	setup();
	/* privileged: mfmsr, mtspr SRR0, tlbwe; mfspr PVR */
	e = RUN(X(31, 3, 0, 0, 83, 0));
	CHECK_EQ(e->kind, CORE_EXIT_PRIV);
	CHECK_EQ(e->insn, X(31, 3, 0, 0, 83, 0));
	CHECK_EQ(C.pc, CODE);
	CHECK_EQ(RUN(SPR(467, 3, 26))->kind, CORE_EXIT_PRIV);
	CHECK_EQ(RUN(SPR(339, 3, 287))->kind, CORE_EXIT_PRIV);
	CHECK_EQ(RUN(X(31, 0, 0, 0, 978, 0))->kind, CORE_EXIT_PRIV);
	CHECK_EQ(RUN(X(19, 0, 0, 0, 50, 0))->kind, CORE_EXIT_PRIV);
	/* sc */
	e = RUN(17u << 26 | 2);
	CHECK_EQ(e->kind, CORE_EXIT_SC);
	CHECK_EQ(C.pc, CODE);
	/* trap: tweq r3,r3 ; twi 0 never traps */
	e = RUN(D(3, 0, 3, 0), X(31, 4, 3, 3, 4, 0));
	CHECK_EQ(e->kind, CORE_EXIT_PROGRAM);
	CHECK_EQ(e->esr, CORE_ESR_PTR);
	CHECK_EQ(C.pc, CODE + 4);
	/* illegal */
	e = RUN(0);
	CHECK_EQ(e->kind, CORE_EXIT_PROGRAM);
	CHECK_EQ(e->esr, CORE_ESR_PIL);
	/* FP unavailable; FP with the placeholder/real FPU */
	C.gpr[3] = DATA;
	e = RUN(D(50, 1, 3, 0));
	CHECK_EQ(e->kind, CORE_EXIT_FP_UNAVAIL);
	C.fp_enabled = true;
	be32(DATA, 0x3ff00000u);
	be32(DATA + 4, 0);
	e = RUN(D(50, 1, 3, 0), D(52, 1, 3, 8));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.fpr[1], 0x3ff0000000000000ull);
	CHECK_EQ(rd32(DATA + 8), 0x3f800000u);
	/* lfd crossing a quadword boundary: alignment */
	e = RUN(D(50, 1, 3, 12));
	CHECK_EQ(e->kind, CORE_EXIT_ALIGN);
	CHECK_EQ(e->esr, CORE_ESR_FP);

	/* ITLB miss and FETCH_IO */
	C.pc = 0x200000;
	e = core_run(&C, 10);
	CHECK_EQ(e->kind, CORE_EXIT_ITLB_MISS);
	CHECK_EQ(e->ea, 0x200000);
	core_stlb_write(&C, 1, &io);
	C.pc = 0xef600000u;
	e = core_run(&C, 10);
	CHECK_EQ(e->kind, CORE_EXIT_FETCH_IO);
	CHECK_EQ(e->pa, 0xef600000ull);

	/* DSI on a read-only page, load works; ISI (no X) */
	core_stlb_write(&C, 2, &ro);
	ram[0x9004] = 0x5a;
	C.gpr[3] = 0x100000;
	e = RUN(D(34, 4, 3, 4), D(38, 4, 3, 8));
	CHECK_EQ(e->kind, CORE_EXIT_DSI);
	CHECK_EQ(e->esr, CORE_ESR_ST);
	CHECK_EQ(e->ea, 0x100008);
	CHECK_EQ(C.gpr[4], 0x5a);
	CHECK_EQ(C.pc, CODE + 4);
	C.pc = 0x100000;
	CHECK_EQ(core_run(&C, 1)->kind, CORE_EXIT_ISI);
	/* user mode: the uperm set applies */
	{
		struct core_ctx u = { .kmode = false };

		core_set_ctx(&C, &u);
		C.gpr[3] = 0xef600000u;
		CHECK_EQ(RUN(D(34, 4, 3, 4))->kind, CORE_EXIT_MMIO);
		C.pc = 0xef600000u;
		CHECK_EQ(core_run(&C, 1)->kind, CORE_EXIT_ISI);
		u.kmode = true;
		core_set_ctx(&C, &u);
	}

	/* MMIO load with update and byte reversal, completion */
	C.gpr[3] = 0xef600300u;
	C.gpr[4] = 4;
	e = RUN(X(31, 5, 3, 4, 534, 0));
	CHECK_EQ(e->kind, CORE_EXIT_MMIO);
	CHECK_EQ(e->pa, 0xef600304ull);
	CHECK_EQ(e->size, 4);
	CHECK(!e->write);
	CHECK_EQ(C.pc, CODE);
	core_mmio_complete(&C, 0x11223344u);
	CHECK_EQ(C.gpr[5], 0x44332211u);
	CHECK_EQ(C.pc, CODE + 4);
	e = RUN(D(43, 6, 3, 2)); /* lhau */
	CHECK_EQ(e->kind, CORE_EXIT_MMIO);
	core_mmio_complete(&C, 0x8001);
	CHECK_EQ(C.gpr[6], 0xffff8001u);
	CHECK_EQ(C.gpr[3], 0xef600302u);
	/* MMIO stores: stb and sthbrx */
	C.gpr[7] = 0xaabbccddu;
	e = RUN(D(38, 7, 3, 1));
	CHECK_EQ(e->kind, CORE_EXIT_MMIO);
	CHECK(e->write);
	CHECK_EQ(e->data, 0xdd);
	CHECK_EQ(e->pa, 0xef600303ull);
	core_mmio_complete(&C, 0);
	CHECK_EQ(C.pc, CODE + 4);
	e = RUN(X(31, 7, 3, 4, 918, 0));
	CHECK_EQ(e->data, 0xddcc);
	CHECK_EQ(e->size, 2);
	/* lmw / dcbz to I/O: alignment exit */
	CHECK_EQ(RUN(D(46, 30, 3, 0))->kind, CORE_EXIT_ALIGN);
	CHECK_EQ(RUN(X(31, 0, 3, 4, 1014, 0))->kind, CORE_EXIT_ALIGN);

	/* DEBUG: breakpoint at CODE+4, then resume over it */
	C.breakpoints[0] = CODE + 4;
	C.n_breakpoints = 1;
	e = RUN(D(14, 3, 0, 1), D(14, 3, 0, 2), D(14, 3, 0, 3));
	CHECK_EQ(e->kind, CORE_EXIT_DEBUG);
	CHECK_EQ(C.pc, CODE + 4);
	CHECK_EQ(C.gpr[3], 1);
	C.skip_breakpoint_once = true;
	e = core_run(&C, 2);
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.gpr[3], 3);
	C.n_breakpoints = 0;

	/* EVENT: a pending event stops at the first taken branch, pc = next insn */
	core_event_set(&C, CORE_EVENT_IRQ);
	e = RUN(D(14, 3, 0, 1), B(0, 0));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	C.pc = CODE + 4;
	e = core_run(&C, 1000);
	CHECK_EQ(e->kind, CORE_EXIT_EVENT);
	CHECK_EQ(C.pc, CODE + 4);
	core_event_clear(&C, CORE_EVENT_IRQ);
	/* without events the loop runs out the budget exactly */
	C.stats.insns = 0;
	e = core_run(&C, 1000);
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.stats.insns, 1000);
	CHECK_EQ(strcmp(core_exit_name(CORE_EXIT_MMIO), "mmio"), 0);
}

static void test_translation(void)
{
	struct core_stlb_entry e1 = {
		.ea = 0x40000000u, .size = 1024, .pa = 0x4400, .ts = 1, .tid = 5, .uperm = 3,
		.kperm = 3, .flags = CORE_STLB_VALID,
	};
	struct core_stlb_entry le = {
		.ea = 0x50000000u, .size = 4096, .pa = 0x5000, .uperm = 3, .kperm = 3,
		.flags = CORE_STLB_VALID | CORE_STLB_LE,
	};
	struct core_ctx ctx = { .kmode = true, .ds = 1, .pid = 5 };
	const struct core_exit *e;

	setup();
	core_stlb_write(&C, 3, &e1);
	core_stlb_write(&C, 4, &le);
	CHECK_EQ(core_stlb_find(&C, 0x40000010u, 1), -1); /* pid 0 does not match tid 5 */
	core_set_ctx(&C, &ctx);
	CHECK_EQ(core_stlb_find(&C, 0x40000010u, 1), 3);
	CHECK_EQ(core_stlb_find(&C, 0x40000400u, 1), -1);
	be32(0x4410, 0xcafef00du);
	C.gpr[3] = 0x40000010u;
	e = RUN(D(32, 4, 3, 0));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET); /* fetch in IS = 0, data in DS = 1 */
	CHECK_EQ(C.gpr[4], 0xcafef00du);
	ctx.ds = 0;
	core_set_ctx(&C, &ctx);
	e = RUN(D(32, 4, 3, 0));
	CHECK_EQ(e->kind, CORE_EXIT_DTLB_MISS);
	/* little-endian page: lwz reads reversed bytes; lwbrx reads them straight */
	be32(0x5000, 0x11223344u);
	C.gpr[3] = 0x50000000u;
	RUN(D(32, 4, 3, 0), X(31, 5, 3, 0, 534, 0));
	CHECK_EQ(C.gpr[4], 0x44332211u);
	CHECK_EQ(C.gpr[5], 0x11223344u);
	/* invalidate: the fast cache forgets the entry */
	C.gpr[3] = 0x1000;
	RUN(D(32, 4, 3, 0));
	core_stlb_invalidate(&C, 0);
	C.pc = CODE;
	CHECK_EQ(core_run(&C, 1)->kind, CORE_EXIT_ITLB_MISS);
	/* phys helpers are bounds-checked and overflow-safe */
	{
		uint8_t b[8];

		CHECK(core_phys_read(&C, RAM_SIZE - 8, b, 8));
		CHECK(!core_phys_read(&C, RAM_SIZE - 7, b, 8));
		CHECK(!core_phys_read(&C, ~0ull - 2, b, 8));
		CHECK(!core_phys_write(&C, RAM_SIZE, b, 1));
		CHECK(core_phys_write(&C, RAM_SIZE, b, 0));
	}
}

static void test_decode(void)
{
	struct insn in;

	core_decode(XO(3, 4, 5, 1, 266, 1), &in);
	CHECK_EQ(in.op, OP_ADD);
	CHECK_EQ(in.flags & (I_OE | I_RC), I_OE | I_RC);
	CHECK_EQ(strcmp(core_op_name(in.op), "add"), 0);
	core_decode(4u << 26 | 236u << 1 | 1u << 10, &in);
	CHECK_EQ(in.op, OP_MACCHWS);
	CHECK(in.flags & I_OE);
	core_decode(0xffffffffu, &in);
	CHECK_EQ(in.op, OP_FPU);
	core_decode(4u << 26 | 168u << 1 | 1u << 10, &in);
	CHECK_EQ(in.op, OP_ILLEGAL);
}

/* No 32-bit word may crash the core: run random words one instruction at a time. */
static void test_random(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned kinds[CORE_EXIT__COUNT] = { 0 };

	setup();
	C.fp_enabled = true;
	for (unsigned k = 0; k < 100000; k++) {
		const struct core_exit *e;
		uint32_t w;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w = (uint32_t)x;
		for (unsigned r = 0; r < 32; r++)
			C.gpr[r] = (uint32_t)(x >> (r % 32)) & (r & 1 ? 0xfffffu : 0xffffffffu);
		C.xer &= 0xe000007fu;
		be32(CODE, w);
		C.pc = CODE;
		e = core_run(&C, 1);
		CHECK((unsigned)e->kind < CORE_EXIT__COUNT);
		kinds[e->kind]++;
		if (e->kind == CORE_EXIT_MMIO)
			core_mmio_complete(&C, x);
	}
	CHECK(kinds[CORE_EXIT_BUDGET] > 1000);
	CHECK(kinds[CORE_EXIT_PROGRAM] > 1000);
}

/* Write an instruction word behind the core's back, without telling it (like DMA). */
static void poke32(uint32_t addr, uint32_t v)
{
	ram[addr] = (uint8_t)(v >> 24);
	ram[addr + 1] = (uint8_t)(v >> 16);
	ram[addr + 2] = (uint8_t)(v >> 8);
	ram[addr + 3] = (uint8_t)v;
}

/* The decoded-block cache: stores, icbi and iccci keep it exact. */
static void test_blocks(void)
{
	const struct core_exit *e;

	setup();
	/* A store into the running block (no icbi): the next instruction is the new word. */
	C.gpr[3] = CODE;
	C.gpr[4] = D(14, 5, 0, 77); /* li r5,77 */
	e = RUN(D(36, 4, 3, 8) /* stw r4,8(r3) */, D(14, 6, 0, 1), D(14, 5, 0, 5));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.gpr[5], 77);
	CHECK_EQ(C.gpr[6], 1);
	CHECK_EQ(C.pc, CODE + 12);
	CHECK(C.stats.block_kills >= 1);

	/* A host write is seen after icbi of its line (and not before: the block is cached). */
	RUN(D(14, 5, 0, 1));
	CHECK_EQ(C.gpr[5], 1);
	poke32(CODE, D(14, 5, 0, 2));
	C.pc = CODE;
	core_run(&C, 1);
	CHECK_EQ(C.gpr[5], 1);
	core_icache_invalidate(&C, CODE + 4);
	C.pc = CODE;
	core_run(&C, 1);
	CHECK_EQ(C.gpr[5], 2);
	/* ... and after iccci */
	poke32(CODE, D(14, 5, 0, 3));
	core_icache_flush(&C);
	C.pc = CODE;
	core_run(&C, 1);
	CHECK_EQ(C.gpr[5], 3);
	/* ... and after a core_phys_write() of it */
	{
		uint8_t w[4] = { 0x38, 0xa0, 0x00, 0x04 }; /* li r5,4 */

		CHECK(core_phys_write(&C, CODE, w, 4));
	}
	C.pc = CODE;
	core_run(&C, 1);
	CHECK_EQ(C.gpr[5], 4);

	/* The budget ends a block in the middle; the rest runs on the next call. */
	C.gpr[5] = 0;
	e = run((const uint32_t[]){ D(14, 5, 5, 1), D(14, 5, 5, 1), D(14, 5, 5, 1) }, 3, 2);
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.gpr[5], 2);
	CHECK_EQ(C.pc, CODE + 8);
	CHECK_EQ(core_run(&C, 1)->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.gpr[5], 3);
}

/*
 * The lockstep engine catches a JIT that disagrees with the interpreter:
 * after a block is translated, its decoded immediate is changed under the
 * interpreter only (the translation has the old one built in).
 */
static void test_lockstep(void)
{
	const struct core_exit *e;
	struct block *b;

	setup();
	/* addi r3,r3,1 x2; li r4,9; b . */
	e = RUN(D(14, 3, 3, 1), D(14, 3, 3, 1), D(14, 4, 0, 9), B(0, 0));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.gpr[3], 2);
	b = block_find(&C, CODE);
	CHECK(b && b->jit);
	if (!b || !b->jit)
		return;
	block_cache(&C)->ins[b->first + 1].imm = 2;
	C.pc = CODE;
	e = core_run(&C, 4);
	CHECK_EQ(e->kind, CORE_EXIT_LOCKSTEP);
	CHECK_EQ(e->ea, CODE);
	CHECK(strstr(C.lockstep_diff, "r3: interpreter 0x00000005, JIT 0x00000004") != NULL);
	/* the state is the interpreter's (r3 = 2 + 1 + 2) */
	printf("lockstep caught: %s\n", C.lockstep_diff);
}

/*
 * A translated block chains straight into the translation of the next;
 * killing that one must send the chain back to the dispatcher at the right
 * PC, where the new code is decoded (JIT engine).
 */
static void test_jit_chain_kill(void)
{
	static const uint32_t prog[] = {
		0x38630001u,        /* A: addi r3,r3,1 */
		0x48000008u,        /*    b B */
		0x38800063u,        /*    li r4,99 (skipped) */
		0x38a50001u,        /* B: addi r5,r5,1 */
		0x44000002u,        /*    sc */
	};
	const struct core_exit *e;

	setup();
	for (unsigned k = 0; k < 5; k++)
		be32(CODE + 4 * k, prog[k]);
	for (int round = 0; round < 4; round++) {
		C.pc = CODE;
		e = core_run(&C, 1000);
		CHECK_EQ(e->kind, CORE_EXIT_SC);
	}
	CHECK_EQ(C.gpr[3], 4);
	CHECK_EQ(C.gpr[5], 4);
	CHECK(C.stats.blocks_translated >= 2);
	/* B becomes addi r5,r5,100 behind the core's back (as DMA would) */
	{
		uint8_t w[4] = { 0x38, 0xa5, 0x00, 0x64 };

		CHECK(core_phys_write(&C, CODE + 12, w, 4));
	}
	C.pc = CODE;
	e = core_run(&C, 1000);
	CHECK_EQ(e->kind, CORE_EXIT_SC);
	CHECK_EQ(C.pc, CODE + 16);
	CHECK_EQ(C.gpr[3], 5);
	CHECK_EQ(C.gpr[4], 0);
	CHECK_EQ(C.gpr[5], 104);
}

static void run_suite(void)
{
	test_decode();
	test_arith();
	test_logic();
	test_compare_cr();
	test_branch();
	test_loadstore();
	test_string_resv();
	test_mac();
	test_dlmzb();
	test_spr();
	test_exits();
	test_translation();
	test_random();
	test_blocks();
}

int main(void)
{
	static const char *const names[] = { "interp", "jit", "lockstep" };

	ram = calloc(1, RAM_SIZE);
	if (!ram)
		return 2;
	for (engine = CORE_ENGINE_INTERP; engine <= CORE_ENGINE_LOCKSTEP; engine++) {
		int before = failures;

#if !defined(__x86_64__)
		if (engine != CORE_ENGINE_INTERP)
			break;
#endif
		run_suite();
		printf("test_core: engine %s: %d failures\n", names[engine], failures - before);
	}
#if defined(__x86_64__)
	engine = CORE_ENGINE_JIT;
	test_jit_chain_kill();
	engine = CORE_ENGINE_LOCKSTEP;
	test_lockstep();
#endif
	core_fini(&C);
	free(ram);
	printf("test_core: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
