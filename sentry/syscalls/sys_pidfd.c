/* sentry/syscalls/sys_pidfd.c: pidfd_open, pidfd_send_signal, pidfd_getfd
 * (the object is fs/anon/pidfd.c; CLONE_PIDFD and waitid(P_PIDFD) are in
 * sys_process.c). New pidfds and fetched fds are close-on-exec, as on
 * Linux. PIDFD_THREAD pidfds are not supported (EINVAL). */
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/path_at.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "fs/anon/pidfd.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#define K_PIDFD_NONBLOCK O_NONBLOCK

int64_t sys_pidfd_open(struct task *t, const uint64_t a[6])
{
	int pid = (int)a[0];
	unsigned flags = (unsigned)a[1];
	if (flags & ~K_PIDFD_NONBLOCK)
		return -EINVAL;
	if (pid <= 0)
		return -EINVAL;
	struct file *f;
	int r = pidfd_open_pid(pid, (int)flags, &f);
	if (r < 0)
		return r;
	r = fdtable_install(t->files, f, 0, fd_limit(t), true);
	file_put(f);
	return r;
}

/* The pidfd at fd: EBADF for bad fds and other files, as Linux. */
static struct file *pidfd_at(struct task *t, int fd)
{
	struct file *f = fd_file(t, fd, false);
	if (f && !file_is_pidfd(f)) {
		file_put(f);
		f = NULL;
	}
	return f;
}

/* pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags) */
int64_t sys_pidfd_send_signal(struct task *t, const uint64_t a[6])
{
	int sig = (int)a[1];
	unsigned flags = (unsigned)a[3];
	const unsigned scopes = K_PIDFD_SIGNAL_THREAD | K_PIDFD_SIGNAL_THREAD_GROUP |
				K_PIDFD_SIGNAL_PROCESS_GROUP;
	if ((flags & ~scopes) || __builtin_popcount(flags) > 1)
		return -EINVAL;
	struct file *f = pidfd_at(t, (int)a[0]);
	if (!f)
		return -EBADF;
	siginfo_t info;
	int r = 0;
	if (a[2]) {
		r = copy_in(t->mm, &info, a[2], sizeof(info));
		if (r == 0 && info.si_signo != sig)
			r = -EINVAL;
		/* Only to itself may a process send what looks like the
		 * kernel's or kill's signals. */
		if (r == 0 && (pidfd_pid(f) != t->tgid || flags == K_PIDFD_SIGNAL_PROCESS_GROUP) &&
		    (info.si_code >= 0 || info.si_code == SI_TKILL))
			r = -EPERM;
	} else {
		signal_info_kill(&info, sig, flags == K_PIDFD_SIGNAL_THREAD ? SI_TKILL : SI_USER, t);
	}
	if (r == 0)
		r = pidfd_signal(f, t, sig, &info, flags);
	file_put(f);
	return r;
}

/* pidfd_getfd(int pidfd, int targetfd, unsigned flags) */
int64_t sys_pidfd_getfd(struct task *t, const uint64_t a[6])
{
	if (a[2] != 0)
		return -EINVAL;
	struct file *f = pidfd_at(t, (int)a[0]);
	if (!f)
		return -EBADF;
	struct file *got;
	int r = pidfd_get_file(f, t, (int)a[1], &got);
	file_put(f);
	if (r < 0)
		return r;
	r = fdtable_install(t->files, got, 0, fd_limit(t), true);
	file_put(got);
	return r;
}
