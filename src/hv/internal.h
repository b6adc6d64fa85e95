/* SPDX-License-Identifier: MIT */
/* internal.h - private interfaces between the hv/ files (emulation, TLB, interrupts, timers). */
#ifndef HV440_HV_INTERNAL_H
#define HV440_HV_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/profile.h"
#include "hv/trace.h"
#include "hv/vcpu.h"

/* SPR numbers (PPC440x5 manual, "Special Purpose Registers", SPR table). */
#define SPR_XER     1
#define SPR_LR      8
#define SPR_CTR     9
#define SPR_DEC     22
#define SPR_SRR0    26
#define SPR_SRR1    27
#define SPR_PID     48
#define SPR_DECAR   54
#define SPR_CSRR0   58
#define SPR_CSRR1   59
#define SPR_DEAR    61
#define SPR_ESR     62
#define SPR_IVPR    63
#define SPR_USPRG0  256
#define SPR_SPRG4R  260 /* 260-263: SPRG4-7, user read-only */
#define SPR_TBL_R   268
#define SPR_TBU_R   269
#define SPR_SPRG0   272 /* 272-279: SPRG0-7 */
#define SPR_TBL_W   284
#define SPR_TBU_W   285
#define SPR_PIR     286
#define SPR_PVR     287
#define SPR_DBSR    304
#define SPR_DBCR0   308
#define SPR_DBCR1   309
#define SPR_DBCR2   310
#define SPR_IAC1    312 /* 312-315 */
#define SPR_DAC1    316
#define SPR_DAC2    317
#define SPR_DVC1    318
#define SPR_DVC2    319
#define SPR_TSR     336
#define SPR_TCR     340
#define SPR_IVOR0   400 /* 400-415 */
#define SPR_MCSRR0  570
#define SPR_MCSRR1  571
#define SPR_MCSR    572
#define SPR_INV0    880 /* 880-883 */
#define SPR_ITV0    884 /* 884-887 */
#define SPR_CCR1    888
#define SPR_DNV0    912 /* 912-915 */
#define SPR_DTV0    916 /* 916-919 */
#define SPR_DVLIM   920
#define SPR_IVLIM   921
#define SPR_RSTCFG  923
#define SPR_DCDBTRL 924
#define SPR_DCDBTRH 925
#define SPR_ICDBTRL 926
#define SPR_ICDBTRH 927
#define SPR_MMUCR   946
#define SPR_CCR0    947
#define SPR_ICDBDR  979
#define SPR_DBDR    1011

/* TCR and TSR (PPC440x5 manual, figures 7-7 and 7-8). */
#define TCR_WP      0xc0000000u
#define TCR_WRC     0x30000000u
#define TCR_WIE     0x08000000u
#define TCR_DIE     0x04000000u
#define TCR_FP      0x03000000u
#define TCR_FIE     0x00800000u
#define TCR_ARE     0x00400000u
#define TSR_ENW     0x80000000u
#define TSR_WIS     0x40000000u
#define TSR_WRS     0x30000000u
#define TSR_DIS     0x08000000u
#define TSR_FIS     0x04000000u

