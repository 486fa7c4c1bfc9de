/* fs/anon/signalfd.c: signalfd files (see signalfd.h). Readers and
 * pollers of every signalfd wait on one queue, woken (through a
 * deferwake, since senders hold kernel.lock) whenever a signal is queued
 * while any signalfd exists; each rechecks the pending signals of its own
 * task under kernel.lock. read fills whole struct signalfd_siginfo
 * records (EINVAL below one), blocking only for the first; the fields
 * follow Linux's signalfd_copyinfo() and siginfo_layout(). */
#include "fs/anon/signalfd.h"
#include "fs/anon/deferwake.h"
#include "fs/vfs/file.h"
#include "fs/vfs/waitq.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

struct signalfd {
	uint64_t mask;		/* atomic */
};

static struct waitq sfd_wq;
static struct deferwake sfd_dw;
static pthread_once_t sfd_once = PTHREAD_ONCE_INIT;
static int sfd_files;		/* live signalfds, atomic */

static const struct file_ops signalfd_fops;

static void sfd_init(void)
{
	waitq_init(&sfd_wq);
	deferwake_init(&sfd_dw, &sfd_wq);
}

bool file_is_signalfd(struct file *f)
{
	return f->ops == &signalfd_fops;
}

void signalfd_notify_locked(void)
{
	if (__atomic_load_n(&sfd_files, __ATOMIC_ACQUIRE))
		deferwake_post(&sfd_dw, POLLIN | POLLRDNORM);
}

static uint64_t mask_of(struct file *f)
{
	return __atomic_load_n(&((struct signalfd *)f->priv)->mask, __ATOMIC_ACQUIRE);
}

enum layout { L_KILL, L_TIMER, L_POLL, L_FAULT, L_CHLD, L_RT, L_SYS };

/* Linux's siginfo_layout() for x86-64. */
static enum layout layout_of(int sig, int code)
{
	if (code > SI_USER && code < SI_KERNEL) {
		static const struct { int sig, limit; enum layout l; } filter[] = {
			{ SIGILL, 11, L_FAULT }, { SIGFPE, 15, L_FAULT },
			{ SIGSEGV, 10, L_FAULT }, { SIGBUS, 5, L_FAULT },
			{ SIGTRAP, 6, L_FAULT }, { SIGCHLD, 6, L_CHLD },
			{ SIGPOLL, 6, L_POLL }, { SIGSYS, 2, L_SYS },
		};
		for (size_t i = 0; i < sizeof(filter) / sizeof(filter[0]); i++)
			if (filter[i].sig == sig)
				return code <= filter[i].limit ? filter[i].l : L_KILL;
		return code <= 6 ? L_POLL : L_KILL;
	}
	if (code == SI_TIMER)
		return L_TIMER;
	if (code == SI_SIGIO)
		return L_POLL;
	return code < 0 ? L_RT : L_KILL;
}

static void copyinfo(struct signalfd_siginfo *o, const siginfo_t *in)
{
	memset(o, 0, sizeof(*o));
	o->ssi_signo = (uint32_t)in->si_signo;
	o->ssi_errno = in->si_errno;
	o->ssi_code = in->si_code;
	switch (layout_of(in->si_signo, in->si_code)) {
	case L_KILL:
		o->ssi_pid = (uint32_t)in->si_pid;
		o->ssi_uid = in->si_uid;
		break;
	case L_TIMER:
		o->ssi_tid = (uint32_t)in->si_timerid;
		o->ssi_overrun = (uint32_t)in->si_overrun;
		o->ssi_ptr = (uint64_t)(uintptr_t)in->si_ptr;
		o->ssi_int = in->si_int;
		break;
	case L_POLL:
		o->ssi_band = (uint32_t)in->si_band;
		o->ssi_fd = in->si_fd;
		break;
	case L_FAULT:
		o->ssi_addr = (uint64_t)(uintptr_t)in->si_addr;
		break;
	case L_CHLD:
		o->ssi_pid = (uint32_t)in->si_pid;
		o->ssi_uid = in->si_uid;
		o->ssi_status = in->si_status;
		o->ssi_utime = (uint64_t)in->si_utime;
		o->ssi_stime = (uint64_t)in->si_stime;
		break;
	case L_RT:
		o->ssi_pid = (uint32_t)in->si_pid;
		o->ssi_uid = in->si_uid;
		o->ssi_ptr = (uint64_t)(uintptr_t)in->si_ptr;
		o->ssi_int = in->si_int;
		break;
	case L_SYS:
		o->ssi_call_addr = (uint64_t)(uintptr_t)in->si_call_addr;
		o->ssi_syscall = in->si_syscall;
		o->ssi_arch = in->si_arch;
		break;
	}
}

