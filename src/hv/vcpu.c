/* SPDX-License-Identifier: MIT */
/* vcpu.c - the virtual 440: reset state, the run loop and the handling of every core exit. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hv/internal.h"
#include "util/byteorder.h"
#include "util/log.h"

/* Instructions per core_run() chunk: short enough to poll host I/O about every millisecond. */
#define RUN_BUDGET 50000
#define POLL_INTERVAL_NS 1000000ull
/* Longest sleep while the guest waits, so a stop request from another thread is seen. */
#define MAX_SLEEP_NS 100000000ull
/*
 * A guest makes no progress when this many exits in a row, over at least
 * this long, retired no instruction and completed none in the hypervisor
 * (a working guest, however hostile, retires instructions between every
 * few exits; docs/design.md).
 */
#define STALL_EXITS 10000u
#define STALL_NS 1000000000ull

/* PVR of the 440EP Rev B (as QEMU's 440epb). */
#define PVR_440EP_B 0x422218D3u

void hv_log(struct vcpu *v, const char *fmt, ...)
{
	char who[32];
	va_list ap;

	if (v->log_count >= LOG_LIMIT)
		return; /* spent: not even the prefix is formatted */
	snprintf(who, sizeof(who), "guest pc=0x%08x", v->core.pc);
	va_start(ap, fmt);
	log_limited(&v->log_count, who, fmt, ap);
	va_end(ap);
}

/*
 * The one place that pushes guest MSR/PID/SPRG4-7 into the core: the
 * translation context (privilege compression: kmode selects the shadow
 * entries' supervisor permissions), FP enable and mode, and the
 * user-readable SPRG copies.
 */
void vcpu_sync(struct vcpu *v)
{
	struct core_ctx ctx = {
		.kmode = !(v->msr & MSR_PR),
		.is = (v->msr & MSR_IS) ? 1 : 0,
		.ds = (v->msr & MSR_DS) ? 1 : 0,
		.pid = (uint8_t)v->pid,
	};

	core_set_ctx(&v->core, &ctx);
	v->core.fp_enabled = !!(v->msr & MSR_FP);
	v->core.fp_exc_mode = ((v->msr & MSR_FE0) ? 2 : 0) | ((v->msr & MSR_FE1) ? 1 : 0);
	for (unsigned i = 0; i < 4; i++)
		v->core.sprg_ro[i] = v->sprg[4 + i];
	/* DAC user/supervisor selects follow the guest's MSR[PR] */
	if (v->dbg_watching || (v->dbcr0 & DBCR0_IDM))
		dbg_update(v);
}

void vcpu_set_msr(struct vcpu *v, uint32_t msr)
{
	v->msr = msr;
	/* MSR[WE]: enter the wait state until an interrupt (PPC440x5 manual, MSR). */
	if (msr & MSR_WE)
		v->halted = true;
	vcpu_sync(v);
}

int vcpu_init(struct vcpu *v, uint8_t *ram, uint64_t ram_size, uint64_t tb_freq,
	      const struct vcpu_bus *bus)
{
	int r;

	/*
	 * Not memset(v): the core's 7 MiB block arena, which core_init() leaves
	 * untouched until used, would be faulted in (5-20 ms at every start).
	 */
	_Static_assert(offsetof(struct vcpu, core) == 0, "the core comes first in struct vcpu");
	memset((char *)v + sizeof(v->core), 0, sizeof(*v) - sizeof(v->core));
	r = core_init(&v->core, ram, ram_size, tb_freq);
	if (r < 0)
		return r;
	v->bus = bus;
	v->ram_size = ram_size;
	v->stats_enabled = true;
	hv_clock_init(&v->clock);
	v->core.light_exit = emulate_light;
	vcpu_reset(v);
	return 0;
}

