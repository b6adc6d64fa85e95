/* SPDX-License-Identifier: MIT */
/* crt0.S - start-up, interrupt vectors, user-mode entry and exit for the ISA test programs. */

#define SPR_SPRG0	272
#define SPR_SPRG1	273
#define SPR_SPRG2	274
#define SPR_SPRG3	275
#define SPR_SRR0	26
#define SPR_SRR1	27
#define SPR_CSRR0	58
#define SPR_CSRR1	59
#define SPR_MCSRR0	570
#define SPR_MCSRR1	571
#define SPR_DEAR	61
#define SPR_ESR		62
#define SPR_IVPR	63
#define SPR_IVOR0	400
#define SPR_MMUCR	946
#define SPR_DBCR0	308

/* Frame layout shared with struct isa_frame in isa.h. */
#define F_GPR		8
#define F_CR		(F_GPR + 128)
#define F_XER		(F_CR + 4)
#define F_LR		(F_CR + 8)
#define F_CTR		(F_CR + 12)
#define F_SRR0		(F_CR + 16)
#define F_SRR1		(F_CR + 20)
#define F_ESR		(F_CR + 24)
#define F_DEAR		(F_CR + 28)
#define F_VEC		(F_CR + 32)
#define F_SIZE		(F_CR + 48)

/*
 * Vectors: one 16-byte stub per IVOR (PPC440x5 manual, "Interrupt Vector
 * Offset Registers": IVOR[28:31] are ignored, so stubs are 16-byte aligned,
 * and IVPR supplies the upper 16 bits, so the table sits in the first 64 KiB).
 * Critical-class interrupts (critical input 0, watchdog 12, debug 15) save
 * through SPRG2/3 and CSRR0/1; machine check (1) through MCSRR0/1.
 */
	.section .vectors, "ax"
	.globl isa_vectors
	.align 4
isa_vectors:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.align 4
vec_\n:
	.if (\n == 0) || (\n == 12) || (\n == 15) || (\n == 1)
	mtspr	SPR_SPRG2, %r1
	mtspr	SPR_SPRG3, %r3
	li	%r3, \n
	b	crit_common
	.else
	mtspr	SPR_SPRG0, %r1
	mtspr	SPR_SPRG1, %r3
	li	%r3, \n
	b	int_common
	.endif
	.endr

/* save_all: r1 points to the new frame, r3 holds the vector number. */
.macro save_all sprgr1, sprgr3, sr0, sr1
	stw	%r0, F_GPR + 0(%r1)
	stw	%r2, F_GPR + 8(%r1)
	.irp r, 4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stw	%r\r, F_GPR + 4 * \r(%r1)
	.endr
	stw	%r3, F_VEC(%r1)
	mfspr	%r0, \sprgr1
	stw	%r0, F_GPR + 4(%r1)
	mfspr	%r0, \sprgr3
	stw	%r0, F_GPR + 12(%r1)
	mfcr	%r0
	stw	%r0, F_CR(%r1)
	mfxer	%r0
	stw	%r0, F_XER(%r1)
	mflr	%r0
	stw	%r0, F_LR(%r1)
	mfctr	%r0
	stw	%r0, F_CTR(%r1)
	mfspr	%r0, \sr0
	stw	%r0, F_SRR0(%r1)
	mfspr	%r0, \sr1
	stw	%r0, F_SRR1(%r1)
	mfspr	%r0, SPR_ESR
	stw	%r0, F_ESR(%r1)
	mfspr	%r0, SPR_DEAR
	stw	%r0, F_DEAR(%r1)
	li	%r0, 0
	stw	%r0, 0(%r1)
	addi	%r4, %r1, F_GPR
	bl	isa_dispatch
.endm

.macro restore_all sr0, sr1
	lwz	%r0, F_SRR0(%r1)
	mtspr	\sr0, %r0
	lwz	%r0, F_SRR1(%r1)
	mtspr	\sr1, %r0
	lwz	%r0, F_CR(%r1)
	mtcr	%r0
	lwz	%r0, F_XER(%r1)
	mtxer	%r0
	lwz	%r0, F_LR(%r1)
	mtlr	%r0
	lwz	%r0, F_CTR(%r1)
	mtctr	%r0
	lwz	%r0, F_GPR + 0(%r1)
	lwz	%r2, F_GPR + 8(%r1)
	.irp r, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	lwz	%r\r, F_GPR + 4 * \r(%r1)
	.endr
	lwz	%r1, F_GPR + 4(%r1)
.endm

	.text
int_common:
	lis	%r1, isa_istack_top@ha
	addi	%r1, %r1, isa_istack_top@l
	addi	%r1, %r1, -F_SIZE
	save_all SPR_SPRG0, SPR_SPRG1, SPR_SRR0, SPR_SRR1
	restore_all SPR_SRR0, SPR_SRR1
	rfi

crit_common:
	lis	%r1, isa_cstack_top@ha
	addi	%r1, %r1, isa_cstack_top@l
	addi	%r1, %r1, -F_SIZE
	cmpwi	%r3, 1
	beq	mc_common
	save_all SPR_SPRG2, SPR_SPRG3, SPR_CSRR0, SPR_CSRR1
	restore_all SPR_CSRR0, SPR_CSRR1
	rfci
