/* SPDX-License-Identifier: MIT */
/* board.c - what every board shares: RAM, buses, vcpu, DCR files, virtio, image placement, reset. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "board/board.h"
#include "host/perfmap.h"
#include "hw/virtio_blk.h"
#include "hw/virtio_console.h"
#include "hw/virtio_net.h"
#include "hw/virtio_rng.h"
#include "util/log.h"

#define MIB (1ull << 20)

/* ---- 4xx indirect DCR register files (address register at +0, data at +1) ---- */

static struct board_indirect *indirect_of(void *opaque)
{
	return opaque;
}

/* Registers live in a sparse table keyed by their indirect address. */
static uint32_t *indirect_slot(struct board_indirect *ind, uint32_t addr, bool create)
{
	unsigned i;

	for (i = 0; i < ind->n; i++)
		if (ind->addr_of[i] == addr)
			return &ind->val[i];
	if (!create || ind->n == BOARD_INDIRECT_REGS)
		return NULL;
	ind->addr_of[ind->n] = addr;
	ind->val[ind->n] = 0;
	return &ind->val[ind->n++];
}

static uint64_t indirect_read(void *opaque, uint64_t offset, unsigned size)
{
	struct board_indirect *ind = indirect_of(opaque);
	uint32_t *slot;

	if (offset == 0)
		return ind->addr;
	slot = indirect_slot(ind, ind->addr, false);
	return slot ? *slot : 0;
}

static void indirect_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
	struct board_indirect *ind = indirect_of(opaque);
	uint32_t *slot;

	if (offset == 0) {
		ind->addr = (uint32_t)value;
		return;
	}
	/* A full table drops the write: the register then reads as zero, as unimplemented ones do. */
	slot = indirect_slot(ind, ind->addr, true);
	if (slot)
		*slot = (uint32_t)value;
}

static void indirect_reset(struct board_indirect *ind);

static void indirect_dev_reset(struct device *dev)
{
	indirect_reset((struct board_indirect *)((char *)dev - offsetof(struct board_indirect, dev)));
}

#define INDIRECT_STATE_TAG "IDCR"
#define INDIRECT_STATE_VERSION 1

/* The address register and every register written so far (the sparse table, in its order). */
static int indirect_dev_save(struct device *dev, struct state_writer *w)
{
	struct board_indirect *ind = (struct board_indirect *)((char *)dev -
							       offsetof(struct board_indirect, dev));

	state_put_header(w, INDIRECT_STATE_TAG, INDIRECT_STATE_VERSION);
	state_put_u32(w, ind->addr);
	state_put_u32(w, ind->n);
	for (unsigned i = 0; i < ind->n; i++) {
		state_put_u32(w, ind->addr_of[i]);
		state_put_u32(w, ind->val[i]);
	}
	return state_writer_ok(w) ? 0 : -ENOSPC;
}

static int indirect_dev_load(struct device *dev, struct state_reader *r)
{
	struct board_indirect *ind = (struct board_indirect *)((char *)dev -
							       offsetof(struct board_indirect, dev));
	uint32_t addr, n, addr_of[BOARD_INDIRECT_REGS], val[BOARD_INDIRECT_REGS];

	if (state_get_header(r, INDIRECT_STATE_TAG) != INDIRECT_STATE_VERSION)
		return -EINVAL;
	addr = state_get_u32(r);
	n = state_get_u32(r);
	if (n > BOARD_INDIRECT_REGS)
		state_fail(r);
	for (unsigned i = 0; i < n && state_reader_ok(r); i++) {
		addr_of[i] = state_get_u32(r);
		val[i] = state_get_u32(r);
		for (unsigned j = 0; j < i; j++)
			if (addr_of[j] == addr_of[i])
				state_fail(r); /* one slot per register */
	}
	if (!state_reader_ok(r))
		return -EINVAL;
	ind->addr = addr;
	ind->n = n;
	memcpy(ind->addr_of, addr_of, n * sizeof(addr_of[0]));
	memcpy(ind->val, val, n * sizeof(val[0]));
	return 0;
}

