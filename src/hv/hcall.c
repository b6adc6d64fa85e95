/* SPDX-License-Identifier: MIT */
/* hcall.c - paravirtualization: ePAPR/KVM hypercalls, the magic page and byte channels (docs/paravirt.md). */
#include <string.h>

#include "hv/internal.h"
#include "util/byteorder.h"

/* Hypercall tokens: vendor << 16 | number (ePAPR 1.1, "Hypercall ABI"; Linux epapr_hcalls.h). */
#define VENDOR_EPAPR 1u
#define VENDOR_KVM   42u
#define TOKEN(vendor, nr) ((vendor) << 16 | (nr))

#define EV_BYTE_CHANNEL_SEND    1u
#define EV_BYTE_CHANNEL_RECEIVE 2u
#define EV_BYTE_CHANNEL_POLL    3u
#define EV_IDLE                 16u
/* Freescale's (Topaz) partition management (Linux asm/fsl_hcalls.h). */
#define VENDOR_FSL              2u
#define FH_PARTITION_RESTART    4u
#define FH_PARTITION_GET_STATUS 5u
#define FH_PARTITION_START      6u
#define FH_PARTITION_STOP       7u
#define KVM_HC_FEATURES           3u
#define KVM_HC_PPC_MAP_MAGIC_PAGE 4u

/* ePAPR status codes (r3). */
#define EV_SUCCESS       0u
#define EV_EINVAL        8u
#define EV_EAGAIN        4u
#define EV_UNIMPLEMENTED 12u

#define KVM_FEATURE_MAGIC_PAGE 1u        /* bit number in the KVM_HC_FEATURES mask */
#define KVM_MAGIC_FEAT_MAS0_TO_SPRG7 0x2u /* the page carries ESR, PIR and SPRG4-7 */
#define BYTE_CHANNEL_MAX 16u

/*
 * Byte offsets in struct kvm_vcpu_arch_shared (Linux uapi asm/kvm_para.h),
 * big-endian. The 64-bit fields of a 32-bit guest live in their low word,
 * at offset + 4, which is where Linux's patched lwz/stw access them.
 */
enum {
	SH_CRITICAL = 24, SH_SPRG0 = 32, SH_SRR0 = 64, SH_SRR1 = 72, SH_DAR = 80,
	SH_MSR = 88, SH_DSISR = 96, SH_INT_PENDING = 100, SH_ESR = 200, SH_PIR = 204,
	SH_SPRG4 = 208,
};

/* A 64-bit field as a 32-bit guest sees it. */
static uint32_t ld_be_long(const uint8_t *page, unsigned off)
{
	return ld_be32(page + off + 4);
}

static void st_be_long(uint8_t *page, unsigned off, uint32_t val)
{
	st_be32(page + off, 0);
	st_be32(page + off + 4, val);
}

void vcpu_pv_enable(struct vcpu *v)
{
	v->pv.enabled = true;
	v->pv.page_pa = v->ram_size;
	v->pv.page = v->core.ram + v->ram_size;
	/*
	 * The core reaches the page as memory only through the shadow entry
	 * pv_magic_fill() makes (CORE_STLB_HV); a guest TLB entry over the
	 * same physical address finds no RAM there, as past any RAM's end.
	 */
	v->core.hv_extra = VCPU_PV_EXTRA;
	pv_reset(v);
}

void pv_reset(struct vcpu *v)
{
	v->pv.mapped = false;
	if (v->pv.page)
		memset(v->pv.page, 0, VCPU_PV_EXTRA);
}

void pv_magic_store(struct vcpu *v)
{
	uint8_t *p = v->pv.page;

	if (!v->pv.mapped)
		return;
	st_be_long(p, SH_MSR, v->msr);
	for (unsigned i = 0; i < 4; i++) {
		st_be_long(p, SH_SPRG0 + 8 * i, v->sprg[i]);
		st_be_long(p, SH_SPRG4 + 8 * i, v->sprg[4 + i]);
	}
	st_be_long(p, SH_SRR0, v->srr0);
	st_be_long(p, SH_SRR1, v->srr1);
	st_be_long(p, SH_DAR, v->dear);
	st_be32(p + SH_DSISR, 0); /* Book E has no DSISR */
	st_be32(p + SH_ESR, v->esr);
	st_be32(p + SH_PIR, v->pir);
	/* Tells the patched wrtee/mtmsr paths to trap so the interrupt can be delivered. */
	st_be32(p + SH_INT_PENDING, irq_waiting(v) ? 1 : 0);
}

