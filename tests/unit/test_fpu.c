/* SPDX-License-Identifier: MIT */
/* test_fpu.c - unit tests of the FPU: every instruction, FPSCR bits, NaNs, rounding. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/fpu.h"

static unsigned checks, failures;
static struct core cpu;

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		checks++;                                                 \
		if (!(cond)) {                                            \
			failures++;                                       \
			fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__,     \
				__LINE__, #cond);                         \
			fprintf(stderr, __VA_ARGS__);                     \
			fprintf(stderr, "\n");                            \
		}                                                         \
	} while (0)

#define EQ64(got, want) CHECK((got) == (want), "got %016llx want %016llx", \
			      (unsigned long long)(got), (unsigned long long)(want))
#define EQ32(got, want) CHECK((got) == (want), "got %08x want %08x", \
			      (unsigned)(got), (unsigned)(want))

/* FPSCR bits, Power ISA Book I, "Floating-Point Status and Control Register". */
#define FX      0x80000000u
#define FEX     0x40000000u
#define VX      0x20000000u
#define OX      0x10000000u
#define UX      0x08000000u
#define ZX      0x04000000u
#define XX      0x02000000u
#define VXSNAN  0x01000000u
#define VXISI   0x00800000u
#define VXIDI   0x00400000u
#define VXZDZ   0x00200000u
#define VXIMZ   0x00100000u
#define VXVC    0x00080000u
#define FR      0x00040000u
#define FI      0x00020000u
#define VXSOFT  0x00000400u
#define VXSQRT  0x00000200u
#define VXCVI   0x00000100u
#define VE      0x80u
#define OE      0x40u
#define UE      0x20u
#define ZE      0x10u
#define XE      0x08u
#define FPRF(x) ((uint32_t)(x) << 12)
#define P_NORM  FPRF(0x04)
#define N_NORM  FPRF(0x08)
#define P_ZERO  FPRF(0x02)
#define N_ZERO  FPRF(0x12)
#define P_DEN   FPRF(0x14)
#define N_DEN   FPRF(0x18)
#define P_INF   FPRF(0x05)
#define N_INF   FPRF(0x09)
#define QNAN    FPRF(0x11)

#define DNAN    0x7ff8000000000000ull
#define PINF    0x7ff0000000000000ull
#define NINF    0xfff0000000000000ull
#define ONE     0x3ff0000000000000ull
#define TWO     0x4000000000000000ull
#define THREE   0x4008000000000000ull
#define MAXD    0x7fefffffffffffffull
#define MIND    0x0010000000000000ull
#define SNAN1   0x7ff0000000000123ull
#define QNAN1   0x7ff8000000000456ull
#define QNAN2   0xfff8000000000789ull

/* Instruction encodings (Book I appendix: A-form and X-form). */
static uint32_t a_form(unsigned op, unsigned xo, unsigned d, unsigned a, unsigned b,
		       unsigned c, unsigned rc)
{
	return op << 26 | d << 21 | a << 16 | b << 11 | c << 6 | xo << 1 | rc;
}

static uint32_t x_form(unsigned xo, unsigned d, unsigned a, unsigned b, unsigned rc)
{
	return 63u << 26 | d << 21 | a << 16 | b << 11 | xo << 1 | rc;
}

enum { XO_DIV = 18, XO_SUB = 20, XO_ADD = 21, XO_SQRT = 22, XO_SEL = 23, XO_RES = 24,
       XO_MUL = 25, XO_RSQRTE = 26, XO_MSUB = 28, XO_MADD = 29, XO_NMSUB = 30,
       XO_NMADD = 31 };