static const struct device_ops indirect_ops = {
	.name = "4xx-indirect-dcr",
	.reset = indirect_dev_reset,
	.save = indirect_dev_save,
	.load = indirect_dev_load,
};

static void indirect_init(struct board_indirect *ind, const char *name, uint32_t dcr)
{
	memset(ind, 0, sizeof(*ind));
	ind->dev = (struct device){ .ops = &indirect_ops, .name = name };
	ind->name = name;
	ind->dcr = (struct region){ .name = name, .base = dcr, .size = 2,
				    .min_access = 4, .max_access = 4, .opaque = ind,
				    .read = indirect_read, .write = indirect_write };
}

void board_indirect_preset(struct board_indirect *ind, uint32_t addr, uint32_t value)
{
	uint32_t *slot = indirect_slot(ind, addr, true);

	if (slot)
		*slot = value;
	ind->n_reset = ind->n;
	memcpy(ind->reset_addr, ind->addr_of, sizeof(ind->reset_addr));
	memcpy(ind->reset_val, ind->val, sizeof(ind->reset_val));
}

int board_indirect_add(struct board *b, struct board_indirect *ind, const char *name, uint32_t dcr)
{
	indirect_init(ind, name, dcr);
	board_add_device(b, &ind->dev, NULL, 0, 0, 0);
	return bus_add(&b->dcr, &ind->dcr);
}

int board_soc_dcrs(struct board *b)
{
	int err = 0;

	err |= board_indirect_add(b, &b->cpr0, "cpr0", BOARD_CPR0_DCR);
	err |= board_indirect_add(b, &b->sdr0, "sdr0", BOARD_SDR0_DCR);
	err |= board_indirect_add(b, &b->sdram0, "sdram0", BOARD_SDRAM0_DCR);
	err |= board_indirect_add(b, &b->ebc0, "ebc0", BOARD_EBC0_DCR);
	return err;
}

static void indirect_reset(struct board_indirect *ind)
{
	ind->addr = 0;
	ind->n = ind->n_reset;
	memcpy(ind->addr_of, ind->reset_addr, sizeof(ind->addr_of));
	memcpy(ind->val, ind->reset_val, sizeof(ind->val));
}

/* ---- the vcpu's view of the board ---- */

static int mmio_read(void *opaque, gpa_t pa, unsigned size, uint64_t *val)
{
	struct board *b = opaque;

	return bus_read(&b->mmio, pa, size, val);
}

static int mmio_write(void *opaque, gpa_t pa, unsigned size, uint64_t val)
{
	struct board *b = opaque;

	return bus_write(&b->mmio, pa, size, val);
}

static int dcr_read(void *opaque, uint32_t dcrn, uint32_t *val)
{
	struct board *b = opaque;
	uint64_t v = 0;
	int ret = bus_read(&b->dcr, dcrn, 4, &v);

	*val = (uint32_t)v;
	return ret;
}

static int dcr_write(void *opaque, uint32_t dcrn, uint32_t val)
{
	struct board *b = opaque;

	return bus_write(&b->dcr, dcrn, 4, val);
}

static bool crit_possible(void *opaque)
{
	struct board *b = opaque;

	return (b->uic0.er & b->uic0.cr) != 0;
}

static void poll_host(void *opaque, int64_t timeout_ns)
{
	struct board *b = opaque;
	unsigned i;

	/* Backends whose fds change every round (slirp) register them around the poll. */
	for (i = 0; i < BOARD_MAX_NICS; i++)
		if (b->nic[i])
			net_before_poll(virtio_net_backend(b->nic[i]), &timeout_ns);
	loop_poll(&b->loop, timeout_ns);
	for (i = 0; i < BOARD_MAX_NICS; i++)
		if (b->nic[i])
			net_after_poll(virtio_net_backend(b->nic[i]));
	for (i = 0; i < 4; i++) {
		struct chardev *cd = i < 2 ? b->serial[i] : i == 2 ? b->vcons_chr : b->bc_chr;

		if (cd && cd->quit_requested && !b->quit) {
			b->quit = true;
			vcpu_request_stop(&b->vcpu);
		}
	}
	/* Disk requests a stop left in their queues go on once the vcpu runs again. */
	for (i = 0; i < BOARD_MAX_DISKS; i++)
		if (b->blk[i] && !b->in_blk_check)
			virtio_blk_resume(b->blk[i]);
}

