/* SPDX-License-Identifier: MIT */
/* debug.c - the guest's debug facilities in internal debug mode: each event, DBSR, CSRR0/1, imprecise cases. */
#include "isa.h"

/*
 * PPC440x5 CPU Core User's Manual, chapter 8 and 6.4.16 ("Debug Interrupt").
 * Every case arms one kind of event with DBCR0[IDM], turns MSR[DE] on in
 * the code under test (small asm functions with labels, so the addresses
 * the manual names are known), and prints what the debug handler saw:
 * DBSR, CSRR0 as an offset from a label, CSRR1. The handler turns every
 * event off (DBCR0 = 0, DBSR cleared) and returns with DE = 0, so the
 * suppressed instruction then runs normally.
 */
#define SPR_CSRR0 58
#define SPR_CSRR1 59
#define SPR_DBSR 304
#define SPR_DBCR1 309
#define SPR_DBCR2 310
#define SPR_IAC1 312
#define SPR_IAC2 313
#define SPR_IAC3 314
#define SPR_IAC4 315
#define SPR_DAC1 316
#define SPR_DAC2 317

#define MSR_DE 0x200u
#define IDM 0x40000000u
#define ICMP 0x08000000u
#define BRT 0x04000000u
#define IRPT 0x02000000u
#define TRAP 0x01000000u
#define IAC1 0x00800000u
#define IAC2 0x00400000u
#define IAC3 0x00200000u
#define IAC4 0x00100000u
#define DAC1R 0x00080000u
#define DAC1W 0x00040000u
#define DAC2R 0x00020000u
#define DAC2W 0x00010000u
#define RET 0x00008000u

/* The code under test: r3 = MSR with DE, r4 = a data address; each returns r5. */
uint32_t t_icmp(uint32_t msr, uint32_t p);
uint32_t t_brt(uint32_t msr, uint32_t p);
uint32_t t_trap(uint32_t msr, uint32_t p);
uint32_t t_iac(uint32_t msr, uint32_t p);
uint32_t t_st(uint32_t msr, uint32_t p);
uint32_t t_ld(uint32_t msr, uint32_t p);
uint32_t t_ret(uint32_t msr, uint32_t p);
uint32_t t_sc(uint32_t msr, uint32_t p);
uint32_t t_rfi_de(uint32_t msr, uint32_t p);
uint32_t t_de_on(uint32_t msr, uint32_t p);
extern char t_icmp_2[], t_brt_b[], t_trap_tw[], t_iac_a[], t_iac_b[], t_iac_c[], t_st_st[],
	t_ld_ld[], t_ret_rfi[], t_ret_to[], t_sc_sc[], t_de_on_next[], isa_vectors[];

