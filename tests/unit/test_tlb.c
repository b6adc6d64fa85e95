/* SPDX-License-Identifier: MIT */
/* test_tlb.c - hv/ unit tests: guest TLB, REAL/VIRT misses, privilege, interrupts, timers. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv/internal.h"
#include "hv/vcpu.h"

static int checks, failures;

#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	unsigned long long a_ = (a), b_ = (b); \
	checks++; \
	if (a_ != b_) { \
		failures++; \
		fprintf(stderr, "%s:%d: %s = 0x%llx, expected 0x%llx\n", __FILE__, __LINE__, \
			#a, a_, b_); \
	} \
} while (0)

#define RAM_SIZE (1u << 20)
#define TB_FREQ 1000000u

static uint8_t *ram;
static struct vcpu vcpu;
static struct vcpu *volatile running;

/*
 * Stub board: one 4 KiB device at 0xef600000 reading 0x5a, another above
 * 4 GiB at 0x4_ef600000 (as the 460EX's OPB) reading 0xa5, DCR 0x10 readable.
 */
static int stub_mmio_read(void *o, gpa_t pa, unsigned size, uint64_t *val)
{
	if (pa >= 0xef600000u && pa < 0xef601000u) {
		*val = 0x5a;
		return 0;
	}
	if (pa >= 0x4ef600000ull && pa < 0x4ef601000ull) {
		*val = 0xa5;
		return 0;
	}
	return -1;
}

static int stub_mmio_write(void *o, gpa_t pa, unsigned size, uint64_t val)
{
	return pa >= 0xef600000u && pa < 0xef601000u ? 0 : -1;
}

static int stub_dcr_read(void *o, uint32_t dcrn, uint32_t *val)
{
	if (dcrn != 0x10)
		return -1;
	*val = 0x1234;
	return 0;
}

static int stub_dcr_write(void *o, uint32_t dcrn, uint32_t val)
{
	return dcrn == 0x10 ? 0 : -1;
}

static void stub_poll(void *o, int64_t timeout_ns)
{
	if (timeout_ns > 0) {
		struct timespec ts = { 0, timeout_ns > 1000000 ? 1000000 : timeout_ns };

		nanosleep(&ts, NULL);
	}
}

static const struct vcpu_bus stub_bus = {
	.mmio_read = stub_mmio_read, .mmio_write = stub_mmio_write,
	.dcr_read = stub_dcr_read, .dcr_write = stub_dcr_write, .poll = stub_poll,
};

static void on_alarm(int sig)
{
	(void)sig;
	if (running)
		vcpu_request_stop(running);
}

/* Instruction encoders (Book E formats). */
static uint32_t d_form(unsigned op, unsigned rt, unsigned ra, uint32_t imm)
{
	return (op << 26) | (rt << 21) | (ra << 16) | (imm & 0xffff);
}

static uint32_t x_form(unsigned rt, unsigned ra, unsigned rb, unsigned xo, unsigned rc)
{
	return (31u << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1) | rc;
}

#define ADDI(rt, ra, si)   d_form(14, rt, ra, si)
#define ADDIS(rt, ra, si)  d_form(15, rt, ra, si)
#define ORI(ra, rs, ui)    d_form(24, rs, ra, ui)
#define LWZ(rt, d, ra)     d_form(32, rt, ra, d)
#define STW(rs, d, ra)     d_form(36, rs, ra, d)
#define MFSPR(rt, spr)     x_form(rt, (spr) & 31, (spr) >> 5, 339, 0)
#define MTSPR(spr, rs)     x_form(rs, (spr) & 31, (spr) >> 5, 467, 0)
#define MFDCR(rt, dcr)     x_form(rt, (dcr) & 31, (dcr) >> 5, 323, 0)
#define MFDCRX(rt, ra)     x_form(rt, ra, 0, 259, 0)
#define MTDCRX(ra, rs)     x_form(rs, ra, 0, 387, 0)
#define MFMSR(rt)          x_form(rt, 0, 0, 83, 0)
#define MTMSR(rs)          x_form(rs, 0, 0, 146, 0)
#define WRTEEI(e)          ((31u << 26) | ((e) << 15) | (163u << 1))
#define TLBWE(rs, ra, ws)  x_form(rs, ra, ws, 978, 0)
#define TLBRE(rt, ra, ws)  x_form(rt, ra, ws, 946, 0)
#define TLBSX(rt, ra, rb, rc) x_form(rt, ra, rb, 914, rc)
#define MFCR(rt)           x_form(rt, 0, 0, 19, 0)
#define ANDIS_(ra, rs, ui) d_form(29, rs, ra, ui)
#define RFI                0x4c000064u
#define SC                 0x44000002u
#define B_SELF             0x48000000u

