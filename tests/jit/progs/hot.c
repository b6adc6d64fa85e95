/* SPDX-License-Identifier: MIT */
/*
 * hot.c - instructions the JIT translates, run hot (thousands of times, so
 * they are translated, not interpreted) with every outcome checked against
 * values worked out by hand. tests/jit/run.sh runs it on each engine and in
 * lockstep: each line must say "ok", and the engines must print the same.
 */
#include "isa.h"

static volatile uint32_t words[4] __attribute__((aligned(16)));

static uint32_t mfcr(void)
{
	uint32_t v;

	__asm__ volatile("mfcr %0" : "=r"(v));
	return v;
}

/* lwarx; addi; stwcx. - returns CR0 after the stwcx. */
static uint32_t inc_reserved(volatile uint32_t *p)
{
	uint32_t v, cr;

	__asm__ volatile("lwarx %0,0,%2\n addi %0,%0,1\n stwcx. %0,0,%2\n mfcr %1\n isync\n msync\n mbar\n dcbt 0,%2"
			 : "=&r"(v), "=&r"(cr) : "b"(p) : "cr0", "memory");
	return cr >> 28;
}

/* lwarx of a, then stwcx. to b: the reservation does not cover b. */
static uint32_t cross_reserved(volatile uint32_t *a, volatile uint32_t *b)
{
	uint32_t v, cr;

	__asm__ volatile("lwarx %0,0,%2\n stwcx. %0,0,%3\n mfcr %1"
			 : "=&r"(v), "=&r"(cr) : "b"(a), "b"(b) : "cr0", "memory");
	return cr >> 28;
}

/* stwcx. right after a successful one: no reservation left. */
static uint32_t twice(volatile uint32_t *p)
{
	uint32_t v, cr1, cr2;

	__asm__ volatile("lwarx %0,0,%3\n stwcx. %0,0,%3\n mfcr %1\n stwcx. %0,0,%3\n mfcr %2"
			 : "=&r"(v), "=&r"(cr1), "=&r"(cr2) : "b"(p) : "cr0", "memory");
	return (cr1 >> 28) << 4 | cr2 >> 28;
}

/* crt0.S sets MSR[FP] for programs that define this */
const int isa_use_fp = 1;

static uint32_t fpscr(void)
{
	union {
		double d;
		uint32_t w[2];
	} u;

	__asm__ volatile("mffs %0" : "=f"(u.d));
	return u.w[1];
}

/* sum of i * 0.5 for i = 1..n (fmul, fadd; exact); *fs = FPSCR right after */
static double half_sum(unsigned n, uint32_t *fs)
{
	volatile double h = 0.5, one = 1.0;
	double s = 0, x = 0, o = one;

	for (unsigned i = 1; i <= n; i++) {
		x += o;
		s += x * h;
	}
	*fs = fpscr();
	return s;
}

/* q = a / b, n times (the same inexact quotient each time); *fs = FPSCR right after */
static double divide(unsigned n, uint32_t *fs)
{
	volatile double a = 1.0, b = 3.0, q = 0;

	for (unsigned i = 0; i < n; i++)
		q = a / b;
	*fs = fpscr();
	return q;
}

/* lfs then stfd of single bit pattern w: the double the FPR got */
static uint64_t lfs_bits(const volatile uint32_t *w)
{
	union {
		double d;
		uint64_t u;
	} r;

	__asm__ volatile("lfs %0,0(%1)" : "=f"(r.d) : "b"(w) : "memory");
	return r.u;
}

/* fcmpu cr3 of a and b: CR field 3 and FPSCR[FPCC] as (cr3 << 4 | fpcc) */
static uint32_t fcmpu_bits(double a, double b)
{
	uint32_t cr, fs;

	__asm__ volatile("fcmpu 3,%2,%3\n mfcr %0" : "=r"(cr), "=r"(fs) : "f"(a), "f"(b) : "cr3");
	fs = fpscr();
	return (cr >> 16 & 0xf) << 4 | (fs >> 12 & 0xf);
}

