/* sentry/syscalls/sys_capability.c: capget and capset (the header's
 * version and pid, the data arrays of _LINUX_CAPABILITY_VERSION_1/2/3).
 * The rules live in sentry/kernel/cred.c. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/cred.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <string.h>

#define CAP_V1 0x19980330
#define CAP_V2 0x20071026
#define CAP_V3 0x20080522

struct cap_header {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

/* Linux's cap_validate_magic: the number of data structs for the
 * header's version; for an unknown one, V3 is written back and EINVAL. */
static int cap_validate(struct task *t, uint64_t uhdr, struct cap_header *h, int *words)
{
	int r = copy_in(t->mm, &h->version, uhdr, sizeof(h->version));
	if (r < 0)
		return r;
	switch (h->version) {
	case CAP_V1:
		*words = 1;
		return 0;
	case CAP_V2:
	case CAP_V3:
		*words = 2;
		return 0;
	default: {
		uint32_t v = CAP_V3;
		r = copy_out(t->mm, uhdr, &v, sizeof(v));
		return r < 0 ? r : -EINVAL;
	}
	}
}

int64_t sys_capget(struct task *t, const uint64_t a[6])
{
	struct cap_header h;
	int words;
	int r = cap_validate(t, a[0], &h, &words);
	if (!a[1] || r != 0)
		return (!a[1] && r == -EINVAL) ? 0 : r;
	if ((r = copy_in(t->mm, &h.pid, a[0] + 4, sizeof(h.pid))) < 0)
		return r;
	if (h.pid < 0)
		return -EINVAL;
	struct cred c;
	if (h.pid == 0 || h.pid == t->tid) {
		cred_copy(&c, &t->cred);
	} else {
		pthread_mutex_lock(&kernel.lock);
		struct task *p = task_lookup(h.pid);
		if (!p || p->zombie || p->thread_dead) {
			pthread_mutex_unlock(&kernel.lock);
			return -ESRCH;
		}
		cred_copy(&c, &p->cred);
		pthread_mutex_unlock(&kernel.lock);
	}
	struct cap_data d[2];
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(c.cap_effective >> (32 * i));
		d[i].permitted = (uint32_t)(c.cap_permitted >> (32 * i));
		d[i].inheritable = (uint32_t)(c.cap_inheritable >> (32 * i));
	}
	cred_release(&c);
	return copy_out(t->mm, a[1], d, (size_t)words * sizeof(d[0]));
}

int64_t sys_capset(struct task *t, const uint64_t a[6])
{
	struct cap_header h;
	int words;
	int r = cap_validate(t, a[0], &h, &words);
	if (r != 0)
		return r;
	if ((r = copy_in(t->mm, &h.pid, a[0] + 4, sizeof(h.pid))) < 0)
		return r;
	if (h.pid != 0 && h.pid != t->tid)
		return -EPERM;
	struct cap_data d[2];
	memset(d, 0, sizeof(d));
	if ((r = copy_in(t->mm, d, a[1], (size_t)words * sizeof(d[0]))) < 0)
		return r;
	uint64_t eff = d[0].effective | (uint64_t)d[1].effective << 32;
	uint64_t perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	uint64_t inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return cred_capset(t, eff, perm, inh);
}
