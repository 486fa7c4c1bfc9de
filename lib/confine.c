/* lib/confine.c: root, fds, capabilities and rlimits of a sandbox process
 * (see confine.h). */
#include "lib/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int confine_join_netns(int sock)
{
	char c;
	struct iovec iov = { &c, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	close(sock);
	int fd = -1;
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	if (fd < 0)
		return 0;
	int r = setns(fd, CLONE_NEWNET) == 0 ? 1 : -errno;
	close(fd);
	return r;
}

/* An existing directory of the old root to mount the new root on (a
 * mount on "/" itself would not be entered by a lookup of "/"). */
static const char *mount_point(void)
{
	static const char *const cands[] = { "/tmp", "/mnt", "/dev", "/proc", "/run" };
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		struct stat st;
		if (lstat(cands[i], &st) == 0 && S_ISDIR(st.st_mode))
			return cands[i];
	}
	return NULL;
}

static void *detach_old_root(void *arg)
{
	struct confine_pivot *p = arg;
	/* The old root is stacked on the new one, above our cwd; then the
	 * cwd (the process's, shared by its threads) becomes the new root.
	 * Both here, so that the thread that waits for us needs neither
	 * (the sentry's seccomp filter may be loaded by then). */
	if (umount2(".", MNT_DETACH) < 0)
		p->err = -errno;
	else if (chdir("/") < 0)
		p->err = -errno;
	return NULL;
}

int confine_pivot_root(const char *dir, int read_only, struct confine_pivot *p)
{
	p->started = false;
	p->err = 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	const char *target = mount_point();
	if (!target)
		return -ENOENT;
	if (dir) {
		if (mount(dir, target, NULL, MS_BIND | MS_REC, NULL) < 0)
			return -errno;
		if (read_only && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
			return -errno;
	} else if (mount("cvisor-root", target, "tmpfs",
			 MS_NOSUID | MS_NODEV | MS_NOEXEC | (read_only ? MS_RDONLY : 0),
			 "size=4k,nr_inodes=2,mode=0555") < 0) {
		return -errno;
	}
	/* pivot_root(".", ".") stacks the old root on the new one; the
	 * detach removes it. */
	if (chdir(target) < 0)
		return -errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -errno;
	if (pthread_create(&p->thread, NULL, detach_old_root, p) == 0)
		p->started = true;
	else
		detach_old_root(p);
	return p->started ? 0 : confine_pivot_finish(p);
}

int confine_pivot_finish(struct confine_pivot *p)
{
	if (p->started)
		pthread_join(p->thread, NULL);
	p->started = false;
	return p->err;
}

int confine_cover(const char *path)
{
	struct statx stx;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0, &stx) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
		return -EOPNOTSUPP;
	if (!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return 0;
	if (mount("cvisor-cover", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=4k,nr_inodes=2,mode=0555") < 0)
		return -errno;
	return 1;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void confine_close_fds(const int *keep, size_t n)
{
	int *k = calloc(n ? n : 1, sizeof(int));
	size_t m = 0;
	for (size_t i = 0; k && i < n; i++)
		if (keep[i] >= 0)
			k[m++] = keep[i];
	if (k)
		qsort(k, m, sizeof(int), cmp_int);
	unsigned lo = 0;
	for (size_t i = 0; i < m; i++) {
		if ((unsigned)k[i] > lo)
			syscall(SYS_close_range, lo, (unsigned)k[i] - 1, 0);
		lo = (unsigned)k[i] + 1;
	}
	if (k)	/* out of memory: close nothing rather than a kept fd */
		syscall(SYS_close_range, lo, ~0U, 0);
	free(k);
}

int confine_drop_caps(uint64_t keep)
{
	/* Bounding set first (needs CAP_SETPCAP, about to go). */
	for (int c = 0; c <= 63; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno == EINVAL)
			break;	/* past the host's last capability */
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* No capabilities regained through uid 0 (execve, setuid). */
	prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
				 SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
				 SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0);
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	int r = 0;
	if (syscall(SYS_capset, &h, d) < 0)
		r = -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 && r == 0)
		r = -errno;
	return r;
}

static void lower(int res, rlim_t v)
{
	struct rlimit rl;
	if (getrlimit(res, &rl) < 0)
		return;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > v)
		rl.rlim_max = v;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	setrlimit(res, &rl);
}

void confine_rlimits(uint64_t nofile)
{
	lower(RLIMIT_CORE, 0);
	lower(RLIMIT_MEMLOCK, 0);
	lower(RLIMIT_MSGQUEUE, 0);
	lower(RLIMIT_RTPRIO, 0);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		/* Up to nofile (donated host fds back guest files), never more. */
		if (rl.rlim_max > nofile)
			rl.rlim_max = nofile;
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}
