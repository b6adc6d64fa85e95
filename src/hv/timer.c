/* SPDX-License-Identifier: MIT */
/* timer.c - the 440 decrementer, fixed-interval timer and watchdog, computed lazily from the TB. */
#include "hv/internal.h"

/*
 * Periods as a power of two of timebase ticks (PPC440x5 manual, figure
 * 7-1 and tables 7-1/7-2): FIT from TBL19/15/11/7, watchdog from
 * TBL11/7/3 and TBU31.
 */
static unsigned fit_shift(uint32_t tcr)
{
	return 13 + 4 * ((tcr & TCR_FP) >> 24);
}

static unsigned wdt_shift(uint32_t tcr)
{
	return 21 + 4 * ((tcr & TCR_WP) >> 30);
}

/* Number of 0->1 transitions of the bit with period 2^shift at timebase values in (from, to]. */
static uint64_t rising_edges(uint64_t from, uint64_t to, unsigned shift)
{
	uint64_t half = 1ull << (shift - 1);

	if (to <= from)
		return 0;
	return ((to + half) >> shift) - ((from + half) >> shift);
}

/* Next timebase value after 'from' at which the bit with period 2^shift rises. */
static uint64_t next_edge(uint64_t from, unsigned shift)
{
	uint64_t period = 1ull << shift, half = period >> 1;
	uint64_t t = (from & ~(period - 1)) + half;

	if (t <= from)
		t += period;
	return t;
}

void timer_reset(struct vcpu *v)
{
	v->dec = 0;
	v->decar = 0;
	v->tcr = 0;
	/* TSR[WRS] survives a reset: it records a watchdog-initiated one (PPC440x5 manual, 3.1). */
	v->tsr &= TSR_WRS;
	v->dec_tb = core_tb_read(&v->core);
	v->timer_tb = v->dec_tb;
}

/* Advance DEC to 'now': on reaching zero set TSR[DIS], then reload (ARE) or stop (Book E DEC). */
static void dec_update(struct vcpu *v, uint64_t now)
{
	uint64_t elapsed, over;

	if (now <= v->dec_tb)
		return;
	elapsed = now - v->dec_tb;
	if (v->dec == 0) {
		/* Stopped at zero: no further 1->0 transition. */
		v->dec_tb = now;
		return;
	}
	if (elapsed < v->dec) {
		v->dec -= (uint32_t)elapsed;
		v->dec_tb = now;
		return;
	}
	v->tsr |= TSR_DIS;
	over = elapsed - v->dec;
	if ((v->tcr & TCR_ARE) && v->decar) {
		v->dec = v->decar - (uint32_t)(over % v->decar);
	} else {
		v->dec = 0;
	}
	v->dec_tb = now;
}

bool timer_update(struct vcpu *v)
{
	return timer_update_at(v, core_tb_read(&v->core));
}

bool timer_update_at(struct vcpu *v, uint64_t now)
{
	uint64_t n;

	dec_update(v, now);
	if (now <= v->timer_tb) {
		v->timer_tb = now;
		return true;
	}
	if (rising_edges(v->timer_tb, now, fit_shift(v->tcr)))
		v->tsr |= TSR_FIS;
	/* Watchdog state machine (PPC440x5 manual, 7.4 and figure 7-5). */
	n = rising_edges(v->timer_tb, now, wdt_shift(v->tcr));
	v->timer_tb = now;
	for (; n; n--) {
		if (!(v->tsr & TSR_ENW)) {
			v->tsr |= TSR_ENW;
		} else if (!(v->tsr & TSR_WIS)) {
			v->tsr |= TSR_WIS;
		} else {
			uint32_t wrc = v->tcr & TCR_WRC;

			if (wrc) {
				v->tsr = (v->tsr & ~TSR_WRS) | wrc;
				v->reset_requested = true;
				v->watchdog_resets++;
				return false;
			}
			break;
		}
	}
	return true;
}

uint32_t timer_read_dec(struct vcpu *v)
{
	dec_update(v, core_tb_read(&v->core));
	return v->dec;
}

void timer_write_dec(struct vcpu *v, uint32_t val)
{
	dec_update(v, core_tb_read(&v->core));
	v->dec = val;
	v->dec_tb = core_tb_read(&v->core);
}

void timer_write_tb(struct vcpu *v, uint64_t tb)
{
	uint64_t old;

	timer_update(v);
	old = core_tb_read(&v->core);
	core_tb_write(&v->core, tb);
	/*
	 * A write that makes the FIT/watchdog bit rise counts as an event
	 * (PPC440x5 manual 7.3/7.4); evaluate it as a jump from old to tb.
	 */
	if (tb > old) {
		v->timer_tb = old;
	} else {
		v->timer_tb = tb;
	}
	v->dec_tb = tb;
	timer_update(v);
}

uint64_t timer_next_deadline_tb(struct vcpu *v)
{
	uint64_t now = core_tb_read(&v->core), best = 0;
	uint64_t t;

	dec_update(v, now);
	if ((v->tcr & TCR_DIE) && v->dec)
		best = v->dec_tb + v->dec;
	if (v->tcr & TCR_FIE) {
		t = next_edge(now, fit_shift(v->tcr));
		if (!best || t < best)
			best = t;
	}
	if (v->tcr & (TCR_WIE | TCR_WRC)) {
		t = next_edge(now, wdt_shift(v->tcr));
		if (!best || t < best)
			best = t;
	}
	return best;
}