mc_common:
	save_all SPR_SPRG2, SPR_SPRG3, SPR_MCSRR0, SPR_MCSRR1
	restore_all SPR_MCSRR0, SPR_MCSRR1
	rfmci

/*
 * Entry: MSR = 0, r3 = device tree, TLB entry 0 maps 0..256 MiB.
 * Add a 4 KiB I|G supervisor RW mapping for UART0 in TLB entry 1
 * (PPC440x5 manual, TLB entry words 0-2), point IVPR/IVORs at the stubs,
 * clear .bss, set MSR[FP] if the program defines isa_use_fp, run main.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	lis	%r1, isa_stack_top@ha
	addi	%r1, %r1, isa_stack_top@l
	li	%r0, 0
	stwu	%r0, -16(%r1)
	mr	%r31, %r3

	li	%r0, 0
	mtspr	SPR_MMUCR, %r0
	li	%r5, 1
	lis	%r4, 0xef60
	ori	%r4, %r4, 0x0210	/* EPN | V | SIZE=1 (4 KiB), TS=0 */
	tlbwe	%r4, %r5, 0
	lis	%r4, 0xef60		/* RPN, ERPN = 0 */
	tlbwe	%r4, %r5, 1
	li	%r4, 0x0503		/* I | G | SW | SR */
	tlbwe	%r4, %r5, 2
	isync

	lis	%r4, isa_vectors@h
	mtspr	SPR_IVPR, %r4
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	li	%r4, (vec_\n - isa_vectors)
	mtspr	SPR_IVOR0 + \n, %r4
	.endr

	lis	%r4, __bss_start@ha
	addi	%r4, %r4, __bss_start@l
	lis	%r5, __bss_end@ha
	addi	%r5, %r5, __bss_end@l
	li	%r0, 0
1:	cmplw	%r4, %r5
	bge	2f
	stw	%r0, 0(%r4)
	addi	%r4, %r4, 4
	b	1b
2:
	.weak	isa_use_fp
	lis	%r4, isa_use_fp@ha
	addi	%r4, %r4, isa_use_fp@l
	cmpwi	%r4, 0
	beq	3f
	mfmsr	%r4
	ori	%r4, %r4, 0x2000	/* MSR[FP] */
	mtmsr	%r4
	isync
3:
	mr	%r3, %r31
	bl	main
	bl	isa_exit

/* isa_exit: request a system reset through DBCR0[RST] = 0b11 (PPC440x5 manual, DBCR0). */
	.globl isa_exit
isa_exit:
	msync
	lis	%r4, 0x3000
	mtspr	SPR_DBCR0, %r4
	isync
1:	b	1b

/*
 * uint32_t isa_call_user(uint32_t (*fn)(uint32_t), uint32_t arg, uint32_t msr):
 * run fn(arg) with MSR = msr (normally PR, maybe FP) via rfi; fn returns to
 * isa_user_return, which issues sc with r0 = ISA_SC_RETURN; isa_dispatch
 * turns that into a return to isa_user_resume in supervisor state.
 */
	.text
	.globl isa_call_user
isa_call_user:
	mflr	%r0
	stwu	%r1, -96(%r1)
	stw	%r0, 100(%r1)
	.irp r, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	stw	%r\r, 8 + 4 * (\r - 14)(%r1)
	.endr
	mfcr	%r0
	stw	%r0, 80(%r1)
	lis	%r6, isa_saved_sp@ha
	stw	%r1, isa_saved_sp@l(%r6)
	mfmsr	%r6
	lis	%r7, isa_saved_msr@ha
	stw	%r6, isa_saved_msr@l(%r7)
	mtspr	SPR_SRR0, %r3
	mtspr	SPR_SRR1, %r5
	mr	%r3, %r4
	lis	%r0, isa_user_return@h
	ori	%r0, %r0, isa_user_return@l
	mtlr	%r0
	addi	%r1, %r1, -64
	rfi

	.globl isa_user_return
isa_user_return:
	lis	%r0, 0x5ca1
	ori	%r0, %r0, 0x0ff0
	sc
1:	b	1b

	.globl isa_user_resume
isa_user_resume:
	lis	%r6, isa_saved_sp@ha
	lwz	%r1, isa_saved_sp@l(%r6)
	lwz	%r0, 80(%r1)
	mtcr	%r0
	.irp r, 14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	lwz	%r\r, 8 + 4 * (\r - 14)(%r1)
	.endr
	lwz	%r0, 100(%r1)
	mtlr	%r0
	addi	%r1, %r1, 96
	blr

	.bss
	.align 4
	.globl isa_saved_sp, isa_saved_msr
isa_saved_sp:	.space 4
isa_saved_msr:	.space 4
	.align 4
	.space 16384
isa_stack_top:
	.space 8192
isa_istack_top:
	.space 4096
isa_cstack_top:
	.section .note.GNU-stack,"",@progbits
