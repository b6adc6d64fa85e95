/* SPDX-License-Identifier: MIT */
/*
 * fplazy.c - FP arithmetic run hot, which the JIT computes in line and
 * whose FR, FI and FPRF it works out only when something reads the FPSCR
 * (docs/jit.md, "FP"). Every operation on every operand set prints its
 * result and the FPSCR right after; tests/jit/run.sh wants the same lines
 * from every engine and in lockstep (the interpreter is the reference,
 * checked against QEMU by the ISA suite). The sequences after a lazy
 * result - an fcmpu, an fctiwz, a move, an exit, an mtfsfi, an illegal FP
 * instruction - are also checked against values worked out by hand.
 */
#include "isa.h"

/* crt0.S sets MSR[FP] for programs that define this */
const int isa_use_fp = 1;

union dw {
	double d;
	uint64_t u;
};

static uint32_t __attribute__((noinline)) fpscr(void)
{
	union dw v;

	__asm__ volatile("mffs %0" : "=f"(v.d));
	return (uint32_t)v.u;
}

static void __attribute__((noinline)) set_fpscr(uint32_t w)
{
	union dw v = { .u = w };

	__asm__ volatile("mtfsf 0xff,%0" : : "f"(v.d));
}

/* frD,frA,frB; fmul's second operand is frC, the same field order in the assembler */
#define OP2(name, insn)                                                               \
	static uint64_t __attribute__((noinline)) name(uint64_t a, uint64_t b, uint64_t c) \
	{                                                                             \
		union dw x = { .u = a }, y = { .u = b }, r;                           \
		(void)c;                                                              \
		__asm__ volatile(insn " %0,%1,%2" : "=f"(r.d) : "f"(x.d), "f"(y.d));  \
		return r.u;                                                           \
	}
/* the multiply-adds: frD,frA,frC,frB (frA*frC +- frB) */
#define OP3(name, insn)                                                               \
	static uint64_t __attribute__((noinline)) name(uint64_t a, uint64_t b, uint64_t c) \
	{                                                                             \
		union dw x = { .u = a }, y = { .u = b }, z = { .u = c }, r;           \
		__asm__ volatile(insn " %0,%1,%2,%3"                                  \
				 : "=f"(r.d) : "f"(x.d), "f"(y.d), "f"(z.d));         \
		return r.u;                                                           \
	}

OP2(fadd, "fadd")
OP2(fsub, "fsub")
OP2(fdiv, "fdiv")
OP2(fmul, "fmul")
OP3(fmadd, "fmadd")
OP3(fmsub, "fmsub")
OP3(fnmadd, "fnmadd")
OP3(fnmsub, "fnmsub")
OP2(fadds, "fadds")
OP2(fsubs, "fsubs")
OP2(fdivs, "fdivs")
OP2(fmuls, "fmuls")
OP3(fmadds, "fmadds")
OP3(fnmsubs, "fnmsubs")

static const struct {
	const char *name;
	uint64_t (*fn)(uint64_t, uint64_t, uint64_t);
} ops[] = {
	{ "fadd", fadd }, { "fsub", fsub }, { "fdiv", fdiv }, { "fmul", fmul },
	{ "fmadd", fmadd }, { "fmsub", fmsub }, { "fnmadd", fnmadd }, { "fnmsub", fnmsub },
	{ "fadds", fadds }, { "fsubs", fsubs }, { "fdivs", fdivs }, { "fmuls", fmuls },
	{ "fmadds", fmadds }, { "fnmsubs", fnmsubs },
};

#define ONE 0x3ff0000000000000ull
/* operand sets a, b, c: ordinary, inexact, exact, zero results, the edges of the range */
static const uint64_t sets[][3] = {
	{ ONE, 0x4008000000000000ull, ONE },                      /* 1, 3, 1 */
	{ ONE, 0x3c30000000000000ull, ONE },                      /* 1, 2^-60 */
	{ 0x3ff8000000000000ull, 0x4002000000000000ull, ONE },    /* 1.5, 2.25 */
	{ 0xc008000000000000ull, 0x4008000000000000ull, 0x4008000000000000ull }, /* -3, 3, 3 */
	{ 0, 0x4014000000000000ull, 0 },                          /* 0, 5, 0 */
	{ 0x7e37e43c8800759cull, 0x7e37e43c8800759cull, ONE },    /* 1e300, 1e300: overflow */
	{ 0x01a56e1fc2f8f359ull, 0x01a56e1fc2f8f359ull, ONE },    /* 1e-300 twice: underflow */
	{ 0x0010000000000000ull, 0x3fe0000000000000ull, ONE },    /* 2^-1022, 0.5 */
	{ 1, ONE, ONE },                                          /* a denormal, 1 */
	{ 0x7ff0000000000000ull, ONE, ONE },                      /* inf, 1 */
	{ 0x7ff8000000000000ull, ONE, ONE },                      /* NaN, 1 */
	{ ONE, 0x3e70000000000000ull, ONE },                      /* 1, 2^-24: a single's tie */
	{ ONE, 0x3e70000000001000ull, ONE },                      /* 1, 2^-24(1 + 2^-40): twice rounded */
	{ 0x47efffffe0000000ull, 0x4000000000000000ull, ONE },    /* FLT_MAX, 2 */
	{ 0x3810000000000000ull, 0x3fb999999999999aull, ONE },    /* FLT_MIN, 0.1 */
	{ 0x3ff0000040000000ull, 0x3feffffff8000000ull, 0xbff0000000000000ull }, /* cancelling */
	{ 0x400921fb54442d18ull, 0x4005bf0a8b145769ull, 0x3fe0000000000000ull }, /* pi, e, 0.5 */
};

