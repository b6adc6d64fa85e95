/* SPDX-License-Identifier: MIT */
/* core.h - the emulated PowerPC 440 core: problem-state execution, shadow TLB, exits. */
#ifndef HV440_CORE_H
#define HV440_CORE_H

/*
 * The core is hv440's "hardware". It executes guest code as if MSR[PR]=1
 * (problem state) and knows nothing of the guest's MSR, IVORs or devices.
 * Everything it must not do itself stops core_run() with an exit record.
 *
 * Conventions
 *  - Guest memory is big-endian; every access names its endianness.
 *  - On every exit except CORE_EXIT_BUDGET and CORE_EXIT_EVENT, core.pc is
 *    the address of the instruction that caused it, and no architected
 *    state has been changed by that instruction (precise exits).
 *    The hypervisor decides what happens next (emulate and pc += 4,
 *    deliver an interrupt, fill the shadow TLB and retry, ...).
 *  - After CORE_EXIT_BUDGET / CORE_EXIT_EVENT, pc is the next instruction.
 *  - Translation uses only the shadow TLB, which the hypervisor fills.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t gva_t;  /* guest effective (virtual) address */
typedef uint64_t gpa_t;  /* guest physical address (36 bits on the 440) */

/* Why core_run() returned. One name table: core_exit_name(). */
enum core_exit_kind {
	CORE_EXIT_BUDGET = 0, /* ran the whole instruction budget */
	CORE_EXIT_EVENT,      /* core.events was non-zero at a block boundary */
	CORE_EXIT_PRIV,       /* privileged or unknown-SPR instruction: .insn */
	CORE_EXIT_SC,         /* sc: .insn (pc = the sc itself) */
	CORE_EXIT_PROGRAM,    /* trap, illegal instruction or enabled FP exception: .esr */
	CORE_EXIT_ITLB_MISS,  /* no shadow entry for the fetch: .ea */
	CORE_EXIT_DTLB_MISS,  /* no shadow entry for a data access: .ea, .esr (ST, FP, ...) */
	CORE_EXIT_ISI,        /* shadow entry forbids execute: .ea */
	CORE_EXIT_DSI,        /* shadow entry forbids the data access: .ea, .esr */
	CORE_EXIT_ALIGN,      /* alignment interrupt (lmw/stmw/lwarx/stwcx./dcbz rules): .ea, .esr */
	CORE_EXIT_FP_UNAVAIL, /* FP instruction while core.fp_enabled is false */
	CORE_EXIT_MMIO,       /* data access to an I/O shadow page: .pa .size .write .data */
	CORE_EXIT_FETCH_IO,   /* instruction fetch from an I/O shadow page: .ea .pa */
	CORE_EXIT_DEBUG,      /* a breakpoint in core.breakpoints[] was reached (pc) */
	CORE_EXIT_WATCH,      /* a data access touched core.watchpoints[]: .ea (first watched
	                       * byte it touches), .write; nothing was accessed (precise) */
	CORE_EXIT_DAC,        /* a data access's starting EA matched a guest watchpoint
	                       * (core_set_guest_watchpoints): .ea (that EA), .write;
	                       * nothing was accessed (precise) */
	CORE_EXIT_LOCKSTEP,   /* lockstep engine: the JIT and the interpreter disagreed on the
	                       * block at .ea/.pa; core.lockstep_diff says how */
	CORE_EXIT__COUNT
};

/* ESR bits the core reports (Book E / PPC440x5 ESR layout, big-endian bit numbering). */
#define CORE_ESR_PIL 0x08000000u /* program: illegal instruction */
#define CORE_ESR_PPR 0x04000000u /* program: privileged instruction */
#define CORE_ESR_PTR 0x02000000u /* program: trap */
#define CORE_ESR_FP  0x01000000u /* floating-point load/store or FP program interrupt */
#define CORE_ESR_ST  0x00800000u /* store (or dcbz/dcbi-like) access */
#define CORE_ESR_DLK 0x00200000u /* data cache locking (unused) */
#define CORE_ESR_AP  0x00080000u /* auxiliary processor operation */
#define CORE_ESR_PUO 0x00040000u /* unimplemented operation */
#define CORE_ESR_BO  0x00020000u /* byte ordering */
#define CORE_ESR_PIE 0x00010000u /* imprecise event */