/* Take one signal of f's mask from the current task: 0 if none. */
static int dequeue(struct file *f, siginfo_t *info)
{
	uint64_t mask = mask_of(f);
	pthread_mutex_lock(&kernel.lock);
	int sig = signal_dequeue_locked(current, mask, info);
	pthread_mutex_unlock(&kernel.lock);
	return sig;
}

/* Take as many records as fit and are pending: their bytes, or -EAGAIN
 * when none is (waitq_wait_until). */
struct sfd_try {
	struct file *f;
	void *buf;
	size_t len;
};

static ssize_t sfd_try_read(void *arg)
{
	struct sfd_try *t = arg;
	const size_t rec = sizeof(struct signalfd_siginfo);
	size_t total = 0;
	siginfo_t info;
	while (total + rec <= t->len && dequeue(t->f, &info)) {
		copyinfo((struct signalfd_siginfo *)((char *)t->buf + total), &info);
		total += rec;
	}
	return total ? (ssize_t)total : -EAGAIN;
}

/* *pos counts the bytes this read(2) has returned so far: only the first
 * record may block. */
static ssize_t sfd_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	if (len < sizeof(struct signalfd_siginfo))
		return *pos ? 0 : -EINVAL;
	bool nonblock = *pos || (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK);
	struct sfd_try t = { f, buf, len };
	ssize_t r = waitq_wait_until(&sfd_wq, POLLIN, nonblock, sfd_try_read, &t);
	if (r > 0)
		*pos += r;
	return r;
}

static uint32_t sfd_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, f, &sfd_wq);
	uint64_t mask = mask_of(f);
	struct task *t = current;
	pthread_mutex_lock(&kernel.lock);
	uint64_t pending = (t->sig_pending | t->tg->shared_pending) & mask;
	pthread_mutex_unlock(&kernel.lock);
	return pending ? POLLIN | POLLRDNORM : 0;
}

static void sfd_release(struct file *f)
{
	free(f->priv);
	__atomic_sub_fetch(&sfd_files, 1, __ATOMIC_ACQ_REL);
}

static const struct file_ops signalfd_fops = {
	.read = sfd_read,
	.poll = sfd_poll,
	.stat = anon_inode_stat,
	.release = sfd_release,
};

int signalfd_create(uint64_t mask, int flags, struct file **out)
{
	pthread_once(&sfd_once, sfd_init);
	struct signalfd *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mask = mask & ~SIG_UNBLOCKABLE;
	struct file *f = file_new(&signalfd_fops, O_RDWR | (flags & O_NONBLOCK), s);
	if (!f) {
		free(s);
		return -ENOMEM;
	}
	__atomic_add_fetch(&sfd_files, 1, __ATOMIC_ACQ_REL);
	*out = f;
	return 0;
}

void signalfd_set_mask(struct file *f, uint64_t mask)
{
	__atomic_store_n(&((struct signalfd *)f->priv)->mask, mask & ~SIG_UNBLOCKABLE,
			 __ATOMIC_RELEASE);
	/* Pollers recheck against the new mask (Linux wakes them too). */
	deferwake_post(&sfd_dw, POLLIN | POLLRDNORM);
}