/* fctiw of x under rounding mode rn (mtfsfi), then mode 0 again: the low word */
static uint32_t fctiw_rn(double x, unsigned rn)
{
	union {
		double d;
		uint32_t w[2];
	} r;

	if (rn == 1)
		__asm__ volatile("mtfsfi 7,1\n fctiw %0,%1\n mtfsfi 7,0" : "=f"(r.d) : "f"(x));
	else
		__asm__ volatile("mtfsfi 7,0\n fctiw %0,%1" : "=f"(r.d) : "f"(x));
	return r.w[1];
}

/*
 * Three code pages for the jump-cache test: each returns its number. EA_C
 * is 16 MiB above EA_X, so its fetch fast-cache slot is EA_X's (the code
 * in page C sits 0x100 in, so its jump-cache slot is not EA_X's).
 */
static uint32_t page_a[1024] __attribute__((aligned(4096)));
static uint32_t page_b[1024] __attribute__((aligned(4096)));
static uint32_t page_c[1024] __attribute__((aligned(4096)));
#define EA_X 0x20000000u
#define EA_C 0x21000000u
/*
 * For the cross-page chains: EA_S holds "b EA_X" and, in its last word, a
 * nop that falls through into the next page, EA_S + 0x1000.
 */
static uint32_t page_s[1024] __attribute__((aligned(4096)));
#define EA_S 0x20180000u /* its fast-cache slots are not the program's own */

typedef uint32_t (*ret_fn)(void);

static void put_ret(uint32_t *p, uint32_t v)
{
	p[0] = 0x38600000u | v; /* li r3, v */
	p[1] = 0x4e800020u;     /* blr */
}

static uint32_t call_n(ret_fn f, unsigned n)
{
	uint32_t sum = 0;

	for (unsigned k = 0; k < n; k++)
		sum += f();
	return sum;
}

/*
 * A chain of compare-and-branch pairs into cr0, as a switch compiles to:
 * the JIT leaves each compare's field out of CR while the next compare
 * overwrites it (jit.c: crf_can_wait). Returns CR0 where the chain left,
 * read by mfcr, with XER[SO] = so during the chain.
 */
static uint32_t cr_chain(uint32_t x, uint32_t so)
{
	uint32_t cr, zero;

	__asm__ volatile("mtxer %3\n"
			 "cmpwi %2,1\n beq 1f\n"
			 "cmpwi %2,2\n beq 1f\n"
			 "cmplwi %2,3\n bgt 1f\n"
			 "cmpwi %2,0\n"
			 "1: mfcr %0\n"
			 "li %1,0\n mtxer %1"
			 : "=&r"(cr), "=&r"(zero) : "r"(x), "r"(so ? 0x80000000u : 0) : "cr0", "xer");
	return cr >> 28;
}

/*
 * The same with Rc=1 instructions: andi., rlwinm., and. and or. each set
 * CR0 right before a branch on it (lazy: the next one sets CR0 again).
 */
static uint32_t rc_chain(uint32_t x, uint32_t so)
{
	uint32_t cr, t, zero;

	__asm__ volatile("mtxer %4\n"
			 "andi. %1,%3,1\n bne 1f\n"
			 "andi. %1,%3,2\n bne 1f\n"
			 "rlwinm. %1,%3,0,29,29\n bne 1f\n"
			 "and. %1,%3,%3\n blt 1f\n"
			 "or. %1,%3,%3\n"
			 "1: mfcr %0\n"
			 "li %2,0\n mtxer %2"
			 : "=&r"(cr), "=&r"(t), "=&r"(zero) : "r"(x), "r"(so ? 0x80000000u : 0) : "cr0", "xer");
	return cr >> 28;
}

/*
 * Compare-and-branch pairs with li/lis scheduled between the two (the
 * branch still uses the compare's host flags): CR0 at the end plus the
 * value the last li left (16, 32, 48 or 64).
 */
static uint32_t li_chain(uint32_t x, uint32_t so)
{
	uint32_t cr, v, u, zero;

	__asm__ volatile("mtxer %5\n"
			 "cmpwi %4,1\n li %1,16\n beq 1f\n"
			 "cmpwi %4,2\n li %1,32\n lis %2,1\n beq 1f\n"
			 "cmplwi %4,3\n li %1,48\n bgt 1f\n"
			 "cmpwi %4,0\n li %1,64\n"
			 "1: mfcr %0\n"
			 "li %3,0\n mtxer %3"
			 : "=&r"(cr), "=&r"(v), "=&r"(u), "=&r"(zero)
			 : "r"(x), "r"(so ? 0x80000000u : 0) : "cr0", "xer");
	return (cr >> 28) + v;
}

