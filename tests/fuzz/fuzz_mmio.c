/* SPDX-License-Identifier: MIT */
/*
 * fuzz_mmio.c - libFuzzer harness for device registers as the guest sees
 * them: UIC (DCR), both 16550 UARTs, the PCI host bridge (config
 * address/data, PCIL0 registers, I/O window) and the four virtio-pci
 * functions behind it (config space, BARs wherever the guest maps them,
 * virtqueues in RAM), wired as on the bamboo board.
 *
 * Input: a sequence of operations, each an opcode byte and its operands
 * (bytes past the end read as zero), at most 1024 of them:
 *   0 MMIO write   base selector (1), offset (2), size (1), value (8)
 *   1 MMIO read    base selector (1), offset (2), size (1)
 *   2 DCR write    dcr (1: UIC0 at 0xc0..0xcf), value (4)
 *   3 DCR read     dcr (1)
 *   4 UIC input    line (1), level (1)
 *   5 UART0 input  length (1), bytes
 *   6 PCI config   devfn (1), register (1), size (1), value (4), write (1)
 *   7 RAM write    offset (2), 8 bytes
 * Base selectors: PCI config, PCIL0 registers, PCI I/O window, UART0,
 * UART1, three spots in the PCI memory window, or (>= 8) a raw 32-bit
 * address. Checked: no crash, no sanitizer report, bus accesses answer
 * 0 / -ENOENT / -EINVAL only. HV440_FUZZ_VERBOSE=1 prints the devices' state
 * after each input (to check seeds).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/bus.h"
#include "hw/pci_host.h"
#include "hw/uart16550.h"
#include "hw/uic.h"
#include "hw/virtio_pci.h"
#include "fuzz_devices.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE (64u << 10)
#define MAX_OPS 1024

static uint8_t *ram;
static struct fuzz_devices fd;
static struct bus mmio, dcr;
static struct uic uic;
static struct uart16550 uart[2];
static struct chardev *uart_cd;
static struct pci_host pci;
static struct virtio_pci vp[4];
static bool cpu_irq[2];

static void cpu_irq_set(void *opaque, unsigned n, bool level)
{
	(void)opaque;
	cpu_irq[n & 1] = level;
}

static const uint64_t bases[8] = {
	0xeec00000u, 0xef400000u, 0xe8000000u, 0xef600300u, 0xef600400u,
	0x80000000u, 0x80010000u, 0xa0000000u,
};

static void setup_once(void)
{
	struct irq_line inta[4];
	int err = 0;

	ram = malloc(RAM_SIZE);
	if (!ram)
		abort();
	fuzz_devices_create(&fd, ram, RAM_SIZE);
	bus_init(&mmio, "mmio");
	bus_init_dcr(&dcr, "dcr");
	uic_init(&uic, 0xc0, (struct irq_line){ cpu_irq_set, NULL, 0 },
		 (struct irq_line){ cpu_irq_set, NULL, 1 });
	err |= bus_add(&dcr, &uic.dcr);
	uart_cd = chardev_open("null", &fd.loop);
	if (!uart_cd)
		abort();
	uart16550_init(&uart[0], bases[3], 11059200, uic_input(&uic, 0), uart_cd);
	uart16550_init(&uart[1], bases[4], 11059200, uic_input(&uic, 1), NULL);
	err |= bus_add(&mmio, &uart[0].mmio);
	err |= bus_add(&mmio, &uart[1].mmio);
	for (unsigned i = 0; i < 4; i++)
		inta[i] = uic_input(&uic, 28 - i);
	pci_host_init(&pci, &mmio, inta);
	err |= bus_add(&mmio, &pci.cfg);
	err |= bus_add(&mmio, &pci.regs);
	err |= bus_add(&mmio, &pci.io);
	for (unsigned i = 0; i < 4; i++) {
		virtio_pci_init(&vp[i], fd.dev[i]);
		err |= pci_host_plug(&pci, i + 1, &vp[i].f);
	}
	if (err)
		abort();
}

static void check_rc(int rc)
{
	if (rc != 0 && rc != -ENOENT && rc != -EINVAL) {
		fprintf(stderr, "fuzz_mmio: bus access returned %d\n", rc);
		abort();
	}
}

static uint64_t addr_of(struct fin *in)
{
	uint8_t sel = fin_u8(in);
	uint16_t off = fin_u16(in);

	if (sel >= 8)
		return (uint64_t)fin_u32(in) << 16 | off;
	return bases[sel] + off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	uint64_t v;

	if (!ram)
		setup_once();
	memset(ram, 0, RAM_SIZE);
	uic_reset(&uic);
	uart16550_reset(&uart[0]);
	uart16550_reset(&uart[1]);
	pci_host_reset(&pci);
	for (unsigned i = 0; i < 4; i++)
		virtio_pci_reset(&vp[i]);

	for (unsigned op = 0; op < MAX_OPS && fin_left(&in); op++) {
		uint8_t code = fin_u8(&in) % 8;

		switch (code) {
		case 0: {
			uint64_t a = addr_of(&in);
			unsigned sz = 1u << (fin_u8(&in) & 3);

			check_rc(bus_write(&mmio, a, sz, fin_u64(&in)));
			break;
		}
		case 1: {
			uint64_t a = addr_of(&in);
			unsigned sz = 1u << (fin_u8(&in) & 3);

			check_rc(bus_read(&mmio, a, sz, &v));
			break;
		}
		case 2: {
			uint8_t n = fin_u8(&in);

			check_rc(bus_write(&dcr, n < 0x80 ? 0xc0u + (n & 15) : n, 4, fin_u32(&in)));
			break;
		}
		case 3: {
			uint8_t n = fin_u8(&in);

			check_rc(bus_read(&dcr, n < 0x80 ? 0xc0u + (n & 15) : n, 4, &v));
			break;
		}
		case 4: {
			uint8_t n = fin_u8(&in);

			uic_set_input(&uic, n % 32, fin_u8(&in) & 1);
			break;
		}
		case 5: {
			uint8_t buf[256];
			size_t n = fin_bytes(&in, buf, fin_u8(&in));
			const struct chardev_client *cl = &uart_cd->client;
			size_t room = cl->can_receive ? cl->can_receive(cl->opaque) : 0;

			if (n > room)
				n = room;
			if (n && cl->receive)
				cl->receive(cl->opaque, buf, n);
			break;
		}
		case 6: {
			uint8_t devfn = fin_u8(&in), reg = fin_u8(&in);
			unsigned sz = 1u << (fin_u8(&in) % 3);
			uint32_t val = fin_u32(&in);
			bool write = fin_u8(&in) & 1;

			/* As Linux's indirect_pci: CFGADDR then CFGDATA + (reg & 3), little-endian. */
			check_rc(bus_write(&mmio, bases[0], 4,
					   __builtin_bswap32(0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfcu))));
			if (write)
				check_rc(bus_write(&mmio, bases[0] + 4 + (reg & (4 - sz)), sz,
						   sz == 4 ? __builtin_bswap32(val) :
						   sz == 2 ? __builtin_bswap16((uint16_t)val) : (uint8_t)val));
			else
				check_rc(bus_read(&mmio, bases[0] + 4 + (reg & (4 - sz)), sz, &v));
			break;
		}
		case 7: {
			uint16_t off = fin_u16(&in);

			fin_bytes(&in, ram + (off & (RAM_SIZE - 8)), 8);
			break;
		}
		}
	}
	loop_poll(&fd.loop, 0);
	if (getenv("HV440_FUZZ_VERBOSE")) {
		for (unsigned i = 0; i < 4; i++)
			fprintf(stderr, "fuzz_mmio: slot %u %s status 0x%x bars %d%d vq0 ready %d used %u\n",
				i + 1, fd.dev[i]->ops->name, fd.dev[i]->status, vp[i].f.bar_mapped[0],
				vp[i].f.bar_mapped[1], fd.dev[i]->vq[0].ready, fd.dev[i]->vq[0].used_idx);
		fprintf(stderr, "fuzz_mmio: cpu irq %d crit %d\n", cpu_irq[0], cpu_irq[1]);
	}
	return 0;
}
