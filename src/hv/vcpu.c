/* SPDX-License-Identifier: MIT */
/* vcpu.c - not written yet. */
