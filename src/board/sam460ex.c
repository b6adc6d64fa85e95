/* SPDX-License-Identifier: MIT */
/* sam460ex.c - the sam460ex (PPC460EX) board: its facts, devices and wiring, its device-tree buses. */
#include <stdio.h>

#include <libfdt.h>

#include "board/board.h"
#include "util/log.h"

#define MIB (1ull << 20)

/*
 * The 460EX SoC as Linux 6.1's canyonlands.dts describes it and QEMU's
 * sam460ex models it: peripherals above 4 GiB on the 36-bit PLB (the OPB
 * at 0x4_B0000000-0x4_FFFFFFFF, the PCI-X bridge at 0xC_0EC00000).
 */
#define SAM_CPU_FREQ    1150000000u  /* core clock = timebase */
#define SAM_PLB_FREQ    230000000u
#define SAM_OPB_FREQ    115000000u
#define SAM_UART_CLOCK  11059200u
#define SAM_UART0_BASE  0x4EF600300ull  /* OPB 0xEF600300, UIC1 input 1 */
#define SAM_UART1_BASE  0x4EF600400ull  /* OPB 0xEF600400, UIC0 input 1 */
#define PVR_460EX_B     0x130218A4u     /* PPC464 core of the 460EX Rev. B */

/* Four UICs at DCR 0xC0, 0xD0, 0xE0, 0xF0; UIC1-3 drive two UIC0 inputs each (int, crit). */
#define SAM_UIC_DCR(n)  (0xC0u + 0x10u * (n))
static const unsigned cascade_in[3][2] = { { 30, 31 }, { 10, 11 }, { 16, 17 } };
/* Phandles: the CPU is 1, UIC0 BOARD_UIC_PHANDLE (2), UIC1-3 4, 5, 6. */
#define SAM_UIC_PHANDLE(n) ((n) ? 3u + (n) : BOARD_UIC_PHANDLE)

/* The 460EX's PCI-X bridge (Linux: ppc4xx_probe_pcix_bridge); every INTx on UIC1 input 0. */
static const struct pci_host_layout pcix_460ex = {
	.node = "pci@c0ec00000",
	.compat = "ibm,plb-pcix-460ex\0ibm,plb-pcix",
	.compat_len = sizeof("ibm,plb-pcix-460ex\0ibm,plb-pcix"),
	.pcix = true,
	.cfg_base = 0xC0EC00000ull,
	.iack_base = 0xC0ED00000ull,     /* special cycles; no IACK cycles */
	.regs_base = 0xC0EC80000ull,     /* internal and messaging registers */
	.regs_size = 0x200,
	.io_base = 0xC08000000ull,
	.io_size = 0x10000,
	.mem_base = 0xD80000000ull,      /* PCI 0x80000000-0xFFFFFFFF */
	.mem_pci = 0x80000000u,
	.mem_size = 0x80000000u,
	.n_intx = 1,
	.intx_irq = { 0 },
	.bus_hi = 0x3f,
};

