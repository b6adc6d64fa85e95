/* SPDX-License-Identifier: MIT */
/*
 * fp_corner.c - the classic FPU at its edges: NaNs, infinities, denormals, the four rounding
 * modes, FPSCR status bits and CR1, single precision, conversions, estimates, FPSCR moves,
 * enabled FP exceptions raising program interrupts, and FP unavailable with MSR[FP] = 0.
 * Every line prints the target register, the FPSCR after the instruction and CR1.
 */
#include "isa.h"

const int isa_use_fp = 1;

typedef union {
	double d;
	uint64_t u;
} fu;

/* FPSCR bits used below (Power ISA Book I, "Floating-Point Status and Control Register"). */
#define VE 0x80u
#define OE 0x40u
#define UE 0x20u
#define ZE 0x10u
#define XE 0x08u
#define RN_NEAR 0u
#define RN_ZERO 1u
#define RN_PINF 2u
#define RN_MINF 3u

/* Operands (double bit patterns). */
#define P0 0x0000000000000000ull
#define N0 0x8000000000000000ull
#define P1 0x3ff0000000000000ull
#define N1 0xbff0000000000000ull
#define P2 0x4000000000000000ull
#define P3 0x4008000000000000ull
#define N3 0xc008000000000000ull
#define PINF 0x7ff0000000000000ull
#define NINF 0xfff0000000000000ull
#define QNAN 0x7ff8000000000000ull
#define QNAN1 0x7ff8000000000123ull
#define QNAN2 0xfffc000000000456ull
#define SNAN 0x7ff0000000000789ull
#define DMIN 0x0000000000000001ull     /* smallest double denormal */
#define DDEN 0x0008000000000000ull     /* a double denormal, 2^-1023 */
#define NMIN 0x0010000000000000ull     /* smallest normal double */
#define DMAX 0x7fefffffffffffffull
#define P1U 0x3ff0000000000001ull      /* 1 + 2^-52 */
#define EPS3 0x3ca8000000000000ull     /* 3 * 2^-54 = 0.75 ulp(1): 1 + EPS3 rounds up in RN */
#define HALF_ULP 0x3ca0000000000000ull /* 2^-53 */
#define P2_5 0x4004000000000000ull
#define N2_5 0xc004000000000000ull
#define P3_5 0x400c000000000000ull
#define BIGI 0x41e0000000000000ull     /* 2^31: too big for fctiw */
#define NBIGI 0xc1e0000000000001ull    /* just below -2^31 */
#define SMAX 0x47efffffe0000000ull     /* largest single */
#define SDEN 0x36a0000000000000ull     /* 2^-149, smallest single denormal */
#define STINY 0x3690000000000000ull    /* 2^-150 */

struct res {
	uint64_t t;
	uint32_t fpscr, cr1;
};

static struct res r;

/*
 * An instruction with operands a, b, c (as %[a] %[b] %[c]) and target %[t] (which starts as
 * T0 so an unchanged target shows), under FPSCR fin.
 */
#define T0 0x5a5a5a5a5a5a5a5aull
#define RUN(insn, fin, A, B, C)                                                                \
	do {                                                                                   \
		fu a_ = { .u = (A) }, b_ = { .u = (B) }, c_ = { .u = (C) };                    \
		fu t_ = { .u = T0 }, f_ = { .u = (fin) }, s_;                                  \
		uint32_t cr_;                                                                  \
		__asm__ volatile("mtcrf 0x40,%[z]\n\tmtfsf 0xff,%[f]\n\t" insn                \
				 "\n\tmffs %[s]\n\tmfcr %[cr]"                                   \
				 : [t] "+d"(t_.d), [s] "=&d"(s_.d), [cr] "=&r"(cr_)              \
				 : [a] "d"(a_.d), [b] "d"(b_.d), [c] "d"(c_.d), [f] "d"(f_.d),   \
				   [z] "r"(0u)                                                   \
				 : "cr1", "memory");                                             \
		r.t = t_.u;                                                                    \
		r.fpscr = (uint32_t)s_.u;                                                      \
		r.cr1 = (cr_ >> 24) & 0xf;                                                     \
	} while (0)

static void show(const char *name)
{
	isa_puts(name);
	isa_puts(": ");
	isa_hex32((uint32_t)(r.t >> 32));
	isa_putc('_');
	isa_hex32((uint32_t)r.t);
	isa_puts(" fpscr=");
	isa_hex32(r.fpscr);
	isa_puts(" cr1=");
	isa_putc("0123456789abcdef"[r.cr1]);
	isa_putc('\n');
}

