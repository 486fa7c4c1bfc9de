/* fs/procfs/proc_sys.c: the global files of /proc: cpuinfo (from CPUID,
 * one block per CPU the sandbox has), meminfo (the memory file's
 * accounting), uptime, loadavg and stat (the sandbox's tasks and clocks),
 * version (as uname), filesystems, and the static cmdline, swaps (none),
 * vmstat, partitions (none), devices. Nothing here reads a host file. */
#include "fs/procfs/procfs.h"
#include "sentry/kernel/cputime.h"
#include "sentry/kernel/machine.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"

#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* --- cpuinfo ----------------------------------------------------------------- */

struct flag_word {
	unsigned leaf, sub;
	int reg;		/* 0 eax, 1 ebx, 2 ecx, 3 edx */
	const char *names[32];
};

/* Linux's names (arch/x86/include/asm/cpufeatures.h), in its word order. */
static const struct flag_word flag_words[] = {
	{ 1, 0, 3, { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", NULL,
		     "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", NULL,
		     "dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
	{ 0x80000001, 0, 3, { [11] = "syscall", [19] = "mp", [20] = "nx", [22] = "mmxext",
			      [25] = "fxsr_opt", [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
			      [30] = "3dnowext", [31] = "3dnow" } },
	{ 1, 0, 2, { "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est",
		     "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", NULL, "pcid",
		     "dca", "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer",
		     "aes", "xsave", NULL, "avx", "f16c", "rdrand", "hypervisor" } },
	{ 0x80000001, 0, 2, { "lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm",
			      "sse4a", "misalignsse", "3dnowprefetch", "osvw", "ibs", "xop",
			      "skinit", "wdt", NULL, "lwp", "fma4", "tce", NULL, "nodeid_msr",
			      NULL, "tbm", "topoext", "perfctr_core", "perfctr_nb", NULL, "bpext",
			      "ptsc", "perfctr_llc", "mwaitx" } },
	{ 7, 0, 1, { "fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", NULL, "smep", "bmi2",
		     "erms", "invpcid", "rtm", "cqm", NULL, "mpx", "rdt_a", "avx512f", "avx512dq",
		     "rdseed", "adx", "smap", "avx512ifma", NULL, "clflushopt", "clwb",
		     "intel_pt", "avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw",
		     "avx512vl" } },
	{ 0xd, 1, 0, { "xsaveopt", "xsavec", "xgetbv1", "xsaves" } },
	{ 7, 0, 2, { NULL, "avx512vbmi", "umip", "pku", "ospke", "waitpkg", "avx512_vbmi2", NULL,
		     "gfni", "vaes", "vpclmulqdq", "avx512_vnni", "avx512_bitalg", "tme",
		     "avx512_vpopcntdq", NULL, "la57", NULL, NULL, NULL, NULL, NULL, "rdpid",
		     NULL, "bus_lock_detect", "cldemote", NULL, "movdiri", "movdir64b", "enqcmd",
		     "sgx_lc" } },
	{ 7, 0, 3, { [2] = "avx512_4vnniw", [3] = "avx512_4fmaps", [4] = "fsrm",
		     [8] = "avx512_vp2intersect", [10] = "md_clear", [14] = "serialize",
		     [16] = "tsxldtrk", [18] = "pconfig", [19] = "arch_lbr", [22] = "amx_bf16",
		     [23] = "avx512_fp16", [24] = "amx_tile", [25] = "amx_int8",
		     [28] = "flush_l1d", [29] = "arch_capabilities" } },
};

static void cpuid_regs(unsigned leaf, unsigned sub, unsigned r[4])
{
	unsigned max = __get_cpuid_max(leaf & 0x80000000u, NULL);
	if (leaf > max) {
		r[0] = r[1] = r[2] = r[3] = 0;
		return;
	}
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

int proc_cpuinfo(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	unsigned r[4];
	char vendor[13] = { 0 };
	cpuid_regs(0, 0, r);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	cpuid_regs(1, 0, r);
	unsigned family = (r[0] >> 8) & 0xf, model = (r[0] >> 4) & 0xf, stepping = r[0] & 0xf;
	if (family == 0xf)
		family += (r[0] >> 20) & 0xff;
	if (family >= 6)
		model += ((r[0] >> 16) & 0xf) << 4;
	unsigned clflush = ((r[1] >> 8) & 0xff) * 8;
	char brand[49] = { 0 };
	if (__get_cpuid_max(0x80000000u, NULL) >= 0x80000004u) {
		for (unsigned i = 0; i < 3; i++) {
			cpuid_regs(0x80000002u + i, 0, r);
			memcpy(brand + 16 * i, r, 16);
		}
	}
	const char *name = brand;
	while (*name == ' ')
		name++;
	if (!*name)
		name = "unknown";
	cpuid_regs(0x16, 0, r);
	unsigned mhz = r[0] ? r[0] : 2000;
	cpuid_regs(0x80000006u, 0, r);
	unsigned cache_kb = r[2] >> 16;
	cpuid_regs(0x80000008u, 0, r);
	unsigned phys_bits = r[0] & 0xff, virt_bits = (r[0] >> 8) & 0xff;
	if (!phys_bits) {
		phys_bits = 46;
		virt_bits = 48;
	}

	struct sbuf flags;
	sbuf_init(&flags);
	for (size_t w = 0; w < PROC_NENT(flag_words); w++) {
		cpuid_regs(flag_words[w].leaf, flag_words[w].sub, r);
		unsigned v = r[flag_words[w].reg];
		for (int b = 0; b < 32; b++)
			if ((v & (1u << b)) && flag_words[w].names[b])
				sbuf_printf(&flags, "%s%s", flags.len ? " " : "", flag_words[w].names[b]);
	}
	int ncpu = machine_cpu_count(), online = 0;
	for (int c = 0; c < ncpu; c++)
		online += machine_cpu_online(c);
	for (int c = 0, idx = 0; c < ncpu; c++) {
		if (!machine_cpu_online(c))
			continue;
		sbuf_printf(sb, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
			    "model name\t: %s\nstepping\t: %u\ncpu MHz\t\t: %u.000\n",
			    c, vendor, family, model, name, stepping, mhz);
		if (cache_kb)
			sbuf_printf(sb, "cache size\t: %u KB\n", cache_kb);
		sbuf_printf(sb, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\n"
			    "apicid\t\t: %d\ninitial apicid\t: %d\nfpu\t\t: yes\n"
			    "fpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\n",
			    online, idx, online, c, c, __get_cpuid_max(0, NULL));
		sbuf_printf(sb, "flags\t\t: %s\n", flags.len ? flags.buf : "");
		sbuf_printf(sb, "bugs\t\t:\nbogomips\t: %u.00\nclflush size\t: %u\n"
			    "cache_alignment\t: %u\naddress sizes\t: %u bits physical, %u bits virtual\n"
			    "power management:\n\n", mhz * 2, clflush ? clflush : 64,
			    clflush ? clflush : 64, phys_bits, virt_bits);
		idx++;
	}
	sbuf_free(&flags);
	return 0;
}

/* --- meminfo ------------------------------------------------------------------ */

int proc_meminfo(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	unsigned long long total = memfile_limit_pages() * (PAGE_SIZE / 1024);
	unsigned long long used = memfile_used_pages() * (PAGE_SIZE / 1024);
	unsigned long long free = used < total ? total - used : 0;
	static const char *const zero[] = {
		"Buffers", "Cached", "SwapCached", "Active(file)", "Inactive(file)", "Unevictable",
		"Mlocked", "SwapTotal", "SwapFree", "Dirty", "Writeback", "Mapped", "Shmem",
		"KReclaimable", "Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables",
		"NFS_Unstable", "Bounce", "WritebackTmp",
	};
	sbuf_printf(sb, "%-16s%8llu kB\n", "MemTotal:", total);
	sbuf_printf(sb, "%-16s%8llu kB\n", "MemFree:", free);
	sbuf_printf(sb, "%-16s%8llu kB\n", "MemAvailable:", free);
	for (size_t i = 0; i < PROC_NENT(zero); i++) {
		char key[32];
		snprintf(key, sizeof(key), "%s:", zero[i]);
		if (strcmp(zero[i], "Active(file)") == 0) {
			sbuf_printf(sb, "%-16s%8llu kB\n", "Active:", used);
			sbuf_printf(sb, "%-16s%8llu kB\n", "Inactive:", 0ull);
			sbuf_printf(sb, "%-16s%8llu kB\n", "Active(anon):", used);
			sbuf_printf(sb, "%-16s%8llu kB\n", "Inactive(anon):", 0ull);
		}
		if (strcmp(zero[i], "Mapped") == 0)
			sbuf_printf(sb, "%-16s%8llu kB\n", "AnonPages:", used);
		sbuf_printf(sb, "%-16s%8llu kB\n", key, 0ull);
	}
	sbuf_printf(sb, "%-16s%8llu kB\n", "CommitLimit:", total);
	sbuf_printf(sb, "%-16s%8llu kB\n", "Committed_AS:", used);
	sbuf_printf(sb, "%-16s%8llu kB\n", "VmallocTotal:", 34359738367ull);
	sbuf_printf(sb, "%-16s%8llu kB\n", "VmallocUsed:", 0ull);
	sbuf_printf(sb, "%-16s%8llu kB\n", "VmallocChunk:", 0ull);
	sbuf_printf(sb, "%-16s%8llu kB\n", "Percpu:", 0ull);
	sbuf_printf(sb, "%-16s%8llu kB\n", "AnonHugePages:", 0ull);
	sbuf_printf(sb, "%-16s%8d\n%-16s%8d\n%-16s%8d\n%-16s%8d\n", "HugePages_Total:", 0,
		    "HugePages_Free:", 0, "HugePages_Rsvd:", 0, "HugePages_Surp:", 0);
	sbuf_printf(sb, "%-16s%8d kB\n%-16s%8d kB\n", "Hugepagesize:", 2048, "Hugetlb:", 0);
	sbuf_printf(sb, "%-16s%8llu kB\n", "DirectMap4k:", total);
	return 0;
}

/* --- uptime, loadavg, stat ---------------------------------------------------- */

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of every process of the sandbox and of the reaped ones. */
static void sandbox_cputime(struct cputime *all, int *running, int *total, int *last)
{
	memset(all, 0, sizeof(*all));
	*running = *total = 0;
	pthread_mutex_lock(&kernel.lock);
	for (struct task *t = kernel.tasks; t; t = t->next) {
		if (!t->zombie && !t->thread_dead) {
			(*total)++;
			if (__atomic_load_n(&t->clock.state, __ATOMIC_RELAXED) != CPU_IDLE &&
			    !t->stopped)
				(*running)++;
		}
		if (t != t->tg->leader)
			continue;
		struct cputime c;
		tgroup_cputime_locked(t, &c);
		cputime_add(all, &c);
		if (t->tgid == 1) {
			tgroup_children_cputime_locked(t, &c);
			cputime_add(all, &c);
		}
	}
	*last = kernel.next_tid - 1;
	pthread_mutex_unlock(&kernel.lock);
}

int proc_uptime(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	uint64_t up = now_ns(CLOCK_BOOTTIME) / 10000000ull;	/* centiseconds */
	struct cputime all;
	int running, total, last;
	sandbox_cputime(&all, &running, &total, &last);
	uint64_t busy = (all.user_ns + all.sys_ns) / 10000000ull;
	uint64_t idle = up * (uint64_t)machine_cpu_count();
	idle = idle > busy ? idle - busy : 0;
	sbuf_printf(sb, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up / 100),
		    (unsigned long long)(up % 100), (unsigned long long)(idle / 100),
		    (unsigned long long)(idle % 100));
	return 0;
}

int proc_loadavg(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	struct cputime all;
	int running, total, last;
	sandbox_cputime(&all, &running, &total, &last);
	sbuf_printf(sb, "0.00 0.00 0.00 %d/%d %d\n", running, total, last);
	return 0;
}

int proc_stat(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	struct cputime all;
	int running, total, last;
	sandbox_cputime(&all, &running, &total, &last);
	int ncpu = machine_cpu_count();
	unsigned long long user = proc_ns_to_ticks(all.user_ns);
	unsigned long long sys = proc_ns_to_ticks(all.sys_ns);
	unsigned long long up = proc_ns_to_ticks(now_ns(CLOCK_BOOTTIME));
	unsigned long long idle = up * (unsigned long long)ncpu;
	idle = idle > user + sys ? idle - user - sys : 0;
	sbuf_printf(sb, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", user, sys, idle);
	for (int c = 0; c < ncpu; c++) {
		if (!machine_cpu_online(c))
			continue;
		sbuf_printf(sb, "cpu%d %llu 0 %llu %llu 0 0 0 0 0 0\n", c, user / ncpu,
			    sys / ncpu, idle / ncpu);
	}
	uint64_t btime = (now_ns(CLOCK_REALTIME) - now_ns(CLOCK_BOOTTIME)) / 1000000000ull;
	sbuf_printf(sb, "intr 0\nctxt 0\nbtime %llu\nprocesses %d\nprocs_running %d\n"
		    "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		    (unsigned long long)btime, last, running ? running : 1);
	return 0;
}

/* --- version, filesystems ------------------------------------------------------- */

int proc_version(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_printf(sb, "Linux version %s (cvisor@cvisor) (gcc) %s\n", UTS_RELEASE, UTS_VERSION);
	return 0;
}

int proc_filesystems(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_puts(sb, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n"
		      "nodev\tpipefs\nnodev\toverlay\nnodev\t9p\n");
	return 0;
}

/* --- cmdline, swaps, vmstat, partitions, devices ------------------------------ */

int proc_cmdline(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_puts(sb, "BOOT_IMAGE=/vmlinuz-" UTS_RELEASE "-cvisor quiet\n");
	return 0;
}

int proc_swaps(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_puts(sb, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	return 0;
}

int proc_vmstat(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	uint64_t total = memfile_limit_pages(), used = memfile_used_pages();
	sbuf_printf(sb, "nr_free_pages %llu\nnr_anon_pages %llu\nnr_mapped 0\nnr_file_pages 0\n"
		    "nr_dirty 0\nnr_writeback 0\npgpgin 0\npgpgout 0\npswpin 0\npswpout 0\n"
		    "pgfault 0\npgmajfault 0\n",
		    (unsigned long long)(used < total ? total - used : 0),
		    (unsigned long long)used);
	return 0;
}

int proc_partitions(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_puts(sb, "major minor  #blocks  name\n\n");
	return 0;
}

int proc_devices(const struct proc_inode *pi, struct sbuf *sb)
{
	(void)pi;
	sbuf_puts(sb, "Character devices:\n  1 mem\n  4 /dev/vc/0\n  4 tty\n  5 /dev/tty\n"
		      "  5 /dev/console\n  5 /dev/ptmx\n136 pts\n\nBlock devices:\n");
	return 0;
}