static uint64_t dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static double bitsd(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static void reset(uint32_t fpscr)
{
	memset(&cpu, 0, sizeof(cpu));
	cpu.fpscr = fpscr;
	cpu.fp_enabled = true;
	cpu.fpr[0] = 0x1234567812345678ull;
}

/* frD=0 <- op(frA=1, frB=2, frC=3). */
static enum fpu_result op3(unsigned opcd, unsigned xo, uint64_t a, uint64_t b, uint64_t c,
			   uint32_t fpscr)
{
	reset(fpscr);
	cpu.fpr[1] = a;
	cpu.fpr[2] = b;
	cpu.fpr[3] = c;
	return fpu_exec(&cpu, a_form(opcd, xo, 0, 1, xo == XO_MUL ? 0 : 2,
				     (xo == XO_MUL || xo >= XO_MSUB || xo == XO_SEL) ? 3 : 0, 0));
}

/* Two-operand double op: frA op frB (fmul uses frC). */
static uint64_t dop(unsigned xo, uint64_t a, uint64_t b, uint32_t fpscr)
{
	if (xo == XO_MUL)
		op3(63, xo, a, 0, b, fpscr);
	else
		op3(63, xo, a, b, 0, fpscr);
	return cpu.fpr[0];
}

static uint64_t sop(unsigned xo, uint64_t a, uint64_t b, uint32_t fpscr)
{
	if (xo == XO_MUL)
		op3(59, xo, a, 0, b, fpscr);
	else
		op3(59, xo, a, b, 0, fpscr);
	return cpu.fpr[0];
}

static uint64_t unary(unsigned opcd, unsigned xo, uint64_t b, uint32_t fpscr)
{
	reset(fpscr);
	cpu.fpr[2] = b;
	fpu_exec(&cpu, a_form(opcd, xo, 0, 0, 2, 0, 0));
	return cpu.fpr[0];
}

static uint64_t xop(unsigned xo, uint64_t b, uint32_t fpscr, unsigned rc)
{
	reset(fpscr);
	cpu.fpr[2] = b;
	fpu_exec(&cpu, x_form(xo, 0, 0, 2, rc));
	return cpu.fpr[0];
}

static void test_basic(void)
{
	EQ64(dop(XO_ADD, ONE, TWO, 0), THREE);
	EQ32(cpu.fpscr, P_NORM);
	EQ64(dop(XO_SUB, ONE, THREE, 0), 0xc000000000000000ull);
	EQ32(cpu.fpscr, N_NORM);
	EQ64(dop(XO_MUL, THREE, TWO, 0), dbits(6.0));
	EQ64(dop(XO_DIV, ONE, THREE, 0), dbits(1.0 / 3.0));
	EQ32(cpu.fpscr, P_NORM | FX | XX | FI);   /* 1/3 rounds down in RN */
	EQ64(dop(XO_DIV, ONE, dbits(10.0), 0), dbits(0.1));
	EQ32(cpu.fpscr, P_NORM | FX | XX | FI | FR); /* 1/10 rounds up */
	EQ64(unary(63, XO_SQRT, dbits(16.0), 0), dbits(4.0));
	EQ64(unary(63, XO_SQRT, dbits(2.0), 0), dbits(sqrt(2.0)));
	EQ64(unary(63, XO_SQRT, 0x8000000000000000ull, 0), 0x8000000000000000ull);
	EQ32(cpu.fpscr, N_ZERO);
	EQ64(op3(63, XO_MADD, TWO, ONE, THREE, 0) == FPU_OK ? cpu.fpr[0] : 0, dbits(7.0));
	op3(63, XO_MSUB, TWO, ONE, THREE, 0);
	EQ64(cpu.fpr[0], dbits(5.0));
	op3(63, XO_NMADD, TWO, ONE, THREE, 0);
	EQ64(cpu.fpr[0], dbits(-7.0));
	EQ32(cpu.fpscr, N_NORM);
	op3(63, XO_NMSUB, TWO, ONE, THREE, 0);
	EQ64(cpu.fpr[0], dbits(-5.0));
	/*
	 * fnmsub is fmsub rounded, then negated (Book I, "Floating Negative Multiply-Subtract"): in RM,
	 * (1+u)(1+3u) - (u+u^2) = 1+3u+2u^2 rounds down to 1+3u, then -(1+3u).
	 */
	op3(63, XO_NMSUB, 0x3ff0000000000001ull, 0x3cb0000000000001ull,
	    0x3ff0000000000003ull, 3);
	EQ64(cpu.fpr[0], 0xbff0000000000003ull);
	EQ32(cpu.fpscr, FX | XX | FI | N_NORM | 3);
	EQ64(sop(XO_ADD, ONE, TWO, 0), THREE);
	EQ64(sop(XO_DIV, ONE, THREE, 0), dbits((double)(1.0f / 3.0f)));
	EQ64(unary(59, XO_SQRT, dbits(2.0), 0), dbits((double)sqrtf(2.0f)));
	EQ64(unary(59, XO_RES, dbits(3.0), 0), dbits((double)(1.0f / 3.0f)));
	EQ64(unary(63, XO_RSQRTE, dbits(4.0), 0), dbits(0.5));
	EQ64(unary(63, XO_RSQRTE, PINF, 0), 0);
	/* x - x is +0, or -0 when rounding toward -inf. */
	EQ64(dop(XO_SUB, THREE, THREE, 0), 0);
	EQ32(cpu.fpscr, P_ZERO);
	EQ64(dop(XO_SUB, THREE, THREE, 3), 0x8000000000000000ull);
	EQ64(dop(XO_ADD, 0x8000000000000000ull, 0x8000000000000000ull, 0), 0x8000000000000000ull);
	op3(63, XO_NMSUB, ONE, ONE, ONE, 0); /* -(1*1 - 1) = -0 */
	EQ64(cpu.fpr[0], 0x8000000000000000ull);
	/* Infinities. */
	EQ64(dop(XO_ADD, PINF, ONE, 0), PINF);
	EQ32(cpu.fpscr, P_INF);
	EQ64(dop(XO_DIV, ONE, NINF, 0), 0x8000000000000000ull);
	EQ64(dop(XO_MUL, NINF, TWO, 0), NINF);
	EQ32(cpu.fpscr, N_INF);
}

static void test_rounding_modes(void)
{
	/* (1 + ulp) + 1.75 ulp = 1 + 2.75 ulp: inexact, above the midpoint. */
	uint64_t small = 0x3cbc000000000000ull;
	static const uint64_t want[4] = {
		0x3ff0000000000003ull, 0x3ff0000000000002ull,
		0x3ff0000000000003ull, 0x3ff0000000000002ull,
	};
	static const uint32_t fr[4] = { FR, 0, FR, 0 };
	unsigned rn;

	for (rn = 0; rn < 4; rn++) {
		EQ64(dop(XO_ADD, 0x3ff0000000000001ull, small, rn), want[rn]);
		EQ32(cpu.fpscr & (FR | FI | XX | FX), fr[rn] | FI | XX | FX);
	}
	/* Negative: -1 - small. */
	for (rn = 0; rn < 4; rn++) {
		static const uint64_t wn[4] = {
			0xbff0000000000003ull, 0xbff0000000000002ull,
			0xbff0000000000002ull, 0xbff0000000000003ull,
		};
		EQ64(dop(XO_SUB, 0xbff0000000000001ull, small, rn), wn[rn]);
		EQ32(cpu.fpscr & FR, (rn == 0 || rn == 3) ? FR : 0);
	}
	/* Ties to even: 1 + 2^-53 stays 1; 1+ulp + 2^-53 goes up. */
	EQ64(dop(XO_ADD, ONE, 0x3ca0000000000000ull, 0), ONE);
	EQ32(cpu.fpscr & (FR | FI), FI);
	EQ64(dop(XO_ADD, 0x3ff0000000000001ull, 0x3ca0000000000000ull, 0), 0x3ff0000000000002ull);
	/* Single rounding of 1/3 in every mode. */
	EQ64(sop(XO_DIV, ONE, THREE, 1), fpu_single_to_double(0x3eaaaaaa));
	EQ64(sop(XO_DIV, ONE, THREE, 2), fpu_single_to_double(0x3eaaaaab));
	EQ64(sop(XO_DIV, ONE, THREE, 3), fpu_single_to_double(0x3eaaaaaa));
	EQ64(sop(XO_DIV, ONE, THREE, 0), fpu_single_to_double(0x3eaaaaab));
	EQ32(cpu.fpscr & (FR | FI), FR | FI);
}

/* Reference: host SSE double in the same rounding mode. */
static const int host_modes[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD };

static double ref_op(unsigned xo, double a, double b, double c)
{
	volatile double va = a, vb = b, vc = c, r;

	switch (xo) {
	case XO_ADD: r = va + vb; break;
	case XO_SUB: r = va - vb; break;
	case XO_MUL: r = va * vb; break;
	case XO_DIV: r = va / vb; break;
	case XO_SQRT: r = sqrt(va); break;
	case XO_MADD: r = fma(va, vc, vb); break;
	default: r = fma(va, vc, -vb); break;
	}
	return r;
}

/* Single reference: round to odd in double (RZ + sticky), then to float. */
static float ref_single(unsigned xo, double a, double b, double c, int mode)
{
	volatile double r;
	volatile float s;
	uint64_t u;

	fesetround(FE_TOWARDZERO);
	feclearexcept(FE_ALL_EXCEPT);
	r = ref_op(xo, a, b, c);
	if (fetestexcept(FE_INEXACT)) {
		u = dbits(r) | 1;
		r = bitsd(u);
	}
	fesetround(mode);
	s = (float)r;
	fesetround(FE_TONEAREST);
	return s;
}

static uint64_t lcg = 0x123456789abcdefull;

static uint64_t rnd64(void)
{
	lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
	return lcg;
}

/* A random finite double with a moderate exponent, or a denormal now and then. */
static uint64_t rnd_double(void)
{
	uint64_t r = rnd64();
	uint64_t exp = 1023 - 40 + (rnd64() >> 58);

	if ((r & 0xf) == 0)
		exp = 0; /* denormal */
	return (r & 0x800fffffffffffffull) | exp << 52;
}

static void test_random_vs_host(void)
{
	static const unsigned xos[] = { XO_ADD, XO_SUB, XO_MUL, XO_DIV, XO_SQRT, XO_MADD, XO_MSUB };
	unsigned i, k, rn, bad = 0, bads = 0;

	for (i = 0; i < 3000; i++) {
		uint64_t a = rnd_double(), b = rnd_double(), c = rnd_double();

		for (k = 0; k < sizeof(xos) / sizeof(xos[0]); k++) {
			unsigned xo = xos[k];

			if (xo == XO_SQRT)
				a &= ~0x8000000000000000ull, b = a;
			for (rn = 0; rn < 4; rn++) {
				volatile double want;
				uint64_t got;
				int inexact;
				float ws;

				fesetround(host_modes[rn]);
				feclearexcept(FE_ALL_EXCEPT);
				want = ref_op(xo, bitsd(a), bitsd(b), bitsd(c));
				inexact = fetestexcept(FE_INEXACT) != 0;
				fesetround(FE_TONEAREST);
				if (xo == XO_SQRT) {
					got = unary(63, xo, b, rn);
				} else if (xo == XO_MUL) {
					got = dop(xo, a, c, rn);
					want = ref_op(xo, bitsd(a), bitsd(c), 0);
					fesetround(host_modes[rn]);
					feclearexcept(FE_ALL_EXCEPT);
					want = ref_op(xo, bitsd(a), bitsd(c), 0);
					inexact = fetestexcept(FE_INEXACT) != 0;
					fesetround(FE_TONEAREST);
				} else {
					op3(63, xo, a, b, c, rn);
					got = cpu.fpr[0];
				}
				if (got != dbits(want) || !!(cpu.fpscr & FI) != inexact) {
					if (bad++ < 5)
						fprintf(stderr, "xo %u rn %u a %016llx b %016llx c %016llx: got %016llx want %016llx\n",
							xo, rn, (unsigned long long)a, (unsigned long long)b,
							(unsigned long long)c, (unsigned long long)got,
							(unsigned long long)dbits(want));
				}
				/* Single forms. */
				if (xo == XO_SQRT) {
					got = unary(59, xo, b, rn);
					ws = ref_single(xo, bitsd(b), 0, 0, host_modes[rn]);
				} else if (xo == XO_MUL) {
					got = sop(xo, a, c, rn);
					ws = ref_single(xo, bitsd(a), bitsd(c), 0, host_modes[rn]);
				} else {
					op3(59, xo, a, b, c, rn);
					got = cpu.fpr[0];
					ws = ref_single(xo, bitsd(a), bitsd(b), bitsd(c), host_modes[rn]);
				}
				if (got != dbits((double)ws)) {
					if (bads++ < 5)
						fprintf(stderr, "single xo %u rn %u a %016llx b %016llx c %016llx: got %016llx want %016llx\n",
							xo, rn, (unsigned long long)a, (unsigned long long)b,
							(unsigned long long)c, (unsigned long long)got,
							(unsigned long long)dbits((double)ws));
				}
			}
		}
	}
	CHECK(bad == 0, "%u double mismatches against the host", bad);
	CHECK(bads == 0, "%u single mismatches against round-to-odd reference", bads);
}

static void test_fmadds_single_rounding(void)
{
	/*
	 * a*c + b = 1 + 2^-24 + 2^-60: rounding the fma to double first gives
	 * 1 + 2^-24 (a tie that rounds to even 1.0 in single); one rounding
	 * sees the 2^-60 and goes up to 1 + 2^-23.
	 */
	/* a*c = 2^-30 + 2^-60; b = 1 + 2^-24 - 2^-30. */
	uint64_t a = dbits(1.0 + 0x1p-30), c = dbits(0x1p-30), b = dbits(1.0 + 0x1p-24 - 0x1p-30);

	op3(59, XO_MADD, a, b, c, 0);
	EQ64(cpu.fpr[0], fpu_single_to_double(0x3f800001));
	EQ32(cpu.fpscr & (FR | FI | XX), FR | FI | XX);
	/* fmadd (double) of the same is 1 + 2^-24 + 2^-60 rounded to double. */
	op3(63, XO_MADD, a, b, c, 0);
	EQ64(cpu.fpr[0], dbits(1.0 + 0x1p-24));
	/* fadds of 1 + 2^-24 + 2^-53*... exact double sum that is a single tie. */
	EQ64(sop(XO_ADD, ONE, dbits(0x1p-24), 0), ONE);
	EQ64(sop(XO_ADD, ONE, dbits(0x1p-24 + 0x1p-50), 0), fpu_single_to_double(0x3f800001));
}

static void test_nans(void)
{
	/* QNaN propagation: first NaN of frA, frB (add). */
	EQ64(dop(XO_ADD, QNAN1, QNAN2, 0), QNAN1);
	EQ32(cpu.fpscr, QNAN);
	EQ64(dop(XO_ADD, ONE, QNAN2, 0), QNAN2);
	/* SNaN is quieted, VXSNAN VX FX. */
	EQ64(dop(XO_ADD, ONE, SNAN1, 0), SNAN1 | 0x0008000000000000ull);
	EQ32(cpu.fpscr, FX | VX | VXSNAN | QNAN);
	/* fmul uses frA, frC. */
	EQ64(dop(XO_MUL, ONE, QNAN2, 0), QNAN2);
	/* Multiply-add order: frA, frB, frC. */
	op3(63, XO_MADD, ONE, QNAN1, QNAN2, 0);
	EQ64(cpu.fpr[0], QNAN1);
	op3(63, XO_MADD, QNAN2, QNAN1, ONE, 0);
	EQ64(cpu.fpr[0], QNAN2);
	op3(63, XO_MADD, ONE, ONE, QNAN2, 0);
	EQ64(cpu.fpr[0], QNAN2);
	op3(63, XO_MADD, ONE, QNAN1, SNAN1, 0);
	EQ64(cpu.fpr[0], QNAN1);
	EQ32(cpu.fpscr & (VXSNAN | VX), VXSNAN | VX);
	/* fnmadd does not change a NaN's sign. */
	op3(63, XO_NMADD, ONE, QNAN1, ONE, 0);
	EQ64(cpu.fpr[0], QNAN1);
	/* 0 x inf + QNaN: VXIMZ and the QNaN. */
	op3(63, XO_MADD, PINF, QNAN1, 0, 0);
	EQ64(cpu.fpr[0], QNAN1);
	EQ32(cpu.fpscr & (VXIMZ | VX), VXIMZ | VX);
	/* Single result of a NaN keeps the top fraction bits only. */
	EQ64(sop(XO_ADD, 0x7ff123456789abcdull, ONE, 0), 0x7ff9234560000000ull);
	EQ64(xop(12, 0xfff0000020000000ull, 0, 0), 0xfff8000020000000ull); /* frsp SNaN */
	EQ32(cpu.fpscr, FX | VX | VXSNAN | QNAN);
	/* Invalid operations: default QNaN. */
	EQ64(dop(XO_SUB, PINF, PINF, 0), DNAN);
	EQ32(cpu.fpscr, FX | VX | VXISI | QNAN);
	EQ64(dop(XO_ADD, PINF, NINF, 0), DNAN);
	EQ64(dop(XO_ADD, PINF, PINF, 0), PINF);
	EQ64(dop(XO_DIV, 0, 0x8000000000000000ull, 0), DNAN);
	EQ32(cpu.fpscr, FX | VX | VXZDZ | QNAN);
	EQ64(dop(XO_DIV, PINF, NINF, 0), DNAN);
	EQ32(cpu.fpscr, FX | VX | VXIDI | QNAN);
	EQ64(dop(XO_MUL, 0, NINF, 0), DNAN);
	EQ32(cpu.fpscr, FX | VX | VXIMZ | QNAN);
	EQ64(unary(63, XO_SQRT, dbits(-4.0), 0), DNAN);
	EQ32(cpu.fpscr, FX | VX | VXSQRT | QNAN);
	EQ64(unary(63, XO_SQRT, NINF, 0), DNAN);
	EQ64(unary(63, XO_RSQRTE, dbits(-1.0), 0), DNAN);
	EQ32(cpu.fpscr, FX | VX | VXSQRT | QNAN);
	op3(63, XO_MSUB, PINF, PINF, ONE, 0);
	EQ64(cpu.fpr[0], DNAN);
	EQ32(cpu.fpscr, FX | VX | VXISI | QNAN);
	op3(63, XO_MADD, NINF, PINF, ONE, 0);
	EQ64(cpu.fpr[0], DNAN);
	op3(63, XO_MADD, PINF, PINF, ONE, 0);
	EQ64(cpu.fpr[0], PINF);
	EQ64(sop(XO_SUB, PINF, PINF, 0), DNAN);
	/* FX only on a 0->1 transition; VX stays. */
	dop(XO_SUB, PINF, PINF, VX | VXISI);
	EQ32(cpu.fpscr & FX, 0);
}

static void test_zero_divide(void)
{
	EQ64(dop(XO_DIV, ONE, 0x8000000000000000ull, 0), NINF);
	EQ32(cpu.fpscr, FX | ZX | N_INF);
	EQ64(unary(59, XO_RES, 0, 0), PINF);
	EQ32(cpu.fpscr, FX | ZX | P_INF);
	EQ64(unary(63, XO_RSQRTE, 0x8000000000000000ull, 0), NINF);
	EQ32(cpu.fpscr, FX | ZX | N_INF);
	EQ64(dop(XO_DIV, PINF, 0, 0), PINF);
	EQ32(cpu.fpscr, P_INF);
	/* Enabled: target unchanged, FEX, program interrupt when MSR[FE] allow it. */
	reset(ZE);
	cpu.fp_exc_mode = 3;
	cpu.fpr[1] = ONE;
	cpu.fpr[2] = 0;
	EQ32(fpu_exec(&cpu, a_form(63, XO_DIV, 0, 1, 2, 0, 1)), FPU_PROGRAM);
	EQ64(cpu.fpr[0], 0x1234567812345678ull);
	EQ32(cpu.fpscr, FX | FEX | ZX | ZE);
	EQ32(cpu.cr, 0x0c000000u);
}

static void test_over_underflow(void)
{
	/* Overflow: RN -> inf, RZ -> max, RP/RM by sign. */
	EQ64(dop(XO_MUL, MAXD, TWO, 0), PINF);
	EQ32(cpu.fpscr, FX | OX | XX | FI | P_INF);
	EQ64(dop(XO_MUL, MAXD, TWO, 1), MAXD);
	EQ32(cpu.fpscr, FX | OX | XX | FI | P_NORM | 1);
	EQ64(dop(XO_MUL, MAXD, dbits(-2.0), 2), MAXD | 0x8000000000000000ull);
	EQ64(dop(XO_MUL, MAXD, dbits(-2.0), 3), NINF);
	/* Single overflow. */
	EQ64(sop(XO_MUL, dbits(0x1p100), dbits(0x1p100), 0), PINF);
	EQ64(sop(XO_MUL, dbits(0x1p100), dbits(0x1p100), 1), fpu_single_to_double(0x7f7fffff));
	/* OE=1: exponent adjusted by 1536, target written, program interrupt. */
	reset(OE);
	cpu.fp_exc_mode = 1;
	cpu.fpr[1] = MAXD;
	cpu.fpr[3] = TWO;
	EQ32(fpu_exec(&cpu, a_form(63, XO_MUL, 0, 1, 0, 3, 0)), FPU_PROGRAM);
	EQ64(cpu.fpr[0], dbits(0x1.fffffffffffffp-512));
	EQ32(cpu.fpscr, FX | FEX | OX | OE | P_NORM);
	/* Single OE: adjust by 192. */
	EQ64(sop(XO_MUL, dbits(0x1p100), dbits(0x1p100), OE), dbits(0x1p8));
	/* Underflow, exact denormal: no UX when UE=0. */
	EQ64(dop(XO_MUL, MIND, dbits(0.5), 0), 0x0008000000000000ull);
	EQ32(cpu.fpscr, P_DEN);
	/* Inexact denormal: UX XX FI. */
	EQ64(dop(XO_MUL, 0x0010000000000001ull, dbits(0.5), 0), 0x0008000000000000ull);
	EQ32(cpu.fpscr, FX | UX | XX | FI | P_DEN);
	EQ64(dop(XO_MUL, 0x0010000000000001ull, dbits(0.5), 2), 0x0008000000000001ull);
	EQ32(cpu.fpscr, FX | UX | XX | FI | FR | P_DEN | 2);
	/* Denormal inputs are exact. */
	EQ64(dop(XO_ADD, 1, 1, 0), 2);
	EQ64(dop(XO_MUL, 1, dbits(0x1p52), 0), MIND);
	EQ32(cpu.fpscr, P_NORM);
	/* Tiny before rounding, rounds up to the smallest normal: still UX. */
	EQ64(dop(XO_MUL, 0x000fffffffffffffull, dbits(1.0 + 0x1p-52), 0), MIND);
	EQ32(cpu.fpscr, FX | UX | XX | FI | FR | P_NORM);
	/* Underflow to zero. */
	EQ64(dop(XO_MUL, 1, dbits(0.25), 0), 0);
	EQ32(cpu.fpscr, FX | UX | XX | FI | P_ZERO);
	EQ64(dop(XO_MUL, 1, dbits(-0.25), 3), 0x8000000000000001ull);
	EQ32(cpu.fpscr, FX | UX | XX | FI | FR | N_DEN | 3);
	/* UE=1, exact tiny result: UX, result scaled by 2^1536. */
	EQ64(dop(XO_MUL, MIND, dbits(0.5), UE), dbits(0x1p513));
	EQ32(cpu.fpscr, FX | FEX | UX | UE | P_NORM);
	/* Single denormal result. */
	EQ64(sop(XO_MUL, dbits(0x1p-130), ONE, 0), fpu_single_to_double(0x00080000));
	EQ32(cpu.fpscr, P_NORM); /* a single denormal is a double normal */
	EQ64(sop(XO_MUL, dbits(0x1p-130 * 1.00001), ONE, 0), fpu_single_to_double(0x00080005));
	EQ32(cpu.fpscr & (UX | XX), UX | XX);
	/* frsp rounding. */
	EQ64(xop(12, dbits(1.0 + 0x1p-24 + 0x1p-40), 0, 0), fpu_single_to_double(0x3f800001));
	EQ32(cpu.fpscr, FX | XX | FI | FR | P_NORM);
	EQ64(xop(12, dbits(1e300), 0, 0), PINF);
	EQ32(cpu.fpscr & (OX | XX), OX | XX);
}

static void test_enabled_invalid(void)
{
	/* VE=1: target unchanged, FR FI FPRF unchanged, FEX, FPU_PROGRAM only with fp_exc_mode. */
	reset(VE | FR | FI | P_NORM);
	cpu.fpr[1] = PINF;
	cpu.fpr[2] = PINF;
	EQ32(fpu_exec(&cpu, a_form(63, XO_SUB, 0, 1, 2, 0, 0)), FPU_OK);
	EQ64(cpu.fpr[0], 0x1234567812345678ull);
	EQ32(cpu.fpscr, FX | FEX | VX | VXISI | VE | FR | FI | P_NORM);
	reset(VE);
	cpu.fp_exc_mode = 2;
	cpu.fpr[1] = SNAN1;
	cpu.fpr[2] = ONE;
	EQ32(fpu_exec(&cpu, a_form(63, XO_ADD, 0, 1, 2, 0, 1)), FPU_PROGRAM);
	EQ64(cpu.fpr[0], 0x1234567812345678ull);
	EQ32(cpu.cr, 0x0e000000u);
	/* QNaN operand with VE=1 is no exception. */
	reset(VE);
	cpu.fp_exc_mode = 2;
	cpu.fpr[1] = QNAN1;
	EQ32(fpu_exec(&cpu, a_form(63, XO_ADD, 0, 1, 2, 0, 0)), FPU_OK);
	EQ64(cpu.fpr[0], QNAN1);
	/* XE: result written, program interrupt. */
	reset(XE);
	cpu.fp_exc_mode = 1;
	cpu.fpr[1] = ONE;
	cpu.fpr[2] = THREE;
	EQ32(fpu_exec(&cpu, a_form(63, XO_DIV, 0, 1, 2, 0, 0)), FPU_PROGRAM);
	EQ64(cpu.fpr[0], dbits(1.0 / 3.0));
	EQ32(cpu.fpscr, FX | FEX | XX | FI | XE | P_NORM);
}

static void test_convert(void)
{
	EQ64(xop(14, dbits(2.5), 0, 0), 2);
	EQ32(cpu.fpscr, FX | XX | FI);
	EQ64(xop(14, dbits(3.5), 0, 0), 4);
	EQ32(cpu.fpscr, FX | XX | FI | FR);
	EQ64(xop(14, dbits(-2.5), 2, 0), 0xfffffffffffffffeull);
	EQ64(xop(14, dbits(-2.5), 3, 0), 0xfffffffffffffffdull);
	EQ32(cpu.fpscr, FX | XX | FI | FR | 3);
	EQ64(xop(15, dbits(-2.9), 0, 0), 0xfffffffffffffffeull);
	EQ64(xop(14, dbits(0.4), 2, 0), 1);
	EQ64(xop(14, dbits(0.4), 0, 0), 0);
	EQ64(xop(14, dbits(-0.0), 0, 0), 0);
	EQ32(cpu.fpscr, 0);
	EQ64(xop(14, dbits(2147483647.0), 0, 0), 0x7fffffff);
	EQ64(xop(14, dbits(-2147483648.0), 0, 0), 0xffffffff80000000ull);
	EQ32(cpu.fpscr, 0);
	/* Saturation and VXCVI (FR FI cleared, XX not set). */
	EQ64(xop(14, dbits(2147483647.5), 0, 0), 0x7fffffff);
	EQ32(cpu.fpscr, FX | VX | VXCVI | QNAN);
	EQ64(xop(15, dbits(2147483647.5), 0, 0), 0x7fffffff);
	EQ32(cpu.fpscr, FX | XX | FI);
	EQ64(xop(14, dbits(-2147483649.0), 0, 0), 0xffffffff80000000ull);
	EQ32(cpu.fpscr, FX | VX | VXCVI | QNAN);
	EQ64(xop(14, dbits(1e300), 0, 0), 0x7fffffff);
	EQ64(xop(14, NINF, 0, 0), 0xffffffff80000000ull);
	EQ64(xop(14, QNAN1, 0, 0), 0x80000000ull);
	EQ32(cpu.fpscr, FX | VX | VXCVI | QNAN);
	EQ64(xop(14, SNAN1, 0, 0), 0x80000000ull);
	EQ32(cpu.fpscr, FX | VX | VXCVI | VXSNAN | QNAN);
	/* A valid conversion leaves FPRF alone. */
	EQ64(xop(14, dbits(-7.0), N_NORM, 0), 0xfffffffffffffff9ull);
	EQ32(cpu.fpscr, N_NORM);
	/* VE=1: unchanged. */
	EQ64(xop(14, QNAN1, VE, 0), 0x1234567812345678ull);
}

static void test_compare(void)
{
	static const struct { uint64_t a, b; uint32_t cc; } t[] = {
		{ ONE, TWO, 8 }, { TWO, ONE, 4 }, { 0, 0x8000000000000000ull, 2 },
		{ NINF, PINF, 8 }, { QNAN1, ONE, 1 },
	};
	unsigned i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		reset(FR);
		cpu.fpr[1] = t[i].a;
		cpu.fpr[2] = t[i].b;
		cpu.cr = 0xffffffffu;
		EQ32(fpu_exec(&cpu, x_form(0, 3 << 2, 1, 2, 0)), FPU_OK); /* fcmpu cr3 */
		EQ32(cpu.cr, 0xfff0ffffu | t[i].cc << 16);
		EQ32(cpu.fpscr, FR | FPRF(t[i].cc));
	}
	/* fcmpo with a QNaN: VXVC. */
	reset(0);
	cpu.fpr[1] = QNAN1;
	fpu_exec(&cpu, x_form(32, 1 << 2, 1, 2, 0));
	EQ32(cpu.cr, 0x01000000u);
	EQ32(cpu.fpscr, FX | VX | VXVC | FPRF(1));
	/* fcmpu with an SNaN: VXSNAN only; fcmpo SNaN: VXSNAN and VXVC (VE=0). */
	reset(0);
	cpu.fpr[2] = SNAN1;
	fpu_exec(&cpu, x_form(0, 0, 1, 2, 0));
	EQ32(cpu.fpscr, FX | VX | VXSNAN | FPRF(1));
	reset(0);
	cpu.fpr[2] = SNAN1;
	fpu_exec(&cpu, x_form(32, 0, 1, 2, 0));
	EQ32(cpu.fpscr, FX | VX | VXSNAN | VXVC | FPRF(1));
	reset(VE);
	cpu.fp_exc_mode = 3;
	cpu.fpr[2] = SNAN1;
	EQ32(fpu_exec(&cpu, x_form(32, 0, 1, 2, 0)), FPU_PROGRAM);
	EQ32(cpu.fpscr, FX | FEX | VX | VXSNAN | VE | FPRF(1));
	EQ32(cpu.cr, 0x10000000u);
}

