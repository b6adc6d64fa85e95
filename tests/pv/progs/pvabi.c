/* SPDX-License-Identifier: MIT */
/* pvabi.c - bare-metal test of hv440's paravirt ABI: hypercalls, magic page, EV_IDLE, byte channel 0. */
#include "isa.h"
#include "hcall.h"

/* The /hypervisor node's hcall-instructions: lis r0,'KV'; ori r0,r0,'M!'; sc; nop (tests/pv/run.sh checks). */
#define TOKEN(vendor, nr) ((vendor) << 16 | (nr))
#define KVM_FEATURES TOKEN(42u, 3u)
#define KVM_MAP_MAGIC TOKEN(42u, 4u)
#define EV_BC_SEND TOKEN(1u, 1u)
#define EV_BC_RECEIVE TOKEN(1u, 2u)
#define EV_BC_POLL TOKEN(1u, 3u)
#define EV_IDLE_TOKEN TOKEN(1u, 16u)
#define EV_SUCCESS 0u
#define EV_EINVAL 8u
#define EV_UNIMPLEMENTED 12u

/* struct kvm_vcpu_arch_shared (Linux uapi asm/kvm_para.h) word offsets; 64-bit fields: low word. */
#define MAGIC ((volatile uint32_t *)0xfffff000u)
#define W_CRITICAL ((24 + 4) / 4)
#define W_SPRG0 ((32 + 4) / 4)
#define W_SPRG1 ((40 + 4) / 4)
#define W_SRR0 ((64 + 4) / 4)
#define W_SRR1 ((72 + 4) / 4)
#define W_DEAR ((80 + 4) / 4)
#define W_MSR ((88 + 4) / 4)
#define W_INT_PENDING (100 / 4)
#define W_ESR (200 / 4)
#define W_PIR (204 / 4)
#define W_SPRG4 ((208 + 4) / 4)
#define W_SPRG5 ((216 + 4) / 4)

#define SPR_SPRG0 272
#define SPR_SPRG1 273
#define SPR_PIR 286
#define TCR_DIE 0x04000000u
#define TSR_DIS 0x08000000u
#define UIC_SR 0xc0
#define UIC_ER 0xc2
#define UIC_PR 0xc4
#define UIC_TR 0xc5
#define UIC_MSR 0xc6
#define BC_RX_BIT (0x80000000u >> 20)
#define BC_TX_BIT (0x80000000u >> 21)


/* The same sc sequence from user mode: returns r3 as the sc left it. */
uint32_t user_hcall(uint32_t arg);
__asm__(".text\n"
	".globl user_hcall\n"
	"user_hcall:\n"
	"	lis 11,42\n ori 11,11,3\n"
	"	lis 0,0x4b56\n ori 0,0,0x4d21\n sc\n"
	"	blr\n");

static uint32_t call(uint32_t token, uint32_t r3, uint32_t r4, uint32_t *out)
{
	uint32_t regs[9] = { r3, r4, 0, 0, 0, 0, 0, 0, token };

	hv_call(regs);
	for (int i = 0; i < 9; i++)
		out[i] = regs[i];
	return regs[0];
}

static volatile uint32_t dec_count, sc_count, sc_r0, ext_msr, ext_count;

static void on_dec(struct isa_frame *f)
{
	(void)f;
	dec_count++;
	mtspr(SPR_TCR, 0);
	mtspr(SPR_TSR, TSR_DIS);
}

static void on_syscall(struct isa_frame *f)
{
	sc_count++;
	sc_r0 = f->gpr[0];
}

static void on_external(struct isa_frame *f)
{
	uint32_t msr;

	(void)f;
	__asm__ volatile("mfdcr %0,0xc6" : "=r"(msr));
	ext_msr = msr;
	ext_count++;
	__asm__ volatile("mtdcr 0xc2,%0" : : "r"(0u)); /* mask everything again */
}

static uint32_t user_read_magic(uint32_t arg)
{
	(void)arg;
	return MAGIC[W_MSR];
}

static void test_features_and_unknown(void)
{
	uint32_t o[9];

	isa_check("features status", call(KVM_FEATURES, 0, 0, o) == EV_SUCCESS);
	isa_check("features magic page bit", o[1] == (1u << 1));
	isa_check("unknown kvm token", call(TOKEN(42u, 99u), 0, 0, o) == EV_UNIMPLEMENTED);
	isa_check("unknown epapr token", call(TOKEN(1u, 200u), 0, 0, o) == EV_UNIMPLEMENTED);
	isa_check("unknown vendor", call(TOKEN(7u, 1u), 0, 0, o) == EV_UNIMPLEMENTED);
	isa_check("map magic wrong ea", call(KVM_MAP_MAGIC, 0x1000, 0x1000, o) == EV_EINVAL);
}

