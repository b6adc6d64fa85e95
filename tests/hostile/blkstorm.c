/* SPDX-License-Identifier: MIT */
/*
 * blkstorm.c - one notify queues 256 virtio-blk writes of 64 MiB each (all of RAM, 16 GiB in
 * all); the host sends SIGTERM meanwhile and times how long hv440 takes to stop.
 * Run with: hv440 --no-reboot -m 64M --disk IMG (64 MiB) --kernel blkstorm.elf
 * PCI slot 1 = virtio-blk (docs/devices.md).
 */
#include "isa.h"
#include "virtio_pci.h"

#define MEM_WIN  0xa0000000u
#define BAR      MEM_WIN          /* slot 1's BAR1, where this program puts it */
#define RAM_SIZE 0x04000000u
#define DESC     0x00400000u
#define AVAIL    0x00401000u
#define USED     0x00402000u
#define INDIRECT 0x00404000u
#define HDR      0x00405000u
#define STATUS   0x00405100u

static void desc(uint32_t table, unsigned i, uint32_t addr, uint32_t len, uint16_t flags,
		 uint16_t nx)
{
	uint32_t p = table + 16 * i;

	out_le32(p, addr);
	out_le32(p + 4, 0);
	out_le32(p + 8, len);
	out_le16(p + 12, flags);
	out_le16(p + 14, nx);
}

int main(void)
{
	uint32_t i;

	isa_tlb_write(2, PCI_CFG, PCI_CFG, TLB_SIZE_4K, 0, 0, TLB_I | TLB_G | TLB_SW | TLB_SR);
	isa_tlb_write(3, MEM_WIN, MEM_WIN, TLB_SIZE_256K, 0, 0, TLB_I | TLB_G | TLB_SW | TLB_SR);
	if (cfg_r32(1, 0) != 0x10011af4u) {
		isa_puts("blkstorm: no virtio-blk in slot 1\n");
		return 0;
	}
	cfg_w32(1, 0x14, BAR);
	cfg_w32(1, 0x04, 6);
	for (i = 0; i < 0x3000; i += 4)
		*(volatile uint32_t *)(DESC + i) = 0;
	virtio_setup(BAR, 0, 256, DESC, AVAIL, USED);
	/* One request: header (VIRTIO_BLK_T_OUT, sector 0), all of RAM, the status byte. */
	out_le32(HDR, 1);
	out_le32(HDR + 4, 0);
	out_le32(HDR + 8, 0);
	out_le32(HDR + 12, 0);
	desc(INDIRECT, 0, HDR, 16, F_NEXT, 1);
	desc(INDIRECT, 1, 0, RAM_SIZE, F_NEXT, 2);
	desc(INDIRECT, 2, STATUS, 1, F_WRITE, 0);
	desc(DESC, 0, INDIRECT, 3 * 16, F_INDIRECT, 0);
	for (i = 0; i < 256; i++)
		out_le16(AVAIL + 4 + 2 * i, 0);
	out_le16(AVAIL + 2, 256);
	isa_puts("blkstorm: notify\n");
	while (!(in_8(0xef600305) & 0x40))
		;
	out_le16(BAR + NOTIFY, 0);
	/* The device may answer after the notify returns (a stop paused it): wait for all. */
	while (in_le16(USED + 2) != 256)
		;
	isa_show("blkstorm: used idx", in_le16(USED + 2));
	isa_show("blkstorm: status of the last", *(volatile uint8_t *)STATUS);
	return 0;
}
