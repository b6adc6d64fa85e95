/* SPDX-License-Identifier: MIT */
/* uic.c - the 4xx Universal Interrupt Controller: status, enable, critical routing, vectors. */
#include <errno.h>
#include <libfdt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hw/uic.h"

/* DCR offsets from the UIC base (PPC440EP manual, UIC register summary). */
enum {
	UIC_SR = 0,  /* status: write 1 to clear */
	UIC_SRS = 1, /* status set: write 1 to set (reads as SR) */
	UIC_ER = 2,  /* enable */
	UIC_CR = 3,  /* critical: 1 routes the input to the critical output */
	UIC_PR = 4,  /* polarity */
	UIC_TR = 5,  /* trigger: 1 = edge, 0 = level */
	UIC_MSR = 6, /* masked status = SR & ER, read-only */
	UIC_VR = 7,  /* vector, read-only */
	UIC_VCR = 8, /* vector configuration: VBA (0:29), PRO (31) */
	UIC_NREGS = 9,
};

#define UIC_VCR_PRO 0x00000001u /* UIC VCR[PRO]: SR bit 31 has the highest priority */
#define UIC_VCR_RSVD 0x00000002u

static uint32_t bit(unsigned n)
{
	return 0x80000000u >> n;
}

/*
 * UIC VR: VBA plus 512 times the distance of the highest-priority
 * pending critical interrupt from the highest-priority bit; vectors are
 * only generated for critical interrupts (PPC405GP/440EP manuals, UIC VR).
 */
static uint32_t vector(const struct uic *u)
{
	uint32_t crit = u->sr & u->er & u->cr;
	unsigned dist;

	if (!crit)
		return 0;
	if (u->vcr & UIC_VCR_PRO)
		dist = __builtin_ctz(crit);  /* counted from bit 31 (LSB) */
	else
		dist = __builtin_clz(crit);  /* counted from bit 0 (MSB) */
	return (u->vcr & ~(UIC_VCR_PRO | UIC_VCR_RSVD)) + 512u * dist;
}

static void update(struct uic *u)
{
	uint32_t msr = u->sr & u->er;

	irq_set(&u->out_int, (msr & ~u->cr) != 0);
	irq_set(&u->out_crit, (msr & u->cr) != 0);
}

void uic_set_input(struct uic *u, unsigned n, bool level)
{
	uint32_t m, old;

	if (n >= 32)
		return;
	m = bit(n);
	old = u->level;
	if (level)
		u->level |= m;
	else
		u->level &= ~m;

	/*
	 * Lines carry the logical "asserted" state: the board wires each
	 * device with the sense its device-tree node declares, so PR is kept
	 * for the guest to read back but does not invert (as QEMU's UIC).
	 */
	if (u->tr & m) {
		/* Edge-triggered: latch the assertion; only software clears it. */
		if (level && !(old & m))
			u->sr |= m;
	} else {
		/* Level-sensitive: SR follows the input. */
		if (level)
			u->sr |= m;
		else
			u->sr &= ~m;
	}
	update(u);
}

static void uic_irq_set(void *opaque, unsigned n, bool level)
{
	uic_set_input(opaque, n, level);
}

struct irq_line uic_input(struct uic *u, unsigned n)
{
	struct irq_line l = { .set = uic_irq_set, .opaque = u, .n = n };

	return l;
}

static uint64_t uic_read(void *opaque, uint64_t offset, unsigned size)
{
	struct uic *u = opaque;

	switch (offset) {
	case UIC_SR:
	case UIC_SRS:
		return u->sr;
	case UIC_ER:
		return u->er;
	case UIC_CR:
		return u->cr;
	case UIC_PR:
		return u->pr;
	case UIC_TR:
		return u->tr;
	case UIC_MSR:
		return u->sr & u->er;
	case UIC_VR:
		return vector(u);
	case UIC_VCR:
		return u->vcr;
	}
	return 0;
}

static void uic_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct uic *u = opaque;
	uint32_t v = (uint32_t)value;

	switch (offset) {
	case UIC_SR:
		/* Write 1 to clear; a level input still asserted sets it again. */
		u->sr &= ~v;
		u->sr |= u->level & ~u->tr;
		break;
	case UIC_SRS:
		u->sr |= v;
		break;
	case UIC_ER:
		u->er = v;
		break;
	case UIC_CR:
		u->cr = v;
		break;
	case UIC_PR:
		u->pr = v;
		break;
	case UIC_TR:
		u->tr = v;
		/* Inputs now level-sensitive follow their line from here on. */
		u->sr = (u->sr & u->tr) | (u->level & ~u->tr);
		break;
	case UIC_VCR:
		u->vcr = v & ~UIC_VCR_RSVD;
		break;
	default:
		/* MSR and VR are read-only. */
		return;
	}
	update(u);
}

void uic_reset(struct uic *u)
{
	/* All registers reset to 0 (PPC440EP manual, UIC register reset values). */
	u->sr = u->er = u->cr = u->pr = u->tr = u->vcr = 0;
	u->sr = u->level;
	update(u);
}

static const struct device_ops uic_ops;

