/* SPDX-License-Identifier: MIT */
/* x86enc.h - an x86-64 instruction encoder for the JIT: bytes into a bounded buffer (private to src/core/). */
#ifndef HV440_CORE_X86ENC_H
#define HV440_CORE_X86ENC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/*
 * Encodings from the Intel SDM vol. 2 (REX prefix 2.2.1, ModRM/SIB 2.1.5).
 * An emit that runs out of room sets full and writes nothing more; the
 * caller checks full once at the end (jit.c: jit_compile).
 */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum { CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
       CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G };
enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };
enum { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

struct emit {
	uint8_t *p, *end;
	bool full;
};

static inline void b1(struct emit *e, unsigned x)
{
	if (e->p < e->end)
		*e->p++ = (uint8_t)x;
	else
		e->full = true;
}

static inline void b4(struct emit *e, uint32_t x)
{
	for (int k = 0; k < 4; k++, x >>= 8)
		b1(e, x & 0xff);
}

static inline void b8(struct emit *e, uint64_t x)
{
	b4(e, (uint32_t)x);
	b4(e, (uint32_t)(x >> 32));
}

/* Opcode bytes: op holds len bytes, most significant first. */
static inline void opc(struct emit *e, unsigned op, int len)
{
	for (int k = len - 1; k >= 0; k--)
		b1(e, (op >> (8 * k)) & 0xff);
}

static inline void rex(struct emit *e, int w, int reg, int index, int base)
{
	unsigned r = 0x40u | (unsigned)w << 3 | ((unsigned)reg >> 3 & 1) << 2 |
		     ((unsigned)index >> 3 & 1) << 1 | ((unsigned)base >> 3 & 1);

	if (r != 0x40)
		b1(e, r);
}

/* op reg, [base + index << scale + disp32] (index < 0: none; never RSP as index). */
static inline void mem(struct emit *e, int p66, int w, unsigned op, int oplen, int reg, int base, int index,
		int scale, int32_t disp)
{
	if (p66)
		b1(e, 0x66);
	rex(e, w, reg, index < 0 ? 0 : index, base);
	opc(e, op, oplen);
	if (index < 0 && (base & 7) != RSP) {
		b1(e, 0x80u | (unsigned)(reg & 7) << 3 | (unsigned)(base & 7));
	} else {
		b1(e, 0x80u | (unsigned)(reg & 7) << 3 | 4);
		b1(e, (unsigned)scale << 6 | (unsigned)((index < 0 ? RSP : index) & 7) << 3 |
			      (unsigned)(base & 7));
	}
	b4(e, (uint32_t)disp);
}

/* op reg, rm (register direct). */
static inline void rr(struct emit *e, int p66, int w, unsigned op, int oplen, int reg, int rm)
{
	if (p66)
		b1(e, 0x66);
	rex(e, w, reg, 0, rm);
	opc(e, op, oplen);
	b1(e, 0xc0u | (unsigned)(reg & 7) << 3 | (unsigned)(rm & 7));
}

static inline void alu_rr(struct emit *e, int alu, int dst, int src) { rr(e, 0, 0, (unsigned)alu * 8 + 1, 1, src, dst); }
/* The ALU group's immediate forms: 0x83 with a sign-extended imm8 when it fits, else 0x81 with imm32. */
static inline bool fits8(uint32_t imm) { return (int32_t)imm == (int8_t)imm; }
static inline unsigned alu_imm_op(uint32_t imm) { return fits8(imm) ? 0x83 : 0x81; }
static inline void alu_imm(struct emit *e, uint32_t imm)
{
	if (fits8(imm))
		b1(e, imm & 0xff);
	else
		b4(e, imm);
}
/* op reg, imm */
static inline void alu_ri(struct emit *e, int alu, int reg, uint32_t imm)
{
	rr(e, 0, 0, alu_imm_op(imm), 1, alu, reg);
	alu_imm(e, imm);
}
static inline void alu_ri64(struct emit *e, int alu, int reg, int32_t imm)
{
	rr(e, 0, 1, alu_imm_op((uint32_t)imm), 1, alu, reg);
	alu_imm(e, (uint32_t)imm);
}
static inline void mov_ri(struct emit *e, int reg, uint32_t imm)
{
	rex(e, 0, 0, 0, reg);
	b1(e, 0xb8u + (unsigned)(reg & 7));
	b4(e, imm);
}
static inline void mov_ri64(struct emit *e, int reg, uint64_t imm)
{
	rex(e, 1, 0, 0, reg);
	b1(e, 0xb8u + (unsigned)(reg & 7));
	b8(e, imm);
}
static inline void mov_rr(struct emit *e, int dst, int src) { rr(e, 0, 0, 0x89, 1, src, dst); }
static inline void mov_rr64(struct emit *e, int dst, int src) { rr(e, 0, 1, 0x89, 1, src, dst); }
static inline void sh_ri(struct emit *e, int sub, int reg, unsigned n)
{
	rr(e, 0, 0, 0xc1, 1, sub, reg);
	b1(e, n & 31);
}
static inline void sh_cl(struct emit *e, int sub, int reg) { rr(e, 0, 0, 0xd3, 1, sub, reg); }
static inline void setcc(struct emit *e, int cc, int reg) { rr(e, 0, 0, 0x0f90u + (unsigned)cc, 2, 0, reg); }
static inline void cmov(struct emit *e, int cc, int dst, int src) { rr(e, 0, 0, 0x0f40u + (unsigned)cc, 2, dst, src); }
static inline void movzx8(struct emit *e, int dst, int src) { rr(e, 0, 0, 0x0fb6, 2, dst, src); }
static inline void bswap(struct emit *e, int reg)
{
	rex(e, 0, 0, 0, reg);
	b1(e, 0x0f);
	b1(e, 0xc8u + (unsigned)(reg & 7));
}
static inline void call_abs(struct emit *e, const void *fn)
{
	mov_ri64(e, RAX, (uint64_t)(uintptr_t)fn);
	rr(e, 0, 0, 0xff, 1, 2, RAX);
}
/* jmp/jcc rel32 to a later address: returns the rel32 field to patch. */
static inline uint8_t *jmp_fwd(struct emit *e)
{
	b1(e, 0xe9);
	b4(e, 0);
	return e->p - 4;
}
static inline uint8_t *jcc_fwd(struct emit *e, int cc)
{
	b1(e, 0x0f);
	b1(e, 0x80u + (unsigned)cc);
	b4(e, 0);
	return e->p - 4;
}
static inline void patch(struct emit *e, uint8_t *field, const uint8_t *target)
{
	int32_t rel = (int32_t)(target - (field + 4));

	if (!e->full)
		memcpy(field, &rel, 4);
}
static inline void jmp_to(struct emit *e, const uint8_t *target) { patch(e, jmp_fwd(e), target); }

#endif
