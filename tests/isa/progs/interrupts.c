/* SPDX-License-Identifier: MIT */
/* interrupts.c - program (illegal, privileged incl. user mfspr PVR, trap), sc, alignment, FP unavailable. */
#include "isa.h"

static uint32_t u_pvr(uint32_t x)
{
	uint32_t v = x;

	/* Problem state: mfspr PVR is privileged -> program interrupt with ESR[PPR]. */
	__asm__ volatile("mfspr %0,287" : "+r"(v));
	return v;
}

static uint32_t u_mfspr_unimpl(uint32_t x)
{
	uint32_t v = x;

	/* SPR 3: user-accessible number (SPRN5 = 0) with no register behind it -> illegal. */
	__asm__ volatile("mfspr %0,3" : "+r"(v));
	return v;
}

static uint32_t u_mtspr_unimpl(uint32_t x)
{
	/* SPR 6: user-accessible number with no register -> illegal (ESR[PIL]), not privileged. */
	__asm__ volatile("mtspr 6,%0" : : "r"(x));
	return 0;
}

static uint32_t u_mfmsr(uint32_t x)
{
	__asm__ volatile("mfmsr %0" : "=r"(x));
	return x;
}

static uint32_t u_sc(uint32_t x)
{
	register uint32_t r3 __asm__("r3") = x;
	register uint32_t r0 __asm__("r0") = 42;

	__asm__ volatile("sc" : "+r"(r3) : "r"(r0) : "memory");
	return r3;
}

static uint32_t u_spr_read(uint32_t x)
{
	uint32_t a, b, c, d, e;

	(void)x;
	__asm__ volatile("mfspr %0,260; mfspr %1,261; mfspr %2,262; mfspr %3,263; mfspr %4,256"
			 : "=r"(a), "=r"(b), "=r"(c), "=r"(d), "=r"(e));
	return a + b + c + d + e;
}

static uint32_t u_usprg0_write(uint32_t x)
{
	mtspr(SPR_USPRG0, x);
	return mfspr(SPR_USPRG0);
}

static uint32_t u_mtspr_sprg4(uint32_t x)
{
	mtspr(SPR_SPRG4W, x);
	return 0;
}

static void sc_handler(struct isa_frame *f)
{
	isa_last.count++;
	isa_last.vec = f->vec;
	isa_last.srr1 = f->srr1;
	/* srr0 already points after sc (Book E: SRR0 = address of the next instruction). */
	isa_last.srr0 = f->srr0;
	f->gpr[3] = f->gpr[3] * 2 + f->gpr[0];
}

int main(void)
{
	uint32_t v, insn_addr;
	static uint32_t word __attribute__((aligned(8)));

	isa_tlb_user_ok();
	for (v = 0; v < IV_COUNT; v++)
		isa_handlers[v] = isa_record_skip;

	/* Illegal instruction (primary opcode 1 is unassigned): ESR[PIL]. */
	isa_clear_last();
	__asm__ volatile(".long 0x04000000");
	isa_show_int("illegal opcode", 0);
	isa_clear_last();
	__asm__ volatile(".long 0x00000000");	/* primary opcode 0 is unassigned */
	isa_show_int("illegal opcode 0", 0);

	/* Traps: tw 31 always, twi with a false condition does nothing. */
	isa_clear_last();
	__asm__ volatile("1: tw 31,0,0\n lis %0,1b@ha\n addi %0,%0,1b@l" : "=r"(insn_addr));
	isa_show_int("tw 31", 0);
	isa_check("trap srr0 = tw", isa_last.srr0 == insn_addr);
	isa_clear_last();
	__asm__ volatile("twi 4,%0,5" : : "r"(6u));
	isa_show("twi false count", isa_last.count);
	isa_clear_last();
	__asm__ volatile("twlgti %0,5" : : "r"(6u));
	isa_show_int("twlgti true", 0);

	/* Privileged instructions from user mode (ESR[PPR]); user mfspr PVR is one. */
	isa_clear_last();
	v = isa_call_user(u_pvr, 0x1234, MSR_PR);
	isa_show_int("user mfspr pvr", 0);
	isa_show("user mfspr pvr left rD", v);
	isa_clear_last();
	isa_call_user(u_mfmsr, 0, MSR_PR);
	isa_show_int("user mfmsr", 0);
	isa_check("srr1 has PR", (isa_last.srr1 & MSR_PR) != 0);
	isa_clear_last();
	isa_call_user(u_mtspr_sprg4, 5, MSR_PR);
	isa_show_int("user mtspr sprg4", 0);
	isa_clear_last();
	isa_call_user(u_mfspr_unimpl, 5, MSR_PR);
	isa_show_int("user mfspr 3 (unimplemented)", 0);
	isa_clear_last();
	isa_call_user(u_mtspr_unimpl, 5, MSR_PR);
	isa_show_int("user mtspr 6 (unimplemented)", 0);

	/* User-readable SPRs. */
	mtspr(SPR_SPRG4W, 0x10);
	mtspr(SPR_SPRG5W, 0x200);
	mtspr(SPR_SPRG6W, 0x3000);
	mtspr(SPR_SPRG7W, 0x40000);
	mtspr(SPR_USPRG0, 0x500000);
	isa_clear_last();
	isa_show("user sprg4-7+usprg0 sum", isa_call_user(u_spr_read, 0, MSR_PR));
	isa_show("user usprg0 rw", isa_call_user(u_usprg0_write, 0xcafe, MSR_PR));
	isa_show("interrupts during spr reads", isa_last.count);

	/* System call from user and from supervisor: SRR0 = next instruction, MSR[PR] cleared. */
	isa_handlers[IV_SYSCALL] = sc_handler;
	isa_clear_last();
	v = isa_call_user(u_sc, 100, MSR_PR);
	isa_show("user sc result", v);
	isa_show_int("user sc", 0);
	isa_clear_last();
	v = u_sc(7);
	isa_show("supervisor sc result", v);
	isa_show_int("supervisor sc", 0);
	isa_handlers[IV_SYSCALL] = isa_record_skip;

	/* Alignment: lwarx/stwcx. need a word-aligned address (PPC440x5 manual, Alignment Interrupt). */
	isa_clear_last();
	__asm__ volatile("lwarx %0,0,%1" : "=r"(v) : "r"((uint32_t)&word + 2) : "memory");
	isa_show_int("lwarx unaligned", 0);
	isa_check("dear = ea", isa_last.dear == (uint32_t)&word + 2);
	isa_clear_last();
	__asm__ volatile("stwcx. %0,0,%1" : : "r"(v), "r"((uint32_t)&word + 1) : "memory", "cr0");
	isa_show_int("stwcx. unaligned", 0);
	isa_check("dear = ea", isa_last.dear == (uint32_t)&word + 1);

	/* FP unavailable: MSR[FP] = 0 and an FP instruction. */
	isa_clear_last();
	__asm__ volatile(".long 0xfc000890");	/* fmr f0,f1 */
	isa_show_int("fmr with MSR[FP]=0", 0);
	isa_clear_last();
	__asm__ volatile(".long 0xc8010000" : : : "memory");	/* lfd f0,0(r1) */
	isa_show_int("lfd with MSR[FP]=0", 0);
	return 0;
}
