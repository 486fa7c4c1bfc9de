/* sentry/kernel/errno_restart.h: the kernel-internal restart codes that a
 * syscall may return and that never reach the guest as such. */
#pragma once
#define ERESTARTSYS           512
#define ERESTARTNOINTR        513
#define ERESTARTNOHAND        514
#define ERESTART_RESTARTBLOCK 516
