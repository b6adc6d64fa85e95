/* SPDX-License-Identifier: MIT */
/* fpu.c - the 440's classic PowerPC FPU: opcodes 59/63, bit-exact FPSCR, NaNs and rounding. */
#include "core/fpu.h"
#include "core/core.h"

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/*
 * How results are made exact (Power ISA 2.03 Book I, ch. 4 "Floating-Point
 * Processor"; the PPC440 FPU implements that chapter):
 *   1. NaNs, invalid operations and divide-by-zero are decided in software
 *      from the operand bit patterns, so no host NaN ever reaches a register.
 *   2. The remaining operation runs on the host in x87 extended precision
 *      (64-bit significand, 15-bit exponent: no overflow, no underflow for
 *      any double operands) with round-toward-zero; if the host reports
 *      inexact, the low significand bit is set ("round to odd").
 *   3. That value is rounded once, in software, to double or single in the
 *      FPSCR[RN] mode. Round-to-odd at 64 >= p + 2 bits makes this a single
 *      correct rounding, and the software rounding yields FR, FI, tininess
 *      before rounding and the exponent-adjusted OE/UE results exactly.
 * The host mode is thus always "toward zero, extended precision" on the x87
 * only; it is set only when it differs, and SSE code (all ordinary double
 * arithmetic of hv440) never sees a guest rounding mode.
 *
 * That exact path is the reference. In front of it, fpu_exec_fast() takes
 * the common case - add, sub, mul, div, sqrt, the multiply-adds and frsp in
 * round-to-nearest, with finite operands of moderate exponent - straight
 * on the host's SSE unit, which rounds to nearest like the guest: the
 * rounded double r comes from one host instruction, and the sign of the
 * rounding error (exact - r) from error-free transformations (2Sum, the
 * FMA remainder of a product, quotient or square root, Shewchuk's
 * expansion sum for the multiply-adds). That sign gives FI, FR and XX; the
 * exponent bounds make every such error representable and rule out
 * overflow, underflow and tininess, so OX, UX and the enables cannot
 * differ from the exact path. Single results are rounded from r once more
 * unless r sits on a single-precision tie or grid point with a nonzero
 * error (double rounding could differ): those, and everything else, take
 * the exact path. tests/unit/test_fpu_fast.c compares the two.
 */
_Static_assert(LDBL_MANT_DIG == 64, "fpu.c needs the x87 80-bit long double");

/* FPSCR bits (Power ISA Book I, "Floating-Point Status and Control Register"; bit 0 is the MSB). */
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
#define FPRF    0x0001f000u
#define FPCC    0x0000f000u
#define VXSOFT  0x00000400u
#define VXSQRT  0x00000200u
#define VXCVI   0x00000100u
#define VE      0x00000080u
#define OE      0x00000040u
#define UE      0x00000020u
#define ZE      0x00000010u
#define XE      0x00000008u
#define RN      0x00000003u

#define VX_ALL  (VXSNAN | VXISI | VXIDI | VXZDZ | VXIMZ | VXVC | VXSOFT | VXSQRT | VXCVI)
/* Exception bits whose 0->1 transition sets FX (Book I, FPSCR bit 0 "FX"). */
#define EXC_ALL (OX | UX | ZX | XX | VX_ALL)

#define FPRF_SHIFT 12
#define FPRF_QNAN  0x11u

#define D_SIGN  0x8000000000000000ull
#define D_EXP   0x7ff0000000000000ull
#define D_FRAC  0x000fffffffffffffull
#define D_QUIET 0x0008000000000000ull
#define D_DEFAULT_NAN 0x7ff8000000000000ull

enum rmode { RM_NEAREST = 0, RM_ZERO = 1, RM_PLUS = 2, RM_MINUS = 3 };

enum op {
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_RES, OP_RSQRTE,
	OP_MADD, OP_MSUB, OP_NMADD, OP_NMSUB, OP_RSP,
};

/* State of one instruction: the FPSCR being built and the exceptions it raised. */
struct fpop {
	struct core *c;
	uint32_t fpscr;
	uint32_t raised; /* OX UX ZX XX VX* conditions this instruction caused */
};

static bool is_nan(uint64_t d)
{
	return (d & D_EXP) == D_EXP && (d & D_FRAC);
}

static bool is_snan(uint64_t d)
{
	return is_nan(d) && !(d & D_QUIET);
}

static bool is_inf(uint64_t d)
{
	return (d & ~D_SIGN) == D_EXP;
}

static bool is_zero(uint64_t d)
{
	return (d & ~D_SIGN) == 0;
}

static bool sign_of(uint64_t d)
{
	return d >> 63;
}

static long double to_ext(uint64_t d)
{
	double v;

	memcpy(&v, &d, sizeof(v));
	return v;
}

/* FPRF for a double result (Book I, "Floating-Point Result Flags" table). */
static uint32_t fprf_of(uint64_t d)
{
	bool neg = sign_of(d);

	if (is_nan(d))
		return FPRF_QNAN;
	if (is_inf(d))
		return neg ? 0x09 : 0x05;
	if (is_zero(d))
		return neg ? 0x12 : 0x02;
	if (!(d & D_EXP))
		return neg ? 0x18 : 0x14;
	return neg ? 0x08 : 0x04;
}

static void set_fprf(struct fpop *f, uint64_t d)
{
	f->fpscr = (f->fpscr & ~FPRF) | (fprf_of(d) << FPRF_SHIFT);
}

static void raise_exc(struct fpop *f, uint32_t bits)
{
	f->fpscr |= bits;
	f->raised |= bits;
}