void vcpu_reset(struct vcpu *v)
{
	/*
	 * One 4 KiB supervisor read/execute entry at EA 0xfffff000 (PPC440x5
	 * manual, 3.1 and 3.4: the 440 keeps it in its shadow TLB only; here it
	 * is guest entry 0 so a boot ROM can find it with tlbsx).
	 */
	static const struct vcpu_tlb_entry boot = {
		.word0 = 0xfffff000u | TLB0_V | (1u << 4), /* SIZE 1: 4 KiB */
		.word1 = 0xfffff000u,
		.word2 = 0x400 /* I */ | TLB2_SX | TLB2_SR, /* no write access after reset */
		.tid = 0,
	};
	const struct vcpu_bus *bus = v->bus;
	struct vcpu_debug debug = v->debug;
	struct hv_stats stats = v->stats;
	bool stats_enabled = v->stats_enabled;

	core_reset(&v->core);
	v->msr = 0;
	v->srr0 = v->srr1 = v->csrr0 = v->csrr1 = v->mcsrr0 = v->mcsrr1 = 0;
	v->dear = v->esr = v->mcsr = 0;
	v->ivpr = 0;
	memset(v->ivor, 0, sizeof(v->ivor));
	memset(v->sprg, 0, sizeof(v->sprg));
	v->pid = v->mmucr = v->ccr0 = v->ccr1 = 0;
	v->dbcr0 = v->dbcr1 = v->dbcr2 = v->dbsr = 0;
	v->dbg_skip_dac = false;
	memset(v->iac, 0, sizeof(v->iac));
	memset(v->dac, 0, sizeof(v->dac));
	memset(v->dvc, 0, sizeof(v->dvc));
	v->pir = 0;
	v->pvr = v->pvr_reset ? v->pvr_reset : PVR_440EP_B;
	memset(v->dnv, 0, sizeof(v->dnv));
	memset(v->dtv, 0, sizeof(v->dtv));
	memset(v->inv, 0, sizeof(v->inv));
	memset(v->itv, 0, sizeof(v->itv));
	v->ivlim = v->dvlim = v->rstcfg = 0;
	memset(v->tlb, 0, sizeof(v->tlb));
	v->irq_ext = v->irq_crit = false;
	v->halted = false;
	v->reset_requested = false;
	/* log_count survives: a guest that resets after each burst of errors must not flood the log. */
	v->bus = bus;
	v->debug = debug;
	v->debug.skip_pending = false;
	v->stats = stats;
	v->stats_enabled = stats_enabled;

	timer_reset(v);
	pv_reset(v);
	vcpu_tlb_set(v, 0, &boot);
	v->core.pc = 0xfffffffcu;
	vcpu_sync(v);
}

void vcpu_set_irq(struct vcpu *v, enum vcpu_irq line, bool level)
{
	if (line == VCPU_IRQ_CRIT)
		v->irq_crit = level;
	else
		v->irq_ext = level;
	core_event_set(&v->core, CORE_EVENT_IRQ);
}

void vcpu_request_stop(struct vcpu *v)
{
	/* Only an atomic OR: safe from a signal handler. */
	core_event_set(&v->core, CORE_EVENT_STOP);
}

/* A device access; *done when a device answered it (else a machine check or checkstop). */
static bool mmio(struct vcpu *v, const struct core_exit *e, bool *done)
{
	const struct vcpu_bus *bus = v->bus;
	uint64_t val = 0;
	int r = -1;

	if (e->write) {
		if (bus && bus->mmio_write)
			r = bus->mmio_write(bus->opaque, e->pa, e->size, e->data);
	} else if (bus && bus->mmio_read) {
		r = bus->mmio_read(bus->opaque, e->pa, e->size, &val);
	}
	if (r < 0) {
		hv_log(v, "%s of %u bytes at 0x%09llx: nothing there (machine check)",
		       e->write ? "store" : "load", e->size, (unsigned long long)e->pa);
		/* A bus error on a data access: MCSR[MCS] and DRB or DWB (PPC440x5 manual, MCSR). */
		return irq_machine_check(v, MCSR_MCS | (e->write ? MCSR_DWB : MCSR_DRB),
					 v->core.pc);
	}
	core_mmio_complete(&v->core, val);
	*done = true;
	return true;
}

/*
 * The instruction word at the guest's PC through its own translation
 * (guest TLB, MSR[IS], PID), or false when it is not in RAM.
 */
