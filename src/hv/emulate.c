/* SPDX-License-Identifier: MIT */
/* emulate.c - emulation of the 440's privileged instructions and SPRs for a guest kernel. */
#include "hv/internal.h"

/* Instruction fields (Book E instruction formats). */
#define OP(i)  ((i) >> 26)
#define XO(i)  (((i) >> 1) & 0x3ff)
#define RT(i)  (((i) >> 21) & 31)
#define RA(i)  (((i) >> 16) & 31)
#define RB(i)  (((i) >> 11) & 31)
/* SPR/DCR number: the two 5-bit halves are swapped in the encoding. */
#define SPRN(i) ((((i) >> 16) & 31) | ((((i) >> 11) & 31) << 5))

/* Primary opcode 31 extended opcodes. */
enum {
	XO_MFMSR = 83, XO_WRTEE = 131, XO_MTMSR = 146, XO_WRTEEI = 163,
	XO_MFDCRX = 259, XO_MTDCRX = 387, XO_MFDCR = 323, XO_MFSPR = 339, XO_MTDCR = 451, XO_DCCCI = 454,
	XO_MTSPR = 467, XO_DCBI = 470, XO_DCREAD = 486, XO_TLBSYNC = 566,
	XO_TLBSX = 914, XO_TLBRE = 946, XO_ICCCI = 966, XO_TLBWE = 978,
	XO_ICREAD = 998,
};
/* Primary opcode 19 extended opcodes. */
enum { XO_RFMCI = 38, XO_RFI = 50, XO_RFCI = 51 };

/* Results of SPR accesses. */
enum spr_result { SPR_OK, SPR_ILLEGAL, SPR_RESET };

static bool is_priv_insn(uint32_t insn)
{
	if (OP(insn) == 19)
		return XO(insn) == XO_RFI || XO(insn) == XO_RFCI || XO(insn) == XO_RFMCI;
	if (OP(insn) != 31)
		return false;
	switch (XO(insn)) {
	case XO_MFMSR: case XO_WRTEE: case XO_MTMSR: case XO_WRTEEI:
	case XO_MFDCR: case XO_MTDCR: case XO_DCCCI: case XO_DCBI:
	case XO_DCREAD: case XO_TLBSYNC: case XO_TLBSX: case XO_TLBRE:
	case XO_ICCCI: case XO_TLBWE: case XO_ICREAD:
		return true;
	}
	return false;
}

static uint32_t *spr_array(struct vcpu *v, unsigned spr)
{
	if (spr >= SPR_IVOR0 && spr < SPR_IVOR0 + 16)
		return &v->ivor[spr - SPR_IVOR0];
	if (spr >= SPR_SPRG0 && spr < SPR_SPRG0 + 8)
		return &v->sprg[spr - SPR_SPRG0];
	if (spr >= SPR_IAC1 && spr < SPR_IAC1 + 4)
		return &v->iac[spr - SPR_IAC1];
	if (spr >= SPR_INV0 && spr < SPR_INV0 + 4)
		return &v->inv[spr - SPR_INV0];
	if (spr >= SPR_ITV0 && spr < SPR_ITV0 + 4)
		return &v->itv[spr - SPR_ITV0];
	if (spr >= SPR_DNV0 && spr < SPR_DNV0 + 4)
		return &v->dnv[spr - SPR_DNV0];
	if (spr >= SPR_DTV0 && spr < SPR_DTV0 + 4)
		return &v->dtv[spr - SPR_DTV0];
	return NULL;
}