#define T(name, insn, fin, A, B, C)         \
	do {                                \
		RUN(insn, fin, A, B, C);    \
		show(name);                 \
	} while (0)

static const char *const rn_name[4] = { "rn", "rz", "rp", "rm" };

static void show_rn(const char *name, uint32_t rn)
{
	isa_puts(rn_name[rn]);
	isa_putc(' ');
	show(name);
}

static void nans(void)
{
	/* NaN operands: frA first, then frB, then frC; an SNaN is quieted and sets VXSNAN. */
	T("fadd qnan1+qnan2", "fadd. %[t],%[a],%[b]", 0, QNAN1, QNAN2, 0);
	T("fadd 1+qnan2", "fadd. %[t],%[a],%[b]", 0, P1, QNAN2, 0);
	T("fadd snan+1", "fadd. %[t],%[a],%[b]", 0, SNAN, P1, 0);
	T("fadd qnan1+snan", "fadd. %[t],%[a],%[b]", 0, QNAN1, SNAN, 0);
	T("fmul qnan2*snan", "fmul. %[t],%[a],%[c]", 0, QNAN2, 0, SNAN);
	T("fmadd 1*qnan2+qnan1", "fmadd. %[t],%[a],%[c],%[b]", 0, P1, QNAN1, QNAN2);
	T("fmadd 1*1+snan", "fmadd. %[t],%[a],%[c],%[b]", 0, P1, SNAN, P1);
	T("fmadds snan payload", "fmadds. %[t],%[a],%[c],%[b]", 0, 0x7ff0000020000001ull, P1, P1);
	T("frsp snan", "frsp. %[t],%[b]", 0, 0, SNAN, 0);
	T("frsp qnan2", "frsp. %[t],%[b]", 0, 0, QNAN2, 0);
	/* Invalid operations make the default QNaN and set VX and the specific bit. */
	T("fsub inf-inf", "fsub. %[t],%[a],%[b]", 0, PINF, PINF, 0);
	T("fadd inf+-inf", "fadd. %[t],%[a],%[b]", 0, PINF, NINF, 0);
	T("fmul 0*inf", "fmul. %[t],%[a],%[c]", 0, P0, 0, NINF);
	T("fdiv 0/0", "fdiv. %[t],%[a],%[b]", 0, N0, P0, 0);
	T("fdiv inf/inf", "fdiv. %[t],%[a],%[b]", 0, PINF, NINF, 0);
	T("fsqrt -1", "fsqrt. %[t],%[b]", 0, 0, N1, 0);
	T("fsqrt -0", "fsqrt. %[t],%[b]", 0, 0, N0, 0);
	T("fmadd inf*0+1", "fmadd. %[t],%[a],%[c],%[b]", 0, PINF, P1, P0);
	T("fmsub inf*1-inf", "fmsub. %[t],%[a],%[c],%[b]", 0, PINF, PINF, P1);
	T("fnmadd inf*1+-inf", "fnmadd. %[t],%[a],%[c],%[b]", 0, PINF, NINF, P1);
	/* Compares: FPCC and CR field; fcmpo sets VXVC for any NaN, fcmpu only VXSNAN. */
	T("fcmpu 1,qnan", "fcmpu 1,%[a],%[b]", 0, P1, QNAN, 0);
	T("fcmpu snan,1", "fcmpu 1,%[a],%[b]", 0, SNAN, P1, 0);
	T("fcmpo 1,qnan", "fcmpo 1,%[a],%[b]", 0, P1, QNAN, 0);
	T("fcmpo snan,1", "fcmpo 1,%[a],%[b]", 0, SNAN, P1, 0);
	T("fcmpu -0,+0", "fcmpu 1,%[a],%[b]", 0, N0, P0, 0);
	T("fcmpu -inf,dmax", "fcmpu 1,%[a],%[b]", 0, NINF, DMAX, 0);
	/* fsel: NaN and negative select frB, -0 and +0 select frC; no FPSCR change. */
	T("fsel qnan", "fsel. %[t],%[a],%[c],%[b]", 0, QNAN, P2, P1);
	T("fsel -0", "fsel. %[t],%[a],%[c],%[b]", 0, N0, P2, P1);
	T("fsel -dmin", "fsel. %[t],%[a],%[c],%[b]", 0, DMIN | N0, P2, P1);
}