struct core_exit {
	enum core_exit_kind kind;
	uint32_t insn;  /* instruction word (PRIV, SC, PROGRAM; also set for data faults) */
	uint32_t esr;   /* ESR bits the interrupt would set (PROGRAM, DSI, DTLB, ALIGN) */
	gva_t ea;       /* effective address (TLB misses, ISI, DSI, ALIGN, FETCH_IO) */
	gpa_t pa;       /* physical address (MMIO, FETCH_IO) */
	uint8_t size;   /* MMIO access size in bytes: 1, 2, 4 or 8 */
	bool write;     /* MMIO store (also set for DTLB/DSI stores) */
	/*
	 * MMIO data: the bytes on the bus, in address order, read as a
	 * big-endian number of .size bytes. A stw of v gives v; a stwbrx of v
	 * gives bswap32(v). For loads the hypervisor answers in the same form
	 * through core_mmio_complete(), and the core applies byte reversal,
	 * sign extension and the register update.
	 */
	uint64_t data;
};

/* Shadow TLB (the "hardware" TLB the hypervisor fills). */
/* 64 mirror the guest TLB; the hypervisor keeps the last one for itself (the paravirt magic page). */
#define CORE_STLB_SIZE 65

#define CORE_PERM_R 0x1
#define CORE_PERM_W 0x2
#define CORE_PERM_X 0x4

#define CORE_STLB_VALID 0x01
#define CORE_STLB_IO    0x02 /* no guest RAM behind the page: data accesses exit as MMIO */
#define CORE_STLB_LE    0x04 /* E attribute: little-endian page (byte-reversed accesses) */
#define CORE_STLB_GUARD 0x08 /* G attribute (informational) */
#define CORE_STLB_HV    0x10 /* the hypervisor's own page just past RAM (core.hv_extra) */

/*
 * A shadow entry translates a whole page, as a guest TLB entry does, even
 * where the page reaches past the end of RAM (Linux maps its first 256 MiB
 * with one entry whatever the RAM size). Whether a physical address is
 * RAM is decided per access (core_xlate): below core.ram_size it is, at or
 * above it the access exits as MMIO (the board's bus answers or raises a
 * machine check), so one entry serves its RAM and its non-RAM part alike.
 */
struct core_stlb_entry {
	gva_t ea;          /* base effective address, aligned to the page size */
	uint32_t size;     /* page size in bytes: 1 KiB .. 256 MiB, a power of 4 times 1 KiB */
	gpa_t pa;          /* base physical address, aligned to the page size */
	uint8_t ts;        /* translation space (0/1) the entry matches */
	uint8_t tid;       /* 0: matches every PID; else only that PID */
	uint8_t uperm;     /* CORE_PERM_* when the guest runs in user mode */
	uint8_t kperm;     /* CORE_PERM_* when the guest runs in kernel mode */
	uint8_t flags;     /* CORE_STLB_* */
};

/*
 * The translation context: which shadow entries match and which permission
 * set applies. The hypervisor derives it from the guest's MSR[PR,IS,DS]
 * and PID (privilege compression: the core always runs in problem state;
 * kmode only selects kperm instead of uperm).
 */
struct core_ctx {
	bool kmode;  /* guest is in supervisor mode */
	uint8_t is;  /* MSR[IS] */
	uint8_t ds;  /* MSR[DS] */
	uint8_t pid; /* PID (8 bits on the 440) */
};