bool pv_magic_reg(struct vcpu *v, unsigned spr, bool write, uint32_t *val)
{
	uint8_t *p = v->pv.page;
	unsigned off;

	if (!v->pv.mapped)
		return false;
	if (spr == PV_MAGIC_MSR)
		off = SH_MSR;
	else if (spr == SPR_SRR0)
		off = SH_SRR0;
	else if (spr == SPR_SRR1)
		off = SH_SRR1;
	else if (spr == SPR_DEAR)
		off = SH_DAR;
	else if (spr >= SPR_SPRG0 && spr < SPR_SPRG0 + 4)
		off = SH_SPRG0 + 8 * (spr - SPR_SPRG0);
	else if (spr >= SPR_SPRG0 + 4 && spr < SPR_SPRG0 + 8)
		off = SH_SPRG4 + 8 * (spr - SPR_SPRG0 - 4);
	else if (spr == SPR_ESR) { /* a 32-bit field */
		if (write)
			st_be32(p + SH_ESR, *val);
		else
			*val = ld_be32(p + SH_ESR);
		return true;
	} else
		return false;
	if (write)
		st_be_long(p, off, *val);
	else
		*val = ld_be_long(p, off);
	return true;
}

/* The page's SPRG4-7 into the vcpu: did any change (their user-readable copies in the core then need a sync)? */
static bool load_sprg_hi(struct vcpu *v)
{
	bool changed = false;

	for (unsigned i = 0; i < 4; i++) {
		uint32_t val = ld_be_long(v->pv.page, SH_SPRG4 + 8 * i);

		if (val != v->sprg[4 + i]) {
			v->sprg[4 + i] = val;
			changed = true;
		}
	}
	return changed;
}

void pv_magic_sync_sprg(struct vcpu *v)
{
	if (v->pv.mapped && load_sprg_hi(v))
		vcpu_sync(v);
}

bool pv_magic_msr_ee_only(const struct vcpu *v)
{
	return !v->pv.mapped || !((ld_be_long(v->pv.page, SH_MSR) ^ v->msr) & ~MSR_EE);
}

void pv_magic_load(struct vcpu *v)
{
	const uint8_t *p = v->pv.page;
	uint32_t msr;
	bool sync;

	if (!v->pv.mapped)
		return;
	for (unsigned i = 0; i < 4; i++)
		v->sprg[i] = ld_be_long(p, SH_SPRG0 + 8 * i);
	sync = load_sprg_hi(v);
	v->srr0 = ld_be_long(p, SH_SRR0);
	v->srr1 = ld_be_long(p, SH_SRR1);
	v->dear = ld_be_long(p, SH_DAR);
	v->esr = ld_be32(p + SH_ESR);
	msr = ld_be_long(p, SH_MSR);
	if (msr != v->msr)
		vcpu_set_msr(v, msr); /* also syncs the core */
	else if (sync)
		vcpu_sync(v);
}

bool pv_critical(const struct vcpu *v)
{
	/* Linux's kvm_emul.S: "we are critical if shared->critical == r1", supervisor only. */
	return v->pv.mapped && !(v->msr & MSR_PR) &&
	       ld_be_long(v->pv.page, SH_CRITICAL) == v->core.gpr[1];
}

bool pv_magic_fill(struct vcpu *v, gva_t ea, bool fetch)
{
	struct core_stlb_entry s = {
		.ea = VCPU_MAGIC_EA, .size = 4096, .pa = v->pv.page_pa,
		.tid = 0, .uperm = 0, .kperm = CORE_PERM_R | CORE_PERM_W,
		.flags = CORE_STLB_VALID | CORE_STLB_HV,
	};
	/* Slots 0-63 mirror guest TLB entries (hv/tlb.c); the last one is the page's alone. */
	const unsigned si = CORE_STLB_SIZE - 1;

	_Static_assert(CORE_STLB_SIZE > VCPU_TLB_SIZE, "the shadow TLB needs a slot for the magic page");
	if (!v->pv.mapped || fetch || (v->msr & MSR_PR) || (ea & ~0xfffu) != VCPU_MAGIC_EA)
		return false;
	s.ts = (v->msr & MSR_DS) ? 1 : 0;
	if (v->core.stlb[si].flags & CORE_STLB_VALID)
		v->stats.stlb_evictions++;
	v->stats.stlb_fills++;
	trace_stlb_write(v, si, &s, !!(v->core.stlb[si].flags & CORE_STLB_VALID));
	core_stlb_write(&v->core, si, &s);
	return true;
}

/* r5-r8 <-> up to 16 bytes in address order (ePAPR byte-channel register convention). */
static void regs_to_bytes(const uint32_t *gpr, uint8_t *buf)
{
	for (unsigned i = 0; i < 4; i++)
		st_be32(buf + 4 * i, gpr[5 + i]);
}

static void bytes_to_regs(uint32_t *gpr, const uint8_t *buf)
{
	for (unsigned i = 0; i < 4; i++)
		gpr[5 + i] = ld_be32(buf + 4 * i);
}

