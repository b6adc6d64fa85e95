/* SPDX-License-Identifier: MIT */
/* interp.c - the 440 integer unit: loads/stores, MMIO completion, every user instruction, threaded code. */
#include "core/internal.h"
#include "core/block.h"
#include "core/fpu.h"

#include <stdio.h>
#include <string.h>

/* A store the core made to RAM outside the write fast cache: the dirty log and the code there. */
static inline void ram_stored(struct core *c, gpa_t pa, uint64_t len)
{
	if (unlikely(c->dirty != NULL))
		core_dirty_mark(c, pa, len);
	block_code_written(c, pa, len);
}

/* Result of a memory access helper. */
enum { R_OK = 0, R_EXIT, R_MMIO };

/* core.mmio.kind */
enum { PK_NONE = 0, PK_GPR, PK_FPR_S, PK_FPR_D, PK_STORE };
/* core.mmio.flags */
#define MF_REV  0x01 /* reverse the bus bytes (byte-reversed op xor little-endian page) */
#define MF_SEXT 0x02
#define NO_REG 0xff


static void set_exit(struct core *c, enum core_exit_kind kind, gva_t ea, uint32_t esr)
{
	c->exit.kind = kind;
	c->exit.ea = ea;
	c->exit.esr = esr;
}

/* Before writing n bytes of RAM at host: the lockstep engine logs the old bytes. */
static inline void wlog(struct core *c, uint8_t *host, size_t n)
{
	if (unlikely(c->wlog_on))
		core_wlog_record(c, host, n);
}

void core_wlog_record(struct core *c, uint8_t *host, size_t n)
{
	while (n) {
		size_t part = n < 32 ? n : 32;
		struct core_wlog *w;

		if (c->n_wlog == CORE_WLOG_MAX) {
			c->wlog_full = true;
			return;
		}
		w = &c->wlog[c->n_wlog++];
		w->host = host;
		w->len = (uint8_t)part;
		memcpy(w->old, host, part);
		host += part;
		n -= part;
	}
}

/*
 * Slow path of an ordinary load or store of n <= 8 bytes. The 440 allows
 * unaligned integer accesses and splits them (PPC440x5 manual, table 2-2,
 * "Alignment Effects"); when the two parts lie in different pages each is
 * translated, and a fault reports the EA of the first byte in the failing
 * part. Nothing is written until both parts translated (precise exits).
 * An access to I/O becomes an MMIO exit; one that is split and touches I/O
 * becomes an alignment exit (the guest's handler splits it further).
 */
static int access_slow(struct core *c, gva_t ea, unsigned n, enum core_access acc, uint32_t esr,
		       bool rev, uint64_t *v)
{
	gpa_t pa[2];
	uint32_t len[2];
	bool le[2];
	enum xlate_result xr[2];
	unsigned parts = 1, n0 = n;
	uint8_t buf[8];

	if (unlikely(c->n_watchpoints) && core_watch_hit(c, ea, n, acc))
		return R_EXIT;
	xr[0] = core_xlate(c, ea, acc, esr, &pa[0], &len[0], &le[0]);
	if (xr[0] == XL_FAULT)
		return R_EXIT;
	if (len[0] < n) {
		n0 = len[0];
		parts = 2;
		xr[1] = core_xlate(c, ea + n0, acc, esr, &pa[1], &len[1], &le[1]);
		if (xr[1] == XL_FAULT)
			return R_EXIT;
		if (xr[0] == XL_IO || xr[1] == XL_IO) {
			set_exit(c, CORE_EXIT_ALIGN, ea,
				 esr | (acc == CORE_ACC_WRITE ? CORE_ESR_ST : 0));
			return R_EXIT;
		}
	}
	rev ^= le[0];

	if (xr[0] == XL_IO) {
		c->exit.kind = CORE_EXIT_MMIO;
		c->exit.ea = ea;
		c->exit.pa = pa[0];
		c->exit.size = (uint8_t)n;
		c->exit.write = acc == CORE_ACC_WRITE;
		c->exit.data = 0;
		c->mmio.flags = rev ? MF_REV : 0;
		if (acc == CORE_ACC_WRITE)
			c->exit.data = (rev ? bswap_n(*v, n) : *v) &
				       (n == 8 ? ~0ull : (1ull << (8 * n)) - 1);
		return R_MMIO;
	}

	if (acc == CORE_ACC_WRITE) {
		st_be(buf, n, rev ? bswap_n(*v, n) : *v);
		wlog(c, c->ram + pa[0], n0);
		memcpy(c->ram + pa[0], buf, n0);
		ram_stored(c, pa[0], n0);
		if (parts == 2) {
			wlog(c, c->ram + pa[1], n - n0);
			memcpy(c->ram + pa[1], buf + n0, n - n0);
			ram_stored(c, pa[1], n - n0);
		}
	} else {
		memcpy(buf, c->ram + pa[0], n0);
		if (parts == 2)
			memcpy(buf + n0, c->ram + pa[1], n - n0);
		*v = ld_be(buf, n);
		if (rev)
			*v = bswap_n(*v, n);
	}
	return R_OK;
}

/* Fast-path host address of an n-byte access at ea, or NULL (the slow path must decide). */
static inline uint8_t *fast_host(struct core *c, gva_t ea, unsigned n, enum core_access acc)
{
	const struct core_fast_entry *f =
		&c->fast[c->ctx.kmode][acc][(ea >> 12) & (CORE_FAST_SIZE - 1)];

	if (likely(f->tag == ((ea & ~0xfffu) | c->fast_key[acc]) && (ea & 0xfff) <= 0x1000u - n))
		return (uint8_t *)(f->addend + ea);
	return NULL;
}

static inline int load(struct core *c, gva_t ea, unsigned n, bool rev, uint32_t esr, uint64_t *v)
{
	const struct core_fast_entry *f =
		&c->fast[c->ctx.kmode][CORE_ACC_READ][(ea >> 12) & (CORE_FAST_SIZE - 1)];

	if (likely(f->tag == ((ea & ~0xfffu) | c->fast_key[CORE_ACC_READ]) &&
		   (ea & 0xfff) <= 0x1000u - n)) {
		uint64_t x = ld_be((const uint8_t *)(f->addend + ea), n);

		*v = rev ? bswap_n(x, n) : x;
		return R_OK;
	}
	return access_slow(c, ea, n, CORE_ACC_READ, esr, rev, v);
}

