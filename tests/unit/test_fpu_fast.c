/* SPDX-License-Identifier: MIT */
/* test_fpu_fast.c - the FPU's fast path against its exact path: results, FPSCR, CR1, bit for bit. */
#include <fenv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/fpu.h"

static unsigned passed, failed;

static void report(bool ok, const char *name)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	if (ok)
		passed++;
	else
		failed++;
}

#define D_SIGN 0x8000000000000000ull
#define FR     0x00040000u
#define FI     0x00020000u

/* The arithmetic the fast path takes: A-form extended opcodes of primary 59 and 63. */
enum { XO_DIV = 18, XO_SUB = 20, XO_ADD = 21, XO_SQRT = 22, XO_MUL = 25,
       XO_MSUB = 28, XO_MADD = 29, XO_NMSUB = 30, XO_NMADD = 31, XO_FRSP = 12 };
static const unsigned xos[] = { XO_DIV, XO_SUB, XO_ADD, XO_SQRT, XO_MUL,
				XO_MSUB, XO_MADD, XO_NMSUB, XO_NMADD, XO_FRSP };
#define NXO (sizeof(xos) / sizeof(xos[0]))
static const char *const xo_name[NXO] = { "div", "sub", "add", "sqrt", "mul",
					  "msub", "madd", "nmsub", "nmadd", "rsp" };

static bool is_fused(unsigned xo)
{
	return xo >= XO_MSUB && xo <= XO_NMADD;
}

/* frD = 0, frA = 1, frB = 2, frC = 3 (fmul takes frA * frC). */
static uint32_t encode(unsigned xo, bool single, bool rc)
{
	if (xo == XO_FRSP)
		return 63u << 26 | 2u << 11 | XO_FRSP << 1 | rc;
	return (single ? 59u : 63u) << 26 | 1u << 16 | 2u << 11 | 3u << 6 | xo << 1 | rc;
}

static uint64_t lcg = 0x9e3779b97f4a7c15ull;

static uint64_t rnd64(void)
{
	lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
	return (lcg >> 32) << 32 | ((lcg * 0xd1342543de82ef95ull) >> 32);
}

static unsigned rnd(unsigned n)
{
	return (unsigned)((rnd64() >> 33) % n);
}

