/*
 * rlimit: getrlimit/setrlimit/prlimit64. RLIMIT_NOFILE and RLIMIT_STACK
 * are sane (soft > 0, soft <= hard), prlimit64 on pid 0 and on getpid()
 * agrees with getrlimit, lowering a soft limit reads back and it can be
 * raised again up to the hard limit; prlimit64 can set and return the old
 * value at once. Errors: soft above hard EINVAL, an unknown resource
 * EINVAL, a bad pointer EFAULT.
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static long sys_prlimit(pid_t pid, int res, const struct rlimit *n, struct rlimit *o)
{
	return syscall(SYS_prlimit64, pid, res, n, o);
}

static void sane(int res, const char *name)
{
	struct rlimit r, p0, pp;
	CHECK_OK(getrlimit(res, &r));
	CHECK(r.rlim_cur > 0, "%s soft limit is 0", name);
	CHECK(r.rlim_cur <= r.rlim_max, "%s soft %llu > hard %llu", name,
	      (unsigned long long)r.rlim_cur, (unsigned long long)r.rlim_max);
	CHECK_OK(sys_prlimit(0, res, NULL, &p0));
	CHECK_OK(sys_prlimit(getpid(), res, NULL, &pp));
	CHECK(p0.rlim_cur == r.rlim_cur && p0.rlim_max == r.rlim_max, "%s: prlimit64(0) differs", name);
	CHECK(pp.rlim_cur == r.rlim_cur && pp.rlim_max == r.rlim_max, "%s: prlimit64(getpid()) differs",
	      name);
	CHECK_OK(syscall(SYS_getrlimit, res, &p0));
	CHECK(p0.rlim_cur == r.rlim_cur && p0.rlim_max == r.rlim_max, "%s: raw getrlimit differs", name);
}

int main(void)
{
	sane(RLIMIT_NOFILE, "RLIMIT_NOFILE");
	sane(RLIMIT_STACK, "RLIMIT_STACK");
	sane(RLIMIT_AS, "RLIMIT_AS");
	sane(RLIMIT_CPU, "RLIMIT_CPU");

	struct rlimit orig, r;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &orig));
	CHECK(orig.rlim_cur >= 3, "RLIMIT_NOFILE soft limit %llu < 3",
	      (unsigned long long)orig.rlim_cur);

	/* Lower the soft limit, read it back. */
	rlim_t low = orig.rlim_cur > 64 ? 64 : orig.rlim_cur - 1;
	r = (struct rlimit){ low, orig.rlim_max };
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &r));
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &r));
	CHECK_EQ(r.rlim_cur, low);
	CHECK_EQ(r.rlim_max, orig.rlim_max);

	/* Soft above hard: EINVAL, nothing changes. */
	if (orig.rlim_max != RLIM_INFINITY) {
		r = (struct rlimit){ orig.rlim_max + 1, orig.rlim_max };
		CHECK_ERR(setrlimit(RLIMIT_NOFILE, &r), EINVAL);
	}
	r = (struct rlimit){ 10, 5 };
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &r), EINVAL);
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &r));
	CHECK_EQ(r.rlim_cur, low);

	/* prlimit64: set and get the old value in one call (raise back). */
	struct rlimit old;
	CHECK_OK(sys_prlimit(0, RLIMIT_NOFILE, &orig, &old));
	CHECK_EQ(old.rlim_cur, low);
	CHECK_EQ(old.rlim_max, orig.rlim_max);
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &r));
	CHECK_EQ(r.rlim_cur, orig.rlim_cur);

	/* Stack: lower the soft limit to 1 MiB if it is higher, then restore. */
	struct rlimit st;
	CHECK_OK(getrlimit(RLIMIT_STACK, &st));
	if (st.rlim_cur > (1 << 20)) {
		r = (struct rlimit){ 1 << 20, st.rlim_max };
		CHECK_OK(setrlimit(RLIMIT_STACK, &r));
		CHECK_OK(getrlimit(RLIMIT_STACK, &r));
		CHECK_EQ(r.rlim_cur, 1 << 20);
		CHECK_OK(setrlimit(RLIMIT_STACK, &st));
		CHECK_OK(getrlimit(RLIMIT_STACK, &r));
		CHECK_EQ(r.rlim_cur, st.rlim_cur);
	}

	/* Errors. */
	CHECK_ERR(getrlimit((__rlimit_resource_t)1000, &r), EINVAL);
	CHECK_ERR(sys_prlimit(0, 1000, NULL, &r), EINVAL);
	CHECK_ERR(sys_prlimit(0, RLIMIT_NOFILE, NULL, (void *)8), EFAULT);
	CHECK_ERR(sys_prlimit(0, RLIMIT_NOFILE, (void *)8, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, (void *)8), EFAULT);
	PASS();
}
