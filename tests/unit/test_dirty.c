/* SPDX-License-Identifier: MIT */
/* test_dirty.c - unit tests of the core's dirty-page log (live migration), on every engine. */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

#define CHECK_EQ(a, b) do { \
	unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
	checks++; \
	if (a_ != b_) { \
		failures++; \
		fprintf(stderr, "%s:%d: FAILED: %s == %s (0x%llx != 0x%llx)\n", \
			__FILE__, __LINE__, #a, #b, a_, b_); \
	} \
} while (0)

#define RAM_SIZE (4u << 20)
#define PAGES (RAM_SIZE / 4096)
#define CODE 0x1000u

static uint8_t *ram;
static struct core C;
static enum core_engine engine;
static uint64_t bits[PAGES / 64];

static uint32_t D(unsigned op, unsigned rt, unsigned ra, uint32_t imm)
{
	return op << 26 | rt << 21 | ra << 16 | (imm & 0xffff);
}

static uint32_t X(unsigned op, unsigned rt, unsigned ra, unsigned rb, unsigned xo)
{
	return op << 26 | rt << 21 | ra << 16 | rb << 11 | xo << 1;
}

#define STW(rs, ra, d) D(36, rs, ra, d)
#define STB(rs, ra, d) D(38, rs, ra, d)
#define LWZ(rt, ra, d) D(32, rt, ra, d)
#define STMW(rs, ra, d) D(47, rs, ra, d)
#define ADDIS(rt, ra, i) D(15, rt, ra, i)
#define DCBZ(ra, rb) X(31, 0, ra, rb, 1014)
#define STWCX(rs, ra, rb) (X(31, rs, ra, rb, 150) | 1)
#define LWARX(rt, ra, rb) X(31, rt, ra, rb, 20)
#define MTCTR(rs) X(31, rs, 9, 0, 467)
#define BDNZ(off) (16u << 26 | 16u << 21 | ((uint32_t)(off) & 0xfffc))
#define SC 0x44000002u

static void setup(void)
{
	struct core_stlb_entry e = {
		.ea = 0, .size = RAM_SIZE, .pa = 0, .uperm = 7, .kperm = 7, .flags = CORE_STLB_VALID,
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

/* Put the program at CODE, ending in sc, and run it to the sc. */
static void run(const uint32_t *w, unsigned n)
{
	const struct core_exit *e;

	for (unsigned k = 0; k <= n; k++) {
		uint32_t v = k < n ? w[k] : SC, a = CODE + 4 * k;

		ram[a] = (uint8_t)(v >> 24);
		ram[a + 1] = (uint8_t)(v >> 16);
		ram[a + 2] = (uint8_t)(v >> 8);
		ram[a + 3] = (uint8_t)v;
	}
	core_icache_flush(&C);
	C.pc = CODE;
	e = core_run(&C, 1000000);
	CHECK_EQ(e->kind, CORE_EXIT_SC);
}

#define RUN(...) do { \
	const uint32_t prog_[] = { __VA_ARGS__ }; \
	run(prog_, sizeof(prog_) / 4); \
} while (0)

static bool dirty(unsigned page)
{
	return bits[page / 64] >> (page % 64) & 1;
}

/* The pages set in bits, in a short string for messages: must be exactly want (sorted, -1 ends). */
static void expect(const int *want, unsigned line)
{
	unsigned k = 0;

	for (unsigned p = 0; p < PAGES; p++) {
		if (!dirty(p))
			continue;
		checks++;
		if (want[k] != (int)p) {
			failures++;
			fprintf(stderr, "%s:%u: FAILED (%d): page 0x%x is dirty, expected 0x%x\n",
				__FILE__, line, (int)engine, p, want[k] < 0 ? 0 : (unsigned)want[k]);
			return;
		}
		k++;
	}
	checks++;
	if (want[k] >= 0) {
		failures++;
		fprintf(stderr, "%s:%u: FAILED (%d): page 0x%x is not dirty\n", __FILE__, line,
			(int)engine, (unsigned)want[k]);
	}
}

#define EXPECT(n, ...) do { \
	const int want_[] = { __VA_ARGS__, -1 }; \
	CHECK_EQ(core_dirty_take(&C, bits), n); \
	expect(want_, __LINE__); \
} while (0)

