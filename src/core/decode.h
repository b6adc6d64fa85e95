/* SPDX-License-Identifier: MIT */
/* decode.h - table-driven PPC440 instruction decoder shared by the interpreter and the JIT. */
#ifndef HV440_CORE_DECODE_H
#define HV440_CORE_DECODE_H

#include <stdint.h>

#include "core/core.h"

/*
 * One op per instruction (without its o/. variants, which are flags).
 * X(op, name, class, size, flags)
 *   class: how the interpreter groups it (a load, a store, a MAC, ...)
 *   size:  memory operand bytes for loads/stores
 *   flags: D_* attributes below
 */
#define D_SEXT   0x01 /* sign-extend the loaded value (lha) */
#define D_UPD    0x02 /* update form: RA <- EA */
#define D_IDX    0x04 /* indexed form: EA = (RA|0) + RB */
#define D_BREV   0x08 /* byte-reversed (lhbrx, lwbrx, sthbrx, stwbrx) */
#define D_FS     0x10 /* FP single (lfs/stfs): convert */
#define D_FIW    0x20 /* stfiwx: low word of the FPR */

/* MAC attributes (PPC440x5 manual, "Multiply-Accumulate Instructions"). */
#define M_SIGNED 0x01
#define M_SAT    0x02
#define M_ACC    0x04 /* accumulate into RT */
#define M_NEG    0x08 /* negative accumulate: RT - product */
#define M_CROSS  0x10 /* RA low half * RB high half */
#define M_HIGH   0x20 /* RA high half * RB high half */
#define M_LOW    0x40 /* RA low half * RB low half */

#define MAC(x, n, f) X(x, n, CL_MAC, 0, f)

