/* fs/anon/eventfd.h: eventfd objects (eventfd(2)): a 64-bit counter that
 * read takes (all of it, or 1 with EFD_SEMAPHORE) and write adds to,
 * blocking while it is 0 or would pass 2^64-2. */
#pragma once
#include <stdint.h>

struct file;

/* flags: EFD_NONBLOCK, EFD_SEMAPHORE (EFD_CLOEXEC is the caller's). */
int eventfd_create(uint64_t initval, int flags, struct file **out);