/*
 * Host x87: round toward zero, 64-bit precision control (x87 control word
 * RC=11, PC=11). Written only when it differs; SSE's MXCSR is left alone.
 */
static void host_mode_rz(void)
{
	uint16_t cw;

	__asm__ volatile("fnstcw %0" : "=m"(cw));
	if ((cw & 0x0f00) != 0x0f00) {
		cw |= 0x0f00;
		__asm__ volatile("fldcw %0" : : "m"(cw));
	}
}

/* Set the low significand bit of an inexact truncated result (round to odd). */
static long double make_odd(long double x)
{
	uint64_t m;

	memcpy(&m, &x, sizeof(m));
	m |= 1;
	memcpy(&x, &m, sizeof(m));
	return x;
}

/* x87 status word: precision (inexact) exception flag. */
#define X87_SW_PE 0x0020u

/*
 * Host operation under round-toward-zero, returned rounded to odd at 64 bits.
 * The x87 operations report inexact in the x87 status word, read directly
 * (the "memory" clobbers order them around the volatile operands); fmal is
 * libm's software multiply-add, whose flags may end up in the MXCSR too, so
 * it is checked through <fenv.h>, which looks at both.
 */
static long double host_op(enum op op, long double a, long double b, long double c)
{
	volatile long double va = a, vb = b, vc = c;
	volatile long double r;
	bool fused = op >= OP_MADD && op <= OP_NMSUB;
	uint16_t sw;

	host_mode_rz();
	if (fused)
		feclearexcept(FE_ALL_EXCEPT);
	else
		__asm__ volatile("fnclex" : : : "memory");
	switch (op) {
	case OP_ADD:
		r = va + vb;
		break;
	case OP_SUB:
		r = va - vb;
		break;
	case OP_MUL:
		r = va * vb;
		break;
	case OP_DIV:
		r = va / vb;
		break;
	case OP_SQRT:
		r = sqrtl(va);
		break;
	case OP_RES:
		r = 1.0L / va;
		break;
	case OP_RSQRTE:
		r = sqrtl(va);
		r = 1.0L / r;
		break;
	case OP_MADD:
	case OP_NMADD:
		r = fmal(va, vb, vc);
		break;
	case OP_MSUB:
	case OP_NMSUB:
		r = fmal(va, vb, -vc);
		break;
	case OP_RSP:
	default:
		r = va;
		break;
	}
	if (fused) {
		if (fetestexcept(FE_INEXACT))
			return make_odd(r);
		return r;
	}
	__asm__ volatile("fnstsw %0" : "=am"(sw) : : "memory");
	if (sw & X87_SW_PE)
		return make_odd(r);
	return r;
}

/*
 * Shift a 64-bit significand right by shift (>= 1) and round the dropped
 * bits in mode rm for a number of sign neg. Returns the rounded integer;
 * *inexact says bits were dropped, *up that the magnitude was incremented.
 */
static uint64_t shift_round(uint64_t m, int shift, bool neg, int rm, bool *inexact, bool *up)
{
	uint64_t q, rem, half;
	bool above, tie;

	if (shift > 64) {
		q = 0;
		*inexact = m != 0;
		above = false;
		tie = false;
	} else if (shift == 64) {
		q = 0;
		*inexact = m != 0;
		above = m > (1ull << 63);
		tie = m == (1ull << 63);
	} else {
		q = m >> shift;
		rem = m & ((1ull << shift) - 1);
		half = 1ull << (shift - 1);
		*inexact = rem != 0;
		above = rem > half;
		tie = rem == half;
	}
	switch (rm) {
	case RM_NEAREST:
		*up = above || (tie && (q & 1));
		break;
	case RM_PLUS:
		*up = *inexact && !neg;
		break;
	case RM_MINUS:
		*up = *inexact && neg;
		break;
	default:
		*up = false;
		break;
	}
	return q + *up;
}

struct fmt {
	int p;     /* significand bits incl. the implicit one */
	int emin;
	int emax;
	int bias;
	/* Exponent adjust of enabled overflow/underflow results (Book I, "Overflow Exception"). */
	int adj;
};

static const struct fmt fmt_double = { 53, -1022, 1023, 1023, 1536 };
static const struct fmt fmt_single = { 24, -126, 127, 127, 192 };

/*
 * Round x (already rounded to odd at 64 bits) to the target format in the
 * FPSCR's mode and update FR, FI, XX, OX, UX and FPRF. Returns the double
 * bit pattern of the result (a single result is returned widened).
 */