/* ea through guest TLB entries of space ts and the current PID: physical address and bytes left in the page. */
static bool translate(const struct vcpu *v, uint32_t ea, unsigned ts, uint64_t *pa, uint32_t *len)
{
	int i = tlb_search(v, ea, ts, v->pid & 0xff);
	const struct vcpu_tlb_entry *e;
	uint32_t size, off;

	if (i < 0)
		return false;
	e = &v->tlb[i];
	size = tlb_page_size(e->word0);
	off = ea & (size - 1);
	*pa = ((((uint64_t)(e->word1 & TLB1_ERPN)) << 32) | (e->word1 & TLB1_RPN & ~(size - 1))) + off;
	*len = size - off;
	return true;
}

bool vcpu_insn_at_pc(const struct vcpu *v, uint32_t *word)
{
	uint64_t pa;
	uint32_t len;

	if (!translate(v, v->core.pc, !!(v->msr & MSR_IS), &pa, &len) || pa + 4 > v->ram_size)
		return false;
	*word = ld_be32(v->core.ram + pa);
	return true;
}
/*
 * A guest halted for good by spinning: "b ." with external interrupts off
 * and nothing that could raise a critical interrupt or a watchdog reset
 * (Linux's machine_halt and machine_power_off end this way).
 */
static bool spinning_for_good(const struct vcpu *v)
{
	uint32_t word;

	if (v->msr & MSR_EE || v->irq_ext || v->irq_crit || (v->tcr & TCR_WRC))
		return false;
	if ((v->msr & MSR_CE) && ((v->tcr & TCR_WIE) ||
				  !v->bus || !v->bus->crit_possible ||
				  v->bus->crit_possible(v->bus->opaque)))
		return false;
	return vcpu_insn_at_pc(v, &word) && word == 0x48000000u;
}

/* Does a debugger breakpoint stop the core at pc before the guest's own events are looked at? */
static bool at_debugger_breakpoint(const struct vcpu *v)
{
	const struct core *c = &v->core;

	if (c->skip_breakpoint_once)
		return false;
	for (unsigned k = 0; k < c->n_breakpoints && k < CORE_MAX_BREAKPOINTS; k++)
		if (c->breakpoints[k] == c->pc)
			return true;
	return false;
}

/*
 * Handle one core exit. Returns the kind to account (HV_EXIT__COUNT: none);
 * sets *stopping and *stop when vcpu_run() must return, and *done when the
 * hypervisor completed the instruction that exited (emulated it, answered
 * its MMIO access, took its sc) rather than only preparing its retry or an
 * interrupt in its place.
 */
static enum hv_exit_kind handle_exit(struct vcpu *v, const struct core_exit *e, bool *stopping,
				     enum vcpu_stop *stop, bool *done)
{
	enum hv_exit_kind kind = HV_EXIT__COUNT;
	uint32_t pc = v->core.pc;

