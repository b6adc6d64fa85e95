/* SPDX-License-Identifier: MIT */
/* virtio_pci.c - transitional virtio PCI transport: modern capabilities, legacy I/O BAR, INTx. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hw/virtio_pci.h"
#include "util/byteorder.h"

/* PCI configuration header offsets (PCI Local Bus 3.0, 6.1). */
#define PCI_VENDOR_ID      0x00
#define PCI_DEVICE_ID      0x02
#define PCI_COMMAND        0x04
#define PCI_STATUS         0x06
#define PCI_REVISION       0x08
#define PCI_CLASS_PROG     0x09
#define PCI_CLASS_DEVICE   0x0a
#define PCI_BAR0           0x10
#define PCI_SUBSYS_VENDOR  0x2c
#define PCI_SUBSYS_ID      0x2e
#define PCI_CAP_PTR        0x34
#define PCI_INTERRUPT_PIN  0x3d
#define PCI_STATUS_CAP_LIST 0x0010
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_CAP_ID_VNDR    0x09

#define VIRTIO_PCI_VENDOR  0x1af4
#define VIRTIO_PCI_DEVICE_TRANSITIONAL 0x1000u  /* + virtio ID - 1 for net and blk (virtio 1.2, 4.1.2.1) */

/* virtio 1.2, 4.1.4: capability types. */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG    5
#define PCI_CFG_CAP 0x84          /* our VIRTIO_PCI_CAP_PCI_CFG: bar +4, offset +8, length +12, data +16 */

#define MODERN_BAR 1
#define COMMON_OFF 0x0000u
#define COMMON_LEN 0x38u
#define ISR_OFF    0x1000u
#define DEVICE_OFF 0x2000u
#define DEVICE_LEN 0x1000u
#define NOTIFY_OFF 0x3000u
#define NOTIFY_MULT 4u

/* Common configuration structure (virtio 1.2, 4.1.4.3). */
#define CC_DFSELECT   0x00
#define CC_DF         0x04
#define CC_GFSELECT   0x08
#define CC_GF         0x0c
#define CC_MSIX       0x10
#define CC_NUMQ       0x12
#define CC_STATUS     0x14
#define CC_CFGGEN     0x15
#define CC_QSELECT    0x16
#define CC_QSIZE      0x18
#define CC_QMSIX      0x1a
#define CC_QENABLE    0x1c
#define CC_QNOTIFYOFF 0x1e
#define CC_QDESC      0x20
#define CC_QDRIVER    0x28
#define CC_QDEVICE    0x30
#define VIRTIO_MSI_NO_VECTOR 0xffff

/* Legacy header (virtio 0.9.5, 2.1 "PCI Discovery"), without MSI-X. */
#define LEG_HOST_FEATURES  0x00
#define LEG_GUEST_FEATURES 0x04
#define LEG_QUEUE_PFN      0x08
#define LEG_QUEUE_NUM      0x0c
#define LEG_QUEUE_SEL      0x0e
#define LEG_QUEUE_NOTIFY   0x10
#define LEG_STATUS         0x12
#define LEG_ISR            0x13
#define LEG_CONFIG         0x14

/* Bus values are the bytes in address order read big-endian (hw/bus.h): ld_be(), st_be(). */
/* A little-endian register's value from a bus value of the same size. */
static uint32_t bus_to_le(unsigned size, uint64_t v)
{
	uint8_t b[8];
	uint32_t r = 0;
	unsigned i;

	st_be(b, size, v);
	for (i = 0; i < size && i < 4; i++)
		r |= (uint32_t)b[i] << (8 * i);
	return r;
}

static void irq_update(struct virtio_dev *d)
{
	struct virtio_pci *p = d->transport;
	uint16_t cmd = (uint16_t)(p->f.config[PCI_COMMAND] | p->f.config[PCI_COMMAND + 1] << 8);

	irq_set(&p->f.intx, d->isr && !(cmd & PCI_COMMAND_INTX_DISABLE));
}

/*
 * The VIRTIO_PCI_CAP_PCI_CFG window (virtio 1.2, 4.1.4.9): a write of
 * pci_cfg_data goes to the selected BAR; moving the window latches the
 * BAR's bytes into pci_cfg_data, where config reads find them.
 */
