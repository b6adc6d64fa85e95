/* SPDX-License-Identifier: MIT */
/* board.h - the bamboo (PPC440EP) board: RAM, vcpu, buses, devices, boot images. */
#ifndef HV440_BOARD_BOARD_H
#define HV440_BOARD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/loader.h"
#include "host/chardev.h"
#include "host/loop.h"
#include "hv/vcpu.h"
#include "hw/bus.h"
#include "hw/bytechan.h"
#include "hw/device.h"
#include "hw/hvmgr.h"
#include "hw/pci_host.h"
#include "hw/uart16550.h"
#include "hw/uic.h"
#include "hw/virtio_pci.h"

/* Bamboo memory map and wiring (as QEMU's bamboo, which Linux 6.1 boots). */
#define BOARD_UIC_PHANDLE  2u           /* UIC0's phandle in the device tree */
#define BOARD_OPB_PATH     "/plb/opb"
#define BOARD_UART0_BASE   0xEF600300u
#define BOARD_UART1_BASE   0xEF600400u
#define BOARD_UART_CLOCK   11059200u
#define BOARD_UIC0_DCR     0xC0u
#define BOARD_CPU_FREQ     400000000u  /* core clock = timebase frequency */
#define BOARD_PLB_FREQ     133333332u
#define BOARD_OPB_FREQ     66666666u
#define BOARD_DTB_ADDR     0x1800000u
#define BOARD_INITRD_ADDR  0x1900000u
#define BOARD_MIN_RAM      (16ull << 20)
#define BOARD_MAX_RAM      (2ull << 30)
#define BOARD_EPAPR_MAGIC  0x45504150u
#define BOARD_IMA_SIZE     (256u << 20) /* initial mapped area: TLB entry 0 */
#define BOARD_BC_RX_IRQ    20u          /* byte channel interrupts on UIC0 */
#define BOARD_BC_TX_IRQ    21u

#define BOARD_MAX_DISKS 8
#define BOARD_MAX_NICS  4
#define BOARD_MAX_VIRTIO 12       /* PCI slots 1..12 */

/* What the command line asks for. */
struct board_config {
	const char *kernel;
	bool kernel_addr_set;
	uint32_t kernel_addr;     /* raw binaries: load address = entry */
	uint64_t ram_size;
	bool ram_size_set;        /* -m given: patch a user dtb's /memory */
	const char *initrd;
	const char *append;       /* NULL: keep a user dtb's bootargs / none */
	const char *dtb;          /* user device tree instead of the generated one */
	const char *serial[2];    /* chardev specs for UART0/UART1 */
	/* virtio devices on the PCI bus, plugged in this order from slot 1 (docs/devices.md). */
	const char *disk[BOARD_MAX_DISKS];  /* --disk specs (host/disk.h) */
	unsigned n_disks;
	const char *net[BOARD_MAX_NICS];    /* --net specs (host/net.h) */
	unsigned n_nets;
	const char *console;      /* --console chardev spec for virtio-console, or NULL */
	bool rng;                 /* --rng: virtio-rng from the host's getrandom() */
	bool no_paravirt;         /* --no-paravirt: no /hypervisor node, hypercalls are system calls */
	const char *bytechan;     /* --bytechan chardev spec: ePAPR byte channel 0, or NULL */
	int mgmt_fd;              /* hv440 system: the manager's socket to the supervisor; 0: none */
	bool stats;
	bool interp;              /* --engine interp: no JIT (docs/jit.md) */
	bool lockstep;            /* --engine lockstep: JIT checked against the interpreter */
	bool perf_map;            /* --perf-map: /tmp/perf-PID.map names translated code */
	uint32_t pvr;             /* --cpu: the processor version register; 0: 440EP Rev. B */
};

/*
 * A 4xx "indirect" DCR pair (address register at base, data at base+1)
 * in front of a small sparse register file that reads back what was
 * written; registers never written read as their reset value or zero.
 */
#define BOARD_INDIRECT_REGS 64
struct board_indirect {
	struct device dev;        /* reset with the board (hw/device.h) */
	struct region dcr;
	const char *name;
	uint32_t addr;
	unsigned n, n_reset;
	uint32_t addr_of[BOARD_INDIRECT_REGS], val[BOARD_INDIRECT_REGS];
	uint32_t reset_addr[BOARD_INDIRECT_REGS], reset_val[BOARD_INDIRECT_REGS];
};

struct board {
	const struct board_config *cfg;

	uint8_t *ram;
	uint64_t ram_size;

	struct loop loop;
	struct bus mmio, dcr;
	struct vcpu_bus vbus;
	struct vcpu vcpu;
	bool quit;                /* the user typed Ctrl-A x */
	bool in_blk_check;        /* blk_stop_check is polling the host: no disk resumes inside */
	int64_t blk_poll_ns;      /* when blk_stop_check last polled the host */

	/* Every device, in creation order: reset, device tree and teardown walk it (hw/device.h). */
	struct device_list devices;

	struct chardev *serial[2];
	struct uic uic0;
	struct uart16550 uart[2];
	struct pci_host pci;
	struct board_indirect cpr0, sdr0, sdram0, ebc0;

	/* virtio devices (hw/virtio*.h), slot i+1 holds virtio[i]. */
	struct virtio_pci *virtio[BOARD_MAX_VIRTIO];
	unsigned n_virtio;
	struct virtio_blk *blk[BOARD_MAX_DISKS];
	struct virtio_net *nic[BOARD_MAX_NICS];
	struct virtio_console *vcons;
	struct chardev *vcons_chr;
	struct virtio_rng *rng;
	/* Paravirt (docs/paravirt.md): one ePAPR byte channel, handle 0, on UIC0 20 (rx) / 21 (tx). */
	struct bytechan bc;
	struct chardev *bc_chr;   /* NULL: no byte channel */
	struct hvmgr mgr;         /* paravirt: partition management (docs/system.md) */

	/* Boot images, kept in host memory so a reset reloads them. */
	struct loader_file kernel, initrd;
	enum loader_format kernel_fmt;
	struct loader_result kernel_res;
	void *fdt;                /* the device tree as the guest gets it */
	size_t fdt_size;
	uint64_t fdt_addr, initrd_addr;
};

/* Build the board in its documented order and load the images; -1 after one clear error line. */
int board_create(struct board **out, const struct board_config *cfg);
/* Reset every device and the vcpu, reload the images and set the boot state. */
int board_reset(struct board *b);
void board_destroy(struct board *b);
/* Run the vcpu; a user quit (Ctrl-A x) returns VCPU_STOP_HOST with board_quit_requested(). */
enum vcpu_stop board_run(struct board *b);
bool board_quit_requested(const struct board *b);
/* Serve the host side (consoles, network, sockets) for up to timeout_ns without running the vcpu. */
void board_idle(struct board *b, int64_t timeout_ns);

/*
 * fdt.c: the device tree. board_fdt_build() writes the generated tree (or
 * loads cfg->dtb) into b->fdt with /chosen initrd properties as
 * placeholders; board_fdt_finish() fills in the final initrd addresses.
 */
int board_fdt_build(struct board *b);
int board_fdt_finish(struct board *b);
/* Generate the tree only (for --dump-dtb): no images needed. */
int board_fdt_write_file(struct board *b, const char *path);

#endif
