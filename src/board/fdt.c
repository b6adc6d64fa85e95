/* SPDX-License-Identifier: MIT */
/* fdt.c - not written yet. */