static void infinities(void)
{
	T("fadd inf+1", "fadd. %[t],%[a],%[b]", 0, PINF, P1, 0);
	T("fmul -inf*-3", "fmul. %[t],%[a],%[c]", 0, NINF, 0, N3);
	T("fdiv 1/-0", "fdiv. %[t],%[a],%[b]", 0, P1, N0, 0);
	T("fdiv inf/0", "fdiv. %[t],%[a],%[b]", 0, PINF, P0, 0);
	T("fdiv 3/inf", "fdiv. %[t],%[a],%[b]", 0, P3, NINF, 0);
	T("fsqrt inf", "fsqrt. %[t],%[b]", 0, 0, PINF, 0);
	T("fmul dmax*2", "fmul. %[t],%[a],%[c]", 0, DMAX, 0, P2);
	T("fmuls smax*2", "fmuls. %[t],%[a],%[c]", 0, SMAX, 0, P2);
	T("frsp dmax", "frsp. %[t],%[b]", 0, 0, DMAX, 0);
	T("fmul dmax*2 rz", "fmul. %[t],%[a],%[c]", RN_ZERO, DMAX, 0, P2);
	T("fmul -dmax*2 rp", "fmul. %[t],%[a],%[c]", RN_PINF, DMAX | N0, 0, P2);
	T("fmul -dmax*2 rm", "fmul. %[t],%[a],%[c]", RN_MINF, DMAX | N0, 0, P2);
}

static void denormals(void)
{
	T("fmul nmin*0.5", "fmul. %[t],%[a],%[c]", 0, NMIN, 0, 0x3fe0000000000000ull);
	T("fmul dmin*0.5", "fmul. %[t],%[a],%[c]", 0, DMIN, 0, 0x3fe0000000000000ull);
	T("fmul dmin*0.5 rp", "fmul. %[t],%[a],%[c]", RN_PINF, DMIN, 0, 0x3fe0000000000000ull);
	T("fmul nmin*1.5/2", "fmul. %[t],%[a],%[c]", 0, NMIN | 1, 0, 0x3fe0000000000000ull);
	T("fadd dden+dden", "fadd. %[t],%[a],%[b]", 0, DDEN, DDEN, 0);
	T("fsub nmin-dmin", "fsub. %[t],%[a],%[b]", 0, NMIN, DMIN, 0);
	T("fdiv dden/2^52", "fdiv. %[t],%[a],%[b]", 0, DDEN, 0x4330000000000000ull, 0);
	T("fmuls sden*0.5", "fmuls. %[t],%[a],%[c]", 0, SDEN, 0, 0x3fe0000000000000ull);
	T("frsp stiny", "frsp. %[t],%[b]", 0, 0, STINY, 0);
	T("frsp 3*stiny", "frsp. %[t],%[b]", 0, 0, 0x36a8000000000000ull, 0);
	T("frsp 3*stiny rz", "frsp. %[t],%[b]", RN_ZERO, 0, 0x36a8000000000000ull, 0);
	T("fsqrt dmin", "fsqrt. %[t],%[b]", 0, 0, DMIN, 0);
	T("fmul dmin*2^-1 ue", "fmul. %[t],%[a],%[c]", UE, NMIN, 0, 0x3fe0000000000000ull);
	T("fadd dden+dden ue", "fadd. %[t],%[a],%[b]", UE, DDEN, DDEN, 0);
}