#define SPR_SRR0 26
#define SPR_SRR1 27
#define SPR_PID 48
#define SPR_DEC 22
#define SPR_DECAR 54
#define SPR_TCR 340
#define SPR_TSR 336
#define SPR_PVR 287
#define SPR_MMUCR 946

#define CODE 0x1000u
#define VEC_BASE 0x800u /* IVORn = VEC_BASE + 16 * n */

static uint32_t emit_pc;

static void emit(uint32_t insn)
{
	ram[emit_pc] = insn >> 24;
	ram[emit_pc + 1] = insn >> 16;
	ram[emit_pc + 2] = insn >> 8;
	ram[emit_pc + 3] = insn;
	emit_pc += 4;
}

static void li32(unsigned r, uint32_t val)
{
	emit(ADDIS(r, 0, val >> 16));
	emit(ORI(r, r, val & 0xffff));
}

static uint32_t vec(unsigned n)
{
	return VEC_BASE + 16 * n;
}

static struct vcpu_tlb_entry entry(uint32_t ea, unsigned size, uint32_t pa, uint32_t attr,
				   unsigned ts, unsigned tid)
{
	struct vcpu_tlb_entry e = {
		.word0 = ea | 0x200 | (ts ? 0x100 : 0) | (size << 4),
		.word1 = pa,
		.word2 = attr,
		.tid = (uint8_t)tid,
	};
	return e;
}

/* Fresh vcpu with ram_size bytes of RAM (at most RAM_SIZE - VCPU_PV_EXTRA for paravirt tests). */
static void setup_ram(uint64_t ram_size)
{
	struct vcpu_tlb_entry e = entry(0, 5, 0, 0x7, 0, 0);

	memset(ram, 0, RAM_SIZE);
	CHECK_EQ(vcpu_init(&vcpu, ram, ram_size, TB_FREQ, &stub_bus), 0);
	vcpu_tlb_set(&vcpu, 1, &e);
	vcpu.ivpr = 0;
	for (unsigned n = 0; n < 16; n++) {
		vcpu.ivor[n] = vec(n);
		emit_pc = vec(n);
		emit(B_SELF);
	}
	vcpu.core.pc = CODE;
	emit_pc = CODE;
}

/* Fresh vcpu: RAM 0..1M mapped 1:1 supervisor-only (SIZE 5), vectors spinning, pc = CODE. */
static void setup(void)
{
	setup_ram(RAM_SIZE);
}

/* Run until pc reaches stop or one of the common vectors; returns why vcpu_run stopped. */
static enum vcpu_stop run_to(uint32_t stop)
{
	static const unsigned vecs[] = { 2, 3, 6, 8, 10, 13, 14 };
	enum vcpu_stop r;

	vcpu.core.breakpoints[0] = stop;
	for (unsigned i = 0; i < 7; i++)
		vcpu.core.breakpoints[1 + i] = vec(vecs[i]);
	vcpu.core.n_breakpoints = 8;
	vcpu.core.skip_breakpoint_once = false;
	/* The test writes code behind the core's back: drop decoded blocks. */
	core_icache_flush(&vcpu.core);
	for (unsigned i = 0; i < 8; i++)
		if (vcpu.core.breakpoints[i] == vcpu.core.pc)
			vcpu.core.skip_breakpoint_once = true;
	running = &vcpu;
	alarm(5);
	r = vcpu_run(&vcpu);
	alarm(0);
	running = NULL;
	return r;
}

static void test_reset(void)
{
	setup();
	vcpu_reset(&vcpu);
	CHECK_EQ(vcpu.pvr, 0x422218D3u);
	CHECK_EQ(vcpu.msr, 0);
	CHECK_EQ(vcpu.pir, 0);
	CHECK_EQ(vcpu.core.pc, 0xfffffffcu);
	CHECK_EQ(vcpu.tlb[0].word0 & 0xfffffff0u, 0xfffff210u);
	CHECK(vcpu.core.ctx.kmode);
}

