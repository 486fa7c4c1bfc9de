/* platform/systrap/patch.c: syscall-site patching.
 *
 * A syscall that traps (SIGSYS) from a site whose 7 bytes are one of
 *     b8 imm32        0f 05    mov $NR, %eax; syscall   (imm32 == NR)
 *     4c 8b 4c 24 08  0f 05    mov 8(%rsp), %r9; syscall (glibc's syscall())
 * is, the PATCH_AFTER-th time, rewritten to
 *     ff 24 25 T      jmp *T   (T = TRAP_TABLE_ADDR + 8 * i)
 * Entry i of the trap table (read-only, below 2 GiB so that the absolute
 * form reaches it from anywhere) holds the address of trampoline i in the
 * stub region (read + exec), which replays the displaced instruction,
 * loads rcx with the address after the site (as the syscall instruction
 * would) and jumps to systrap_tramp_entry (stub.S), which hands the
 * registers to the sentry through the thread's message page (found via
 * %gs) with no signal. A trampoline depends only on (site, displaced
 * instruction), so the table and trampolines are global: every stub maps
 * the same pages, and a forked child's copy of patched code works as is.
 * They are append-only and never change once written.
 *
 * Safety:
 *  - The bytes change through mm_text_patch: a fresh private copy of the
 *    page swapped in by one mapping request, so a concurrent thread runs
 *    the old page or the new one; other processes and files keep the old
 *    bytes (copy-on-write); writable or shared code is never patched.
 *  - A thread stopped between the two old instructions (interrupted after
 *    the mov, or a signal handler returning there, or a syscall restart,
 *    which rewinds rip to the syscall instruction), or code that jumps to
 *    the syscall instruction itself, resumes at site + 5, which now holds
 *    byte 2 of T: 0x06, an invalid opcode. The SIGILL comes back here
 *    (systrap_patch_sigill) and is served as the syscall the original
 *    instruction there would have made, with the registers as they are.
 *  - A thread whose guest gs base is not 0 (arch_prctl ARCH_SET_GS)
 *    cannot use trampolines (they find the message page through %gs):
 *    the address space's patches are undone and patching stops there.
 *  - The guest sees patched bytes if it reads its own code; --systrap-patch
 *    =off is the remedy (docs: known gaps).
 * Sites of clone, clone3, fork and vfork stay on the trap path: their
 * handler copies the FP state, which a trampoline stop does not have. */
#include "platform/systrap/systrap.h"
#include "platform/systrap/sysmsg.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/memfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern const char systrap_code_start[], systrap_tramp_entry[];

/* A site is patched the PATCH_AFTER-th time it traps (a hot site). */
#define PATCH_AFTER	2
#define SITE_MIN	128	/* first size of the table of sites per address space */
#define SITE_MAX	4096	/* its largest: half of it tracked */
#define ST_PATCHED	0xff
#define ST_NEVER	0xfe

#define TABLE_PAGES	(TRAP_TABLE_SIZE / STUB_PAGE)
#define TRAMP_PAGES	(TRAP_SLOTS * TRAMP_SIZE / STUB_PAGE)

bool systrap_patch_on = true;

static pthread_mutex_t patch_lock = PTHREAD_MUTEX_INITIALIZER;
static bool pages_ready;
static uint64_t table_off[TABLE_PAGES], tramp_off[TRAMP_PAGES];
static bool tramp_filled[TRAMP_PAGES];
static struct trap {
	uint64_t site;
	uint8_t insn[5];	/* the displaced instruction */
} traps[TRAP_SLOTS];
static unsigned ntraps;

static const uint8_t insn_mov_r9[5] = { 0x4c, 0x8b, 0x4c, 0x24, 0x08 };

static int alloc_pages(uint64_t *off, unsigned n)
{
	for (unsigned i = 0; i < n;) {
		size_t got;
		int64_t o = memfile_alloc(n - i, &got);
		if (o < 0)
			return (int)o;
		for (size_t k = 0; k < got; k++)
			off[i++] = (uint64_t)o + k * STUB_PAGE;
	}
	return 0;
}