/*
 * n runs of chain(x, so), each right after a run with x = 0 and no SO, so
 * that a CR field the JIT failed to set would show the other run's value:
 * the sum of the n runs of (x, so) alone.
 */
static uint32_t chain_n(uint32_t (*chain)(uint32_t, uint32_t), uint32_t x, uint32_t so, unsigned n)
{
	uint32_t base = chain(0, 0), sum = 0;

	for (unsigned k = 0; k < n; k++)
		sum += chain(0, 0) + chain(x, so);
	return sum - base * n;
}

/*
 * XER[CA] passed from one instruction to the next (lazy in the JIT: it
 * waits in a host register, never in XER): x != 0 by addic/subfe, x == 0
 * by subfic/adde, x / 4 by srawi/addze, x + y as 64 bits by addc/adde.
 * XER starts with CA = ca_in, which none of them may see.
 */
struct ca_out {
	uint32_t ne, eq, q, lo, hi, xer;
};

static void ca_idioms(uint32_t x, uint32_t y, uint32_t ca_in, struct ca_out *o)
{
	uint32_t zero;

	__asm__ volatile("mtxer %9\n"
			 "addic %0,%7,-1\n subfe %0,%0,%7\n"
			 "subfic %1,%7,0\n adde %1,%1,%7\n"
			 "srawi %2,%7,2\n addze %2,%2\n"
			 "addc %3,%7,%8\n adde %4,%7,%8\n"
			 "mfxer %5\n"
			 "li %6,0\n mtxer %6"
			 : "=&r"(o->ne), "=&r"(o->eq), "=&r"(o->q), "=&r"(o->lo), "=&r"(o->hi),
			   "=&r"(o->xer), "=&r"(zero)
			 : "r"(x), "r"(y), "r"(ca_in ? 0x20000000u : 0) : "xer");
}

/* ca_idioms n times (CA in alternating): the last outcome, and how many differed from it */
static uint32_t ca_idioms_n(uint32_t x, uint32_t y, unsigned n, struct ca_out *o)
{
	struct ca_out first, now;
	uint32_t differ = 0;

	ca_idioms(x, y, 0, &first);
	for (unsigned k = 0; k < n; k++) {
		ca_idioms(x, y, k & 1, &now);
		differ += now.ne != first.ne || now.eq != first.eq || now.q != first.q ||
			  now.lo != first.lo || now.hi != first.hi || now.xer != first.xer;
	}
	*o = first;
	return differ;
}

static void check(const char *what, uint32_t got, uint32_t want)
{
	isa_puts(what);
	isa_puts(got == want ? ": ok " : ": BAD ");
	isa_hex32(got);
	isa_putc('\n');
}