/*
 * Asked by virtio-blk between pieces of a long run of disk I/O: must the
 * vcpu thread stop? A signal or another thread says so through the event
 * mask; Ctrl-A x on the console is read by polling the host, at most every
 * 10 ms here (the vcpu loop polls only once the device returns).
 */
static bool blk_stop_check(void *opaque)
{
	struct board *b = opaque;
	struct timespec ts;
	int64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (now - b->blk_poll_ns >= 10000000 && !b->in_blk_check) {
		b->blk_poll_ns = now;
		b->in_blk_check = true;
		poll_host(b, 0);
		b->in_blk_check = false;
	}
	return atomic_load_explicit(&b->vcpu.core.events, memory_order_acquire) & CORE_EVENT_STOP;
}

/* The ePAPR byte-channel hypercalls (hv/hcall.c) reach the one byte channel by its handle. */
static struct bytechan *bytechan_of(void *opaque, uint32_t handle)
{
	struct board *b = opaque;

	return b->bc_chr && handle == b->bc.handle ? &b->bc : NULL;
}

static int bc_send(void *opaque, uint32_t handle, const uint8_t *buf, unsigned len)
{
	struct bytechan *bc = bytechan_of(opaque, handle);

	return bc ? (int)bytechan_send(bc, buf, len) : -1;
}

static int bc_receive(void *opaque, uint32_t handle, uint8_t *buf, unsigned max)
{
	struct bytechan *bc = bytechan_of(opaque, handle);

	return bc ? (int)bytechan_receive(bc, buf, max) : -1;
}

static int bc_poll(void *opaque, uint32_t handle, unsigned *rx, unsigned *tx)
{
	struct bytechan *bc = bytechan_of(opaque, handle);

	if (!bc)
		return -1;
	bytechan_poll(bc, rx, tx);
	return 0;
}

/* Partition management (docs/system.md): hw/hvmgr.c, EV_EPERM unless this is the manager. */
static uint32_t partition_op(void *opaque, unsigned op, uint32_t partition, uint32_t *value)
{
	return hvmgr_partition_op(&((struct board *)opaque)->mgr, op, partition, value);
}

/* UIC0's outputs drive the core's external and critical inputs. */
static void uic_output(void *opaque, unsigned n, bool level)
{
	struct board *b = opaque;

	vcpu_set_irq(&b->vcpu, n == VCPU_IRQ_CRIT ? VCPU_IRQ_CRIT : VCPU_IRQ_EXT, level);
}

struct irq_line board_core_irq(struct board *b, bool critical)
{
	return (struct irq_line){ .set = uic_output, .opaque = b,
				  .n = critical ? VCPU_IRQ_CRIT : VCPU_IRQ_EXT };
}

/*
 * A device joins the board (hw/device.h): its node goes under fdt_parent
 * (NULL: none) with inputs irq0/irq1 on the controller whose phandle is
 * intc (0: UIC0), and reset, the device tree and teardown include it from
 * now on, in this order.
 */
void board_add_device(struct board *b, struct device *dev, const char *fdt_parent,
		      uint32_t intc, unsigned irq0, unsigned irq1)
{
	dev->fdt_parent = fdt_parent;
	dev->fdt_intc = intc ? intc : BOARD_UIC_PHANDLE;
	dev->fdt_irq[0] = irq0;
	dev->fdt_irq[1] = irq1;
	device_add(&b->devices, dev);
}

/* ---- virtio devices ---- */

/* Put a virtio device on the next free PCI slot (1, 2, ...). */
/*
 * A virtio device wrote guest RAM: decoded code there is stale (docs/interpreter.md, "Coherence")
 * and the pages are dirty for a live migration (docs/snapshot.md).
 */