static uint64_t round_result(struct fpop *f, long double x, bool single)
{
	const struct fmt *t = single ? &fmt_single : &fmt_double;
	int rm = f->fpscr & RN;
	uint64_t m, q, bits;
	uint16_t se;
	bool neg, inexact = false, up = false, tiny;
	int e, shift;

	memcpy(&m, &x, sizeof(m));
	memcpy(&se, (const char *)&x + 8, sizeof(se));
	neg = se >> 15;
	e = (se & 0x7fff) - 16383;

	if ((se & 0x7fff) == 0x7fff) {
		/* Infinity from infinite operands: exact. */
		bits = (neg ? D_SIGN : 0) | D_EXP;
		goto out_exact;
	}
	if (m == 0) {
		bits = neg ? D_SIGN : 0;
		goto out_exact;
	}
	if ((se & 0x7fff) == 0)
		e = -16382;
	while (!(m >> 63)) {
		m <<= 1;
		e--;
	}

	/* Tininess is detected before rounding (Book I, "Underflow Exception"). */
	tiny = e < t->emin;
	if (tiny && (f->fpscr & UE))
		e += t->adj;
	if (e < t->emin) {
		shift = 64 - t->p + (t->emin - e);
		q = shift_round(m, shift, neg, rm, &inexact, &up);
		/* q is the denormal fraction; a carry makes it the smallest normal. */
		bits = q;
	} else {
		shift = 64 - t->p;
		q = shift_round(m, shift, neg, rm, &inexact, &up);
		if (q >> t->p) {
			q >>= 1;
			e++;
		}
		if (e > t->emax && (f->fpscr & OE)) {
			raise_exc(f, OX);
			e -= t->adj;
		}
		if (e > t->emax) {
			/*
			 * Disabled overflow (Book I, "Overflow Exception"): infinity
			 * or the largest finite number, by rounding mode.
			 */
			bool to_inf = rm == RM_NEAREST || (rm == RM_PLUS && !neg) ||
				      (rm == RM_MINUS && neg);
			uint64_t maxf = single ? 0x47efffffe0000000ull : 0x7fefffffffffffffull;

			/* FR is undefined here: cleared (QEMU 7.2 never sets FR). */
			raise_exc(f, OX | XX);
			bits = (neg ? D_SIGN : 0) | (to_inf ? D_EXP : maxf);
			f->fpscr = (f->fpscr & ~(FR | FI)) | FI;
			set_fprf(f, bits);
			return bits;
		}
		bits = ((uint64_t)(e + t->bias - 1) << (t->p - 1)) + q;
	}
	if (tiny && ((f->fpscr & UE) || inexact))
		raise_exc(f, UX);
	if (inexact)
		raise_exc(f, XX);
	if (single) {
		uint32_t s = (uint32_t)bits | (neg ? 0x80000000u : 0);

		bits = fpu_single_to_double(s);
	} else {
		bits |= neg ? D_SIGN : 0;
	}
	f->fpscr = (f->fpscr & ~(FR | FI)) | (inexact ? FI : 0) | (up ? FR : 0);
	set_fprf(f, bits);
	return bits;

out_exact:
	f->fpscr &= ~(FR | FI);
	set_fprf(f, bits);
	return bits;
}

static uint64_t quiet(uint64_t d, bool single)
{
	d |= D_QUIET;
	/* A single result keeps the NaN's top 23 fraction bits (frsp of a NaN). */
	return single ? fpu_single_to_double(fpu_double_to_single(d)) : d;
}

/*
 * Recompute VX and FEX, set FX on new exceptions (unless fx_given: FX was
 * written explicitly), update CR1 when Rc=1.
 */
static void commit(struct fpop *f, uint32_t old, bool rc, bool fx_given)
{
	uint32_t n = f->fpscr & ~(VX | FEX);

	if (n & VX_ALL)
		n |= VX;
	if (!fx_given && ((n & ~old) & EXC_ALL))
		n |= FX;
	if (((n & VX) && (n & VE)) || ((n & OX) && (n & OE)) || ((n & UX) && (n & UE)) ||
	    ((n & ZX) && (n & ZE)) || ((n & XX) && (n & XE)))
		n |= FEX;
	f->fpscr = n;
	f->c->fpscr = n;
	/* CR1 <- FPSCR[FX FEX VX OX] (Book I, Rc=1 of the FP instructions). */
	if (rc)
		f->c->cr = (f->c->cr & ~0x0f000000u) | ((n >> 28) << 24);
}

/* An exception this instruction raised is enabled: program interrupt if MSR[FE0|FE1]. */
static enum fpu_result result_of(const struct fpop *f)
{
	uint32_t r = f->raised, e = f->fpscr;
	bool en = ((r & VX_ALL) && (e & VE)) || ((r & OX) && (e & OE)) ||
		  ((r & UX) && (e & UE)) || ((r & ZX) && (e & ZE)) ||
		  ((r & XX) && (e & XE));

	return (en && f->c->fp_exc_mode) ? FPU_PROGRAM : FPU_OK;
}

/* Invalid operation: default QNaN (or the given NaN) unless VE; FR FI cleared. */
static bool invalid(struct fpop *f, uint32_t bits, uint64_t *res, uint64_t nan)
{
	raise_exc(f, bits);
	if (f->fpscr & VE)
		return false;
	*res = nan;
	f->fpscr &= ~(FR | FI);
	set_fprf(f, nan);
	return true;
}

/*
 * An arithmetic instruction. a, b, c are the operands in the ISA's NaN
 * precedence (frA, frB, frC; Book I, "Floating-Point Execution Models", NaN rules), with n of them
 * used; x, y, z are the same operands in the operation's own order.
 * Returns true when frD is to be written with *res.
 */
