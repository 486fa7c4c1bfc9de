/*
 * cred_uid: the uid/gid family with Linux's permission rules. The test
 * runs as root (natively, and as the sandbox's first process); each case
 * forks a child that changes its own credentials:
 *  - setresuid to three different ids, then the unprivileged rules of
 *    seteuid, setreuid (saved uid follows), setuid and setfsuid;
 *  - setuid as root sets all three and drops every capability; keepcaps
 *    keeps the permitted set; seteuid away from 0 and back restores the
 *    effective set; setfsuid away from 0 drops the file capabilities;
 *  - setgroups (kept sorted), getgroups's size rules, the gid family;
 *  - file permission checks with the fsuid (open, access with the real
 *    uid, AT_EACCESS with the effective one), ownership of new files,
 *    chmod/chown only for the owner; kill needs matching uids.
 */
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc_util.h"
#include "tmpdir.h"

static void caps(uint64_t *eff, uint64_t *perm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	CHECK_OK(syscall(SYS_capget, &h, d));
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
}

static void expect_resuid(uid_t r, uid_t e, uid_t s)
{
	uid_t gr, ge, gs;
	CHECK_OK(getresuid(&gr, &ge, &gs));
	CHECK(gr == r && ge == e && gs == s, "resuid %u %u %u, want %u %u %u",
	      gr, ge, gs, r, e, s);
}

#define RUN_CHILD(body)                                  \
	do {                                             \
		pid_t pid_ = xfork();                    \
		if (pid_ == 0) {                         \
			body;                            \
			_exit(0);                        \
		}                                        \
		expect_exit(pid_, 0, #body);             \
	} while (0)

static void unprivileged_rules(void)
{
	CHECK_OK(setresuid(1000, 1001, 1002));
	expect_resuid(1000, 1001, 1002);
	CHECK_EQ(setfsuid(-1), 1001);	/* fsuid follows euid */
	uint64_t eff, perm;
	caps(&eff, &perm);
	CHECK_EQ(eff, 0);
	CHECK_EQ(perm, 0);
	CHECK_ERR(setuid(0), EPERM);
	CHECK_ERR(setresuid(-1, 5, -1), EPERM);
	CHECK_ERR(setresuid(0, -1, -1), EPERM);
	CHECK_OK(seteuid(1000));
	expect_resuid(1000, 1000, 1002);
	/* setreuid: a new euid other than the real uid sets the saved uid. */
	CHECK_OK(setreuid(-1, 1002));
	expect_resuid(1000, 1002, 1002);
	CHECK_OK(setreuid(1002, -1));
	expect_resuid(1002, 1002, 1002);
	CHECK_ERR(setuid(1000), EPERM);
	CHECK_ERR(setreuid(1000, -1), EPERM);
	CHECK_OK(setuid(1002));
	/* setfsuid returns the old value whether or not it changes. */
	CHECK_EQ(setfsuid(5000), 1002);
	CHECK_EQ(setfsuid(-1), 1002);
	CHECK_EQ(setuid(-1), -1);
	CHECK_ERR(setuid(-1), EINVAL);
	/* Credential changes make the process non-dumpable. */
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 0);
	CHECK_OK(prctl(PR_SET_DUMPABLE, 1));
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
	CHECK_ERR(prctl(PR_SET_DUMPABLE, 2), EINVAL);
}

static void setuid_drops_caps(void)
{
	CHECK_OK(setuid(1000));
	expect_resuid(1000, 1000, 1000);
	uint64_t eff, perm;
	caps(&eff, &perm);
	CHECK_EQ(eff, 0);
	CHECK_EQ(perm, 0);
	CHECK_ERR(setuid(0), EPERM);
	CHECK_ERR(setresuid(0, 0, 0), EPERM);
}