static void virtio_ram_written(void *ctx, uint64_t gpa, uint64_t len)
{
	struct board *b = ctx;

	core_ram_written(&b->vcpu.core, gpa, len);
}

/*
 * Plug vd into the next PCI slot behind a virtio-pci function. From here
 * the board's device list owns vd: teardown (device_destroy_all) frees it
 * and its backend, and so does a failure here.
 */
static int plug_virtio(struct board *b, struct virtio_dev *vd)
{
	struct virtio_pci *p = NULL;

	if (b->n_virtio >= BOARD_MAX_VIRTIO) {
		log_err("too many virtio devices (at most %d)\n", BOARD_MAX_VIRTIO);
		goto fail;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		log_err("out of memory\n");
		goto fail;
	}
	vd->ram_written = virtio_ram_written;
	vd->ram_written_ctx = b;
	virtio_pci_init(p, vd);
	if (pci_host_plug(&b->pci, b->n_virtio + 1, &p->f)) {
		log_err("cannot plug %s into PCI slot %u\n", vd->ops->name,
			b->n_virtio + 1);
		goto fail;
	}
	b->virtio[b->n_virtio++] = p;
	board_add_device(b, &p->dev, NULL, 0, 0, 0);
	return 0;
fail:
	free(p);
	if (vd->ops->destroy)
		vd->ops->destroy(vd);
	return -1;
}

/* Disks, then NICs, then console and rng, in command-line order (docs/devices.md). */
int board_create_virtio(struct board *b)
{
	const struct board_config *cfg = b->cfg;
	unsigned i;

	for (i = 0; i < cfg->n_disks; i++) {
		struct disk *d = disk_open(cfg->disk[i]);

		if (!d)
			return -1;
		b->blk[i] = virtio_blk_create(d, i, b->ram, b->ram_size);
		if (!b->blk[i]) {
			disk_close(d);
			log_err("out of memory\n");
			return -1;
		}
		virtio_blk_set_stop_check(b->blk[i], blk_stop_check, b);
		if (plug_virtio(b, virtio_blk_dev(b->blk[i])))
			return -1;
	}
	for (i = 0; i < cfg->n_nets; i++) {
		struct net_backend *nb = net_open(cfg->net[i], &b->loop);
		uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + i) };

		if (!nb)
			return -1;
		b->nic[i] = virtio_net_create(nb, nb->mac_set ? nb->mac : mac, b->ram, b->ram_size);
		if (!b->nic[i]) {
			net_close(nb);
			log_err("out of memory\n");
			return -1;
		}
		if (plug_virtio(b, virtio_net_dev(b->nic[i])))
			return -1;
	}
	if (cfg->console) {
		b->vcons_chr = chardev_open_for("--console", cfg->console, &b->loop);
		if (!b->vcons_chr)
			return -1;
		b->vcons = virtio_console_create(b->vcons_chr, b->ram, b->ram_size);
		if (!b->vcons || plug_virtio(b, virtio_console_dev(b->vcons)))
			return -1;
	}
	if (cfg->rng) {
		b->rng = virtio_rng_create(b->ram, b->ram_size);
		if (!b->rng || plug_virtio(b, virtio_rng_dev(b->rng)))
			return -1;
	}
	return 0;
}

/* ---- image placement ---- */

struct span {
	uint64_t start, end;
	const char *what;
};

static uint64_t align_mib(uint64_t x)
{
	return (x + MIB - 1) & ~(MIB - 1);
}

static bool overlaps(uint64_t s, uint64_t e, const struct span *used, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (s < used[i].end && used[i].start < e)
			return true;
	return false;
}

/*
 * The board's (QEMU's) addresses when free and inside RAM, else just after the
 * highest image so far (1 MiB aligned); anything that still does not fit
 * is an error naming the sizes and addresses.
 */
static int place(struct board *b, const char *what, uint64_t want, uint64_t size,
		 struct span *used, unsigned *n, uint64_t *addr)
{
	const char *after = "nothing";
	uint64_t top = 0, alt;
	unsigned i;

