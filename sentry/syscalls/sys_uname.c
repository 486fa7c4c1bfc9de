/* sentry/syscalls/sys_uname.c: uname, sethostname, setdomainname.
 *
 * The sandbox is its own UTS namespace: one per sentry. The node name
 * starts as the configured hostname (or "cvisor") and the domain name as
 * "(none)", like a fresh Linux namespace; root in the sandbox may change
 * both, and uname reports what was set. The kernel identity is fixed. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/machine.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define UTS_LEN 64	/* __NEW_UTS_LEN */

/* struct new_utsname of the kernel: six NUL-padded fields. */
struct k_utsname {
	char sysname[UTS_LEN + 1];
	char nodename[UTS_LEN + 1];
	char release[UTS_LEN + 1];
	char version[UTS_LEN + 1];
	char machine[UTS_LEN + 1];
	char domainname[UTS_LEN + 1];
};

static struct {
	pthread_mutex_t lock;
	bool init;		/* nodename/domainname filled in */
	char nodename[UTS_LEN + 1];
	char domainname[UTS_LEN + 1];
} uts = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Called with uts.lock held. */
static void uts_init_locked(struct task *t)
{
	const char *host = NULL;

	if (uts.init)
		return;
	if (t->k && t->k->cfg && t->k->cfg->hostname && t->k->cfg->hostname[0])
		host = t->k->cfg->hostname;
	snprintf(uts.nodename, sizeof(uts.nodename), "%s", host ? host : "cvisor");
	snprintf(uts.domainname, sizeof(uts.domainname), "(none)");
	uts.init = true;
}

int64_t sys_uname(struct task *t, const uint64_t a[6])
{
	struct k_utsname u;

	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	strcpy(u.release, UTS_RELEASE);
	strcpy(u.version, UTS_VERSION);
	strcpy(u.machine, "x86_64");

	pthread_mutex_lock(&uts.lock);
	uts_init_locked(t);
	memcpy(u.nodename, uts.nodename, sizeof(u.nodename));
	memcpy(u.domainname, uts.domainname, sizeof(u.domainname));
	pthread_mutex_unlock(&uts.lock);

	return copy_out(t->mm, a[0], &u, sizeof(u));
}

/* sethostname/setdomainname(const char *name, int len): len raw bytes
 * (not necessarily NUL-terminated), 0 <= len <= 64, the rest cleared. */
static int64_t set_uts_field(struct task *t, const uint64_t a[6], bool host)
{
	char buf[UTS_LEN + 1];
	int len = (int)a[1];

	/* Root in the sandbox holds CAP_SYS_ADMIN over its UTS namespace. */
	if (len < 0 || len > UTS_LEN)
		return -EINVAL;
	memset(buf, 0, sizeof(buf));
	if (len > 0) {
		int err = copy_in(t->mm, buf, a[0], (size_t)len);
		if (err)
			return err;
	}

	pthread_mutex_lock(&uts.lock);
	uts_init_locked(t);
	memcpy(host ? uts.nodename : uts.domainname, buf, sizeof(buf));
	pthread_mutex_unlock(&uts.lock);
	return 0;
}

void uts_get_name(bool domain, char *buf, size_t len)
{
	struct task dummy = { .k = &kernel };
	pthread_mutex_lock(&uts.lock);
	uts_init_locked(&dummy);
	snprintf(buf, len, "%s", domain ? uts.domainname : uts.nodename);
	pthread_mutex_unlock(&uts.lock);
}

int uts_set_name(bool domain, const char *name, size_t len)
{
	if (len > UTS_LEN)
		return -EINVAL;
	struct task dummy = { .k = &kernel };
	pthread_mutex_lock(&uts.lock);
	uts_init_locked(&dummy);
	char *dst = domain ? uts.domainname : uts.nodename;
	memset(dst, 0, UTS_LEN + 1);
	memcpy(dst, name, len);
	pthread_mutex_unlock(&uts.lock);
	return 0;
}

int64_t sys_sethostname(struct task *t, const uint64_t a[6])
{
	return set_uts_field(t, a, true);
}

int64_t sys_setdomainname(struct task *t, const uint64_t a[6])
{
	return set_uts_field(t, a, false);
}