static void test_moves_select(void)
{
	EQ64(xop(72, SNAN1, 0, 0), SNAN1); /* fmr */
	EQ32(cpu.fpscr, 0);
	EQ64(xop(40, ONE, 0, 0), ONE | 0x8000000000000000ull); /* fneg */
	EQ64(xop(40, QNAN1, 0, 0), QNAN1 | 0x8000000000000000ull);
	EQ64(xop(264, NINF, 0, 0), PINF); /* fabs */
	EQ64(xop(136, ONE, 0, 0), ONE | 0x8000000000000000ull); /* fnabs */
	xop(72, ONE, FX | OX, 1);
	EQ32(cpu.cr, 0x09000000u);
	/* fsel: frA >= 0 ? frC : frB, -0 counts, NaN does not. */
	op3(63, XO_SEL, 0x8000000000000000ull, TWO, THREE, 0);
	EQ64(cpu.fpr[0], THREE);
	op3(63, XO_SEL, dbits(-1.0), TWO, THREE, 0);
	EQ64(cpu.fpr[0], TWO);
	op3(63, XO_SEL, QNAN1, TWO, THREE, 0);
	EQ64(cpu.fpr[0], TWO);
	EQ32(cpu.fpscr, 0);
}

static void test_fpscr_ops(void)
{
	/* mffs. */
	reset(0x82004001u);
	fpu_exec(&cpu, x_form(583, 5, 0, 0, 1));
	EQ64(cpu.fpr[5], 0x82004001ull);
	EQ32(cpu.cr, 0x08000000u);
	/* mtfsf 0xff restores everything but FEX/VX, which are recomputed. */
	reset(0);
	cpu.fpr[2] = 0x60000003u | XX | XE;
	cpu.fp_exc_mode = 0;
	EQ32(fpu_exec(&cpu, 63u << 26 | 0xffu << 17 | 2u << 11 | 711u << 1), FPU_OK);
	EQ32(cpu.fpscr, FEX | XX | XE | 3);
	/* ... and with FE mode, FEX 0->1 raises the program interrupt. */
	reset(0);
	cpu.fpr[2] = FX | XX | XE;
	cpu.fp_exc_mode = 1;
	EQ32(fpu_exec(&cpu, 63u << 26 | 0xffu << 17 | 2u << 11 | 711u << 1 | 1), FPU_PROGRAM);
	EQ32(cpu.fpscr, FX | FEX | XX | XE);
	EQ32(cpu.cr, 0x0c000000u);
	/* mtfsf of field 1 only: UX 0->1 sets FX by the usual rule. */
	reset(0);
	cpu.fpr[2] = UX;
	fpu_exec(&cpu, 63u << 26 | 0x40u << 17 | 2u << 11 | 711u << 1);
	EQ32(cpu.fpscr, FX | UX);
	/* mtfsfi 7,2: RN = round to +inf. */
	reset(0);
	fpu_exec(&cpu, 63u << 26 | 7u << 23 | 2u << 12 | 134u << 1);
	EQ32(cpu.fpscr, 2);
	/* mtfsfi 0,0 clears FX and OX. */
	reset(FX | OX);
	fpu_exec(&cpu, 63u << 26 | 0u << 23 | 0u << 12 | 134u << 1);
	EQ32(cpu.fpscr, 0);
	/* mtfsb1 VXSOFT: VX and FX follow. */
	reset(0);
	fpu_exec(&cpu, x_form(38, 21, 0, 0, 1));
	EQ32(cpu.fpscr, FX | VX | 0x400);
	EQ32(cpu.cr, 0x0a000000u);
	/* mtfsb1 of VE with VX set and FE mode: FEX and program interrupt. */
	reset(VX | VXSOFT);
	cpu.fp_exc_mode = 3;
	EQ32(fpu_exec(&cpu, x_form(38, 24, 0, 0, 0)), FPU_PROGRAM);
	EQ32(cpu.fpscr, FEX | VX | VXSOFT | VE);
	/* mtfsb1 of FEX/VX does nothing. */
	reset(0);
	fpu_exec(&cpu, x_form(38, 1, 0, 0, 0));
	fpu_exec(&cpu, x_form(38, 2, 0, 0, 0));
	EQ32(cpu.fpscr, 0);
	/* mtfsb0 of the last VX bit clears VX; of FX clears FX. */
	reset(FX | VX | VXSOFT);
	fpu_exec(&cpu, x_form(70, 21, 0, 0, 0));
	EQ32(cpu.fpscr, FX);
	fpu_exec(&cpu, x_form(70, 0, 0, 0, 0));
	EQ32(cpu.fpscr, 0);
	/* mcrfs cr2, 1: copies field 1 and clears its exception bits. */
	reset(FX | UX | ZX | VXSNAN | VX | 0x00010000u);
	fpu_exec(&cpu, 63u << 26 | 2u << 23 | 1u << 18 | 64u << 1);
	EQ32(cpu.cr, 0x00d00000u);
	EQ32(cpu.fpscr, FX | 0x00010000u);
	/* mcrfs cr0, 0 clears FX. */
	fpu_exec(&cpu, 63u << 26 | 0u << 23 | 0u << 18 | 64u << 1);
	EQ32(cpu.cr >> 28, 0x8);
	EQ32(cpu.fpscr, 0x00010000u);
	/* Rounding mode set by mtfsfi is used. */
	reset(0);
	fpu_exec(&cpu, 63u << 26 | 7u << 23 | 1u << 12 | 134u << 1);
	cpu.fpr[1] = TWO;
	cpu.fpr[2] = THREE;
	fpu_exec(&cpu, a_form(63, XO_DIV, 0, 1, 2, 0, 0));
	EQ64(cpu.fpr[0], 0x3fe5555555555555ull);
}

