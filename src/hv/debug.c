/* SPDX-License-Identifier: MIT */
/* debug.c - the guest's own debug facilities: DBCR0-2, DBSR, IAC1-4, DAC1-2 events (internal debug mode). */
#include "hv/internal.h"

/*
 * PPC440x5 CPU Core User's Manual, chapter 8 ("Debug Facilities") and 6.4.16
 * ("Debug Interrupt"). Only internal debug mode (DBCR0[IDM]) is modelled:
 * external debug mode belongs to the host's gdb stub (DBCR0[EDM] reads 0),
 * and trace mode (neither) has no trace port here, so nothing happens.
 *
 * How the events reach the hypervisor:
 *  - IAC, BRT, ICMP: while one can occur, vcpu_run runs the core one
 *    instruction at a time (dbg_stepping) and checks before (IAC, BRT) and
 *    after (ICMP) each one, on either engine;
 *  - DAC: the core's guest watchpoints (core_set_guest_watchpoints) exit
 *    before the access (CORE_EXIT_DAC);
 *  - TRAP, RET: the trap's program exit and the emulation of rfi/rfci/rfmci;
 *  - IRPT: irq_deliver, for the non-critical interrupts;
 *  - events recorded while MSR[DE]=0 interrupt when DE becomes 1 (dbg_pending).
 */

/* Is guest privilege as the user/supervisor field (US, 2 bits) asks? 0b10 supervisor, 0b11 user. */
static bool us_ok(const struct vcpu *v, unsigned us)
{
	if (!(us & 2))
		return true; /* 0b00 either; 0b01 is reserved: treated as either */
	return !!(v->msr & MSR_PR) == (us & 1);
}

/* DBCR1[IACnUS] and [IACnER] of IAC n (0-3). */
static unsigned iac_us(const struct vcpu *v, unsigned n)
{
	return (v->dbcr1 >> (30 - 4 * (n & 1) - 16 * (n >> 1))) & 3;
}

static unsigned iac_er(const struct vcpu *v, unsigned n)
{
	return (v->dbcr1 >> (28 - 4 * (n & 1) - 16 * (n >> 1))) & 3;
}

/* The range mode of IAC pair p (0: IAC1/2, 1: IAC3/4): 0 exact, 2 inclusive, 3 exclusive. */
static unsigned iac_mode(const struct vcpu *v, unsigned p)
{
	unsigned m = (v->dbcr1 >> (p ? 6 : 22)) & 3;
	bool at = v->dbcr1 & (p ? DBCR1_IAC34AT : DBCR1_IAC12AT);

	if (m < 2)
		return 0; /* 0b01 (Book E's bit mask mode) is not a 440 mode: exact */
	/* auto-toggle: DBSR[IACxxATS] reverses inclusive and exclusive (manual 8.3.1.1) */
	if (at && (v->dbsr & (p ? DBSR_IAC34ATS : DBSR_IAC12ATS)))
		m ^= 1;
	return m;
}

/* The IAC events the instruction at pc raises (DBSR bits), per DBCR0/DBCR1 (manual 8.3.1). */
static uint32_t iac_events(struct vcpu *v, uint32_t pc, bool *range)
{
	static const uint32_t en[4] = { DBCR0_IAC1, DBCR0_IAC2, DBCR0_IAC3, DBCR0_IAC4 };
	static const uint32_t st[4] = { DBSR_IAC1, DBSR_IAC2, DBSR_IAC3, DBSR_IAC4 };
	uint32_t bits = 0, a = pc & ~3u;

	*range = false;
	for (unsigned n = 0; n < 4; n++) {
		unsigned mode = iac_mode(v, n >> 1), er = iac_er(v, n);
		uint32_t lo = v->iac[n & 2] & ~3u, hi = v->iac[(n & 2) + 1] & ~3u;
		bool hit;

		if (!(v->dbcr0 & en[n]) || !us_ok(v, iac_us(v, n)))
			continue;
		/* ER 0b10/0b11: only instructions fetched with MSR[IS] = 0/1; 0b01 (real) is not a 440 mode */
		if ((er & 2) && !!(v->msr & MSR_IS) != (er & 1))
			continue;
		if (mode == 2)
			hit = a >= lo && a < hi;
		else if (mode == 3)
			hit = a < lo || a >= hi;
		else
			hit = a == (v->iac[n] & ~3u);
		if (hit) {
			bits |= st[n];
			*range |= mode != 0;
		}
	}
	return bits;
}

