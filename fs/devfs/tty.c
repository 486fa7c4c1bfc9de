/* fs/devfs/tty.c: /dev/tty (5, 0), the caller's controlling terminal:
 * the host terminal the sandbox was started on (fs/host/host_tty.c), for
 * the processes of the first session; ENXIO for everyone else, as Linux
 * answers a process without a controlling terminal. */
#include "fs/devfs/devfs.h"
#include "fs/host/host_tty.h"
#include "fs/vfs/chrdev.h"
#include "fs/vfs/file.h"

#include <sys/sysmacros.h>

static int tty_open(struct inode *inode, struct file *f)
{
	(void)inode;
	return host_tty_open(f);
}

static const struct file_ops tty_ops = { .open = tty_open };

int devfs_tty_register(void)
{
	return chrdev_register(makedev(5, 0), &tty_ops);
}
