/* sysfs_cpu.c: /sys/devices/system/cpu: online and possible as cpu lists
 * ("0-3,6") agreeing with sysconf(_SC_NPROCESSORS_ONLN/CONF), which glibc
 * reads from them, and with sched_getaffinity; a cpuN directory per CPU;
 * statfs of /sys and /proc give their magics. */
#include "check.h"
#include "procfs_util.h"

#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>

/* Count the CPUs of a list like "0-3,6\n"; -1 when malformed. */
static int count_list(const char *s)
{
	int n = 0;
	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10);
		if (end == s)
			return -1;
		long b = a;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a)
				return -1;
		}
		n += (int)(b - a + 1);
		s = end;
		if (*s == ',')
			s++;
	}
	return *s == '\n' ? n : -1;
}

int main(void)
{
	char buf[4096];
	CHECK(read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)) > 0, "online");
	int online = count_list(buf);
	CHECK(online >= 1, "online list %s", buf);
	CHECK_EQ(online, sysconf(_SC_NPROCESSORS_ONLN));
	CHECK(read_file("/sys/devices/system/cpu/possible", buf, sizeof(buf)) > 0, "possible");
	int possible = count_list(buf);
	CHECK(possible >= online, "possible list %s", buf);
	CHECK(read_file("/sys/devices/system/cpu/present", buf, sizeof(buf)) > 0, "present");
	CHECK(count_list(buf) >= online, "present list %s", buf);
	cpu_set_t set;
	CHECK_OK(sched_getaffinity(0, sizeof(set), &set));
	CHECK(CPU_COUNT(&set) <= online, "affinity %d > online %d", CPU_COUNT(&set), online);
	struct stat st;
	CHECK_OK(stat("/sys/devices/system/cpu/cpu0", &st));
	CHECK(S_ISDIR(st.st_mode), "cpu0 is a directory");
	/* cpu0 is online, if it has the file (Linux often leaves it out). */
	if (read_file("/sys/devices/system/cpu/cpu0/online", buf, sizeof(buf)) >= 0)
		CHECK(strcmp(buf, "1\n") == 0, "cpu0/online %s", buf);
	CHECK(dir_has("/sys/devices/system/cpu", "cpu0") &&
	      dir_has("/sys/devices/system/cpu", "online"), "cpu/ lists");
	CHECK_OK(stat("/sys/devices/system/cpu/online", &st));
	CHECK(S_ISREG(st.st_mode), "online is a file");
	struct statfs sf;
	CHECK_OK(statfs("/sys", &sf));
	CHECK_EQ(sf.f_type, 0x62656572);
	CHECK_OK(statfs("/proc", &sf));
	CHECK_EQ(sf.f_type, 0x9fa0);
	PASS();
}
