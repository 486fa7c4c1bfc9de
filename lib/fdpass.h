/* lib/fdpass.h: sending a message with at most one fd (SCM_RIGHTS) on a
 * Unix socket: the gofer's replies (gofer/gofer.c) and the launcher's
 * hand-over of the sandbox's net namespace (tools/cvisor/run.c). */
#pragma once
#include <sys/types.h>
#include <sys/uio.h>

/* sendmsg(sock, iov[0..niov), fd as SCM_RIGHTS unless fd < 0),
 * MSG_NOSIGNAL, again on EINTR. The bytes sent, or -1 with errno. */
ssize_t fdpass_send(int sock, const struct iovec *iov, int niov, int fd);