	if (want + size <= b->ram_size && !overlaps(want, want + size, used, *n)) {
		*addr = want;
	} else {
		for (i = 0; i < *n; i++) {
			if (used[i].end > top) {
				top = used[i].end;
				after = used[i].what;
			}
		}
		alt = align_mib(top);
		if (alt + size > b->ram_size) {
			log_err("%s (%" PRIu64 " bytes) does not fit in %" PRIu64
				" MiB of RAM: neither at 0x%" PRIx64 " nor after %s (0x%" PRIx64
				"-0x%" PRIx64 ")\n", what, size, b->ram_size >> 20, want, after,
				alt, alt + size - 1);
			return -1;
		}
		*addr = alt;
	}
	used[*n] = (struct span){ *addr, *addr + size, what };
	(*n)++;
	return 0;
}

static int load_kernel(struct board *b)
{
	if (!b->cfg->kernel)
		return 0;
	return loader_load_kernel(&b->kernel, b->kernel_fmt, b->cfg->kernel_addr, b->ram,
				  b->ram_size, &b->kernel_res);
}

/*
 * A boot image (kernel, initrd, --dtb): read from the descriptor a
 * restored board opened (board_create_restored()), else from path.
 */
int board_read_image(struct board *b, struct loader_file *f, enum board_image which,
		     const char *path, const char *what)
{
	if (b->images_pending && b->image_fd[which] >= 0)
		return loader_read_fd(f, b->image_fd[which], path, what);
	return loader_read_file(f, path, what);
}

static void close_images(struct board *b)
{
	for (unsigned i = 0; i < BOARD_IMAGES; i++) {
		if (b->image_fd[i] >= 0)
			close(b->image_fd[i]);
		b->image_fd[i] = -1;
	}
}

/* Load the kernel once to learn its extent, then build the tree and place everything. */
static int prepare_images(struct board *b)
{
	struct span used[3];
	unsigned n = 0;

	if (b->cfg->kernel) {
		if (board_read_image(b, &b->kernel, BOARD_IMG_KERNEL, b->cfg->kernel, "--kernel") ||
		    loader_detect(&b->kernel, b->cfg->kernel_addr_set, &b->kernel_fmt) ||
		    load_kernel(b))
			return -1;
		/* what a reset loads again; a vmlinux's symbols and debug sections go */
		loader_compact(&b->kernel, b->kernel_fmt, b->ram_size);
		used[n++] = (struct span){ b->kernel_res.start, b->kernel_res.end, "the kernel" };
	}
	if (b->cfg->initrd &&
	    board_read_image(b, &b->initrd, BOARD_IMG_INITRD, b->cfg->initrd, "--initrd"))
		return -1;
	if (board_fdt_build(b))
		return -1;
	if (place(b, "the device tree", b->mc->dtb_addr, b->fdt_size, used, &n, &b->fdt_addr))
		return -1;
	if (b->cfg->initrd &&
	    place(b, "--initrd: the initrd", b->mc->initrd_addr, b->initrd.size, used, &n, &b->initrd_addr))
		return -1;
	/* The kernel finds the tree and initrd through its initial 256 MiB mapping. */
	if (b->fdt_addr + b->fdt_size > BOARD_IMA_SIZE) {
		log_err("the device tree at 0x%" PRIx64 " is beyond the initial "
			"256 MiB mapping\n", b->fdt_addr);
		return -1;
	}
	return board_fdt_finish(b);
}

/* ---- lifecycle ---- */

/* ---- the boards ---- */

static const struct machine_class *const machines[] = { &machine_bamboo, &machine_sam460ex };

const struct machine_class *machine_find(const char *name)
{
	unsigned i;

	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (!strcmp(name, machines[i]->name))
			return machines[i];
	return NULL;
}

void machine_list(FILE *out, const char *indent)
{
	unsigned i;

	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		fprintf(out, "%s%-10s %s%s\n", indent, machines[i]->name, machines[i]->desc,
			i == 0 ? " (default)" : "");
}