static void keepcaps(uint64_t root_perm)
{
	CHECK_EQ(prctl(PR_GET_KEEPCAPS), 0);
	CHECK_OK(prctl(PR_SET_KEEPCAPS, 1));
	CHECK_EQ(prctl(PR_GET_KEEPCAPS), 1);
	CHECK_ERR(prctl(PR_SET_KEEPCAPS, 2), EINVAL);
	CHECK_OK(setresuid(1000, 1000, 1000));
	uint64_t eff, perm;
	caps(&eff, &perm);
	CHECK_EQ(perm, root_perm);
	CHECK_EQ(eff, 0);
	CHECK_ERR(setuid(0), EPERM);	/* CAP_SETUID is not effective */
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	d[0].permitted = (uint32_t)perm;
	d[1].permitted = (uint32_t)(perm >> 32);
	d[0].effective = 1u << CAP_SETUID;
	CHECK_OK(syscall(SYS_capset, &h, d));
	CHECK_OK(setuid(0));
	expect_resuid(0, 0, 0);
	caps(&eff, &perm);
	CHECK_EQ(eff, perm);	/* euid back to 0: effective = permitted */
}

static void seteuid_roundtrip(uint64_t root_perm)
{
	CHECK_OK(seteuid(1000));
	expect_resuid(0, 1000, 0);
	uint64_t eff, perm;
	caps(&eff, &perm);
	CHECK_EQ(perm, root_perm);
	CHECK_EQ(eff, 0);
	CHECK_OK(seteuid(0));
	caps(&eff, &perm);
	CHECK_EQ(eff, root_perm);
	/* fsuid away from root drops only the file-system capabilities. */
	CHECK_EQ(setfsuid(1000), 0);
	caps(&eff, &perm);
	CHECK_EQ(eff & (1ull << CAP_CHOWN), 0);
	CHECK_EQ(eff & (1ull << CAP_DAC_OVERRIDE), 0);
	CHECK_EQ(eff & (1ull << CAP_FOWNER), 0);
	CHECK_EQ(eff & (1ull << CAP_SETUID), root_perm & (1ull << CAP_SETUID));
	CHECK_EQ(setfsuid(0), 1000);
	caps(&eff, &perm);
	CHECK_EQ(eff, root_perm);
}

static void groups(void)
{
	gid_t set[3] = { 30, 10, 20 }, got[4];
	CHECK_OK(setgroups(3, set));
	CHECK_EQ(getgroups(0, NULL), 3);
	CHECK_ERR(getgroups(2, got), EINVAL);
	CHECK_ERR(syscall(SYS_getgroups, -1, got), EINVAL);
	CHECK_EQ(getgroups(4, got), 3);
	CHECK(got[0] == 10 && got[1] == 20 && got[2] == 30, "groups %u %u %u",
	      got[0], got[1], got[2]);
	CHECK_OK(setgroups(0, NULL));
	CHECK_EQ(getgroups(0, NULL), 0);
	CHECK_OK(setresgid(100, 101, 102));
	gid_t r, e, s;
	CHECK_OK(getresgid(&r, &e, &s));
	CHECK(r == 100 && e == 101 && s == 102, "resgid %u %u %u", r, e, s);
	CHECK_EQ(getgid(), 100);
	CHECK_EQ(getegid(), 101);
	CHECK_EQ(setfsgid(-1), 101);
	CHECK_OK(setgroups(1, set));
	CHECK_OK(setuid(1000));
	CHECK_ERR(setgroups(1, set), EPERM);
	CHECK_ERR(setgid(5), EPERM);
	CHECK_OK(setgid(102));		/* the saved gid */
	CHECK_OK(getresgid(&r, &e, &s));
	CHECK(r == 100 && e == 102 && s == 102, "resgid %u %u %u", r, e, s);
	CHECK_ERR(setregid(5, -1), EPERM);
	CHECK_OK(setregid(102, 100));
	CHECK_OK(getresgid(&r, &e, &s));
	CHECK(r == 102 && e == 100 && s == 100, "resgid %u %u %u", r, e, s);
	CHECK_EQ(getgroups(0, NULL), 1);	/* kept by setuid */
}

