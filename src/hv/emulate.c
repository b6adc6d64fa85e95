/* SPDX-License-Identifier: MIT */
/* emulate.c - not written yet. */
