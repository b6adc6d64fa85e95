/* SPDX-License-Identifier: MIT */
/* log.h - hv440's messages on stderr, naming the VM when a process has several; the rate-limited guest-error logger. */
#ifndef HV440_UTIL_LOG_H
#define HV440_UTIL_LOG_H

/*
 * Every message is one line "hv440: [VM: ]text". The VM's name is there
 * only while the process holds more than one VM (src/vm/vm.c counts them)
 * and the calling thread works for one (vm/ sets a thread-local name
 * around its create, run and destroy): a lone hv440 prints what it always
 * printed. log.c keeps that count and name, the only state under util/.
 *
 * STYLE.md, principle 8: a guest error is logged, rate-limited, and turned
 * into what the hardware would do. Each source (a vcpu, a virtio device)
 * keeps its own count, which survives a guest reset: a guest that reboots
 * after each burst of errors must not flood the log.
 */
#include <stdarg.h>
#include <stdio.h>

#define LOG_LIMIT 20

/* The calling thread works for the VM called name (NULL: none); returns the name it had. */
const char *log_set_vm(const char *name);
/* A VM was created (+1) or destroyed (-1) in this process. */
void log_count_vm(int delta);
/* The calling thread's VM name when the process holds more than one VM, else NULL. */
const char *log_vm_name(void);
/* The calling thread's VM name, however many VMs there are (NULL: none). */
const char *log_thread_vm(void);

/* As fprintf(stderr, "hv440: " fmt, ...), with the VM's name after "hv440: " (see above). */
__attribute__((format(printf, 1, 2)))
void log_err(const char *fmt, ...);
__attribute__((format(printf, 1, 0)))
void log_verr(const char *fmt, va_list ap);

/* One line "hv440: [VM: ]WHO: message" on stderr unless the source's *count reached LOG_LIMIT. */
__attribute__((format(printf, 3, 0)))
void log_limited(unsigned *count, const char *who, const char *fmt, va_list ap);

#endif