/* The serial backends and the two UARTs; each is on irq[i], node inputs irq_n[i] of intc. */
int board_uarts(struct board *b, const uint64_t base[2], uint32_t clock, const struct irq_line irq[2],
		uint32_t intc, const unsigned irq_n[2], const char *fdt_parent)
{
	const struct board_config *cfg = b->cfg;
	unsigned i;

	for (i = 0; i < 2; i++) {
		b->serial[i] = chardev_open_for(i ? "--serial1" : "--serial",
						cfg->serial[i] ? cfg->serial[i] : "null", &b->loop);
		if (!b->serial[i])
			return -1;
		uart16550_init(&b->uart[i], base[i], clock, irq[i], b->serial[i]);
		if (bus_add(&b->mmio, &b->uart[i].mmio))
			return -1;
		board_add_device(b, &b->uart[i].dev, fdt_parent, intc, irq_n[i], 0);
	}
	return 0;
}

/* Paravirt: an ePAPR byte channel (handle 0) on UIC0, rx and tx (mc->bc_irq). */
int board_bytechan(struct board *b)
{
	const unsigned *irq = b->mc->bc_irq;

	if (!b->cfg->bytechan || b->cfg->no_paravirt)
		return 0;
	b->bc_chr = chardev_open_for("--bytechan", b->cfg->bytechan, &b->loop);
	if (!b->bc_chr)
		return -1;
	bytechan_init(&b->bc, 0, b->bc_chr, uic_input(&b->uic0, irq[0]), uic_input(&b->uic0, irq[1]));
	board_add_device(b, &b->bc.dev, "/hypervisor", 0, irq[0], irq[1]);
	return 0;
}

/*
 * Paravirt: partition management (hw/hvmgr.h), its doorbells on the UIC0
 * inputs the board leaves free (mc->doorbell_irqs).
 */
int board_hvmgr(struct board *b)
{
	struct irq_line lines[HVMGR_MAX_DOORBELLS];
	unsigned n[HVMGR_MAX_DOORBELLS], k = 0;

	if (b->cfg->no_paravirt)
		return 0;
	for (unsigned i = 0; i < 32 && k < HVMGR_MAX_DOORBELLS; i++)
		if (b->mc->doorbell_irqs & (1u << i)) {
			n[k] = i;
			lines[k++] = uic_input(&b->uic0, i);
		}
	if (hvmgr_init(&b->mgr, b->cfg->mgmt_fd, &b->loop, lines, n, k))
		return -1;
	board_add_device(b, &b->mgr.dev, "/hypervisor", 0, 0, 0);
	return 0;
}

/* ---- lifecycle ---- */

