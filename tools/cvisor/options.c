/* tools/cvisor/options.c: parsing `cvisor run` flags with getopt_long. */
#include "tools/cvisor/options.h"
#include "platform/platform.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAX_DEFAULT_MEMORY (16ULL << 30)
#define MIN_MEMORY (16ULL << 20)
#define MAX_MEMORY (1ULL << 40)
#define MAX_PIDS 8192

void run_usage(FILE *out)
{
	fprintf(out,
"usage: cvisor run [FLAGS] -- PROGRAM [ARGS...]\n"
"\n"
"Run PROGRAM (an x86-64 Linux executable or #! script, found in the\n"
"sandbox's root file system) inside the sandbox.\n"
"\n"
"  --platform=NAME     how guest syscalls are caught: %s (default " PLATFORM_DEFAULT ")\n"
"  --systrap-patch=on|off  systrap: rewrite hot syscall sites to skip the\n"
"                      signal (default on)\n"
"  --strace            print every guest syscall, decoded, to stderr or the debug log\n"
"  --debug-log=FILE    write the sentry's log (and --strace output) to FILE\n"
"  --env=K=V           set an environment variable (repeatable); the default\n"
"                      environment is PATH, HOME=/root and TERM\n"
"  --cwd=DIR           the guest's working directory (absolute)\n"
"  --hostname=NAME     the sandbox's hostname (default cvisor)\n"
"  --root=DIR          the host directory seen (read-only, with a tmpfs over\n"
"                      it) as the sandbox's / (default /)\n"
"  -v HOST:GUEST[:ro]  bind-mount host directory HOST at GUEST (repeatable);\n"
"                      writes reach the host unless :ro\n"
"  --memory=BYTES      guest memory limit, with k, m, g or t suffix (default:\n"
"                      half the host's RAM, at most 16g)\n"
"  --pids=N            most guest tasks (threads) at once (default 8192)\n"
"  --cpus=N            CPU time limit in CPUs, e.g. 0.5 (cgroup v2 cpu.max)\n"
"  -h, --help          this help\n", platform_names());
}

static int env_set(struct run_options *o, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (size_t i = 0; i < o->nenv; i++) {
		if (strncmp(o->env[i], kv, klen) == 0 && o->env[i][klen] == '=') {
			o->env[i] = strdup(kv);
			return o->env[i] ? 0 : -1;
		}
	}
	char **n = realloc(o->env, (o->nenv + 2) * sizeof(char *));
	if (!n)
		return -1;
	o->env = n;
	o->env[o->nenv] = strdup(kv);
	if (!o->env[o->nenv])
		return -1;
	o->env[++o->nenv] = NULL;
	return 0;
}

static int default_env(struct run_options *o)
{
	const char *term = getenv("TERM");
	char buf[256];
	snprintf(buf, sizeof(buf), "TERM=%s", term && *term ? term : "xterm");
	return env_set(o, "PATH=" DEFAULT_PATH) | env_set(o, "HOME=/root") | env_set(o, buf);
}

enum { OPT_PLATFORM = 256, OPT_STRACE, OPT_DEBUG_LOG, OPT_ENV, OPT_CWD, OPT_HOSTNAME,
       OPT_ROOT, OPT_GOFER_FD, OPT_SYSTRAP_PATCH, OPT_MEMORY, OPT_PIDS, OPT_CPUS, OPT_REPORT_FD, OPT_NETNS_FD, OPT_NS,
       OPT_TESTONLY_FORBIDDEN };

/* Half the host's RAM, at most 16 GiB: a guest cannot make the host swap. */
static uint64_t default_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || psz <= 0)
		return MAX_DEFAULT_MEMORY;
	uint64_t half = (uint64_t)pages * (uint64_t)psz / 2;
	half &= ~4095ULL;
	if (half < MIN_MEMORY)
		return MIN_MEMORY;
	return half < MAX_DEFAULT_MEMORY ? half : MAX_DEFAULT_MEMORY;
}

