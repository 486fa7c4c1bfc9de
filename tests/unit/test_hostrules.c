/* Unit tests of the host filters' programs (lib/hostrules.c): the table
 * made at build time (tools/bpfgen, linked into this test as into the
 * cvisor binary) has an entry for the sentry's lists on every platform
 * and for the gofer's, each the very program libseccomp makes of them
 * now; fingerprints tell lists apart (a rule's argument, the order of the
 * lists, the default action). */
#include <criterion/criterion.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "gofer/gofer.h"
#include "lib/hostrules.h"
#include "platform/platform.h"
#include "sentry/hostfilter/hostfilter.h"

static const struct host_prebuilt *find(uint64_t fp)
{
	for (const struct host_prebuilt *p = host_prebuilt; p->n; p++)
		if (p->fingerprint == fp)
			return p;
	return NULL;
}

static void check_same(const char *what, const struct host_list *l, size_t n, uint32_t action)
{
	const struct host_prebuilt *pre = find(host_rules_fingerprint(l, n, action));
	cr_assert_not_null(pre, "%s: no program built in for these lists", what);
	struct sock_filter *prog;
	size_t len;
	cr_assert_eq(host_rules_build(l, n, action, &prog, &len), 0, "%s", what);
	cr_assert_eq(len, pre->n, "%s: %zu instructions now, %zu built in", what, len, pre->n);
	cr_assert(memcmp(prog, pre->prog, len * sizeof(*prog)) == 0, "%s: programs differ", what);
	free(prog);
}

Test(hostrules, prebuilt_sentry_every_platform)
{
	size_t i;
	for (i = 0; platform_nth(i); i++) {
		struct host_list l[HOSTFILTER_LISTS];
		size_t n = hostfilter_lists(platform_nth(i), l);
		check_same(platform_nth(i)->name, l, n, HOSTFILTER_ACTION);
	}
	cr_assert_gt(i, 1);
}

Test(hostrules, prebuilt_gofer)
{
	struct host_list l[GOFER_FILTER_LISTS];
	check_same("gofer", l, gofer_filter_lists(l), GOFER_FILTER_ACTION);
}

Test(hostrules, fingerprints_differ)
{
	static const struct host_rule a[] = { HOST_RULE(read), HOST_EQ(fcntl, 1, 1) };
	static const struct host_rule b[] = { HOST_RULE(read), HOST_EQ(fcntl, 1, 2) };
	static const struct host_rule c[] = { HOST_RULE(write) };
	struct host_list la[2] = { { "a", HOST_ARR(a) }, { "c", HOST_ARR(c) } };
	struct host_list lb[2] = { { "b", HOST_ARR(b) }, { "c", HOST_ARR(c) } };
	struct host_list lc[2] = { { "c", HOST_ARR(c) }, { "a", HOST_ARR(a) } };
	uint64_t fa = host_rules_fingerprint(la, 2, SCMP_ACT_TRAP);
	cr_assert_eq(fa, host_rules_fingerprint(la, 2, SCMP_ACT_TRAP));
	cr_assert_neq(fa, host_rules_fingerprint(lb, 2, SCMP_ACT_TRAP));
	cr_assert_neq(fa, host_rules_fingerprint(lc, 2, SCMP_ACT_TRAP));
	cr_assert_neq(fa, host_rules_fingerprint(la, 2, SCMP_ACT_KILL_PROCESS));
	cr_assert_neq(fa, host_rules_fingerprint(la, 1, SCMP_ACT_TRAP));
	cr_assert_null(find(fa));
}
