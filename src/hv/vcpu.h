/* SPDX-License-Identifier: MIT */
/* vcpu.h - the hypervisor's virtual 440: privileged state, guest TLB, run loop. */
#ifndef HV440_HV_VCPU_H
#define HV440_HV_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "hv/clock.h"
#include "hv/stats.h"

struct hv_trace;
struct hv_profile;

/*
 * How the hypervisor reaches the board without knowing any device.
 * Values follow the core's MMIO convention (bytes on the bus read as a
 * big-endian number). Return 0 on success, negative when nothing answers
 * at that address (the hypervisor then does what the 440 does: a machine
 * check for MMIO, a program interrupt for an unknown DCR... see hv/).
 */
struct vcpu_bus {
	void *opaque;
	int (*mmio_read)(void *opaque, gpa_t pa, unsigned size, uint64_t *val);
	int (*mmio_write)(void *opaque, gpa_t pa, unsigned size, uint64_t val);
	int (*dcr_read)(void *opaque, uint32_t dcrn, uint32_t *val);
	int (*dcr_write)(void *opaque, uint32_t dcrn, uint32_t val);
	/*
	 * Service host I/O on the vcpu thread: poll the board's file
	 * descriptors for at most timeout_ns (0: just look; <0: until an event).
	 * Called between run chunks and when the guest waits (MSR[WE]).
	 */
	void (*poll)(void *opaque, int64_t timeout_ns);
	/*
	 * Could the interrupt controller ever raise the critical input (some
	 * source enabled and routed to critical)? NULL means "yes". Used to
	 * tell a guest that spins for good (Linux's halt: interrupts off,
	 * "b .") from one that waits for a critical interrupt.
	 */
	bool (*crit_possible)(void *opaque);
	/*
	 * ePAPR byte channels (hv/hcall.c, docs/paravirt.md); NULL: none.
	 * Each returns a negative value for an unknown handle. send takes up
	 * to len bytes and returns how many it took (0: no room now);
	 * receive gives up to max bytes and returns how many; poll reports
	 * bytes waiting to be received and room to send.
	 */
	int (*bc_send)(void *opaque, uint32_t handle, const uint8_t *buf, unsigned len);
	int (*bc_receive)(void *opaque, uint32_t handle, uint8_t *buf, unsigned max);
	int (*bc_poll)(void *opaque, uint32_t handle, unsigned *rx, unsigned *tx);
	/*
	 * Topaz's partition-management hypercalls (FH_PARTITION_*, Linux's
	 * asm/fsl_hcalls.h; docs/system.md): op is the FH number, *value the
	 * result (GET_STATUS). Returns an ePAPR status. NULL: EV_UNIMPLEMENTED.
	 */
	uint32_t (*partition_op)(void *opaque, unsigned op, uint32_t partition, uint32_t *value);
};

/* Interrupt inputs (level-sensitive), driven by the interrupt controller. */
enum vcpu_irq { VCPU_IRQ_EXT = 0, VCPU_IRQ_CRIT = 1 };

/* Why vcpu_run() returned. */
enum vcpu_stop {
	VCPU_STOP_RESET,    /* guest requested a reset (DBCR0[RST], watchdog) */
	VCPU_STOP_HALT,     /* guest halted for good (wait with every interrupt masked) */
	VCPU_STOP_CHECKSTOP,/* machine check with MSR[ME]=0 */
	VCPU_STOP_HOST,     /* the host asked (vcpu_request_stop) */
	VCPU_STOP_DEBUG,    /* a debugger breakpoint / single step stopped the vcpu */
	VCPU_STOP_LOCKSTEP, /* --engine lockstep: the JIT and the interpreter disagreed */
};

/* Book E interrupt vectors (IVOR numbers). */
enum vcpu_ivor {
	IVOR_CRITICAL = 0, IVOR_MACHINE_CHECK, IVOR_DATA_STORAGE, IVOR_INST_STORAGE,
	IVOR_EXTERNAL, IVOR_ALIGNMENT, IVOR_PROGRAM, IVOR_FP_UNAVAIL,
	IVOR_SYSCALL, IVOR_AP_UNAVAIL, IVOR_DECREMENTER, IVOR_FIT,
	IVOR_WATCHDOG, IVOR_DTLB_MISS, IVOR_ITLB_MISS, IVOR_DEBUG,
};

/* MSR bits (PPC440x5 manual, MSR). */
#define MSR_WE  0x00040000u
#define MSR_CE  0x00020000u
#define MSR_EE  0x00008000u
#define MSR_PR  0x00004000u
#define MSR_FP  0x00002000u
#define MSR_ME  0x00001000u
#define MSR_FE0 0x00000800u
#define MSR_DWE 0x00000400u
#define MSR_DE  0x00000200u
#define MSR_FE1 0x00000100u
#define MSR_IS  0x00000020u
#define MSR_DS  0x00000010u