int systrap_patch_pages(void)
{
	int r = 0;
	if (!systrap_patch_on)
		return 0;
	pthread_mutex_lock(&patch_lock);
	if (!pages_ready) {
		/* The table's unused entries are 0, as allocated; the
		 * trampoline pages are filled as trampolines go in
		 * (tramp_write). */
		r = alloc_pages(table_off, TABLE_PAGES);
		if (r == 0)
			r = alloc_pages(tramp_off, TRAMP_PAGES);
		pages_ready = r == 0;
	}
	pthread_mutex_unlock(&patch_lock);
	return r;
}

/* The requests of runs of contiguous memory-file pages, appended to req
 * (n used of max): the new count, or -1 when they do not fit. */
static int req_runs(uint64_t (*req)[7], int n, unsigned max, uint64_t addr,
		    const uint64_t *off, unsigned npages, int prot, int memfd)
{
	for (unsigned i = 0; i < npages;) {
		unsigned k = 1;
		while (i + k < npages && off[i + k] == off[i] + k * STUB_PAGE)
			k++;
		if ((unsigned)n >= max)
			return -1;
		const uint64_t r[7] = { SYS_mmap, addr + (uint64_t)i * STUB_PAGE,
					(uint64_t)k * STUB_PAGE, (uint64_t)prot,
					MAP_SHARED | MAP_FIXED, (uint64_t)memfd, off[i] };
		memcpy(req[n++], r, sizeof(r));
		i += k;
	}
	return n;
}

int systrap_patch_stub_reqs(uint64_t (*req)[7], unsigned max, int memfd)
{
	if (!systrap_patch_on || !pages_ready)
		return 0;
	int n = req_runs(req, 0, max, TRAP_TABLE_ADDR, table_off, TABLE_PAGES, PROT_READ, memfd);
	if (n >= 0)
		n = req_runs(req, n, max, systrap_base + STUB_TRAMP_OFF, tramp_off, TRAMP_PAGES,
			     PROT_READ | PROT_EXEC, memfd);
	return n;
}

/* The same requests made at once with raw syscalls (a forked copy of the
 * sentry): one per page at most, so they always fit. */
int systrap_patch_stub_map(int memfd)
{
	if (!systrap_patch_on || !pages_ready) {
		syscall(SYS_munmap, TRAP_TABLE_ADDR, TRAP_TABLE_SIZE);
		return 0;
	}
	uint64_t req[TABLE_PAGES + TRAMP_PAGES][7];
	int n = systrap_patch_stub_reqs(req, TABLE_PAGES + TRAMP_PAGES, memfd);
	for (int i = 0; i < n; i++)
		if (systrap_exec_mmap(req[i][1], req[i][2], req[i][3], req[i][4], req[i][5],
				      req[i][6]) != (long)req[i][1])
			return -1;
	return n < 0 ? -1 : 0;
}

