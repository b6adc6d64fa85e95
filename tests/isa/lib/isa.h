/* SPDX-License-Identifier: MIT */
/* isa.h - tiny runtime for the bare-metal 440 ISA test programs: UART output, SPRs, interrupts, TLB. */
#ifndef ISA_H
#define ISA_H

typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned long long uint64_t;
typedef long long int64_t;
typedef unsigned short uint16_t;
typedef unsigned char uint8_t;

#define STR_(x) #x
#define STR(x) STR_(x)
#define mfspr(n) ({ uint32_t v_; __asm__ volatile("mfspr %0," STR(n) : "=r"(v_)); v_; })
#define mtspr(n, v) __asm__ volatile("mtspr " STR(n) ",%0" : : "r"((uint32_t)(v)) : "memory")

/* Marsaglia's xorshift32: the hostile tests' reproducible random numbers. */
static inline uint32_t isa_xorshift(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

static inline uint32_t mfmsr(void)
{
	uint32_t v;
	__asm__ volatile("mfmsr %0" : "=r"(v));
	return v;
}

static inline void mtmsr(uint32_t v)
{
	__asm__ volatile("mtmsr %0; isync" : : "r"(v) : "memory");
}

/*
 * Device registers: little-endian (PCI, virtio) through the byte-reversed
 * loads and stores, bytes as they are; each access ordered by eieio.
 */
static inline void out_le32(uint32_t a, uint32_t v)
{
	__asm__ volatile("stwbrx %0,0,%1; eieio" : : "r"(v), "r"(a) : "memory");
}

static inline void out_le16(uint32_t a, uint16_t v)
{
	__asm__ volatile("sthbrx %0,0,%1; eieio" : : "r"(v), "r"(a) : "memory");
}

static inline void out_8(uint32_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
	__asm__ volatile("eieio" : : : "memory");
}

static inline uint32_t in_le32(uint32_t a)
{
	uint32_t v;

	__asm__ volatile("lwbrx %0,0,%1; eieio" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline uint16_t in_le16(uint32_t a)
{
	uint32_t v;

	__asm__ volatile("lhbrx %0,0,%1; eieio" : "=r"(v) : "r"(a) : "memory");
	return (uint16_t)v;
}

static inline uint8_t in_8(uint32_t a)
{
	return *(volatile uint8_t *)a;
}

/* SPR numbers (PPC440x5 manual, "Special Purpose Registers" table). */
#define SPR_XER 1
#define SPR_LR 8
#define SPR_CTR 9
#define SPR_DEC 22
#define SPR_SRR0 26
#define SPR_SRR1 27
#define SPR_PID 48
#define SPR_DECAR 54
#define SPR_DEAR 61
#define SPR_ESR 62
#define SPR_USPRG0 256
#define SPR_SPRG4R 260
#define SPR_SPRG5R 261
#define SPR_SPRG6R 262
#define SPR_SPRG7R 263
#define SPR_TBLR 268
#define SPR_TBUR 269
#define SPR_SPRG4W 276
#define SPR_SPRG5W 277
#define SPR_SPRG6W 278
#define SPR_SPRG7W 279
#define SPR_TBLW 284
#define SPR_TBUW 285
#define SPR_PVR 287
#define SPR_DBCR0 308
#define SPR_TSR 336
#define SPR_TCR 340
#define SPR_MMUCR 946

#define MSR_WE 0x00040000u
#define MSR_CE 0x00020000u
#define MSR_EE 0x00008000u
#define MSR_PR 0x00004000u
#define MSR_FP 0x00002000u
#define MSR_ME 0x00001000u
#define MSR_FE0 0x00000800u
#define MSR_FE1 0x00000100u
#define MSR_IS 0x00000020u
#define MSR_DS 0x00000010u

/* ESR bits (PPC440x5 manual, "Exception Syndrome Register"). */
#define ESR_PIL 0x08000000u
#define ESR_PPR 0x04000000u
#define ESR_PTR 0x02000000u
#define ESR_FP 0x01000000u
#define ESR_ST 0x00800000u
#define ESR_PUO 0x00040000u

/* Interrupt vector numbers = IVOR index. */
enum {
	IV_CRITICAL = 0, IV_MCHECK, IV_DSI, IV_ISI, IV_EXTERNAL, IV_ALIGN, IV_PROGRAM,
	IV_FPUNAVAIL, IV_SYSCALL, IV_APUNAVAIL, IV_DEC, IV_FIT, IV_WATCHDOG,
	IV_DTLB, IV_ITLB, IV_DEBUG, IV_COUNT
};

/* The register frame crt0.S saves; handlers may edit it (srr0/srr1 select where rfi goes). */
struct isa_frame {
	uint32_t gpr[32];
	uint32_t cr, xer, lr, ctr;
	uint32_t srr0, srr1, esr, dear, vec;
};

/* A handler returns nothing; it edits the frame. */
typedef void (*isa_handler_t)(struct isa_frame *f);
extern isa_handler_t isa_handlers[IV_COUNT];

/* What the last interrupt recorded by isa_record_skip saw. */
struct isa_int_record {
	uint32_t count, vec, srr0, srr1, esr, dear;
};
extern volatile struct isa_int_record isa_last;

/* Records the interrupt in isa_last and resumes after the faulting instruction. */
void isa_record_skip(struct isa_frame *f);
/* Records the interrupt and resumes at isa_resume_at (for fetch faults). */
void isa_record_resume(struct isa_frame *f);
extern volatile uint32_t isa_resume_at;
void isa_clear_last(void);

/* Output over UART0. */
void isa_putc(char c);
void isa_puts(const char *s);
void isa_hex32(uint32_t v);
void isa_hex64(uint64_t v);
void isa_dec(uint32_t v);
/* "name: 0x........\n" */
void isa_show(const char *name, uint32_t v);
void isa_show64(const char *name, uint64_t v);
/* "ok name\n" or "FAIL name\n" */
void isa_check(const char *name, int cond);
const char *isa_vec_name(uint32_t vec);
/* Prints "<tag>: int=<name> esr=.. srr1=.. [dear=..]" from isa_last. */
void isa_show_int(const char *tag, int with_dear);

void isa_exit(void) __attribute__((noreturn));
uint32_t isa_call_user(uint32_t (*fn)(uint32_t), uint32_t arg, uint32_t msr);
int main(void);

/* TLB helpers (PPC440x5 manual, TLB entry words 0-2). */
#define TLB_V 0x200u
#define TLB_TS 0x100u
#define TLB_SIZE_1K 0
#define TLB_SIZE_4K 1
#define TLB_SIZE_16K 2
#define TLB_SIZE_64K 3
#define TLB_SIZE_256K 4
#define TLB_SIZE_1M 5
#define TLB_SIZE_16M 7
#define TLB_SIZE_256M 9
#define TLB_W 0x800u
#define TLB_I 0x400u
#define TLB_M 0x200u
#define TLB_G 0x100u
#define TLB_E 0x080u
#define TLB_UX 0x20u
#define TLB_UW 0x10u
#define TLB_UR 0x08u
#define TLB_SX 0x04u
#define TLB_SW 0x02u
#define TLB_SR 0x01u

/* Write guest TLB entry idx; tid goes through MMUCR[STID]. */
void isa_tlb_write(uint32_t idx, uint32_t ea, uint32_t pa, uint32_t size, uint32_t ts,
		   uint32_t tid, uint32_t attr);
void isa_tlb_read(uint32_t idx, uint32_t w[3], uint32_t *tid);
void isa_tlb_invalidate(uint32_t idx);
/* Gives entry 0 (0..256 MiB) user RWX too, so code can run in user mode. */
void isa_tlb_user_ok(void);

#endif