static void test_tlbwe_tlbre(void)
{
	uint32_t end;

	setup();
	/* MMUCR[STID] = 0x42, then write index 5 (word0, 1, 2) and read it back. */
	li32(3, 0x42);
	emit(MTSPR(SPR_MMUCR, 3));
	li32(4, 5);
	li32(5, 0x40000000u | 0x200 | 0x100 | (3 << 4)); /* 64K, TS=1 */
	emit(TLBWE(5, 4, 0));
	li32(5, 0x00080000u | 0x1);
	emit(TLBWE(5, 4, 1));
	li32(5, 0x3f);
	emit(TLBWE(5, 4, 2));
	li32(3, 0);
	emit(MTSPR(SPR_MMUCR, 3));
	emit(TLBRE(6, 4, 0));
	emit(TLBRE(7, 4, 1));
	emit(TLBRE(8, 4, 2));
	emit(MFSPR(9, SPR_MMUCR));
	/* tlbsx. with STS=1, STID=0x42: found at index 5. */
	li32(3, 0x10042);
	emit(MTSPR(SPR_MMUCR, 3));
	li32(10, 0x4000fffcu);
	emit(TLBSX(11, 0, 10, 1));
	emit(MFCR(12));
	/* Just past the 64K page: not found, CR0[EQ] clear. */
	li32(10, 0x40010000u);
	emit(TLBSX(13, 0, 10, 1));
	emit(MFCR(14));
	/* Wrong STID: not found. */
	li32(3, 0x10043);
	emit(MTSPR(SPR_MMUCR, 3));
	li32(10, 0x40000000u);
	emit(TLBSX(15, 0, 10, 1));
	emit(MFCR(16));
	/* STS=0: not found either (entry is TS=1). */
	li32(3, 0x42);
	emit(MTSPR(SPR_MMUCR, 3));
	emit(TLBSX(17, 0, 10, 1));
	emit(MFCR(18));
	end = emit_pc;
	emit(B_SELF);

	CHECK_EQ(run_to(end), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, end);
	CHECK_EQ(vcpu.tlb[5].tid, 0x42);
	CHECK_EQ(vcpu.core.gpr[6], 0x40000000u | 0x200 | 0x100 | (3 << 4));
	CHECK_EQ(vcpu.core.gpr[7], 0x00080001u);
	CHECK_EQ(vcpu.core.gpr[8], 0x3f);
	CHECK_EQ(vcpu.core.gpr[9] & 0xff, 0x42); /* tlbre word 0 loaded MMUCR[STID] */
	CHECK_EQ(vcpu.core.gpr[11], 5);
	CHECK((vcpu.core.gpr[12] & 0x20000000u) != 0);
	CHECK((vcpu.core.gpr[14] & 0x20000000u) == 0);
	CHECK((vcpu.core.gpr[16] & 0x20000000u) == 0);
	CHECK((vcpu.core.gpr[18] & 0x20000000u) == 0);
	CHECK(vcpu.stats.exit[HV_EXIT_EMUL_TLBWE].count >= 6);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_EMUL_TLBSX].count, 4);
}

/* tlbsx finds EA base and base+size-1 but not base+size for every 440 page size. */
static void test_page_sizes(void)
{
	static const unsigned sizes[] = { 0, 1, 2, 3, 4, 5, 7, 9 };

	for (unsigned i = 0; i < 8; i++) {
		uint32_t bytes = 1024u << (2 * sizes[i]);
		uint32_t base = 0x80000000u;
		struct vcpu_tlb_entry e = entry(base, sizes[i], 0, 0x3f, 0, 7);
		uint32_t end;

		setup();
		vcpu_tlb_set(&vcpu, 9, &e);
		li32(3, 7);
		emit(MTSPR(SPR_MMUCR, 3));
		li32(10, base);
		emit(TLBSX(11, 0, 10, 0));
		li32(10, base + bytes - 1);
		emit(TLBSX(12, 0, 10, 0));
		li32(10, base + bytes);
		emit(TLBSX(13, 0, 10, 1));
		emit(MFCR(14));
		end = emit_pc;
		emit(B_SELF);
		CHECK_EQ(run_to(end), VCPU_STOP_DEBUG);
		CHECK_EQ(vcpu.core.gpr[11], 9);
		CHECK_EQ(vcpu.core.gpr[12], 9);
		CHECK((vcpu.core.gpr[14] & 0x20000000u) == 0);
	}
}

