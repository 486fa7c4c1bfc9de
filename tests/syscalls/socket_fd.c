/*
 * socket_fd: the socket calls on descriptors that are not sockets. A
 * closed descriptor gives EBADF, an O_PATH one EBADF, a pipe, a regular
 * file or /dev/null ENOTSOCK, for every call that takes a socket fd;
 * accept4 with unknown flags gives EINVAL on an open descriptor, and
 * sendmsg/recvmsg with MSG_CMSG_COMPAT EINVAL even on a closed one. (bash asks
 * getpeername(0) whether its stdin is a network connection: any other
 * errno makes it read ~/.bashrc as under sshd.)
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

#define MSG_CMSG_COMPAT_ 0x80000000u

static void all_calls(int fd, int err)
{
	char buf[8] = "x";
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct msghdr mh = { 0 };
	int one = 1;

	CHECK_ERR(getpeername(fd, (struct sockaddr *)&ss, &len), err);
	len = sizeof(ss);
	CHECK_ERR(getsockname(fd, (struct sockaddr *)&ss, &len), err);
	len = sizeof(one);
	CHECK_ERR(getsockopt(fd, SOL_SOCKET, SO_TYPE, &one, &len), err);
	CHECK_ERR(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), err);
	CHECK_ERR(shutdown(fd, SHUT_RDWR), err);
	CHECK_ERR(listen(fd, 1), err);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	CHECK_ERR(bind(fd, (struct sockaddr *)&ss, sizeof(sa_family_t)), err);
	CHECK_ERR(connect(fd, (struct sockaddr *)&ss, sizeof(sa_family_t)), err);
	CHECK_ERR(accept(fd, NULL, NULL), err);
	CHECK_ERR(accept4(fd, NULL, NULL, SOCK_CLOEXEC), err);
	CHECK_ERR(sendto(fd, buf, 1, 0, NULL, 0), err);
	CHECK_ERR(recvfrom(fd, buf, 1, MSG_DONTWAIT, NULL, NULL), err);
	CHECK_ERR(sendmsg(fd, &mh, 0), err);
	CHECK_ERR(recvmsg(fd, &mh, MSG_DONTWAIT), err);
	CHECK_ERR(syscall(SYS_sendmmsg, fd, NULL, 0, 0), err);
	CHECK_ERR(syscall(SYS_recvmmsg, fd, NULL, 0, MSG_DONTWAIT, NULL), err);
}

int main(void)
{
	int p[2];
	CHECK_OK(pipe(p));
	all_calls(p[0], ENOTSOCK);
	all_calls(p[1], ENOTSOCK);

	int null = open("/dev/null", O_RDWR);
	CHECK_OK(null);
	all_calls(null, ENOTSOCK);

	int path = open("/", O_PATH);
	CHECK_OK(path);
	all_calls(path, EBADF);

	int closed = 1000;
	all_calls(closed, EBADF);
	all_calls(-1, EBADF);

	/* accept4 checks its flags after the descriptor; sendmsg and
	 * recvmsg refuse MSG_CMSG_COMPAT before. */
	CHECK_ERR(accept4(closed, NULL, NULL, 0x40000000), EBADF);
	CHECK_ERR(accept4(p[0], NULL, NULL, 0x40000000), EINVAL);
	struct msghdr mh = { 0 };
	CHECK_ERR(syscall(SYS_sendmsg, closed, &mh, MSG_CMSG_COMPAT_), EINVAL);
	CHECK_ERR(syscall(SYS_recvmsg, closed, &mh, MSG_CMSG_COMPAT_), EINVAL);
	PASS();
}