/* Plain read/write registers. */
static uint32_t *spr_plain(struct vcpu *v, unsigned spr)
{
	switch (spr) {
	case SPR_SRR0: return &v->srr0;
	case SPR_SRR1: return &v->srr1;
	case SPR_CSRR0: return &v->csrr0;
	case SPR_CSRR1: return &v->csrr1;
	case SPR_MCSRR0: return &v->mcsrr0;
	case SPR_MCSRR1: return &v->mcsrr1;
	case SPR_DEAR: return &v->dear;
	case SPR_ESR: return &v->esr;
	case SPR_DECAR: return &v->decar;
	case SPR_CCR0: return &v->ccr0;
	case SPR_CCR1: return &v->ccr1;
	case SPR_DBCR1: return &v->dbcr1;
	case SPR_DBCR2: return &v->dbcr2;
	case SPR_DAC1: return &v->dac[0];
	case SPR_DAC2: return &v->dac[1];
	case SPR_DVC1: return &v->dvc[0];
	case SPR_DVC2: return &v->dvc[1];
	case SPR_DVLIM: return &v->dvlim;
	case SPR_IVLIM: return &v->ivlim;
	case SPR_RSTCFG: return &v->rstcfg;
	case SPR_MMUCR: return &v->mmucr;
	}
	return spr_array(v, spr);
}

static enum spr_result spr_read(struct vcpu *v, unsigned spr, uint32_t *val)
{
	uint32_t *p = spr_plain(v, spr);

	if (p) {
		*val = *p;
		return SPR_OK;
	}
	switch (spr) {
	case SPR_XER: *val = v->core.xer; break;
	case SPR_LR: *val = v->core.lr; break;
	case SPR_CTR: *val = v->core.ctr; break;
	case SPR_USPRG0: *val = v->core.usprg0; break;
	case SPR_SPRG4R: case SPR_SPRG4R + 1: case SPR_SPRG4R + 2: case SPR_SPRG4R + 3:
		*val = v->sprg[4 + spr - SPR_SPRG4R];
		break;
	case SPR_TBL_R: *val = (uint32_t)core_tb_read(&v->core); break;
	case SPR_TBU_R: *val = (uint32_t)(core_tb_read(&v->core) >> 32); break;
	case SPR_DEC: *val = timer_read_dec(v); break;
	case SPR_PID: *val = v->pid; break;
	case SPR_IVPR: *val = v->ivpr; break;
	case SPR_PIR: *val = v->pir; break;
	case SPR_PVR: *val = v->pvr; break;
	case SPR_DBSR: *val = v->dbsr; break;
	case SPR_DBCR0: *val = v->dbcr0; break;
	case SPR_TSR: timer_update(v); *val = v->tsr; break;
	case SPR_TCR: *val = v->tcr; break;
	case SPR_MCSR: *val = v->mcsr; break;
	/* Cache debug registers: filled by dcread/icread, which read as 0 here. */
	case SPR_DCDBTRL: case SPR_DCDBTRH: case SPR_ICDBTRL: case SPR_ICDBTRH:
	case SPR_ICDBDR: case SPR_DBDR:
		*val = 0;
		break;
	default:
		return SPR_ILLEGAL;
	}
	return SPR_OK;
}

static enum spr_result spr_write(struct vcpu *v, unsigned spr, uint32_t val)
{
	uint32_t *p;