static void pci_cfg_window(struct virtio_pci *p, unsigned offset, unsigned size)
{
	uint8_t *c = &p->f.config[PCI_CFG_CAP];
	unsigned bar = c[4];
	uint32_t off = ld_le32(c + 8), len = ld_le32(c + 12);
	struct region *r;

	if (bar > 1 || !(len == 1 || len == 2 || len == 4) || off % len ||
	    off > p->f.bar_size[bar] - len)
		return;
	r = &p->f.bar[bar];
	if (offset + size > PCI_CFG_CAP + 16)
		r->write(r->opaque, off, len, ld_be(c + 16, len));
	else
		st_be(c + 16, len, r->read(r->opaque, off, len));
}

static void config_written(struct pci_function *f, unsigned offset, unsigned size)
{
	struct virtio_pci *p = f->opaque;

	/* INTX_DISABLE may have changed. */
	if (offset <= PCI_COMMAND + 1 && offset + size > PCI_COMMAND)
		irq_update(p->vdev);
	if (offset < PCI_CFG_CAP + 20 && offset + size > PCI_CFG_CAP + 4)
		pci_cfg_window(p, offset, size);
}

/* ---- device configuration, read through the device in the driver's byte order ---- */

static uint64_t devcfg_read(struct virtio_dev *d, unsigned off, unsigned size)
{
	uint8_t buf[8] = { 0 };

	if (off < d->config_len) {
		unsigned n = d->config_len - off < size ? d->config_len - off : size;

		d->ops->config_read(d, off, buf, n);
	}
	return ld_be(buf, size);
}

static void devcfg_write(struct virtio_dev *d, unsigned off, unsigned size, uint64_t v)
{
	uint8_t buf[8];

	if (off >= d->config_len || !d->ops->config_write)
		return;
	st_be(buf, size, v);
	d->ops->config_write(d, off, buf, d->config_len - off < size ? d->config_len - off : size);
}

/* ---- modern BAR ---- */

/* The common configuration as a little-endian byte image, for reads of any width. */
static void common_image(struct virtio_pci *p, uint8_t *img)
{
	struct virtio_dev *d = p->vdev;
	const struct virtqueue *vq = p->queue_select < d->num_queues ? &d->vq[p->queue_select] : NULL;
	uint32_t df = p->dev_feature_select < 2 ?
		(uint32_t)(d->host_features >> (32 * p->dev_feature_select)) : 0;
	uint32_t gf = p->drv_feature_select < 2 ?
		(uint32_t)(d->guest_features >> (32 * p->drv_feature_select)) : 0;

	memset(img, 0, COMMON_LEN);
	st_le32(img + CC_DFSELECT, p->dev_feature_select);
	st_le32(img + CC_DF, df);
	st_le32(img + CC_GFSELECT, p->drv_feature_select);
	st_le32(img + CC_GF, gf);
	st_le16(img + CC_MSIX, VIRTIO_MSI_NO_VECTOR);
	st_le16(img + CC_NUMQ, (uint16_t)d->num_queues);
	img[CC_STATUS] = d->status;
	img[CC_CFGGEN] = d->config_generation;
	st_le16(img + CC_QSELECT, p->queue_select);
	st_le16(img + CC_QMSIX, VIRTIO_MSI_NO_VECTOR);
	if (vq) {
		st_le16(img + CC_QSIZE, vq->size);
		st_le16(img + CC_QENABLE, vq->ready);
		st_le16(img + CC_QNOTIFYOFF, p->queue_select);
		st_le32(img + CC_QDESC, (uint32_t)vq->desc);
		st_le32(img + CC_QDESC + 4, (uint32_t)(vq->desc >> 32));
		st_le32(img + CC_QDRIVER, (uint32_t)vq->avail);
		st_le32(img + CC_QDRIVER + 4, (uint32_t)(vq->avail >> 32));
		st_le32(img + CC_QDEVICE, (uint32_t)vq->used);
		st_le32(img + CC_QDEVICE + 4, (uint32_t)(vq->used >> 32));
	}
}

static void set_addr_half(uint64_t *a, unsigned half, uint32_t v)
{
	if (half)
		*a = (*a & 0xffffffffull) | (uint64_t)v << 32;
	else
		*a = (*a & ~0xffffffffull) | v;
}

