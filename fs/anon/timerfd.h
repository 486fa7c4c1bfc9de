/* fs/anon/timerfd.h: timerfd objects (timerfd_create(2)): a timer on one
 * clock, fired by the sentry's timer thread (sentry/kernel/timer.c),
 * whose read returns the number of expirations since the last read. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct file;
struct ktimer_value;

/* clock: CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME (the _ALARM
 * variants run as their base clock); flags: O_NONBLOCK. */
int timerfd_create_file(clockid_t clock, int flags, struct file **out);
/* Is f a timerfd? */
bool file_is_timerfd(struct file *f);
/* timerfd_settime on a timerfd: arm (zero value: disarm), dropping
 * expirations not yet read; old gets the previous setting. */
int timerfd_set(struct file *f, bool absolute, const struct ktimer_value *nv,
		struct ktimer_value *old);
void timerfd_get(struct file *f, struct ktimer_value *cur);