	switch (spr) {
	case SPR_XER: v->core.xer = val; return SPR_OK;
	case SPR_LR: v->core.lr = val; return SPR_OK;
	case SPR_CTR: v->core.ctr = val; return SPR_OK;
	case SPR_USPRG0: v->core.usprg0 = val; return SPR_OK;
	case SPR_DEC: timer_write_dec(v, val); return SPR_OK;
	case SPR_PID: v->pid = val & 0xff; vcpu_sync(v); return SPR_OK;
	case SPR_IVPR: v->ivpr = val & 0xffff0000u; return SPR_OK;
	case SPR_TBL_W:
		timer_write_tb(v, (core_tb_read(&v->core) & ~0xffffffffull) | val);
		return SPR_OK;
	case SPR_TBU_W:
		timer_write_tb(v, (core_tb_read(&v->core) & 0xffffffffull) | ((uint64_t)val << 32));
		return SPR_OK;
	case SPR_DBSR: v->dbsr &= ~val; return SPR_OK;       /* write-1-to-clear */
	case SPR_MCSR: v->mcsr &= ~val; return SPR_OK;       /* write-to-clear */
	case SPR_TSR: timer_update(v); v->tsr &= ~val; return SPR_OK; /* write-1-to-clear */
	case SPR_TCR:
		timer_update(v);
		/* TCR[WRC] can only be set once after reset (PPC440x5 manual, 7.4). */
		if (v->tcr & TCR_WRC)
			val = (val & ~TCR_WRC) | (v->tcr & TCR_WRC);
		v->tcr = val;
		return SPR_OK;
	case SPR_DBCR0:
		/* EDM belongs to the external debugger (the host's gdb stub): read-only, 0 */
		v->dbcr0 = val & ~(DBCR0_RST | DBCR0_EDM);
		dbg_update(v);
		return (val & DBCR0_RST) ? SPR_RESET : SPR_OK;
	case SPR_DCDBTRL: case SPR_DCDBTRH: case SPR_ICDBTRL: case SPR_ICDBTRH:
	case SPR_ICDBDR: case SPR_DBDR:
		return SPR_OK;
	}
	if (spr >= SPR_IVOR0 && spr < SPR_IVOR0 + 16) {
		v->ivor[spr - SPR_IVOR0] = val & 0x0000fff0u;
		return SPR_OK;
	}
	p = spr_plain(v, spr);
	if (!p)
		return SPR_ILLEGAL; /* unknown or read-only (PVR, PIR, TBL/TBU 268/269, SPRG4-7R) */
	*p = val;
	if (spr >= SPR_SPRG0 + 4 && spr < SPR_SPRG0 + 8)
		vcpu_sync(v);
	if (spr == SPR_DBCR2 || spr == SPR_DAC1 || spr == SPR_DAC2)
		dbg_update(v); /* the guest's watchpoints follow */
	return SPR_OK;
}

/* Does the SPR exist at all (for user mode: privileged vs illegal)? */
static bool spr_exists(struct vcpu *v, unsigned spr)
{
	uint32_t dummy;

	if (spr == SPR_TBL_W || spr == SPR_TBU_W)
		return true;
	return spr_read(v, spr, &dummy) == SPR_OK;
}

static void program(struct vcpu *v, uint32_t esr)
{
	v->esr = esr;
	irq_deliver(v, IVOR_PROGRAM, v->core.pc);
}

/* User mode: privileged instructions and privileged SPRs raise ESR[PPR], unknown ones ESR[PIL]. */
static enum emul_result emulate_user(struct vcpu *v, uint32_t insn, enum hv_exit_kind *kind)
{
	uint32_t *gpr = v->core.gpr;
	unsigned spr = SPRN(insn);
	uint32_t val;

	*kind = HV_EXIT_USR_PR_INST;
	if (OP(insn) == 31 && (XO(insn) == XO_MFSPR || XO(insn) == XO_MTSPR)) {
		if ((spr & 0x10) && spr_exists(v, spr)) {
			program(v, CORE_ESR_PPR);
			return EMUL_JUMPED;
		}
		/* A user SPR the core left to us: same rules as in supervisor mode. */
		if (!(spr & 0x10)) {
			if (XO(insn) == XO_MFSPR && spr_read(v, spr, &val) == SPR_OK) {
				gpr[RT(insn)] = val;
				return EMUL_DONE;
			}
			if (XO(insn) == XO_MTSPR &&
			    (spr == SPR_XER || spr == SPR_LR || spr == SPR_CTR || spr == SPR_USPRG0)) {
				spr_write(v, spr, gpr[RT(insn)]);
				return EMUL_DONE;
			}
		}
		program(v, CORE_ESR_PIL);
		return EMUL_JUMPED;
	}
	program(v, is_priv_insn(insn) || (v->indexed_dcr && OP(insn) == 31 &&
					    (XO(insn) == XO_MFDCRX || XO(insn) == XO_MTDCRX)) ?
		   CORE_ESR_PPR : CORE_ESR_PIL);
	return EMUL_JUMPED;
}

static void tlbsx(struct vcpu *v, uint32_t insn)
{
	uint32_t *gpr = v->core.gpr;
	gva_t ea = (RA(insn) ? gpr[RA(insn)] : 0) + gpr[RB(insn)];
	int i = tlb_search(v, ea, !!(v->mmucr & MMUCR_STS), v->mmucr & MMUCR_STID);

	/* Not found: RT is undefined by the manual; like QEMU we give -1. */
	gpr[RT(insn)] = (uint32_t)i;
	if (insn & 1) {
		/* tlbsx.: CR0 = 0b00 || EQ(found) || XER[SO]. */
		uint32_t cr0 = ((v->core.xer >> 31) & 1) | (i >= 0 ? 2 : 0);

		v->core.cr = (v->core.cr & 0x0fffffffu) | (cr0 << 28);
	}
}

