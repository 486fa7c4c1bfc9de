/* lib/hostrules.c: turning host-syscall lists (lib/hostrules.h) into a
 * loaded seccomp filter, and printing them.
 *
 * libseccomp makes the program; that costs about a millisecond of CPU
 * (rule by rule transactions, then the tree's generation), so the cvisor
 * binary carries the programs of its fixed lists made at build time
 * (tools/bpfgen writes host_prebuilt[]), found by the lists' fingerprint:
 * lists that differ from the build's are built now, the same way. */
#include "lib/hostrules.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
/* Only in -DCVISOR_SANITIZE=ON builds: what the ASan/UBSan runtime does
 * on its own (reading /proc/self/maps for reports, its allocator's
 * mappings, the thread registry). */
static const struct host_rule sanitizer_rules[] = {
	HOST_RULE(openat), HOST_RULE(open), HOST_RULE(readlink), HOST_RULE(readlinkat),
	HOST_RULE(sigaltstack), HOST_RULE(prctl), HOST_RULE(getppid), HOST_RULE(prlimit64),
	HOST_RULE(getrlimit), HOST_RULE(sched_getaffinity), HOST_RULE(getdents64),
	HOST_RULE(kill), HOST_RULE(dup), HOST_RULE(dup2), HOST_RULE(pipe), HOST_RULE(pipe2),
	HOST_RULE(wait4), HOST_RULE(fcntl), HOST_RULE(ioctl), HOST_RULE(uname),
};
#endif

#if defined(__SANITIZE_ADDRESS__)
const struct host_list host_sanitizer_list = { "sanitizer", HOST_ARR(sanitizer_rules) };
#else
const struct host_list host_sanitizer_list = { "sanitizer", NULL, 0 };
#endif

/* The lists as a libseccomp context (NULL: out of memory, *err set). */
static scmp_filter_ctx build(const struct host_list *lists, size_t nlists,
			     uint32_t def_action, int *err)
{
	scmp_filter_ctx ctx = seccomp_init(def_action);
	if (!ctx) {
		*err = -ENOMEM;
		return NULL;
	}
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, def_action);
	/* A binary tree of syscall numbers rather than a linear list: the
	 * sentry makes several host syscalls per guest syscall. */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t l = 0; r == 0 && l < nlists; l++) {
		for (size_t i = 0; r == 0 && i < lists[l].n; i++) {
			const struct host_rule *hr = &lists[l].rules[i];
			struct scmp_arg_cmp c[3];
			for (unsigned k = 0; k < hr->ncmp && k < 3; k++)
				c[k] = (struct scmp_arg_cmp){ hr->cmp[k].arg, hr->cmp[k].op,
							      hr->cmp[k].a, hr->cmp[k].b };
			uint32_t act = hr->err ? SCMP_ACT_ERRNO((uint32_t)hr->err) : SCMP_ACT_ALLOW;
			r = seccomp_rule_add_array(ctx, act, hr->nr, hr->ncmp, c);
			/* The same syscall allowed unconditionally by one list and
			 * with arguments by another: libseccomp keeps the wider. */
			if (r == -EEXIST)
				r = 0;
		}
	}
	if (r < 0) {
		seccomp_release(ctx);
		*err = r;
		return NULL;
	}
	return ctx;
}

__attribute__((weak)) const struct host_prebuilt host_prebuilt[] = { { 0, NULL, 0 } };

/* FNV-1a, 64 bits. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t host_rules_fingerprint(const struct host_list *lists, size_t nlists,
				uint32_t def_action)
{
	uint64_t h = fnv(0xcbf29ce484222325ULL, &def_action, sizeof(def_action));
	for (size_t l = 0; l < nlists; l++) {
		for (size_t i = 0; i < lists[l].n; i++) {
			const struct host_rule *r = &lists[l].rules[i];
			int64_t v[3] = { r->nr, r->err, r->ncmp };
			h = fnv(h, v, sizeof(v));
			for (unsigned k = 0; k < r->ncmp && k < 3; k++) {
				uint64_t c[4] = { r->cmp[k].arg, r->cmp[k].op, r->cmp[k].a, r->cmp[k].b };
				h = fnv(h, c, sizeof(c));
			}
		}
		uint64_t end = ~0ULL;	/* a list's end: [a][b] is not [a, b] */
		h = fnv(h, &end, sizeof(end));
	}
	return h;
}

int host_rules_build(const struct host_list *lists, size_t nlists, uint32_t def_action,
		     struct sock_filter **out, size_t *nout)
{
	int r = 0;
	scmp_filter_ctx ctx = build(lists, nlists, def_action, &r);
	if (!ctx)
		return r;
	/* libseccomp writes the program to an fd; read it back. */
	int fd = (int)syscall(SYS_memfd_create, "cvisor-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		seccomp_release(ctx);
		return r;
	}
	r = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	struct stat st;
	if (r == 0 && fstat(fd, &st) < 0)
		r = -errno;
	size_t n = r == 0 ? (size_t)st.st_size / sizeof(struct sock_filter) : 0;
	if (r == 0 && (n == 0 || n > BPF_MAXINSNS))
		r = -E2BIG;
	struct sock_filter *prog = r == 0 ? calloc(n, sizeof(*prog)) : NULL;
	if (r == 0 && !prog)
		r = -ENOMEM;
	if (r == 0 && pread(fd, prog, n * sizeof(*prog), 0) != (ssize_t)(n * sizeof(*prog)))
		r = -EIO;
	close(fd);
	if (r < 0) {
		free(prog);
		return r;
	}
	*out = prog;
	*nout = n;
	return 0;
}

static const struct host_prebuilt *prebuilt_find(uint64_t fp)
{
	for (const struct host_prebuilt *p = host_prebuilt; p->n; p++)
		if (p->fingerprint == fp)
			return p;
	return NULL;
}

