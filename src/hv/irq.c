/* SPDX-License-Identifier: MIT */
/* irq.c - not written yet. */
