/* SPDX-License-Identifier: MIT */
/* pci_host.c - not written yet. */