static inline int store(struct core *c, gva_t ea, unsigned n, bool rev, uint32_t esr, uint64_t v)
{
	const struct core_fast_entry *f =
		&c->fast[c->ctx.kmode][CORE_ACC_WRITE][(ea >> 12) & (CORE_FAST_SIZE - 1)];

	if (likely(f->tag == ((ea & ~0xfffu) | c->fast_key[CORE_ACC_WRITE]) &&
		   (ea & 0xfff) <= 0x1000u - n)) {
		wlog(c, (uint8_t *)(f->addend + ea), n);
		st_be((uint8_t *)(f->addend + ea), n, rev ? bswap_n(v, n) : v);
		return R_OK;
	}
	return access_slow(c, ea, n, CORE_ACC_WRITE, esr, rev, &v);
}

/*
 * Multiple, string and similar accesses of up to 128 bytes: translate every
 * part first (any fault exits with nothing changed), then copy. These may
 * not touch I/O: that is an alignment exit (documented in core.h's ALIGN).
 */
static int block_access(struct core *c, gva_t ea, unsigned n, enum core_access acc,
			uint8_t *buf, bool *le)
{
	uint8_t *host[4];
	gpa_t hpa[4];
	unsigned cnt[4], parts = 0;
	unsigned done = 0;

	*le = false;
	if (unlikely(c->n_watchpoints) && core_watch_hit(c, ea, n, acc))
		return R_EXIT;
	/* Inside one fast-cache page (never a code page for writes): one copy. */
	if (likely(n <= 0x1000)) {
		uint8_t *h = fast_host(c, ea, n, acc);

		if (h) {
			if (acc == CORE_ACC_WRITE) {
				wlog(c, h, n);
				memcpy(h, buf, n);
			} else {
				memcpy(buf, h, n);
			}
			return R_OK;
		}
	}
	while (done < n) {
		gpa_t pa;
		uint32_t len;
		bool ple;
		enum xlate_result xr = core_xlate(c, ea + done, acc, 0, &pa, &len, &ple);

		if (xr == XL_FAULT)
			return R_EXIT;
		if (xr == XL_IO || parts == 4) {
			set_exit(c, CORE_EXIT_ALIGN, ea, acc == CORE_ACC_WRITE ? CORE_ESR_ST : 0);
			return R_EXIT;
		}
		if (parts == 0)
			*le = ple;
		host[parts] = c->ram + pa;
		hpa[parts] = pa;
		cnt[parts] = len < n - done ? len : n - done;
		done += cnt[parts++];
	}
	done = 0;
	for (unsigned i = 0; i < parts; i++) {
		if (acc == CORE_ACC_WRITE) {
			wlog(c, host[i], cnt[i]);
			memcpy(host[i], buf + done, cnt[i]);
			ram_stored(c, hpa[i], cnt[i]);
		} else
			memcpy(buf + done, host[i], cnt[i]);
		done += cnt[i];
	}
	return R_OK;
}

static inline void set_cr_field(struct core *c, unsigned field, uint32_t v)
{
	unsigned shift = (7 - field) * 4;

	c->cr = (c->cr & ~(0xfu << shift)) | ((v & 0xf) << shift);
}

static inline void set_cr0(struct core *c, uint32_t r)
{
	uint32_t v = (int32_t)r < 0 ? 8 : r ? 4 : 2;

	c->cr = (c->cr & 0x0fffffffu) | ((v | (c->xer >> 31)) << 28);
}

static inline void set_ov(struct core *c, bool ov)
{
	if (ov)
		c->xer |= XER_OV | XER_SO;
	else
		c->xer &= ~XER_OV;
}

static inline void set_ca(struct core *c, bool ca)
{
	if (ca)
		c->xer |= XER_CA;
	else
		c->xer &= ~XER_CA;
}

/* a + b + cin with carry out and signed overflow (Book E, "add"). */
static inline uint32_t add3(uint32_t a, uint32_t b, uint32_t cin, bool *ca, bool *ov)
{
	uint64_t s = (uint64_t)a + b + cin;
	uint32_t r = (uint32_t)s;

	*ca = s >> 32;
	*ov = ((a ^ r) & (b ^ r)) >> 31;
	return r;
}

static inline uint32_t rotl(uint32_t v, unsigned n)
{
	n &= 31;
	return n ? (v << n) | (v >> (32 - n)) : v;
}

static inline bool cr_bit(const struct core *c, unsigned n)
{
	return (c->cr >> (31 - n)) & 1;
}

static bool trap_cond(unsigned to, uint32_t a, uint32_t b)
{
	return ((to & 16) && (int32_t)a < (int32_t)b) || ((to & 8) && (int32_t)a > (int32_t)b) ||
	       ((to & 4) && a == b) || ((to & 2) && a < b) || ((to & 1) && a > b);
}

/* 440 multiply-accumulate APU (PPC440x5 manual, "macchw" through "nmaclhws"). */
static void exec_mac(struct core *c, const struct insn *i)
{
	uint32_t a = c->gpr[i->ra], b = c->gpr[i->rb], r;
	uint32_t ha, hb;
	int64_t prod;
	bool ov = false;

	if (i->attr & M_CROSS) {
		ha = a & 0xffff;
		hb = b >> 16;
	} else if (i->attr & M_HIGH) {
		ha = a >> 16;
		hb = b >> 16;
	} else {
		ha = a & 0xffff;
		hb = b & 0xffff;
	}
	if (i->attr & M_SIGNED)
		prod = (int64_t)(int16_t)ha * (int16_t)hb;
	else
		prod = (int64_t)((uint64_t)ha * hb);

	if (!(i->attr & M_ACC)) {
		r = (uint32_t)prod;
	} else if (i->attr & M_SIGNED) {
		int64_t t = (int64_t)(int32_t)c->gpr[i->rt];

		t = (i->attr & M_NEG) ? t - prod : t + prod;
		ov = t > INT32_MAX || t < INT32_MIN;
		r = (ov && (i->attr & M_SAT)) ? (t > 0 ? 0x7fffffffu : 0x80000000u) : (uint32_t)t;
	} else {
		uint64_t t = (uint64_t)c->gpr[i->rt] + (uint64_t)prod;

		ov = t > UINT32_MAX;
		r = (ov && (i->attr & M_SAT)) ? 0xffffffffu : (uint32_t)t;
	}
	c->gpr[i->rt] = r;
	if (i->flags & I_OE)
		set_ov(c, ov);
	if (i->flags & I_RC)
		set_cr0(c, r);
}