static void test_real_virt(void)
{
	struct vcpu_tlb_entry small = entry(0x30000000u, 0, 0x40400, 0x3, 0, 0); /* 1K, SR SW */
	uint32_t end;

	setup();
	vcpu_tlb_set(&vcpu, 20, &small);
	ram[0x40400 + 0x10] = 0xde;
	ram[0x40400 + 0x11] = 0xad;
	ram[0x40400 + 0x12] = 0xbe;
	ram[0x40400 + 0x13] = 0xef;
	li32(3, 0x30000000u);
	emit(LWZ(4, 0x10, 3));          /* VIRT: the guest maps it */
	li32(5, 0x11223344u);
	emit(STW(5, 0x20, 3));
	li32(6, 0x50000000u);
	end = emit_pc;
	emit(STW(5, 8, 6));             /* REAL: DTLB miss interrupt */
	emit(B_SELF);
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.gpr[4], 0xdeadbeefu);
	CHECK_EQ(ram[0x40400 + 0x20], 0x11);
	CHECK_EQ(vcpu.core.pc, vec(13));
	CHECK_EQ(vcpu.srr0, end);
	CHECK_EQ(vcpu.dear, 0x50000008u);
	CHECK((vcpu.esr & 0x00800000u) != 0); /* ESR[ST] */
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_DTLB_REAL].count, 1);
	CHECK(vcpu.stats.exit[HV_EXIT_DTLB_VIRT].count >= 1);
	CHECK(vcpu.stats.exit[HV_EXIT_ITLB_VIRT].count >= 1);
	CHECK(vcpu.stats.stlb_fills >= 2);
	CHECK_EQ(vcpu.stats.irq_delivered[13], 1);

	/* Instruction fetch with no guest entry: ITLB miss interrupt, SRR0 = the EA. */
	setup();
	li32(3, 0x60000000u);
	emit(MTSPR(SPR_SRR0, 3));
	li32(3, 0);
	emit(MTSPR(SPR_SRR1, 3));
	emit(RFI);
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(14));
	CHECK_EQ(vcpu.srr0, 0x60000000u);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_ITLB_REAL].count, 1);

	/* tlbwe of a guest index drops its shadow entry. */
	setup();
	vcpu_tlb_set(&vcpu, 20, &small);
	li32(3, 0x30000000u);
	emit(LWZ(4, 0x10, 3));
	end = emit_pc;
	emit(B_SELF);
	CHECK_EQ(run_to(end), VCPU_STOP_DEBUG);
	CHECK(vcpu.core.stlb[20].flags & CORE_STLB_VALID);
	emit_pc = end;
	li32(4, 20);
	li32(5, 0);
	emit(TLBWE(5, 4, 0));
	end = emit_pc;
	emit(B_SELF);
	CHECK_EQ(run_to(end), VCPU_STOP_DEBUG);
	CHECK(!(vcpu.core.stlb[20].flags & CORE_STLB_VALID));
}

/* rfi to user mode; user access to a supervisor page -> DSI; user mfmsr/mfspr PVR -> ESR[PPR]. */
static void test_user_mode(void)
{
	struct vcpu_tlb_entry ucode = entry(0x10000000u, 1, 0x10000, 0x3f, 0, 0); /* U+S RWX */
	struct vcpu_tlb_entry sdata = entry(0x20000000u, 1, 0x20000, 0x03, 0, 0); /* S RW only */
	uint32_t ustart = 0x10000, uend;

	setup();
	vcpu_tlb_set(&vcpu, 2, &ucode);
	vcpu_tlb_set(&vcpu, 3, &sdata);
	li32(3, 0x10000000u);
	emit(MTSPR(SPR_SRR0, 3));
	li32(3, 0x4000); /* MSR[PR] */
	emit(MTSPR(SPR_SRR1, 3));
	emit(RFI);
	/* User code at EA 0x10000000 (PA 0x10000). */
	emit_pc = ustart;
	emit(ADDI(20, 0, 1));
	uend = 0x10000000u + (emit_pc - ustart);
	emit(B_SELF);
	CHECK_EQ(run_to(uend), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, uend);
	CHECK_EQ(vcpu.msr, 0x4000);
	CHECK(!vcpu.core.ctx.kmode);
	CHECK_EQ(vcpu.core.gpr[20], 1);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_EMUL_RFI].count, 1);

	/* User load from the supervisor-only page: data storage interrupt. */
	emit_pc = ustart + (uend - 0x10000000u);
	li32(3, 0x20000000u);
	emit(LWZ(4, 0x40, 3));
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(2));
	CHECK_EQ(vcpu.dear, 0x20000040u);
	CHECK_EQ(vcpu.srr1, 0x4000);
	CHECK_EQ(vcpu.msr, 0);
	CHECK(vcpu.core.ctx.kmode);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_DSI].count, 1);

	/* User mfmsr: privileged program interrupt. */
	setup();
	vcpu_tlb_set(&vcpu, 2, &ucode);
	emit_pc = 0x10100;
	emit(MFMSR(3));
	{
		/* Enter user mode the way the guest would: rfi from kernel code. */
		uint32_t k = CODE;

		emit_pc = k;
		li32(3, 0x10000100u);
		emit(MTSPR(SPR_SRR0, 3));
		li32(3, 0x4000);
		emit(MTSPR(SPR_SRR1, 3));
		emit(RFI);
		vcpu.core.pc = k;
	}
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(6));
	CHECK_EQ(vcpu.srr0, 0x10000100u);
	CHECK_EQ(vcpu.esr, 0x04000000u); /* ESR[PPR] */
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_USR_PR_INST].count, 1);

	/* User mfspr PVR: also ESR[PPR] (Linux emulates it); undefined SPR 1023: ESR[PIL]. */
	emit_pc = 0x10200;
	emit(MFSPR(3, SPR_PVR));
	vcpu.srr0 = 0x10000200u;
	vcpu.srr1 = 0x4000;
	emit_pc = CODE;
	emit(RFI);
	vcpu.core.pc = CODE;
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(6));
	CHECK_EQ(vcpu.esr, 0x04000000u);
	emit_pc = 0x10300;
	emit(MFSPR(3, 1023));
	vcpu.srr0 = 0x10000300u;
	vcpu.srr1 = 0x4000;
	vcpu.core.pc = CODE;
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(6));
	CHECK_EQ(vcpu.esr, 0x08000000u); /* ESR[PIL] */
}

