/* SPDX-License-Identifier: MIT */
/* qemu_cli.h - QEMU 7.2's qemu-system-ppc -M bamboo command line, translated to hv440's options. */
#ifndef HV440_QEMU_CLI_H
#define HV440_QEMU_CLI_H

#include <getopt.h>
#include <stdbool.h>

/*
 * True when argv uses QEMU's spellings: a single-dash word other than
 * hv440's own short options -k -m -h -V -s -S, or a QEMU option that
 * hv440 does not have spelt with two dashes (--machine); values of
 * hv440's options are skipped. native is hv440's getopt_long table.
 */
bool qemu_cli_wanted(int argc, char **argv, const struct option *native);

/*
 * Read argv with QEMU's meaning (every single-dash word is one option;
 * "--word" is hv440's own option when hv440 has it, QEMU's -word
 * otherwise) and write the equivalent hv440 command line to *out_argv
 * (argv[0] kept; the strings live until exit). Returns 0; 1 when the
 * command was a question answered on stdout (-machine help, -cpu help,
 * -device help); -1 after one error line on stderr naming the option.
 */
int qemu_cli_translate(int argc, char **argv, const struct option *native,
		       int *out_argc, char ***out_argv);

#endif
