/* SPDX-License-Identifier: MIT */
/* decode.c - table-driven decoder for every PPC440x5 instruction word. */
#include "core/decode.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Opcode numbers are from the PPC440x5 CPU Core User's Manual, chapter 9
 * ("Instruction Set"), and Appendix A ("Instruction Summary"). Primary
 * opcodes 4, 19 and 31 carry a 10-bit extended opcode in bits 21:30;
 * XO-form instructions use bit 21 as OE, so they appear twice (xo and
 * xo | 512). An empty slot (0) is OP_ILLEGAL.
 */
#define XO(x, op) [x] = OP_##op
#define XOE(x, op) [x] = OP_##op, [(x) | 512] = OP_##op

static const uint8_t primary[64] = {
	[3] = OP_TWI, [7] = OP_MULLI, [8] = OP_SUBFIC, [10] = OP_CMPLI, [11] = OP_CMPI,
	[12] = OP_ADDIC, [13] = OP_ADDIC_, [14] = OP_ADDI, [15] = OP_ADDIS, [16] = OP_BC,
	[17] = OP_SC, [18] = OP_B, [20] = OP_RLWIMI, [21] = OP_RLWINM, [23] = OP_RLWNM,
	[24] = OP_ORI, [25] = OP_ORIS, [26] = OP_XORI, [27] = OP_XORIS, [28] = OP_ANDI_,
	[29] = OP_ANDIS_, [32] = OP_LWZ, [33] = OP_LWZU, [34] = OP_LBZ, [35] = OP_LBZU,
	[36] = OP_STW, [37] = OP_STWU, [38] = OP_STB, [39] = OP_STBU, [40] = OP_LHZ,
	[41] = OP_LHZU, [42] = OP_LHA, [43] = OP_LHAU, [44] = OP_STH, [45] = OP_STHU,
	[46] = OP_LMW, [47] = OP_STMW, [48] = OP_LFS, [49] = OP_LFSU, [50] = OP_LFD,
	[51] = OP_LFDU, [52] = OP_STFS, [53] = OP_STFSU, [54] = OP_STFD, [55] = OP_STFDU,
	[59] = OP_FPU, [63] = OP_FPU,
};

/* Primary opcode 4: the 440 multiply-accumulate APU (manual section 9, "macchw" etc.). */
static const uint8_t ext4[1024] = {
	XO(168, MULCHW), XO(136, MULCHWU), XO(40, MULHHW), XO(8, MULHHWU),
	XO(424, MULLHW), XO(392, MULLHWU),
	XOE(172, MACCHW), XOE(236, MACCHWS), XOE(140, MACCHWU), XOE(204, MACCHWSU),
	XOE(44, MACHHW), XOE(108, MACHHWS), XOE(12, MACHHWU), XOE(76, MACHHWSU),
	XOE(428, MACLHW), XOE(492, MACLHWS), XOE(396, MACLHWU), XOE(460, MACLHWSU),
	XOE(174, NMACCHW), XOE(238, NMACCHWS), XOE(46, NMACHHW), XOE(110, NMACHHWS),
	XOE(430, NMACLHW), XOE(494, NMACLHWS),
};

static const uint8_t ext19[1024] = {
	XO(0, MCRF), XO(16, BCLR), XO(33, CRNOR), XO(38, PRIV) /* rfmci */,
	XO(50, PRIV) /* rfi */, XO(51, PRIV) /* rfci */, XO(129, CRANDC), XO(150, ISYNC),
	XO(193, CRXOR), XO(225, CRNAND), XO(257, CRAND), XO(289, CREQV), XO(417, CRORC),
	XO(449, CROR), XO(528, BCCTR),
};

static const uint8_t ext31[1024] = {
	XO(0, CMP), XO(4, TW), XOE(8, SUBFC), XOE(10, ADDC), XO(11, MULHWU), XO(19, MFCR),
	XO(20, LWARX), XO(22, HINT) /* icbt */, XO(23, LWZX), XO(24, SLW), XO(26, CNTLZW),
	XO(28, AND), XO(32, CMPL), XOE(40, SUBF), XO(54, DCBST), XO(55, LWZUX), XO(60, ANDC),
	XO(75, MULHW), XO(78, DLMZB), XO(83, PRIV) /* mfmsr */, XO(86, DCBF), XO(87, LBZX),
	XOE(104, NEG), XO(119, LBZUX), XO(124, NOR), XO(131, PRIV) /* wrtee */,
	XOE(136, SUBFE), XOE(138, ADDE), XO(144, MTCRF), XO(146, PRIV) /* mtmsr */,
	XO(150, STWCX), XO(151, STWX), XO(163, PRIV) /* wrteei */, XO(183, STWUX),
	XOE(200, SUBFZE), XOE(202, ADDZE), XO(215, STBX), XOE(232, SUBFME), XOE(234, ADDME),
	XOE(235, MULLW), XO(246, HINT) /* dcbtst */, XO(247, STBUX),
	XO(259, PRIV) /* mfdcrx */, XOE(266, ADD),
	XO(278, HINT) /* dcbt */, XO(279, LHZX), XO(284, EQV), XO(311, LHZUX), XO(316, XOR),
	XO(323, PRIV) /* mfdcr */, XO(339, MFSPR), XO(343, LHAX), XO(371, MFTB),
	XO(375, LHAUX), XO(387, PRIV) /* mtdcrx */, XO(407, STHX), XO(412, ORC),
	XO(439, STHUX), XO(444, OR),
	XO(451, PRIV) /* mtdcr */, XO(454, PRIV) /* dccci */, XOE(459, DIVWU), XO(467, MTSPR),
	XO(470, PRIV) /* dcbi */, XO(476, NAND), XO(486, PRIV) /* dcread */, XOE(491, DIVW),
	XO(512, MCRXR), XO(533, LSWX), XO(534, LWBRX), XO(535, LFSX), XO(536, SRW),
	XO(566, PRIV) /* tlbsync */, XO(567, LFSUX), XO(597, LSWI), XO(598, SYNC),
	XO(599, LFDX), XO(631, LFDUX), XO(661, STSWX), XO(662, STWBRX), XO(663, STFSX),
	XO(695, STFSUX), XO(725, STSWI), XO(727, STFDX), XO(758, HINT) /* dcba */,
	XO(759, STFDUX), XO(790, LHBRX), XO(792, SRAW), XO(824, SRAWI), XO(854, MBAR),
	XO(914, PRIV) /* tlbsx */, XO(918, STHBRX), XO(922, EXTSH), XO(946, PRIV) /* tlbre */,
	XO(954, EXTSB), XO(966, PRIV) /* iccci */, XO(978, PRIV) /* tlbwe */, XO(982, ICBI),
	XO(983, STFIWX), XO(998, PRIV) /* icread */, XO(1014, DCBZ),
};