static void rounding(void)
{
	uint32_t m;

	for (m = 0; m < 4; m++) {
		RUN("fadd. %[t],%[a],%[b]", m, P1, EPS3, 0);
		show_rn("fadd 1+3*2^-54", m);
		RUN("fsub. %[t],%[a],%[b]", m, N1, EPS3, 0);
		show_rn("fsub -1-3*2^-54", m);
		RUN("fadd %[t],%[a],%[b]", m, P1, HALF_ULP, 0);
		show_rn("fadd 1+2^-53 tie", m);
		RUN("fadd %[t],%[a],%[b]", m, P1U, HALF_ULP, 0);
		show_rn("fadd 1u+2^-53 tie", m);
		RUN("fdiv %[t],%[a],%[b]", m, P1, P3, 0);
		show_rn("fdiv 1/3", m);
		RUN("fdiv %[t],%[a],%[b]", m, N1, P3, 0);
		show_rn("fdiv -1/3", m);
		RUN("fdivs %[t],%[a],%[b]", m, P1, P3, 0);
		show_rn("fdivs 1/3", m);
		RUN("fmadd %[t],%[a],%[c],%[b]", m, P3, HALF_ULP, P3);
		show_rn("fmadd 3*3+2^-53", m);
		RUN("fsqrt %[t],%[b]", m, 0, P2, 0);
		show_rn("fsqrt 2", m);
		RUN("fctiw %[t],%[b]", m, 0, P2_5, 0);
		show_rn("fctiw 2.5", m);
		RUN("fctiw %[t],%[b]", m, 0, N2_5, 0);
		show_rn("fctiw -2.5", m);
		RUN("fctiw %[t],%[b]", m, 0, P3_5, 0);
		show_rn("fctiw 3.5", m);
		RUN("fctiwz %[t],%[b]", m, 0, N2_5, 0);
		show_rn("fctiwz -2.5", m);
		RUN("fsub %[t],%[a],%[b]", m, P1, P1, 0);
		show_rn("fsub 1-1", m);
		RUN("fmsub %[t],%[a],%[c],%[b]", m, P1, P1, P1);
		show_rn("fmadd 1*1-1", m);
		RUN("fnmadd %[t],%[a],%[c],%[b]", m, P1, EPS3, P1);
		show_rn("fnmadd 1*1+3*2^-54", m);
	}
}

static void conversions(void)
{
	T("fctiw 2^31", "fctiw. %[t],%[b]", 0, 0, BIGI, 0);
	T("fctiw <-2^31", "fctiw. %[t],%[b]", 0, 0, NBIGI, 0);
	T("fctiw -2^31", "fctiw. %[t],%[b]", 0, 0, 0xc1e0000000000000ull, 0);
	T("fctiw qnan", "fctiw. %[t],%[b]", 0, 0, QNAN, 0);
	T("fctiw snan", "fctiw. %[t],%[b]", 0, 0, SNAN, 0);
	T("fctiw -inf", "fctiw. %[t],%[b]", 0, 0, NINF, 0);
	T("fctiwz -0.9", "fctiwz. %[t],%[b]", 0, 0, 0xbfeccccccccccccdull, 0);
	T("fctiw -0", "fctiw. %[t],%[b]", 0, 0, N0, 0);
	T("frsp 1+2^-30", "frsp. %[t],%[b]", 0, 0, 0x3ff0000004000000ull, 0);
	T("frsp 1+3*2^-25", "frsp. %[t],%[b]", 0, 0, 0x3ff0000018000000ull, 0);
	T("fadds 1+2^-24", "fadds. %[t],%[a],%[b]", 0, P1, 0x3e70000000000000ull, 0);
	T("fmr keeps snan", "fmr. %[t],%[b]", 0, 0, SNAN, 0);
	T("fctiw 2^31-0.5 rn", "fctiw. %[t],%[b]", 0, 0, 0x41dfffffffe00000ull, 0);
	T("fctiw 2^31-0.5 rz", "fctiw. %[t],%[b]", RN_ZERO, 0, 0x41dfffffffe00000ull, 0);
	T("frsp 2^128 oe", "frsp. %[t],%[b]", OE, 0, 0x47f0000000000000ull, 0);
	T("fmuls 2^-100*2^-100 ue", "fmuls. %[t],%[a],%[c]", UE, 0x39b0000000000000ull, 0, 0x39b0000000000000ull);
	T("fmuls 2^-100*2^-100", "fmuls. %[t],%[a],%[c]", 0, 0x39b0000000000000ull, 0, 0x39b0000000000000ull);
	T("fmadds exact-tie", "fmadds. %[t],%[a],%[c],%[b]", 0, 0x3ff0000010000000ull, 0x3ff0000000000000ull, 0x3ff0000000000000ull);
	T("fsqrts 2", "fsqrts. %[t],%[b]", 0, 0, P2, 0);
	/* Loads and stores convert without exceptions: an SNaN stays signalling. */
	{
		static volatile uint32_t w;
		fu d = { .u = 0 };

		w = 0x7f800001u;
		__asm__ volatile("lfs %0,0(%1)" : "=d"(d.d) : "b"(&w) : "memory");
		isa_show64("lfs snan", d.u);
		w = 0x00000001u;
		__asm__ volatile("lfs %0,0(%1)" : "=d"(d.d) : "b"(&w) : "memory");
		isa_show64("lfs single denormal", d.u);
		d.u = 0x3690000000000000ull; /* 2^-150: below the single range */
		__asm__ volatile("stfs %0,0(%1)" : : "d"(d.d), "b"(&w) : "memory");
		isa_show("stfs 2^-150", w);
		d.u = 0x36a8000000000000ull; /* 1.5 * 2^-149 */
		__asm__ volatile("stfs %0,0(%1)" : : "d"(d.d), "b"(&w) : "memory");
		isa_show("stfs 1.5*2^-149", w);
		d.u = SNAN;
		__asm__ volatile("stfs %0,0(%1)" : : "d"(d.d), "b"(&w) : "memory");
		isa_show("stfs snan", w);
	}
	T("fneg qnan", "fneg %[t],%[b]", 0, 0, QNAN, 0);
	T("fabs -inf", "fabs %[t],%[b]", 0, 0, NINF, 0);
	T("fnabs 1", "fnabs %[t],%[b]", 0, 0, P1, 0);
}