static bool arith(struct fpop *f, enum op op, bool single, uint64_t *res,
		  const uint64_t *nanord, int n, uint64_t x, uint64_t y, uint64_t z)
{
	bool fma = op >= OP_MADD && op <= OP_NMSUB;
	bool neg_result = op == OP_NMADD || op == OP_NMSUB;
	long double r;
	int i;

	for (i = 0; i < n; i++)
		if (is_snan(nanord[i]))
			raise_exc(f, VXSNAN);
	/* 0 x inf in a multiply-add is invalid even when frB is a NaN. */
	if (fma && !is_nan(x) && !is_nan(y) &&
	    ((is_inf(x) && is_zero(y)) || (is_zero(x) && is_inf(y))))
		raise_exc(f, VXIMZ);
	for (i = 0; i < n; i++) {
		if (is_nan(nanord[i])) {
			if ((f->fpscr & VE) && (f->raised & VX_ALL))
				return false;
			*res = quiet(nanord[i], single);
			f->fpscr &= ~(FR | FI);
			set_fprf(f, *res);
			return true;
		}
	}
	if (f->raised & VXIMZ)
		return invalid(f, 0, res, D_DEFAULT_NAN);

	switch (op) {
	case OP_ADD:
	case OP_SUB:
		if (is_inf(x) && is_inf(y) && (sign_of(x) ^ sign_of(y) ^ (op == OP_SUB)))
			return invalid(f, VXISI, res, D_DEFAULT_NAN);
		break;
	case OP_MUL:
		if ((is_inf(x) && is_zero(y)) || (is_zero(x) && is_inf(y)))
			return invalid(f, VXIMZ, res, D_DEFAULT_NAN);
		break;
	case OP_DIV:
		if (is_inf(x) && is_inf(y))
			return invalid(f, VXIDI, res, D_DEFAULT_NAN);
		if (is_zero(x) && is_zero(y))
			return invalid(f, VXZDZ, res, D_DEFAULT_NAN);
		if (is_zero(y) && !is_inf(x))
			goto zero_divide;
		break;
	case OP_SQRT:
	case OP_RSQRTE:
		if (sign_of(x) && !is_zero(x))
			return invalid(f, VXSQRT, res, D_DEFAULT_NAN);
		if (op == OP_RSQRTE && is_zero(x))
			goto zero_divide;
		break;
	case OP_RES:
		if (is_zero(x))
			goto zero_divide;
		break;
	default:
		if (fma && (is_inf(x) || is_inf(y)) && is_inf(z) &&
		    (sign_of(x) ^ sign_of(y) ^ sign_of(z) ^ (op == OP_MSUB || op == OP_NMSUB)))
			return invalid(f, VXISI, res, D_DEFAULT_NAN);
		break;
	}

	r = host_op(op, to_ext(x), to_ext(y), to_ext(z));
	if (r == 0) {
		/*
		 * An exact zero sum of operands of opposite sign is +0, or -0
		 * when rounding toward -inf (IEEE 754 6.3); the host ran in RZ.
		 */
		bool sx = sign_of(x), sy = sign_of(y) ^ (op == OP_SUB);

		if (fma) {
			sx = sign_of(x) ^ sign_of(y);
			sy = sign_of(z) ^ (op == OP_MSUB || op == OP_NMSUB);
		}
		if ((op == OP_ADD || op == OP_SUB || fma) && sx != sy)
			r = ((f->fpscr & RN) == RM_MINUS) ? -0.0L : 0.0L;
	}
	*res = round_result(f, r, single);
	if (neg_result && !is_nan(*res)) {
		*res ^= D_SIGN;
		set_fprf(f, *res);
	}
	return true;

zero_divide:
	/* Book I, "Zero Divide Exception": ZE=0 gives a signed infinity, FR FI cleared. */
	raise_exc(f, ZX);
	if (f->fpscr & ZE)
		return false;
	*res = D_EXP | ((op == OP_DIV ? sign_of(x) ^ sign_of(y) : sign_of(x)) ? D_SIGN : 0);
	f->fpscr &= ~(FR | FI);
	set_fprf(f, *res);
	return true;
}

/*
 * fctiw/fctiwz (Book I, "Floating-Point Rounding and Conversion
 * Instructions"). The ISA leaves frD[0:31] and, for invalid
 * conversions, FPRF undefined; this does what QEMU 7.2 does (checked by
 * running it): the 32-bit result is sign-extended (also the saturated
 * 0x80000000 of a negative number), a NaN gives 0x00000000_80000000, and an
 * invalid conversion with VE=0 sets FPRF to the QNaN class. A valid
 * conversion leaves FPRF alone.
 */
static bool convert(struct fpop *f, uint64_t b, bool toward_zero, uint64_t *res)
{
	int rm = toward_zero ? RM_ZERO : (int)(f->fpscr & RN);
	bool neg = sign_of(b), inexact = false, up = false;
	uint64_t q, m;
	int e, shift;
	long double x;

	if (is_nan(b)) {
		raise_exc(f, VXCVI | (is_snan(b) ? VXSNAN : 0));
		q = 0x80000000ull;
		goto bad;
	}
	if (is_inf(b))
		goto saturate;
	x = to_ext(b);
	memcpy(&m, &x, sizeof(m));
	if (m == 0) {
		q = 0;
	} else {
		uint16_t se;

		memcpy(&se, (const char *)&x + 8, sizeof(se));
		e = (se & 0x7fff) - 16383;
		if (e > 62)
			goto saturate;
		shift = 63 - e;
		q = shift_round(m, shift, neg, rm, &inexact, &up);
	}
	if (q > (neg ? 0x80000000ull : 0x7fffffffull))
		goto saturate;
	*res = (uint64_t)(int64_t)(int32_t)(uint32_t)(neg ? -q : q);
	if (inexact)
		raise_exc(f, XX);
	f->fpscr = (f->fpscr & ~(FR | FI)) | (inexact ? FI : 0) | (up ? FR : 0);
	return true;

saturate:
	raise_exc(f, VXCVI);
	q = neg ? 0xffffffff80000000ull : 0x7fffffffull;
bad:
	if (f->fpscr & VE)
		return false;
	*res = q;
	f->fpscr = (f->fpscr & ~(FR | FI | FPRF)) | (FPRF_QNAN << FPRF_SHIFT);
	return true;
}