bool systrap_patch_reserved(uint64_t *start, uint64_t *len, const char **name)
{
	if (!systrap_patch_on)
		return false;
	*start = TRAP_TABLE_ADDR;
	*len = TRAP_TABLE_SIZE;
	*name = "[systrap]";
	return true;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void jmp_bytes(unsigned i, uint8_t out[7])
{
	out[0] = 0xff;
	out[1] = 0x24;
	out[2] = 0x25;
	put32(out + 3, TRAP_TABLE_ADDR + 8 * i);
}

/* Trampoline i's code, written through the memory file (the sentry
 * never touches these pages itself: a first touch costs a fault, dear on
 * a virtual machine). A page's first trampoline fills the rest of it with
 * int3, so that unused trampolines trap; pages no trampoline has reached
 * yet read as zeros, as no patched site leads there. 0 or -errno. */
static int tramp_write(unsigned i, const uint8_t code[TRAMP_SIZE])
{
	uint64_t o = (uint64_t)i * TRAMP_SIZE;
	unsigned pg = (unsigned)(o / STUB_PAGE), at = (unsigned)(o % STUB_PAGE);
	if (tramp_filled[pg])
		return memfile_pwrite(tramp_off[pg] + at, code, TRAMP_SIZE);
	uint8_t page[STUB_PAGE];
	memset(page, 0xcc, sizeof(page));
	memcpy(page + at, code, TRAMP_SIZE);
	int r = memfile_pwrite(tramp_off[pg], page, sizeof(page));
	tramp_filled[pg] = r == 0;
	return r;
}

/* The slot of (site, insn), made if new; -1 when the table is full.
 * Called with patch_lock held. */
static int trap_slot(uint64_t site, const uint8_t insn[5])
{
	for (unsigned i = 0; i < ntraps; i++)
		if (traps[i].site == site && memcmp(traps[i].insn, insn, 5) == 0)
			return (int)i;
	if (ntraps >= TRAP_SLOTS)
		return -1;
	unsigned i = ntraps;
	uint64_t tramp = systrap_base + STUB_TRAMP_OFF + (uint64_t)i * TRAMP_SIZE;
	uint64_t entry = systrap_base + (uint64_t)(systrap_tramp_entry - systrap_code_start);
	uint8_t code[TRAMP_SIZE];
	memset(code, 0xcc, sizeof(code));
	memcpy(code, insn, 5);				/* the displaced instruction */
	code[5] = 0x48;					/* movabs $site + 7, %rcx */
	code[6] = 0xb9;
	uint64_t ret = site + 7;
	memcpy(code + 7, &ret, 8);
	code[15] = 0xe9;				/* jmp systrap_tramp_entry */
	put32(code + 16, (uint32_t)(int32_t)(int64_t)(entry - (tramp + 20)));
	uint64_t o = (uint64_t)i * 8;
	if (tramp_write(i, code) < 0 ||
	    memfile_pwrite(table_off[o / STUB_PAGE] + o % STUB_PAGE, &tramp, 8) < 0)
		return -1;
	traps[i].site = site;
	memcpy(traps[i].insn, insn, 5);
	ntraps = i + 1;
	return (int)i;
}

/* The slot of site's k-th probe in a table of cap (a power of two). */
static unsigned site_slot(uint64_t site, unsigned k, unsigned cap)
{
	return ((unsigned)((site * 0x9e3779b97f4a7c15ULL) >> 40) + k) & (cap - 1);
}

/* Double the site table (or make its first, SITE_MIN): a small program
 * traps from a few dozen sites, and a table sized for SITE_MAX would be
 * nine fresh pages to zero on its first syscall. false when it is at
 * SITE_MAX already or out of memory (the old table stays). */
static bool site_grow(struct as *as)
{
	unsigned cap = as->site_cap ? as->site_cap * 2 : SITE_MIN;
	if (cap > SITE_MAX)
		return false;
	uint64_t *key = calloc(cap, sizeof(*key));
	uint8_t *n = calloc(cap, 1);
	if (!key || !n) {
		free(key);
		free(n);
		return false;
	}
	for (unsigned j = 0; j < as->site_cap; j++) {
		if (!as->site_key[j])
			continue;
		unsigned k = 0, i;
		while (key[i = site_slot(as->site_key[j], k, cap)])
			k++;
		key[i] = as->site_key[j];
		n[i] = as->site_n[j];
	}
	free(as->site_key);
	free(as->site_n);
	as->site_key = key;
	as->site_n = n;
	as->site_cap = cap;
	return true;
}

/* The per-address-space count of traps from site, bumped; a pointer to
 * it, or NULL when the table is full (SITE_MAX / 2 sites). Called with
 * patch_lock held. */
static uint8_t *site_count(struct as *as, uint64_t site)
{
	if (!as->site_key && !site_grow(as))
		return NULL;
	for (unsigned k = 0; k < as->site_cap; k++) {
		unsigned i = site_slot(site, k, as->site_cap);
		if (as->site_key[i] == site)
			return &as->site_n[i];
		if (as->site_key[i] == 0) {
			if (as->site_used >= as->site_cap / 2) {
				if (!site_grow(as))
					return NULL;
				return site_count(as, site);
			}
			as->site_used++;
			as->site_key[i] = site;
			return &as->site_n[i];
		}
	}
	return NULL;
}

/* Syscalls whose handler reads the caller's FP state (the new task's
 * copy): from a trampoline stop that costs a convert, a round trip with a
 * stub thread that is often asleep by then, far more than the trap. */
static bool reads_fpstate(uint64_t nr)
{
	return nr == SYS_clone || nr == SYS_clone3 || nr == SYS_fork || nr == SYS_vfork;
}

void systrap_patch_trap(struct as *as, const struct user_regs_struct *regs)
{
	if (!systrap_patch_on || !pages_ready || as->patch_off || !as->owner ||
	    regs->gs_base != 0 || regs->rip < 7 || reads_fpstate(regs->orig_rax))
		return;
	uint64_t site = regs->rip - 7;
	pthread_mutex_lock(&patch_lock);
	uint8_t *n = site_count(as, site);
	if (!n || *n >= ST_NEVER || ++*n < PATCH_AFTER)
		goto out;
	uint8_t old[7], new[7];
	if (mm_text_read(as->owner, site, old, 7) < 0 || old[5] != 0x0f || old[6] != 0x05) {
		*n = ST_NEVER;
		goto out;
	}
	if (old[0] == 0xb8) {
		/* Only when this very instruction loaded the number (not a jump
		 * to the syscall with another one): try again next time. */
		if (get32(old + 1) != (uint32_t)regs->orig_rax) {
			*n = PATCH_AFTER - 1;
			goto out;
		}
	} else if (memcmp(old, insn_mov_r9, 5) != 0) {
		*n = ST_NEVER;
		goto out;
	}
	int i = trap_slot(site, old);
	if (i < 0) {
		*n = ST_NEVER;
		goto out;
	}
	jmp_bytes((unsigned)i, new);
	*n = mm_text_patch(as->owner, site, old, new, 7) == 0 ? ST_PATCHED : ST_NEVER;
out:
	pthread_mutex_unlock(&patch_lock);
}

bool systrap_patch_sigill(struct as *as, struct user_regs_struct *regs)
{
	if (!systrap_patch_on || !as->owner || regs->rip < 5)
		return false;
	uint64_t site = regs->rip - 5;
	uint8_t b[7];
	if (mm_text_read(as->owner, site, b, 7) < 0 || b[0] != 0xff || b[1] != 0x24 ||
	    b[2] != 0x25)
		return false;
	uint32_t t = get32(b + 3);
	if (t < TRAP_TABLE_ADDR || t >= TRAP_TABLE_ADDR + TRAP_TABLE_SIZE || t % 8)
		return false;
	unsigned i = (t - TRAP_TABLE_ADDR) / 8;
	pthread_mutex_lock(&patch_lock);
	bool ours = i < ntraps && traps[i].site == site;
	pthread_mutex_unlock(&patch_lock);
	if (!ours)
		return false;
	/* What the syscall instruction at site + 5 would have done. */
	regs->orig_rax = regs->rax;
	regs->rax = (uint64_t)-ENOSYS;
	regs->rip = site + 7;
	regs->rcx = site + 7;
	regs->r11 = regs->eflags;
	return true;
}

void systrap_patch_disable(struct as *as)
{
	pthread_mutex_lock(&patch_lock);
	if (!as->patch_off) {
		as->patch_off = true;
		for (unsigned i = 0; as->owner && i < ntraps; i++) {
			uint8_t jmp[7], orig[7];
			jmp_bytes(i, jmp);
			memcpy(orig, traps[i].insn, 5);
			orig[5] = 0x0f;
			orig[6] = 0x05;
			mm_text_patch(as->owner, traps[i].site, jmp, orig, 7);
		}
	}
	pthread_mutex_unlock(&patch_lock);
}

void systrap_patch_release(struct as *as)
{
	free(as->site_key);
	free(as->site_n);
	as->site_key = NULL;
	as->site_n = NULL;
	as->site_cap = as->site_used = 0;
}
