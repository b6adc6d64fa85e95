/* SPDX-License-Identifier: MIT */
/* hvmgr.h - partition management for a system's partitions: FH_PARTITION_* calls, handles, doorbells. */
#ifndef HV440_HW_HVMGR_H
#define HV440_HW_HVMGR_H

#include <stdbool.h>
#include <stdint.h>

#include "host/loop.h"
#include "hw/bus.h"
#include "hw/device.h"

#define HVMGR_MAX_PARTITIONS 16
#define HVMGR_MAX_DOORBELLS 24
#define HVMGR_NAME_MAX 33

/*
 * What Topaz gives a partition and Linux's drivers/virt/fsl_hypervisor.c
 * looks for (docs/system.md, "A Linux manager"): "fsl,hv-version" in
 * /hypervisor, and for the managing partition /hypervisor/handles, one node
 * per other partition (its handle in reg, its name in label) with a
 * state-change doorbell and, when its watchdog notifies the manager, a
 * watchdog doorbell. A doorbell is an edge on an interrupt line the board
 * lends; its handle (the first cell of "interrupts") is that line.
 *
 * The managing partition's hv440 talks to the supervisor over fd (lines:
 * "OP HANDLE" -> "STATUS VALUE", "L" -> "P HANDLE NAME WD"... ".", and the
 * supervisor's own "E HANDLE s|w" events); fd <= 0 is every other guest:
 * EV_EPERM for every call, no handles.
 */
struct hvmgr_part {
	uint32_t handle;
	char name[HVMGR_NAME_MAX];
	int state_db, wd_db;      /* index into the doorbell lines, -1: none */
};

struct hvmgr {
	struct device dev;        /* the contract (hw/device.h): writes into its fdt_parent, /hypervisor */
	int fd;
	struct loop *loop;
	struct irq_line line[HVMGR_MAX_DOORBELLS];
	unsigned line_n[HVMGR_MAX_DOORBELLS]; /* their numbers on the interrupt controller */
	unsigned n_lines, n_used;
	struct hvmgr_part part[HVMGR_MAX_PARTITIONS];
	unsigned n_part;
	char buf[256];            /* what came from the supervisor, up to a whole line */
	unsigned len;
	uint64_t events;          /* doorbells rung, for messages and tests */
};

/*
 * fd: the supervisor's socket or <= 0; lines/line_n: the interrupt lines
 * the board lends for doorbells (edge, active high). Asks the supervisor
 * for the partition list; 0, or -1 after one error line.
 */
int hvmgr_init(struct hvmgr *m, int fd, struct loop *loop, const struct irq_line *lines,
	       const unsigned *line_n, unsigned n_lines);
/* An FH_PARTITION_* call (Linux fsl_hcalls.h numbers): ePAPR status, *value for GET_STATUS. */
uint32_t hvmgr_partition_op(struct hvmgr *m, unsigned op, uint32_t partition, uint32_t *value);

#endif