/* fcmpu/fcmpo (Book I, "Floating-Point Compare Instructions"): CR field bf and FPCC. */
static void compare(struct fpop *f, uint64_t a, uint64_t b, unsigned bf, bool ordered)
{
	uint32_t cc;

	if (is_nan(a) || is_nan(b)) {
		cc = 0x1;
		if (is_snan(a) || is_snan(b)) {
			raise_exc(f, VXSNAN);
			if (ordered && !(f->fpscr & VE))
				raise_exc(f, VXVC);
		} else if (ordered) {
			raise_exc(f, VXVC);
		}
	} else {
		long double x = to_ext(a), y = to_ext(b);

		cc = x < y ? 0x8 : x > y ? 0x4 : 0x2;
	}
	f->fpscr = (f->fpscr & ~FPCC) | (cc << FPRF_SHIFT);
	f->c->cr = (f->c->cr & ~(0xf0000000u >> (4 * bf))) | (cc << (28 - 4 * bf));
}

/*
 * mtfsf/mtfsfi/mtfsb0/mtfsb1: write the masked bits; FEX and VX are always
 * recomputed (Book I, "Floating-Point Status and Control Register Instructions").
 */
static enum fpu_result move_to_fpscr(struct fpop *f, uint32_t old, uint32_t mask,
				     uint32_t val, bool rc)
{
	uint32_t n = (old & ~mask) | (val & mask);

	f->fpscr = n;
	/*
	 * FX is set by the usual rule when an exception bit goes 0->1, except
	 * that writing field 0 sets FX from the source ("not by the usual rule").
	 */
	commit(f, old, rc, mask & FX);
	if (f->c->fp_exc_mode && !(old & FEX) && (f->fpscr & FEX))
		return FPU_PROGRAM;
	return FPU_OK;
}

static enum fpu_result exec_a_form(struct fpop *f, uint32_t insn, bool single)
{
	struct core *c = f->c;
	unsigned rd = (insn >> 21) & 31, ra = (insn >> 16) & 31;
	unsigned rb = (insn >> 11) & 31, rcn = (insn >> 6) & 31;
	uint64_t a = c->fpr[ra], b = c->fpr[rb], cc = c->fpr[rcn];
	uint32_t old = c->fpscr;
	uint64_t ord[3], res = 0;
	enum op op;
	bool write;
	int n;

	switch ((insn >> 1) & 31) {
	case 18: op = OP_DIV; break;
	case 20: op = OP_SUB; break;
	case 21: op = OP_ADD; break;
	case 22: op = OP_SQRT; break;
	case 23:
		if (single)
			return FPU_ILLEGAL;
		/* fsel (Book I, "Floating Select"): no FPSCR change; -0 is >= 0, NaN is not. */
		c->fpr[rd] = (!is_nan(a) && (!sign_of(a) || is_zero(a))) ? cc : b;
		if (insn & 1)
			c->cr = (c->cr & ~0x0f000000u) | ((old >> 28) << 24);
		return FPU_OK;
	case 24:
		if (!single)
			return FPU_ILLEGAL; /* fre is not a 440 instruction */
		op = OP_RES;
		break;
	case 25: op = OP_MUL; break;
	case 26:
		if (single)
			return FPU_ILLEGAL;
		op = OP_RSQRTE;
		break;
	case 28: op = OP_MSUB; break;
	case 29: op = OP_MADD; break;
	case 30: op = OP_NMSUB; break;
	case 31: op = OP_NMADD; break;
	default:
		return FPU_ILLEGAL;
	}

	switch (op) {
	case OP_MUL:
		ord[0] = a; ord[1] = cc; n = 2;
		write = arith(f, op, single, &res, ord, n, a, cc, 0);
		break;
	case OP_SQRT:
	case OP_RES:
	case OP_RSQRTE:
		ord[0] = b; n = 1;
		write = arith(f, op, single, &res, ord, n, b, 0, 0);
		break;
	case OP_MADD:
	case OP_MSUB:
	case OP_NMADD:
	case OP_NMSUB:
		ord[0] = a; ord[1] = b; ord[2] = cc; n = 3;
		write = arith(f, op, single, &res, ord, n, a, cc, b);
		break;
	default:
		ord[0] = a; ord[1] = b; n = 2;
		write = arith(f, op, single, &res, ord, n, a, b, 0);
		break;
	}
	if (write)
		c->fpr[rd] = res;
	commit(f, old, insn & 1, false);
	return result_of(f);
}

/* The exception bits of each FPSCR field that mcrfs clears (Book I, mcrfs). */
static const uint32_t mcrfs_clear[8] = {
	FX | OX, UX | ZX | XX | VXSNAN, VXISI | VXIDI | VXZDZ | VXIMZ, VXVC,
	0, VXSOFT | VXSQRT | VXCVI, 0, 0,
};

static enum fpu_result exec_x_form(struct fpop *f, uint32_t insn)
{
	struct core *c = f->c;
	unsigned rd = (insn >> 21) & 31, rb = (insn >> 11) & 31;
	unsigned ra = (insn >> 16) & 31;
	unsigned bf = (insn >> 23) & 7;
	bool rc = insn & 1;
	uint32_t old = c->fpscr;
	uint64_t res = 0, b = c->fpr[rb];
	uint32_t mask;
	unsigned i;