static void common_write(struct virtio_pci *p, unsigned off, unsigned size, uint32_t v)
{
	struct virtio_dev *d = p->vdev;
	struct virtqueue *vq = p->queue_select < d->num_queues ? &d->vq[p->queue_select] : NULL;
	unsigned half;

	switch (off) {
	case CC_DFSELECT:
		p->dev_feature_select = v;
		return;
	case CC_GFSELECT:
		p->drv_feature_select = v;
		return;
	case CC_GF:
		/* Features are fixed once FEATURES_OK is set (virtio 1.2, 3.1.1). */
		if (p->drv_feature_select < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned sh = 32 * p->drv_feature_select;

			d->guest_features = (d->guest_features & ~(0xffffffffull << sh)) |
					    (uint64_t)v << sh;
		}
		return;
	case CC_MSIX:
	case CC_QMSIX:
		return;  /* no MSI-X: reads stay NO_VECTOR, which tells the driver */
	case CC_STATUS:
		virtio_set_status(d, (uint8_t)v);
		return;
	case CC_QSELECT:
		p->queue_select = (uint16_t)v;
		return;
	case CC_QSIZE:
		if (vq && !vq->ready)
			vq->size = (uint16_t)v;  /* checked when the queue is enabled */
		return;
	case CC_QENABLE:
		if (vq && v == 1 && !vq->ready)
			virtio_queue_enable(d, p->queue_select);
		return;
	}
	if (off >= CC_QDESC && off < CC_QDEVICE + 8 && size == 4 && vq && !vq->ready) {
		half = (off & 4) != 0;
		if (off < CC_QDRIVER)
			set_addr_half(&vq->desc, half, v);
		else if (off < CC_QDEVICE)
			set_addr_half(&vq->avail, half, v);
		else
			set_addr_half(&vq->used, half, v);
		return;
	}
	virtio_log(d, "ignored %u-byte write of 0x%x at common config offset 0x%x", size, v, off);
}

static uint64_t modern_read(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_pci *p = opaque;
	struct virtio_dev *d = p->vdev;
	unsigned off = (unsigned)offset;

	d->modern_access = true;
	if (off < COMMON_OFF + COMMON_LEN) {
		uint8_t img[COMMON_LEN + 8];

		common_image(p, img);
		return off + size <= COMMON_LEN ? ld_be(img + off, size) : 0;
	}
	if (off >= ISR_OFF && off < ISR_OFF + 4) {
		/* Reading the ISR acknowledges the interrupt (virtio 1.2, 4.1.4.5.1). */
		uint8_t isr = d->isr;

		if (off != ISR_OFF)
			return 0;
		d->isr = 0;
		irq_update(d);
		return (uint64_t)isr << (8 * (size - 1));
	}
	if (off >= DEVICE_OFF && off < DEVICE_OFF + DEVICE_LEN)
		return devcfg_read(d, off - DEVICE_OFF, size);
	return 0;
}

static void modern_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct virtio_pci *p = opaque;
	struct virtio_dev *d = p->vdev;
	unsigned off = (unsigned)offset;

	d->modern_access = true;
	if (off < COMMON_OFF + COMMON_LEN) {
		common_write(p, off, size, bus_to_le(size, value));
		return;
	}
	if (off >= DEVICE_OFF && off < DEVICE_OFF + DEVICE_LEN) {
		devcfg_write(d, off - DEVICE_OFF, size, value);
		return;
	}
	if (off >= NOTIFY_OFF && off < NOTIFY_OFF + NOTIFY_MULT * VIRTIO_MAX_QUEUES) {
		/* The queue is the one whose notify address this is; the value repeats it. */
		virtio_notify_queue(d, (off - NOTIFY_OFF) / NOTIFY_MULT);
		return;
	}
}

/* ---- legacy I/O BAR ---- */

static uint64_t legacy_read(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_pci *p = opaque;
	struct virtio_dev *d = p->vdev;
	unsigned off = (unsigned)offset;
	uint8_t img[LEG_CONFIG];

	if (off >= LEG_CONFIG)
		return devcfg_read(d, off - LEG_CONFIG, size);
	if (off == LEG_ISR) {
		uint8_t isr = d->isr;

		d->isr = 0;
		irq_update(d);
		return size == 1 ? isr : 0;
	}
	memset(img, 0, sizeof(img));
	/* The legacy interface offers the low 32 feature bits only (never VERSION_1). */
	st_le32(img + LEG_HOST_FEATURES, (uint32_t)d->host_features);
	st_le32(img + LEG_GUEST_FEATURES, (uint32_t)d->guest_features);
	if (p->queue_select < d->num_queues) {
		const struct virtqueue *vq = &d->vq[p->queue_select];

		st_le32(img + LEG_QUEUE_PFN, vq->ready ? (uint32_t)(vq->desc >> 12) : 0);
		st_le16(img + LEG_QUEUE_NUM, vq->size);
	}
	st_le16(img + LEG_QUEUE_SEL, p->queue_select);
	img[LEG_STATUS] = d->status;
	if (off + size > LEG_CONFIG)
		return 0;
	/* Registers are little-endian on the PCI bus (Linux uses ioread32 = in_le32). */
	return ld_be(img + off, size);
}