static void test_sc_and_spr(void)
{
	uint32_t sc_pc, end;

	setup();
	li32(3, 0x1000); /* MSR[ME] */
	emit(MTMSR(3));
	emit(MFMSR(4));
	emit(MFSPR(5, SPR_PVR));
	emit(MFDCR(6, 0x10));
	emit(MFDCR(7, 0x11));   /* nothing there: reads 0 */
	sc_pc = emit_pc;
	emit(SC);
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(8));
	CHECK_EQ(vcpu.srr0, sc_pc + 4);
	CHECK_EQ(vcpu.srr1, 0x1000);
	CHECK_EQ(vcpu.msr, 0x1000); /* ME kept */
	CHECK_EQ(vcpu.core.gpr[4], 0x1000);
	CHECK_EQ(vcpu.core.gpr[5], 0x422218D3u);
	CHECK_EQ(vcpu.core.gpr[6], 0x1234);
	CHECK_EQ(vcpu.core.gpr[7], 0);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_SYSCALL].count, 1);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_DCR].count, 2);
	CHECK_EQ(vcpu.stats.irq_delivered[8], 1);

	/* mtspr PVR (read-only): illegal. */
	setup();
	emit(MTSPR(SPR_PVR, 3));
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(6));
	CHECK_EQ(vcpu.esr, 0x08000000u);

	/* DBCR0[RST] requests a reset. */
	setup();
	li32(3, 0x10000000u);
	emit(MTSPR(308, 3));
	end = emit_pc;
	emit(B_SELF);
	CHECK_EQ(run_to(end), VCPU_STOP_RESET);
}

static void test_dec(void)
{
	uint32_t end, after;

	setup();
	/* DEC fires while EE=0: TSR[DIS] set, no interrupt until wrteei 1. */
	li32(3, 200);
	emit(MTSPR(SPR_DECAR, 3));
	emit(MTSPR(SPR_DEC, 3));
	li32(3, 0x04000000u | 0x00400000u); /* DIE | ARE */
	emit(MTSPR(SPR_TCR, 3));
	/* Spin ~ a few ms reading TSR until DIS is set. */
	{
		uint32_t loop = emit_pc;

		emit(MFSPR(4, SPR_TSR));
		emit(ANDIS_(4, 4, 0x0800)); /* TSR[DIS] */
		emit(0x41820000u | ((loop - emit_pc) & 0xfffc)); /* beq loop */
	}
	end = emit_pc;
	emit(WRTEEI(1));
	after = emit_pc;
	emit(B_SELF);
	CHECK_EQ(run_to(end), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, end);
	CHECK(vcpu.tsr & 0x08000000u);
	CHECK_EQ(vcpu.stats.irq_delivered[10], 0);
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(10));
	CHECK_EQ(vcpu.srr0, after);
	CHECK_EQ(vcpu.stats.irq_delivered[10], 1);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_DEC].count, 1);
	CHECK(vcpu.dec > 0 && vcpu.dec <= 200); /* auto-reloaded from DECAR */
	CHECK(!(vcpu.msr & 0x8000));
}