	switch ((insn >> 1) & 0x3ff) {
	case 0:   /* fcmpu */
	case 32:  /* fcmpo */
		compare(f, c->fpr[ra], b, bf, ((insn >> 1) & 0x3ff) == 32);
		commit(f, old, false, false);
		return result_of(f);
	case 12:  /* frsp */
		if (is_nan(b)) {
			if (is_snan(b))
				raise_exc(f, VXSNAN);
			if (!((f->fpscr & VE) && is_snan(b))) {
				c->fpr[rd] = quiet(b, true);
				f->fpscr &= ~(FR | FI);
				set_fprf(f, c->fpr[rd]);
			}
		} else {
			c->fpr[rd] = round_result(f, to_ext(b), true);
		}
		commit(f, old, rc, false);
		return result_of(f);
	case 14:  /* fctiw */
	case 15:  /* fctiwz */
		if (convert(f, b, ((insn >> 1) & 0x3ff) == 15, &res))
			c->fpr[rd] = res;
		commit(f, old, rc, false);
		return result_of(f);
	case 38:  /* mtfsb1: FEX and VX cannot be set explicitly */
		mask = 0x80000000u >> rd;
		if (mask & (FEX | VX))
			mask = 0;
		return move_to_fpscr(f, old, mask, mask, rc);
	case 70:  /* mtfsb0 */
		mask = 0x80000000u >> rd;
		if (mask & (FEX | VX))
			mask = 0;
		return move_to_fpscr(f, old, mask, 0, rc);
	case 64:  /* mcrfs */
		i = (insn >> 18) & 7;
		c->cr = (c->cr & ~(0xf0000000u >> (4 * bf))) |
			(((old >> (28 - 4 * i)) & 0xf) << (28 - 4 * bf));
		f->fpscr = old & ~mcrfs_clear[i];
		commit(f, old, false, false);
		return FPU_OK;
	case 134: /* mtfsfi */
		mask = 0xf0000000u >> (4 * bf);
		return move_to_fpscr(f, old, mask, ((insn >> 12) & 0xfu) << (28 - 4 * bf), rc);
	case 711: /* mtfsf */
		mask = 0;
		for (i = 0; i < 8; i++)
			if ((insn >> 17) & (0x80u >> i))
				mask |= 0xf0000000u >> (4 * i);
		return move_to_fpscr(f, old, mask, (uint32_t)b, rc);
	case 583:
		/*
		 * mffs: frD[32:63] <- FPSCR; frD[0:31] are 0 as in QEMU 7.2. Bits 11-20
		 * are reserved on the 440 and ignored: glibc's libm executes 0xfc17048e
		 * (a later ISA's mffs variant), which must work as plain mffs.
		 */
		c->fpr[rd] = old;
		break;
	case 40:  /* fneg */
		c->fpr[rd] = b ^ D_SIGN;
		break;
	case 72:  /* fmr */
		c->fpr[rd] = b;
		break;
	case 136: /* fnabs */
		c->fpr[rd] = b | D_SIGN;
		break;
	case 264: /* fabs */
		c->fpr[rd] = b & ~D_SIGN;
		break;
	default:
		return FPU_ILLEGAL;
	}
	/* Moves change no FPSCR bit (Book I, "Floating-Point Move Instructions"). */
	if (rc)
		c->cr = (c->cr & ~0x0f000000u) | ((old >> 28) << 24);
	return FPU_OK;
}

/*
 * The fast path. Operands: zero or a normal number with exponent in
 * [-FAST_EMAX, FAST_EMAX]. Then every product, quotient, square root and
 * sum of them lies within [2^-(2*FAST_EMAX+110), 2^(2*FAST_EMAX+3)] or is
 * exactly zero: far from double overflow and tininess, and every rounding
 * error used below (a multiple of at least 2^-(2*FAST_EMAX+106)) is exactly
 * representable, so the error-free transformations are exact.
 */
#define FAST_EMAX 400

static bool fast_operand(uint64_t d)
{
	unsigned e = (d >> 52) & 0x7ff;

	return !(d << 1) || (e >= 1023 - FAST_EMAX && e <= 1023 + FAST_EMAX);
}

static int sgn(double d)
{
	return (d > 0) - (d < 0);
}

/* Knuth's 2Sum: s + *err == a + b exactly (round to nearest, no overflow). */
static inline double two_sum(double a, double b, double *err)
{
	double s = a + b, bb = s - a;

	*err = (a - (s - bb)) + (b - bb);
	return s;
}

/*
 * Make v opaque to the optimizer (no instruction): a product cannot then
 * be contracted with a later addition into a fused multiply-add (GNU C's
 * default -ffp-contract=fast would break the error-free transformations),
 * and a probe's constant cannot be folded.
 */
#define OPAQUE(v) __asm__("" : "+x"(v))

/*
 * *r = x op y (op z) rounded to nearest double by the host; returns the
 * sign of the rounding error, exact - *r. The caller has checked the
 * operands (fast_operand; y != 0 for a division, x >= 0 or -0 for sqrt).
 * The multiply-adds compute x * y + z, z already negated for fmsub/fnmsub.
 */
__attribute__((target("fma")))
static int fast_op(enum op op, double x, double y, double z, double *r)
{
	double p, e, h0, h1, q, g0, g1, g2;

	switch (op) {
	case OP_ADD:
		*r = two_sum(x, y, &e);
		return sgn(e);
	case OP_SUB:
		*r = two_sum(x, -y, &e);
		return sgn(e);
	case OP_MUL:
		p = x * y;
		OPAQUE(p);
		*r = p;
		return sgn(__builtin_fma(x, y, -p));
	case OP_DIV:
		/* x - q*y is exact (a double) for q = RN(x/y); x/y - q has its sign times y's. */
		q = x / y;
		OPAQUE(q);
		*r = q;
		return sgn(__builtin_fma(-q, y, x)) * sgn(y);
	case OP_SQRT:
		q = __builtin_sqrt(x);
		OPAQUE(q);
		*r = q;
		return sgn(__builtin_fma(-q, q, x));
	default:
		/*
		 * exact - r = p + e + z - r with p + e = x*y exactly. Add z, then
		 * -r, to the nonoverlapping expansion (e, p) with Shewchuk's
		 * Grow-Expansion ("Adaptive Precision Floating-Point Arithmetic",
		 * 1997, Theorem 10): the result (g0, g1, g2, q) is nonoverlapping
		 * and ordered by magnitude, so its largest nonzero component
		 * carries the sign of the sum.
		 */
		*r = __builtin_fma(x, y, z);
		p = x * y;
		OPAQUE(p);
		e = __builtin_fma(x, y, -p);
		q = two_sum(z, e, &h0);
		q = two_sum(q, p, &h1);
		g2 = q;
		q = two_sum(-*r, h0, &g0);
		q = two_sum(q, h1, &g1);
		q = two_sum(q, g2, &g2);
		return q != 0 ? sgn(q) : g2 != 0 ? sgn(g2) : g1 != 0 ? sgn(g1) : sgn(g0);
	}
}

