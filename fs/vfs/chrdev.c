/* fs/vfs/chrdev.c: the character device table (see chrdev.h). */
#include "fs/vfs/chrdev.h"

#include <errno.h>
#include <pthread.h>

#define CHRDEV_MAX 64

static struct {
	dev_t rdev;
	const struct file_ops *ops;
} table[CHRDEV_MAX];
static int count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int chrdev_register(dev_t rdev, const struct file_ops *ops)
{
	int r = 0;
	pthread_mutex_lock(&lock);
	if (count < CHRDEV_MAX) {
		table[count].rdev = rdev;
		table[count].ops = ops;
		count++;
	} else {
		r = -ENOSPC;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

const struct file_ops *chrdev_lookup(dev_t rdev)
{
	const struct file_ops *ops = NULL;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < count; i++)
		if (table[i].rdev == rdev)
			ops = table[i].ops;
	pthread_mutex_unlock(&lock);
	return ops;
}