/* dlmzb (PPC440x5 manual, "dlmzb"): byte number of the leftmost zero byte of RS || RB. */
static void exec_dlmzb(struct core *c, const struct insn *i)
{
	uint64_t d = ((uint64_t)c->gpr[i->rt] << 32) | c->gpr[i->rb];
	uint32_t crf = 2; /* no zero byte: CR0[0:2] = 0b001 (EQ) */
	unsigned x;

	for (x = 1; x <= 8; x++)
		if (((d >> (64 - 8 * x)) & 0xff) == 0)
			break;
	if (x <= 8)
		crf = x < 5 ? 4 : 8; /* in RS: 0b010 (GT); in RB: 0b100 (LT) */
	else
		x = 8;
	c->gpr[i->ra] = x;
	c->xer = (c->xer & ~XER_TBC) | x;
	if (i->flags & I_RC)
		set_cr_field(c, 0, crf | (c->xer >> 31));
}

/* Load/store string (Book E, "lswi"/"stswi"): bytes fill registers from rt, wrapping after r31. */
static int exec_string(struct core *c, const struct insn *i, gva_t ea, unsigned nb, bool st)
{
	uint8_t buf[128];
	unsigned r = i->rt;
	bool le;

	if (nb == 0)
		return R_OK;
	if (st) {
		for (unsigned k = 0; k < nb; k++)
			buf[k] = (uint8_t)(c->gpr[(r + k / 4) & 31] >> (24 - 8 * (k % 4)));
		return block_access(c, ea, nb, CORE_ACC_WRITE, buf, &le);
	}
	if (block_access(c, ea, nb, CORE_ACC_READ, buf, &le) != R_OK)
		return R_EXIT;
	for (unsigned k = 0; k < nb; k += 4) {
		uint32_t v = 0;

		for (unsigned j = 0; j < 4; j++)
			v |= (k + j < nb ? (uint32_t)buf[k + j] : 0) << (24 - 8 * j);
		c->gpr[(r + k / 4) & 31] = v;
	}
	return R_OK;
}

/* User-readable SPRs the core answers itself; false: the hypervisor decides. */
static bool read_spr(struct core *c, unsigned spr, uint32_t *v)
{
	switch (spr) {
	case 1: *v = c->xer; return true;
	case 8: *v = c->lr; return true;
	case 9: *v = c->ctr; return true;
	case 256: *v = c->usprg0; return true;
	case 260: case 261: case 262: case 263: *v = c->sprg_ro[spr - 260]; return true;
	case 268: *v = (uint32_t)core_tb_read(c); return true;
	case 269: *v = (uint32_t)(core_tb_read(c) >> 32); return true;
	default: return false;
	}
}

static bool write_spr(struct core *c, unsigned spr, uint32_t v)
{
	switch (spr) {
	case 1: c->xer = v & (XER_SO | XER_OV | XER_CA | XER_TBC); return true;
	case 8: c->lr = v; return true;
	case 9: c->ctr = v; return true;
	case 256: c->usprg0 = v; return true;
	default: return false;
	}
}

/* A privileged instruction emulated in place by the hypervisor (core.h: light_exit). */
static bool light_exit(struct core *c, const struct insn *i)
{
	return c->light_exit && !c->lockstep && c->light_exit(c, i->word);
}

/*
 * Execute one decoded instruction at c->pc. Returns X_NEXT or X_BRANCH with
 * pc advanced, or X_EXIT with c->exit filled and nothing changed.
 */