/* A guest mapping of a device: loads/stores go to the bus; nothing there is a machine check. */
static void test_mmio(void)
{
	struct vcpu_tlb_entry dev = entry(0xe0000000u, 4, 0xef600000u, 0x500 | 0x3, 0, 0);

	setup();
	vcpu_tlb_set(&vcpu, 30, &dev);
	li32(3, 0x1000); /* MSR[ME] */
	emit(MTMSR(3));
	li32(3, 0xe0000000u);
	emit(LWZ(4, 0x300, 3));
	emit(STW(4, 0x304, 3));
	emit(LWZ(5, 0x2000, 3)); /* PA 0xef602000: no device */
	CHECK_EQ(run_to(vec(1)), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(1));
	CHECK_EQ(vcpu.core.gpr[4], 0x5a);
	CHECK_EQ(vcpu.mcsr, 0xa0000000u); /* MCS | DRB */
	CHECK_EQ(vcpu.mcsrr1, 0x1000);
	CHECK_EQ(vcpu.msr, 0);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_MMIO].count, 3);
	CHECK(vcpu.core.stlb[30].flags & CORE_STLB_IO);

	/* The same with MSR[ME]=0: checkstop. */
	setup();
	vcpu_tlb_set(&vcpu, 30, &dev);
	li32(3, 0xe0000000u);
	emit(LWZ(5, 0x2000, 3));
	CHECK_EQ(run_to(0), VCPU_STOP_CHECKSTOP);
}

/* ERPN (TLB word 1 bits 28-31) is the top of a 36-bit physical address: devices above 4 GiB. */
static void test_mmio_36bit(void)
{
	struct vcpu_tlb_entry lo = entry(0xe0000000u, 4, 0xef600000u, 0x500 | 0x3, 0, 0);
	struct vcpu_tlb_entry hi = entry(0xe1000000u, 4, 0xef600000u | 0x4, 0x500 | 0x3, 0, 0);

	setup();
	vcpu_tlb_set(&vcpu, 30, &lo);
	vcpu_tlb_set(&vcpu, 31, &hi);
	li32(3, 0xe0000000u);
	emit(LWZ(4, 0x300, 3));
	li32(3, 0xe1000000u);
	emit(LWZ(5, 0x300, 3));
	emit(SC);
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(8));
	CHECK_EQ(vcpu.core.gpr[4], 0x5a);
	CHECK_EQ(vcpu.core.gpr[5], 0xa5);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_MMIO].count, 2);
}

/* mfdcrx/mtdcrx: the DCR number in RA; only on a core that has them (vcpu.indexed_dcr, PPC464). */
static void test_indexed_dcr(void)
{
	setup();
	vcpu.indexed_dcr = true;
	li32(3, 0x10);
	li32(4, 0x77);
	emit(MFDCRX(6, 3));
	emit(MTDCRX(3, 4));
	li32(3, 0x11);
	emit(MFDCRX(7, 3));   /* nothing there: reads 0 */
	emit(SC);
	vcpu.core.gpr[7] = 0xdead;
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(8));
	CHECK_EQ(vcpu.core.gpr[6], 0x1234);
	CHECK_EQ(vcpu.core.gpr[7], 0);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_DCR].count, 3);

	/* The 440EP has no indexed DCR access: an illegal instruction (ESR[PIL]). */
	setup();
	li32(3, 0x10);
	emit(MFDCRX(6, 3));
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(6));
	CHECK_EQ(vcpu.esr, 0x08000000u);
	CHECK_EQ(vcpu.stats.exit[HV_EXIT_DCR].count, 0);
}

/* FIT: TSR[FIS] on the rising edge of TB bit 12 (TCR[FP]=0), interrupt with FIE and EE. */
static void test_fit(void)
{
	setup();
	li32(3, 0x00800000u); /* FIE, FP=0 */
	emit(MTSPR(SPR_TCR, 3));
	emit(WRTEEI(1));
	emit(B_SELF);
	CHECK_EQ(run_to(vec(11)), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(11));
	CHECK(vcpu.tsr & 0x04000000u);
	CHECK_EQ(vcpu.stats.irq_delivered[11], 1);
}