/*
 * Fast lookup cache: EA page (4 KiB) -> host addend, split by privilege and
 * access kind. The tag's low 12 bits hold the context key (PID, TS, valid
 * bit: core.fast_key[]), so a PID or MSR[IS/DS] change needs no flush; a
 * shadow-TLB change drops only the slots its EA range maps to.
 */
#define CORE_FAST_BITS 12
#define CORE_FAST_SIZE (1u << CORE_FAST_BITS)
struct core_fast_entry {
	uint32_t tag;       /* EA page | fast_key[access] when valid, 0 when not */
	uintptr_t addend;   /* host address = addend + ea */
};

/* The JIT's jump cache entries. */
#define CORE_JC_BITS 12
#define CORE_JC_SIZE (1u << CORE_JC_BITS)

/* Storage of the decoded-block cache (layout private to block.c). */
#define CORE_BLOCK_MEM_BYTES (7u << 20)

enum core_access { CORE_ACC_READ = 0, CORE_ACC_WRITE = 1, CORE_ACC_FETCH = 2 };

#define CORE_MAX_BREAKPOINTS 32
#define CORE_MAX_WATCHPOINTS 8
#define CORE_MAX_GUEST_WATCHPOINTS 2

/*
 * A data watchpoint: an access of a kind in perm matches it, by its match
 * rule (CORE_WATCH_*), and exits before it touches anything.
 */
enum core_watch_match {
	CORE_WATCH_OVERLAP = 0, /* the access's bytes overlap [ea, ea+len) (a debugger's) */
	CORE_WATCH_START,       /* the access's starting EA lies in [ea, ea+len) (the 440's DAC) */
	CORE_WATCH_MASK,        /* the starting EA equals ea in the bits set in mask (DAC bit mask) */
};
struct core_watchpoint {
	gva_t ea;
	uint32_t len;      /* >= 1 (OVERLAP, START) */
	uint8_t perm;      /* CORE_PERM_R (loads) and/or CORE_PERM_W (stores) */
	uint8_t match;     /* enum core_watch_match */
	uint32_t mask;     /* CORE_WATCH_MASK only */
};

/* Event mask bits (set by anyone, any thread; cleared by whoever set them). */
#define CORE_EVENT_IRQ   0x1u /* an interrupt line changed */
#define CORE_EVENT_STOP  0x2u /* the host wants the vcpu to stop */
#define CORE_EVENT_IO    0x4u /* host I/O is waiting for the vcpu thread */
#define CORE_EVENT_TIMER 0x8u /* a guest timer deadline passed */

struct core_stats {
	uint64_t insns;        /* instructions retired */
	uint64_t fast_misses;  /* fast-cache misses that searched the shadow TLB */
	uint64_t stlb_hits;    /* of those, found in the shadow TLB */
	uint64_t blocks_built; /* code blocks decoded */
	uint64_t block_kills;  /* blocks killed by stores, icbi or host writes */
	uint64_t block_flushes; /* whole block-cache flushes (reset, arena or code cache full) */
	uint64_t blocks_translated; /* blocks the JIT translated */
	uint64_t code_bytes;    /* the JIT's code cache in use now */
};

/* Pending completion of an MMIO access (internal to the core). */
struct core_mmio_pending {
	uint8_t kind;      /* internal */
	uint8_t reg;
	uint8_t update_reg;
	uint8_t flags;
	gva_t update_ea;
};

struct core {
	/* User-visible registers. */
	uint32_t gpr[32];
	uint32_t cr, xer, lr, ctr, pc;
	uint64_t fpr[32];      /* IEEE-754 double bit patterns */
	uint32_t fpscr;        /* complete only after core_fp_settle() (fp_lazy below) */
	uint32_t usprg0;
	uint32_t sprg_ro[4];   /* SPRG4-7 as user mode reads them (SPR 260-263) */

