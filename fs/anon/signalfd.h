/* fs/anon/signalfd.h: signalfd objects (signalfd(2)). A signalfd holds
 * only a signal mask: reading it takes the *reader's* pending signals in
 * the mask (the thread's own, then its process's, as sigtimedwait does),
 * so after fork a shared signalfd reads each process's own signals. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct file;

/* mask: kernel sigset bits (SIGKILL and SIGSTOP are dropped); flags:
 * O_NONBLOCK. */
int signalfd_create(uint64_t mask, int flags, struct file **out);
bool file_is_signalfd(struct file *f);
void signalfd_set_mask(struct file *f, uint64_t mask);
/* A signal became pending somewhere: wake signalfd readers and pollers
 * (they recheck their own pending sets). Called with kernel.lock held,
 * from sentry/kernel/signal.c; cheap while no signalfd exists. */
void signalfd_notify_locked(void);