static int sam460ex_create(struct board *b)
{
	static const uint64_t uart_base[2] = { SAM_UART0_BASE, SAM_UART1_BASE };
	static const unsigned uart_irq[2] = { 1, 1 };
	struct irq_line inta[4], uart_line[2];
	unsigned i;
	int err = 0;

	/* 1. UIC0 on the core's inputs, UIC1-3 cascaded into it (460EX manual, UIC). */
	uic_init(&b->uic0, SAM_UIC_DCR(0), board_core_irq(b, false), board_core_irq(b, true));
	b->uic0.compat = "ibm,uic-460ex\0ibm,uic";
	b->uic0.compat_len = sizeof("ibm,uic-460ex\0ibm,uic");
	err |= bus_add(&b->dcr, &b->uic0.dcr);
	board_add_device(b, &b->uic0.dev, "/", 0, 0, 0);
	for (i = 0; i < 3; i++) {
		struct uic *u = &b->uicn[i];

		uic_init(u, SAM_UIC_DCR(i + 1), uic_input(&b->uic0, cascade_in[i][0]),
			 uic_input(&b->uic0, cascade_in[i][1]));
		u->index = i + 1;
		u->compat = b->uic0.compat;
		u->compat_len = b->uic0.compat_len;
		u->phandle = SAM_UIC_PHANDLE(i + 1);
		err |= bus_add(&b->dcr, &u->dcr);
		board_add_device(b, &u->dev, "/", BOARD_UIC_PHANDLE, cascade_in[i][0], cascade_in[i][1]);
	}

	/* 2. UART0 on UIC1 input 1, UART1 on UIC0 input 1 (canyonlands.dts). */
	uart_line[0] = uic_input(&b->uicn[0], uart_irq[0]);
	uart_line[1] = uic_input(&b->uic0, uart_irq[1]);
	if (board_uarts(b, uart_base, SAM_UART_CLOCK, uart_line, 0, uart_irq, BOARD_OPB_PATH))
		return -1;
	b->uart[0].dev.fdt_intc = SAM_UIC_PHANDLE(1);

	/* 3. Paravirt: an ePAPR byte channel (handle 0) on UIC0 20 (rx) and 21 (tx). */
	if (board_bytechan(b) || board_hvmgr(b))
		return -1;

	/* 4. The PCI-X host bridge; every slot's INTA on UIC1 input 0. */
	for (i = 0; i < 4; i++)
		inta[i] = uic_input(&b->uicn[0], pcix_460ex.intx_irq[0]);
	pci_host_init_layout(&b->pci, &pcix_460ex, &b->mmio, inta);
	err |= bus_add(&b->mmio, &b->pci.cfg);
	err |= bus_add(&b->mmio, &b->pci.regs);
	err |= bus_add(&b->mmio, &b->pci.io);
	board_add_device(b, &b->pci.dev, "/plb", SAM_UIC_PHANDLE(1), 0, 0);
	if (board_create_virtio(b))
		return -1;

	/*
	 * 5. The indirect DCR files: CPR0, SDR0, the DDR2 SDRAM controller and
	 * EBC0. Linux takes the RAM size from /memory and the clocks from the
	 * tree, so they only need to read back what was written.
	 */
	err |= board_soc_dcrs(b);
	if (err) {
		log_err("board: overlapping device regions\n");
		return -1;
	}
	return 0;
}

/* As canyonlands.dts: the OPB at 0x4_B0000000 on the PLB. */
static const struct machine_soc soc_460ex = {
	.plb = BOARD_COMPAT("ibm,plb-460ex\0ibm,plb4"),
	.opb = BOARD_COMPAT("ibm,opb-460ex\0ibm,opb"),
	.ebc = BOARD_COMPAT("ibm,ebc-460ex\0ibm,ebc"),
	.sdram = BOARD_COMPAT("ibm,sdram-460ex\0ibm,sdram-405gp"),
	.cpr = BOARD_COMPAT("ibm,cpr-460ex"),
	.sdr = BOARD_COMPAT("ibm,sdr-460ex"),
	.plb_freq = SAM_PLB_FREQ,
	.opb_freq = SAM_OPB_FREQ,
	.opb_ranges = { 0xb0000000, 0x4, 0xb0000000, 0x50000000 },
	.n_opb_ranges = 4,
};

const struct machine_class machine_sam460ex = {
	.name = "sam460ex",
	.desc = "aCube Sam460ex (PowerPC 460EX), as QEMU's -M sam460ex",
	.compatible = "amcc,canyonlands",
	.cpu_model = "PowerPC,460EX",
	.pvr = PVR_460EX_B,
	.indexed_dcr = true,
	.cpu_freq = SAM_CPU_FREQ,
	.min_ram = 16 * MIB,
	.max_ram = 2048 * MIB,
	.dtb_addr = 0x1800000,
	.initrd_addr = 0x1900000,
	.uart_path = { "/plb/opb/serial@ef600300", "/plb/opb/serial@ef600400" },
	.bc_irq = { 20, 21 },
	.doorbell_irqs = 0x3FCCF3FCu, /* 2-9, 12-15, 18-19, 22-29: free of UART1, cascades, bc */
	.create = sam460ex_create,
	.soc = &soc_460ex,
};