struct op_info {
	const char *name;
	uint8_t cls, size, attr;
};

static const struct op_info ops[OP__COUNT] = {
#define X(op, nm, c, sz, f) [OP_##op] = { .name = nm, .cls = c, .size = sz, .attr = f },
	CORE_OPS(X)
#undef X
};

const char *core_op_name(unsigned op)
{
	return op < OP__COUNT ? ops[op].name : "?";
}

/* Rotate mask MASK(mb, me) (PPC440x5 manual, "rlwinm": bits mb..me set, wrapping). */
static uint32_t rot_mask(unsigned mb, unsigned me)
{
	uint32_t m1 = 0xffffffffu >> mb;
	uint32_t m2 = 0xffffffffu << (31 - me);

	return mb <= me ? (m1 & m2) : (m1 | m2);
}

static bool xo_form(unsigned op)
{
	switch (op) {
	case OP_ADD: case OP_ADDC: case OP_ADDE: case OP_ADDME: case OP_ADDZE:
	case OP_SUBF: case OP_SUBFC: case OP_SUBFE: case OP_SUBFME: case OP_SUBFZE:
	case OP_NEG: case OP_MULLW: case OP_DIVW: case OP_DIVWU:
		return true;
	default:
		return false;
	}
}

void core_decode(uint32_t w, struct insn *out)
{
	unsigned prim = w >> 26, xo = (w >> 1) & 0x3ff;
	unsigned op;

	switch (prim) {
	case 4:
		op = ext4[xo];
		break;
	case 19:
		op = ext19[xo];
		break;
	case 31:
		op = ext31[xo];
		break;
	default:
		op = primary[prim];
		break;
	}

	out->word = w;
	out->rt = (w >> 21) & 31;
	out->ra = (w >> 16) & 31;
	out->rb = (w >> 11) & 31;
	out->sh = 0;
	out->flags = (w & 1) ? I_RC : 0;
	out->imm = (uint32_t)(int32_t)(int16_t)w;

	switch (op) {
	case OP_ANDI_: case OP_ANDIS_: case OP_ORI: case OP_ORIS: case OP_XORI: case OP_XORIS:
		out->imm = w & 0xffff;
		break;
	case OP_RLWINM: case OP_RLWNM: case OP_RLWIMI:
		out->sh = out->rb;
		out->imm = rot_mask((w >> 6) & 31, (w >> 1) & 31);
		break;
	case OP_SRAWI:
		out->sh = out->rb;
		break;
	case OP_B:
		out->imm = (uint32_t)((int32_t)(w << 6) >> 6) & ~3u;
		out->flags = (w & 1 ? I_LK : 0) | (w & 2 ? I_AA : 0);
		break;
	case OP_BC:
		out->imm = (uint32_t)(int32_t)(int16_t)(w & 0xfffc);
		out->flags = (w & 1 ? I_LK : 0) | (w & 2 ? I_AA : 0);
		break;
	case OP_BCLR: case OP_BCCTR:
		out->flags = w & 1 ? I_LK : 0;
		break;
	case OP_MFSPR: case OP_MTSPR: case OP_MFTB:
		out->imm = ((w >> 16) & 31) | (((w >> 11) & 31) << 5);
		break;
	case OP_MTCRF:
		out->imm = (w >> 12) & 0xff;
		break;
	case OP_CMP: case OP_CMPL: case OP_CMPI: case OP_CMPLI:
		/* L = 1 (64-bit compare) is an invalid form on a 32-bit Book E core. */
		if (w & (1u << 21))
			op = OP_ILLEGAL;
		if (op == OP_CMPLI)
			out->imm = w & 0xffff;
		break;
	default:
		break;
	}

	/* OE exists only on XO-form arithmetic and the accumulating MACs. */
	if ((w & 0x400) && (xo_form(op) || (prim == 4 && (ops[op].attr & M_ACC))))
		out->flags |= I_OE;

	/* Update forms with RA = 0 (or RA = RT for loads) are invalid forms (Book E, "lbzu"). */
	if (ops[op].cls >= CL_LOAD && ops[op].cls <= CL_FSTORE && (ops[op].attr & D_UPD)) {
		unsigned cls = ops[op].cls;

		if (out->ra == 0 || (cls == CL_LOAD && out->ra == out->rt))
			op = OP_ILLEGAL;
	}

	out->op = (uint16_t)op;
	out->cls = ops[op].cls;
	out->size = ops[op].size;
	out->attr = ops[op].attr;
}
