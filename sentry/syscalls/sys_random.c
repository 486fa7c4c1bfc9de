/* sentry/syscalls/sys_random.c: getrandom.
 *
 * Bytes come from the host's getrandom through a small bounce buffer and
 * are copied out a guest page at a time, so a bad page part-way gives the
 * count copied before it, as Linux does (EFAULT only when nothing was). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

/* INT_MAX >> (ENTROPY_SHIFT + 3): the most one call returns. */
#define GETRANDOM_MAX 33554431UL

/* Chunks end at guest page boundaries. */
#define CHUNK 4096UL

/* Fill buf from the host, retrying short reads and host EINTR. */
static int host_random(void *buf, size_t len, unsigned flags)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

/* getrandom(void *buf, size_t len, unsigned int flags) */
int64_t sys_getrandom(struct task *t, const uint64_t a[6])
{
	uint64_t ubuf = a[0];
	size_t len = a[1];
	unsigned flags = (unsigned)a[2];
	unsigned char bounce[CHUNK];
	size_t done = 0;
	int64_t ret = 0;

	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	/* Insecure and blocking-pool randomness at once makes no sense. */
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	if (len > GETRANDOM_MAX)
		len = GETRANDOM_MAX;

	/* The host pool is long initialised; GRND_NONBLOCK keeps a host
	 * that is not from ever blocking the sentry (EAGAIN instead). The
	 * guest's pool choice makes no difference since Linux 5.18. */
	while (done < len) {
		uint64_t addr = ubuf + done;
		size_t n = CHUNK - (addr & (CHUNK - 1));
		if (n > len - done)
			n = len - done;
		int err = host_random(bounce, n, GRND_NONBLOCK);
		if (err) {
			ret = err;
			break;
		}
		if (copy_out(t->mm, addr, bounce, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	explicit_bzero(bounce, sizeof(bounce));
	return done ? (int64_t)done : ret;
}
