/* SPDX-License-Identifier: MIT */
/* bus.c - not written yet. */
