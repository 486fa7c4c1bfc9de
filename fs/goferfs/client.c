/* fs/goferfs/client.c: the sentry's end of the gofer connection: one
 * request and one reply at a time under a lock. Every reply is checked
 * (length, payload size, errno range: a host errno below 512, fds only
 * where expected); anything wrong marks the connection dead and gives
 * -EIO from then on. */
#include "fs/goferfs/goferfs.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int conn = -1;
static bool dead;

void gofer_client_set_fd(int sock)
{
	pthread_mutex_lock(&lock);
	conn = sock;
	dead = false;
	pthread_mutex_unlock(&lock);
}

void gofer_client_testonly_reset(int sock)
{
	gofer_client_set_fd(sock);
}

bool gofer_client_ready(void)
{
	return conn >= 0;
}

static int die(void)
{
	dead = true;
	return -EIO;
}

int gofer_call(struct gofer_req *req, const char *name, const char *name2,
	       struct gofer_resp *resp, void *data, size_t datamax, int *fd)
{
	static _Alignas(8) char out[GOFER_MSG_MAX];
	static _Alignas(8) char in[GOFER_MSG_MAX];
	size_t l1 = name ? strlen(name) : 0, l2 = name2 ? strlen(name2) : 0;
	if (fd)
		*fd = -1;
	if (l1 > GOFER_NAME_MAX || l2 >= 4096)
		return -ENAMETOOLONG;
	req->namelen = (uint16_t)l1;
	req->name2len = (uint16_t)l2;
	pthread_mutex_lock(&lock);
	if (conn < 0 || dead) {
		pthread_mutex_unlock(&lock);
		return -EIO;
	}
	size_t len = sizeof(*req);
	memcpy(out, req, sizeof(*req));
	if (l1) {
		memcpy(out + len, name, l1 + 1);
		len += l1 + 1;
	}
	if (l2) {
		memcpy(out + len, name2, l2 + 1);
		len += l2 + 1;
	}
	ssize_t n;
	do
		n = send(conn, out, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	int r;
	if (n != (ssize_t)len) {
		r = die();
		goto out;
	}
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { in, sizeof(in) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	do
		n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	/* Collect (and by default close) whatever fds came. */
	int got = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (got < 0 && fd)
				got = f;
			else
				close(f);
		}
	}
	if (n < (ssize_t)sizeof(*resp) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		r = die();
		goto bad;
	}
	memcpy(resp, in, sizeof(*resp));
	/* The gofer's errnos are its host syscalls' errnos: below 512. From
	 * 512 up they are the kernel's own (ERESTARTSYS...), which the sentry
	 * acts on (a syscall restarted, for ever): garbage too. */
	if (resp->datalen != (size_t)n - sizeof(*resp) || resp->datalen > datamax ||
	    resp->err > 0 || resp->err <= -GOFER_ERRNO_LIMIT || (resp->err < 0 && got >= 0)) {
		r = die();
		goto bad;
	}
	if (resp->datalen)
		memcpy(data, in + sizeof(*resp), resp->datalen);
	r = resp->err;
	if (fd)
		*fd = got;
	goto out;
bad:
	if (got >= 0)
		close(got);
out:
	pthread_mutex_unlock(&lock);
	return r;
}
