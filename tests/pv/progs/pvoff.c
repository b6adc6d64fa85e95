/* SPDX-License-Identifier: MIT */
/* pvoff.c - under --no-paravirt the hypercall sequence is an ordinary system call and 0xfffff000 is unmapped. */
#include "isa.h"

static volatile uint32_t sc_count, sc_srr0, sc_r0;

static void on_syscall(struct isa_frame *f)
{
	sc_count++;
	sc_srr0 = f->srr0;
	sc_r0 = f->gpr[0];
}

extern char after_sc[];

int main(void)
{
	uint32_t r3 = 0x5555u, v;

	isa_puts("pvoff start\n");
	isa_handlers[IV_SYSCALL] = on_syscall;
	__asm__ volatile("mr 3,%1\n lis 11,42\n ori 11,11,3\n lis 0,0x4b56\n ori 0,0,0x4d21\n"
			 "sc\n .globl after_sc\nafter_sc:\n mr %0,3"
			 : "=r"(r3) : "r"(r3) : "r0", "r3", "r11", "memory");
	isa_check("no-paravirt: hypercall is a system call", sc_count == 1 && sc_r0 == 0x4b564d21u &&
		  sc_srr0 == (uint32_t)after_sc);
	isa_check("no-paravirt: r3 untouched", r3 == 0x5555u);
	isa_handlers[IV_DTLB] = isa_record_skip;
	isa_clear_last();
	v = *(volatile uint32_t *)0xfffff000u;
	(void)v;
	isa_check("no-paravirt: no magic page", isa_last.count == 1 && isa_last.vec == IV_DTLB);
	isa_puts("pvoff done\n");
	return 0;
}