__asm__(
	".text\n"
	/* ICMP: mtmsr sets DE (it ran with DE = 0: no event); the addi after it completes */
	".globl t_icmp\n t_icmp:\n"
	"	li 5,0\n"
	"	mtmsr 3\n"
	"	addi 5,5,1\n"
	".globl t_icmp_2\n t_icmp_2:\n"
	"	addi 5,5,1\n"
	"	mr 3,5\n	blr\n"
	/* BRT: a bc not taken, then a b taken */
	".globl t_brt\n t_brt:\n"
	"	li 5,0\n"
	"	mtmsr 3\n"
	"	cmpwi 5,1\n"
	"	beq 1f\n"
	"	addi 5,5,1\n"
	".globl t_brt_b\n t_brt_b:\n"
	"	b 2f\n"
	"1:	addi 5,5,16\n"
	"2:	mr 3,5\n	blr\n"
	/* TRAP: tw 31,0,0 */
	".globl t_trap\n t_trap:\n"
	"	li 5,0\n"
	"	mtmsr 3\n"
	"	addi 5,5,1\n"
	".globl t_trap_tw\n t_trap_tw:\n"
	"	trap\n"
	"	addi 5,5,1\n"
	"	mr 3,5\n	blr\n"
	/* IAC: three labelled instructions */
	".globl t_iac\n t_iac:\n"
	"	li 5,0\n"
	"	mtmsr 3\n"
	"	nop\n"
	".globl t_iac_a\n t_iac_a:\n"
	"	addi 5,5,1\n"
	".globl t_iac_b\n t_iac_b:\n"
	"	addi 5,5,2\n"
	".globl t_iac_c\n t_iac_c:\n"
	"	addi 5,5,4\n"
	"	mr 3,5\n	blr\n"
	/* a store of 0x11 to (r4) */
	".globl t_st\n t_st:\n"
	"	li 5,0x11\n"
	"	mtmsr 3\n"
	".globl t_st_st\n t_st_st:\n"
	"	stw 5,0(4)\n"
	"	mr 3,5\n	blr\n"
	/* a word load from (r4) */
	".globl t_ld\n t_ld:\n"
	"	li 5,0\n"
	"	mtmsr 3\n"
	".globl t_ld_ld\n t_ld_ld:\n"
	"	lwz 5,0(4)\n"
	"	mr 3,5\n	blr\n"
	/* RET: rfi to t_ret_to with MSR = r3 (DE stays 1 across the rfi) */
	".globl t_ret\n t_ret:\n"
	"	li 5,0\n"
	"	lis 6,t_ret_to@ha\n"
	"	addi 6,6,t_ret_to@l\n"
	"	mtsrr0 6\n"
	"	mtsrr1 3\n"
	"	mtmsr 3\n"
	".globl t_ret_rfi\n t_ret_rfi:\n"
	"	rfi\n"
	"	li 5,99\n"
	".globl t_ret_to\n t_ret_to:\n"
	"	addi 5,5,1\n"
	"	mr 3,5\n	blr\n"
	/* rfi with MSR[DE] = 0 to t_ret_to, restoring MSR = r3 (DE = 1) */
	".globl t_rfi_de\n t_rfi_de:\n"
	"	li 5,0\n"
	"	lis 6,t_ret_to@ha\n"
	"	addi 6,6,t_ret_to@l\n"
	"	mtsrr0 6\n"
	"	mtsrr1 3\n"
	"	rfi\n"
	/* IRPT: sc with r0 = 7 (the test's system call handler adds 1 to r5) */
	".globl t_sc\n t_sc:\n"
	"	li 5,0\n"
	"	li 0,7\n"
	"	mtmsr 3\n"
	".globl t_sc_sc\n t_sc_sc:\n"
	"	sc\n"
	"	mr 3,5\n	blr\n"
	/* DE on: where a delayed (imprecise) debug interrupt is taken */
	".globl t_de_on\n t_de_on:\n"
	"	li 5,0\n"
	"	mtmsr 3\n"
	".globl t_de_on_next\n t_de_on_next:\n"
	"	addi 5,5,1\n"
	"	mr 3,5\n	blr\n");

static volatile uint32_t hits, seen_dbsr, seen_csrr0, seen_csrr1, seen_word;
static volatile uint32_t *watch_word;
static int keep_dbsr; /* run() leaves the DBSR as it is (a recorded event must stay) */
static volatile uint32_t data[8] __attribute__((aligned(32)));

static void debug_handler(struct isa_frame *f)
{
	seen_dbsr = mfspr(SPR_DBSR);
	mtspr(SPR_DBCR0, 0);
	hits++;
	seen_csrr0 = f->srr0; /* crt0 saved CSRR0/CSRR1 in the frame's srr0/srr1 */
	seen_csrr1 = f->srr1;
	seen_word = watch_word ? *watch_word : 0;
	mtspr(SPR_DBSR, 0xffffffffu);
	f->srr1 &= ~MSR_DE;
	if (seen_dbsr & TRAP)
		f->srr0 += 4; /* the trap's work is done: go on after it */
}

