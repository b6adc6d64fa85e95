/* SPDX-License-Identifier: MIT */
/* bamboo.c - the bamboo (PPC440EP) board: its facts, devices and wiring, its device-tree buses. */
#include <stdio.h>

#include <libfdt.h>

#include "board/board.h"
#include "util/log.h"

#define MIB (1ull << 20)

/* Memory map and clocks as QEMU's bamboo, which Linux 6.1 boots. */
#define BAMBOO_UART0_BASE 0xEF600300u
#define BAMBOO_UART1_BASE 0xEF600400u
#define BAMBOO_UART_CLOCK 11059200u
#define BAMBOO_UIC0_DCR   0xC0u
#define BAMBOO_CPU_FREQ   400000000u
#define BAMBOO_PLB_FREQ   133333332u
#define BAMBOO_OPB_FREQ   66666666u
#define PVR_440EP_B       0x422218D3u

/* SDRAM0 (PPC440EP manual, SDRAM controller): configuration and bank registers. */
#define SDRAM0_CFG    0x20
#define SDRAM0_STATUS 0x24
#define SDRAM0_B0CR   0x40
#define SDRAM_CFG_DCE  0x80000000u /* controller enabled */
#define SDRAM_BXCR_EN  0x00000001u
#define SDRAM_BXCR_SZ_SHIFT 17     /* size code: 4 MiB << code */

/*
 * SDRAM0_B0CR..B3CR describe the RAM as up to four enabled banks, each a
 * power of two from 4 MiB (code 0) to 512 MiB (code 7) at consecutive bases
 * (base in bits 0xFF800000), as the firmware would have programmed them.
 */
static void sdram_banks(struct board_indirect *sdram, uint64_t ram_size)
{
	uint64_t base = 0;
	unsigned bank;

	board_indirect_preset(sdram, SDRAM0_CFG, SDRAM_CFG_DCE);
	board_indirect_preset(sdram, SDRAM0_STATUS, 0);
	for (bank = 0; bank < 4; bank++) {
		uint64_t left = ram_size - base;
		uint32_t code = 7, bcr = 0;

		while (code > 0 && (4 * MIB << code) > left)
			code--;
		if (left >= 4 * MIB) {
			bcr = ((uint32_t)base & 0xFF800000u) | code << SDRAM_BXCR_SZ_SHIFT | SDRAM_BXCR_EN;
			base += 4 * MIB << code;
		}
		board_indirect_preset(sdram, SDRAM0_B0CR + 4 * bank, bcr);
	}
}

static int bamboo_create(struct board *b)
{
	static const uint64_t uart_base[2] = { BAMBOO_UART0_BASE, BAMBOO_UART1_BASE };
	static const unsigned uart_irq[2] = { 0, 1 };
	struct irq_line inta[4], uart_line[2];
	unsigned i;
	int err = 0;

	/* 1. UIC0 at DCR 0xC0, its outputs on the core's interrupt inputs. */
	uic_init(&b->uic0, BAMBOO_UIC0_DCR, board_core_irq(b, false), board_core_irq(b, true));
	err |= bus_add(&b->dcr, &b->uic0.dcr);
	board_add_device(b, &b->uic0.dev, "/", 0, 0, 0);

	/* 2. The serial backends and the two UARTs on UIC0 inputs 0 and 1. */
	for (i = 0; i < 2; i++)
		uart_line[i] = uic_input(&b->uic0, uart_irq[i]);
	if (board_uarts(b, uart_base, BAMBOO_UART_CLOCK, uart_line, 0, uart_irq, BOARD_OPB_PATH))
		return -1;

	/* 3. Paravirt: an ePAPR byte channel (handle 0) on UIC0 20 (rx) and 21 (tx). */
	if (board_bytechan(b) || board_hvmgr(b))
		return -1;

	/* 4. The PCI host bridge: INTA of slots 1-4 on UIC0 28, 27, 26, 25. */
	for (i = 0; i < 4; i++)
		inta[i] = uic_input(&b->uic0, pci_host_440ep.intx_irq[i]);
	pci_host_init_layout(&b->pci, &pci_host_440ep, &b->mmio, inta);
	err |= bus_add(&b->mmio, &b->pci.cfg);
	err |= bus_add(&b->mmio, &b->pci.regs);
	err |= bus_add(&b->mmio, &b->pci.io);
	board_add_device(b, &b->pci.dev, "/plb", 0, 0, 0);
	if (board_create_virtio(b))
		return -1;

	/* 5. The indirect DCR files Linux touches on the 440EP: CPR0, SDR0, SDRAM0, EBC0. */
	err |= board_soc_dcrs(b);
	sdram_banks(&b->sdram0, b->ram_size);
	if (err) {
		log_err("board: overlapping device regions\n");
		return -1;
	}
	return 0;
}

/* As bamboo.dts and QEMU's bamboo.dtb: OPB addresses are the 32-bit PLB addresses. */
static const struct machine_soc soc_440ep = {
	.plb = BOARD_COMPAT("ibm,plb-440ep\0ibm,plb-440gp\0ibm,plb4"),
	.opb = BOARD_COMPAT("ibm,opb-440ep\0ibm,opb-440gp\0ibm,opb"),
	.ebc = BOARD_COMPAT("ibm,ebc-440ep\0ibm,ebc-440gp\0ibm,ebc"),
	.sdram = BOARD_COMPAT("ibm,sdram-440ep\0ibm,sdram-405gp"),
	.cpr = BOARD_COMPAT("ibm,cpr-440ep"),
	.sdr = BOARD_COMPAT("ibm,sdr-440ep"),
	.plb_freq = BAMBOO_PLB_FREQ,
	.opb_freq = BAMBOO_OPB_FREQ,
	.opb_ranges = { 0x00000000, 0x00000000, 0x00000000, 0x80000000,
			0x80000000, 0x00000000, 0x80000000, 0x80000000 },
	.n_opb_ranges = 8,
};

const struct machine_class machine_bamboo = {
	.name = "bamboo",
	.desc = "AMCC bamboo (PowerPC 440EP), as QEMU's -M bamboo",
	.compatible = "amcc,bamboo",
	.cpu_model = "PowerPC,440EP",
	.pvr = PVR_440EP_B,
	.cpu_revisions = true,
	.cpu_freq = BAMBOO_CPU_FREQ,
	.min_ram = 16 * MIB,
	.max_ram = 2048 * MIB,
	.dtb_addr = 0x1800000,
	.initrd_addr = 0x1900000,
	.uart_path = { "/plb/opb/serial@ef600300", "/plb/opb/serial@ef600400" },
	.bc_irq = { 20, 21 },
	.doorbell_irqs = 0xE1CFFFFCu, /* 2-19, 22-24, 29-31: what UARTs, byte channel and PCI leave */
	.create = bamboo_create,
	.soc = &soc_440ep,
};