static void files(void)
{
	/* As root: a private file, a world-readable one, a shared dir. */
	int fd = open("secret", O_CREAT | O_WRONLY, 0600);
	CHECK_OK(fd);
	close(fd);
	CHECK_OK(chmod("secret", 0600));
	fd = open("public", O_CREAT | O_WRONLY, 0644);
	CHECK_OK(fd);
	close(fd);
	CHECK_OK(chmod("public", 0644));
	CHECK_OK(mkdir("shared", 0777));
	CHECK_OK(chmod("shared", 0777));

	/* Real uid 1000, effective root: open works, access does not. */
	RUN_CHILD({
		CHECK_OK(setreuid(1000, 0));
		int f = open("secret", O_RDONLY);
		CHECK_OK(f);
		close(f);
		CHECK_ERR(access("secret", R_OK), EACCES);
		CHECK_OK(faccessat(AT_FDCWD, "secret", R_OK, AT_EACCESS));
		CHECK_OK(access("public", R_OK));
	});
	RUN_CHILD({
		CHECK_OK(setresgid(1000, 1000, 1000));
		CHECK_OK(setresuid(1000, 1000, 1000));
		CHECK_ERR(open("secret", O_RDONLY), EACCES);
		CHECK_ERR(open("public", O_RDWR), EACCES);
		int f = open("public", O_RDONLY);
		CHECK_OK(f);
		close(f);
		CHECK_ERR(chmod("public", 0666), EPERM);
		CHECK_ERR(chown("public", 1000, 1000), EPERM);
		CHECK_ERR(unlink("public"), EACCES);
		f = open("shared/mine", O_CREAT | O_WRONLY, 0600);
		CHECK_OK(f);
		struct stat st;
		CHECK_OK(fstat(f, &st));
		close(f);
		CHECK_EQ(st.st_uid, 1000);
		CHECK_EQ(st.st_gid, 1000);
		CHECK_OK(chmod("shared/mine", 0640));
		CHECK_OK(chown("shared/mine", -1, 1000));
		CHECK_ERR(chown("shared/mine", 0, -1), EPERM);
		CHECK_ERR(chown("shared/mine", -1, 0), EPERM);
		CHECK_OK(access("shared/mine", R_OK | W_OK));
		CHECK_ERR(access("shared/mine", X_OK), EACCES);
		/* kill needs a matching uid. */
		CHECK_ERR(kill(getppid(), 0), EPERM);
		CHECK_OK(kill(getpid(), 0));
	});
	/* Root may still do all of it (CAP_DAC_OVERRIDE, CAP_CHOWN). */
	fd = open("shared/mine", O_RDWR);
	CHECK_OK(fd);
	close(fd);
	CHECK_OK(chown("shared/mine", 0, 0));
	CHECK_ERR(access("shared/mine", X_OK), EACCES);	/* no x bit at all */
}

int main(void)
{
	if (geteuid() != 0) {
		printf("cred_uid: not root, nothing to check\n");
		PASS();
	}
	uint64_t eff, perm;
	caps(&eff, &perm);
	if (!(eff & (1ull << CAP_SETUID)) || !(eff & (1ull << CAP_SETGID))) {
		printf("cred_uid: no CAP_SETUID/CAP_SETGID, nothing to check\n");
		PASS();
	}
	expect_resuid(0, 0, 0);
	RUN_CHILD(unprivileged_rules());
	RUN_CHILD(setuid_drops_caps());
	RUN_CHILD(keepcaps(perm));
	RUN_CHILD(seteuid_roundtrip(perm));
	RUN_CHILD(groups());
	tmpdir_make();
	CHECK_OK(chmod(".", 0755));
	files();
	tmpdir_remove();
	PASS();
}
