/* fs/goferfs/client.c: the sentry's end of the gofer connection: one
 * request and one reply at a time under a lock. Every reply is checked
 * (length, payload size, errno range: a host errno below 512, fds only
 * where expected); anything wrong marks the connection dead and gives
 * -EIO from then on. Clunks wait: the fids go out as one CLUNKN sent
 * right before the next request (its reply read and dropped), so that
 * forgetting a file costs no round trip of its own. */
#include "fs/goferfs/goferfs.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int conn = -1;
static bool dead;
static uint64_t pending[GOFER_CLUNKN_MAX];	/* fids to clunk */
static size_t npending;

void gofer_client_set_fd(int sock)
{
	pthread_mutex_lock(&lock);
	conn = sock;
	dead = false;
	npending = 0;
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

/* Send req with its names (under lock). 0 or -EIO. */
static int send_req(const struct gofer_req *req, const char *name, size_t l1,
		    const char *name2, size_t l2)
{
	static _Alignas(8) char out[GOFER_MSG_MAX];
	size_t len = sizeof(*req);
	memcpy(out, req, sizeof(*req));
	/* The caller waits for the reply: on its CPU, the gofer's wake-up
	 * and ours are local switches, not cross-CPU wake-ups. */
	int cpu = sched_getcpu();
	((struct gofer_req *)out)->cpu = cpu >= 0 ? (uint32_t)cpu + 1 : 0;
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
	return n == (ssize_t)len ? 0 : die();
}

/* Receive and check one reply (under lock): resp, up to datamax bytes
 * of payload into data, a donated fd into *fd when fd is not NULL
 * (other fds closed). resp->err, or -EIO (dead from then on). */
static int recv_reply(struct gofer_resp *resp, void *data, size_t datamax, int *fd)
{
	static _Alignas(8) char in[GOFER_MSG_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { in, sizeof(in) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n;
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
	if (n < (ssize_t)sizeof(*resp) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		goto bad;
	memcpy(resp, in, sizeof(*resp));
	/* The gofer's errnos are its host syscalls' errnos: below 512. From
	 * 512 up they are the kernel's own (ERESTARTSYS...), which the sentry
	 * acts on (a syscall restarted, for ever): garbage too. */
	if (resp->datalen != (size_t)n - sizeof(*resp) || resp->datalen > datamax ||
	    resp->err > 0 || resp->err <= -GOFER_ERRNO_LIMIT || (resp->err < 0 && got >= 0))
		goto bad;
	if (resp->datalen)
		memcpy(data, in + sizeof(*resp), resp->datalen);
	if (fd)
		*fd = got;
	return resp->err;
bad:
	if (got >= 0)
		close(got);
	return die();
}

/* The pending clunks as one CLUNKN, sent (under lock; its reply is the
 * caller's to read). 0 or -EIO; nothing pending: 0. */
static int send_clunks(bool *sent)
{
	char list[GOFER_CLUNKN_MAX * 21];
	size_t l = 0;
	*sent = false;
	if (!npending)
		return 0;
	for (size_t i = 0; i < npending; i++)
		l += (size_t)snprintf(list + l, sizeof(list) - l, i ? "/%" PRIu64 : "%" PRIu64,
				      pending[i]);
	npending = 0;
	struct gofer_req req = { .op = GOFER_CLUNKN, .name2len = (uint16_t)l };
	*sent = true;
	return send_req(&req, NULL, 0, list, l);
}

/* Drop the reply of a CLUNKN (any well-formed one will do). */
static int drop_reply(void)
{
	struct gofer_resp resp;
	int r = recv_reply(&resp, NULL, 0, NULL);
	return r == -EIO && dead ? -EIO : 0;
}

void gofer_client_clunk(uint64_t fid)
{
	pthread_mutex_lock(&lock);
	if (conn >= 0 && !dead) {
		pending[npending++] = fid;
		bool sent;
		if (npending == GOFER_CLUNKN_MAX && send_clunks(&sent) == 0 && sent)
			drop_reply();
	}
	pthread_mutex_unlock(&lock);
}

int gofer_call(struct gofer_req *req, const char *name, const char *name2,
	       struct gofer_resp *resp, void *data, size_t datamax, int *fd)
{
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
	/* Pending clunks go first, in the same wake-up of the gofer. */
	bool clunks;
	int r = send_clunks(&clunks);
	if (r == 0)
		r = send_req(req, name, l1, name2, l2);
	if (r == 0 && clunks)
		r = drop_reply();
	if (r == 0)
		r = recv_reply(resp, data, datamax, fd);
	pthread_mutex_unlock(&lock);
	return r;
}
