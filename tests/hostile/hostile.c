/* SPDX-License-Identifier: MIT */
/*
 * hostile.c - a guest that misbehaves on purpose: storms of bus errors,
 * privileged instructions from user mode and decrementer interrupts, TLB
 * thrashing, and code that rewrites itself with every store width. The
 * counts it prints are exact; hv440 must do what the 440 does and live.
 */
#include "isa.h"

/* Handler table writes must happen before the accesses that trap (no dead-store elimination). */
#define BARRIER() __asm__ volatile("" : : : "memory")
#define NOTHING_THERE 0x90000000u /* no RAM, no device on the bamboo's bus */

static volatile uint32_t n_mc, n_prog, n_dec, n_dtlb;
static uint32_t rng = 0x2545f491u;

static uint32_t next(void)
{
	return isa_xorshift(&rng);
}

static void on_mc(struct isa_frame *f) { n_mc++; f->srr0 += 4; }
static void on_prog(struct isa_frame *f) { n_prog++; f->srr0 += 4; }
static volatile uint32_t zeroed_esr;
static void on_zeroed_code(struct isa_frame *f) { n_prog++; zeroed_esr = f->esr; f->srr0 = f->lr; }
static void on_dec(struct isa_frame *f) { (void)f; n_dec++; mtspr(SPR_TSR, 0x08000000u); }

/* A data TLB miss in the thrash window maps the 4K page (entry 63) and retries. */
static void on_dtlb(struct isa_frame *f)
{
	n_dtlb++;
	isa_tlb_write(63, f->dear & ~0xfffu, 0x00800000u | (f->dear & 0x000ff000u), TLB_SIZE_4K,
		      0, 0, TLB_SR | TLB_SW);
}

static void bus_error_storm(void)
{
	volatile uint32_t *p = (volatile uint32_t *)NOTHING_THERE;
	uint32_t i;

	isa_tlb_write(62, NOTHING_THERE, NOTHING_THERE, TLB_SIZE_16M, 0, 0,
		      TLB_I | TLB_G | TLB_SR | TLB_SW);
	isa_handlers[IV_MCHECK] = on_mc;
	BARRIER();
	for (i = 0; i < 20000; i++) {
		(void)p[i & 0xfff];
		p[(i * 7) & 0xfff] = i;
	}
	isa_handlers[IV_MCHECK] = 0;
	BARRIER();
	isa_tlb_invalidate(62);
	isa_show("machine checks (40000)", n_mc);
}

static uint32_t user_priv(uint32_t n)
{
	uint32_t i, x = 0;

	for (i = 0; i < n; i++)
		x += mfmsr(); /* privileged: a program interrupt each time */
	return x;
}

static void privileged_storm(void)
{
	isa_handlers[IV_PROGRAM] = on_prog;
	BARRIER();
	isa_tlb_user_ok();
	isa_call_user(user_priv, 30000, MSR_PR | MSR_ME);
	isa_handlers[IV_PROGRAM] = 0;
	BARRIER();
	isa_show("privileged from user (30000)", n_prog);
}

static void tlb_thrash(void)
{
	uint32_t i, sum = 0;

	isa_handlers[IV_DTLB] = on_dtlb;
	BARRIER();
	for (i = 0; i < 20000; i++) {
		uint32_t size = next() % 6;           /* 1K .. 1M */
		uint32_t span = 0x400u << (2 * size);
		uint32_t ea = 0x40000000u + (next() & 0x0ff00000u);
		uint32_t pa = next() & 0x0ff00000u & ~(span - 1);

		isa_tlb_write(2 + i % 60, ea & ~(span - 1), pa, size, 0, 0, TLB_SR);
		sum += *(volatile uint32_t *)(ea & ~(span - 1));
		/* A page nobody mapped: a miss, which the handler resolves. */
		sum += *(volatile uint32_t *)(0x30000000u + ((i & 0xff) << 12));
		isa_tlb_invalidate(63);
	}
	for (i = 2; i < 64; i++) /* entry 0: RAM, entry 1: UART0 (crt0.S) */
		isa_tlb_invalidate(i);
	isa_handlers[IV_DTLB] = 0;
	BARRIER();
	(void)sum;
	isa_show("data TLB misses (20000)", n_dtlb);
}