static uint32_t bc_send(struct vcpu *v, uint32_t *gpr)
{
	const struct vcpu_bus *bus = v->bus;
	uint8_t buf[BYTE_CHANNEL_MAX];
	uint32_t count = gpr[4];
	int n;

	if (!bus || !bus->bc_send || count > BYTE_CHANNEL_MAX)
		return EV_EINVAL;
	regs_to_bytes(gpr, buf);
	if (count) {
		n = bus->bc_send(bus->opaque, gpr[3], buf, count);
	} else {
		unsigned rx, tx;

		/* Nothing to send: only the handle is checked. */
		n = bus->bc_poll && bus->bc_poll(bus->opaque, gpr[3], &rx, &tx) < 0 ? -1 : 0;
	}
	if (n < 0)
		return EV_EINVAL;
	gpr[4] = (uint32_t)n;
	return (uint32_t)n < count ? EV_EAGAIN : EV_SUCCESS;
}

static uint32_t bc_receive(struct vcpu *v, uint32_t *gpr)
{
	const struct vcpu_bus *bus = v->bus;
	uint8_t buf[BYTE_CHANNEL_MAX] = { 0 };
	uint32_t max = gpr[4];
	int n;

	if (!bus || !bus->bc_receive)
		return EV_EINVAL;
	if (max > BYTE_CHANNEL_MAX)
		max = BYTE_CHANNEL_MAX;
	n = bus->bc_receive(bus->opaque, gpr[3], buf, max);
	if (n < 0)
		return EV_EINVAL;
	gpr[4] = (uint32_t)n;
	bytes_to_regs(gpr, buf);
	return EV_SUCCESS;
}

static uint32_t bc_poll(struct vcpu *v, uint32_t *gpr)
{
	const struct vcpu_bus *bus = v->bus;
	unsigned rx = 0, tx = 0;

	if (!bus || !bus->bc_poll || bus->bc_poll(bus->opaque, gpr[3], &rx, &tx) < 0)
		return EV_EINVAL;
	gpr[4] = rx;
	gpr[5] = tx;
	return EV_SUCCESS;
}

/*
 * The KVM/ePAPR hypercall ABI (Linux powerpc kvm_para.h, epapr_hcalls.h):
 * r11 token, r3-r10 arguments; r3 status, r4-r11 results.
 */
bool pv_hcall(struct vcpu *v)
{
	uint32_t *gpr = v->core.gpr;
	uint32_t token = gpr[11], status;

	if (!v->pv.enabled || (v->msr & MSR_PR) || gpr[0] != KVM_SC_MAGIC_R0)
		return false;
	v->pv.hcalls++;
	switch (token) {
	case TOKEN(VENDOR_KVM, KVM_HC_FEATURES):
		gpr[4] = 1u << KVM_FEATURE_MAGIC_PAGE;
		status = EV_SUCCESS;
		break;
	case TOKEN(VENDOR_KVM, KVM_HC_PPC_MAP_MAGIC_PAGE):
		/*
		 * r3: guest physical, r4: effective address (| flags). The page
		 * lives outside guest RAM, so the physical address is ignored,
		 * and only the fixed EA Linux uses is supported.
		 */
		if ((gpr[4] & ~0xfffu) != VCPU_MAGIC_EA) {
			status = EV_EINVAL;
			break;
		}
		v->pv.mapped = true;
		pv_magic_store(v);
		gpr[4] = KVM_MAGIC_FEAT_MAS0_TO_SPRG7;
		status = EV_SUCCESS;
		break;
	case TOKEN(VENDOR_EPAPR, EV_IDLE):
		/* Wait as MSR[WE] does: until an interrupt the guest can take arrives. */
		v->halted = true;
		status = EV_SUCCESS;
		break;
	case TOKEN(VENDOR_EPAPR, EV_BYTE_CHANNEL_SEND):
		status = bc_send(v, gpr);
		break;
	case TOKEN(VENDOR_EPAPR, EV_BYTE_CHANNEL_RECEIVE):
		status = bc_receive(v, gpr);
		break;
	case TOKEN(VENDOR_EPAPR, EV_BYTE_CHANNEL_POLL):
		status = bc_poll(v, gpr);
		break;
	case TOKEN(VENDOR_FSL, FH_PARTITION_RESTART):
	case TOKEN(VENDOR_FSL, FH_PARTITION_GET_STATUS):
	case TOKEN(VENDOR_FSL, FH_PARTITION_START):
	case TOKEN(VENDOR_FSL, FH_PARTITION_STOP): {
		/* r3: the partition handle; START's entry point (r4) and load flag (r5) are ignored. */
		uint32_t value = 0;

		status = v->bus && v->bus->partition_op ?
			 v->bus->partition_op(v->bus->opaque, token & 0xffff, gpr[3], &value) :
			 EV_UNIMPLEMENTED;
		if ((token & 0xffff) == FH_PARTITION_GET_STATUS)
			gpr[4] = value;
		break;
	}
	default:
		status = EV_UNIMPLEMENTED;
		break;
	}
	gpr[3] = status;
	v->core.pc += 4;
	return true;
}