	switch (e->kind) {
	case CORE_EXIT_BUDGET:
		if (spinning_for_good(v)) {
			*stopping = true;
			*stop = VCPU_STOP_HALT;
		}
		break;
	case CORE_EXIT_EVENT:
		kind = HV_EXIT_SIGNAL;
		break;
	case CORE_EXIT_PRIV:
		switch (emulate_priv(v, e->insn, &kind, stop)) {
		case EMUL_DONE:
			v->core.pc = pc + 4;
			*done = true;
			break;
		case EMUL_JUMPED:
			/* rfi/rfci/rfmci completed; anything else raised a program interrupt */
			*done = kind == HV_EXIT_EMUL_RFI;
			break;
		case EMUL_STOP:
			*stopping = true;
			*done = true;
			break;
		}
		break;
	case CORE_EXIT_SC:
		/*
		 * System call: SRR0 is the instruction after sc (Book E), unless it is
		 * a hypercall (hv/hcall.c); KVM accounts both as SYSCALL.
		 */
		kind = HV_EXIT_SYSCALL;
		*done = true;
		if (!pv_hcall(v))
			irq_deliver(v, IVOR_SYSCALL, pc + 4);
		break;
	case CORE_EXIT_PROGRAM:
		kind = HV_EXIT_EMULINST;
		if ((e->esr & CORE_ESR_PTR) && dbg_trap(v)) {
			kind = HV_EXIT_DEBUG;
			break;
		}
		v->esr = e->esr;
		irq_deliver(v, IVOR_PROGRAM, pc);
		break;
	case CORE_EXIT_ITLB_MISS:
		kind = tlb_handle_miss(v, e->ea, true, 0);
		break;
	case CORE_EXIT_DTLB_MISS:
		kind = tlb_handle_miss(v, e->ea, false, e->esr);
		break;
	case CORE_EXIT_ISI:
		kind = HV_EXIT_ISI;
		v->esr = 0;
		irq_deliver(v, IVOR_INST_STORAGE, pc);
		break;
	case CORE_EXIT_DSI:
		kind = HV_EXIT_DSI;
		v->dear = e->ea;
		v->esr = e->esr;
		irq_deliver(v, IVOR_DATA_STORAGE, pc);
		break;
	case CORE_EXIT_ALIGN:
		kind = HV_EXIT_EMULINST;
		v->dear = e->ea;
		v->esr = e->esr;
		irq_deliver(v, IVOR_ALIGNMENT, pc);
		break;
	case CORE_EXIT_FP_UNAVAIL:
		kind = HV_EXIT_FP_UNAVAIL;
		irq_deliver(v, IVOR_FP_UNAVAIL, pc);
		break;
	case CORE_EXIT_MMIO:
		kind = HV_EXIT_MMIO;
		if (!mmio(v, e, done)) {
			*stopping = true;
			*stop = VCPU_STOP_CHECKSTOP;
		}
		break;
	case CORE_EXIT_FETCH_IO:
		/* Fetching from a device: an instruction-side bus error machine check (MCSR[IB], ESR[MCI]). */
		kind = HV_EXIT_ISI;
		hv_log(v, "instruction fetch from I/O address 0x%09llx (machine check)",
		       (unsigned long long)e->pa);
		v->esr = ESR_MCI;
		if (!irq_machine_check(v, MCSR_MCS | MCSR_IB, pc)) {
			*stopping = true;
			*stop = VCPU_STOP_CHECKSTOP;
		}
		break;
	case CORE_EXIT_DEBUG:
		kind = HV_EXIT_DEBUG;
		*stopping = true;
		*stop = VCPU_STOP_DEBUG;
		v->debug.reason = VCPU_DEBUG_BREAK;
		break;
	case CORE_EXIT_WATCH:
		kind = HV_EXIT_DEBUG;
		*stopping = true;
		*stop = VCPU_STOP_DEBUG;
		v->debug.reason = VCPU_DEBUG_WATCH;
		v->debug.watch_addr = e->ea;
		v->debug.watch_write = e->write;
		break;
	case CORE_EXIT_DAC:
		/* the guest's own DAC1/DAC2 (hv/debug.c) */
		kind = HV_EXIT_DEBUG;
		dbg_dac(v, e->ea, e->write);
		break;
	case CORE_EXIT_LOCKSTEP:
		/* --engine lockstep found a JIT bug: stop here, main.c says what differed */
		*stopping = true;
		*stop = VCPU_STOP_LOCKSTEP;
		break;
	default:
		hv_log(v, "unknown core exit %d", (int)e->kind);
		*stopping = true;
		*stop = VCPU_STOP_CHECKSTOP;
		break;
	}
	return kind;
}

void vcpu_account(struct vcpu *v, enum hv_exit_kind kind, uint64_t start_ns, uint64_t ns,
		  uint32_t pc, uint32_t arg, unsigned tlb_index)
{
	hv_stats_add(&v->stats, kind, ns);
	if (TRACE_ON(v))
		trace_put(v->trace, start_ns, TRACE_EXIT, kind, tlb_index, pc, arg, ns);
}

void vcpu_stats_sync(struct vcpu *v)
{
	v->stats.core_insns = v->core.stats.insns;
	v->stats.core_fast_misses = v->core.stats.fast_misses;
	v->stats.stlb_hits = v->core.stats.stlb_hits;
	v->stats.core_blocks = v->core.stats.blocks_built;
	v->stats.core_translated = v->core.stats.blocks_translated;
	v->stats.core_code_bytes = v->core.stats.code_bytes;
	v->stats.core_flushes = v->core.stats.block_flushes;
	v->stats.core_kills = v->core.stats.block_kills;
}

