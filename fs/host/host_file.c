/* fs/host/host_file.c: files backed by a host fd that the sentry owns
 * (the inherited stdin/stdout/stderr). Terminal ioctls pass through to the
 * host tty for the handful of requests a guest needs. */
#include "fs/vfs/file.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static int host_fd(struct file *f) { return (int)(intptr_t)f->priv; }

static ssize_t host_read(struct file *f, void *buf, size_t len, int64_t *pos)
{
	(void)pos;
	ssize_t n;
	do
		n = read(host_fd(f), buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static ssize_t host_write(struct file *f, const void *buf, size_t len, int64_t *pos)
{
	(void)pos;
	ssize_t n;
	do
		n = write(host_fd(f), buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int64_t host_ioctl(struct file *f, struct task *t, unsigned int cmd, uint64_t arg)
{
	switch (cmd) {
	case TCGETS: {
		struct termios tio;
		if (ioctl(host_fd(f), TCGETS, &tio) < 0)
			return -errno;
		return copy_out(t->mm, arg, &tio, sizeof(tio));
	}
	case TIOCGWINSZ: {
		struct winsize ws;
		if (ioctl(host_fd(f), TIOCGWINSZ, &ws) < 0)
			return -errno;
		return copy_out(t->mm, arg, &ws, sizeof(ws));
	}
	default:
		return -ENOTTY;
	}
}

static int host_stat(struct file *f, struct stat *st)
{
	return fstat(host_fd(f), st) < 0 ? -errno : 0;
}

static void host_release(struct file *f)
{
	close(host_fd(f));
}

static const struct file_ops host_file_ops = {
	.read = host_read,
	.write = host_write,
	.ioctl = host_ioctl,
	.stat = host_stat,
	.release = host_release,
};

struct file *host_file_new(int fd, int flags)
{
	return file_new(&host_file_ops, flags, (void *)(intptr_t)fd);
}
