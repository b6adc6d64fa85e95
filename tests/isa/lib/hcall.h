/* SPDX-License-Identifier: MIT */
/* hcall.h - the KVM/ePAPR hypercall sequence of the /hypervisor node, for bare-metal programs. */
#ifndef ISA_HCALL_H
#define ISA_HCALL_H

#include <stdint.h>

/*
 * regs[0..8] = r3..r11 in and out: r11 the token, r3-r10 the arguments; r3 comes back as the
 * status. The magic in r0 (0x4b564d21) marks the sc as a hypercall. Defined in this header:
 * include it from one file of a program.
 */
void hv_call(uint32_t *regs);
__asm__(".text\n"
	".globl hv_call\n"
	"hv_call:\n"
	"	stwu 1,-32(1)\n"
	"	stw 31,12(1)\n"
	"	mr 31,3\n"
	"	lwz 4,4(31)\n lwz 5,8(31)\n lwz 6,12(31)\n lwz 7,16(31)\n"
	"	lwz 8,20(31)\n lwz 9,24(31)\n lwz 10,28(31)\n lwz 11,32(31)\n"
	"	lwz 3,0(31)\n"
	"	lis 0,0x4b56\n ori 0,0,0x4d21\n sc\n nop\n"
	"	stw 3,0(31)\n stw 4,4(31)\n stw 5,8(31)\n stw 6,12(31)\n stw 7,16(31)\n"
	"	stw 8,20(31)\n stw 9,24(31)\n stw 10,28(31)\n stw 11,32(31)\n"
	"	lwz 31,12(1)\n"
	"	addi 1,1,32\n"
	"	blr\n");

#endif
