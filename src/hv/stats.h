/* SPDX-License-Identifier: MIT */
/* stats.h - exit statistics: one enum of exit kinds, one name table, always-on counters. */
#ifndef HV440_HV_STATS_H
#define HV440_HV_STATS_H

#include <stdint.h>
#include <stdio.h>

/* The exit kinds of KVM/440 (arch/powerpc/kvm timing), in its order. */
enum hv_exit_kind {
	HV_EXIT_MMIO,
	HV_EXIT_DCR,
	HV_EXIT_SIGNAL,
	HV_EXIT_ITLB_REAL,
	HV_EXIT_ITLB_VIRT,
	HV_EXIT_DTLB_REAL,
	HV_EXIT_DTLB_VIRT,
	HV_EXIT_SYSCALL,
	HV_EXIT_ISI,
	HV_EXIT_DSI,
	HV_EXIT_EMULINST,
	HV_EXIT_EMUL_WAIT,
	HV_EXIT_EMUL_WRTEE,
	HV_EXIT_EMUL_MTSPR,
	HV_EXIT_EMUL_MFSPR,
	HV_EXIT_EMUL_MTMSR,
	HV_EXIT_EMUL_MFMSR,
	HV_EXIT_EMUL_TLBSX,
	HV_EXIT_EMUL_TLBWE,
	HV_EXIT_EMUL_RFI,
	HV_EXIT_DEC,
	HV_EXIT_EXTINT,
	HV_EXIT_HALT,
	HV_EXIT_USR_PR_INST,
	HV_EXIT_FP_UNAVAIL,
	HV_EXIT_DEBUG,
	HV_EXIT_TIMEINGUEST,
	HV_EXIT__COUNT
};

struct hv_exit_stat {
	uint64_t count;
	uint64_t min_ns, max_ns, sum_ns;
	/*
	 * Sum of squares (for the standard deviation), as an exact integer: a
	 * floating-point sum would depend on the host FPU rounding mode, which
	 * the core's FPU emulation changes, and would not match a trace's.
	 */
	__extension__ unsigned __int128 sum_sq_ns;
};

struct hv_stats {
	struct hv_exit_stat exit[HV_EXIT__COUNT];
	uint64_t irq_delivered[16];  /* interrupts delivered per IVOR */
	uint64_t stlb_fills;         /* shadow TLB entries written by the hypervisor */
	uint64_t stlb_evictions;     /* valid shadow entries replaced */
	/* Copied from the core's counters after each run chunk (0: not known, e.g. from a trace). */
	uint64_t core_insns;
	uint64_t core_fast_misses;   /* fast-cache misses: the core searched the shadow TLB */
	uint64_t stlb_hits;          /* of those, found in the shadow TLB (the rest exit as misses) */
	uint64_t core_blocks;        /* code blocks decoded */
	uint64_t core_translated;    /* of those, translated by the JIT */
	uint64_t core_code_bytes;    /* JIT code cache in use (bytes) */
	uint64_t core_flushes;       /* whole block-cache flushes */
	uint64_t core_kills;         /* blocks killed by stores, DMA or icbi */
};

const char *hv_exit_name(enum hv_exit_kind kind);
void hv_stats_reset(struct hv_stats *s);
void hv_stats_add(struct hv_stats *s, enum hv_exit_kind kind, uint64_t ns);
/* Exit kind by name (case-insensitive; "DEC", "EMUL_MTSPR", ...); -1 if unknown. */
int hv_exit_kind_from_name(const char *name);
/* Name of IVOR n (0-15). */
const char *hv_ivor_name(unsigned n);
/* The --stats table. Core counters are printed only when known (core_insns != 0). */
void hv_stats_print(const struct hv_stats *s, FILE *out);
/* The same figures as one line of JSON (--stats=json); see docs/measuring.md. */
void hv_stats_print_json(const struct hv_stats *s, FILE *out);

#endif