static void show(const char *name, unsigned k, uint64_t r, uint32_t fs)
{
	isa_puts(name);
	isa_putc(' ');
	isa_dec(k);
	isa_puts(": ok ");
	isa_hex64(r);
	isa_putc(' ');
	isa_hex32(fs);
	isa_putc('\n');
}

static void check(const char *what, uint32_t got, uint32_t want)
{
	isa_puts(what);
	isa_puts(got == want ? ": ok " : ": BAD ");
	isa_hex32(got);
	isa_putc('\n');
}

#define XX 0x02000000u  /* set: the JIT's in-line path is open */
#define FI 0x00020000u
#define FR 0x00040000u

/* a lazy inexact sum (FI; FPRF + normal), then an fcmpu 1 < 2 (FPCC 8) */
static uint32_t then_fcmpu(void)
{
	union dw one = { .u = ONE }, two = { .d = 2.0 }, tiny = { .u = 0x3c30000000000000ull }, r;

	__asm__ volatile("fadd %0,%1,%2\n fcmpu 1,%1,%3"
			 : "=&f"(r.d) : "f"(one.d), "f"(tiny.d), "f"(two.d) : "cr1");
	return fpscr();
}

/* a lazy inexact difference of negatives (FI; FPRF - normal), then fctiwz of 2.0 (exact) */
static uint32_t then_fctiwz(void)
{
	union dw m = { .d = -1.0 }, tiny = { .u = 0x3c30000000000000ull }, two = { .d = 2.0 }, r, q;

	__asm__ volatile("fsub %0,%2,%3\n fctiwz %1,%4"
			 : "=&f"(r.d), "=&f"(q.d) : "f"(m.d), "f"(tiny.d), "f"(two.d));
	return fpscr();
}

/* a lazy product rounded up (FR FI), then fmr and fneg, which keep it */
static uint32_t then_move(void)
{
	union dw a = { .d = 1.0 / 3.0 }, b = { .d = 3.0 }, r, s;

	__asm__ volatile("fmul %0,%2,%3\n fmr %1,%0\n fneg %1,%1"
			 : "=&f"(r.d), "=&f"(s.d) : "f"(a.d), "f"(b.d));
	return fpscr();
}

/* a lazy quotient, then a way out to the hypervisor (a UART write) before mffs */
static uint32_t then_exit(void)
{
	union dw a = { .d = 1.0 }, b = { .d = 3.0 }, r;

	__asm__ volatile("fdiv %0,%1,%2" : "=f"(r.d) : "f"(a.d), "f"(b.d));
	isa_putc('.');
	return fpscr();
}

/* a lazy exact product (no FI), then mtfsfi 7,1 (round toward zero) */
static uint32_t then_mtfsfi(void)
{
	union dw a = { .d = 1.5 }, b = { .d = 2.0 }, r;
	uint32_t fs;

	__asm__ volatile("fmul %0,%1,%2\n mtfsfi 7,1" : "=f"(r.d) : "f"(a.d), "f"(b.d));
	fs = fpscr();
	__asm__ volatile("mtfsfi 7,0");
	return fs;
}

/* a lazy inexact sum, then an illegal FP instruction (fre is not the 440's): a program interrupt */
static uint32_t then_illegal(void)
{
	union dw one = { .u = ONE }, tiny = { .u = 0x3c30000000000000ull }, r;

	__asm__ volatile("fadd %0,%1,%2\n .long 0xfc000030" /* fre f0,f0 */
			 : "=&f"(r.d) : "f"(one.d), "f"(tiny.d) : "fr0");
	return fpscr();
}

int main(void)
{
	uint32_t fs = 0;
	uint64_t r = 0;

	for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		for (unsigned k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
			/* XX set, else clear: the in-line path, then the C one */
			for (unsigned xx = 0; xx < 2; xx++) {
				for (unsigned n = 0; n < 4; n++) {
					set_fpscr(xx ? 0 : XX);
					r = ops[o].fn(sets[k][0], sets[k][1], sets[k][2]);
					fs = fpscr();
				}
				show(ops[o].name, 2 * k + xx, r, fs);
			}
		}
	}
	/* hand-worked sequences, hot */
	for (unsigned n = 0; n < 4; n++) {
		set_fpscr(XX);
		fs = then_fcmpu();
	}
	check("fadd inexact, fcmpu lt", fs, XX | FI | 0x8000);
	for (unsigned n = 0; n < 4; n++) {
		set_fpscr(XX);
		fs = then_fctiwz();
	}
	check("fsub inexact negative, fctiwz exact", fs, XX | 0x8000);
	for (unsigned n = 0; n < 4; n++) {
		set_fpscr(XX);
		fs = then_move();
	}
	check("fmul rounded up, fmr, fneg", fs, XX | FR | FI | 0x4000);
	for (unsigned n = 0; n < 4; n++) {
		set_fpscr(XX);
		fs = then_exit();
	}
	isa_putc('\n');
	check("fdiv inexact, an exit", fs, XX | FI | 0x4000);
	for (unsigned n = 0; n < 4; n++) {
		set_fpscr(XX | FI);
		fs = then_mtfsfi();
	}
	check("fmul exact, mtfsfi", fs, XX | 0x4000 | 1);
	isa_handlers[IV_PROGRAM] = isa_record_skip;
	isa_clear_last();
	for (unsigned n = 0; n < 4; n++) {
		set_fpscr(XX);
		fs = then_illegal();
	}
	check("fadd inexact, an illegal FP instruction", fs, XX | FI | 0x4000);
	check("  program interrupts", isa_last.count, 4);
	return 0;
}