/* Is the instruction word a branch whose condition holds now (Book E bc/bclr/bcctr)? */
static bool branch_taken(const struct vcpu *v, uint32_t insn)
{
	unsigned op = insn >> 26, xo = (insn >> 1) & 0x3ff, bo, bi;
	bool ctr_ok, cond_ok;

	if (op == 18)
		return true;
	if (op != 16 && !(op == 19 && (xo == 16 || xo == 528)))
		return false;
	bo = (insn >> 21) & 31;
	bi = (insn >> 16) & 31;
	/* bcctr never decrements CTR (BO[2]=0 is an invalid form); bc and bclr may */
	if ((bo & 4) || (op == 19 && xo == 528))
		ctr_ok = true;
	else
		ctr_ok = ((v->core.ctr - 1) != 0) != !!(bo & 2);
	cond_ok = (bo & 0x10) || (((v->core.cr >> (31 - bi)) & 1) == ((bo >> 3) & 1));
	return ctr_ok && cond_ok;
}

/* Internal debug mode: events may interrupt (EDM is the host's and reads 0). */
static bool idm(const struct vcpu *v)
{
	return (v->dbcr0 & DBCR0_IDM) != 0;
}

/* The debug interrupt: critical class, CSRR0 = the address the event names (manual 6.4.16). */
static void debug_interrupt(struct vcpu *v, uint32_t csrr0)
{
	irq_deliver(v, IVOR_DEBUG, csrr0);
}

bool dbg_stepping(const struct vcpu *v)
{
	if (!idm(v))
		return false;
	if (v->dbcr0 & (DBCR0_IAC1 | DBCR0_IAC2 | DBCR0_IAC3 | DBCR0_IAC4))
		return true;
	/* ICMP and BRT cannot occur while MSR[DE] = 0 in internal debug mode (manual 8.3.4, 8.3.7) */
	return (v->dbcr0 & (DBCR0_ICMP | DBCR0_BRT)) && (v->msr & MSR_DE);
}

bool dbg_before(struct vcpu *v)
{
	uint32_t pc = v->core.pc, insn, bits;
	bool range;

	if (!idm(v) || !vcpu_insn_at_pc(v, &insn))
		return false; /* not mapped by the guest: the core's fetch reports it */
	bits = iac_events(v, pc, &range);
	if (bits) {
		/* auto-toggle: each IAC event of a pair in range mode with AT set flips its status */
		if (range && (bits & (DBSR_IAC1 | DBSR_IAC2)) && (v->dbcr1 & DBCR1_IAC12AT))
			v->dbsr ^= DBSR_IAC12ATS;
		if (range && (bits & (DBSR_IAC3 | DBSR_IAC4)) && (v->dbcr1 & DBCR1_IAC34AT))
			v->dbsr ^= DBSR_IAC34ATS;
		if (v->msr & MSR_DE) {
			/* precise: the instruction is not executed, CSRR0 is its address (8.3.1.2) */
			v->dbsr |= bits;
			debug_interrupt(v, pc);
			return true;
		}
		/* DE = 0: exact-mode events are recorded as imprecise, range modes not at all */
		if (!range)
			v->dbsr |= bits | DBSR_IDE;
	}
	if ((v->dbcr0 & DBCR0_BRT) && (v->msr & MSR_DE) && branch_taken(v, insn)) {
		/* the branch is not executed; CSRR0 is the branch itself (8.3.4) */
		v->dbsr |= DBSR_BRT;
		debug_interrupt(v, pc);
		return true;
	}
	return false;
}