void uic_init(struct uic *u, uint32_t dcr_base, struct irq_line out_int, struct irq_line out_crit)
{
	memset(u, 0, sizeof(*u));
	u->dcr.name = "uic";
	u->dcr.base = dcr_base;
	u->dcr.size = UIC_NREGS;
	u->dcr.min_access = 4;
	u->dcr.max_access = 4;
	u->dcr.opaque = u;
	u->dcr.read = uic_read;
	u->dcr.write = uic_write;
	u->out_int = out_int;
	u->out_crit = out_crit;
	u->dev.ops = &uic_ops;
	u->dev.name = "uic";
	uic_reset(u);
}

int uic_fdt_node(struct uic *u, void *fdt, int parent, uint32_t phandle)
{
	static const char compat_440ep[] = "ibm,uic-440ep\0ibm,uic";
	uint32_t dcr_reg[2] = { cpu_to_fdt32((uint32_t)u->dcr.base), cpu_to_fdt32(UIC_NREGS) };
	char name[32];
	int node;

	snprintf(name, sizeof(name), "interrupt-controller%u", u->index);
	FDT(node = fdt_add_subnode(fdt, parent, name));
	if (u->compat)
		FDT(fdt_setprop(fdt, node, "compatible", u->compat, (int)u->compat_len));
	else
		FDT(fdt_setprop(fdt, node, "compatible", compat_440ep, sizeof(compat_440ep)));
	FDT(fdt_setprop(fdt, node, "interrupt-controller", NULL, 0));
	FDT(fdt_setprop_u32(fdt, node, "cell-index", u->index));
	FDT(fdt_setprop(fdt, node, "dcr-reg", dcr_reg, sizeof(dcr_reg)));
	FDT(fdt_setprop_u32(fdt, node, "#address-cells", 0));
	FDT(fdt_setprop_u32(fdt, node, "#size-cells", 0));
	FDT(fdt_setprop_u32(fdt, node, "#interrupt-cells", 2));
	FDT(fdt_setprop_u32(fdt, node, "phandle", phandle));
	return (int)phandle;
}

/* ---- the device contract (hw/device.h) ---- */

static struct uic *uic_of(struct device *dev)
{
	return (struct uic *)((char *)dev - offsetof(struct uic, dev));
}

static void uic_dev_reset(struct device *dev)
{
	uic_reset(uic_of(dev));
}

/*
 * UIC0 is its own interrupt parent: dev->fdt_intc is its phandle. A
 * cascaded UIC has its own (u->phandle) and names its outputs on the
 * parent (Linux's uic.c chains it there: non-critical, then critical).
 */
static int uic_dev_fdt_node(struct device *dev, void *fdt, int parent)
{
	struct uic *u = uic_of(dev);
	int node;

	if (!u->phandle)
		return uic_fdt_node(u, fdt, parent, dev->fdt_intc) < 0 ? -1 : 0;
	if (uic_fdt_node(u, fdt, parent, u->phandle) < 0)
		return -1;
	FDT(node = fdt_node_offset_by_phandle(fdt, u->phandle));
	const uint32_t irqs[4] = { cpu_to_fdt32(dev->fdt_irq[0]), cpu_to_fdt32(4),
				   cpu_to_fdt32(dev->fdt_irq[1]), cpu_to_fdt32(4) };

	FDT(fdt_setprop(fdt, node, "interrupts", irqs, sizeof(irqs)));
	FDT(fdt_setprop_u32(fdt, node, "interrupt-parent", dev->fdt_intc));
	return 0;
}

/* The state's tag and version (util/state.h); a new field is a new version. */
#define UIC_STATE_TAG "UIC4"
#define UIC_STATE_VERSION 1

/* The registers and the input levels the devices drive; the outputs follow from them. */
static int uic_dev_save(struct device *dev, struct state_writer *w)
{
	struct uic *u = uic_of(dev);

	state_put_header(w, UIC_STATE_TAG, UIC_STATE_VERSION);
	state_put_u32(w, u->sr);
	state_put_u32(w, u->er);
	state_put_u32(w, u->cr);
	state_put_u32(w, u->pr);
	state_put_u32(w, u->tr);
	state_put_u32(w, u->vcr);
	state_put_u32(w, u->level);
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

static int uic_dev_load(struct device *dev, struct state_reader *r)
{
	struct uic *u = uic_of(dev);
	uint32_t v[7];

	if (state_get_header(r, UIC_STATE_TAG) != UIC_STATE_VERSION)
		return -EINVAL;
	for (unsigned i = 0; i < 7; i++)
		v[i] = state_get_u32(r);
	/* What a UIC cannot hold: VCR's reserved bits, a level input asserted but not in SR. */
	if ((v[5] & UIC_VCR_RSVD) || (v[6] & ~v[4] & ~v[0]))
		state_fail(r);
	if (!state_reader_ok(r))
		return -EINVAL;
	u->sr = v[0];
	u->er = v[1];
	u->cr = v[2];
	u->pr = v[3];
	u->tr = v[4];
	u->vcr = v[5];
	u->level = v[6];
	update(u);
	return 0;
}

static const struct device_ops uic_ops = {
	.name = "ibm,uic",
	.reset = uic_dev_reset,
	.fdt_node = uic_dev_fdt_node,
	.save = uic_dev_save,
	.load = uic_dev_load,
};