static void test_magic(void)
{
	uint32_t o[9], v;

	/* Not mapped yet: the EA is unmapped, a data TLB miss. */
	isa_handlers[IV_DTLB] = isa_record_skip;
	isa_clear_last();
	v = MAGIC[W_MSR];
	isa_check("magic unmapped before map", isa_last.count == 1 && isa_last.vec == IV_DTLB &&
					       isa_last.dear == 0xfffff000u + 4 * W_MSR);
	(void)v;

	isa_check("map magic status", call(KVM_MAP_MAGIC, 0xfffff000u, 0xfffff001u, o) == EV_SUCCESS);
	isa_check("map magic features", o[1] == 0x2u);
	isa_clear_last();
	v = MAGIC[W_MSR];
	isa_check("magic msr read", isa_last.count == 0 && v == mfmsr());

	mtspr(SPR_SPRG0, 0x11112222u);
	isa_check("mtspr sprg0 -> page", MAGIC[W_SPRG0] == 0x11112222u);
	MAGIC[W_SPRG1] = 0x33334444u;
	isa_check("page sprg1 -> mfspr", mfspr(SPR_SPRG1) == 0x33334444u);
	MAGIC[W_SRR0] = 0x00abc000u;
	isa_check("page srr0 -> mfspr", mfspr(SPR_SRR0) == 0x00abc000u);
	mtspr(SPR_SRR1, 0x00021000u);
	isa_check("mtspr srr1 -> page", MAGIC[W_SRR1] == 0x00021000u);
	mtspr(SPR_DEAR, 0xdeadbee0u);
	isa_check("mtspr dear -> page", MAGIC[W_DEAR] == 0xdeadbee0u);
	MAGIC[W_ESR] = 0x00800000u;
	isa_check("page esr -> mfspr", mfspr(SPR_ESR) == 0x00800000u);
	isa_check("page pir", MAGIC[W_PIR] == mfspr(SPR_PIR));
	MAGIC[W_SPRG4] = 0x44440000u;
	(void)mfmsr(); /* any exit: the hypervisor takes SPRG4 from the page */
	isa_check("page sprg4 -> user-readable sprg4", mfspr(SPR_SPRG4R) == 0x44440000u);
	mtspr(SPR_SPRG5W, 0x55550000u);
	isa_check("mtspr sprg5 -> page", MAGIC[W_SPRG5] == 0x55550000u);
	/* MSR[EE] through the page, as Linux's patched wrteei does (nothing pending). */
	mtspr(SPR_TCR, 0);
	MAGIC[W_MSR] = MAGIC[W_MSR] | MSR_EE;
	isa_check("page msr ee -> mfmsr", (mfmsr() & MSR_EE) != 0);
	__asm__ volatile("wrteei 0");
	isa_check("wrteei 0 -> page msr", (MAGIC[W_MSR] & MSR_EE) == 0);
	isa_check("int_pending clear", MAGIC[W_INT_PENDING] == 0);

	/* User mode cannot reach the page: a DSI or data TLB miss, never the data. */
	isa_tlb_user_ok();
	isa_handlers[IV_DSI] = isa_record_skip;
	isa_clear_last();
	v = isa_call_user(user_read_magic, 0, MSR_PR);
	isa_check("magic page not user-accessible",
		  isa_last.count == 1 && (isa_last.vec == IV_DSI || isa_last.vec == IV_DTLB));
}

static void test_critical(void)
{
	uint32_t r1, t0, held, pending, msr_ee, n = 0;

	__asm__ volatile("mr %0,1" : "=r"(r1)); /* this function's r1 (no calls until the end) */

	isa_handlers[IV_DEC] = on_dec;
	dec_count = 0;
	MAGIC[W_CRITICAL] = r1; /* kvm_emul.S SCRATCH_SAVE: critical = r1 */
	mtspr(SPR_DEC, 400);
	mtspr(SPR_TCR, TCR_DIE);
	__asm__ volatile("wrteei 1");
	t0 = mfspr(SPR_TBLR);
	/*
	 * 10 ms and 250,000 rounds: the page is only written at an entry, and mfmsr is a
	 * light exit, so the run loop must come round (budget exits, 50,000 instructions)
	 * after the decrementer fired; on a loaded host 10 ms can pass in one run chunk.
	 */
	while (mfspr(SPR_TBLR) - t0 < 4000000u || n < 250000u) {
		(void)mfmsr();
		n++;
	}
	msr_ee = mfmsr() & MSR_EE;
	held = dec_count;
	pending = MAGIC[W_INT_PENDING];
	MAGIC[W_CRITICAL] = 0; /* SCRATCH_RESTORE: critical = r2 (!= r1) */
	(void)mfmsr();          /* the next exit delivers */
	__asm__ volatile("wrteei 0");
	isa_check("critical holds off decrementer", held == 0 && msr_ee);
	isa_check("int_pending set while held", pending == 1);
	isa_check("delivered after critical ends", dec_count == 1);
}

