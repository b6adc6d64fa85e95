/* SPDX-License-Identifier: MIT */
/* lib.c - UART0 output, interrupt dispatch and TLB helpers for the ISA test programs. */
#include "isa.h"

#define UART_THR ((volatile uint8_t *)0xef600300)
#define UART_LSR ((volatile uint8_t *)0xef600305)
#define LSR_THRE 0x20
#define ISA_SC_RETURN 0x5ca10ff0u

isa_handler_t isa_handlers[IV_COUNT];
volatile struct isa_int_record isa_last;
volatile uint32_t isa_resume_at;
extern uint32_t isa_saved_msr;
extern char isa_user_resume[];

void isa_putc(char c)
{
	/* NS16550: wait for the transmit holding register to be empty (LSR[THRE]). */
	while (!(*UART_LSR & LSR_THRE))
		;
	*UART_THR = (uint8_t)c;
}

void isa_puts(const char *s)
{
	while (*s)
		isa_putc(*s++);
}

void isa_hex32(uint32_t v)
{
	int i;

	isa_puts("0x");
	for (i = 28; i >= 0; i -= 4)
		isa_putc("0123456789abcdef"[(v >> i) & 0xf]);
}

void isa_hex64(uint64_t v)
{
	isa_hex32((uint32_t)(v >> 32));
	isa_hex32((uint32_t)v);
}

void isa_dec(uint32_t v)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		isa_putc(buf[--n]);
}

void isa_show(const char *name, uint32_t v)
{
	isa_puts(name);
	isa_puts(": ");
	isa_hex32(v);
	isa_putc('\n');
}

void isa_show64(const char *name, uint64_t v)
{
	isa_puts(name);
	isa_puts(": ");
	isa_hex32((uint32_t)(v >> 32));
	isa_putc('_');
	isa_hex32((uint32_t)v);
	isa_putc('\n');
}

void isa_check(const char *name, int cond)
{
	isa_puts(cond ? "ok " : "FAIL ");
	isa_puts(name);
	isa_putc('\n');
}

static const char *const vec_names[IV_COUNT] = {
	"critical", "machine-check", "dsi", "isi", "external", "alignment",
	"program", "fp-unavailable", "syscall", "ap-unavailable", "decrementer",
	"fit", "watchdog", "dtlb-miss", "itlb-miss", "debug",
};

const char *isa_vec_name(uint32_t vec)
{
	return vec < IV_COUNT ? vec_names[vec] : "none";
}

void isa_clear_last(void)
{
	isa_last.count = 0;
	isa_last.vec = 99;
	isa_last.srr0 = 0;
	isa_last.srr1 = 0;
	isa_last.esr = 0;
	isa_last.dear = 0;
	/* A clean ESR shows which interrupts write it and which leave it alone. */
	mtspr(SPR_ESR, 0);
}

static void record(struct isa_frame *f)
{
	isa_last.count++;
	isa_last.vec = f->vec;
	isa_last.srr0 = f->srr0;
	isa_last.srr1 = f->srr1;
	isa_last.esr = f->esr;
	isa_last.dear = f->dear;
}

void isa_record_skip(struct isa_frame *f)
{
	record(f);
	f->srr0 += 4;
}

void isa_record_resume(struct isa_frame *f)
{
	record(f);
	f->srr0 = isa_resume_at;
}

void isa_show_int(const char *tag, int with_dear)
{
	isa_puts(tag);
	isa_puts(": int=");
	isa_puts(isa_vec_name(isa_last.vec));
	isa_puts(" esr=");
	isa_hex32(isa_last.esr);
	isa_puts(" srr1=");
	isa_hex32(isa_last.srr1);
	if (with_dear) {
		isa_puts(" dear=");
		isa_hex32(isa_last.dear);
	}
	isa_putc('\n');
}

void isa_dispatch(uint32_t vec, struct isa_frame *f);

/* Called by crt0.S for every interrupt with the saved frame. */
void isa_dispatch(uint32_t vec, struct isa_frame *f)
{
	if (vec == IV_SYSCALL && f->gpr[0] == ISA_SC_RETURN) {
		/* isa_call_user's function returned: back to supervisor state. */
		f->srr0 = (uint32_t)isa_user_resume;
		f->srr1 = isa_saved_msr;
		return;
	}
	if (vec < IV_COUNT && isa_handlers[vec]) {
		isa_handlers[vec](f);
		/*
		 * SRR1 bits 11-14 are MSR bits (WE, CE, reserved) on the 440, but QEMU 7.2 puts
		 * Book III-S program-interrupt reasons there; never rfi them back.
		 */
		if (vec == IV_PROGRAM)
			f->srr1 &= ~0x001e0000u;
		return;
	}
	isa_puts("FAIL unexpected interrupt ");
	isa_puts(isa_vec_name(vec));
	isa_puts(" srr0=");
	isa_hex32(f->srr0);
	isa_puts(" srr1=");
	isa_hex32(f->srr1);
	isa_puts(" esr=");
	isa_hex32(f->esr);
	isa_puts(" dear=");
	isa_hex32(f->dear);
	isa_putc('\n');
	isa_exit();
}

void isa_tlb_write(uint32_t idx, uint32_t ea, uint32_t pa, uint32_t size, uint32_t ts,
		   uint32_t tid, uint32_t attr)
{
	uint32_t mmucr = mfspr(SPR_MMUCR);

	/* tlbwe word 0 takes TID from MMUCR[STID] (PPC440x5 manual, tlbwe). */
	mtspr(SPR_MMUCR, (mmucr & ~0xffu) | (tid & 0xff));
	__asm__ volatile("tlbwe %0,%1,0" : : "r"((ea & 0xfffffc00u) | TLB_V | (ts ? TLB_TS : 0) |
						   (size << 4)), "r"(idx));
	__asm__ volatile("tlbwe %0,%1,1" : : "r"(pa & 0xfffffc00u), "r"(idx));
	__asm__ volatile("tlbwe %0,%1,2; isync" : : "r"(attr), "r"(idx) : "memory");
	mtspr(SPR_MMUCR, mmucr);
}

void isa_tlb_read(uint32_t idx, uint32_t w[3], uint32_t *tid)
{
	__asm__ volatile("tlbre %0,%1,0" : "=r"(w[0]) : "r"(idx));
	/* tlbre word 0 loads MMUCR[STID] with the entry's TID (PPC440x5 manual, tlbre). */
	*tid = mfspr(SPR_MMUCR) & 0xff;
	__asm__ volatile("tlbre %0,%1,1" : "=r"(w[1]) : "r"(idx));
	__asm__ volatile("tlbre %0,%1,2" : "=r"(w[2]) : "r"(idx));
}

void isa_tlb_invalidate(uint32_t idx)
{
	__asm__ volatile("tlbwe %0,%1,0; isync" : : "r"(0u), "r"(idx) : "memory");
}

void isa_tlb_user_ok(void)
{
	uint32_t attr = TLB_UX | TLB_UW | TLB_UR | TLB_SX | TLB_SW | TLB_SR;

	__asm__ volatile("tlbwe %0,%1,2; isync" : : "r"(attr), "r"(0u) : "memory");
}
