/* tools/cvisor/options.c: parsing `cvisor run` flags with getopt_long. */
#include "tools/cvisor/options.h"
#include "platform/platform.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_MEMORY (16ULL << 30)

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
       OPT_ROOT, OPT_GOFER_FD, OPT_SYSTRAP_PATCH };

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
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	memset(o, 0, sizeof(*o));
	o->cfg.platform = PLATFORM_DEFAULT;
	o->cfg.cwd = "/";
	o->cfg.memory_limit = DEFAULT_MEMORY;
	o->root = "/";
	o->gofer_fd = -1;
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
		case OPT_GOFER_FD: {
			char *end;
			long fd = strtol(optarg, &end, 10);
			if (*end || fd < 0 || fd > 65535) {
				snprintf(err, errlen, "bad --gofer-fd %s", optarg);
				return -1;
			}
			o->gofer_fd = (int)fd;
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