void vcpu_stats_reset(struct vcpu *v)
{
	hv_stats_reset(&v->stats);
	memset(&v->core.stats, 0, sizeof(v->core.stats));
	if (TRACE_ON(v))
		trace_put(v->trace, 0, TRACE_RESET, 0, TRACE_NO_INDEX, v->core.pc, 0, 0);
}

/*
 * What the trace records about an exit, taken before it is handled: the
 * guest PC, the instruction word or the address involved, and for a TLB
 * miss the guest TLB entry that maps the address (none: a REAL miss).
 */
static void trace_exit_info(struct vcpu *v, const struct core_exit *e, uint32_t *pc,
			    uint32_t *arg, unsigned *idx)
{
	int gi;

	*pc = v->core.pc;
	switch (e->kind) {
	case CORE_EXIT_PRIV:
	case CORE_EXIT_SC:
	case CORE_EXIT_PROGRAM:
		*arg = e->insn;
		break;
	case CORE_EXIT_ITLB_MISS:
	case CORE_EXIT_DTLB_MISS:
		*arg = e->ea;
		gi = tlb_search(v, e->ea,
				e->kind == CORE_EXIT_ITLB_MISS ? !!(v->msr & MSR_IS) : !!(v->msr & MSR_DS),
				v->pid);
		*idx = gi < 0 ? TRACE_NO_INDEX : (unsigned)gi;
		break;
	case CORE_EXIT_MMIO:
	case CORE_EXIT_FETCH_IO:
		*arg = (uint32_t)e->pa;
		break;
	case CORE_EXIT_BUDGET:
	case CORE_EXIT_EVENT:
		*arg = 0;
		break;
	default:
		*arg = e->ea;
		break;
	}
}

/* The guest waits (MSR[WE]): sleep in the board's poll until the next timer deadline. */
static void wait_for_event(struct vcpu *v)
{
	uint64_t deadline = timer_next_deadline_tb(v);
	uint64_t t0 = hv_clock_now(&v->clock);
	int64_t timeout = MAX_SLEEP_NS;

	if (deadline) {
		uint64_t ns = core_tb_ns_until(&v->core, deadline);

		if (ns < MAX_SLEEP_NS)
			timeout = (int64_t)ns;
	}
	v->wait_until = t0 + (uint64_t)timeout;
	if (v->bus && v->bus->poll) {
		v->bus->poll(v->bus->opaque, timeout);
	} else {
		struct timespec ts = { .tv_sec = timeout / 1000000000, .tv_nsec = timeout % 1000000000 };

		nanosleep(&ts, NULL);
	}
	v->wait_until = 0;
	vcpu_account(v, HV_EXIT_HALT, t0, hv_clock_sync(&v->clock) - t0, v->core.pc, 0, TRACE_NO_INDEX);
}

/*
 * One more exit after which the guest had not moved on (see STALL_EXITS):
 * say so once, on one line, when the run is long enough. The guest keeps
 * running, as a 440 would: its watchdog, an interrupt that unblocks it, a
 * debugger or the host can still end the loop.
 */
static void stall_exit(struct vcpu *v, enum hv_exit_kind kind, uint32_t pc, uint64_t now)
{
	struct vcpu_stall *s = &v->stall;
	char names[256];
	size_t n = 0;

	_Static_assert(HV_EXIT__COUNT <= 32, "vcpu_stall.kinds has a bit per exit kind");
	if (s->exits++ == 0) {
		s->since_ns = now;
		s->kinds = 0;
	}
	s->kinds |= 1u << kind;
	if (s->reported || s->exits < STALL_EXITS || now - s->since_ns < STALL_NS)
		return;
	s->reported = true;
	names[0] = '\0';
	for (unsigned k = 0; k < HV_EXIT__COUNT && n < sizeof(names); k++)
		if (s->kinds & (1u << k))
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "",
					      hv_exit_name((enum hv_exit_kind)k));
	log_err("guest makes no progress at pc=0x%08x: %llu exits in %.1f s (%s) "
		"retired no instruction; still running, as a 440 would\n", pc,
		(unsigned long long)s->exits, (double)(now - s->since_ns) / 1e9, names);
}

enum vcpu_stop vcpu_run(struct vcpu *v)
{
	uint64_t last_poll = hv_clock_sync(&v->clock);
	uint64_t now = last_poll; /* the clock as of the last read: one exit's end is the next's start */
	unsigned step_tries = 0;