/* DBCR0 (PPC440x5 manual, figure 8-1). RST: writing non-zero requests a reset. */
#define DBCR0_EDM   0x80000000u
#define DBCR0_IDM   0x40000000u
#define DBCR0_RST   0x30000000u
#define DBCR0_ICMP  0x08000000u
#define DBCR0_BRT   0x04000000u
#define DBCR0_IRPT  0x02000000u
#define DBCR0_TRAP  0x01000000u
#define DBCR0_IAC1  0x00800000u
#define DBCR0_IAC2  0x00400000u
#define DBCR0_IAC3  0x00200000u
#define DBCR0_IAC4  0x00100000u
#define DBCR0_DAC1R 0x00080000u
#define DBCR0_DAC1W 0x00040000u
#define DBCR0_DAC2R 0x00020000u
#define DBCR0_DAC2W 0x00010000u
#define DBCR0_RET   0x00008000u
#define DBCR0_FT    0x00000001u
/* DBCR1 (figure 8-2): IACnUS, IACnER, IAC12M/IAC34M, auto-toggle enables. */
#define DBCR1_IAC12AT 0x00010000u
#define DBCR1_IAC34AT 0x00000001u
/* DBCR2 (figure 8-3): DACnUS, DACnER, DAC12M, DAC12A, DVC fields. */
#define DBCR2_DAC12A 0x00200000u
/* DBSR (figure 8-4); the event bits sit where DBCR0 has their enables. */
#define DBSR_IDE    0x80000000u
#define DBSR_UDE    0x40000000u
#define DBSR_MRR    0x30000000u
#define DBSR_ICMP   0x08000000u
#define DBSR_BRT    0x04000000u
#define DBSR_IRPT   0x02000000u
#define DBSR_TRAP   0x01000000u
#define DBSR_IAC1   0x00800000u
#define DBSR_IAC2   0x00400000u
#define DBSR_IAC3   0x00200000u
#define DBSR_IAC4   0x00100000u
#define DBSR_RET    0x00008000u
#define DBSR_IAC12ATS 0x00000002u
#define DBSR_IAC34ATS 0x00000001u
/* The bits that make a debug interrupt happen while MSR[DE] = 1 (all but IDE, MRR, ATS). */
#define DBSR_EVENTS 0x4fff8000u

/* MCSR (PPC440x5 manual, "Machine Check Status Register"). */
#define MCSR_MCS    0x80000000u
#define MCSR_IB     0x40000000u
#define MCSR_DRB    0x20000000u
#define MCSR_DWB    0x10000000u
/* ESR[MCI]: instruction-side synchronous machine check (Book E ESR). */
#define ESR_MCI     0x10000000u

/* MMUCR (PPC440x5 manual, figure 5-5). */
#define MMUCR_STS   0x00010000u
#define MMUCR_STID  0x000000ffu

/* TLB entry words (PPC440x5 manual, "TLB Entry Fields"). */
#define TLB0_EPN    0xfffffc00u
#define TLB0_V      0x00000200u
#define TLB0_TS     0x00000100u
#define TLB0_SIZE   0x000000f0u
#define TLB1_RPN    0xfffffc00u
#define TLB1_ERPN   0x0000000fu
#define TLB2_G      0x00000100u
#define TLB2_E      0x00000080u
#define TLB2_UX     0x00000020u
#define TLB2_UW     0x00000010u
#define TLB2_UR     0x00000008u
#define TLB2_SX     0x00000004u
#define TLB2_SW     0x00000002u
#define TLB2_SR     0x00000001u

/* Result of an emulated instruction. */
enum emul_result {
	EMUL_DONE,     /* executed: advance pc */
	EMUL_JUMPED,   /* executed and set pc itself (rfi), or delivered an interrupt */
	EMUL_STOP,     /* executed, and vcpu_run must stop (*stop says why) */
};