#define CORE_OPS(X) \
	X(ILLEGAL, "illegal", CL_ILLEGAL, 0, 0) \
	X(PRIV, "priv", CL_PRIV, 0, 0) \
	X(FPU, "fpu", CL_FPU, 0, 0) \
	X(SC, "sc", CL_OTHER, 0, 0) \
	X(TWI, "twi", CL_OTHER, 0, 0) \
	X(TW, "tw", CL_OTHER, 0, 0) \
	X(ADDI, "addi", CL_OTHER, 0, 0) \
	X(ADDIS, "addis", CL_OTHER, 0, 0) \
	X(ADDIC, "addic", CL_OTHER, 0, 0) \
	X(ADDIC_, "addic.", CL_OTHER, 0, 0) \
	X(SUBFIC, "subfic", CL_OTHER, 0, 0) \
	X(MULLI, "mulli", CL_OTHER, 0, 0) \
	X(ADD, "add", CL_OTHER, 0, 0) \
	X(ADDC, "addc", CL_OTHER, 0, 0) \
	X(ADDE, "adde", CL_OTHER, 0, 0) \
	X(ADDME, "addme", CL_OTHER, 0, 0) \
	X(ADDZE, "addze", CL_OTHER, 0, 0) \
	X(SUBF, "subf", CL_OTHER, 0, 0) \
	X(SUBFC, "subfc", CL_OTHER, 0, 0) \
	X(SUBFE, "subfe", CL_OTHER, 0, 0) \
	X(SUBFME, "subfme", CL_OTHER, 0, 0) \
	X(SUBFZE, "subfze", CL_OTHER, 0, 0) \
	X(NEG, "neg", CL_OTHER, 0, 0) \
	X(MULLW, "mullw", CL_OTHER, 0, 0) \
	X(MULHW, "mulhw", CL_OTHER, 0, 0) \
	X(MULHWU, "mulhwu", CL_OTHER, 0, 0) \
	X(DIVW, "divw", CL_OTHER, 0, 0) \
	X(DIVWU, "divwu", CL_OTHER, 0, 0) \
	X(AND, "and", CL_OTHER, 0, 0) \
	X(ANDC, "andc", CL_OTHER, 0, 0) \
	X(OR, "or", CL_OTHER, 0, 0) \
	X(ORC, "orc", CL_OTHER, 0, 0) \
	X(XOR, "xor", CL_OTHER, 0, 0) \
	X(NAND, "nand", CL_OTHER, 0, 0) \
	X(NOR, "nor", CL_OTHER, 0, 0) \
	X(EQV, "eqv", CL_OTHER, 0, 0) \
	X(EXTSB, "extsb", CL_OTHER, 0, 0) \
	X(EXTSH, "extsh", CL_OTHER, 0, 0) \
	X(CNTLZW, "cntlzw", CL_OTHER, 0, 0) \
	X(SLW, "slw", CL_OTHER, 0, 0) \
	X(SRW, "srw", CL_OTHER, 0, 0) \
	X(SRAW, "sraw", CL_OTHER, 0, 0) \
	X(SRAWI, "srawi", CL_OTHER, 0, 0) \
	X(ANDI_, "andi.", CL_OTHER, 0, 0) \
	X(ANDIS_, "andis.", CL_OTHER, 0, 0) \
	X(ORI, "ori", CL_OTHER, 0, 0) \
	X(ORIS, "oris", CL_OTHER, 0, 0) \
	X(XORI, "xori", CL_OTHER, 0, 0) \
	X(XORIS, "xoris", CL_OTHER, 0, 0) \
	X(RLWINM, "rlwinm", CL_OTHER, 0, 0) \
	X(RLWNM, "rlwnm", CL_OTHER, 0, 0) \
	X(RLWIMI, "rlwimi", CL_OTHER, 0, 0) \
	X(CMP, "cmp", CL_OTHER, 0, 0) \
	X(CMPI, "cmpi", CL_OTHER, 0, 0) \
	X(CMPL, "cmpl", CL_OTHER, 0, 0) \
	X(CMPLI, "cmpli", CL_OTHER, 0, 0) \
	X(CRAND, "crand", CL_CR, 0, 0) \
	X(CROR, "cror", CL_CR, 0, 0) \
	X(CRXOR, "crxor", CL_CR, 0, 0) \
	X(CRNAND, "crnand", CL_CR, 0, 0) \
	X(CRNOR, "crnor", CL_CR, 0, 0) \
	X(CREQV, "creqv", CL_CR, 0, 0) \
	X(CRANDC, "crandc", CL_CR, 0, 0) \
	X(CRORC, "crorc", CL_CR, 0, 0) \
	X(MCRF, "mcrf", CL_OTHER, 0, 0) \
	X(MCRXR, "mcrxr", CL_OTHER, 0, 0) \
	X(MFCR, "mfcr", CL_OTHER, 0, 0) \
	X(MTCRF, "mtcrf", CL_OTHER, 0, 0) \
	X(B, "b", CL_BRANCH, 0, 0) \
	X(BC, "bc", CL_BRANCH, 0, 0) \
	X(BCLR, "bclr", CL_BRANCH, 0, 0) \
	X(BCCTR, "bcctr", CL_BRANCH, 0, 0) \
	X(LBZ, "lbz", CL_LOAD, 1, 0) \
	X(LBZU, "lbzu", CL_LOAD, 1, D_UPD) \
	X(LBZX, "lbzx", CL_LOAD, 1, D_IDX) \
	X(LBZUX, "lbzux", CL_LOAD, 1, D_IDX | D_UPD) \
	X(LHZ, "lhz", CL_LOAD, 2, 0) \
	X(LHZU, "lhzu", CL_LOAD, 2, D_UPD) \
	X(LHZX, "lhzx", CL_LOAD, 2, D_IDX) \
	X(LHZUX, "lhzux", CL_LOAD, 2, D_IDX | D_UPD) \
	X(LHA, "lha", CL_LOAD, 2, D_SEXT) \
	X(LHAU, "lhau", CL_LOAD, 2, D_SEXT | D_UPD) \
	X(LHAX, "lhax", CL_LOAD, 2, D_SEXT | D_IDX) \
	X(LHAUX, "lhaux", CL_LOAD, 2, D_SEXT | D_IDX | D_UPD) \
	X(LWZ, "lwz", CL_LOAD, 4, 0) \
	X(LWZU, "lwzu", CL_LOAD, 4, D_UPD) \
	X(LWZX, "lwzx", CL_LOAD, 4, D_IDX) \
	X(LWZUX, "lwzux", CL_LOAD, 4, D_IDX | D_UPD) \
	X(LHBRX, "lhbrx", CL_LOAD, 2, D_IDX | D_BREV) \
	X(LWBRX, "lwbrx", CL_LOAD, 4, D_IDX | D_BREV) \
	X(STB, "stb", CL_STORE, 1, 0) \
	X(STBU, "stbu", CL_STORE, 1, D_UPD) \
	X(STBX, "stbx", CL_STORE, 1, D_IDX) \
	X(STBUX, "stbux", CL_STORE, 1, D_IDX | D_UPD) \
	X(STH, "sth", CL_STORE, 2, 0) \
	X(STHU, "sthu", CL_STORE, 2, D_UPD) \
	X(STHX, "sthx", CL_STORE, 2, D_IDX) \
	X(STHUX, "sthux", CL_STORE, 2, D_IDX | D_UPD) \
	X(STW, "stw", CL_STORE, 4, 0) \
	X(STWU, "stwu", CL_STORE, 4, D_UPD) \
	X(STWX, "stwx", CL_STORE, 4, D_IDX) \
	X(STWUX, "stwux", CL_STORE, 4, D_IDX | D_UPD) \
	X(STHBRX, "sthbrx", CL_STORE, 2, D_IDX | D_BREV) \
	X(STWBRX, "stwbrx", CL_STORE, 4, D_IDX | D_BREV) \
	X(LFS, "lfs", CL_FLOAD, 4, D_FS) \
	X(LFSU, "lfsu", CL_FLOAD, 4, D_FS | D_UPD) \
	X(LFSX, "lfsx", CL_FLOAD, 4, D_FS | D_IDX) \
	X(LFSUX, "lfsux", CL_FLOAD, 4, D_FS | D_IDX | D_UPD) \
	X(LFD, "lfd", CL_FLOAD, 8, 0) \
	X(LFDU, "lfdu", CL_FLOAD, 8, D_UPD) \
	X(LFDX, "lfdx", CL_FLOAD, 8, D_IDX) \
	X(LFDUX, "lfdux", CL_FLOAD, 8, D_IDX | D_UPD) \
	X(STFS, "stfs", CL_FSTORE, 4, D_FS) \
	X(STFSU, "stfsu", CL_FSTORE, 4, D_FS | D_UPD) \
	X(STFSX, "stfsx", CL_FSTORE, 4, D_FS | D_IDX) \
	X(STFSUX, "stfsux", CL_FSTORE, 4, D_FS | D_IDX | D_UPD) \
	X(STFD, "stfd", CL_FSTORE, 8, 0) \
	X(STFDU, "stfdu", CL_FSTORE, 8, D_UPD) \
	X(STFDX, "stfdx", CL_FSTORE, 8, D_IDX) \
	X(STFDUX, "stfdux", CL_FSTORE, 8, D_IDX | D_UPD) \
	X(STFIWX, "stfiwx", CL_FSTORE, 4, D_IDX | D_FIW) \
	X(LMW, "lmw", CL_OTHER, 0, 0) \
	X(STMW, "stmw", CL_OTHER, 0, 0) \
	X(LSWI, "lswi", CL_OTHER, 0, 0) \
	X(LSWX, "lswx", CL_OTHER, 0, D_IDX) \
	X(STSWI, "stswi", CL_OTHER, 0, 0) \
	X(STSWX, "stswx", CL_OTHER, 0, D_IDX) \
	X(LWARX, "lwarx", CL_OTHER, 4, D_IDX) \
	X(STWCX, "stwcx.", CL_OTHER, 4, D_IDX) \
	X(DCBZ, "dcbz", CL_OTHER, 0, D_IDX) \
	X(DCBF, "dcbf", CL_OTHER, 0, D_IDX) \
	X(DCBST, "dcbst", CL_OTHER, 0, D_IDX) \
	X(ICBI, "icbi", CL_OTHER, 0, D_IDX) \
	X(HINT, "hint", CL_OTHER, 0, 0) \
	X(ISYNC, "isync", CL_OTHER, 0, 0) \
	X(SYNC, "msync", CL_OTHER, 0, 0) \
	X(MBAR, "mbar", CL_OTHER, 0, 0) \
	X(MFSPR, "mfspr", CL_OTHER, 0, 0) \
	X(MTSPR, "mtspr", CL_OTHER, 0, 0) \
	X(MFTB, "mftb", CL_OTHER, 0, 0) \
	X(DLMZB, "dlmzb", CL_OTHER, 0, 0) \
	MAC(MULCHW, "mulchw", M_CROSS | M_SIGNED) \
	MAC(MULCHWU, "mulchwu", M_CROSS) \
	MAC(MULHHW, "mulhhw", M_HIGH | M_SIGNED) \
	MAC(MULHHWU, "mulhhwu", M_HIGH) \
	MAC(MULLHW, "mullhw", M_LOW | M_SIGNED) \
	MAC(MULLHWU, "mullhwu", M_LOW) \
	MAC(MACCHW, "macchw", M_ACC | M_CROSS | M_SIGNED) \
	MAC(MACCHWS, "macchws", M_ACC | M_CROSS | M_SIGNED | M_SAT) \
	MAC(MACCHWU, "macchwu", M_ACC | M_CROSS) \
	MAC(MACCHWSU, "macchwsu", M_ACC | M_CROSS | M_SAT) \
	MAC(MACHHW, "machhw", M_ACC | M_HIGH | M_SIGNED) \
	MAC(MACHHWS, "machhws", M_ACC | M_HIGH | M_SIGNED | M_SAT) \
	MAC(MACHHWU, "machhwu", M_ACC | M_HIGH) \
	MAC(MACHHWSU, "machhwsu", M_ACC | M_HIGH | M_SAT) \
	MAC(MACLHW, "maclhw", M_ACC | M_LOW | M_SIGNED) \
	MAC(MACLHWS, "maclhws", M_ACC | M_LOW | M_SIGNED | M_SAT) \
	MAC(MACLHWU, "maclhwu", M_ACC | M_LOW) \
	MAC(MACLHWSU, "maclhwsu", M_ACC | M_LOW | M_SAT) \
	MAC(NMACCHW, "nmacchw", M_ACC | M_NEG | M_CROSS | M_SIGNED) \
	MAC(NMACCHWS, "nmacchws", M_ACC | M_NEG | M_CROSS | M_SIGNED | M_SAT) \
	MAC(NMACHHW, "nmachhw", M_ACC | M_NEG | M_HIGH | M_SIGNED) \
	MAC(NMACHHWS, "nmachhws", M_ACC | M_NEG | M_HIGH | M_SIGNED | M_SAT) \
	MAC(NMACLHW, "nmaclhw", M_ACC | M_NEG | M_LOW | M_SIGNED) \
	MAC(NMACLHWS, "nmaclhws", M_ACC | M_NEG | M_LOW | M_SIGNED | M_SAT)