void dbg_after(struct vcpu *v, bool de_before)
{
	/* ICMP: an instruction completed with MSR[DE] = 1 (8.3.7); CSRR0 is the next one */
	if (!idm(v) || !(v->dbcr0 & DBCR0_ICMP) || !de_before)
		return;
	if (v->msr & MSR_DE) {
		v->dbsr |= DBSR_ICMP;
		debug_interrupt(v, v->core.pc);
	} else {
		/* the instruction cleared DE itself: delayed until DE is 1 again (6.4.16) */
		v->dbsr |= DBSR_ICMP | DBSR_IDE;
	}
}

bool dbg_pending(struct vcpu *v)
{
	/* an event recorded earlier (imprecise) interrupts once DE is 1; CSRR0 = next instruction */
	if (!idm(v) || !(v->msr & MSR_DE) || !(v->dbsr & DBSR_EVENTS))
		return false;
	debug_interrupt(v, v->core.pc);
	return true;
}

bool dbg_trap(struct vcpu *v)
{
	/* TRAP (8.3.5): DE = 1 a debug interrupt in place of the program interrupt at the tw */
	if (!idm(v) || !(v->dbcr0 & DBCR0_TRAP))
		return false;
	if (v->msr & MSR_DE) {
		v->dbsr |= DBSR_TRAP;
		debug_interrupt(v, v->core.pc);
		return true;
	}
	/* DE = 0: recorded as imprecise, and the trap's program interrupt happens as without it */
	v->dbsr |= DBSR_TRAP | DBSR_IDE;
	return false;
}

bool dbg_return(struct vcpu *v, bool rfi)
{
	/* RET (8.3.6): DE = 1 suppresses the return, CSRR0 is its address */
	if (!idm(v) || !(v->dbcr0 & DBCR0_RET))
		return false;
	if (v->msr & MSR_DE) {
		v->dbsr |= DBSR_RET;
		debug_interrupt(v, v->core.pc);
		return true;
	}
	/* DE = 0: only rfi records an (imprecise) event, and it still returns */
	if (rfi)
		v->dbsr |= DBSR_RET | DBSR_IDE;
	return false;
}

void dbg_interrupt_taken(struct vcpu *v)
{
	/* IRPT (8.3.8): a non-critical interrupt; CSRR0 is its handler's first instruction */
	if (!idm(v) || !(v->dbcr0 & DBCR0_IRPT))
		return;
	if (v->msr & MSR_DE) {
		v->dbsr |= DBSR_IRPT;
		debug_interrupt(v, v->core.pc);
	} else {
		v->dbsr |= DBSR_IRPT | DBSR_IDE;
	}
}

/* The DBSR bits a data access at ea (its starting address) raises (manual 8.3.2). */
static uint32_t dac_events(const struct vcpu *v, uint32_t ea, bool write)
{
	uint32_t en = v->dbcr0 & (write ? (DBCR0_DAC1W | DBCR0_DAC2W) : (DBCR0_DAC1R | DBCR0_DAC2R));
	unsigned mode = (v->dbcr2 >> 22) & 3;
	uint32_t bits = 0;

	if (mode == 0) {
		if ((en & (DBCR0_DAC1R | DBCR0_DAC1W)) && ea == v->dac[0] &&
		    us_ok(v, (v->dbcr2 >> 30) & 3))
			bits |= en & (DBCR0_DAC1R | DBCR0_DAC1W);
		if ((en & (DBCR0_DAC2R | DBCR0_DAC2W)) && ea == v->dac[1] &&
		    us_ok(v, (v->dbcr2 >> 26) & 3))
			bits |= en & (DBCR0_DAC2R | DBCR0_DAC2W);
	} else {
		bool hit = mode == 1 ? ((ea ^ v->dac[0]) & v->dac[1]) == 0 :
			   mode == 2 ? ea >= v->dac[0] && ea < v->dac[1] :
				       ea < v->dac[0] || ea >= v->dac[1];

		/* paired modes: DAC1US decides for both; every enabled bit of the kind is set */
		if (hit && us_ok(v, (v->dbcr2 >> 30) & 3))
			bits = en;
	}
	/* DBCR0 and DBSR place the DAC bits alike */
	return bits;
}