	v->debug.reason = VCPU_DEBUG_NONE;
	for (;;) {
		uint32_t ev = atomic_load_explicit(&v->core.events, memory_order_acquire);
		const struct core_exit *e;
		enum vcpu_stop stop = VCPU_STOP_HOST;
		enum hv_exit_kind kind;
		bool stopping = false, done = false;
		uint64_t t0, t1, t2, insns0;
		uint32_t pc0, epc, xpc = 0, xarg = 0;
		unsigned xidx = TRACE_NO_INDEX;
		uint64_t budget;
		bool guest_step, de0;

		if (ev & CORE_EVENT_STOP) {
			core_event_clear(&v->core, CORE_EVENT_STOP);
			return VCPU_STOP_HOST;
		}
		if (ev)
			core_event_clear(&v->core, ev & (CORE_EVENT_IRQ | CORE_EVENT_TIMER |
							 CORE_EVENT_IO));
		if ((ev & CORE_EVENT_IO) && v->bus && v->bus->poll) {
			/* Host I/O waits for this thread: service it now. */
			v->bus->poll(v->bus->opaque, 0);
			last_poll = now = hv_clock_sync(&v->clock);
		}
		if (!timer_update_at(v, core_tb_at(&v->core, now)) || v->reset_requested) {
			v->reset_requested = false;
			return VCPU_STOP_RESET;
		}
		/* A guest debug event recorded while MSR[DE] was 0 interrupts once it is 1. */
		if (__builtin_expect(v->dbcr0 & DBCR0_IDM, 0) && dbg_pending(v) && v->debug.step) {
			v->debug.reason = VCPU_DEBUG_STEP;
			return VCPU_STOP_DEBUG;
		}
		/* A debugger's single step holds asynchronous interrupts off unless asked. */
		if ((!v->debug.step || v->debug.step_irqs) && irq_deliver_pending(v) &&
		    v->debug.step) {
			/* The step took an interrupt: it ends at the vector's first instruction. */
			v->debug.reason = VCPU_DEBUG_STEP;
			return VCPU_STOP_DEBUG;
		}
		if (v->halted) {
			if (v->debug.step && !v->debug.step_irqs) {
				/* Waiting, and nothing may wake it during this step: the step ends here. */
				v->debug.reason = VCPU_DEBUG_STEP;
				return VCPU_STOP_DEBUG;
			}
			if (!irq_can_wake(v))
				return VCPU_STOP_HALT;
			v->stall.exits = 0; /* waiting for an interrupt is no livelock */
			if (__builtin_expect(v->profile != NULL, 0))
				profile_poll(v);
			wait_for_event(v);
			last_poll = now = hv_clock_sync(&v->clock);
			continue;
		}

		if (v->debug.skip_pending && v->core.pc == v->debug.skip_pc)
			v->core.skip_breakpoint_once = true;
		/*
		 * The guest's own debug events (hv/debug.c): one instruction at a
		 * time while IAC, BRT or ICMP can occur, checked before and after;
		 * a debugger's breakpoint at pc goes first (external debug mode wins).
		 */
		budget = v->debug.step ? 1 : RUN_BUDGET;
		guest_step = false;
		if (__builtin_expect(v->dbcr0 & DBCR0_IDM, 0) && dbg_stepping(v)) {
			guest_step = true;
			budget = 1;
			if (!at_debugger_breakpoint(v) && dbg_before(v))
				continue;
		}
		de0 = v->msr & MSR_DE;
		if (__builtin_expect(v->dbg_skip_dac, 0))
			dbg_update(v); /* off for one instruction: its DAC event was handled */
		insns0 = v->core.stats.insns;
		pc0 = v->core.pc;
		pv_magic_store(v); /* the magic page is the master copy while the guest runs */
		t0 = now;
		v->light_ns = 0;
		e = core_run(&v->core, v->dbg_skip_dac ? 1 : budget);
		t1 = hv_clock_now(&v->clock);
		/* Sample where the guest was, before the exit is handled (hv/profile.h). */
		if (__builtin_expect(v->profile != NULL, 0))
			profile_poll(v);
		pv_magic_load(v);
		/* The breakpoint was resumed over once an instruction ran (or pc moved). */
		if (v->core.stats.insns != insns0 || v->core.pc != pc0)
			v->debug.skip_pending = false;
		vcpu_account(v, HV_EXIT_TIMEINGUEST, t0, t1 - t0 - (v->light_ns < t1 - t0 ? v->light_ns : 0),
			     pc0, 0, TRACE_NO_INDEX);
		vcpu_stats_sync(v);

		if (TRACE_ON(v))
			trace_exit_info(v, e, &xpc, &xarg, &xidx);
		if (__builtin_expect(v->dbg_skip_dac, 0) && e->kind != CORE_EXIT_DAC) {
			v->dbg_skip_dac = false;
			dbg_update(v);
		}
		epc = v->core.pc;
		kind = handle_exit(v, e, &stopping, &stop, &done);
		/* ICMP: the instruction completed (retired in the core or finished here) */
		if (guest_step && !stopping && (done || v->core.stats.insns != insns0))
			dbg_after(v, de0);
		t2 = now = hv_clock_now(&v->clock);
		if (kind != HV_EXIT__COUNT)
			vcpu_account(v, kind, t1, t2 - t1, xpc, xarg, xidx);
		/* Progress: an instruction retired or completed; an event exit says nothing. */
		if (done || v->core.stats.insns != insns0)
			v->stall.exits = 0;
		else if (kind != HV_EXIT__COUNT && kind != HV_EXIT_SIGNAL)
			stall_exit(v, kind, epc, t2);
		if (stopping)
			return stop;
		/* A step is done when an instruction retired or was emulated, or an interrupt was taken. */
		if (v->debug.step && (v->core.stats.insns != insns0 || v->core.pc != pc0 ||
				      ++step_tries > 64)) {
			v->debug.reason = VCPU_DEBUG_STEP;
			return VCPU_STOP_DEBUG;
		}
		if (t2 - last_poll >= POLL_INTERVAL_NS) {
			if (v->bus && v->bus->poll)
				v->bus->poll(v->bus->opaque, 0);
			last_poll = now = hv_clock_sync(&v->clock);
		}
	}
}