/*
 * The host has FMA (hence AVX) and its SSE unit rounds to nearest.
 * core_run() sees to that; the probe covers callers outside it (tests).
 * Reading the MXCSR (stmxcsr) costs a store-forwarding stall, so the mode
 * is probed: 1 + 0.75 ulp rounds away
 * from 1 only to nearest or upward, -1 - 0.75 ulp only to nearest or
 * downward. MXCSR's FZ and DAZ cannot matter: no operand, intermediate or
 * result of the fast path is subnormal.
 */
static bool host_can_fast(void)
{
	double one = 1.0, minus_one = -1.0;

	OPAQUE(one);
	OPAQUE(minus_one);
	return __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx") &&
	       one + 0x1.8p-53 != 1.0 && minus_one - 0x1.8p-53 != -1.0;
}

unsigned fpu_a_form_operands(uint32_t insn)
{
	switch ((insn >> 1) & 31) {
	case 18: case 20: case 21: return 3;
	case 25: return 5;
	default: return 7;
	}
}

/*
 * The lazy FPSCR (core.h, fp_lazy). Translated code runs an arithmetic
 * instruction in line only while RN is round-to-nearest, no exception is
 * enabled and XX is already set, and only when its result is a normal
 * number far from overflow and underflow: the only exception it can
 * raise is then XX, which changes nothing, and what it leaves undone is
 * FR, FI and FPRF. This works them out by running the instruction again
 * on the operands saved, then puts the registers back; bits written
 * since (fp_lazy_keep) keep their value.
 */
static bool fast_path(struct core *c, uint32_t insn, enum fpu_result *out);
static enum fpu_result exact_path(struct core *c, uint32_t insn);

void core_fp_settle(struct core *c)
{
	uint32_t insn = c->fp_lazy, keep = c->fp_lazy_keep, now = c->fpscr;
	unsigned used = fpu_a_form_operands(insn);
	enum fpu_result res;
	uint64_t fpr[32];

	if (!insn)
		return;
	c->fp_lazy = 0;
	memcpy(fpr, c->fpr, sizeof(fpr));
	for (unsigned k = 0; k < 3; k++)
		if (used & (1u << k))
			c->fpr[(insn >> (16 - 5 * k)) & 31] = c->fp_lazy_op[k];
	if (!fast_path(c, insn, &res))
		exact_path(c, insn);
	c->fpscr = (c->fpscr & ~keep) | (now & keep);
	memcpy(c->fpr, fpr, sizeof(fpr));
}

/*
 * Before instruction insn runs here: a lazy FPSCR is settled, unless insn
 * leaves the bits in question alone (moves, fsel) or sets them all itself
 * (arithmetic; no exception can be enabled while one is pending).
 * fctiw(z) sets FR and FI but leaves FPRF, which is the lazy result's.
 * Anything else, an illegal instruction included, sees the FPSCR settled.
 */
static void prepare(struct core *c, uint32_t insn)
{
	unsigned xo = (insn >> 1) & 0x3ff;

	if (!c->fp_lazy)
		return;
	if (insn & 0x20) {
		switch ((insn >> 1) & 31) {
		case 18: case 20: case 21: case 22: case 25: case 28: case 29: case 30: case 31:
			c->fp_lazy = 0;
			return;
		case 23: /* fsel */
			if ((insn >> 26) == 63)
				return;
			break;
		}
		core_fp_settle(c);
		return;
	}
	switch (xo) {
	case 12: /* frsp */
		c->fp_lazy = 0;
		return;
	case 14: case 15: { /* fctiw, fctiwz */
		uint32_t bits = (fprf_of(c->fp_lazy_res) << FPRF_SHIFT) & ~c->fp_lazy_keep & FPRF;

		c->fpscr = (c->fpscr & ~(FPRF & ~c->fp_lazy_keep)) | bits;
		c->fp_lazy = 0;
		return;
	}
	case 40: case 72: case 136: case 264: /* fneg, fmr, fnabs, fabs */
		return;
	default:
		core_fp_settle(c);
	}
}