static void estimates(void)
{
	fu x = { .u = 0 };

	T("fres +0", "fres. %[t],%[b]", 0, 0, P0, 0);
	T("fres -0", "fres. %[t],%[b]", 0, 0, N0, 0);
	T("fres +inf", "fres. %[t],%[b]", 0, 0, PINF, 0);
	T("fres snan", "fres. %[t],%[b]", 0, 0, SNAN, 0);
	T("frsqrte +0", "frsqrte. %[t],%[b]", 0, 0, P0, 0);
	T("frsqrte -0", "frsqrte. %[t],%[b]", 0, 0, N0, 0);
	T("frsqrte -1", "frsqrte. %[t],%[b]", 0, 0, N1, 0);
	T("frsqrte +inf", "frsqrte. %[t],%[b]", 0, 0, PINF, 0);
	/* Finite operands: an estimate within 1/256 (Power ISA: fres, frsqrte). */
	RUN("fres %[t],%[b]", 0, 0, P3, 0);
	x.u = r.t;
	isa_check("fres 3 within 1/256", x.d > (1.0 / 3) * (1 - 1.0 / 256) && x.d < (1.0 / 3) * (1 + 1.0 / 256));
	RUN("frsqrte %[t],%[b]", 0, 0, 0x4010000000000000ull, 0);
	x.u = r.t;
	isa_check("frsqrte 4 within 1/32", x.d > 0.5 * (1 - 1.0 / 32) && x.d < 0.5 * (1 + 1.0 / 32));
}

static void fpscr_moves(void)
{
	fu f0;

	/*
	 * mtfsf sets FX from the source and recomputes FEX and VX (never taken from the source);
	 * bit 20 is reserved and left 0.
	 */
	T("mtfsf ff", "mtfsf 0xff,%[a]\n\tfmr %[t],%[b]", 0, 0x000000009ffff7f8ull, P1, 0);
	T("mtfsf 01 rn", "mtfsf 0x01,%[a]", 0x00000002, 0x00000000ffffffffull, 0, 0);
	T("mtfsf ff vxsnan only", "mtfsf 0xff,%[a]", 0, 0x0000000001000000ull, 0, 0);
	T("mtfsfi 7,3", "mtfsfi 7,3", 0, 0, 0, 0);
	T("mtfsfi 0,0 keeps vx", "mtfsfi 0,0", 0x21000000, 0, 0, 0);
	/* mtfsb1 of an exception bit sets FX; of an already-set one does not; of FEX/VX no effect. */
	T("mtfsb1 ox", "mtfsb1 3", 0, 0, 0, 0);
	T("mtfsb1 ox again", "mtfsb1 3", 0x10000000, 0, 0, 0);
	T("mtfsb1 vx", "mtfsb1 2", 0, 0, 0, 0);
	T("mtfsb1. xx", "mtfsb1. 6", 0, 0, 0, 0);
	T("mtfsb0 fx", "mtfsb0 0", 0x82000000, 0, 0, 0);
	T("mtfsb0 vxsnan", "mtfsb0 7", 0xa1000000, 0, 0, 0);
	/* mcrfs copies a field and clears its exception bits (not FEX, VX). */
	T("mcrfs 1,0", "mcrfs 1,0", 0xf0000080, 0, 0, 0);
	T("mcrfs 1,1", "mcrfs 1,1", 0x8f000000, 0, 0, 0);
	T("mcrfs 1,3", "mcrfs 1,3", 0xa008f000, 0, 0, 0);
	T("mcrfs 1,6", "mcrfs 1,6", 0x000000f8, 0, 0, 0);
	/* mffs. copies FX FEX VX OX into CR1. */
	T("mffs.", "mffs. %[t]", 0x92000000, 0, 0, 0);
	/* glibc's libm uses an mffs encoding with bits 11-15 set (0xfc17048e): mffs f0 on the 440. */
	f0.u = 0;
#ifndef NO_MFFS_RSVD
	__asm__ volatile("mtfsfi 7,1\n\tmtfsb1 6\n\t.long 0xfc17048e\n\tfmr %0,0" : "=d"(f0.d) : : "fr0");
#endif
	isa_show64("mffs rsvd bits", f0.u);
}