static enum emul_result emulate_31(struct vcpu *v, uint32_t insn, enum hv_exit_kind *kind,
				   enum vcpu_stop *stop)
{
	uint32_t *gpr = v->core.gpr;
	uint32_t val;
	int r;

	switch (XO(insn)) {
	case XO_MFMSR:
		*kind = HV_EXIT_EMUL_MFMSR;
		gpr[RT(insn)] = v->msr;
		return EMUL_DONE;
	case XO_MTMSR:
		*kind = HV_EXIT_EMUL_MTMSR;
		vcpu_set_msr(v, gpr[RT(insn)]);
		if (v->halted)
			*kind = HV_EXIT_EMUL_WAIT;
		return EMUL_DONE;
	case XO_WRTEE:
		*kind = HV_EXIT_EMUL_WRTEE;
		vcpu_set_msr(v, (v->msr & ~MSR_EE) | (gpr[RT(insn)] & MSR_EE));
		return EMUL_DONE;
	case XO_WRTEEI:
		*kind = HV_EXIT_EMUL_WRTEE;
		vcpu_set_msr(v, (v->msr & ~MSR_EE) | (insn & MSR_EE));
		return EMUL_DONE;
	case XO_MFSPR:
		*kind = HV_EXIT_EMUL_MFSPR;
		if (spr_read(v, SPRN(insn), &val) != SPR_OK ||
		    SPRN(insn) == SPR_TBL_W || SPRN(insn) == SPR_TBU_W) {
			program(v, CORE_ESR_PIL);
			return EMUL_JUMPED;
		}
		gpr[RT(insn)] = val;
		return EMUL_DONE;
	case XO_MTSPR:
		*kind = HV_EXIT_EMUL_MTSPR;
		switch (spr_write(v, SPRN(insn), gpr[RT(insn)])) {
		case SPR_OK:
			return EMUL_DONE;
		case SPR_RESET:
			*stop = VCPU_STOP_RESET;
			v->core.pc += 4;
			return EMUL_STOP;
		default:
			program(v, CORE_ESR_PIL);
			return EMUL_JUMPED;
		}
	case XO_MFDCRX:
	case XO_MTDCRX:
		/* Indexed DCR access (DCR number in RA, 10 bits): only cores that have it (PPC464). */
		if (!v->indexed_dcr) {
			*kind = HV_EXIT_EMULINST;
			program(v, CORE_ESR_PIL);
			return EMUL_JUMPED;
		}
		/* fall through */
	case XO_MFDCR:
	case XO_MTDCR: {
		bool indexed = XO(insn) == XO_MFDCRX || XO(insn) == XO_MTDCRX;
		uint32_t dcrn = indexed ? gpr[RA(insn)] & 0x3ff : SPRN(insn);

		*kind = HV_EXIT_DCR;
		if (XO(insn) == XO_MTDCR || XO(insn) == XO_MTDCRX) {
			r = v->bus && v->bus->dcr_write ?
			    v->bus->dcr_write(v->bus->opaque, dcrn, gpr[RT(insn)]) : -1;
			if (r < 0)
				hv_log(v, "mtdcr 0x%x <- 0x%x: no device (ignored)", dcrn,
				       gpr[RT(insn)]);
			return EMUL_DONE;
		}
		r = v->bus && v->bus->dcr_read ? v->bus->dcr_read(v->bus->opaque, dcrn, &val) : -1;
		if (r < 0) {
			/* No device acknowledges: the DCR bus times out; read as 0. */
			hv_log(v, "mfdcr 0x%x: no device (reads 0)", dcrn);
			val = 0;
		}
		gpr[RT(insn)] = val;
		return EMUL_DONE;
	}
	case XO_TLBWE:
		*kind = HV_EXIT_EMUL_TLBWE;
		if (RB(insn) > 2) {
			program(v, CORE_ESR_PIL);
			return EMUL_JUMPED;
		}
		tlb_write_word(v, gpr[RA(insn)] & 0x3f, RB(insn), gpr[RT(insn)]);
		return EMUL_DONE;
	case XO_TLBRE:
		*kind = HV_EXIT_EMUL_TLBWE;
		if (RB(insn) > 2) {
			program(v, CORE_ESR_PIL);
			return EMUL_JUMPED;
		}
		gpr[RT(insn)] = tlb_read_word(v, gpr[RA(insn)] & 0x3f, RB(insn));
		return EMUL_DONE;
	case XO_TLBSX:
		*kind = HV_EXIT_EMUL_TLBSX;
		tlbsx(v, insn);
		return EMUL_DONE;
	case XO_ICCCI:
		/*
		 * Nothing to do: decoded code is always coherent with RAM (the
		 * core's stores, virtio's writes and the gdb stub's all kill the
		 * blocks they overwrite; docs/jit.md), so there is no stale
		 * instruction cache to invalidate. Linux on 44x issues one per
		 * flush_icache_range(): flushing every block here cost the
		 * paravirt boot (3,000 patches) a re-decode of everything each time.
		 */
		*kind = HV_EXIT_EMULINST;
		return EMUL_DONE;
	case XO_DCREAD:
		/* Cache debug read: no cache arrays are modelled, so the tag/data read as 0. */
		*kind = HV_EXIT_EMULINST;
		gpr[RT(insn)] = 0;
		return EMUL_DONE;
	case XO_TLBSYNC:
	case XO_DCCCI:
	case XO_DCBI:
	case XO_ICREAD:
		/* Caches are not modelled: guest RAM is always coherent. */
		*kind = HV_EXIT_EMULINST;
		return EMUL_DONE;
	}
	*kind = HV_EXIT_EMULINST;
	program(v, CORE_ESR_PIL);
	return EMUL_JUMPED;
}