static void test_idle(void)
{
	uint32_t o[9], st;

	dec_count = 0;
	mtspr(SPR_DEC, 400000); /* 1 ms */
	mtspr(SPR_TCR, TCR_DIE);
	__asm__ volatile("wrteei 1");
	st = call(EV_IDLE_TOKEN, 0, 0, o);
	__asm__ volatile("wrteei 0");
	isa_check("ev_idle status", st == EV_SUCCESS);
	isa_check("ev_idle woken by decrementer", dec_count == 1);
}

static void test_user_sc(void)
{
	uint32_t r;

	isa_handlers[IV_SYSCALL] = on_syscall;
	sc_count = 0;
	r = isa_call_user(user_hcall, 0x1234u, MSR_PR);
	isa_check("user-mode hypercall is a system call", sc_count == 1 && sc_r0 == 0x4b564d21u);
	isa_check("user-mode hypercall leaves r3", r == 0x1234u);
}

static void test_bytechan(void)
{
	static const char msg[16] = "PVBC hello bc0\n";
	uint32_t regs[9], t0, st, rx = 0;

	/* send: r3 handle, r4 count, r5-r8 the bytes. */
	for (int i = 0; i < 9; i++)
		regs[i] = 0;
	regs[1] = 15;
	for (int i = 0; i < 4; i++)
		regs[2 + i] = (uint32_t)msg[4 * i] << 24 | (uint32_t)msg[4 * i + 1] << 16 |
			      (uint32_t)msg[4 * i + 2] << 8 | (uint32_t)msg[4 * i + 3];
	regs[8] = EV_BC_SEND;
	hv_call(regs);
	isa_check("bc send status", regs[0] == EV_SUCCESS && regs[1] == 15);
	regs[0] = 0;
	regs[1] = 17;
	regs[8] = EV_BC_SEND;
	hv_call(regs);
	isa_check("bc send too long", regs[0] == EV_EINVAL);
	regs[0] = 7;
	regs[1] = 1;
	regs[8] = EV_BC_SEND;
	hv_call(regs);
	isa_check("bc send bad handle", regs[0] == EV_EINVAL);
	regs[0] = 7;
	regs[8] = EV_BC_POLL;
	hv_call(regs);
	isa_check("bc poll bad handle", regs[0] == EV_EINVAL);

	/* The runner feeds "xyz" on the channel's input: poll until it is there (2 s at most). */
	t0 = mfspr(SPR_TBLR);
	do {
		regs[0] = 0;
		regs[8] = EV_BC_POLL;
		hv_call(regs);
		rx = regs[1];
	} while (rx < 3 && mfspr(SPR_TBLR) - t0 < 800000000u);
	isa_check("bc poll rx", regs[0] == EV_SUCCESS && rx == 3);
	isa_check("bc poll tx room", regs[2] == 16);

	/* rx interrupt: UIC0 input 20, level, active high. */
	isa_handlers[IV_EXTERNAL] = on_external;
	ext_count = 0;
	__asm__ volatile("mtdcr 0xc5,%0" : : "r"(0u));
	__asm__ volatile("mtdcr 0xc4,%0" : : "r"(BC_RX_BIT | BC_TX_BIT));
	__asm__ volatile("mtdcr 0xc0,%0" : : "r"(0xffffffffu));
	__asm__ volatile("mtdcr 0xc2,%0" : : "r"(BC_RX_BIT));
	__asm__ volatile("wrteei 1");
	(void)mfmsr();
	__asm__ volatile("wrteei 0");
	isa_check("bc rx interrupt", ext_count == 1 && (ext_msr & BC_RX_BIT));

	regs[0] = 0;
	regs[1] = 16;
	regs[8] = EV_BC_RECEIVE;
	hv_call(regs);
	st = regs[0];
	isa_check("bc receive", st == EV_SUCCESS && regs[1] == 3 && (regs[2] >> 8) == 0x78797au);
	regs[0] = 0;
	regs[8] = EV_BC_POLL;
	hv_call(regs);
	isa_check("bc poll empty", regs[0] == EV_SUCCESS && regs[1] == 0);
	{
		uint32_t sr;

		__asm__ volatile("mtdcr 0xc0,%0" : : "r"(BC_RX_BIT));
		__asm__ volatile("mfdcr %0,0xc0" : "=r"(sr));
		isa_check("bc rx line low when empty", !(sr & BC_RX_BIT));
		__asm__ volatile("mtdcr 0xc0,%0" : : "r"(BC_TX_BIT));
		__asm__ volatile("mfdcr %0,0xc0" : "=r"(sr));
		isa_check("bc tx line high (room)", (sr & BC_TX_BIT) != 0);
	}
	regs[0] = 0;
	regs[1] = 16;
	regs[8] = EV_BC_RECEIVE;
	hv_call(regs);
	isa_check("bc receive empty", regs[0] == EV_SUCCESS && regs[1] == 0);
}

int main(void)
{
	isa_puts("pvabi start\n");
	test_features_and_unknown();
	test_magic();
	test_critical();
	test_idle();
	test_user_sc();
	test_bytechan();
	isa_puts("pvabi done\n");
	return 0;
}