	/*
	 * The JIT's lazy FPSCR (fpu.c, core_fp_settle): an arithmetic instruction
	 * translated code ran in line, whose FR, FI and FPRF are not in fpscr
	 * yet; 0 when none. Its operands frA, frB, frC as they were, its
	 * result, and the FPSCR bits written since (FPCC by an fcmpu) that
	 * fpscr already holds.
	 */
	uint32_t fp_lazy;
	uint32_t fp_lazy_keep;
	uint64_t fp_lazy_op[3];
	uint64_t fp_lazy_res;

	/* Control bits the hypervisor sets. */
	bool fp_enabled;       /* guest MSR[FP] */
	uint8_t fp_exc_mode;   /* guest MSR[FE0]<<1 | MSR[FE1]; 0 = FP exceptions disabled */
	struct core_ctx ctx;   /* set with core_set_ctx() */

	/* Reservation for lwarx/stwcx. */
	bool resv_valid;
	gpa_t resv_pa;

	/* Events: any thread may set bits; core_run() returns CORE_EXIT_EVENT while non-zero. */
	_Atomic uint32_t events;

	/* Breakpoints (debugger): fetching from one of these EAs exits with CORE_EXIT_DEBUG. */
	gva_t breakpoints[CORE_MAX_BREAKPOINTS];
	unsigned n_breakpoints;
	bool skip_breakpoint_once; /* resume over the breakpoint at pc */
	/*
	 * Watchpoints: the debugger's (core_set_watchpoints) first, then the
	 * guest's own (core_set_guest_watchpoints, the hypervisor's model of
	 * DAC1/DAC2). n_watchpoints counts both: non-zero sends data accesses
	 * to the checks.
	 */
	struct core_watchpoint watchpoints[CORE_MAX_WATCHPOINTS + CORE_MAX_GUEST_WATCHPOINTS];
	unsigned n_watchpoints;
	unsigned n_debug_watchpoints;

	/* Guest RAM: one host mapping at guest physical 0. */
	uint8_t *ram;
	uint64_t ram_size;
	/*
	 * Bytes of the host mapping past ram_size that only CORE_STLB_HV
	 * entries reach as memory (the paravirt magic page); 0 when none.
	 * Every other entry sees ram_size as the end of RAM.
	 */
	uint32_t hv_extra;

	/* Timebase: counts at tb_freq Hz from the host's monotonic clock. */
	uint64_t tb_freq;
	uint64_t tb_mult;      /* tb_freq * 2^32 / 1e9: ticks = ns * tb_mult >> 32 (no division) */
	int64_t tb_offset;     /* guest TB = host-derived ticks + tb_offset */
	uint64_t tb_seen;      /* the latest value core_tb_read() gave out */

	struct core_stlb_entry stlb[CORE_STLB_SIZE];
	/* [kmode][access] so a guest user/kernel switch needs no flush. */
	struct core_fast_entry fast[2][3][CORE_FAST_SIZE];
	uint32_t fast_key[3];  /* tag low bits per access kind: PID << 2 | TS << 1 | 1 */
	int last_stlb;         /* shadow entry of the last slow-path hit (searched first) */

	struct core_exit exit;
	struct core_mmio_pending mmio;
	struct core_stats stats;

	bool code_changed;     /* a block was killed: stop running the current one */
	/*
	 * Light exits (optional, set by the hypervisor): a privileged
	 * instruction goes to light_exit() first, which emulates it in place
	 * when it can do so without changing the context, the caches or the
	 * events (true: done, the core goes on as after any instruction);
	 * otherwise the core exits as usual. Not in the lockstep engine.
	 */
	bool (*light_exit)(struct core *c, uint32_t insn);