/*
 * Enabled exceptions: a program interrupt with ESR[FP] when MSR[FE0,FE1] != 0; VE and ZE leave
 * the target alone also when MSR[FE0,FE1] = 0. (No Rc=1 forms: whether CR1 is written before
 * the interrupt is not pinned down by the manual.)
 */
static void enabled(void)
{
	uint32_t msr = mfmsr();
	uint32_t i;
	static const struct {
		const char *name;
		uint32_t fin;
	} modes[2] = { { "fe ignore", 0 }, { "fe precise", MSR_FE0 | MSR_FE1 } };

	isa_handlers[IV_PROGRAM] = isa_record_skip;
	for (i = 0; i < 2; i++) {
		mtmsr(msr | modes[i].fin);
		isa_puts(modes[i].name);
		isa_putc('\n');
		isa_clear_last();
		T("ve fdiv 0/0", "fdiv %[t],%[a],%[b]", VE, P0, P0, 0);
		isa_show_int(" int", 0);
		isa_clear_last();
		T("ve fadd snan", "fadd %[t],%[a],%[b]", VE, SNAN, P1, 0);
		isa_show_int(" int", 0);
		isa_clear_last();
		T("ve fctiw qnan", "fctiw %[t],%[b]", VE, 0, QNAN, 0);
		isa_show_int(" int", 0);
		isa_clear_last();
		T("ze fdiv 1/0", "fdiv %[t],%[a],%[b]", ZE, P1, P0, 0);
		isa_show_int(" int", 0);
		isa_clear_last();
		T("oe fmul dmax*2", "fmul %[t],%[a],%[c]", OE, DMAX, 0, P2);
		isa_show_int(" int", 0);
		isa_clear_last();
		T("ue fmul nmin*nmin", "fmul %[t],%[a],%[c]", UE, NMIN, 0, NMIN);
		isa_show_int(" int", 0);
		isa_clear_last();
		T("xe fdiv 1/3", "fdiv %[t],%[a],%[b]", XE, P1, P3, 0);
		isa_show_int(" int", 0);
		isa_clear_last();
		T("ve fcmpo qnan", "fcmpo 1,%[a],%[b]", VE, P1, QNAN, 0);
		isa_show_int(" int", 0);
		isa_clear_last();
		T("xe exact fadd", "fadd %[t],%[a],%[b]", XE, P1, P1, 0);
		isa_show("  count", isa_last.count);
		/* mtfsb1 of an enable whose exception is already set: FEX, interrupt when enabled. */
		isa_clear_last();
		T("mtfsb1 ze with zx", "mtfsb1 27", 0x84000000, 0, 0, 0);
		isa_show_int(" int", 0);
	}
	mtmsr(msr);
}

static void unavailable(void)
{
	uint32_t msr = mfmsr();
	fu t = { .u = 0 };

	isa_handlers[IV_FPUNAVAIL] = isa_record_skip;
	mtmsr(msr & ~MSR_FP);
	isa_clear_last();
	__asm__ volatile("fadd %0,%0,%0" : "+d"(t.d));
	isa_show_int("fadd MSR[FP]=0", 0);
	isa_clear_last();
	__asm__ volatile("mffs %0" : "=d"(t.d));
	isa_show_int("mffs MSR[FP]=0", 0);
	isa_clear_last();
	__asm__ volatile("stfd %0,0(%1)" : : "d"(t.d), "b"(&t) : "memory");
	isa_show_int("stfd MSR[FP]=0", 0);
	mtmsr(msr);
	isa_clear_last();
	__asm__ volatile("fadd %0,%0,%0" : "+d"(t.d));
	isa_show("fadd MSR[FP]=1 interrupts", isa_last.count);
}

int main(void)
{
	nans();
	infinities();
	denormals();
	rounding();
	conversions();
	estimates();
	fpscr_moves();
	enabled();
	unavailable();
	return 0;
}