static int exec(struct core *c, const struct insn *i)
{
	uint32_t *g = c->gpr;
	uint32_t pc = c->pc, npc = pc + 4;
	uint32_t a = i->ra ? g[i->ra] : 0; /* (RA|0) */
	uint32_t r;
	uint64_t v;
	gva_t ea;
	bool ca, ov;
	int res;

	switch (i->cls) {
	case CL_LOAD:
		ea = a + (i->attr & D_IDX ? g[i->rb] : i->imm);
		res = load(c, ea, i->size, i->attr & D_BREV, 0, &v);
		if (unlikely(res != R_OK)) {
			c->mmio.kind = PK_GPR;
			goto mem_exit;
		}
		if (i->attr & D_SEXT)
			v = (uint32_t)(int32_t)(int16_t)v;
		g[i->rt] = (uint32_t)v;
		if (i->attr & D_UPD)
			g[i->ra] = ea;
		break;
	case CL_STORE:
		ea = a + (i->attr & D_IDX ? g[i->rb] : i->imm);
		res = store(c, ea, i->size, i->attr & D_BREV, 0, g[i->rt]);
		if (unlikely(res != R_OK)) {
			c->mmio.kind = PK_STORE;
			goto mem_exit;
		}
		if (i->attr & D_UPD)
			g[i->ra] = ea;
		break;
	case CL_FLOAD:
	case CL_FSTORE:
		if (!c->fp_enabled) {
			set_exit(c, CORE_EXIT_FP_UNAVAIL, pc, 0);
			return X_EXIT;
		}
		ea = a + (i->attr & D_IDX ? g[i->rb] : i->imm);
		/* An FP access crossing a quadword boundary takes the alignment interrupt (PPC440x5 manual, 6.4.7). */
		if ((ea & 15) + i->size > 16) {
			set_exit(c, CORE_EXIT_ALIGN, ea,
				 CORE_ESR_FP | (i->cls == CL_FSTORE ? CORE_ESR_ST : 0));
			return X_EXIT;
		}
		if (i->cls == CL_FLOAD) {
			res = load(c, ea, i->size, false, CORE_ESR_FP, &v);
			if (res != R_OK) {
				c->mmio.kind = i->size == 4 ? PK_FPR_S : PK_FPR_D;
				goto mem_exit;
			}
			c->fpr[i->rt] = i->size == 4 ? fpu_single_to_double((uint32_t)v) : v;
		} else {
			uint64_t f = c->fpr[i->rt];

			if (i->attr & D_FS)
				v = fpu_double_to_single(f);
			else if (i->attr & D_FIW)
				v = (uint32_t)f;
			else
				v = f;
			res = store(c, ea, i->size, false, CORE_ESR_FP, v);
			if (res != R_OK) {
				c->mmio.kind = PK_STORE;
				goto mem_exit;
			}
		}
		if (i->attr & D_UPD)
			g[i->ra] = ea;
		break;
	case CL_MAC:
		exec_mac(c, i);
		break;
	case CL_CR: {
		bool x = cr_bit(c, i->ra), y = cr_bit(c, i->rb), z;

		switch (i->op) {
		case OP_CRAND: z = x & y; break;
		case OP_CROR: z = x | y; break;
		case OP_CRXOR: z = x ^ y; break;
		case OP_CRNAND: z = !(x & y); break;
		case OP_CRNOR: z = !(x | y); break;
		case OP_CREQV: z = x == y; break;
		case OP_CRANDC: z = x & !y; break;
		default: z = x | !y; break; /* crorc */
		}
		c->cr = (c->cr & ~(0x80000000u >> i->rt)) | ((uint32_t)z << (31 - i->rt));
		break;
	}
	case CL_BRANCH: {
		unsigned bo = i->rt;
		bool ctr_ok = true, cond_ok = true;
		uint32_t target;

		if (i->op == OP_B) {
			target = (i->flags & I_AA) ? i->imm : pc + i->imm;
		} else {
			/* Book E "bc": BO[2] = 0 decrements CTR (not for bcctr, an invalid form there). */
			if (!(bo & 4) && i->op != OP_BCCTR) {
				c->ctr--;
				ctr_ok = (c->ctr != 0) ^ !!(bo & 2);
			}
			if (!(bo & 16))
				cond_ok = cr_bit(c, i->ra) == !!(bo & 8);
			if (i->op == OP_BC)
				target = (i->flags & I_AA) ? i->imm : pc + i->imm;
			else if (i->op == OP_BCLR)
				target = c->lr & ~3u;
			else
				target = c->ctr & ~3u;
		}
		if (i->flags & I_LK)
			c->lr = pc + 4;
		if (ctr_ok && cond_ok) {
			c->pc = target;
			return X_BRANCH;
		}
		break;
	}
	case CL_PRIV:
		if (light_exit(c, i))
			break;
		set_exit(c, CORE_EXIT_PRIV, pc, 0);
		return X_EXIT;
	case CL_FPU:
		if (!c->fp_enabled) {
			set_exit(c, CORE_EXIT_FP_UNAVAIL, pc, 0);
			return X_EXIT;
		}
		switch (fpu_exec(c, i->word)) {
		case FPU_OK:
			break;
		case FPU_PROGRAM:
			set_exit(c, CORE_EXIT_PROGRAM, pc, CORE_ESR_FP);
			return X_EXIT;
		default:
			set_exit(c, CORE_EXIT_PROGRAM, pc, CORE_ESR_PIL);
			return X_EXIT;
		}
		break;
	case CL_ILLEGAL:
		set_exit(c, CORE_EXIT_PROGRAM, pc, CORE_ESR_PIL);
		return X_EXIT;
	default:
		switch (i->op) {
		case OP_SC:
			set_exit(c, CORE_EXIT_SC, pc, 0);
			return X_EXIT;
		case OP_TWI:
		case OP_TW:
			if (trap_cond(i->rt, g[i->ra], i->op == OP_TW ? g[i->rb] : i->imm)) {
				set_exit(c, CORE_EXIT_PROGRAM, pc, CORE_ESR_PTR);
				return X_EXIT;
			}
			break;
		case OP_ADDI:
			g[i->rt] = a + i->imm;
			break;
		case OP_ADDIS:
			g[i->rt] = a + (i->imm << 16);
			break;
		case OP_ADDIC:
		case OP_ADDIC_:
			r = add3(g[i->ra], i->imm, 0, &ca, &ov);
			g[i->rt] = r;
			set_ca(c, ca);
			if (i->op == OP_ADDIC_)
				set_cr0(c, r);
			break;
		case OP_SUBFIC:
			g[i->rt] = add3(~g[i->ra], i->imm, 1, &ca, &ov);
			set_ca(c, ca);
			break;
		case OP_MULLI:
			g[i->rt] = (uint32_t)((int32_t)g[i->ra] * (int64_t)(int32_t)i->imm);
			break;
		case OP_ADD: case OP_ADDC: case OP_ADDE: case OP_ADDME: case OP_ADDZE:
		case OP_SUBF: case OP_SUBFC: case OP_SUBFE: case OP_SUBFME: case OP_SUBFZE:
		case OP_NEG: {
			uint32_t x = g[i->ra], y = g[i->rb], cin = (c->xer >> 29) & 1;

			switch (i->op) {
			case OP_ADD: case OP_ADDC: r = add3(x, y, 0, &ca, &ov); break;
			case OP_ADDE: r = add3(x, y, cin, &ca, &ov); break;
			case OP_ADDME: r = add3(x, 0xffffffffu, cin, &ca, &ov); break;
			case OP_ADDZE: r = add3(x, 0, cin, &ca, &ov); break;
			case OP_SUBF: case OP_SUBFC: r = add3(~x, y, 1, &ca, &ov); break;
			case OP_SUBFE: r = add3(~x, y, cin, &ca, &ov); break;
			case OP_SUBFME: r = add3(~x, 0xffffffffu, cin, &ca, &ov); break;
			case OP_SUBFZE: r = add3(~x, 0, cin, &ca, &ov); break;
			default: r = add3(~x, 0, 1, &ca, &ov); break; /* neg */
			}
			g[i->rt] = r;
			if (i->op != OP_ADD && i->op != OP_SUBF && i->op != OP_NEG)
				set_ca(c, ca);
			goto arith_flags;
		}
		case OP_MULLW: {
			int64_t p = (int64_t)(int32_t)g[i->ra] * (int32_t)g[i->rb];

			r = (uint32_t)p;
			ov = p != (int32_t)r;
			g[i->rt] = r;
			goto arith_flags;
		}
		case OP_MULHW:
			r = (uint32_t)(((int64_t)(int32_t)g[i->ra] * (int32_t)g[i->rb]) >> 32);
			g[i->rt] = r;
			ov = false; /* no OE form */
			goto arith_flags;
		case OP_MULHWU:
			r = (uint32_t)(((uint64_t)g[i->ra] * g[i->rb]) >> 32);
			g[i->rt] = r;
			ov = false;
			goto arith_flags;
		case OP_DIVW: {
			int32_t x = (int32_t)g[i->ra], y = (int32_t)g[i->rb];

			/*
			 * Divide by zero or 0x80000000 / -1: the 440 manual leaves RT
			 * undefined; like QEMU we return the dividend (a divide by 1).
			 */
			ov = y == 0 || (x == INT32_MIN && y == -1);
			r = ov ? (uint32_t)x : (uint32_t)(x / y);
			g[i->rt] = r;
			goto arith_flags;
		}
		case OP_DIVWU: {
			uint32_t x = g[i->ra], y = g[i->rb];

			ov = y == 0;
			r = ov ? x : x / y;
			g[i->rt] = r;
			goto arith_flags;
		}
		case OP_AND: r = g[i->rt] & g[i->rb]; goto logical;
		case OP_ANDC: r = g[i->rt] & ~g[i->rb]; goto logical;
		case OP_OR: r = g[i->rt] | g[i->rb]; goto logical;
		case OP_ORC: r = g[i->rt] | ~g[i->rb]; goto logical;
		case OP_XOR: r = g[i->rt] ^ g[i->rb]; goto logical;
		case OP_NAND: r = ~(g[i->rt] & g[i->rb]); goto logical;
		case OP_NOR: r = ~(g[i->rt] | g[i->rb]); goto logical;
		case OP_EQV: r = ~(g[i->rt] ^ g[i->rb]); goto logical;
		case OP_EXTSB: r = (uint32_t)(int32_t)(int8_t)g[i->rt]; goto logical;
		case OP_EXTSH: r = (uint32_t)(int32_t)(int16_t)g[i->rt]; goto logical;
		case OP_CNTLZW: r = g[i->rt] ? (uint32_t)__builtin_clz(g[i->rt]) : 32; goto logical;
		case OP_SLW: {
			unsigned n = g[i->rb] & 63;

			r = n > 31 ? 0 : g[i->rt] << n;
			goto logical;
		}
		case OP_SRW: {
			unsigned n = g[i->rb] & 63;

			r = n > 31 ? 0 : g[i->rt] >> n;
			goto logical;
		}
		case OP_SRAW:
		case OP_SRAWI: {
			unsigned n = i->op == OP_SRAWI ? i->sh : (g[i->rb] & 63);
			int32_t s = (int32_t)g[i->rt];

			/* CA: negative source and 1-bits shifted out (Book E, "sraw"). */
			if (n > 31) {
				r = (uint32_t)(s >> 31);
				ca = s < 0;
			} else {
				r = (uint32_t)(s >> n);
				ca = s < 0 && n && (g[i->rt] << (32 - n));
			}
			set_ca(c, ca);
			goto logical;
		}
		case OP_ANDI_:
			r = g[i->rt] & i->imm;
			g[i->ra] = r;
			set_cr0(c, r);
			break;
		case OP_ANDIS_:
			r = g[i->rt] & (i->imm << 16);
			g[i->ra] = r;
			set_cr0(c, r);
			break;
		case OP_ORI: g[i->ra] = g[i->rt] | i->imm; break;
		case OP_ORIS: g[i->ra] = g[i->rt] | (i->imm << 16); break;
		case OP_XORI: g[i->ra] = g[i->rt] ^ i->imm; break;
		case OP_XORIS: g[i->ra] = g[i->rt] ^ (i->imm << 16); break;
		case OP_RLWINM: r = rotl(g[i->rt], i->sh) & i->imm; goto logical;
		case OP_RLWNM: r = rotl(g[i->rt], g[i->rb]) & i->imm; goto logical;
		case OP_RLWIMI:
			r = (rotl(g[i->rt], i->sh) & i->imm) | (g[i->ra] & ~i->imm);
			goto logical;
		case OP_CMP: case OP_CMPI: case OP_CMPL: case OP_CMPLI: {
			uint32_t x = g[i->ra], y = (i->op == OP_CMP || i->op == OP_CMPL) ? g[i->rb] : i->imm;
			bool lt, gt;

			if (i->op == OP_CMP || i->op == OP_CMPI) {
				lt = (int32_t)x < (int32_t)y;
				gt = (int32_t)x > (int32_t)y;
			} else {
				lt = x < y;
				gt = x > y;
			}
			set_cr_field(c, i->rt >> 2, (lt ? 8 : gt ? 4 : 2) | (c->xer >> 31));
			break;
		}
		case OP_MCRF:
			set_cr_field(c, i->rt >> 2, c->cr >> ((7 - (i->ra >> 2)) * 4));
			break;
		case OP_MCRXR:
			set_cr_field(c, i->rt >> 2, c->xer >> 28);
			c->xer &= ~(XER_SO | XER_OV | XER_CA);
			break;
		case OP_MFCR:
			g[i->rt] = c->cr;
			break;
		case OP_MTCRF: {
			uint32_t m = 0;

			for (unsigned f = 0; f < 8; f++)
				if (i->imm & (0x80u >> f))
					m |= 0xf0000000u >> (4 * f);
			c->cr = (c->cr & ~m) | (g[i->rt] & m);
			break;
		}
		case OP_MFSPR:
		case OP_MFTB:
			if (!read_spr(c, i->imm, &r) ||
			    (i->op == OP_MFTB && i->imm != 268 && i->imm != 269)) {
				if (light_exit(c, i))
					break;
				set_exit(c, CORE_EXIT_PRIV, pc, 0);
				return X_EXIT;
			}
			g[i->rt] = r;
			break;
		case OP_MTSPR:
			if (!write_spr(c, i->imm, g[i->rt])) {
				if (light_exit(c, i))
					break;
				set_exit(c, CORE_EXIT_PRIV, pc, 0);
				return X_EXIT;
			}
			break;
		case OP_LMW:
		case OP_STMW: {
			uint8_t buf[128];
			unsigned n = 32 - i->rt;
			bool le;

			ea = a + i->imm;
			if (i->op == OP_STMW) {
				for (unsigned k = 0; k < n; k++)
					st_be(buf + 4 * k, 4, g[i->rt + k]);
				if (block_access(c, ea, 4 * n, CORE_ACC_WRITE, buf, &le) != R_OK)
					return X_EXIT;
				/* A little-endian page stores each word reversed: fix up in place. */
				if (le) {
					for (unsigned k = 0; k < n; k++)
						st_be(buf + 4 * k, 4, __builtin_bswap32(g[i->rt + k]));
					block_access(c, ea, 4 * n, CORE_ACC_WRITE, buf, &le);
				}
			} else {
				if (block_access(c, ea, 4 * n, CORE_ACC_READ, buf, &le) != R_OK)
					return X_EXIT;
				for (unsigned k = 0; k < n; k++) {
					uint32_t w = (uint32_t)ld_be(buf + 4 * k, 4);

					g[i->rt + k] = le ? __builtin_bswap32(w) : w;
				}
			}
			break;
		}
		case OP_LSWI:
		case OP_STSWI:
			if (exec_string(c, i, a, i->rb ? i->rb : 32, i->op == OP_STSWI) != R_OK)
				return X_EXIT;
			break;
		case OP_LSWX:
		case OP_STSWX:
			if (exec_string(c, i, a + g[i->rb], c->xer & XER_TBC, i->op == OP_STSWX) != R_OK)
				return X_EXIT;
			break;
		case OP_LWARX:
		case OP_STWCX: {
			bool st = i->op == OP_STWCX, le;
			enum core_access acc = st ? CORE_ACC_WRITE : CORE_ACC_READ;
			uint32_t len;
			gpa_t pa;

			ea = a + g[i->rb];
			/* Not word-aligned: alignment interrupt (PPC440x5 manual, "Alignment Interrupt"). */
			if (ea & 3) {
				set_exit(c, CORE_EXIT_ALIGN, ea, st ? CORE_ESR_ST : 0);
				return X_EXIT;
			}
			if (unlikely(c->n_watchpoints) && core_watch_hit(c, ea, 4, acc))
				return X_EXIT;
			{
				/* big-endian RAM, and (stores) not a code page: no xlate needed */
				const uint8_t *h = fast_host(c, ea, 4, acc);

				if (h) {
					pa = (gpa_t)(h - c->ram);
					le = false;
				} else {
					enum xlate_result xr = core_xlate(c, ea, acc, 0, &pa, &len, &le);
					if (xr == XL_FAULT)
						return X_EXIT;
					if (xr == XL_IO || len < 4) {
						set_exit(c, CORE_EXIT_ALIGN, ea, st ? CORE_ESR_ST : 0);
						return X_EXIT;
					}
				}
			}
			if (!st) {
				uint32_t w = (uint32_t)ld_be(c->ram + pa, 4);

				g[i->rt] = le ? __builtin_bswap32(w) : w;
				c->resv_valid = true;
				c->resv_pa = pa;
			} else {
				uint32_t crf = c->xer >> 31;

				if (c->resv_valid && c->resv_pa == pa) {
					wlog(c, c->ram + pa, 4);
					st_be(c->ram + pa, 4, le ? __builtin_bswap32(g[i->rt]) : g[i->rt]);
					ram_stored(c, pa, 4);
					crf |= 2; /* EQ: the store was performed */
				}
				c->resv_valid = false;
				set_cr_field(c, 0, crf);
			}
			break;
		}
		case OP_DCBZ: {
			uint32_t len;
			gpa_t pa;
			bool le;
			enum xlate_result xr;

			/* Operates on the 32-byte line; the low EA bits are ignored (manual, 2.1.3). */
			ea = (a + g[i->rb]) & ~31u;
			if (unlikely(c->n_watchpoints) && core_watch_hit(c, ea, 32, CORE_ACC_WRITE))
				return X_EXIT;
			{
				uint8_t *h = fast_host(c, ea, 32, CORE_ACC_WRITE);

				if (h) {
					wlog(c, h, 32);
					memset(h, 0, 32);
					break;
				}
			}
			xr = core_xlate(c, ea, CORE_ACC_WRITE, 0, &pa, &len, &le);
			if (xr == XL_FAULT)
				return X_EXIT;
			/* dcbz to caching-inhibited storage takes the alignment interrupt. */
			if (xr == XL_IO || len < 32) {
				set_exit(c, CORE_EXIT_ALIGN, a + g[i->rb], CORE_ESR_ST);
				return X_EXIT;
			}
			wlog(c, c->ram + pa, 32);
			memset(c->ram + pa, 0, 32);
			ram_stored(c, pa, 32);
			break;
		}
		case OP_DCBF:
		case OP_DCBST:
		case OP_ICBI: {
			uint32_t len;
			gpa_t pa;
			bool le;

			/* Translated like a load (Book E, "dcbf"); RAM is always coherent here. */
			if (core_xlate(c, a + g[i->rb], CORE_ACC_READ, 0, &pa, &len, &le) == XL_FAULT)
				return X_EXIT;
			if (i->op == OP_ICBI)
				core_icache_invalidate(c, pa);
			break;
		}
		case OP_HINT: case OP_ISYNC: case OP_SYNC: case OP_MBAR:
			break;
		case OP_DLMZB:
			exec_dlmzb(c, i);
			break;
		default:
			set_exit(c, CORE_EXIT_PROGRAM, pc, CORE_ESR_PIL);
			return X_EXIT;
		}
		break;
	}
	c->pc = npc;
	return X_NEXT;

arith_flags:
	if (i->flags & I_OE)
		set_ov(c, ov);
	if (i->flags & I_RC)
		set_cr0(c, r);
	c->pc = npc;
	return X_NEXT;

logical:
	g[i->ra] = r;
	if (i->flags & I_RC)
		set_cr0(c, r);
	c->pc = npc;
	return X_NEXT;

mem_exit:
	if (res == R_MMIO) {
		c->mmio.reg = i->rt;
		c->mmio.update_reg = (i->attr & D_UPD) ? i->ra : NO_REG;
		c->mmio.update_ea = ea;
		if (i->attr & D_SEXT)
			c->mmio.flags |= MF_SEXT;
	} else {
		c->mmio.kind = PK_NONE;
	}
	return X_EXIT;
}