bool dbg_dac(struct vcpu *v, uint32_t ea, bool write)
{
	uint32_t bits = dac_events(v, ea, write);

	/* the access runs once without the guest's watchpoints (next core_run) unless suppressed */
	if (!bits) {
		v->dbg_skip_dac = true;
		return false;
	}
	if ((v->msr & MSR_DE) && !(v->dbcr2 & DBCR2_DAC12A)) {
		/* synchronous, DE = 1: suppressed, CSRR0 is the load or store (8.3.2.2) */
		v->dbsr |= bits;
		debug_interrupt(v, v->core.pc);
		return true;
	}
	/*
	 * DE = 0: recorded as imprecise, the instruction completes. DAC12A (asynchronous)
	 * with DE = 1: it completes and dbg_pending interrupts after it (CSRR0 the next one).
	 */
	v->dbsr |= bits | ((v->msr & MSR_DE) ? 0 : DBSR_IDE);
	v->dbg_skip_dac = true;
	return false;
}

void dbg_update(struct vcpu *v)
{
	struct core_watchpoint w[CORE_MAX_GUEST_WATCHPOINTS];
	unsigned n = 0, mode = (v->dbcr2 >> 22) & 3;
	uint32_t en = v->dbcr0 & (DBCR0_DAC1R | DBCR0_DAC1W | DBCR0_DAC2R | DBCR0_DAC2W);

	if (!idm(v) || !en || v->dbg_skip_dac) {
		if (v->dbg_watching) {
			core_set_guest_watchpoints(&v->core, NULL, 0);
			v->dbg_watching = false;
		}
		return;
	}
	memset(w, 0, sizeof(w));
	if (mode == 0) {
		for (unsigned d = 0; d < 2; d++) {
			uint32_t r = d ? DBCR0_DAC2R : DBCR0_DAC1R, wr = d ? DBCR0_DAC2W : DBCR0_DAC1W;

			if (!(en & (r | wr)) || !us_ok(v, (v->dbcr2 >> (30 - 4 * d)) & 3))
				continue;
			w[n].ea = v->dac[d];
			w[n].len = 1;
			w[n].match = CORE_WATCH_START;
			w[n].perm = ((en & r) ? CORE_PERM_R : 0) | ((en & wr) ? CORE_PERM_W : 0);
			n++;
		}
	} else if (us_ok(v, (v->dbcr2 >> 30) & 3)) {
		uint8_t perm = ((en & (DBCR0_DAC1R | DBCR0_DAC2R)) ? CORE_PERM_R : 0) |
			       ((en & (DBCR0_DAC1W | DBCR0_DAC2W)) ? CORE_PERM_W : 0);

		w[0].perm = w[1].perm = perm;
		if (mode == 1) {
			w[n].match = CORE_WATCH_MASK;
			w[n].ea = v->dac[0];
			w[n++].mask = v->dac[1];
		} else if (mode == 2) {
			if (v->dac[1] > v->dac[0]) {
				w[n].match = CORE_WATCH_START;
				w[n].ea = v->dac[0];
				w[n++].len = v->dac[1] - v->dac[0];
			}
		} else {
			/* exclusive: [0, DAC1) and [DAC2, 2^32) */
			if (v->dac[0]) {
				w[n].match = CORE_WATCH_START;
				w[n].ea = 0;
				w[n++].len = v->dac[0];
			}
			if (v->dac[1]) {
				w[n].match = CORE_WATCH_START;
				w[n].ea = v->dac[1];
				w[n++].len = 0u - v->dac[1];
			} else {
				w[n].match = CORE_WATCH_MASK; /* every address */
				w[n].ea = 0;
				w[n++].mask = 0;
			}
		}
	}
	core_set_guest_watchpoints(&v->core, w, n);
	v->dbg_watching = n != 0;
}