/* BYTES with an optional k, m, g or t suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)s[0]))
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	unsigned shift = 0;
	switch (tolower((unsigned char)*end)) {
	case 0: break;
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	default: return -1;
	}
	if (*end && end[1] && !(tolower((unsigned char)end[1]) == 'b' && !end[2]))
		return -1;
	if (shift && v > (~0ULL >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_fd(const char *arg, const char *flag, int *out, char *err, size_t errlen)
{
	char *end;
	long fd = strtol(arg, &end, 10);
	if (*end || end == arg || fd < 0 || fd > 65535) {
		snprintf(err, errlen, "bad %s %s", flag, arg);
		return -1;
	}
	*out = (int)fd;
	return 0;
}

/* HOST:GUEST[:ro], both absolute. */
static int volume_add(struct run_options *o, const char *arg, char *err, size_t errlen)
{
	char *s = strdup(arg);
	struct volume *v = realloc(o->vols, (o->nvols + 1) * sizeof(*v));
	if (!s || !v) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->vols = v;
	char *guest = strchr(s, ':');
	bool ro = false;
	if (guest) {
		*guest++ = 0;
		char *opt = strchr(guest, ':');
		if (opt) {
			*opt++ = 0;
			if (strcmp(opt, "ro") == 0)
				ro = true;
			else if (strcmp(opt, "rw") != 0)
				guest = NULL;
		}
	}
	if (!guest || s[0] != '/' || guest[0] != '/') {
		snprintf(err, errlen, "-v wants HOST:GUEST[:ro] with absolute paths, got \"%s\"", arg);
		free(s);
		return -1;
	}
	o->vols[o->nvols++] = (struct volume){ s, guest, ro };
	return 0;
}