static bool fast_path(struct core *c, uint32_t insn, enum fpu_result *out)
{
	unsigned opcd = insn >> 26, rd = (insn >> 21) & 31;
	uint64_t a = c->fpr[(insn >> 16) & 31], b = c->fpr[(insn >> 11) & 31];
	uint64_t cc = c->fpr[(insn >> 6) & 31], x, y = 0, z = 0, bits;
	struct fpop f = { .c = c, .fpscr = c->fpscr, .raised = 0 };
	bool single = opcd == 59, inexact, up;
	enum op op;
	double r;
	int es;

	if ((opcd != 59 && opcd != 63) || (f.fpscr & RN) != RM_NEAREST)
		return false;
	if (opcd == 63 && !(insn & 0x20)) {
		if (((insn >> 1) & 0x3ff) != 12 || !host_can_fast())
			return false;
		/* frsp: the single rounding of b itself. */
		op = OP_RSP;
		single = true;
		memcpy(&r, &b, sizeof(r));
		es = 0;
		goto round;
	}
	switch ((insn >> 1) & 31) {
	case 18: op = OP_DIV; x = a; y = b; break;
	case 20: op = OP_SUB; x = a; y = b; break;
	case 21: op = OP_ADD; x = a; y = b; break;
	case 22: op = OP_SQRT; x = b; break;
	case 25: op = OP_MUL; x = a; y = cc; break;
	case 28: op = OP_MSUB; x = a; y = cc; z = b ^ D_SIGN; break;
	case 29: op = OP_MADD; x = a; y = cc; z = b; break;
	case 30: op = OP_NMSUB; x = a; y = cc; z = b ^ D_SIGN; break;
	case 31: op = OP_NMADD; x = a; y = cc; z = b; break;
	default: return false;
	}
	if (!fast_operand(x) || !fast_operand(y) || !fast_operand(z))
		return false;
	if ((op == OP_DIV && is_zero(y)) || (op == OP_SQRT && sign_of(x) && !is_zero(x)) ||
	    !host_can_fast())
		return false;
	{
		double dx, dy, dz;

		memcpy(&dx, &x, sizeof(dx));
		memcpy(&dy, &y, sizeof(dy));
		memcpy(&dz, &z, sizeof(dz));
		es = fast_op(op, dx, dy, dz, &r);
	}

round:
	memcpy(&bits, &r, sizeof(bits));
	if (!single) {
		inexact = es != 0;
		/* Rounded up in magnitude: the error has the sign opposite to r's. */
		up = es == (sign_of(bits) ? 1 : -1);
	} else {
		unsigned e = (bits >> 52) & 0x7ff;
		uint64_t low = bits & 0x1fffffff, sb;
		float s;
		double sd;

		/* Single normal range with a margin: no tininess, no overflow. */
		if ((bits << 1) && (e < 1023 - 125 || e > 1023 + 126))
			return false;
		/*
		 * With a nonzero error, r must lie strictly between a single and a
		 * single's midpoint; then exact and r round alike and sit on the
		 * same side of the single result.
		 */
		if (es && (low == 0 || low == 0x10000000))
			return false;
		s = (float)r;
		sd = s;
		memcpy(&sb, &sd, sizeof(sb));
		inexact = es != 0 || sb != bits;
		up = (sb << 1) > (bits << 1);
		bits = sb;
	}
	if (op == OP_NMADD || op == OP_NMSUB)
		bits ^= D_SIGN;
	c->fpr[rd] = bits;
	f.fpscr = (f.fpscr & ~(FR | FI)) | (inexact ? FI : 0) | (up ? FR : 0);
	if (inexact)
		raise_exc(&f, XX);
	set_fprf(&f, bits);
	commit(&f, c->fpscr, insn & 1, false);
	*out = result_of(&f);
	return true;
}

static enum fpu_result exact_path(struct core *c, uint32_t insn)
{
	struct fpop f = { .c = c, .fpscr = c->fpscr, .raised = 0 };
	unsigned opcd = insn >> 26;

	if (opcd == 59)
		return exec_a_form(&f, insn, true);
	if (opcd != 63)
		return FPU_ILLEGAL;
	if (insn & 0x20) /* A-form: extended opcode 16..31 in bits 26-30 */
		return exec_a_form(&f, insn, false);
	return exec_x_form(&f, insn);
}

bool fpu_exec_fast(struct core *c, uint32_t insn, enum fpu_result *res)
{
	prepare(c, insn);
	return fast_path(c, insn, res);
}

enum fpu_result fpu_exec_exact(struct core *c, uint32_t insn)
{
	prepare(c, insn);
	return exact_path(c, insn);
}

enum fpu_result fpu_exec(struct core *c, uint32_t insn)
{
	enum fpu_result res;

	prepare(c, insn);
	if (fast_path(c, insn, &res))
		return res;
	return exact_path(c, insn);
}

/* Book I, "Floating-Point Load Instructions": DOUBLE(WORD), exact, no exceptions. */
uint64_t fpu_single_to_double(uint32_t s)
{
	uint64_t sign = (uint64_t)(s >> 31) << 63;
	uint32_t exp = (s >> 23) & 0xff, frac = s & 0x7fffff;
	int e;

	if (exp == 0xff)
		return sign | D_EXP | ((uint64_t)frac << 29);
	if (exp != 0)
		return sign | ((uint64_t)(exp - 127 + 1023) << 52) | ((uint64_t)frac << 29);
	if (frac == 0)
		return sign;
	/* Denormal single: normalize into a double. */
	e = -126;
	while (!(frac & 0x800000)) {
		frac <<= 1;
		e--;
	}
	return sign | ((uint64_t)(e + 1023) << 52) | ((uint64_t)(frac & 0x7fffff) << 29);
}

/* Book I, "Floating-Point Store Instructions": SINGLE(FRS), truncating, no exceptions. */
uint32_t fpu_double_to_single(uint64_t d)
{
	int exp = (d >> 52) & 0x7ff;
	uint32_t sign = (uint32_t)(d >> 32) & 0x80000000u;

	/* Normal range, infinities and NaNs: bits 0:1 || 5:34. */
	if (exp > 896)
		return (uint32_t)((d >> 32) & 0xc0000000u) | (uint32_t)((d >> 29) & 0x3fffffff);
	/* Single denormal range: shift the significand in (others are undefined: zero). */
	if (exp >= 874)
		return sign | (uint32_t)(((1ull << 52) | (d & D_FRAC)) >> (926 - exp));
	return sign;
}