/* Every kind of store sets its page, and only stores do. */
static void test_kinds(void)
{
	setup();
	CHECK_EQ(core_dirty_start(&C), 0);
	/* The code was written behind the core's back, no store of its own: nothing is dirty. */
	RUN(LWZ(3, 0, 0x3000));
	EXPECT(0, -1);

	C.gpr[1] = 0x20000;  /* stw */
	C.gpr[2] = 0x30ffc;  /* stmw r28: 16 bytes across pages 0x30 and 0x31 */
	C.gpr[4] = 0x40010;  /* dcbz */
	C.gpr[6] = 0x50000;  /* lwarx/stwcx. */
	C.gpr[7] = 0x60fff;  /* stb at the last byte of page 0x60 */
	RUN(STW(5, 1, 0), STMW(28, 2, 0), DCBZ(0, 4), LWARX(8, 0, 6), STWCX(5, 0, 6), STB(5, 7, 0));
	EXPECT(6, 0x20, 0x30, 0x31, 0x40, 0x50, 0x60);

	/* Taken means cleared: the same stores again mark the same pages again (fast entries dropped). */
	RUN(STW(5, 1, 0), STW(5, 1, 4), STW(5, 1, 8));
	EXPECT(1, 0x20);
	RUN(LWZ(3, 1, 0));
	EXPECT(0, -1);

	/* The host's writes: the hypervisor's (core_phys_write) and a device's DMA. */
	CHECK_EQ(core_phys_write(&C, 0x70ffe, "abcd", 4), true);
	core_ram_written(&C, 0x90000, 0x2001);
	core_ram_written(&C, RAM_SIZE - 4, 100); /* past the end: only RAM is logged */
	EXPECT(6, 0x70, 0x71, 0x90, 0x91, 0x92, PAGES - 1);

	/* Stores to a code page (slow path always) and a reset (RAM reloaded: everything). */
	RUN(STW(5, 0, CODE + 0x100));
	EXPECT(1, 1);
	core_reset(&C);
	CHECK_EQ(core_dirty_take(&C, bits), PAGES);

	/* Off: nothing is kept, and the take says so. */
	core_dirty_stop(&C);
	{
		struct core_stlb_entry e = { .ea = 0, .size = RAM_SIZE, .pa = 0, .uperm = 7,
					     .kperm = 7, .flags = CORE_STLB_VALID };
		struct core_ctx ctx = { .kmode = true };

		core_set_ctx(&C, &ctx);
		core_stlb_write(&C, 0, &e);
	}
	RUN(STW(5, 1, 0));
	EXPECT(0, -1);
}

/*
 * A hot loop (the JIT translates it: inline fast-path stores) storing to
 * 64 pages, 4 times each: every page once dirty; after a take, the same
 * loop (its fast entries filled long ago) marks them all again.
 */
static void test_loop(void)
{
	uint32_t prog[] = {
		ADDIS(1, 0, 0x10),     /* r1 = 0x100000 */
		D(14, 9, 0, 256),      /* li r9, 256 */
		MTCTR(9),
		STW(5, 1, 0),          /* loop: */
		D(14, 1, 1, 1024),     /* addi r1, r1, 1024 */
		BDNZ(-8),
	};

	setup();
	CHECK_EQ(core_dirty_start(&C), 0);
	for (unsigned round = 0; round < 3; round++) {
		run(prog, sizeof(prog) / 4);
		CHECK_EQ(core_dirty_take(&C, bits), 64);
		for (unsigned p = 0; p < 64; p++)
			CHECK_EQ(dirty(0x100 + p), 1);
	}
	core_dirty_stop(&C);
}

int main(void)
{
	static const char *const names[] = { "interp", "jit", "lockstep" };

	ram = aligned_alloc(4096, RAM_SIZE);
	if (!ram)
		return 1;
	for (unsigned k = 0; k < 3; k++) {
		int before = failures;

		engine = (enum core_engine)k;
#if !defined(__x86_64__)
		if (engine != CORE_ENGINE_INTERP)
			break;
#endif
		test_kinds();
		test_loop();
		printf("test_dirty: engine %s: %d failures\n", names[k], failures - before);
	}
	core_fini(&C);
	free(ram);
	printf("test_dirty: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
