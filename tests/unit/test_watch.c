/* SPDX-License-Identifier: MIT */
/* test_watch.c - unit tests of the core's debugger and guest watchpoints and breakpoints. */
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

#define RAM_SIZE (1u << 20)
#define CODE 0x1000u
#define DATA 0x8000u

static uint8_t *ram;
static struct core C;

static uint32_t D(unsigned op, unsigned rt, unsigned ra, uint32_t imm)
{
	return op << 26 | rt << 21 | ra << 16 | (imm & 0xffff);
}

static uint32_t X(unsigned op, unsigned rt, unsigned ra, unsigned rb, unsigned xo)
{
	return op << 26 | rt << 21 | ra << 16 | rb << 11 | xo << 1;
}

#define LWZ(rt, ra, d) D(32, rt, ra, d)
#define STW(rs, ra, d) D(36, rs, ra, d)
#define STMW(rs, ra, d) D(47, rs, ra, d)
#define DCBZ(ra, rb) X(31, 0, ra, rb, 1014)
#define NOP D(24, 0, 0, 0)

static uint32_t rd32(uint32_t a)
{
	return (uint32_t)ram[a] << 24 | (uint32_t)ram[a + 1] << 16 | (uint32_t)ram[a + 2] << 8 |
	       ram[a + 3];
}

static void setup(void)
{
	struct core_stlb_entry e = {
		.ea = 0, .size = RAM_SIZE, .pa = 0, .uperm = 7, .kperm = 7, .flags = CORE_STLB_VALID,
	};
	struct core_ctx ctx = { .kmode = true };

	memset(ram, 0, RAM_SIZE);
	CHECK_EQ(core_init(&C, ram, RAM_SIZE, 400000000), 0);
	core_set_ctx(&C, &ctx);
	core_stlb_write(&C, 0, &e);
	C.gpr[1] = DATA;
	C.gpr[5] = 0x11223344;
}

/* Put the program at CODE (NOPs after it) and run it from there. */
static const struct core_exit *run(const uint32_t *w, unsigned n, uint64_t budget)
{
	for (unsigned k = 0; k < 16; k++) {
		uint32_t v = k < n ? w[k] : NOP, a = CODE + 4 * k;

		ram[a] = (uint8_t)(v >> 24);
		ram[a + 1] = (uint8_t)(v >> 16);
		ram[a + 2] = (uint8_t)(v >> 8);
		ram[a + 3] = (uint8_t)v;
	}
	core_icache_flush(&C);
	C.pc = CODE;
	return core_run(&C, budget);
}

#define RUN(budget, ...) ({ \
	const uint32_t prog_[] = { __VA_ARGS__ }; \
	run(prog_, sizeof(prog_) / 4, budget); \
})

static void watch(gva_t ea, uint32_t len, uint8_t perm)
{
	struct core_watchpoint w = { .ea = ea, .len = len, .perm = perm };

	CHECK_EQ(core_set_watchpoints(&C, &w, 1), 0);
}

