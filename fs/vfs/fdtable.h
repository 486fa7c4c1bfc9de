/* fs/vfs/fdtable.h: a per-task fd table (shared by CLONE_FILES). */
#pragma once
#include <pthread.h>
#include <stdbool.h>

struct file;

struct fdtable {
	pthread_mutex_t lock;
	int refs;
	int nfds;		/* slots allocated */
	struct file **files;
	unsigned char *cloexec;
};

struct fdtable *fdtable_new(void);
void fdtable_get(struct fdtable *t);
void fdtable_put(struct fdtable *t);
/* Install f at the lowest free fd >= min (and < limit); takes a
 * reference. The fd, or -EMFILE. */
int fdtable_install(struct fdtable *t, struct file *f, int min, int limit, bool cloexec);
/* Install f at fd exactly, closing what was there. 0 or -EBADF. */
int fdtable_install_at(struct fdtable *t, int fd, struct file *f, int limit, bool cloexec);
/* A new reference to the file at fd, or NULL. */
struct file *fdtable_get_file(struct fdtable *t, int fd);
int fdtable_close(struct fdtable *t, int fd);
/* The close-on-exec flag of fd: 0/1, or -EBADF. */
int fdtable_get_cloexec(struct fdtable *t, int fd);
int fdtable_set_cloexec(struct fdtable *t, int fd, bool cloexec);
/* The lowest open fd >= fd, or -1 (for /proc/PID/fd). */
int fdtable_next_fd(struct fdtable *t, int fd);
/* Slots allocated (FDSize of /proc/PID/status). */
int fdtable_size(struct fdtable *t);
/* A copy of t for fork: same open file descriptions, same flags. */
struct fdtable *fdtable_fork(struct fdtable *t);
/* close_range: close fds first..last (cloexec: mark them close-on-exec
 * instead). */
void fdtable_close_range(struct fdtable *t, unsigned first, unsigned last, bool cloexec);
/* execve: close every fd marked close-on-exec. */
void fdtable_close_on_exec(struct fdtable *t);
