/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vcpu.c - libFuzzer harness for a whole hostile guest on the vcpu
 * (hv/vcpu.h): the core plus the hypervisor's emulation of privileged
 * instructions, SPRs, the guest TLB and shadow TLB, interrupts, timers,
 * hypercalls and the magic page, against a bus that answers everything.
 *
 * Input, in order (bytes past the end read as zero):
 *   mode (1): bit 0 paravirt on, bit 1 run until the first host poll
 *             (at least one 50000-instruction chunk; else 256 single
 *             steps or 10 ms, interrupts allowed), bit 2 interrupt lines raised
 *   MSR (4), IVOR offsets (16 x 2, inside RAM)
 *   two extra guest TLB entries (2 x 13: word0, word1, word2, tid)
 *   bus seed (8): MMIO and DCR reads answer from it
 *   code and data (the rest): guest RAM from physical 0 (64 KiB; TLB
 *             entry 0 maps it at EA 0 for the supervisor), pc = 0
 * Checked: no crash, no sanitizer report, no hang; vcpu_run() returns one
 * of its documented stop reasons. HV440_FUZZ_VERBOSE=1 prints where each
 * input ended (to check seeds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/vcpu.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE (64u << 10)
#define MAX_STEPS 256
#define MAX_STEP_NS 10000000ll /* a step can loop 64 times in vcpu_run (interrupt storms) */
#define MAX_RUNS 64

static struct vcpu v;  /* static: about 7 MiB */
static uint8_t *ram;
static uint64_t seed;
static unsigned polls;

static uint64_t next(void)
{
	seed = seed * 6364136223846793005ull + 1442695040888963407ull;
	return seed >> 11;
}

static int bus_mmio_read(void *opaque, gpa_t pa, unsigned size, uint64_t *val)
{
	uint64_t r = next();

	/* Some addresses answer nothing (the 440 then takes a machine check). */
	if ((r & 15) == 0)
		return -1;
	*val = size == 8 ? r : r & ((1ull << (8 * size)) - 1);
	return 0;
}

static int bus_mmio_write(void *opaque, gpa_t pa, unsigned size, uint64_t val)
{
	return (next() & 15) == 0 ? -1 : 0;
}

static int bus_dcr_read(void *opaque, uint32_t dcrn, uint32_t *val)
{
	uint64_t r = next();

	if ((r & 7) == 0)
		return -1;
	*val = (uint32_t)r;
	return 0;
}

static int bus_dcr_write(void *opaque, uint32_t dcrn, uint32_t val)
{
	return (next() & 7) == 0 ? -1 : 0;
}

/* Called between run chunks and when the guest waits: the end of a timed run. */
static void bus_poll(void *opaque, int64_t timeout_ns)
{
	polls++;
	vcpu_request_stop(&v);
}

static const struct vcpu_bus bus = {
	.mmio_read = bus_mmio_read, .mmio_write = bus_mmio_write,
	.dcr_read = bus_dcr_read, .dcr_write = bus_dcr_write, .poll = bus_poll,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	const struct vcpu_tlb_entry ram_entry = {
		.word0 = 0x200u | 3u << 4, /* EPN 0, V, TS 0, 64 KiB */
		.word1 = 0, .word2 = 0x3fu, .tid = 0,
	};
	enum vcpu_stop stop;
	struct timespec t0, t1;
	uint8_t mode;

	if (!ram) {
		ram = calloc(1, RAM_SIZE + VCPU_PV_EXTRA);
		if (!ram || vcpu_init(&v, ram, RAM_SIZE, 400000000, &bus))
			abort();
	}
	memset(ram, 0, RAM_SIZE + VCPU_PV_EXTRA);
	/* Undo vcpu_pv_enable() of the previous input: paravirt is per input. */
	v.pv = (struct vcpu_pv){ 0 };
	v.core.ram_size = RAM_SIZE;
	vcpu_reset(&v);
	v.debug = (struct vcpu_debug){ 0 };

	mode = fin_u8(&in);
	if (mode & 1)
		vcpu_pv_enable(&v);
	v.msr = fin_u32(&in);
	v.ivpr = 0;
	for (unsigned i = 0; i < 16; i++)
		v.ivor[i] = fin_u16(&in) & (RAM_SIZE - 16);
	vcpu_tlb_set(&v, 0, &ram_entry);
	for (unsigned i = 1; i <= 2; i++) {
		struct vcpu_tlb_entry e;

		e.word0 = fin_u32(&in);
		e.word1 = fin_u32(&in);
		e.word2 = fin_u32(&in);
		e.tid = fin_u8(&in);
		vcpu_tlb_set(&v, i, &e);
	}
	seed = fin_u64(&in);
	fin_bytes(&in, ram, fin_left(&in) < RAM_SIZE ? fin_left(&in) : RAM_SIZE);
	core_icache_flush(&v.core);
	v.core.pc = 0;
	if (mode & 4) {
		vcpu_set_irq(&v, VCPU_IRQ_EXT, true);
		vcpu_set_irq(&v, VCPU_IRQ_CRIT, true);
	}

	polls = 0;
	stop = VCPU_STOP_HOST;
	v.debug.step = !(mode & 2);
	v.debug.step_irqs = true;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned run = 0; run < (v.debug.step ? MAX_STEPS : MAX_RUNS); run++) {
		if (v.debug.step && run % 16 == 15) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec) > MAX_STEP_NS)
				break;
		}
		stop = vcpu_run(&v);
		switch (stop) {
		case VCPU_STOP_DEBUG:
			continue; /* one step done */
		case VCPU_STOP_HOST:
			if (!v.debug.step)
				goto out; /* the timed run ended */
			continue;
		case VCPU_STOP_RESET:
		case VCPU_STOP_HALT:
		case VCPU_STOP_CHECKSTOP:
			goto out;
		default:
			fprintf(stderr, "fuzz_vcpu: vcpu_run returned %d\n", (int)stop);
			abort();
		}
	}
out:
	if (getenv("HV440_FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz_vcpu: stop %d pc 0x%x msr 0x%x insns %llu srr0 0x%x esr 0x%x "
			"tsr 0x%x tlb1 0x%x polls %u\n", (int)stop, v.core.pc, v.msr,
			(unsigned long long)v.core.stats.insns, v.srr0, v.esr, v.tsr, v.tlb[1].word0, polls);
	atomic_store(&v.core.events, 0);
	if (mode & 4) {
		vcpu_set_irq(&v, VCPU_IRQ_EXT, false);
		vcpu_set_irq(&v, VCPU_IRQ_CRIT, false);
	}
	return 0;
}
