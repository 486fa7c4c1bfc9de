/* sentry/kernel/timekeeper.h: the guest clock the vDSO reads (see
 * timekeeper.c and sentry/loader/vdso/vvar.h). */
#ifndef CVISOR_SENTRY_KERNEL_TIMEKEEPER_H
#define CVISOR_SENTRY_KERNEL_TIMEKEEPER_H

#include <stdbool.h>
#include <time.h>

struct vvar;

/* Keep the data page at page (the sentry's view of it): from the guest's
 * first time syscall on (timekeeper_now: the vDSO makes syscalls until the
 * page is calibrated, so a guest that asks the time asks there first), a
 * thread calibrates the TSC against the host's clock and keeps the page
 * in step; a program that never asks costs no thread. Without an
 * invariant TSC the page stays uncalibrated and the vDSO makes syscalls. */
void timekeeper_start(struct vvar *page);
/* CLOCK_REALTIME, MONOTONIC, BOOTTIME (and their COARSE forms) as the
 * vDSO computes them, so syscalls and vDSO calls agree; false when the
 * page is not in use or not calibrated yet (the caller asks the host).
 * The first call starts the thread. */
bool timekeeper_now(clockid_t id, struct timespec *ts);
/* The same without starting the thread: false until something else
 * did and the page is calibrated. For the sentry's own clocks that must
 * agree with the guest's (CPU time against CLOCK_MONOTONIC). */
bool timekeeper_peek(clockid_t id, struct timespec *ts);

#endif