static void rfx(struct vcpu *v, uint32_t pc, uint32_t msr)
{
	v->core.pc = pc & ~3u;
	vcpu_set_msr(v, msr);
}

enum emul_result emulate_priv(struct vcpu *v, uint32_t insn, enum hv_exit_kind *kind,
			      enum vcpu_stop *stop)
{
	if (v->msr & MSR_PR)
		return emulate_user(v, insn, kind);
	if (OP(insn) == 19) {
		*kind = HV_EXIT_EMUL_RFI;
		switch (XO(insn)) {
		case XO_RFI:
			if (dbg_return(v, true)) {
				*kind = HV_EXIT_DEBUG;
				return EMUL_JUMPED;
			}
			rfx(v, v->srr0, v->srr1);
			return EMUL_JUMPED;
		case XO_RFCI:
		case XO_RFMCI:
			/* RET with DE = 0 is not an event for these two (manual 8.3.6) */
			if ((v->msr & MSR_DE) && dbg_return(v, false)) {
				*kind = HV_EXIT_DEBUG;
				return EMUL_JUMPED;
			}
			if (XO(insn) == XO_RFCI)
				rfx(v, v->csrr0, v->csrr1);
			else
				rfx(v, v->mcsrr0, v->mcsrr1);
			return EMUL_JUMPED;
		}
	} else if (OP(insn) == 31) {
		return emulate_31(v, insn, kind, stop);
	}
	*kind = HV_EXIT_EMULINST;
	program(v, CORE_ESR_PIL);
	return EMUL_JUMPED;
}

/*
 * The SPRs a light exit may move: plain storage (spr_plain), no side
 * effect on either access. SPRG4-7 are read only: writing them must reach
 * their user-readable copies in the core (vcpu_sync).
 */
static bool light_spr(unsigned spr, bool write)
{
	switch (spr) {
	case SPR_SRR0: case SPR_SRR1: case SPR_CSRR0: case SPR_CSRR1: case SPR_MCSRR0:
	case SPR_MCSRR1: case SPR_DEAR: case SPR_ESR: case SPR_MMUCR:
		return true;
	}
	return spr >= SPR_SPRG0 && spr < SPR_SPRG0 + (write ? 4u : 8u);
}