bool vcpu_debug_translate(const struct vcpu *v, uint32_t ea, uint64_t *pa, uint32_t *len)
{
	unsigned ds = (v->msr & MSR_DS) ? 1 : 0, is = (v->msr & MSR_IS) ? 1 : 0;

	return translate(v, ea, ds, pa, len) || (is != ds && translate(v, ea, is, pa, len));
}

uint32_t vcpu_debug_read_dec(struct vcpu *v)
{
	return timer_read_dec(v);
}

void vcpu_debug_write_dec(struct vcpu *v, uint32_t val)
{
	timer_write_dec(v, val);
}

void vcpu_debug_set_msr(struct vcpu *v, uint32_t msr)
{
	vcpu_set_msr(v, msr);
	if (!(msr & MSR_WE))
		v->halted = false;
}

void vcpu_debug_set_pid(struct vcpu *v, uint32_t pid)
{
	v->pid = pid & 0xff;
	vcpu_sync(v);
}

uint64_t vcpu_time_seen(const struct vcpu *v)
{
	/* A wait's sleep counts as seen: the guest asked to sleep that long. */
	return v->clock.last > v->wait_until ? v->clock.last : v->wait_until;
}

void vcpu_hold_time_across_stop(struct vcpu *v, uint64_t seen_ns)
{
	uint64_t tb = core_tb_at(&v->core, seen_ns);

	/* Never below what the guest or the timers already read (mftb, DEC). */
	if (tb < v->core.tb_seen)
		tb = v->core.tb_seen;
	if (tb < core_tb_read(&v->core))
		vcpu_debug_resume_time(v, tb);
}

void vcpu_debug_resume_time(struct vcpu *v, uint64_t tb)
{
	core_tb_write(&v->core, tb);
	v->core.tb_seen = tb;
	/* Reads while stopped may have advanced the timer bookkeeping past tb. */
	if (v->dec_tb > tb)
		v->dec_tb = tb;
	if (v->timer_tb > tb)
		v->timer_tb = tb;
}
