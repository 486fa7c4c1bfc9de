/*
 * cred_caps: capget/capset and the prctl capability controls, as root:
 *  - capget: an unknown version gives EINVAL with _LINUX_CAPABILITY_
 *    VERSION_3 written back (0 with a NULL data pointer), V1 reads one
 *    32-bit word, a negative pid EINVAL, a reaped child's pid ESRCH;
 *  - capset: permitted may only shrink, effective stays within permitted,
 *    another pid gives EPERM;
 *  - the bounding set (PR_CAPBSET_READ/DROP) and exec: a capability
 *    dropped from it is gone from the new program's permitted set;
 *  - the ambient set: RAISE needs the capability permitted and
 *    inheritable; with SECBIT_NO_SETUID_FIXUP a non-root program keeps
 *    exactly its ambient set across exec; keepcaps is cleared by exec;
 *  - PR_SET_NO_NEW_PRIVS sticks, is inherited and survives exec.
 */
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_util.h"

static const char *self;

static void caps3(int pid, uint64_t *eff, uint64_t *perm, uint64_t *inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
	struct __user_cap_data_struct d[2];
	CHECK_OK(syscall(SYS_capget, &h, d));
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
}

static int capset3(uint64_t eff, uint64_t perm, uint64_t inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].permitted = (uint32_t)perm;
	d[1].permitted = (uint32_t)(perm >> 32);
	d[0].inheritable = (uint32_t)inh;
	d[1].inheritable = (uint32_t)(inh >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

static void run_self(const char *mode, int want)
{
	pid_t pid = xfork();
	if (pid == 0) {
		execl(self, self, mode, (char *)NULL);
		_exit(126);
	}
	expect_exit(pid, want, mode);
}

/* --- the re-executed modes ------------------------------------------------ */

static int after_bset_drop(void)
{
	uint64_t eff, perm, inh;
	caps3(0, &eff, &perm, &inh);
	CHECK_EQ(perm & (1ull << CAP_NET_RAW), 0);
	CHECK(perm & (1ull << CAP_SETUID), "CAP_SETUID lost");
	CHECK_EQ(eff, perm);
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_NET_RAW), 0);
	return 0;
}

static int after_ambient_exec(void)
{
	uint64_t eff, perm, inh;
	caps3(0, &eff, &perm, &inh);
	CHECK_EQ(getuid(), 1000);
	CHECK_EQ(perm, 1ull << CAP_NET_BIND_SERVICE);
	CHECK_EQ(eff, 1ull << CAP_NET_BIND_SERVICE);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0), 1);
	CHECK_EQ(prctl(PR_GET_KEEPCAPS), 0);
	CHECK_EQ(prctl(PR_GET_SECUREBITS) & SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP);
	return 0;
}

static int after_nnp_exec(void)
{
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	return 0;
}

/* --- the checks ------------------------------------------------------------ */

static void versions(void)
{
	struct __user_cap_header_struct h = { 0x12345678, 0 };
	struct __user_cap_data_struct d[2];
	CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.version = 0x12345678;
	CHECK_EQ(syscall(SYS_capget, &h, NULL), 0);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.version = 1;
	CHECK_ERR(syscall(SYS_capset, &h, d), EINVAL);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);

	uint64_t eff, perm, inh;
	caps3(0, &eff, &perm, &inh);
	memset(d, 0xa5, sizeof(d));
	h.version = _LINUX_CAPABILITY_VERSION_1;
	h.pid = 0;
	CHECK_OK(syscall(SYS_capget, &h, d));
	CHECK_EQ(d[0].effective, (uint32_t)eff);
	CHECK_EQ(d[0].permitted, (uint32_t)perm);
	CHECK_EQ(d[1].effective, 0xa5a5a5a5u);	/* one word only */
	h.version = _LINUX_CAPABILITY_VERSION_3;
	h.pid = -1;
	CHECK_ERR(syscall(SYS_capget, &h, d), EINVAL);
	h.pid = getpid();
	CHECK_OK(syscall(SYS_capget, &h, d));

	pid_t pid = xfork();
	if (pid == 0)
		_exit(0);
	expect_exit(pid, 0, "short child");
	h.pid = pid;
	CHECK_ERR(syscall(SYS_capget, &h, d), ESRCH);
	h.pid = getppid() > 0 ? getppid() : 1;
	if (h.pid != getpid())
		CHECK_ERR(syscall(SYS_capset, &h, d), EPERM);
}