/* Register spr of a light exit: in the magic page while it is mapped (their master copy then), else in the vcpu. */
static bool light_reg(struct vcpu *v, unsigned spr, bool write, uint32_t *val)
{
	uint32_t *p;

	if (spr == SPR_PID && !write) { /* writing it changes the context */
		*val = v->pid;
		return true;
	}
	if (!light_spr(spr, write))
		return false;
	if (pv_magic_reg(v, spr, write, val))
		return true;
	p = spr_plain(v, spr);
	if (write)
		*p = *val;
	else
		*val = *p;
	return true;
}

/*
 * A light exit (core.h: light_exit): the privileged instructions a kernel
 * issues most (mfmsr, wrtee/wrteei, mfspr and mtspr of plain registers)
 * emulated in place, counted and timed (sampled) as exits of their kind, while the
 * core goes on running. Whatever has another effect (the context, a
 * timer), an interrupt waiting (the run loop delivers it), a guest in user
 * mode, a magic page whose MSR changed beyond EE, a trace or a profile
 * takes the full exit.
 */
#define LIGHT_TIMED_EVERY 8 /* a power of 2 */

bool emulate_light(struct core *c, uint32_t insn)
{
	struct vcpu *v = (struct vcpu *)((char *)c - offsetof(struct vcpu, core));
	uint32_t *gpr = c->gpr, msr, ee;
	enum hv_exit_kind kind;
	uint64_t t0 = 0, ns;
	bool timed;

	if ((v->msr & MSR_PR) || TRACE_ON(v) || v->profile || OP(insn) != 31 ||
	    irq_waiting(v) || !pv_magic_msr_ee_only(v))
		return false;
	switch (XO(insn)) {
	case XO_MFMSR: kind = HV_EXIT_EMUL_MFMSR; break;
	case XO_WRTEE: case XO_WRTEEI: kind = HV_EXIT_EMUL_WRTEE; break;
	case XO_MFSPR: kind = HV_EXIT_EMUL_MFSPR; break;
	case XO_MTSPR: kind = HV_EXIT_EMUL_MTSPR; break;
	default: return false;
	}
	/*
	 * Two clock reads would cost more than the emulation: one light exit in
	 * LIGHT_TIMED_EVERY is timed (and the first of each kind), the others
	 * count the last timed duration of their kind.
	 */
	timed = (v->light_seq & (LIGHT_TIMED_EVERY - 1)) == 0 || !v->light_last_ns[kind];
	if (timed)
		t0 = hv_clock_now(&v->clock);
	switch (kind) {
	case HV_EXIT_EMUL_MFMSR:
		if (!pv_magic_reg(v, PV_MAGIC_MSR, false, &gpr[RT(insn)]))
			gpr[RT(insn)] = v->msr;
		break;
	case HV_EXIT_EMUL_WRTEE:
		ee = (XO(insn) == XO_WRTEE ? gpr[RT(insn)] : insn) & MSR_EE;
		if (!pv_magic_reg(v, PV_MAGIC_MSR, false, &msr))
			msr = v->msr;
		msr = (msr & ~MSR_EE) | ee;
		if (!pv_magic_reg(v, PV_MAGIC_MSR, true, &msr))
			v->msr = msr;
		break;
	default:
		if (!light_reg(v, SPRN(insn), kind == HV_EXIT_EMUL_MTSPR, &gpr[RT(insn)]))
			return false;
		break;
	}
	/* as after any exit: the page's SPRG4-7 reach their user-readable copies */
	pv_magic_sync_sprg(v);
	v->light_seq++;
	if (timed) {
		ns = hv_clock_now(&v->clock) - t0;
		v->light_last_ns[kind] = ns ? ns : 1; /* 0 means "none timed yet" */
	} else {
		ns = v->light_last_ns[kind];
	}
	vcpu_account(v, kind, t0, ns, c->pc, 0, TRACE_NO_INDEX);
	v->light_ns += ns;
	return true;
}