int host_rules_install(const struct host_list *lists, size_t nlists,
		       uint32_t def_action, int tsync)
{
	return host_rules_install_prefixed(lists, nlists, def_action, tsync, NULL, 0);
}

int host_rules_program(const struct host_list *lists, size_t nlists, uint32_t def_action,
		       const struct sock_filter *prefix, size_t nprefix,
		       struct sock_filter **out, size_t *nout)
{
	const struct host_prebuilt *pre =
		prebuilt_find(host_rules_fingerprint(lists, nlists, def_action));
	struct sock_filter *built = NULL;
	const struct sock_filter *body;
	size_t n;
	int r = 0;
	if (pre) {
		body = pre->prog;
		n = pre->n;
	} else {
		r = host_rules_build(lists, nlists, def_action, &built, &n);
		if (r < 0)
			return r;
		body = built;
	}
	struct sock_filter *prog = NULL;
	if (nprefix + n > BPF_MAXINSNS)
		r = -E2BIG;
	else if (!(prog = calloc(nprefix + n, sizeof(*prog))))
		r = -ENOMEM;
	if (r == 0) {
		if (nprefix)
			memcpy(prog, prefix, nprefix * sizeof(*prog));
		memcpy(prog + nprefix, body, n * sizeof(*prog));
		*out = prog;
		*nout = nprefix + n;
	}
	free(built);
	return r;
}

int host_rules_load(const struct sock_filter *prog, size_t n, int tsync)
{
	struct sock_fprog fp = { .len = (unsigned short)n, .filter = (struct sock_filter *)prog };
	unsigned flags = tsync ? SECCOMP_FILTER_FLAG_TSYNC : 0;
	long k = -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
		k = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
	/* > 0: a thread that could not follow (TSYNC) */
	return k < 0 ? -errno : k > 0 ? -ESRCH : 0;
}

int host_rules_install_prefixed(const struct host_list *lists, size_t nlists,
				uint32_t def_action, int tsync,
				const struct sock_filter *prefix, size_t nprefix)
{
	struct sock_filter *prog = NULL;
	size_t n = 0;
	int r = host_rules_program(lists, nlists, def_action, prefix, nprefix, &prog, &n);
	if (r == 0)
		r = host_rules_load(prog, n, tsync);
	free(prog);
	return r;
}

static int cmp_nr(const void *a, const void *b)
{
	const struct host_rule *x = *(const struct host_rule *const *)a;
	const struct host_rule *y = *(const struct host_rule *const *)b;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

static const char *op_name(uint8_t op)
{
	switch (op) {
	case SCMP_CMP_NE: return "!=";
	case SCMP_CMP_LT: return "<";
	case SCMP_CMP_LE: return "<=";
	case SCMP_CMP_EQ: return "==";
	case SCMP_CMP_GE: return ">=";
	case SCMP_CMP_GT: return ">";
	default: return "?";
	}
}

/* All rules of the lists sorted by syscall number (stable by list). */
static const struct host_rule **sorted(const struct host_list *lists, size_t nlists, size_t *n)
{
	size_t total = 0;
	for (size_t l = 0; l < nlists; l++)
		total += lists[l].n;
	const struct host_rule **v = calloc(total ? total : 1, sizeof(*v));
	if (!v)
		return NULL;
	size_t k = 0;
	for (size_t l = 0; l < nlists; l++)
		for (size_t i = 0; i < lists[l].n; i++)
			v[k++] = &lists[l].rules[i];
	qsort(v, total, sizeof(*v), cmp_nr);
	*n = total;
	return v;
}

size_t host_rules_count(const struct host_list *lists, size_t nlists)
{
	size_t n, count = 0;
	const struct host_rule **v = sorted(lists, nlists, &n);
	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			if (v[j]->nr == v[i]->nr && !v[j]->err)
				seen = true;
		if (!seen && !v[i]->err)
			count++;
	}
	free(v);
	return count;
}

size_t host_rules_print(FILE *out, const char *title,
			const struct host_list *lists, size_t nlists)
{
	size_t n;
	const struct host_rule **v = sorted(lists, nlists, &n);
	if (!v)
		return 0;
	fprintf(out, "%s:\n", title);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		bool any_plain = false, all_err = true;
		while (j < n && v[j]->nr == v[i]->nr) {
			if (!v[j]->err && v[j]->ncmp == 0)
				any_plain = true;
			if (!v[j]->err)
				all_err = false;
			j++;
		}
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, v[i]->nr);
		fprintf(out, "  %-18s", name ? name : "?");
		free(name);
		if (all_err) {
			fprintf(out, " fails with errno %d\n", v[i]->err);
		} else if (any_plain) {
			fprintf(out, " any arguments\n");
		} else {
			const char *sep = " ";
			for (size_t k = i; k < j; k++) {
				if (v[k]->err)
					continue;
				fputs(sep, out);
				for (unsigned c = 0; c < v[k]->ncmp; c++) {
					const struct host_arg *a = &v[k]->cmp[c];
					if (c)
						fputs(" && ", out);
					if (a->op == SCMP_CMP_MASKED_EQ)
						fprintf(out, "(arg%u & %#llx) == %#llx", a->arg,
							(unsigned long long)a->a, (unsigned long long)a->b);
					else
						fprintf(out, "arg%u %s %#llx", a->arg, op_name(a->op),
							(unsigned long long)a->a);
				}
				sep = "  |  ";
			}
			fputc('\n', out);
		}
		i = j;
	}
	size_t count = host_rules_count(lists, nlists);
	fprintf(out, "  (%zu syscalls)\n", count);
	free(v);
	return count;
}