int main(void)
{
	uint32_t bad = 0, n, so = 0;

	/* atomics: 3000 successful increments, failures change nothing */
	words[0] = 5;
	for (n = 0; n < 3000; n++) {
		if (inc_reserved(&words[0]) != 2)
			bad++;
		if (cross_reserved(&words[0], &words[1]) != 0)
			bad++;
		if (twice(&words[2]) != 0x20)
			bad++;
	}
	check("lwarx/stwcx. outcomes", bad, 0);
	check("lwarx/stwcx. counter", words[0], 3005);
	check("stwcx. to an unreserved word", words[1], 0);
	/* with XER[SO] set, CR0[SO] follows it on success and failure */
	__asm__ volatile("lis %0,0x8000\n mtxer %0" : "=&r"(so));
	bad = 0;
	for (n = 0; n < 1000; n++) {
		if (inc_reserved(&words[3]) != 3)
			bad++;
		if (cross_reserved(&words[3], &words[1]) != 1)
			bad++;
	}
	__asm__ volatile("li %0,0\n mtxer %0" : "=&r"(so));
	check("stwcx. with SO", bad, 0);

	/* FP arithmetic (the JIT calls the FPU's fast path directly) and its FPSCR */
	{
		union {
			double d;
			uint32_t w[2];
		} r;
		uint32_t fs;

		__asm__ volatile("mtfsf 0xff,%0" : : "f"(0.0));
		r.d = half_sum(3000, &fs);
		check("fp sum of i/2, i <= 3000 (high word)", r.w[0], 0x41412bff); /* 2250750.0 */
		check("fp sum low word", r.w[1], 0);
		check("fpscr after exact sums", fs, 0x00004000); /* FPRF: + normal */
		r.d = divide(2000, &fs);
		check("1/3 high word", r.w[0], 0x3fd55555);
		check("1/3 low word", r.w[1], 0x55555555);
		/* FX, XX (inexact), FI; FR clear (rounded down); FPRF + normal */
		check("fpscr after 1/3", fs, 0x82024000);
	}
	/* the rest of the FPU (mtfsfi, fctiw, fsel, mtfsf): exec() with the GPRs left cached */
	{
		uint32_t sum = 0, a = 0, b = 0;
		volatile double x = 2.5, y = -2.5;

		for (n = 0; n < 2000; n++) {
			a = fctiw_rn(x, 0); /* to nearest even: 2 */
			b = fctiw_rn(y, 1); /* toward zero: -2 */
			sum += a + b + n;
		}
		check("fctiw 2.5 nearest", a, 2);
		check("fctiw -2.5 toward zero", b, 0xfffffffe);
		check("fctiw sum", sum, 1999000);
	}
	/* lfs: zeros and normals in line, denormals, infinities and NaNs in exec() */
	{
		static const uint32_t single[7] = { 0x3fc00000, 0x80000000, 0x00000001, 0x7f800000,
						    0x7fc00000, 0x7f800001, 0xff7fffff };
		static const uint64_t dbl[7] = { 0x3ff8000000000000ull, 0x8000000000000000ull,
						 0x36a0000000000000ull, 0x7ff0000000000000ull,
						 0x7ff8000000000000ull, 0x7ff0000020000000ull,
						 0xc7efffffe0000000ull };
		static const char *const what[7] = { "lfs 1.5", "lfs -0", "lfs denormal", "lfs inf",
						     "lfs qnan", "lfs snan", "lfs -max" };
		volatile uint32_t w;
		uint64_t got[7];

		for (n = 0; n < 1000; n++)
			for (unsigned k = 0; k < 7; k++) {
				w = single[k];
				got[k] = lfs_bits(&w);
			}
		for (unsigned k = 0; k < 7; k++) {
			check(what[k], (uint32_t)(got[k] >> 32), (uint32_t)(dbl[k] >> 32));
			check(what[k], (uint32_t)got[k], (uint32_t)dbl[k]);
		}
	}
	/* fcmpu: CR field and FPCC; NaNs in exec() (FU) */
	{
		union {
			uint64_t u;
			double d;
		} nan = { .u = 0x7ff8000000000000ull }, zero = { .u = 0 }, mzero = { .u = 1ull << 63 };
		uint32_t lt = 0, gt = 0, eq = 0, un = 0;
		volatile double one = 1.0, two = 2.0;

		for (n = 0; n < 2000; n++) {
			lt = fcmpu_bits(one, two);
			gt = fcmpu_bits(two, one);
			eq = fcmpu_bits(mzero.d, zero.d);
			un = fcmpu_bits(nan.d, one);
		}
		check("fcmpu 1 < 2", lt, 0x88);
		check("fcmpu 2 > 1", gt, 0x44);
		check("fcmpu -0 = 0", eq, 0x22);
		check("fcmpu nan", un, 0x11);
		/* C comparisons: fcmpu and a bc right after it (fused in the JIT) */
		lt = gt = eq = 0;
		for (n = 0; n < 3000; n++) {
			double x = (double)(n % 3), y = one;

			if (x < y)
				lt++;
			else if (x > y)
				gt++;
			else
				eq++;
		}
		check("fcmpu/bc counts", lt << 20 | gt << 10 | eq, 1000u << 20 | 1000u << 10 | 1000u);
	}
	/*
	 * The jump cache must forget an EA whose mapping changed even when its
	 * fetch fast-cache slot was taken by another page meanwhile: EA_X runs
	 * page A hot, EA_C (same slot) runs page C, then EA_X is mapped to page
	 * B and must run B.
	 */
	{
		uint32_t x1, c1, x2;

		put_ret(page_a, 1);
		put_ret(page_b, 2);
		put_ret(page_c + 64, 3); /* at +0x100: another jump-cache slot than EA_X's */
		isa_tlb_write(60, EA_X, (uint32_t)page_a, 1, 0, 0, TLB_SX | TLB_SR);
		x1 = call_n((ret_fn)EA_X, 3000);
		isa_tlb_write(61, EA_C, (uint32_t)page_c, 1, 0, 0, TLB_SX | TLB_SR);
		c1 = call_n((ret_fn)(EA_C + 0x100), 3000);
		isa_tlb_write(60, EA_X, (uint32_t)page_b, 1, 0, 0, TLB_SX | TLB_SR);
		x2 = call_n((ret_fn)EA_X, 3000);
		isa_tlb_invalidate(60);
		isa_tlb_invalidate(61);
		check("code at EA_X, page A", x1, 3000);
		check("code at EA_C, page C", c1, 9000);
		check("code at EA_X remapped to page B", x2, 6000);
	}
	/*
	 * A direct branch and a fall-through into another page are chained
	 * under a guard: each runs hot into page A, then its target EA is
	 * mapped to page B (the chain must follow), then unmapped (an ITLB
	 * miss at the target, not page B's code).
	 */
	{
		uint32_t b1, b2, f1, f2, miss_b, miss_f;

		put_ret(page_a, 1);
		put_ret(page_b, 2);
		page_s[0] = 0x48000000u | ((EA_X - EA_S) & 0x03fffffcu); /* b EA_X */
		page_s[2] = 0x38600007u;                                  /* li r3, 7 */
		page_s[3] = 0x4e800020u;                                  /* blr */
		page_s[1023] = 0x60000000u;                               /* nop */
		isa_tlb_write(59, EA_S, (uint32_t)page_s, TLB_SIZE_4K, 0, 0, TLB_SX | TLB_SR);
		isa_tlb_write(60, EA_X, (uint32_t)page_a, TLB_SIZE_4K, 0, 0, TLB_SX | TLB_SR);
		isa_tlb_write(61, EA_S + 0x1000, (uint32_t)page_a, TLB_SIZE_4K, 0, 0, TLB_SX | TLB_SR);
		b1 = call_n((ret_fn)EA_S, 3000);
		f1 = call_n((ret_fn)(EA_S + 0xffc), 3000);
		isa_tlb_write(60, EA_X, (uint32_t)page_b, TLB_SIZE_4K, 0, 0, TLB_SX | TLB_SR);
		isa_tlb_write(61, EA_S + 0x1000, (uint32_t)page_b, TLB_SIZE_4K, 0, 0, TLB_SX | TLB_SR);
		b2 = call_n((ret_fn)EA_S, 3000);
		f2 = call_n((ret_fn)(EA_S + 0xffc), 3000);
		/* unmapped: the ITLB miss resumes at EA_S + 8, which returns 7 */
		isa_handlers[IV_ITLB] = isa_record_resume;
		isa_resume_at = EA_S + 8;
		isa_tlb_invalidate(60);
		isa_clear_last();
		miss_b = ((ret_fn)EA_S)() == 7 && isa_last.count == 1 && isa_last.srr0 == EA_X;
		isa_tlb_invalidate(61);
		isa_clear_last();
		miss_f = ((ret_fn)(EA_S + 0xffc))() == 7 && isa_last.count == 1 &&
			 isa_last.srr0 == EA_S + 0x1000;
		isa_handlers[IV_ITLB] = 0;
		isa_tlb_invalidate(59);
		check("b to another page, page A", b1, 3000);
		check("fall-through into another page, page A", f1, 3000);
		check("b to another page remapped to page B", b2, 6000);
		check("fall-through remapped to page B", f2, 6000);
		check("b to another page unmapped: ITLB miss", miss_b, 1);
		check("fall-through unmapped: ITLB miss", miss_f, 1);
	}
	/* CR0 (LT 8, GT 4, EQ 2, SO 1) where the chain leaves, taken or not, 1000 times each */
	check("lazy CR: x=1, first beq taken", chain_n(cr_chain, 1, 0, 1000), 2000);
	check("lazy CR: x=2, second beq taken", chain_n(cr_chain, 2, 0, 1000), 2000);
	check("lazy CR: x=5, bgt (unsigned) taken", chain_n(cr_chain, 5, 0, 1000), 4000);
	check("lazy CR: x=-1, bgt (unsigned) taken", chain_n(cr_chain, 0xffffffffu, 0, 1000), 4000);
	check("lazy CR: x=3, none taken", chain_n(cr_chain, 3, 0, 1000), 4000);
	check("lazy CR: x=0, none taken", chain_n(cr_chain, 0, 0, 1000), 2000);
	check("lazy CR: x=1 with SO", chain_n(cr_chain, 1, 1, 1000), 3000);
	check("lazy CR: x=5 with SO", chain_n(cr_chain, 5, 1, 1000), 5000);
	check("lazy CR: x=0 with SO", chain_n(cr_chain, 0, 1, 1000), 3000);
	/* li/lis between the compare and the bc: CR0 (EQ 2, GT 4, plus SO 1) + the li's 16..64 */
	check("li between: x=1, first beq taken", chain_n(li_chain, 1, 0, 1000), 18000);
	check("li between: x=2, second beq taken (li, lis)", chain_n(li_chain, 2, 0, 1000), 34000);
	check("li between: x=5, bgt taken", chain_n(li_chain, 5, 0, 1000), 52000);
	check("li between: x=-1, bgt (unsigned) taken", chain_n(li_chain, 0xffffffffu, 0, 1000), 52000);
	check("li between: x=3, none taken", chain_n(li_chain, 3, 0, 1000), 68000);
	check("li between: x=0, none taken", chain_n(li_chain, 0, 0, 1000), 66000);
	check("li between: x=1 with SO", chain_n(li_chain, 1, 1, 1000), 19000);
	check("li between: x=5 with SO", chain_n(li_chain, 5, 1, 1000), 53000);
	/* lazy XER[CA] between the two instructions of each idiom */
	{
		static const struct {
			uint32_t x, y;
			struct ca_out want;
		} cases[] = {
			{ 0, 0, { 0, 1, 0, 0, 0, 0 } },
			{ 5, 0xfffffffeu, { 1, 0, 1, 3, 4, 0x20000000u } },
			{ 0xfffffff9u, 1, { 1, 0, 0xffffffffu, 0xfffffffau, 0xfffffffau, 0 } },
			{ 0x80000000u, 0x80000000u, { 1, 0, 0xe0000000u, 0, 1, 0x20000000u } },
		};
		struct ca_out o;

		for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			uint32_t differ = ca_idioms_n(cases[c].x, cases[c].y, 1000, &o);

			isa_puts("lazy CA: x=");
			isa_hex32(cases[c].x);
			isa_putc('\n');
			check("  addic/subfe: x != 0", o.ne, cases[c].want.ne);
			check("  subfic/adde: x == 0", o.eq, cases[c].want.eq);
			check("  srawi/addze: x / 4", o.q, cases[c].want.q);
			check("  addc: low word", o.lo, cases[c].want.lo);
			check("  adde: high word", o.hi, cases[c].want.hi);
			check("  XER after", o.xer, cases[c].want.xer);
			check("  runs that differed (CA in 0 and 1)", differ, 0);
		}
	}
	/* CR0 from Rc=1: GT 4, LT 8, EQ 2, plus SO 1 */
	check("lazy CR0: x=1, first bne taken", chain_n(rc_chain, 1, 0, 1000), 4000);
	check("lazy CR0: x=2, second bne taken", chain_n(rc_chain, 2, 0, 1000), 4000);
	check("lazy CR0: x=4, rlwinm. bne taken", chain_n(rc_chain, 4, 0, 1000), 4000);
	check("lazy CR0: x=0x80000000, and. blt taken", chain_n(rc_chain, 0x80000000u, 0, 1000), 8000);
	check("lazy CR0: x=0x100, none taken, or. GT", chain_n(rc_chain, 0x100, 0, 1000), 4000);
	check("lazy CR0: x=0, none taken, or. EQ", chain_n(rc_chain, 0, 0, 1000), 2000);
	check("lazy CR0: x=1 with SO", chain_n(rc_chain, 1, 1, 1000), 5000);
	check("lazy CR0: x=0x80000000 with SO", chain_n(rc_chain, 0x80000000u, 1, 1000), 9000);
	check("lazy CR0: x=0 with SO", chain_n(rc_chain, 0, 1, 1000), 3000);
	isa_exit();
}