/* Watchdog (TCR[WP]=0: TB bit 20): ENW, then WIS and a critical interrupt, then the reset. */
static void test_watchdog(void)
{
	uint32_t loop, spin;

	setup();
	li32(3, 0);
	emit(MTSPR(285, 3));
	li32(3, 0x000fff00u);  /* 256 ticks before the bit rises */
	emit(MTSPR(284, 3));
	li32(4, 0x08000000u | 0x10000000u); /* WIE, WRC=01 */
	emit(MTSPR(SPR_TCR, 4));
	li32(5, 0x00020000u);  /* MSR[CE] */
	emit(MTMSR(5));
	loop = emit_pc;
	emit(MFSPR(6, SPR_TSR));
	emit(ANDIS_(6, 6, 0x8000)); /* TSR[ENW] */
	emit(0x41820000u | ((loop - emit_pc) & 0xfffc)); /* beq loop */
	li32(3, 0x002fff00u);
	emit(MTSPR(284, 3));
	spin = emit_pc;
	emit(B_SELF);
	CHECK_EQ(run_to(vec(12)), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(12));
	CHECK_EQ(vcpu.csrr0, spin);
	CHECK_EQ(vcpu.csrr1, 0x00020000u);
	CHECK_EQ(vcpu.msr, 0);
	CHECK_EQ(vcpu.tsr & 0xc0000000u, 0xc0000000u);
	CHECK_EQ(vcpu.stats.irq_delivered[12], 1);

	/* WIS still set at the next period: the reset TCR[WRC] asks for, recorded in TSR[WRS]. */
	emit_pc = 0x3000;
	li32(3, 0x004fff00u);
	emit(MTSPR(284, 3));
	emit(B_SELF);
	vcpu.core.pc = 0x3000;
	CHECK_EQ(run_to(0), VCPU_STOP_RESET);
	CHECK_EQ(vcpu.tsr & 0x30000000u, 0x10000000u);
	vcpu_reset(&vcpu);
	CHECK_EQ(vcpu.tsr, 0x10000000u);
	CHECK_EQ(vcpu.tcr, 0);
}

/* Waiting with everything masked halts for good; with DEC enabled it wakes. */
static void test_wait(void)
{
	uint32_t after;

	setup();
	li32(3, 0x00040000u); /* WE only */
	emit(MTMSR(3));
	emit(B_SELF);
	CHECK_EQ(run_to(0), VCPU_STOP_HALT);

	setup();
	li32(3, 2000);
	emit(MTSPR(SPR_DEC, 3));
	li32(3, 0x04000000u);
	emit(MTSPR(SPR_TCR, 3));
	li32(3, 0x00048000u); /* WE | EE */
	emit(MTMSR(3));
	after = emit_pc;
	emit(B_SELF);
	CHECK_EQ(run_to(0), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(10));
	CHECK_EQ(vcpu.srr0, after);
	CHECK_EQ(vcpu.srr1 & 0x00040000u, 0);
	CHECK(vcpu.stats.exit[HV_EXIT_HALT].count >= 1);
}

/* Large guest pages are shadowed whole, also where they reach past the end of RAM. */
static void test_large_pages(void)
{
	struct vcpu_tlb_entry mb = entry(0x40000000u, 5, 0, 0x3f, 0, 0);     /* 1 MiB = all RAM */
	struct vcpu_tlb_entry big = entry(0xc0000000u, 9, 0, 0x3f, 0, 0);    /* 256 MiB */
	struct vcpu_tlb_entry out = entry(0xd0000000u, 7, 0x01000000u, 0x3f, 0, 0); /* no RAM */
	const struct core_stlb_entry *s;

	setup();
	vcpu_tlb_set(&vcpu, 4, &mb);
	vcpu_tlb_set(&vcpu, 5, &big);
	vcpu_tlb_set(&vcpu, 6, &out);
	CHECK_EQ(tlb_handle_miss(&vcpu, 0x400abcdeu, false, 0), HV_EXIT_DTLB_VIRT);
	s = &vcpu.core.stlb[4];
	CHECK(s->flags & CORE_STLB_VALID);
	CHECK_EQ(s->size, 1u << 20);
	CHECK_EQ(s->ea, 0x40000000u);
	CHECK_EQ(s->pa, 0);
	CHECK(!(s->flags & CORE_STLB_IO));
	/* the 256 MiB page over 1 MiB of RAM: one shadow entry, whichever part misses first */
	CHECK_EQ(tlb_handle_miss(&vcpu, 0xc0212345u, false, 0), HV_EXIT_DTLB_VIRT);
	s = &vcpu.core.stlb[5];
	CHECK_EQ(s->size, 256u << 20);
	CHECK_EQ(s->ea, 0xc0000000u);
	CHECK_EQ(s->pa, 0);
	CHECK(!(s->flags & CORE_STLB_IO));
	CHECK_EQ(core_stlb_find(&vcpu.core, 0xc0000000u, 0), 5);
	CHECK_EQ(core_stlb_find(&vcpu.core, 0xc00ffffcu, 0), 5);
	CHECK_EQ(core_stlb_find(&vcpu.core, 0xcffffffcu, 0), 5);
	/* a page with no RAM in it at all is an I/O page */
	CHECK_EQ(tlb_handle_miss(&vcpu, 0xd0000010u, false, 0), HV_EXIT_DTLB_VIRT);
	CHECK(vcpu.core.stlb[6].flags & CORE_STLB_IO);
	CHECK_EQ(vcpu.stats.stlb_evictions, 0);
}