static void sc_handler(struct isa_frame *f)
{
	f->gpr[5] += 1;
}

static void program_handler(struct isa_frame *f)
{
	isa_record_skip(f);
}

/* Arms dbcr0 (and DBCR1/2 as given), runs fn with MSR[DE] on, prints what happened. */
static uint32_t run(const char *name, uint32_t (*fn)(uint32_t, uint32_t), uint32_t p,
		    uint32_t dbcr0, uint32_t dbcr1, uint32_t dbcr2, const char *base_name, const char *base)
{
	uint32_t r, msr = mfmsr();

	hits = seen_dbsr = seen_csrr0 = seen_csrr1 = 0;
	if (!keep_dbsr)
		mtspr(SPR_DBSR, 0xffffffffu);
	mtspr(SPR_DBCR1, dbcr1);
	mtspr(SPR_DBCR2, dbcr2);
	mtspr(SPR_DBCR0, dbcr0);
	__asm__ volatile("isync");
	r = fn(msr | MSR_DE, p);
	mtmsr(msr);
	mtspr(SPR_DBCR0, 0);
	isa_puts(name);
	isa_puts(": hits=");
	isa_dec(hits);
	isa_puts(" dbsr=");
	isa_hex32(seen_dbsr);
	if (hits) {
		isa_puts(" csrr0=");
		isa_puts(base_name);
		isa_puts("+");
		isa_hex32(seen_csrr0 - (uint32_t)base);
		isa_puts(" csrr1=");
		isa_hex32(seen_csrr1);
	}
	isa_puts(" r5=");
	isa_dec(r);
	isa_putc('\n');
	return r;
}