	/*
	 * The JIT's jump cache: EA -> translated code, for indirect and
	 * cross-page branches (jit.c). An entry holds for its context key and
	 * generation; the generation moves on whenever an EA's code may
	 * change (core_jc_invalidate): an executable shadow entry dropped or
	 * written, a fetch mapping dropped, a block killed.
	 */
	uint32_t jc_key;       /* fast_key[CORE_ACC_FETCH] | kmode << 16: 17 bits */
	uint32_t jc_gen;       /* 1 to 32767 (a zeroed entry never matches) */
	uint64_t jc_hi;        /* (jc_key | jc_gen << 17) << 32: an entry's tag is this | EA */
	struct core_jc_entry {
		uint64_t tag;
		const uint8_t *code;
	} jc[CORE_JC_SIZE];

	/* The JIT (core_set_engine): NULL while the interpreter is the engine. */
	struct core_jit *jit;
	int64_t jit_left;      /* translated code's budget left minus BLK_MAX_INSNS (jit.c) */
	uint32_t jit_block;    /* the block translated code entered last (jit.c) */
	/*
	 * Dirty-page log (core_dirty_start): one bit per 4 KiB page of RAM,
	 * NULL while off. Set atomically (a device thread may mark too).
	 */
	_Atomic uint64_t *dirty;
	/* Lockstep engine: the interpreter's RAM writes, undone before the JIT's run. */
	bool lockstep;
	bool wlog_on, wlog_full;
	unsigned n_wlog;
	struct core_wlog *wlog;
	char lockstep_diff[200];
	_Alignas(16) unsigned char block_mem[CORE_BLOCK_MEM_BYTES];
};

/*
 * Lifecycle. struct core is large (about 7 MiB, mostly the block cache,
 * which core_init() leaves untouched until used): allocate it statically
 * or on the heap.
 */
int core_init(struct core *c, uint8_t *ram, uint64_t ram_size, uint64_t tb_freq);
/*
 * Snapshots (core/state.c): the user-visible registers, the reservation
 * and the timebase as bytes (util/state.h), and back. Loading flushes the
 * shadow TLB and the decoded blocks (caches, not state); the caller sets
 * the context again (core_set_ctx). 0, -ENOSPC (save) or -EINVAL (load,
 * the core unchanged).
 */
struct state_writer;
struct state_reader;
int core_state_save(struct core *c, struct state_writer *w);
int core_state_load(struct core *c, struct state_reader *r);
void core_reset(struct core *c); /* registers to 0, shadow TLB empty, TB restarts at 0 */

/*
 * The execution engine: the interpreter (the reference, always available)
 * or the JIT, which translates hot blocks to x86-64 and falls back to the
 * interpreter for everything it does not translate. perf_fd >= 0 receives
 * a perf map of the translations (/tmp/perf-PID.map format). LOCKSTEP
 * runs every translated block twice, interpreter first, and exits with
 * CORE_EXIT_LOCKSTEP at the first difference in registers, exit or memory
 * written (docs/jit.md). 0 or -errno.
 */
enum core_engine { CORE_ENGINE_INTERP = 0, CORE_ENGINE_JIT = 1, CORE_ENGINE_LOCKSTEP = 2 };
int core_set_engine(struct core *c, enum core_engine engine, int perf_fd);
void core_fini(struct core *c); /* frees what core_set_engine allocated */

/* Execution: run up to budget instructions (budget >= 1). */
const struct core_exit *core_run(struct core *c, uint64_t budget);
/* Finish the MMIO access reported by the last exit; data is ignored for stores. */
void core_mmio_complete(struct core *c, uint64_t data);

/* Translation context and shadow TLB (the hypervisor owns replacement). */
void core_set_ctx(struct core *c, const struct core_ctx *ctx);
void core_stlb_write(struct core *c, unsigned index, const struct core_stlb_entry *e);
void core_stlb_invalidate(struct core *c, unsigned index);
void core_stlb_flush(struct core *c);
/* Find the shadow entry translating ea for the current context, or -1. */
int core_stlb_find(const struct core *c, gva_t ea, uint8_t ts);

