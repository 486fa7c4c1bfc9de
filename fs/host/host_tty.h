/* fs/host/host_tty.h: terminal ioctls on host-backed files (the inherited
 * stdio when it is a terminal). The termios and window size are the host
 * terminal's; the foreground process group and the session are the
 * sandbox's own: the host terminal is the controlling terminal of the
 * first guest session, whose foreground group starts as the init's. */
#pragma once
#include <stdint.h>

struct task;

struct file;

/* Note a host stdio fd; the first that is a terminal becomes the
 * sandbox's terminal (kept as a private dup for /dev/tty). */
void host_tty_note(int fd);
/* open of /dev/tty: turn f into a host file on the caller's controlling
 * terminal (Linux's replace_fops), or -ENXIO when it has none. */
int host_tty_open(struct file *f);

/* An ioctl on host fd fd; -ENOTTY for requests it does not know. */
int64_t host_tty_ioctl(int fd, struct task *t, unsigned int cmd, uint64_t arg);