/* Steps 1-4 of board_create(): RAM, host loop and buses, the vcpu, the devices. */
static int board_build(struct board **out, const struct board_config *cfg)
{
	const struct machine_class *mc = machine_find(cfg->machine ? cfg->machine : "bamboo");
	struct board *b;

	*out = NULL;
	if (!mc) {
		log_err("-M/--machine: no board '%s' (-M help lists them)\n", cfg->machine);
		return -1;
	}
	if (cfg->ram_size < mc->min_ram || cfg->ram_size > mc->max_ram) {
		log_err("-m/--memory: the %s board takes %" PRIu64 "M to %" PRIu64
			"M of RAM, not %" PRIu64 "M\n", mc->name, mc->min_ram >> 20, mc->max_ram >> 20,
			cfg->ram_size >> 20);
		return -1;
	}
	if (cfg->pvr && !mc->cpu_revisions) {
		log_err("--cpu names a 440EP revision: the %s board has its own core\n",
			mc->name);
		return -1;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		log_err("out of memory\n");
		return -1;
	}
	b->cfg = cfg;
	b->mc = mc;
	for (unsigned i = 0; i < BOARD_IMAGES; i++)
		b->image_fd[i] = -1;
	device_list_init(&b->devices);
	*out = b;

	/*
	 * 1. RAM: one mapping at guest physical 0, committed only as the guest
	 * touches it, plus the paravirt magic page behind it (hv/vcpu.h).
	 */
	b->ram_size = cfg->ram_size;
	b->ram = mmap(NULL, b->ram_size + VCPU_PV_EXTRA, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (b->ram == MAP_FAILED) {
		b->ram = NULL;
		log_err("cannot map %" PRIu64 " MiB of guest RAM\n", b->ram_size >> 20);
		return -1;
	}
	/*
	 * Guest RAM is the guest's secrets: a crash of hv440 (a sandbox kill
	 * included) must not write it into a core file (madvise(2)).
	 */
	madvise(b->ram, b->ram_size + VCPU_PV_EXTRA, MADV_DONTDUMP);

	/* 2. Host loop and buses. */
	loop_init(&b->loop);
	bus_init(&b->mmio, "mmio");
	bus_init_dcr(&b->dcr, "dcr");
	b->vbus = (struct vcpu_bus){ .opaque = b, .mmio_read = mmio_read, .mmio_write = mmio_write,
				     .dcr_read = dcr_read, .dcr_write = dcr_write,
				     .poll = poll_host, .crit_possible = crit_possible,
				     .bc_send = bc_send, .bc_receive = bc_receive, .bc_poll = bc_poll,
				     .partition_op = partition_op };

	/* 3. The vcpu with the board's PVR; the timebase runs at the core clock. */
	if (vcpu_init(&b->vcpu, b->ram, b->ram_size, mc->cpu_freq, &b->vbus)) {
		log_err("cannot initialise the vcpu\n");
		return -1;
	}
	b->vcpu.stats_enabled = cfg->stats;
	b->vcpu.pvr = b->vcpu.pvr_reset = cfg->pvr ? cfg->pvr : mc->pvr;
	b->vcpu.indexed_dcr = mc->indexed_dcr;
	if (!cfg->interp) {
		int fd = -1, r;

		if (cfg->perf_map) {
			char path[64];

			fd = perf_map_open(path, sizeof(path)); /* the process's map: shared by its VMs */
			if (fd < 0) {
				log_err("--perf-map: %s: %s\n", path, strerror(-fd));
				return -1;
			}
		}
		r = core_set_engine(&b->vcpu.core,
				    cfg->lockstep ? CORE_ENGINE_LOCKSTEP : CORE_ENGINE_JIT, fd);
		if (r < 0) {
			log_err("cannot start the JIT: %s (try --engine interp)\n",
				strerror(-r));
			return -1;
		}
	}
	if (!cfg->no_paravirt)
		vcpu_pv_enable(&b->vcpu);

	/* 4. The board's devices, in its documented order (bamboo.c, sam460ex.c). */
	return mc->create(b);
}

int board_create(struct board **out, const struct board_config *cfg)
{
	struct board *b;

	if (board_build(out, cfg))
		return -1;
	b = *out;

	/* 5. Images, device tree and their placement; then the first reset boots them. */
	if (prepare_images(b))
		return -1;
	return board_reset(b);
}

/*
 * A board whose RAM and state a snapshot is about to replace
 * (snapshot_restore()): no image is read, no tree built, nothing written
 * to RAM. The images are only opened here (a missing one is refused now,
 * and under the sandbox no file can be opened later); the guest's first
 * reset reads them, builds the tree and places everything as
 * board_create() would have.
 */
int board_create_restored(struct board **out, const struct board_config *cfg)
{
	const char *path[BOARD_IMAGES] = { cfg->kernel, cfg->initrd, cfg->dtb };
	static const char *const what[BOARD_IMAGES] = { "--kernel", "--initrd", "--dtb" };
	struct board *b;

	if (board_build(out, cfg))
		return -1;
	b = *out;
	for (unsigned i = 0; i < BOARD_IMAGES; i++)
		if (path[i] && (b->image_fd[i] = loader_open_file(path[i], what[i])) < 0)
			return -1;
	b->images_pending = true;
	vcpu_reset(&b->vcpu);
	device_reset_all(&b->devices);
	return 0;
}

/*
 * RAM that maps a snapshot's file (snapshot_restore()) turns back into
 * anonymous zero pages: MADV_DONTNEED on a private file mapping would
 * bring the file's pages back, not zeros.
 */
static int ram_make_anonymous(struct board *b)
{
	void *p = mmap(b->ram, b->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);

	if (p == MAP_FAILED) {
		log_err("reset: cannot map %" PRIu64 " MiB of guest RAM again: %s\n",
			b->ram_size >> 20, strerror(errno));
		return -1;
	}
	madvise(b->ram, b->ram_size, MADV_DONTDUMP);
	free(b->ram_file_pages);
	b->ram_file_pages = NULL;
	return 0;
}

static void set_boot_state(struct board *b)
{
	struct vcpu *v = &b->vcpu;
	/*
	 * TLB entry 0 maps the initial 256 MiB at EA 0 -> PA 0 for the guest
	 * supervisor (PPC440x5 manual, TLB entry words 0-2): V, TS 0,
	 * SIZE 9 (1 KiB << 18), TID 0, SX|SW|SR. head_44x.S finds it with tlbsx.
	 */
	const struct vcpu_tlb_entry ima = {
		.word0 = 0x00000000u | 0x200u | 9u << 4,
		.word1 = 0,
		.word2 = 0x04u | 0x02u | 0x01u,
		.tid = 0,
	};

	vcpu_tlb_set(v, 0, &ima);
	memset(v->core.gpr, 0, sizeof(v->core.gpr));
	/* ePAPR boot (as QEMU's bamboo direct boot): stack, tree, magic, mapped size. */
	v->core.gpr[1] = 16 * MIB - 8;
	v->core.gpr[3] = (uint32_t)b->fdt_addr;
	v->core.gpr[6] = BOARD_EPAPR_MAGIC;
	v->core.gpr[7] = BOARD_IMA_SIZE;
	/* MSR stays 0 from vcpu_reset(): supervisor, translation space 0, interrupts off. */
	v->core.pc = b->kernel_res.entry;
}

int board_finish_images(struct board *b)
{
	int r;

	if (!b->images_pending)
		return 0;
	r = prepare_images(b); /* reads through image_fd while images_pending */
	close_images(b);
	b->images_pending = false;
	return r;
}

int board_reset(struct board *b)
{
	/* A restored board's first reset: the images board_create() would have prepared. */
	if (board_finish_images(b))
		return -1;
	/* Fresh zero pages for all of RAM without committing it (anonymous private mapping). */
	if (b->ram_file_pages) {
		if (ram_make_anonymous(b))
			return -1;
	} else if (madvise(b->ram, b->ram_size, MADV_DONTNEED)) {
		memset(b->ram, 0, b->ram_size);
	}

	vcpu_reset(&b->vcpu);
	device_reset_all(&b->devices);
	b->quit = false;

	if (load_kernel(b))
		return -1;
	memcpy(b->ram + b->fdt_addr, b->fdt, b->fdt_size);
	if (b->cfg->initrd)
		memcpy(b->ram + b->initrd_addr, b->initrd.data, b->initrd.size);
	set_boot_state(b);
	return 0;
}

enum vcpu_stop board_run(struct board *b)
{
	return vcpu_run(&b->vcpu);
}

void board_idle(struct board *b, int64_t timeout_ns)
{
	poll_host(b, timeout_ns);
}

bool board_quit_requested(const struct board *b)
{
	return b->quit;
}

void board_destroy(struct board *b)
{
	unsigned i;

	if (!b)
		return;
	core_fini(&b->vcpu.core);
	/* Devices first (virtio ones free their backends); then the chardevs they used. */
	device_destroy_all(&b->devices);
	for (i = 0; i < 2; i++)
		if (b->serial[i])
			chardev_close(b->serial[i]);
	if (b->vcons_chr)
		chardev_close(b->vcons_chr);
	if (b->bc_chr)
		chardev_close(b->bc_chr);
	loader_free_file(&b->kernel);
	loader_free_file(&b->initrd);
	close_images(b);
	free(b->ram_file_pages);
	free(b->fdt);
	for (i = 0; i < b->n_strings; i++)
		free(b->strings[i]);
	if (b->ram)
		munmap(b->ram, b->ram_size + VCPU_PV_EXTRA);
	free(b);
}
