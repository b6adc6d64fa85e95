/* SPDX-License-Identifier: MIT */
/* board.h - a board: its machine class, RAM, vcpu, buses, devices, boot images. */
#ifndef HV440_BOARD_BOARD_H
#define HV440_BOARD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/*
 * What every board shares (board.c). A board's own facts (memory map,
 * clocks, PVR, interrupt wiring) live in its machine_class, one file per
 * board (bamboo.c, sam460ex.c).
 */
#define BOARD_UIC_PHANDLE  2u           /* UIC0's phandle in the device tree */
#define BOARD_OPB_PATH     "/plb/opb"
/* The indirect DCR pairs of CPR0, SDR0, SDRAM0 and EBC0 (struct machine_soc). */
#define BOARD_CPR0_DCR     0x0Cu
#define BOARD_SDR0_DCR     0x0Eu
#define BOARD_SDRAM0_DCR   0x10u
#define BOARD_EBC0_DCR     0x12u
#define BOARD_MIN_RAM      (16ull << 20) /* the widest range any board takes */
#define BOARD_MAX_RAM      (2ull << 30)
#define BOARD_EPAPR_MAGIC  0x45504150u
#define BOARD_IMA_SIZE     (256u << 20) /* initial mapped area: TLB entry 0 */

#define BOARD_MAX_DISKS 8
#define BOARD_MAX_NICS  4
#define BOARD_MAX_VIRTIO 12       /* PCI slots 1..12 */

/* What the command line asks for. */
struct board_config {
	const char *machine;      /* -M/--machine: a machine_class name; NULL: bamboo */
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
	uint32_t pvr;             /* --cpu: the processor version register; 0: the board's */
};

struct board;

/* The boot images a restored board keeps open until its first reset. */
enum board_image { BOARD_IMG_KERNEL, BOARD_IMG_INITRD, BOARD_IMG_DTB, BOARD_IMAGES };

/*
 * A board model (TinyEMU's VirtMachineClass): a table of facts plus the
 * function that creates and wires its devices. Shared code (board.c) maps
 * RAM, makes the buses and the vcpu, places the images and sets the boot
 * state; fdt.c writes the generic nodes and the SoC's (struct machine_soc).
 */
/* A compatible property: NUL-separated strings, length with the last NUL. */
struct board_compat {
	const char *s;
	size_t len;
};
#define BOARD_COMPAT(lit) { lit, sizeof(lit) }

/*
 * The 44x SoC's on-chip buses and DCR files as the device tree shows them:
 * /plb with /plb/opb (and its EBC) and /plb/sdram, /cpr and /sdr at the root
 * (board_fdt_soc). Every 44x SoC hv440 models has CPR0, SDR0, SDRAM0 and
 * EBC0 at the same indirect DCR pairs (board_soc_dcrs).
 */
struct machine_soc {
	struct board_compat plb, opb, ebc, sdram, cpr, sdr;
	uint32_t plb_freq, opb_freq;
	uint32_t opb_ranges[8];    /* child address, parent address (2 cells), size */
	unsigned n_opb_ranges;     /* cells used */
};

struct machine_class {
	const char *name;          /* -M NAME */
	const char *desc;          /* one line for -M help */
	const char *compatible;    /* the root node's model and compatible */
	const char *cpu_model;     /* the cpu node's model, e.g. "PowerPC,440EP" */
	uint32_t pvr;              /* processor version register at reset */
	bool indexed_dcr;          /* the core has mfdcrx/mtdcrx (PPC464) */
	bool cpu_revisions;        /* --cpu may pick another 440EP revision's PVR */
	uint32_t cpu_freq;         /* core clock = timebase frequency (440 Time Base) */
	uint64_t min_ram, max_ram; /* -m range */
	uint64_t dtb_addr, initrd_addr;  /* where QEMU's board puts them, when free */
	const char *uart_path[2];  /* device-tree paths of the UARTs (aliases, stdout-path) */
	unsigned bc_irq[2];        /* ePAPR byte channel rx, tx on UIC0 */
	uint32_t doorbell_irqs;    /* UIC0 inputs free for partition-management doorbells: bit N, input N */
	/* Devices in their documented order, after RAM, buses and vcpu; -1 after one error line. */
	int (*create)(struct board *b);
	/* The SoC's buses and DCR nodes; the devices add theirs after. */
	const struct machine_soc *soc;
};

extern const struct machine_class machine_bamboo, machine_sam460ex;
/* The class called name; NULL if none is. */
const struct machine_class *machine_find(const char *name);
/* One line per board, indent then "NAME  DESCRIPTION", the default first. */
void machine_list(FILE *out, const char *indent);

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

/* Strings a board_config made at run time points at (a restored snapshot's): the board frees them. */
#define BOARD_STRINGS_MAX (8 + BOARD_MAX_DISKS + BOARD_MAX_NICS)