static double bitsd(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static uint64_t dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static uint64_t make(unsigned sign, int exp, uint64_t frac)
{
	return (uint64_t)sign << 63 | (uint64_t)(exp + 1023) << 52 | (frac & 0xfffffffffffffull);
}

/* Values at and around every limit the fast path checks. */
static const uint64_t specials[] = {
	0, D_SIGN, 0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
	0x7ff4000000000000ull, 0xfff8000000000123ull, 0x0000000000000001ull,
	0x000fffffffffffffull, 0x8000000000000400ull, 0x0010000000000000ull,
	0x7fefffffffffffffull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
	0x3ff0000000000001ull, 0x3fefffffffffffffull, 0x4000000000000000ull,
	0x47efffffe0000000ull, 0x36a0000000000000ull, 0x3810000000000000ull,
	0x3800000000000000ull, 0x3820000000000000ull, 0x47e0000000000000ull,
	0x47d0000000000000ull, 0x3f80000000000000ull,
};

/* A double of one of several shapes; prev (the other operand) for near-cancellation. */
static uint64_t operand(uint64_t prev)
{
	unsigned sign = rnd(2);
	uint64_t v;
	int e;

	switch (rnd(9)) {
	case 0: /* around the fast path's bounds (+-400), or any normal exponent */
		e = rnd(2) ? (int)rnd(820) - 410 : (int)rnd(2046) - 1022;
		return make(sign, e, rnd64());
	case 1: /* moderate */
		return make(sign, (int)rnd(61) - 30, rnd64());
	case 2: /* a few significant bits, spread exponents: exact results and ties */
		e = (int)rnd(141) - 70;
		return make(sign, e, rnd64() & ~(~0ull >> (1 + rnd(14))));
	case 3: /* a single */
		return make(sign, (int)rnd(81) - 40, rnd64() & ~0x1fffffffull);
	case 4: /* a single near the single range limits (-126..127) */
		return make(sign, rnd(2) ? 120 + (int)rnd(12) : -132 + (int)rnd(12),
			    rnd64() & ~0x1fffffffull);
	case 5:
		return specials[rnd(sizeof(specials) / sizeof(specials[0]))] ^ ((uint64_t)sign << 63);
	case 6: /* the other operand's negation, a few ulps apart: cancellation */
		v = (prev ^ D_SIGN) + rnd(5) - 2;
		return rnd(4) ? v : v ^ D_SIGN;
	case 7: /* the other operand scaled by a power of two, a few ulps apart */
		e = (int)((prev >> 52) & 0x7ff) + (int)rnd(120) - 60;
		if (e < 1 || e > 0x7fe)
			e = 1023;
		return ((prev & ~0x7ff0000000000000ull) | (uint64_t)e << 52) + rnd(5) - 2;
	default: /* an exponent-range edge: 2^+-400, 2^+-401 times a random significand */
		e = (rnd(2) ? 1 : -1) * (399 + (int)rnd(3));
		return make(sign, e, rnd(2) ? rnd64() : 0);
	}
}

/* The addend of a multiply-add: often minus the rounded product, a few ulps apart. */
static uint64_t addend(uint64_t a, uint64_t c, unsigned xo, uint64_t prev)
{
	double p = bitsd(a) * bitsd(c);
	uint64_t v;

	if (rnd(3))
		return operand(prev);
	v = dbits(p) + rnd(7) - 3;
	/* fmadd/fnmadd add frB, fmsub/fnmsub subtract it: aim for cancellation in both. */
	if (xo == XO_MADD || xo == XO_NMADD)
		v ^= D_SIGN;
	return v;
}

/*
 * What an FP instruction may change: FPRs, FPSCR, CR. (struct core is
 * megabytes with its TLBs and caches; fpu.c touches nothing else.)
 */
static bool same_fp_state(const struct core *x, const struct core *y)
{
	return !memcmp(x->fpr, y->fpr, sizeof(x->fpr)) && x->fpscr == y->fpscr && x->cr == y->cr;
}

static void copy_fp_state(struct core *to, const struct core *from)
{
	memcpy(to->fpr, from->fpr, sizeof(to->fpr));
	to->fpscr = from->fpscr;
	to->cr = from->cr;
	to->fp_exc_mode = from->fp_exc_mode;
}

struct stats {
	unsigned long taken[NXO][2], declined[NXO][2];
	unsigned long inexact, up, exact;
	unsigned long mismatch, changed_on_decline;
};

static void one_case(struct stats *st, unsigned k, bool single)
{
	static struct core fast, exact;
	unsigned xo = xos[k];
	uint32_t insn = encode(xo, single, rnd(2));
	enum fpu_result rf, re;
	uint64_t a = operand(0), c = operand(a), b;
	uint32_t fpscr0;
	unsigned i;

	b = is_fused(xo) ? addend(a, c, xo, c) : operand(a);
	for (i = 0; i < 32; i++)
		fast.fpr[i] = rnd64();
	fast.fpr[1] = a;
	fast.fpr[2] = b;
	fast.fpr[3] = c;
	/* Any FPSCR (sticky bits, enables); round to nearest three times in four. */
	fast.fpscr = (uint32_t)rnd64();
	if (rnd(4))
		fast.fpscr &= ~3u;
	fast.cr = (uint32_t)rnd64();
	fast.fp_exc_mode = (uint8_t)rnd(4);
	copy_fp_state(&exact, &fast);
	fpscr0 = fast.fpscr;

	if (!fpu_exec_fast(&fast, insn, &rf)) {
		st->declined[k][single]++;
		if (!same_fp_state(&fast, &exact) && st->changed_on_decline++ < 5)
			fprintf(stderr, "decline changed state: insn %08x a %016llx b %016llx c %016llx\n",
				insn, (unsigned long long)a, (unsigned long long)b,
				(unsigned long long)c);
		return;
	}
	st->taken[k][single]++;
	re = fpu_exec_exact(&exact, insn);
	if (exact.fpscr & FI) {
		st->inexact++;
		st->up += !!(exact.fpscr & FR);
	} else {
		st->exact++;
	}
	if (rf != re || !same_fp_state(&fast, &exact)) {
		if (st->mismatch++ < 10)
			fprintf(stderr, "mismatch %s%s fpscr0 %08x a %016llx b %016llx c %016llx: "
				"fast %016llx fpscr %08x cr %08x rc %d, exact %016llx fpscr %08x cr %08x rc %d\n",
				xo_name[k], single ? "s" : "", fpscr0, (unsigned long long)a,
				(unsigned long long)b, (unsigned long long)c,
				(unsigned long long)fast.fpr[0], fast.fpscr, fast.cr, rf,
				(unsigned long long)exact.fpr[0], exact.fpscr, exact.cr, re);
	}
}

/* Hand-picked cases on the edges of the fast path's reasoning. */
struct edge {
	const char *name;
	unsigned xo;
	bool single;
	uint64_t a, b, c; /* frA, frB, frC */
};

static const struct edge edges[] = {
	/* single tie exactly (exact) and just above it (double rounding would break ties-to-even) */
	{ "adds tie", XO_ADD, true, 0x3ff0000000000000ull, 0x3e70000000000000ull, 0 },
	{ "adds above tie", XO_ADD, true, 0x3ff0000000000000ull, 0x3e70000000000001ull, 0 },
	{ "adds below tie", XO_ADD, true, 0x3ff0000000000000ull, 0x3e6fffffffffffffull, 0 },
	{ "fmadd exact cancel", XO_MADD, false, 0x3ff8000000000000ull, 0xc008000000000000ull,
	  0x4000000000000000ull },
	{ "fmadd near cancel", XO_MADD, false, 0x3ff0000000000001ull, 0xbff0000000000002ull,
	  0x3ff0000000000001ull },
	{ "fnmsub near cancel", XO_NMSUB, false, 0x3ff0000000000001ull, 0x3ff0000000000002ull,
	  0x3ff0000000000001ull },
	{ "fmsubs single tie", XO_MSUB, true, 0x3ff0000000000000ull, 0xbe70000000000000ull,
	  0x3ff0000000000000ull },
	{ "div inexact up", XO_DIV, false, 0x3ff0000000000000ull, 0x4024000000000000ull, 0 },
	{ "div inexact down", XO_DIV, false, 0x3ff0000000000000ull, 0x4008000000000000ull, 0 },
	{ "div negative", XO_DIV, false, 0xbff0000000000000ull, 0x4024000000000000ull, 0 },
	{ "sqrt 2", XO_SQRT, false, 0, 0x4000000000000000ull, 0 },
	{ "sqrts 2", XO_SQRT, true, 0, 0x4000000000000000ull, 0 },
	{ "sqrt -0", XO_SQRT, false, 0, D_SIGN, 0 },
	{ "sub x - x", XO_SUB, false, 0x4008000000000000ull, 0x4008000000000000ull, 0 },
	{ "add -0 + -0", XO_ADD, false, D_SIGN, D_SIGN, 0 },
	{ "nmadd zero", XO_NMADD, false, 0x3ff0000000000000ull, 0xbff0000000000000ull,
	  0x3ff0000000000000ull },
	{ "frsp max single", XO_FRSP, true, 0, 0x47efffffe0000000ull, 0 },
	{ "frsp rounds to 2^128", XO_FRSP, true, 0, 0x47efffffffffffffull, 0 },
	{ "frsp min normal single", XO_FRSP, true, 0, 0x3810000000000000ull, 0 },
	{ "muls near 2^-126", XO_MUL, true, 0x3820000000000001ull, 0, 0x3fe0000000000000ull },
};

static bool edge_case(const struct edge *e, uint32_t fpscr)
{
	static struct core fast, exact;
	uint32_t insn = encode(e->xo, e->single, 1);
	enum fpu_result rf, re;
	bool took;

	memset(fast.fpr, 0, sizeof(fast.fpr));
	fast.fpr[1] = e->a;
	fast.fpr[2] = e->b;
	fast.fpr[3] = e->c;
	fast.fpscr = fpscr;
	fast.cr = 0;
	copy_fp_state(&exact, &fast);
	took = fpu_exec_fast(&fast, insn, &rf);
	re = fpu_exec_exact(&exact, insn);
	if (!took)
		return true; /* declined: fpu_exec() uses the exact path (checked unchanged above) */
	if (rf != re || !same_fp_state(&fast, &exact)) {
		fprintf(stderr, "edge %s fpscr %08x: fast %016llx %08x, exact %016llx %08x\n", e->name,
			fpscr, (unsigned long long)fast.fpr[0], fast.fpscr,
			(unsigned long long)exact.fpr[0], exact.fpscr);
		return false;
	}
	return true;
}

/* Usage: test_fpu_fast [ROUNDS] (default 200000 rounds of every form; more for a long soak). */
int main(int argc, char **argv)
{
	static struct stats st;
	static const uint32_t edge_fpscr[] = { 0, 0x02000000u, 0x000000f8u, 0x82020008u };
	bool have_fast = __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx");
	unsigned k, s, i, n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 200000;
	bool ok;

	for (i = 0; i < n; i++)
		for (k = 0; k < NXO; k++)
			for (s = 0; s < 2; s++)
				if (xos[k] != XO_FRSP || s)
					one_case(&st, k, s);

	report(st.changed_on_decline == 0, "a declined instruction changes nothing");
	if (!have_fast) {
		unsigned long taken = 0;

		for (k = 0; k < NXO; k++)
			taken += st.taken[k][0] + st.taken[k][1];
		/* Nothing else to compare: the host has no FMA, every instruction is exact-path. */
		report(taken == 0, "no fast path without host FMA");
		printf("%u passed, %u failed\n", passed, failed);
		return failed ? 1 : 0;
	}
	printf("fast path took %lu inexact (%lu rounded up) and %lu exact results\n",
	       st.inexact, st.up, st.exact);
	report(st.mismatch == 0, "fast == exact on random and edge operands");
	for (k = 0; k < NXO; k++) {
		for (s = 0; s < 2; s++) {
			char name[64];

			if (xos[k] == XO_FRSP && !s)
				continue;
			printf("  f%s%s: %lu fast, %lu declined\n", xo_name[k], s ? "s" : "",
			       st.taken[k][s], st.declined[k][s]);
			/* Each form really exercised both ways: a test that can fail. */
			snprintf(name, sizeof(name), "f%s%s taken and declined", xo_name[k], s ? "s" : "");
			report(st.taken[k][s] > n / 10 && st.declined[k][s] > n / 20, name);
		}
	}
	report(st.inexact > n && st.up > n / 4 && st.exact > n / 4,
	       "inexact, rounded-up and exact results all seen");

	ok = true;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		for (s = 0; s < sizeof(edge_fpscr) / sizeof(edge_fpscr[0]); s++)
			ok &= edge_case(&edges[i], edge_fpscr[s]);
	report(ok, "edge cases");

	/* A host SSE unit not rounding to nearest: the fast path must notice and decline. */
	ok = true;
	for (s = 0; s < 3; s++) {
		static const int modes[3] = { FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD };
		static struct core c;
		enum fpu_result r;

		c.fpscr = 0;
		c.fpr[1] = 0x3ff0000000000000ull;
		c.fpr[2] = 0x4024000000000000ull;
		fesetround(modes[s]);
		ok &= !fpu_exec_fast(&c, encode(XO_DIV, false, 0), &r);
		fesetround(FE_TONEAREST);
		ok &= fpu_exec_fast(&c, encode(XO_DIV, false, 0), &r);
	}
	report(ok, "declined while the host rounds otherwise");

	/* The same edges through fpu_exec(): what the interpreter calls. */
	ok = true;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		static struct core via, ref;
		uint32_t insn = encode(edges[i].xo, edges[i].single, 0);

		via.fpr[1] = edges[i].a;
		via.fpr[2] = edges[i].b;
		via.fpr[3] = edges[i].c;
		copy_fp_state(&ref, &via);
		ok &= fpu_exec(&via, insn) == fpu_exec_exact(&ref, insn) &&
		      same_fp_state(&via, &ref);
	}
	report(ok, "fpu_exec == exact path on the edges");

	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