/* vcpu.c */
void vcpu_sync(struct vcpu *v);               /* push MSR/PID/SPRG4-7 into the core */
void vcpu_set_msr(struct vcpu *v, uint32_t msr);
/* The instruction word at the guest's pc through its own TLB (false: not in RAM). */
bool vcpu_insn_at_pc(const struct vcpu *v, uint32_t *word);
void hv_log(struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Account one exit of kind taking ns from start_ns (0: now), and trace it when tracing. */
void vcpu_account(struct vcpu *v, enum hv_exit_kind kind, uint64_t start_ns, uint64_t ns,
		  uint32_t pc, uint32_t arg, unsigned tlb_index);

/* debug.c: the guest's debug facilities (PPC440x5 manual, chapter 8) */
/* Must vcpu_run execute one instruction at a time (IAC, BRT or ICMP can occur)? */
bool dbg_stepping(const struct vcpu *v);
/* Before the instruction at pc: IAC and BRT events; true when a debug interrupt was taken. */
bool dbg_before(struct vcpu *v);
/* After an instruction completed (de_before: MSR[DE] when it started): ICMP. */
void dbg_after(struct vcpu *v, bool de_before);
/* Take the debug interrupt an earlier (imprecise) event left pending; true when taken. */
bool dbg_pending(struct vcpu *v);
/* A trap condition held: true when a debug interrupt replaced the program interrupt. */
bool dbg_trap(struct vcpu *v);
/* rfi (rfi) or rfci/rfmci about to execute: true when a debug interrupt suppressed it. */
bool dbg_return(struct vcpu *v, bool rfi);
/* A non-critical interrupt was just delivered: IRPT. */
void dbg_interrupt_taken(struct vcpu *v);
/* A guest watchpoint matched (CORE_EXIT_DAC): true when a debug interrupt suppressed the access. */
bool dbg_dac(struct vcpu *v, uint32_t ea, bool write);
/* DBCR0/2, DAC1/2 or MSR[PR] changed: the core's guest watchpoints follow. */
void dbg_update(struct vcpu *v);

/* emulate.c */
enum emul_result emulate_priv(struct vcpu *v, uint32_t insn, enum hv_exit_kind *kind,
			      enum vcpu_stop *stop);
bool emulate_light(struct core *c, uint32_t insn);

/* tlb.c */
uint32_t tlb_page_size(uint32_t word0);
int tlb_search(const struct vcpu *v, gva_t ea, unsigned ts, unsigned pid);
void tlb_write_word(struct vcpu *v, unsigned index, unsigned ws, uint32_t val);
uint32_t tlb_read_word(struct vcpu *v, unsigned index, unsigned ws);
/* A shadow miss: fill the shadow TLB (VIRT) or deliver a guest TLB miss (REAL). */
enum hv_exit_kind tlb_handle_miss(struct vcpu *v, gva_t ea, bool fetch, uint32_t esr);

/* irq.c */
/* Deliver a synchronous interrupt now; srr0 is the return address. */
void irq_deliver(struct vcpu *v, enum vcpu_ivor ivor, uint32_t srr0);
/* Machine check: false if MSR[ME]=0 (checkstop). */
bool irq_machine_check(struct vcpu *v, uint32_t mcsr, uint32_t srr0);
/* Deliver the highest-priority pending asynchronous interrupt, if any is enabled. */
bool irq_deliver_pending(struct vcpu *v);
bool irq_waiting(const struct vcpu *v);
/* Could any interrupt ever wake a waiting vcpu with its current MSR/TCR? */
bool irq_can_wake(const struct vcpu *v);

/* hcall.c: paravirtualization (docs/paravirt.md) */
/* A guest-supervisor sc with r0 = KVM_SC_MAGIC_R0: answer it (pc moves past the sc). */
#define KVM_SC_MAGIC_R0 0x4b564d21u /* "KVM!" */
bool pv_hcall(struct vcpu *v);
/* Magic page coherence: after every core exit / before every entry into the core. */
void pv_magic_load(struct vcpu *v);
/*
 * Light exits (emulate_light): register spr (or PV_MAGIC_MSR) in the mapped
 * magic page, its master copy; false when no page is mapped or it does not hold it.
 */
#define PV_MAGIC_MSR 0xffffu
bool pv_magic_reg(struct vcpu *v, unsigned spr, bool write, uint32_t *val);
/* The page's SPRG4-7 into the vcpu and their user-readable copies in the core (MSR unchanged). */
void pv_magic_sync_sprg(struct vcpu *v);
/* Does the magic page's MSR differ from the vcpu's in EE at most (or is no page mapped)? */
bool pv_magic_msr_ee_only(const struct vcpu *v);
void pv_magic_store(struct vcpu *v);
/* The guest marked a critical section (shared->critical == r1, supervisor): no async interrupts. */
bool pv_critical(const struct vcpu *v);
/* A data TLB miss on the magic page in guest supervisor mode: map it. */
bool pv_magic_fill(struct vcpu *v, gva_t ea, bool fetch);
void pv_reset(struct vcpu *v);

/* timer.c */
void timer_reset(struct vcpu *v);
/* Bring DEC/FIT/watchdog up to the current timebase; false if the watchdog resets. */
bool timer_update(struct vcpu *v);
bool timer_update_at(struct vcpu *v, uint64_t tb); /* the same, at a TB the caller just read */
uint32_t timer_read_dec(struct vcpu *v);
void timer_write_dec(struct vcpu *v, uint32_t val);
void timer_write_tb(struct vcpu *v, uint64_t tb);
/* Timebase of the next timer event that could wake the guest, 0 if none. */
uint64_t timer_next_deadline_tb(struct vcpu *v);

#endif