int main(void)
{
	const struct core_exit *e;
	struct core_watchpoint many[CORE_MAX_WATCHPOINTS + 1];

	ram = calloc(1, RAM_SIZE);
	if (!ram)
		return 1;

	/* A store into a write watchpoint stops before it, precisely. */
	setup();
	watch(DATA + 8, 4, CORE_PERM_W);
	e = RUN(10, NOP, STW(5, 1, 8), NOP);
	CHECK_EQ(e->kind, CORE_EXIT_WATCH);
	CHECK_EQ(e->ea, DATA + 8);
	CHECK_EQ(e->write, 1);
	CHECK_EQ(C.pc, CODE + 4);
	CHECK_EQ(rd32(DATA + 8), 0);

	/* A load does not trigger a write watchpoint; a neighbouring store neither. */
	setup();
	watch(DATA + 8, 4, CORE_PERM_W);
	e = RUN(3, LWZ(6, 1, 8), STW(5, 1, 4), STW(5, 1, 12));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(rd32(DATA + 4), 0x11223344);
	CHECK_EQ(rd32(DATA + 12), 0x11223344);

	/* Read watchpoint on a load; an unaligned store overlapping an access watchpoint. */
	setup();
	watch(DATA + 8, 4, CORE_PERM_R);
	e = RUN(10, LWZ(6, 1, 8));
	CHECK_EQ(e->kind, CORE_EXIT_WATCH);
	CHECK_EQ(e->write, 0);
	setup();
	watch(DATA + 8, 4, CORE_PERM_R | CORE_PERM_W);
	e = RUN(10, STW(5, 1, 6));
	CHECK_EQ(e->kind, CORE_EXIT_WATCH);
	CHECK_EQ(e->ea, DATA + 8);

	/* The fast cache is filled first, then the watchpoint is set: it must still hit. */
	setup();
	e = RUN(4, STW(5, 1, 8), LWZ(6, 1, 8), STW(5, 1, 8), LWZ(6, 1, 8));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	watch(DATA + 8, 4, CORE_PERM_W);
	e = RUN(10, STW(5, 1, 8));
	CHECK_EQ(e->kind, CORE_EXIT_WATCH);

	/* Multiple and dcbz accesses that cover the watched word. */
	setup();
	watch(DATA + 8, 1, CORE_PERM_W);
	e = RUN(10, STMW(28, 1, 0));
	CHECK_EQ(e->kind, CORE_EXIT_WATCH);
	CHECK_EQ(rd32(DATA), 0);
	C.gpr[6] = 0;
	e = RUN(10, DCBZ(1, 6));
	CHECK_EQ(e->kind, CORE_EXIT_WATCH);

	/* Removed: the store goes through. Too many: refused. */
	CHECK_EQ(core_set_watchpoints(&C, NULL, 0), 0);
	e = RUN(1, STW(5, 1, 8));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(rd32(DATA + 8), 0x11223344);
	memset(many, 0, sizeof(many));
	CHECK_EQ(core_set_watchpoints(&C, many, CORE_MAX_WATCHPOINTS + 1), -1);

	/* Breakpoints: stop before the instruction; skip_breakpoint_once resumes over it. */
	setup();
	C.breakpoints[0] = CODE + 8;
	C.n_breakpoints = 1;
	e = RUN(10, NOP, NOP, STW(5, 1, 0), NOP);
	CHECK_EQ(e->kind, CORE_EXIT_DEBUG);
	CHECK_EQ(C.pc, CODE + 8);
	CHECK_EQ(rd32(DATA), 0);
	C.skip_breakpoint_once = true;
	e = core_run(&C, 1);
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(C.pc, CODE + 12);
	CHECK_EQ(rd32(DATA), 0x11223344);

	/*
	 * The guest's watchpoints (the hypervisor's DAC1/DAC2): the access's starting EA
	 * decides, not its bytes; they exit as CORE_EXIT_DAC with that EA, nothing written.
	 */
	setup();
	CHECK_EQ(core_set_watchpoints(&C, NULL, 0), 0);
	{
		struct core_watchpoint g = { .ea = DATA + 4, .len = 1, .perm = CORE_PERM_W,
					     .match = CORE_WATCH_START };

		CHECK_EQ(core_set_guest_watchpoints(&C, &g, 1), 0);
	}
	e = RUN(1, STW(5, 1, 2)); /* bytes DATA+2..5 cover DATA+4, but start at DATA+2 */
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	e = RUN(1, LWZ(6, 1, 4)); /* a load: perm W only */
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	e = RUN(10, STW(5, 1, 4));
	CHECK_EQ(e->kind, CORE_EXIT_DAC);
	CHECK_EQ(e->ea, DATA + 4);
	CHECK_EQ(e->write, 1);
	CHECK_EQ(C.pc, CODE);
	CHECK_EQ(rd32(DATA + 4), 0x33440000); /* the half the first store wrote; this one did not */
	/* A debugger watchpoint set afterwards keeps the guest's, and wins where both match. */
	watch(DATA + 4, 4, CORE_PERM_W);
	e = RUN(10, STW(5, 1, 4));
	CHECK_EQ(e->kind, CORE_EXIT_WATCH);
	watch(DATA + 0x100, 4, CORE_PERM_W);
	e = RUN(10, STW(5, 1, 4));
	CHECK_EQ(e->kind, CORE_EXIT_DAC);
	CHECK_EQ(core_set_watchpoints(&C, NULL, 0), 0);
	/* Bit mask mode: DAC1 = DATA+3 under mask ~3 matches a word load at DATA. */
	{
		struct core_watchpoint g = { .ea = DATA + 3, .mask = 0xfffffffcu, .perm = CORE_PERM_R,
					     .match = CORE_WATCH_MASK };

		CHECK_EQ(core_set_guest_watchpoints(&C, &g, 1), 0);
	}
	e = RUN(10, NOP, LWZ(6, 1, 0));
	CHECK_EQ(e->kind, CORE_EXIT_DAC);
	CHECK_EQ(e->ea, DATA);
	CHECK_EQ(e->write, 0);
	CHECK_EQ(C.pc, CODE + 4);
	e = RUN(1, LWZ(6, 1, 4));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);
	CHECK_EQ(core_set_guest_watchpoints(&C, many, CORE_MAX_GUEST_WATCHPOINTS + 1), -1);
	CHECK_EQ(core_set_guest_watchpoints(&C, NULL, 0), 0);
	e = RUN(10, LWZ(6, 1, 0));
	CHECK_EQ(e->kind, CORE_EXIT_BUDGET);

	printf("test_watch: %d checks, %d failures\n", checks, failures);
	free(ram);
	return failures ? 1 : 0;
}