static void legacy_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct virtio_pci *p = opaque;
	struct virtio_dev *d = p->vdev;
	unsigned off = (unsigned)offset;
	uint32_t v = bus_to_le(size, value);

	if (off >= LEG_CONFIG) {
		devcfg_write(d, off - LEG_CONFIG, size, value);
		return;
	}
	switch (off) {
	case LEG_GUEST_FEATURES:
		if (size == 4)
			d->guest_features = v & (uint32_t)d->host_features;
		return;
	case LEG_QUEUE_PFN:
		if (size == 4 && p->queue_select < d->num_queues) {
			if (d->vq[p->queue_select].size != VIRTIO_QUEUE_MAX)
				d->vq[p->queue_select].size = VIRTIO_QUEUE_MAX;
			virtio_queue_set_legacy(d, p->queue_select, v);
		}
		return;
	case LEG_QUEUE_SEL:
		if (size == 2)
			p->queue_select = (uint16_t)v;
		return;
	case LEG_QUEUE_NOTIFY:
		if (size == 2)
			virtio_notify_queue(d, v);
		return;
	case LEG_STATUS:
		if (size == 1)
			virtio_set_status(d, (uint8_t)v);
		return;
	}
	virtio_log(d, "ignored %u-byte legacy write of 0x%x at 0x%x", size, v, off);
}

/* ---- the PCI function ---- */

static unsigned add_cap(struct virtio_pci *p, unsigned at, unsigned next, uint8_t type,
			uint32_t offset, uint32_t length, unsigned len)
{
	uint8_t *c = &p->f.config[at];

	c[0] = PCI_CAP_ID_VNDR;
	c[1] = (uint8_t)next;
	c[2] = (uint8_t)len;
	c[3] = type;
	c[4] = MODERN_BAR;
	st_le32(c + 8, offset);
	st_le32(c + 12, length);
	return at + len;
}

static uint16_t pci_class(uint16_t id)
{
	switch (id) {
	case VIRTIO_ID_NET: return 0x0200;     /* network, Ethernet */
	case VIRTIO_ID_BLOCK: return 0x0180;   /* mass storage, other */
	case VIRTIO_ID_CONSOLE: return 0x0780; /* communication, other */
	default: return 0x00ff;                /* unclassified */
	}
}

static const struct device_ops virtio_pci_ops;

void virtio_pci_init(struct virtio_pci *p, struct virtio_dev *vdev)
{
	struct pci_function *f = &p->f;
	/* The transitional table skips 0x1002 (the traditional balloon): console 0x1003, rng 0x1005. */
	uint16_t devid = vdev->device_id == VIRTIO_ID_RNG ? 0x1005 :
			 vdev->device_id == VIRTIO_ID_CONSOLE ? 0x1003 :
			 (uint16_t)(VIRTIO_PCI_DEVICE_TRANSITIONAL + vdev->device_id - 1);

	memset(p, 0, sizeof(*p));
	p->dev = (struct device){ .ops = &virtio_pci_ops, .name = vdev->ops->name };
	p->vdev = vdev;
	vdev->transport = p;
	vdev->irq_update = irq_update;

	st_le16(&f->config[PCI_VENDOR_ID], VIRTIO_PCI_VENDOR);
	st_le16(&f->config[PCI_DEVICE_ID], devid);
	st_le16(&f->config[PCI_STATUS], PCI_STATUS_CAP_LIST);
	f->config[PCI_REVISION] = 0;  /* transitional devices: revision 0 (virtio 1.2, 4.1.2.1) */
	st_le16(&f->config[PCI_CLASS_DEVICE], pci_class(vdev->device_id));
	st_le16(&f->config[PCI_SUBSYS_VENDOR], VIRTIO_PCI_VENDOR);
	st_le16(&f->config[PCI_SUBSYS_ID], vdev->device_id);
	f->config[PCI_INTERRUPT_PIN] = 1;  /* INTA */
	f->config[PCI_BAR0] = 0x01;        /* I/O */
	f->bar_size[0] = VIRTIO_PCI_LEGACY_SIZE;
	f->bar_size[MODERN_BAR] = VIRTIO_PCI_MODERN_SIZE;  /* 32-bit memory, not prefetchable */

	f->config[PCI_CAP_PTR] = 0x40;
	add_cap(p, 0x40, 0x50, VIRTIO_PCI_CAP_COMMON_CFG, COMMON_OFF, COMMON_LEN, 16);
	add_cap(p, 0x50, 0x64, VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY_OFF,
		NOTIFY_MULT * VIRTIO_MAX_QUEUES, 20);
	st_le32(&f->config[0x50 + 16], NOTIFY_MULT);
	add_cap(p, 0x64, 0x74, VIRTIO_PCI_CAP_ISR_CFG, ISR_OFF, 4, 16);
	add_cap(p, 0x74, PCI_CFG_CAP, VIRTIO_PCI_CAP_DEVICE_CFG, DEVICE_OFF, DEVICE_LEN, 16);
	add_cap(p, PCI_CFG_CAP, 0, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 20);
	f->config[PCI_CFG_CAP + 4] = 0;
	f->wmask[PCI_CFG_CAP + 4] = 0xff;
	memset(&f->wmask[PCI_CFG_CAP + 8], 0xff, 12);

	f->opaque = p;
	f->config_written = config_written;
	f->bar[0] = (struct region){ .name = vdev->ops->name, .min_access = 1, .max_access = 4,
				     .opaque = p, .read = legacy_read, .write = legacy_write };
	f->bar[MODERN_BAR] = (struct region){ .name = vdev->ops->name, .min_access = 1,
					      .max_access = 4, .opaque = p,
					      .read = modern_read, .write = modern_write };
	virtio_reset(vdev);
}