struct board {
	const struct board_config *cfg;
	char *strings[BOARD_STRINGS_MAX];
	unsigned n_strings;
	const struct machine_class *mc;  /* NULL (a bare tree for the fuzzers): bamboo */

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
	struct uic uicn[3];       /* sam460ex: UIC1..UIC3, cascaded into UIC0 */

	/* virtio devices (hw/virtio*.h), slot i+1 holds virtio[i]. */
	struct virtio_pci *virtio[BOARD_MAX_VIRTIO];
	unsigned n_virtio;
	struct virtio_blk *blk[BOARD_MAX_DISKS];
	struct virtio_net *nic[BOARD_MAX_NICS];
	struct virtio_console *vcons;
	struct chardev *vcons_chr;
	struct virtio_rng *rng;
	/* Paravirt (docs/paravirt.md): one ePAPR byte channel, handle 0, on UIC0 (mc->bc_irq: rx, tx). */
	struct bytechan bc;
	struct chardev *bc_chr;   /* NULL: no byte channel */
	struct hvmgr mgr;         /* paravirt: partition management (docs/system.md) */

	/* Boot images, kept in host memory so a reset reloads them. */
	struct loader_file kernel, initrd;
	enum loader_format kernel_fmt;
	struct loader_result kernel_res;
	/*
	 * A restored board (board_create_restored()): the images are open but
	 * not read; the first reset reads them (through image_fd, -1: none).
	 */
	bool images_pending;
	int image_fd[BOARD_IMAGES];
	/*
	 * A restored board's RAM maps pages of the snapshot's file (one bit
	 * per page, NULL: none does): they are the guest's though not resident
	 * (a snapshot of it saves them), and a reset maps RAM anew.
	 */
	uint8_t *ram_file_pages;
	uint64_t ram_file_dev, ram_file_ino; /* that file (a snapshot may not be written onto it) */
	void *fdt;                /* the device tree as the guest gets it */
	size_t fdt_size;
	uint64_t fdt_addr, initrd_addr;
};

/* ---- for board files (board.c) ---- */

/* A device joins the board: its node under fdt_parent (NULL: none) on controller intc, inputs irq0/1. */
void board_add_device(struct board *b, struct device *dev, const char *fdt_parent,
		      uint32_t intc, unsigned irq0, unsigned irq1);
/* UIC0's two outputs, to wire into uic_init(): the core's external and critical inputs. */
struct irq_line board_core_irq(struct board *b, bool critical);
/* An indirect DCR register file at dcr, dcr+1 on the DCR bus and the board's device list. */
int board_indirect_add(struct board *b, struct board_indirect *ind, const char *name, uint32_t dcr);
/* A register's value at reset (and now). */
void board_indirect_preset(struct board_indirect *ind, uint32_t addr, uint32_t value);
/* The serial backends of --serial/--serial1 and the two UARTs at base[i] on irq[i]. */
int board_uarts(struct board *b, const uint64_t base[2], uint32_t clock, const struct irq_line irq[2],
		uint32_t intc, const unsigned irq_n[2], const char *fdt_parent);
/* The virtio devices of the command line on b->pci, slots 1, 2, ... (docs/devices.md). */
int board_create_virtio(struct board *b);
/* The SoC's indirect DCR files (CPR0, SDR0, SDRAM0, EBC0) on the DCR bus; -1 if they overlap. */
int board_soc_dcrs(struct board *b);
/* The byte channel of --bytechan on UIC0 (mc->bc_irq), when asked for. */
int board_bytechan(struct board *b);
/* Partition management and its doorbells (hw/hvmgr.h) on a paravirt guest. */
int board_hvmgr(struct board *b);

/* Build the board in its documented order and load the images; -1 after one clear error line. */
int board_create(struct board **out, const struct board_config *cfg);
/*
 * The board without its images (a snapshot's RAM and state replace what
 * they would load): kernel, initrd and --dtb are opened, and read at the
 * first board_reset(). -1 after one clear error line.
 */
int board_create_restored(struct board **out, const struct board_config *cfg);
/*
 * What board_create_restored() left for later: read the images, build the
 * device tree, place them (0 when done already). Loads the kernel into RAM
 * to learn its extent: only for a board about to be reset, or to end
 * (--dump-dtb). -1 after one clear error line.
 */
int board_finish_images(struct board *b);
/* A boot image, through the descriptor board_create_restored() kept, else by path. */
int board_read_image(struct board *b, struct loader_file *f, enum board_image which,
		     const char *path, const char *what);
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
/* A property of n cells; a node with a dcr-reg pair (its offset). */
int board_fdt_cells(void *fdt, int node, const char *name, const uint32_t *v, unsigned n);
int board_fdt_dcr_node(void *fdt, int parent, const char *name, const char *compat,
		       size_t compat_len, uint32_t dcr, uint32_t n);
int board_fdt_finish(struct board *b);
/* Generate the tree only (for --dump-dtb): no images needed. */
int board_fdt_write_file(struct board *b, const char *path);

#endif