static void interrupt_storm(void)
{
	uint32_t i, x = 1;

	isa_handlers[IV_DEC] = on_dec;
	BARRIER();
	/* ARE before DEC: a DEC that reaches 0 without ARE stops there (PPC440x5 manual, 7.2). */
	mtspr(SPR_TCR, 0x04400000u); /* DIE | ARE */
	/*
	 * Every 40000 ticks (100 us at the bamboo's 400 MHz): a storm, yet one a slow host
	 * (a sanitizer build) can still make progress under.
	 */
	mtspr(SPR_DECAR, 40000);
	mtspr(SPR_DEC, 40000);
	mtmsr(mfmsr() | MSR_EE);
	for (i = 0; i < 3000000; i++)
		x = x * 1103515245u + 12345u;
	/* However fast the host, the storm goes on until 200 interrupts came (or ~forever). */
	for (i = 0; n_dec < 200 && i < 0x7fffffffu; i++)
		;
	mtmsr(mfmsr() & ~MSR_EE);
	mtspr(SPR_TCR, 0);
	mtspr(SPR_TSR, 0x08000000u);
	isa_handlers[IV_DEC] = 0;
	BARRIER();
	isa_show("work done under the storm", x);
	isa_check("200 decrementer interrupts taken during the work", n_dec >= 200);
}

/* li r3,IMM ; blr - rewritten in place, then run after the architected icbi/isync. */
static uint32_t code[8] __attribute__((aligned(32)));

static uint32_t run_code(void)
{
	__asm__ volatile("dcbst 0,%0; msync; icbi 0,%0; isync" : : "r"(code) : "memory");
	return ((uint32_t (*)(void))(void *)code)();
}

static void self_modifying(void)
{
	uint8_t *b = (uint8_t *)code;
	uint16_t *h = (uint16_t *)code;

	code[0] = 0x38600001u; /* li r3,1 */
	code[1] = 0x4e800020u; /* blr */
	isa_show("smc word", run_code());
	b[3] = 0x02;            /* stb: li r3,2 */
	isa_show("smc byte", run_code());
	h[1] = 0x0003;          /* sth: li r3,3 */
	isa_show("smc half", run_code());
	{
		register uint32_t r30 __asm__("r30") = 0x38600004u; /* li r3,4 */
		register uint32_t r31 __asm__("r31") = 0x4e800020u;
		__asm__ volatile("stmw 30,0(%0)" : : "b"(code), "r"(r30), "r"(r31) : "memory");
	}
	isa_show("smc stmw", run_code());
	{
		register uint32_t r5 __asm__("r5") = 0x38600005u;
		register uint32_t r6 __asm__("r6") = 0x4e800020u;
		__asm__ volatile("stswi 5,%0,8" : : "b"(code), "r"(r5), "r"(r6) : "memory");
	}
	isa_show("smc stswi", run_code());
	/* dcbz turns the code into zeros: an illegal instruction, "returned" from by the handler. */
	n_prog = 0;
	isa_handlers[IV_PROGRAM] = on_zeroed_code;
	BARRIER();
	__asm__ volatile("dcbz 0,%0" : : "r"(code) : "memory");
	(void)run_code();
	isa_handlers[IV_PROGRAM] = 0;
	BARRIER();
	isa_show("smc dcbz: illegal-instruction interrupts (1)", n_prog);
	isa_show("smc dcbz: esr", zeroed_esr);
}

int main(void)
{
	mtmsr(mfmsr() | MSR_ME);
	bus_error_storm();
	privileged_storm();
	tlb_thrash();
	interrupt_storm();
	self_modifying();
	isa_puts("hostile: survived\n");
	isa_exit();
}
