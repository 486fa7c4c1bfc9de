/* sentry/syscalls/sys_socket.c: the socket calls that take a file
 * descriptor. cvisor has no sockets yet (socket and socketpair are
 * unimplemented, ENOSYS), so no descriptor is one, and Linux's answer to
 * each of these is exact: EBADF for a closed or O_PATH descriptor,
 * ENOTSOCK for any other file. Programs rely on it: bash asks
 * getpeername(0) whether it runs under a remote shell. */
#include "sentry/syscalls/syscalls.h"
#include "sentry/kernel/task.h"
#include "fs/vfs/fdtable.h"
#include "fs/vfs/file.h"

#include <errno.h>
#include <fcntl.h>

#define MSG_CMSG_COMPAT	0x80000000u	/* refused before the fd is looked up */

static int64_t not_a_socket(struct task *t, const uint64_t a[6])
{
	struct file *f = fdtable_get_file(t->files, (int)a[0]);
	if (!f)
		return -EBADF;
	int r = (f->mode & FMODE_PATH) ? -EBADF : -ENOTSOCK;
	file_put(f);
	return r;
}

#define NOT_A_SOCKET(name) \
	int64_t sys_##name(struct task *t, const uint64_t a[6]) { return not_a_socket(t, a); }
/* The same after a check of the flags argument (argument flag_arg),
 * which these calls make before they look the descriptor up. */
#define NOT_A_SOCKET_FLAGS(name, flag_arg, bad) \
	int64_t sys_##name(struct task *t, const uint64_t a[6]) \
	{ return ((uint32_t)a[flag_arg] & (bad)) ? -EINVAL : not_a_socket(t, a); }


/* accept4 looks the descriptor up before it checks the flags. */
int64_t sys_accept4(struct task *t, const uint64_t a[6])
{
	int64_t r = not_a_socket(t, a);
	if (r == -ENOTSOCK && ((uint32_t)a[3] & ~(uint32_t)(O_CLOEXEC | O_NONBLOCK)))
		return -EINVAL;
	return r;
}
NOT_A_SOCKET_FLAGS(sendmsg, 2, MSG_CMSG_COMPAT)
NOT_A_SOCKET_FLAGS(recvmsg, 2, MSG_CMSG_COMPAT)
NOT_A_SOCKET_FLAGS(sendmmsg, 3, MSG_CMSG_COMPAT)
NOT_A_SOCKET_FLAGS(recvmmsg, 3, MSG_CMSG_COMPAT)
NOT_A_SOCKET(connect)
NOT_A_SOCKET(accept)
NOT_A_SOCKET(sendto)
NOT_A_SOCKET(recvfrom)
NOT_A_SOCKET(shutdown)
NOT_A_SOCKET(bind)
NOT_A_SOCKET(listen)
NOT_A_SOCKET(getsockname)
NOT_A_SOCKET(getpeername)
NOT_A_SOCKET(setsockopt)
NOT_A_SOCKET(getsockopt)