static void test_illegal_and_conv(void)
{
	reset(0);
	EQ32(fpu_exec(&cpu, a_form(59, XO_SEL, 0, 1, 2, 3, 0)), FPU_ILLEGAL);
	EQ32(fpu_exec(&cpu, a_form(63, XO_RES, 0, 0, 2, 0, 0)), FPU_ILLEGAL);  /* fre */
	EQ32(fpu_exec(&cpu, a_form(59, XO_RSQRTE, 0, 0, 2, 0, 0)), FPU_ILLEGAL);
	EQ32(fpu_exec(&cpu, x_form(814, 0, 0, 2, 0)), FPU_ILLEGAL); /* fctid */
	EQ32(fpu_exec(&cpu, x_form(846, 0, 0, 2, 0)), FPU_ILLEGAL); /* fcfid */
	EQ32(fpu_exec(&cpu, a_form(59, 16, 0, 0, 2, 0, 0)), FPU_ILLEGAL);
	EQ32(fpu_exec(&cpu, 31u << 26), FPU_ILLEGAL);
	/* Load/store conversions. */
	EQ64(fpu_single_to_double(0x3f800000), ONE);
	EQ64(fpu_single_to_double(0x00000001), dbits(0x1p-149));
	EQ64(fpu_single_to_double(0x80400000), dbits(-0x1p-127));
	EQ64(fpu_single_to_double(0x7f800001), 0x7ff0000020000000ull);
	EQ64(fpu_single_to_double(0xffc00000), 0xfff8000000000000ull);
	EQ32(fpu_double_to_single(dbits(0x1p-149)), 0x00000001);
	EQ32(fpu_double_to_single(dbits(-0x1p-127)), 0x80400000);
	EQ32(fpu_double_to_single(0x7ff0000020000000ull), 0x7f800001);
	EQ32(fpu_double_to_single(dbits(1.0 + 0x1p-30)), 0x3f800000); /* truncates */
	EQ32(fpu_double_to_single(dbits(0x1p-200)), 0);
	EQ32(fpu_double_to_single(PINF), 0x7f800000);
}

int main(void)
{
	test_basic();
	test_rounding_modes();
	test_random_vs_host();
	test_fmadds_single_rounding();
	test_nans();
	test_zero_divide();
	test_over_underflow();
	test_enabled_invalid();
	test_convert();
	test_compare();
	test_moves_select();
	test_fpscr_ops();
	test_illegal_and_conv();
	printf("test_fpu: %u checks, %u failures\n", checks, failures);
	return failures ? 1 : 0;
}