/*
 * Debugger watchpoints: replace the whole set (n <= CORE_MAX_WATCHPOINTS, else
 * -1). Watched pages bypass the fast cache, so unwatched code runs at full speed.
 */
int core_set_watchpoints(struct core *c, const struct core_watchpoint *w, unsigned n);
/*
 * The guest's own data address compares, kept apart from the debugger's
 * (which win when both match): n <= CORE_MAX_GUEST_WATCHPOINTS, else -1.
 * A match exits with CORE_EXIT_DAC; watched pages bypass the fast cache.
 */
int core_set_guest_watchpoints(struct core *c, const struct core_watchpoint *w, unsigned n);

/*
 * Code invalidation: icbi (one line), iccci (all). Stores the core performs
 * are its own business, as are core_phys_write()s; a host that writes guest
 * RAM directly (DMA) relies on the guest's icbi, as on the real 440, or
 * calls core_icache_invalidate_range()/core_icache_flush() itself, or
 * core_ram_written(), which also keeps the dirty-page log (below) true.
 */
void core_icache_invalidate(struct core *c, gpa_t pa);
void core_icache_flush(struct core *c);
void core_icache_invalidate_range(struct core *c, gpa_t pa, uint64_t len);

/*
 * Complete the FPSCR: translated code may leave its FR, FI and FPRF to be
 * worked out later (fp_lazy). Call before reading or writing fpscr from
 * outside the core.
 */
void core_fp_settle(struct core *c);

/* Timebase (TBL/TBU). */
uint64_t core_tb_read(const struct core *c);
/* The TB at host CLOCK_MONOTONIC time ns (for callers that have just read the clock). */
uint64_t core_tb_at(const struct core *c, uint64_t ns);
void core_tb_write(struct core *c, uint64_t value);
/* Host nanoseconds until the timebase reaches tb (0 if already past). */
uint64_t core_tb_ns_until(const struct core *c, uint64_t tb);

/* Events (thread-safe). */
static inline void core_event_set(struct core *c, uint32_t bits)
{
	atomic_fetch_or_explicit(&c->events, bits, memory_order_release);
}
static inline void core_event_clear(struct core *c, uint32_t bits)
{
	atomic_fetch_and_explicit(&c->events, ~bits, memory_order_acq_rel);
}

/*
 * Dirty-page log (live migration: snapshot/migrate.c). One bit per 4 KiB
 * page of RAM, set for every store the core performs (both engines),
 * every core_phys_write() and every core_ram_written(). Cost: while the
 * log is on, a page enters the write fast cache only as its bit is set,
 * so the first store to each page after a take goes the slow way (which
 * sets the bit) and the rest run at full speed, as for code pages
 * (block.h). Start, take and stop on the vcpu thread between core_run()s.
 */
int core_dirty_start(struct core *c);  /* every bit clear; 0 or -ENOMEM */
/*
 * Move the bits set since the start or the last take into out
 * (ram_size / 4096 bits, in 64-bit words, page N at bit N % 64 of word
 * N / 64) and clear them; a page stored to after this is set again.
 * Returns the number of pages taken.
 */
uint64_t core_dirty_take(struct core *c, uint64_t *out);
void core_dirty_stop(struct core *c);
/* Mark [pa, pa+len) dirty, if the log is on (out-of-RAM bytes are ignored). */
void core_dirty_mark(struct core *c, gpa_t pa, uint64_t len);
/*
 * The host wrote guest RAM [pa, pa+len) directly (a device's DMA): the
 * decoded code there dies and the pages are dirty.
 */
void core_ram_written(struct core *c, gpa_t pa, uint64_t len);

/* Guest physical RAM helpers (bounds-checked; false when out of RAM). */
bool core_phys_read(const struct core *c, gpa_t pa, void *buf, size_t len);
bool core_phys_write(struct core *c, gpa_t pa, const void *buf, size_t len);

const char *core_exit_name(enum core_exit_kind kind);

#endif
