/* SPDX-License-Identifier: MIT */
/* ops.S - known numbers of each privileged operation, system call and TLB miss (tests/trace). */

/*
 * Built twice: with COUNT=1 (the numbers below) and COUNT=0 (none), so
 * that `stats(COUNT=1) - stats(COUNT=0)` is exactly the work of ops_body;
 * start-up and exit are the same in both. The interrupt stubs return with
 * bctr to the address in CTR (MSR stays 0 in this program, so a plain
 * branch is a faithful return) and execute no privileged instruction,
 * so every exit of a kind below comes from ops_body itself.
 */
#define N_MTSPR   (100 * COUNT)
#define N_MFSPR   (60 * COUNT)
#define N_TLBWE   (50 * COUNT)  /* each followed by a load: one DTLB VIRT miss each */
#define N_SC      (30 * COUNT)
#define N_DTLBR   (20 * COUNT)  /* loads from unmapped EA: DTLB REAL misses */
#define N_ITLBR   (10 * COUNT)  /* branches to unmapped EA: ITLB REAL misses */
#define N_WRTEE   (15 * COUNT)

#define SPR_SPRG0 272
#define SPR_IVOR8 408
#define SPR_IVOR13 413
#define SPR_IVOR14 414

/* Stubs in the vector section (within IVPR's 64 KiB, 16-byte aligned like the IVORs). */
	.section .vectors, "ax"
	.align 4
ops_stub:
	bctr

/* loop REG, N: run the body N times (nothing when N is 0). */
.macro loop_start reg, n, label
	li	\reg, \n
	cmpwi	\reg, 0
	beq	\label\()_end
\label:
.endm
.macro loop_end reg, label
	addic.	\reg, \reg, -1
	bne	\label
\label\()_end:
.endm

	.text
	.globl main
main:
	mflr	%r0
	stwu	%r1, -16(%r1)
	stw	%r0, 20(%r1)
	/* Setup (same in both builds): stub vectors, guest TLB entry 5: EA 0x20000000 -> PA 0x00800000, 4 KiB. */
	lis	%r4, ops_stub@h
	ori	%r4, %r4, ops_stub@l
	andi.	%r4, %r4, 0xfff0
	mtspr	SPR_IVOR8, %r4
	mtspr	SPR_IVOR13, %r4
	mtspr	SPR_IVOR14, %r4
	li	%r5, 5
	lis	%r4, 0x2000
	ori	%r4, %r4, 0x0210	/* EPN | V | SIZE=1 */
	tlbwe	%r4, %r5, 0
	lis	%r4, 0x0080
	tlbwe	%r4, %r5, 1
	li	%r4, 0x0003		/* SW | SR */
	tlbwe	%r4, %r5, 2
	isync
	bl	ops_body
	lwz	%r0, 20(%r1)
	mtlr	%r0
	addi	%r1, %r1, 16
	li	%r3, 0
	blr

	.globl ops_body
ops_body:
	mflr	%r24			/* the ITLB part below uses LR */
	loop_start %r20, N_MTSPR, l_mtspr
	mtspr	SPR_SPRG0, %r20
	loop_end %r20, l_mtspr

	loop_start %r20, N_MFSPR, l_mfspr
	mfspr	%r21, SPR_SPRG0
	loop_end %r20, l_mfspr

	/* Rewriting word 2 of entry 5 drops its shadow entry and fills it again at once: one
	 * shadow fill per tlbwe, and the load after it takes no VIRT miss. */
	lis	%r22, 0x2000
	li	%r5, 5
	li	%r4, 0x0003
	loop_start %r20, N_TLBWE, l_tlbwe
	tlbwe	%r4, %r5, 2
	lwz	%r21, 0(%r22)
	loop_end %r20, l_tlbwe

	lis	%r23, l_sc_back@ha
	addi	%r23, %r23, l_sc_back@l
	mtctr	%r23
	loop_start %r20, N_SC, l_sc
	sc
l_sc_back:
	loop_end %r20, l_sc

	lis	%r22, 0x4000		/* not mapped by any guest TLB entry */
	lis	%r23, l_dtlb_back@ha
	addi	%r23, %r23, l_dtlb_back@l
	mtctr	%r23
	loop_start %r20, N_DTLBR, l_dtlb
	lwz	%r21, 0(%r22)
l_dtlb_back:
	loop_end %r20, l_dtlb

	lis	%r23, l_itlb_back@ha
	addi	%r23, %r23, l_itlb_back@l
	mtctr	%r23
	loop_start %r20, N_ITLBR, l_itlb
	mtlr	%r22
	blr
l_itlb_back:
	loop_end %r20, l_itlb

	loop_start %r20, N_WRTEE, l_wrtee
	wrteei	0
	loop_end %r20, l_wrtee
	mtlr	%r24
	blr
	.globl ops_body_end
ops_body_end:
	.section .note.GNU-stack,"",@progbits