static void capset_rules(void)
{
	uint64_t eff, perm, inh;
	caps3(0, &eff, &perm, &inh);
	uint64_t raw = 1ull << CAP_NET_RAW;
	CHECK_OK(capset3(eff & ~raw, perm & ~raw, inh));
	CHECK_ERR(capset3(eff, perm, inh), EPERM);	/* permitted cannot grow */
	CHECK_ERR(capset3(eff, perm & ~raw, inh), EPERM);	/* eff within perm */
	uint64_t e2, p2, i2;
	caps3(0, &e2, &p2, &i2);
	CHECK_EQ(p2, perm & ~raw);
	CHECK_EQ(e2, eff & ~raw);
	/* A child sees the same sets. */
	pid_t pid = xfork();
	if (pid == 0) {
		uint64_t e3, p3, i3;
		caps3(0, &e3, &p3, &i3);
		CHECK_EQ(p3, p2);
		_exit(0);
	}
	expect_exit(pid, 0, "capset child");
	/* Effective may drop and come back while permitted. */
	CHECK_OK(capset3(0, p2, inh));
	CHECK_ERR(setuid(1000) == 0 ? 0 : -1, EPERM);	/* no CAP_SETUID effective */
	CHECK_OK(capset3(e2, p2, inh));
}

static void bounding_set(void)
{
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_NET_RAW), 1);
	CHECK_ERR(prctl(PR_CAPBSET_READ, 63), EINVAL);
	CHECK_ERR(prctl(PR_CAPBSET_DROP, 63), EINVAL);
	CHECK_OK(prctl(PR_CAPBSET_DROP, CAP_NET_RAW));
	CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_NET_RAW), 0);
	/* Still permitted until exec recomputes it. */
	uint64_t eff, perm, inh;
	caps3(0, &eff, &perm, &inh);
	CHECK(perm & (1ull << CAP_NET_RAW), "CAP_NET_RAW gone before exec");
	run_self("bset", 0);
}

static void ambient(void)
{
	int cap = CAP_NET_BIND_SERVICE;
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0), 0);
	uint64_t eff, perm, inh;
	caps3(0, &eff, &perm, &inh);
	CHECK_OK(capset3(eff, perm, inh & ~(1ull << cap)));
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0), EPERM);
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 63, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_CAP_AMBIENT, 99, cap, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
	CHECK_OK(capset3(eff, perm, inh | (1ull << cap)));
	CHECK_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0));
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0), 1);
	CHECK_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0));
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0), 0);
	CHECK_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0));
	/* Dropping it from inheritable drops it from ambient. */
	CHECK_OK(capset3(eff, perm, inh & ~(1ull << cap)));
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0), 0);
	CHECK_OK(capset3(eff, perm, inh | (1ull << cap)));
	CHECK_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0));
	/* A plain switch away from root clears ambient. */
	pid_t pid = xfork();
	if (pid == 0) {
		CHECK_OK(setresuid(1000, 1000, 1000));
		CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0), 0);
		_exit(0);
	}
	expect_exit(pid, 0, "setresuid clears ambient");
	/* Without the fix-up it stays, and exec keeps just it. */
	CHECK_OK(prctl(PR_SET_KEEPCAPS, 1));
	CHECK_OK(prctl(PR_SET_SECUREBITS, prctl(PR_GET_SECUREBITS) | SECBIT_NO_SETUID_FIXUP));
	CHECK_ERR(prctl(PR_SET_SECUREBITS, 1u << 30), EPERM);
	CHECK_OK(setresuid(1000, 1000, 1000));
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0), 1);
	run_self("ambient", 0);
}

static void no_new_privs(void)
{
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
	CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
	CHECK_OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	run_self("nnp", 0);
}

#define IN_CHILD(fn)                                     \
	do {                                             \
		pid_t pid_ = xfork();                    \
		if (pid_ == 0) {                         \
			fn();                            \
			_exit(0);                        \
		}                                        \
		expect_exit(pid_, 0, #fn);               \
	} while (0)

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc > 1) {
		if (!strcmp(argv[1], "bset"))
			return after_bset_drop();
		if (!strcmp(argv[1], "ambient"))
			return after_ambient_exec();
		if (!strcmp(argv[1], "nnp"))
			return after_nnp_exec();
		return 2;
	}
	uint64_t eff, perm, inh;
	caps3(0, &eff, &perm, &inh);
	uint64_t need = (1ull << CAP_SETUID) | (1ull << CAP_SETPCAP) | (1ull << CAP_NET_RAW) |
			(1ull << CAP_NET_BIND_SERVICE);
	if (geteuid() != 0 || (eff & need) != need) {
		printf("cred_caps: not root with the capabilities needed, nothing to check\n");
		PASS();
	}
	CHECK_EQ(eff, perm);
	IN_CHILD(versions);
	IN_CHILD(capset_rules);
	IN_CHILD(bounding_set);
	IN_CHILD(ambient);
	IN_CHILD(no_new_privs);
	PASS();
}