/* One guest TLB entry as tlbwe/tlbre see it (three words plus the TID). */
struct vcpu_tlb_entry {
	uint32_t word0; /* EPN 0xfffffc00, V 0x200, TS 0x100, SIZE 0xf0, TPAR */
	uint32_t word1; /* RPN 0xfffffc00, ERPN 0xf */
	uint32_t word2; /* U0-U3, W I M G E, UX UW UR SX SW SR */
	uint8_t tid;
};
#define VCPU_TLB_SIZE 64

/* Why the last VCPU_STOP_DEBUG happened. */
enum vcpu_debug_reason {
	VCPU_DEBUG_NONE = 0,
	VCPU_DEBUG_BREAK,   /* pc reached a core breakpoint (nothing executed there yet) */
	VCPU_DEBUG_WATCH,   /* a data access hit a core watchpoint (access not done yet) */
	VCPU_DEBUG_STEP,    /* debug.step: one instruction completed */
};

/*
 * Debugger control: written by the debugger (gdb stub) while vcpu_run() is
 * not running, on the vcpu thread. Breakpoints and watchpoints themselves
 * live in the core (core.breakpoints, core_set_watchpoints()); none of this
 * touches the guest's own DBCR0/IAC/DAC/DBSR.
 */
struct vcpu_debug {
	bool step;           /* run one instruction, then return VCPU_STOP_DEBUG (reason STEP) */
	bool step_irqs;      /* deliver asynchronous interrupts during a step (default: held off) */
	bool skip_pending;   /* resume over the breakpoint at skip_pc (until it has executed) */
	uint32_t skip_pc;
	enum vcpu_debug_reason reason;
	uint32_t watch_addr; /* VCPU_DEBUG_WATCH: the watched address touched */
	bool watch_write;    /* ... by a store */
};

/*
 * Paravirtualization (hv/hcall.c, docs/paravirt.md): ePAPR/KVM hypercalls
 * and the magic page. The page's backing store is the 4 KiB of host memory
 * right after guest RAM (vcpu_pv_enable), invisible to guest physical
 * addresses; once the guest maps it, it is the master copy of the state
 * in struct kvm_vcpu_arch_shared while the guest runs.
 */
#define VCPU_MAGIC_EA 0xfffff000u
#define VCPU_PV_EXTRA 4096u /* bytes the host mapping of RAM needs beyond ram_size */
struct vcpu_pv {
	bool enabled;        /* hypercalls answered (off: --no-paravirt) */
	bool mapped;         /* KVM_HC_PPC_MAP_MAGIC_PAGE done */
	uint8_t *page;       /* host address of the shared page */
	gpa_t page_pa;       /* its core-physical address (= guest RAM size) */
	uint64_t hcalls;     /* hypercalls answered */
};

struct vcpu {
	struct core core;
	const struct vcpu_bus *bus;
	uint64_t ram_size;     /* guest RAM as the guest sees it (= core.ram_size) */
	struct vcpu_pv pv;
	struct hv_clock clock;  /* the run loop's (clock.h) */
	uint64_t wait_until;    /* clock time a wait (MSR[WE]) sleeps to; 0 while running */
	uint64_t light_ns;      /* light exits' time in the current core_run() (emulate_light) */
	uint32_t light_seq;     /* light exits so far: one in LIGHT_TIMED_EVERY is timed (emulate.c) */
	uint64_t light_last_ns[HV_EXIT__COUNT]; /* each kind's last timed light exit */

	/* Privileged state (PPC440x5 manual; names as the SPRs). */
	uint32_t msr;
	uint32_t srr0, srr1, csrr0, csrr1, mcsrr0, mcsrr1;
	uint32_t dear, esr, mcsr;
	uint32_t ivpr, ivor[16];
	uint32_t sprg[8];
	uint32_t pid, mmucr, ccr0, ccr1;
	uint32_t dbcr0, dbcr1, dbcr2, dbsr, iac[4], dac[2], dvc[2];
	bool dbg_watching;        /* the core holds guest watchpoints for DAC1/DAC2 (hv/debug.c) */
	bool dbg_skip_dac;        /* the next instruction runs without them (its DAC event is done) */
	uint32_t tcr, tsr, decar, pir, pvr;
	uint32_t pvr_reset;       /* the PVR the board chose (-cpu); 0: the 440EP Rev. B */
	bool indexed_dcr;         /* set by the board: mfdcrx/mtdcrx exist (460EX's PPC464; not the 440EP) */
	uint64_t watchdog_resets; /* resets the watchdog caused (TCR[WRC]); never reset: for the host */
	uint32_t dnv[4], dtv[4], inv[4], itv[4], ivlim, dvlim, rstcfg; /* cache/debug SPRs read back */
	uint32_t dec;          /* DEC value as of dec_tb */
	uint64_t dec_tb;       /* timebase when dec was last written/reloaded */