void core_mmio_complete(struct core *c, uint64_t data)
{
	struct core_mmio_pending *m = &c->mmio;
	unsigned n = c->exit.size;

	if (m->kind == PK_NONE)
		return;
	if (m->kind != PK_STORE) {
		if (n < 8)
			data &= (1ull << (8 * n)) - 1;
		if (m->flags & MF_REV)
			data = bswap_n(data, n);
		if (m->flags & MF_SEXT)
			data = (uint32_t)(int32_t)(int16_t)data;
		if (m->kind == PK_GPR)
			c->gpr[m->reg & 31] = (uint32_t)data;
		else if (m->kind == PK_FPR_S)
			c->fpr[m->reg & 31] = fpu_single_to_double((uint32_t)data);
		else
			c->fpr[m->reg & 31] = data;
	}
	if (m->update_reg != NO_REG)
		c->gpr[m->update_reg & 31] = m->update_ea;
	m->kind = PK_NONE;
	c->pc += 4;
}

int core_exec_insn(struct core *c, const struct insn *i)
{
	return exec(c, i);
}

/*
 * Run block b as threaded code from c->pc for at most left instructions.
 * Each instruction jumps straight to the handler of its op (computed goto,
 * one indirect jump per instruction). The common simple ops have handlers
 * here that repeat exec()'s semantics for their plain forms (fast-cache
 * hits, no OE, the SPRs LR and CTR); everything else, and every case a
 * handler does not take, goes to exec() - the reference - with nothing
 * changed yet.
 */