void virtio_pci_reset(struct virtio_pci *p)
{
	p->dev_feature_select = p->drv_feature_select = 0;
	p->queue_select = 0;
	/* vdev->log_count survives a board reset: a rebooting guest must not flood the log. */
	p->f.config[PCI_CFG_CAP + 4] = 0;
	memset(&p->f.config[PCI_CFG_CAP + 8], 0, 12);
	virtio_reset(p->vdev);
}

/* ---- the device contract (hw/device.h) ---- */

static void virtio_pci_dev_reset(struct device *dev)
{
	virtio_pci_reset((struct virtio_pci *)((char *)dev - offsetof(struct virtio_pci, dev)));
}

#define VPCI_STATE_TAG "VPCI"
#define VPCI_STATE_VERSION 1

/* The transport's selectors, then the virtio device (config space is the PCI host's). */
static int virtio_pci_dev_save(struct device *dev, struct state_writer *w)
{
	struct virtio_pci *p = (struct virtio_pci *)((char *)dev - offsetof(struct virtio_pci, dev));

	state_put_header(w, VPCI_STATE_TAG, VPCI_STATE_VERSION);
	state_put_u32(w, p->dev_feature_select);
	state_put_u32(w, p->drv_feature_select);
	state_put_u32(w, p->queue_select);
	if (!state_writer_ok(w))
		return -ENOSPC;
	return virtio_state_save(p->vdev, w);
}

static int virtio_pci_dev_load(struct device *dev, struct state_reader *r)
{
	struct virtio_pci *p = (struct virtio_pci *)((char *)dev - offsetof(struct virtio_pci, dev));
	uint32_t dsel, gsel, qsel;

	if (state_get_header(r, VPCI_STATE_TAG) != VPCI_STATE_VERSION)
		return -EINVAL;
	dsel = state_get_u32(r);
	gsel = state_get_u32(r);
	qsel = state_get_u32(r);
	if (qsel > 0xffff)
		state_fail(r);
	if (!state_reader_ok(r) || virtio_state_load(p->vdev, r))
		return -EINVAL;
	p->dev_feature_select = dsel;
	p->drv_feature_select = gsel;
	p->queue_select = (uint16_t)qsel;
	return 0;
}

/* The board's teardown: the virtio device and its backend, then the function the board allocated. */
static void virtio_pci_dev_destroy(struct device *dev)
{
	struct virtio_pci *p = (struct virtio_pci *)((char *)dev - offsetof(struct virtio_pci, dev));

	if (p->vdev->ops->destroy)
		p->vdev->ops->destroy(p->vdev);
	free(p);
}

static const struct device_ops virtio_pci_ops = {
	.name = "virtio-pci",
	.reset = virtio_pci_dev_reset,
	.destroy = virtio_pci_dev_destroy,
	.save = virtio_pci_dev_save,
	.load = virtio_pci_dev_load,
};