int main(void)
{
	uint32_t v, msr = mfmsr();

	isa_handlers[IV_DEBUG] = debug_handler;
	isa_handlers[IV_SYSCALL] = sc_handler;
	isa_handlers[IV_PROGRAM] = program_handler;

	/* ICMP: CSRR0 is the instruction after the one that completed (6.4.16) */
	run("icmp", t_icmp, 0, IDM | ICMP, 0, 0, "t_icmp_2", t_icmp_2);
	/* BRT: the taken branch is suppressed, CSRR0 is the branch itself (8.3.4) */
	run("brt", t_brt, 0, IDM | BRT, 0, 0, "t_brt_b", t_brt_b);
	/* TRAP with DE = 1: a debug interrupt instead of the program interrupt, CSRR0 = the tw */
	isa_clear_last();
	run("trap", t_trap, 0, IDM | TRAP, 0, 0, "t_trap_tw", t_trap_tw);
	isa_check("trap: no program interrupt", isa_last.count == 0);
	isa_clear_last();

	/* IAC exact (8.3.1): IAC1 at t_iac_b, suppressed, CSRR0 = t_iac_b */
	mtspr(SPR_IAC1, (uint32_t)t_iac_b);
	run("iac1", t_iac, 0, IDM | IAC1, 0, 0, "t_iac_b", t_iac_b);
	/* IAC4 exact at t_iac_c */
	mtspr(SPR_IAC4, (uint32_t)t_iac_c);
	run("iac4", t_iac, 0, IDM | IAC4, 0, 0, "t_iac_c", t_iac_c);
	/* user/supervisor: IAC1US = 0b11 (user only) never fires here; IAC2US = 0b10 does */
	mtspr(SPR_IAC1, (uint32_t)t_iac_a);
	mtspr(SPR_IAC2, (uint32_t)t_iac_c);
	run("iac1-user-iac2-sup", t_iac, 0, IDM | IAC1 | IAC2, 0xc0000000u | 0x08000000u, 0,
	    "t_iac_c", t_iac_c);
	/* ER = 0b11: only MSR[IS] = 1 fetches match; here IS = 0, so IAC3 (ER 0b10) wins */
	mtspr(SPR_IAC3, (uint32_t)t_iac_c);
	mtspr(SPR_IAC4, (uint32_t)t_iac_a);
	run("iac-er", t_iac, 0, IDM | IAC3 | IAC4, 0x00002000u | 0x00000300u, 0, "t_iac_c", t_iac_c);
	/* range inclusive (IAC12M = 0b10): IAC1 <= a < IAC2 -> the first one in range, t_iac_b */
	mtspr(SPR_IAC1, (uint32_t)t_iac_b);
	mtspr(SPR_IAC2, (uint32_t)t_iac_c);
	run("iac12-inclusive", t_iac, 0, IDM | IAC1 | IAC2, 0x00800000u, 0, "t_iac_b", t_iac_b);
	/* range exclusive (IAC34M = 0b11): a < IAC3 or a >= IAC4; the range holds t_iac..t_iac_a */
	mtspr(SPR_IAC3, (uint32_t)t_iac);
	mtspr(SPR_IAC4, (uint32_t)t_iac_b);
	run("iac34-exclusive", t_iac, 0, IDM | IAC4, 0x000000c0u, 0, "t_iac_b", t_iac_b);

	/* DAC1 write, exact (8.3.2): the store is suppressed (the handler sees the old word) */
	data[0] = 0x5a;
	watch_word = &data[0];
	mtspr(SPR_DAC1, (uint32_t)&data[0]);
	run("dac1w", t_st, (uint32_t)&data[0], IDM | DAC1W, 0, 0, "t_st_st", t_st_st);
	isa_show("dac1w: word seen by the handler", seen_word);
	isa_show("dac1w: word after", data[0]);
	/* a read does not match DAC1W; DAC2R matches the load */
	mtspr(SPR_DAC2, (uint32_t)&data[0]);
	run("dac2r", t_ld, (uint32_t)&data[0], IDM | DAC1W | DAC2R, 0, 0, "t_ld_ld", t_ld_ld);
	/* exact compares the starting address: a word load at DAC1-2 (covering DAC1) misses */
	mtspr(SPR_DAC1, (uint32_t)&data[3]);
	run("dac1r-start", t_ld, (uint32_t)&data[3] - 2, IDM | DAC1R, 0, 0, "t_ld_ld", t_ld_ld);
	/* DAC user only (DAC1US = 0b11): a supervisor store misses */
	mtspr(SPR_DAC1, (uint32_t)&data[1]);
	run("dac1w-user", t_st, (uint32_t)&data[1], IDM | DAC1W, 0, 0xc0000000u, "t_st_st", t_st_st);
	/* bit mask mode (DAC12M = 0b01): DAC1 = data+3, DAC2 = ~3: a word load at data matches */
	mtspr(SPR_DAC1, (uint32_t)&data[0] + 3);
	mtspr(SPR_DAC2, 0xfffffffcu);
	run("dac12-mask", t_ld, (uint32_t)&data[0], IDM | DAC1R | DAC2R, 0, 0x00400000u, "t_ld_ld",
	    t_ld_ld);
	/* range inclusive (0b10): DAC1 <= ea < DAC2; both write enables -> both bits */
	mtspr(SPR_DAC1, (uint32_t)&data[2]);
	mtspr(SPR_DAC2, (uint32_t)&data[6]);
	run("dac12-inclusive", t_st, (uint32_t)&data[5], IDM | DAC1W | DAC2W, 0, 0x00800000u,
	    "t_st_st", t_st_st);
	/* range exclusive (0b11): [1 MiB, data+28) holds the program and data[0-6]: only data[7] is out */
	mtspr(SPR_DAC1, 0x00100000u);
	mtspr(SPR_DAC2, (uint32_t)&data[7]);
	run("dac12-exclusive-in", t_st, (uint32_t)&data[5], IDM | DAC1W, 0, 0x00c00000u, "t_st_st",
	    t_st_st);
	run("dac12-exclusive-out", t_st, (uint32_t)&data[7], IDM | DAC1W, 0, 0x00c00000u, "t_st_st",
	    t_st_st);
	watch_word = 0;

	/* RET (8.3.6): DE = 1, the rfi is suppressed, CSRR0 = the rfi */
	run("ret", t_ret, 0, IDM | RET, 0, 0, "t_ret_rfi", t_ret_rfi);
	/*
	 * RET with DE = 0 (8.3.6): an rfi records RET and IDE and returns; the rfi set DE, so
	 * the delayed interrupt comes at once, CSRR0 = where the rfi returned to (6.4.16)
	 */
	run("ret DE=0", t_rfi_de, 0, IDM | RET, 0, 0, "t_ret_to", t_ret_to);
	/* IRPT (8.3.8): after the system call interrupt, CSRR0 = its vector (IVOR8's stub) */
	run("irpt", t_sc, 0, IDM | IRPT, 0, 0, "isa_vectors", isa_vectors);

	/* Imprecise: events with MSR[DE] = 0 set DBSR[IDE] and interrupt once DE is 1 (8.3) */
	mtspr(SPR_DBSR, 0xffffffffu);
	mtspr(SPR_IAC1, (uint32_t)t_iac_b);
	mtspr(SPR_DBCR1, 0);
	mtspr(SPR_DBCR0, IDM | IAC1);
	__asm__ volatile("isync");
	v = t_iac(msr, 0); /* DE stays 0 */
	isa_show("iac1 DE=0: r5", v);
	isa_show("iac1 DE=0: dbsr", mfspr(SPR_DBSR));
	mtspr(SPR_DBCR0, IDM); /* no more events, the recorded one stays */
	keep_dbsr = 1;
	run("iac1 DE=0 then DE=1", t_de_on, 0, IDM, 0, 0, "t_de_on_next", t_de_on_next);
	keep_dbsr = 0;
	/* ICMP and BRT cannot occur with DE = 0 */
	mtspr(SPR_DBSR, 0xffffffffu);
	mtspr(SPR_DBCR0, IDM | ICMP | BRT);
	__asm__ volatile("isync");
	v = t_brt(msr, 0);
	mtspr(SPR_DBCR0, 0);
	isa_show("icmp+brt DE=0: dbsr", mfspr(SPR_DBSR));
	/* TRAP with DE = 0: DBSR[TRAP,IDE] and the program interrupt as without debug */
	isa_clear_last();
	mtspr(SPR_DBCR0, IDM | TRAP);
	__asm__ volatile("isync");
	v = t_trap(msr, 0);
	mtspr(SPR_DBCR0, 0);
	isa_show("trap DE=0: dbsr", mfspr(SPR_DBSR));
	isa_show_int("trap DE=0", 0);
	/* DAC with DE = 0: recorded, the store is done */
	mtspr(SPR_DBSR, 0xffffffffu);
	data[4] = 1;
	mtspr(SPR_DAC1, (uint32_t)&data[4]);
	mtspr(SPR_DBCR2, 0);
	mtspr(SPR_DBCR0, IDM | DAC1W);
	__asm__ volatile("isync");
	t_st(msr, (uint32_t)&data[4]);
	mtspr(SPR_DBCR0, 0);
	isa_show("dac1w DE=0: dbsr", mfspr(SPR_DBSR));
	isa_show("dac1w DE=0: word", data[4]);
	/* no IDM (trace mode): nothing is recorded, no interrupt */
	mtspr(SPR_DBSR, 0xffffffffu);
	run("no IDM", t_icmp, 0, ICMP | IAC1, 0, 0, "t_icmp_2", t_icmp_2);
	isa_show("dbcr0 EDM reads 0", mfspr(SPR_DBCR0) & 0x80000000u);
	mtspr(SPR_DBSR, 0xffffffffu);
	isa_puts("done\n");
	return 0;
}