int interp_block(struct core *c, const struct block *b, uint64_t left, uint64_t *done)
{
	/* Every op defaults to exec(); the range initializer is then overridden on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
	static const void *const handler[OP__COUNT] = {
		[0 ... OP__COUNT - 1] = &&op_generic,
		[OP_ADDI] = &&op_addi, [OP_ADDIS] = &&op_addis,
		[OP_ORI] = &&op_ori, [OP_ORIS] = &&op_oris, [OP_XORI] = &&op_xori,
		[OP_XORIS] = &&op_xoris, [OP_ANDI_] = &&op_andi_,
		[OP_RLWINM] = &&op_rlwinm, [OP_RLWIMI] = &&op_rlwimi,
		[OP_OR] = &&op_or, [OP_AND] = &&op_and, [OP_XOR] = &&op_xor, [OP_ANDC] = &&op_andc,
		[OP_NOR] = &&op_nor,
		[OP_ADD] = &&op_add, [OP_SUBF] = &&op_subf, [OP_NEG] = &&op_neg,
		[OP_MULLW] = &&op_mullw, [OP_MULLI] = &&op_mulli,
		[OP_CMP] = &&op_cmp, [OP_CMPI] = &&op_cmpi, [OP_CMPL] = &&op_cmpl,
		[OP_CMPLI] = &&op_cmpli,
		[OP_MFSPR] = &&op_mfspr, [OP_MTSPR] = &&op_mtspr,
		[OP_LBZ] = &&op_load, [OP_LBZU] = &&op_load, [OP_LBZX] = &&op_load,
		[OP_LBZUX] = &&op_load, [OP_LHZ] = &&op_load, [OP_LHZU] = &&op_load,
		[OP_LHZX] = &&op_load, [OP_LHZUX] = &&op_load, [OP_LHA] = &&op_load,
		[OP_LHAU] = &&op_load, [OP_LHAX] = &&op_load, [OP_LHAUX] = &&op_load,
		[OP_LWZ] = &&op_load, [OP_LWZU] = &&op_load, [OP_LWZX] = &&op_load,
		[OP_LWZUX] = &&op_load,
		[OP_STB] = &&op_store, [OP_STBU] = &&op_store, [OP_STBX] = &&op_store,
		[OP_STBUX] = &&op_store, [OP_STH] = &&op_store, [OP_STHU] = &&op_store,
		[OP_STHX] = &&op_store, [OP_STHUX] = &&op_store, [OP_STW] = &&op_store,
		[OP_STWU] = &&op_store, [OP_STWX] = &&op_store, [OP_STWUX] = &&op_store,
		[OP_B] = &&op_b, [OP_BC] = &&op_bc, [OP_BCLR] = &&op_bclr, [OP_BCCTR] = &&op_bclr,
		[OP_ANDIS_] = &&op_andis_, [OP_ADDIC] = &&op_addic, [OP_ADDIC_] = &&op_addic,
		[OP_SUBFIC] = &&op_subfic, [OP_ADDZE] = &&op_addze, [OP_MFCR] = &&op_mfcr,
		[OP_MTCRF] = &&op_mtcrf, [OP_SLW] = &&op_slw, [OP_SRW] = &&op_srw,
		[OP_CNTLZW] = &&op_cntlzw,
	};
#pragma GCC diagnostic pop
	uint32_t *g = c->gpr;
	const struct insn *i, *first, *end;
	gva_t bpc;
	uint32_t r, x, y;
	uint8_t *h;
	gva_t ea;
	int xr;

	first = i = &block_cache(c)->ins[b->first];
	end = first + (left < b->n ? left : b->n);
	bpc = c->pc;

	/*
	 * Inside a block c->pc is stale: the handlers here do not need it,
	 * and PC() gives the current instruction's address to those that do.
	 */
#define PC() (bpc + 4 * (uint32_t)(i - first))
#define DISPATCH() goto *handler[i->op]
#define NEXT() do { if (++i == end) goto block_end; DISPATCH(); } while (0)
#define RA0 (i->ra ? g[i->ra] : 0)
	DISPATCH();

	op_addi:
		g[i->rt] = RA0 + i->imm;
		NEXT();
	op_addis:
		g[i->rt] = RA0 + (i->imm << 16);
		NEXT();
	op_ori:
		g[i->ra] = g[i->rt] | i->imm;
		NEXT();
	op_oris:
		g[i->ra] = g[i->rt] | (i->imm << 16);
		NEXT();
	op_xori:
		g[i->ra] = g[i->rt] ^ i->imm;
		NEXT();
	op_xoris:
		g[i->ra] = g[i->rt] ^ (i->imm << 16);
		NEXT();
	op_andi_:
		r = g[i->rt] & i->imm;
		g[i->ra] = r;
		set_cr0(c, r);
		NEXT();
	op_andis_:
		r = g[i->rt] & (i->imm << 16);
		g[i->ra] = r;
		set_cr0(c, r);
		NEXT();
	op_addic: {
		bool ca, ov;

		r = add3(g[i->ra], i->imm, 0, &ca, &ov);
		g[i->rt] = r;
		set_ca(c, ca);
		if (i->op == OP_ADDIC_)
			set_cr0(c, r);
		NEXT();
	}
	op_subfic: {
		bool ca, ov;

		g[i->rt] = add3(~g[i->ra], i->imm, 1, &ca, &ov);
		set_ca(c, ca);
		NEXT();
	}
	op_addze: {
		bool ca, ov;

		if (i->flags & I_OE)
			goto op_generic;
		r = add3(g[i->ra], 0, (c->xer >> 29) & 1, &ca, &ov);
		set_ca(c, ca);
		goto arith;
	}
	op_mfcr:
		g[i->rt] = c->cr;
		NEXT();
	op_mtcrf: {
		uint32_t m = 0;

		for (unsigned f = 0; f < 8; f++)
			if (i->imm & (0x80u >> f))
				m |= 0xf0000000u >> (4 * f);
		c->cr = (c->cr & ~m) | (g[i->rt] & m);
		NEXT();
	}
	op_slw:
		x = g[i->rb] & 63;
		r = x > 31 ? 0 : g[i->rt] << x;
		goto logical;
	op_srw:
		x = g[i->rb] & 63;
		r = x > 31 ? 0 : g[i->rt] >> x;
		goto logical;
	op_cntlzw:
		r = g[i->rt] ? (uint32_t)__builtin_clz(g[i->rt]) : 32;
		goto logical;
	op_rlwinm:
		r = rotl(g[i->rt], i->sh) & i->imm;
		goto logical;
	op_rlwimi:
		r = (rotl(g[i->rt], i->sh) & i->imm) | (g[i->ra] & ~i->imm);
		goto logical;
	op_or:
		r = g[i->rt] | g[i->rb];
		goto logical;
	op_and:
		r = g[i->rt] & g[i->rb];
		goto logical;
	op_xor:
		r = g[i->rt] ^ g[i->rb];
		goto logical;
	op_andc:
		r = g[i->rt] & ~g[i->rb];
		goto logical;
	op_nor:
		r = ~(g[i->rt] | g[i->rb]);
		goto logical;
	logical:
		g[i->ra] = r;
		if (i->flags & I_RC)
			set_cr0(c, r);
		NEXT();
	op_add:
		if (i->flags & I_OE)
			goto op_generic;
		r = g[i->ra] + g[i->rb];
		goto arith;
	op_subf:
		if (i->flags & I_OE)
			goto op_generic;
		r = g[i->rb] - g[i->ra];
		goto arith;
	op_neg:
		if (i->flags & I_OE)
			goto op_generic;
		r = -g[i->ra];
		goto arith;
	op_mullw:
		if (i->flags & I_OE)
			goto op_generic;
		r = g[i->ra] * g[i->rb];
		goto arith;
	arith:
		g[i->rt] = r;
		if (i->flags & I_RC)
			set_cr0(c, r);
		NEXT();
	op_mulli:
		g[i->rt] = (uint32_t)((int32_t)g[i->ra] * (int64_t)(int32_t)i->imm);
		NEXT();
	op_cmp:
		x = g[i->ra];
		y = g[i->rb];
		goto cmp_signed;
	op_cmpi:
		x = g[i->ra];
		y = i->imm;
	cmp_signed:
		set_cr_field(c, i->rt >> 2,
			     ((int32_t)x < (int32_t)y ? 8 : (int32_t)x > (int32_t)y ? 4 : 2) |
				     (c->xer >> 31));
		NEXT();
	op_cmpl:
		x = g[i->ra];
		y = g[i->rb];
		goto cmp_unsigned;
	op_cmpli:
		x = g[i->ra];
		y = i->imm;
	cmp_unsigned:
		set_cr_field(c, i->rt >> 2, (x < y ? 8 : x > y ? 4 : 2) | (c->xer >> 31));
		NEXT();
	op_mfspr:
		if (i->imm == 8)
			g[i->rt] = c->lr;
		else if (i->imm == 9)
			g[i->rt] = c->ctr;
		else
			goto op_generic;
		NEXT();
	op_mtspr:
		if (i->imm == 8)
			c->lr = g[i->rt];
		else if (i->imm == 9)
			c->ctr = g[i->rt];
		else
			goto op_generic;
		NEXT();
	op_load:
		ea = RA0 + (i->attr & D_IDX ? g[i->rb] : i->imm);
		h = fast_host(c, ea, i->size, CORE_ACC_READ);
		if (unlikely(!h))
			goto op_generic;
		r = (uint32_t)ld_be(h, i->size);
		if (i->attr & D_BREV)
			r = (uint32_t)bswap_n(r, i->size);
		if (i->attr & D_SEXT)
			r = (uint32_t)(int32_t)(int16_t)r;
		g[i->rt] = r;
		if (i->attr & D_UPD)
			g[i->ra] = ea;
		NEXT();
	op_store:
		ea = RA0 + (i->attr & D_IDX ? g[i->rb] : i->imm);
		h = fast_host(c, ea, i->size, CORE_ACC_WRITE);
		if (unlikely(!h))
			goto op_generic;
		r = g[i->rt];
		if (i->attr & D_BREV)
			r = (uint32_t)bswap_n(r, i->size);
		st_be(h, i->size, r);
		if (i->attr & D_UPD)
			g[i->ra] = ea;
		NEXT();
	op_b:
		if (i->flags & I_LK)
			c->lr = PC() + 4;
		c->pc = (i->flags & I_AA) ? i->imm : PC() + i->imm;
		i++;
		goto block_left;
	op_bc:
	op_bclr: {
		/* As exec(): BO[2] = 0 decrements CTR, BO[0] = 0 tests CR bit BI. */
		unsigned bo = i->rt;
		bool ok = true;
		uint32_t pc = PC();
		uint32_t target = i->op == OP_BCLR    ? c->lr & ~3u
				  : i->op == OP_BCCTR ? c->ctr & ~3u
				  : (i->flags & I_AA) ? i->imm : pc + i->imm;

		/* bcctr never decrements CTR (an invalid form there). */
		if (!(bo & 4) && i->op != OP_BCCTR) {
			c->ctr--;
			ok = (c->ctr != 0) ^ !!(bo & 2);
		}
		if (!(bo & 16))
			ok = ok && cr_bit(c, i->ra) == !!(bo & 8);
		if (i->flags & I_LK)
			c->lr = pc + 4;
		if (!ok)
			NEXT(); /* not taken: the block goes on (block.c) */
		c->pc = target;
		i++;
		goto block_left;
	}
	op_generic:
		c->pc = PC();
		xr = exec(c, i);
		if (unlikely(xr == X_EXIT)) {
			c->exit.insn = i->word;
			*done = (uint64_t)(i - first);
			return X_EXIT;
		}
		i++;
		if (xr == X_BRANCH || unlikely(c->code_changed) || i == end)
			goto block_left; /* exec() set c->pc */
		DISPATCH();

	block_end:
		c->pc = PC();
	block_left:
		*done = (uint64_t)(i - first);
		return X_NEXT;
#undef PC
#undef DISPATCH
#undef NEXT
#undef RA0
}
