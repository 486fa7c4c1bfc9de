/*
 * uname: the utsname the kernel reports. sysname is "Linux", machine is
 * "x86_64", release starts with a digit and has a '.', every field is
 * NUL-terminated inside its 65 bytes and nodename is not empty; the raw
 * system call agrees with libc; a bad pointer is EFAULT.
 */
#include <ctype.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

static void terminated(const char *f, const char *name)
{
	CHECK(memchr(f, '\0', 65) != NULL, "utsname.%s not NUL-terminated", name);
}

int main(void)
{
	struct utsname u, r;
	memset(&u, 0x7f, sizeof(u));
	CHECK_OK(uname(&u));
	terminated(u.sysname, "sysname");
	terminated(u.nodename, "nodename");
	terminated(u.release, "release");
	terminated(u.version, "version");
	terminated(u.machine, "machine");
	terminated(u.domainname, "domainname");
	CHECK(strcmp(u.sysname, "Linux") == 0, "sysname \"%s\"", u.sysname);
	CHECK(strcmp(u.machine, "x86_64") == 0, "machine \"%s\"", u.machine);
	CHECK(isdigit((unsigned char)u.release[0]) && strchr(u.release, '.') != NULL,
	      "release \"%s\"", u.release);
	CHECK(u.nodename[0] != '\0', "empty nodename");
	CHECK(u.version[0] != '\0', "empty version");

	memset(&r, 0, sizeof(r));
	CHECK_OK(syscall(SYS_uname, &r));
	CHECK(strcmp(u.sysname, r.sysname) == 0 && strcmp(u.nodename, r.nodename) == 0 &&
	      strcmp(u.release, r.release) == 0 && strcmp(u.version, r.version) == 0 &&
	      strcmp(u.machine, r.machine) == 0, "raw uname differs from libc's");
	CHECK_ERR(syscall(SYS_uname, (void *)8), EFAULT);
	printf("%s %s %s %s\n", u.sysname, u.nodename, u.release, u.machine);
	PASS();
}
