/* SPDX-License-Identifier: MIT */
/* chardev.c - not written yet. */