enum core_op {
#define X(op, name, cls, size, flags) OP_##op,
	CORE_OPS(X)
#undef X
	OP__COUNT
};

enum core_op_class {
	CL_ILLEGAL, CL_PRIV, CL_FPU, CL_OTHER, CL_CR, CL_BRANCH,
	CL_LOAD, CL_STORE, CL_FLOAD, CL_FSTORE, CL_MAC,
};

/* insn.flags: the instruction's own option bits. */
#define I_RC 0x01 /* record form (.) */
#define I_OE 0x02 /* overflow-enable form (o) */
#define I_LK 0x04 /* link */
#define I_AA 0x08 /* absolute address */

/*
 * A decoded instruction: self-contained, so a block cache can keep it.
 * Field use by form: rt = RT/RS/BO/crbD/crfD(<<2), ra = RA/BI/crbA, rb = RB/NB/SH/crbB;
 * imm = sign- or zero-extended immediate, branch displacement, rotate mask,
 * SPR number, or CRM; sh/mb/me for rotates.
 */
struct insn {
	uint16_t op;      /* enum core_op */
	uint8_t cls;      /* enum core_op_class */
	uint8_t size;     /* memory operand size */
	uint8_t attr;     /* D_* or M_* attributes of the op */
	uint8_t flags;    /* I_* */
	uint8_t rt, ra, rb;
	uint8_t sh;
	uint32_t imm;
	uint32_t word;    /* the raw instruction */
};

/* Decode one word (any 32-bit value; unknown encodings give OP_ILLEGAL). */
void core_decode(uint32_t word, struct insn *out);
/* Mnemonic of an op (without o/. suffixes), for traces. */
const char *core_op_name(unsigned op);

#endif
