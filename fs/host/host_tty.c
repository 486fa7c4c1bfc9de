/* fs/host/host_tty.c: terminal ioctls on host-backed files (host_tty.h).
 *
 * Pass-through requests (termios, window size, flush, FIONREAD) copy
 * their argument through the user-copy helpers and call the host ioctl on
 * the sentry's own fd. The job-control requests (TIOCGPGRP, TIOCSPGRP,
 * TIOCGSID) answer from the sandbox's process model: the guest's process
 * groups are not the host's. */
#include "fs/host/host_tty.h"

#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* The kernel's struct termios (asm/termbits.h: four tcflag_t, c_line,
 * c_cc[19]), which TCGETS/TCSETS* copy; glibc's is larger. */
#define KERNEL_TERMIOS_SIZE 36
#define ARG_MAX_SIZE 64

/* The sandbox's view of the host terminal: one per sandbox, since every
 * host-backed stdio fd that is a terminal is the caller's terminal. */
static pthread_mutex_t tty_lock = PTHREAD_MUTEX_INITIALIZER;
static int tty_sid = 1;		/* the init's session */
static int tty_fg = 1;		/* foreground process group */
static int tty_fd = -1;		/* the sentry's own dup of the terminal */

void host_tty_note(int fd)
{
	pthread_mutex_lock(&tty_lock);
	if (tty_fd < 0 && isatty(fd))
		tty_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	pthread_mutex_unlock(&tty_lock);
}

int host_tty_open(struct file *f)
{
	pthread_mutex_lock(&tty_lock);
	int fd = tty_fd;
	int sid = tty_sid;
	pthread_mutex_unlock(&tty_lock);
	if (fd < 0 || task_getpgid(current, 0, true) != sid)
		return -ENXIO;
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (copy < 0)
		return -errno;
	int r = host_file_adopt(f, copy);
	if (r < 0)
		close(copy);
	return r;
}

static int64_t pass_in(int fd, struct task *t, unsigned int cmd, uint64_t arg, size_t size)
{
	char buf[ARG_MAX_SIZE];
	int err = copy_in(t->mm, buf, arg, size);
	if (err)
		return err;
	return ioctl(fd, cmd, buf) < 0 ? -errno : 0;
}

static int64_t pass_out(int fd, struct task *t, unsigned int cmd, uint64_t arg, size_t size)
{
	char buf[ARG_MAX_SIZE];
	if (ioctl(fd, cmd, buf) < 0)
		return -errno;
	return copy_out(t->mm, arg, buf, size);
}

/* Is the host fd a terminal, and is it t's controlling terminal? */
static int64_t controlling(int fd, struct task *t)
{
	if (!isatty(fd))
		return -ENOTTY;
	int sid = task_getpgid(t, 0, true);
	pthread_mutex_lock(&tty_lock);
	bool ours = sid == tty_sid;
	pthread_mutex_unlock(&tty_lock);
	return ours ? 0 : -ENOTTY;
}

static int64_t set_pgrp(int fd, struct task *t, uint64_t arg)
{
	int64_t r = controlling(fd, t);
	if (r)
		return r;
	int32_t pgrp;
	int err = copy_in(t->mm, &pgrp, arg, sizeof(pgrp));
	if (err)
		return err;
	if (pgrp < 0)
		return -EINVAL;
	int sid = pgrp_session(pgrp);
	if (sid < 0)
		return -ESRCH;
	pthread_mutex_lock(&tty_lock);
	r = sid == tty_sid ? 0 : -EPERM;
	if (!r)
		tty_fg = pgrp;
	pthread_mutex_unlock(&tty_lock);
	return r;
}

static int64_t get_id(int fd, struct task *t, uint64_t arg, bool session)
{
	int64_t r = controlling(fd, t);
	if (r)
		return r;
	pthread_mutex_lock(&tty_lock);
	int32_t id = session ? tty_sid : tty_fg;
	pthread_mutex_unlock(&tty_lock);
	return copy_out(t->mm, arg, &id, sizeof(id));
}

int64_t host_tty_ioctl(int fd, struct task *t, unsigned int cmd, uint64_t arg)
{
	switch (cmd) {
	case TCGETS:
		return pass_out(fd, t, cmd, arg, KERNEL_TERMIOS_SIZE);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return pass_in(fd, t, cmd, arg, KERNEL_TERMIOS_SIZE);
	case TIOCGWINSZ:
		return pass_out(fd, t, cmd, arg, sizeof(struct winsize));
	case TIOCSWINSZ:
		return pass_in(fd, t, cmd, arg, sizeof(struct winsize));
	case FIONREAD:
		return pass_out(fd, t, cmd, arg, sizeof(int));
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
		/* Integer arguments. */
		return ioctl(fd, cmd, (unsigned long)arg) < 0 ? -errno : 0;
	case TIOCGPGRP:
		return get_id(fd, t, arg, false);
	case TIOCGSID:
		return get_id(fd, t, arg, true);
	case TIOCSPGRP:
		return set_pgrp(fd, t, arg);
	default:
		return -ENOTTY;
	}
}
