/* SPDX-License-Identifier: MIT */
/* uart16550.c - not written yet. */
