/* fs/host/host_file.c: files backed by a host fd that the sentry owns
 * (the inherited stdin/stdout/stderr). Terminal ioctls are host_tty.c's.
 *
 * A read or write waits for the host fd's readiness in the sentry
 * (fs/host/host_notify.h), so a signal or exit interrupts it as on Linux;
 * only then does it call the host read(2)/write(2). If another host
 * process drains the fd between the readiness and the read, that read
 * blocks in the host (a narrow window: the sandbox is usually the only
 * reader of its stdin). */
#include "fs/host/host_notify.h"
#include "fs/host/host_tty.h"
#include "fs/vfs/file.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

struct host_file {
	struct host_notify hn;
};

static struct host_file *host_file(struct file *f) { return f->priv; }
static int host_fd(struct file *f) { return host_file(f)->hn.fd; }

#define HOST_ALWAYS (POLLHUP | POLLERR | POLLNVAL)

/* One readiness check for waitq_wait_until: 0 when the host fd has one
 * of the events (or an error/hang-up), else -EAGAIN after asking the
 * notifier for a wake-up. */
struct host_try {
	struct host_notify *hn;
	uint32_t events;
};

static ssize_t host_try_ready(void *arg)
{
	struct host_try *t = arg;
	if (host_notify_ready(t->hn, t->events) & (t->events | HOST_ALWAYS))
		return 0;
	host_notify_arm(t->hn, t->events);
	return -EAGAIN;
}

/* Wait until the host fd has one of events (or an error/hang-up): 0,
 * -EAGAIN for a non-blocking file, or -ERESTARTSYS. */
static int host_wait(struct file *f, uint32_t events)
{
	struct host_notify *hn = &host_file(f)->hn;
	if (!hn->pollable)
		return 0;
	struct host_try t = { hn, events };
	bool nonblock = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_NONBLOCK;
	return (int)waitq_wait_until(&hn->wq, events | HOST_ALWAYS, nonblock, host_try_ready, &t);
}

static ssize_t host_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	(void)pos;
	int r = host_wait(f, POLLIN);
	if (r < 0)
		return r;
	ssize_t n;
	do
		n = read(host_fd(f), buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static ssize_t host_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	(void)pos;
	int r = host_wait(f, POLLOUT);
	if (r < 0)
		return r;
	ssize_t n;
	do
		n = write(host_fd(f), buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int64_t host_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	return host_tty_ioctl(host_fd(f), t, cmd, arg);
}

static int host_stat(struct file *f, struct stat *st)
{
	return fstat(host_fd(f), st) < 0 ? -errno : 0;
}

/* Readiness for poll/select/epoll: ask the notifier for the events that
 * are not ready yet, so an always-writable tty does not wake a reader. */
static uint32_t host_poll(struct file *f, struct poll_table *pt)
{
	struct host_notify *hn = &host_file(f)->hn;
	uint32_t want = POLLIN | POLLOUT | POLLPRI;
	if (pt)
		poll_wait(pt, f, &hn->wq);
	uint32_t ready = host_notify_ready(hn, want);
	if (pt && hn->pollable && (want & ~ready))
		host_notify_arm(hn, want & ~ready & (POLLIN | POLLOUT));
	return ready;
}

static void host_release(struct file *f)
{
	struct host_file *hf = host_file(f);
	host_notify_fini(&hf->hn);
	close(hf->hn.fd);
	free(hf);
}

static const struct file_ops host_file_ops = {
	.read = host_read,
	.write = host_write,
	.ioctl = host_ioctl,
	.stat = host_stat,
	.poll = host_poll,
	.release = host_release,
};

int host_file_adopt(struct file *f, int fd)
{
	struct host_file *hf = calloc(1, sizeof(*hf));
	if (!hf)
		return -ENOMEM;
	host_notify_init(&hf->hn, fd);
	f->ops = &host_file_ops;
	f->priv = hf;
	return 0;
}

struct file *host_file_new(int fd, int flags)
{
	host_tty_note(fd);
	struct host_file *hf = calloc(1, sizeof(*hf));
	if (!hf)
		return NULL;
	host_notify_init(&hf->hn, fd);
	struct file *f = file_new(&host_file_ops, flags, hf);
	if (!f) {
		host_notify_fini(&hf->hn);
		free(hf);
	}
	return f;
}