	struct vcpu_tlb_entry tlb[VCPU_TLB_SIZE];

	/* Interrupt inputs and pending state. */
	bool irq_ext, irq_crit;
	bool halted;           /* MSR[WE] set: waiting for an interrupt */
	bool reset_requested;

	struct hv_stats stats;
	bool stats_enabled;
	struct hv_trace *trace;     /* --trace (hv/trace.h): NULL when off */
	struct hv_profile *profile; /* --profile (hv/profile.h): NULL when off */

	/* Added by hv: private bookkeeping of hv/. */
	uint64_t timer_tb;     /* timebase up to which FIT/watchdog transitions were applied */
	unsigned log_count;    /* rate limit for guest-error log lines */
	/*
	 * The no-progress watch (vcpu_run; docs/design.md): exits in a row after
	 * which no guest instruction had retired or been emulated, since when,
	 * and their kinds (a bit per enum hv_exit_kind). Reported once per process.
	 */
	struct vcpu_stall {
		uint64_t exits;
		uint64_t since_ns;
		uint32_t kinds;
		bool reported;
	} stall;

	struct vcpu_debug debug; /* debugger (gdb stub) control; kept over vcpu_reset() */
};

/* Lifecycle. ram is guest physical 0..ram_size-1. */
int vcpu_init(struct vcpu *v, uint8_t *ram, uint64_t ram_size, uint64_t tb_freq,
	      const struct vcpu_bus *bus);
/* Power-on state of the 440 (PPC440x5 manual, "Reset"): PC 0xfffffffc, one 4 KiB TLB entry at the top. */
void vcpu_reset(struct vcpu *v);

/*
 * Turn paravirtualization on (before the first run): the host mapping of
 * RAM passed to vcpu_init() must be ram_size + VCPU_PV_EXTRA bytes long.
 */
void vcpu_pv_enable(struct vcpu *v);

/* Board set-up helpers. */
void vcpu_tlb_set(struct vcpu *v, unsigned index, const struct vcpu_tlb_entry *e);

/*
 * Snapshots (hv/state.c): the vcpu's privileged state, guest TLB, timers
 * (timebase values), interrupt inputs, paravirt page and the core's
 * registers as bytes, and back; vcpu thread, between runs. A load fails
 * with -EINVAL, the vcpu unchanged, on anything it cannot hold (and when
 * paravirtualization differs); the shadow TLB and blocks are flushed.
 */
struct state_writer;
struct state_reader;
int vcpu_state_save(struct vcpu *v, struct state_writer *w);
int vcpu_state_load(struct vcpu *v, struct state_reader *r);

/* Run the guest until it must stop; see enum vcpu_stop. */
enum vcpu_stop vcpu_run(struct vcpu *v);

/* Interrupt lines (vcpu thread). */
void vcpu_set_irq(struct vcpu *v, enum vcpu_irq line, bool level);
/* Any thread: make vcpu_run() return VCPU_STOP_HOST soon. */
void vcpu_request_stop(struct vcpu *v);
/* vcpu thread, between runs: bring the core counters into v->stats / zero all statistics. */
void vcpu_stats_sync(struct vcpu *v);
void vcpu_stats_reset(struct vcpu *v);

/*
 * Debugger access (vcpu thread, while vcpu_run() is not running).
 * vcpu_debug_translate: the guest's own view of ea (guest TLB, current PID,
 * MSR[DS], then MSR[IS]); false when unmapped. *len: bytes to the page end.
 */
bool vcpu_debug_translate(const struct vcpu *v, uint32_t ea, uint64_t *pa, uint32_t *len);
uint32_t vcpu_debug_read_dec(struct vcpu *v);
void vcpu_debug_write_dec(struct vcpu *v, uint32_t val);
void vcpu_debug_set_msr(struct vcpu *v, uint32_t msr);
void vcpu_debug_set_pid(struct vcpu *v, uint32_t pid);
/* Freeze guest time while a debugger holds the vcpu: the timebase resumes at tb. */
void vcpu_debug_resume_time(struct vcpu *v, uint64_t tb);
/*
 * Holding guest time across a SIGSTOP. vcpu_time_seen() (async-signal-safe: it only reads; call
 * it from the SIGCONT handler, before the vcpu thread moves on) is the latest time the guest can
 * have seen: the run loop's last clock reading, or the end of the sleep it was in. Then, on the
 * vcpu thread between runs, vcpu_hold_time_across_stop() makes the timebase resume at the value
 * it had then, so the guest sees no jump.
 */
uint64_t vcpu_time_seen(const struct vcpu *v);
void vcpu_hold_time_across_stop(struct vcpu *v, uint64_t seen_ns);

#endif