/*
 * A 256 MiB page over 768 KiB of RAM (as Linux's first pinned entry over
 * 128 MiB): code in the first 256 KiB reads and writes RAM in the second
 * and third 256 KiB, then loads past the end of RAM inside the same page.
 * Every access must make progress (hv440 once shadowed such a page as
 * power-of-4 pieces in one shadow slot, and the code and data pieces
 * evicted each other forever); the load past RAM is a bus error: machine
 * check, MCSR[MCS|DRB] (PPC440x5 manual, 5.10 and MCSR).
 */
static void test_page_past_ram(void)
{
	const uint32_t ram_size = 0xc0000;
	struct vcpu_tlb_entry big = entry(0, 9, 0, 0x7, 0, 0);

	setup_ram(ram_size);
	vcpu_tlb_set(&vcpu, 1, &big);
	li32(3, 0x1000); /* MSR[ME] */
	emit(MTMSR(3));
	li32(3, 0x40000);
	li32(6, 0x80000);
	for (unsigned k = 0; k < 4; k++) {
		emit(LWZ(4, 0, 3));
		emit(ADDI(4, 4, 1));
		emit(STW(4, 0, 3));
		emit(LWZ(5, 8, 6));
		emit(ADDI(5, 5, 2));
		emit(STW(5, 8, 6));
	}
	li32(7, ram_size);
	emit(LWZ(8, 0, 7)); /* past RAM, inside the page */
	CHECK_EQ(run_to(vec(1)), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(1));
	CHECK_EQ(vcpu.core.gpr[4], 4);
	CHECK_EQ(vcpu.core.gpr[5], 8);
	CHECK_EQ(ram[0x40003], 4);
	CHECK_EQ(ram[0x8000b], 8);
	CHECK_EQ(vcpu.mcsr, 0xa0000000u); /* MCS | DRB */
	CHECK_EQ(vcpu.mcsrr0, emit_pc - 4);
	CHECK(vcpu.stats.stlb_fills <= 2);
	CHECK_EQ(vcpu.stats.stlb_evictions, 0);

	/* A fetch past RAM inside the page: instruction-side bus error, MCSR[IB]. */
	setup_ram(ram_size);
	vcpu_tlb_set(&vcpu, 1, &big);
	li32(3, 0x1000);
	emit(MTMSR(3));
	li32(3, ram_size + 0x100);
	emit(MTSPR(9, 3)); /* CTR */
	emit(0x4e800420u); /* bctr */
	CHECK_EQ(run_to(vec(1)), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.mcsr, 0xc0000000u); /* MCS | IB */
	CHECK_EQ(vcpu.mcsrr0, ram_size + 0x100);

	/*
	 * With paravirt on, the magic page's host memory lies right after RAM;
	 * the guest's page reaches that physical address too, but finds no RAM
	 * there: only the hypervisor's own shadow entry maps the magic page.
	 */
	setup_ram(ram_size);
	vcpu_pv_enable(&vcpu);
	vcpu_tlb_set(&vcpu, 1, &big);
	memset(ram + ram_size, 0xa5, 16);
	li32(3, 0x1000);
	emit(MTMSR(3));
	li32(7, ram_size);
	emit(LWZ(8, 0, 7));
	CHECK_EQ(run_to(vec(1)), VCPU_STOP_DEBUG);
	CHECK_EQ(vcpu.core.pc, vec(1));
	CHECK_EQ(vcpu.mcsr, 0xa0000000u);
	CHECK(vcpu.core.gpr[8] != 0xa5a5a5a5u);
}

int main(void)
{
	ram = calloc(1, RAM_SIZE);
	if (!ram)
		return 2;
	signal(SIGALRM, on_alarm);
	test_reset();
	test_tlbwe_tlbre();
	test_page_sizes();
	test_real_virt();
	test_user_mode();
	test_sc_and_spr();
	test_dec();
	test_mmio();
	test_mmio_36bit();
	test_indexed_dcr();
	test_fit();
	test_watchdog();
	test_wait();
	test_large_pages();
	test_page_past_ram();
	if (getenv("TEST_TLB_STATS"))
		hv_stats_print(&vcpu.stats, stdout);
	printf("test_tlb: %d checks, %d failures\n", checks, failures);
	free(ram);
	return failures ? 1 : 0;
}