int run_options_parse(int argc, char **argv, struct run_options *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "strace", no_argument, NULL, OPT_STRACE },
		{ "debug-log", required_argument, NULL, OPT_DEBUG_LOG },
		{ "env", required_argument, NULL, OPT_ENV },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "volume", required_argument, NULL, 'v' },
		{ "gofer-fd", required_argument, NULL, OPT_GOFER_FD },
		{ "systrap-patch", required_argument, NULL, OPT_SYSTRAP_PATCH },
		{ "report-fd", required_argument, NULL, OPT_REPORT_FD },
		{ "netns-fd", required_argument, NULL, OPT_NETNS_FD },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "pids", required_argument, NULL, OPT_PIDS },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "ns", required_argument, NULL, OPT_NS },
		{ "testonly-forbidden-syscall", optional_argument, NULL, OPT_TESTONLY_FORBIDDEN },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->cfg.platform = PLATFORM_DEFAULT;
	o->cfg.cwd = "/";
	o->cfg.memory_limit = default_memory();
	o->root = "/";
	o->gofer_fd = -1;
	o->report_fd = -1;
	o->netns_fd = -1;
	if (default_env(o) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	optind = 1;
	opterr = 0;
	int c;
	/* '+': stop at the first non-option, the program. */
	while ((c = getopt_long(argc, argv, "+hv:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PLATFORM:
			if (strcmp(optarg, "ptrace") != 0 && strcmp(optarg, "systrap") != 0) {
				snprintf(err, errlen, "unknown platform \"%s\" (available: %s)",
					 optarg, platform_names());
				return -1;
			}
			o->cfg.platform = optarg;
			break;
		case OPT_SYSTRAP_PATCH:
			if (platform_option("systrap-patch", optarg) < 0) {
				snprintf(err, errlen, "--systrap-patch wants on or off, got \"%s\"",
					 optarg);
				return -1;
			}
			break;
		case OPT_STRACE:
			o->cfg.strace = true;
			break;
		case OPT_DEBUG_LOG:
			o->debug_log = optarg;
			break;
		case OPT_ENV:
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				snprintf(err, errlen, "--env wants KEY=VALUE, got \"%s\"", optarg);
				return -1;
			}
			if (env_set(o, optarg) < 0) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			break;
		case OPT_CWD:
			if (optarg[0] != '/') {
				snprintf(err, errlen, "--cwd wants an absolute path, got \"%s\"", optarg);
				return -1;
			}
			o->cfg.cwd = optarg;
			break;
		case OPT_HOSTNAME:
			if (strlen(optarg) == 0 || strlen(optarg) > 64) {
				snprintf(err, errlen, "--hostname must be 1 to 64 characters");
				return -1;
			}
			o->cfg.hostname = optarg;
			break;
		case OPT_ROOT:
			if (optarg[0] == 0) {
				snprintf(err, errlen, "--root wants a directory");
				return -1;
			}
			o->root = optarg;
			break;
		case 'v':
			if (volume_add(o, optarg, err, errlen) < 0)
				return -1;
			break;
		case OPT_GOFER_FD:
			if (parse_fd(optarg, "--gofer-fd", &o->gofer_fd, err, errlen) < 0)
				return -1;
			break;
		case OPT_REPORT_FD:
			if (parse_fd(optarg, "--report-fd", &o->report_fd, err, errlen) < 0)
				return -1;
			break;
		case OPT_NETNS_FD:
			if (parse_fd(optarg, "--netns-fd", &o->netns_fd, err, errlen) < 0)
				return -1;
			break;
		case OPT_TESTONLY_FORBIDDEN:
			if (!optarg || strcmp(optarg, "socket") == 0) {
				o->testonly_forbidden = TESTONLY_SOCKET;
			} else if (strcmp(optarg, "mmap-exec") == 0) {
				o->testonly_forbidden = TESTONLY_MMAP_EXEC;
			} else if (strcmp(optarg, "mprotect-exec") == 0) {
				o->testonly_forbidden = TESTONLY_MPROTECT_EXEC;
			} else if (strcmp(optarg, "execveat") == 0) {
				o->testonly_forbidden = TESTONLY_EXECVEAT;
			} else {
				snprintf(err, errlen, "--testonly-forbidden-syscall wants socket, mmap-exec, mprotect-exec or execveat, got \"%s\"",
					 optarg);
				return -1;
			}
			break;
		case OPT_NS: {
			char *end;
			o->ns = strtoul(optarg, &end, 16);
			if (*end || end == optarg) {
				snprintf(err, errlen, "bad --ns %s", optarg);
				return -1;
			}
			break;
		}
		case OPT_MEMORY: {
			uint64_t v;
			if (parse_size(optarg, &v) < 0) {
				snprintf(err, errlen, "--memory wants BYTES with an optional k, m, g or t suffix, got \"%s\"", optarg);
				return -1;
			}
			if (v < MIN_MEMORY || v > MAX_MEMORY) {
				snprintf(err, errlen, "--memory must be between 16m and 1t, got \"%s\"", optarg);
				return -1;
			}
			o->cfg.memory_limit = v & ~4095ULL;
			break;
		}
		case OPT_PIDS: {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 || v > MAX_PIDS) {
				snprintf(err, errlen, "--pids wants a number from 1 to %d, got \"%s\"", MAX_PIDS, optarg);
				return -1;
			}
			o->cfg.pids_max = (int)v;
			break;
		}
		case OPT_CPUS: {
			char *end;
			errno = 0;
			double v = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(v >= 0.01 && v <= 1024)) {
				snprintf(err, errlen, "--cpus wants a number of CPUs from 0.01 to 1024, got \"%s\"", optarg);
				return -1;
			}
			o->cpus = v;
			break;
		}
		case 'h':
			run_usage(stdout);
			return 1;
		default:
			if (optopt >= OPT_PLATFORM || optopt == 'v')
				snprintf(err, errlen, "flag %s needs a value", argv[optind - 1]);
			else if (optopt)
				snprintf(err, errlen, "unknown flag -%c", optopt);
			else
				snprintf(err, errlen, "unknown flag %s", argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		snprintf(err, errlen, "no program given (usage: cvisor run [FLAGS] -- PROGRAM [ARGS...])");
		return -1;
	}
	o->cfg.argv = &argv[optind];
	o->cfg.envp = o->env;
	return 0;
}
