/* SPDX-License-Identifier: MIT */
/*
 * fuzz_core.c - libFuzzer harness for the instruction decoder and the 440
 * core (core/core.h): arbitrary code, registers and shadow TLB in a small VM.
 *
 * Input, in order (bytes past the end read as zero):
 *   mode (1): bit 0 kmode, 1 fp_enabled, 2-3 fp_exc_mode, 4 MSR[IS], 5 MSR[DS],
 *             6 set the watchpoint, 7 set the breakpoint
 *   PID (1), gpr[0..7] (32; the other GPRs point into RAM: r * 0x800)
 *   four extra shadow TLB entries (4 x 14: ea, pa, ERPN, size, uperm, kperm, flags,
 *             tid): anything, including pages outside RAM (the core treats those as I/O)
 *   watchpoint (6: ea, len, perm), breakpoint ea (4), spare (2), MMIO seed (8)
 *   code and data (the rest, at offset 110): copied to guest RAM from 0
 *             (64 KiB, mapped by shadow entry 0)
 * The core runs from pc = 0 for a bounded number of instructions; every exit is
 * answered the simplest way (skip the instruction, complete MMIO with input
 * bytes, step over breakpoints) so the run goes on. Checked: no crash, no
 * sanitizer report, exit kinds in range, pc word-aligned after a precise exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE (64u << 10)
#define MAX_RUNS 64
#define BUDGET 64

static struct core C;
static uint8_t *ram;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	struct core_stlb_entry e0 = {
		.ea = 0, .size = RAM_SIZE, .pa = 0, .uperm = 7, .kperm = 7, .flags = CORE_STLB_VALID,
	};
	struct core_ctx ctx;
	uint8_t mode, pid;
	uint32_t bp;
	struct core_watchpoint w;
	uint64_t mmio_seed;

	if (!ram) {
		ram = malloc(RAM_SIZE);
		if (!ram)
			abort();
	}
	memset(ram, 0, RAM_SIZE);
	if (core_init(&C, ram, RAM_SIZE, 400000000))
		abort();

	mode = fin_u8(&in);
	pid = fin_u8(&in);
	ctx = (struct core_ctx){ .kmode = mode & 1, .is = (mode >> 4) & 1, .ds = (mode >> 5) & 1,
				 .pid = pid };
	C.fp_enabled = (mode >> 1) & 1;
	C.fp_exc_mode = (mode >> 2) & 3;
	for (unsigned r = 0; r < 32; r++)
		C.gpr[r] = r < 8 ? fin_u32(&in) : r * 0x800u;
	core_set_ctx(&C, &ctx);
	/* Entry 0 maps RAM for both address spaces' code; TS follows MSR[IS]. */
	e0.ts = ctx.is;
	core_stlb_write(&C, 0, &e0);
	for (unsigned i = 1; i <= 4; i++) {
		struct core_stlb_entry e;

		e.ea = fin_u32(&in);
		e.pa = fin_u32(&in) | (uint64_t)(fin_u8(&in) & 0xf) << 32;
		e.size = 1024u << (2 * (fin_u8(&in) % 10)); /* 1 KiB .. 256 MiB */
		e.uperm = fin_u8(&in) & 7;
		e.kperm = e.uperm ^ (fin_u8(&in) & 7);
		e.flags = fin_u8(&in) & 0xf;
		e.tid = fin_u8(&in);
		e.ts = e.tid & 1 ? ctx.ds : ctx.is;
		core_stlb_write(&C, i * 13 % CORE_STLB_SIZE, &e);
	}
	w.ea = fin_u32(&in);
	w.len = (fin_u8(&in) & 15) + 1;
	w.perm = (uint8_t)(fin_u8(&in) & 3);
	if (!w.perm)
		w.perm = CORE_PERM_W;
	bp = fin_u32(&in) & ~3u;
	(void)fin_u16(&in);
	if (mode & 0x40)
		core_set_watchpoints(&C, &w, 1);
	if (mode & 0x80) {
		C.breakpoints[0] = bp;
		C.n_breakpoints = 1;
	}
	mmio_seed = fin_u64(&in);
	fin_bytes(&in, ram, fin_left(&in) < RAM_SIZE ? fin_left(&in) : RAM_SIZE);

	C.pc = 0;
	for (unsigned run = 0; run < MAX_RUNS; run++) {
		const struct core_exit *x = core_run(&C, BUDGET);

		if ((unsigned)x->kind >= CORE_EXIT__COUNT) {
			fprintf(stderr, "fuzz_core: exit kind %u out of range\n", (unsigned)x->kind);
			abort();
		}
		if (C.pc & 3) {
			fprintf(stderr, "fuzz_core: pc 0x%x not word-aligned after %s\n", C.pc,
				core_exit_name(x->kind));
			abort();
		}
		switch (x->kind) {
		case CORE_EXIT_BUDGET:
		case CORE_EXIT_EVENT:
			break;
		case CORE_EXIT_MMIO:
			mmio_seed = mmio_seed * 6364136223846793005ull + 1442695040888963407ull;
			core_mmio_complete(&C, mmio_seed >> 7);
			break;
		case CORE_EXIT_DEBUG:
			C.skip_breakpoint_once = true;
			break;
		case CORE_EXIT_ITLB_MISS:
		case CORE_EXIT_ISI:
		case CORE_EXIT_FETCH_IO:
			/* Nothing to run there: go back into RAM. */
			C.pc = (C.pc + 4) & (RAM_SIZE - 4);
			break;
		case CORE_EXIT_FP_UNAVAIL:
			/* As a guest kernel would: turn FP on and retry. */
			C.fp_enabled = true;
			break;
		default:
			/* PRIV, SC, PROGRAM, DTLB_MISS, DSI, ALIGN, WATCH: skip the instruction. */
			C.pc += 4;
			break;
		}
	}
	return 0;
}
