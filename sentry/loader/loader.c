/* sentry/loader/loader.c: the loading half of execve.
 *
 * loader_exec() maps an ELF image into a fresh mm, places brk, maps the
 * stack and builds the initial stack exactly as Linux's create_elf_tables
 * does, then sets the first registers. The layout, from the top down:
 *
 *   top (page aligned, max_addr minus a random gap)
 *   8 zero bytes
 *   execfn string (AT_EXECFN)
 *   envp strings, envp[0] lowest
 *   argv strings, argv[0] lowest              <- arg_start
 *   0..8191 random bytes, then 16-byte aligned (arch_align_stack)
 *   "x86_64\0" (AT_PLATFORM)
 *   16 random bytes (AT_RANDOM)
 *   zero padding from the alignment below
 *   auxv pairs, ending in AT_NULL
 *   envp pointers, NULL
 *   argv pointers, NULL
 *   argc                                      <- rsp, 16-byte aligned
 *
 * Guest memory is written with mm_poke only. The file comes through
 * struct loader_file; every length used is one elf_parse() checked, and
 * reads that come up short are -ENOEXEC. An image is mapped at a bias by
 * load_image(); a PT_INTERP interpreter (ld.so) is loaded the same way
 * below mmap_base, AT_BASE is its bias and the program starts at its
 * entry. */
#include <cpuid.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/user.h>
#undef PAGE_SIZE	/* <sys/user.h>'s; sentry/mm/memfile.h has its own */
#undef PAGE_MASK
#include "sentry/loader/loader.h"
#include "sentry/loader/vdso.h"
#include "sentry/mm/mm.h"

#define HEAD_READ PAGE_SIZE		/* first read: ELF header + phdrs */
#define LOAD_CHUNK (64 * 1024)		/* file bytes copied per pread */
#define MMAP_MIN_ADDR 0x10000UL		/* Linux's vm.mmap_min_addr */
#define DYN_RND_MAX (1UL << 28)		/* random part of a static-pie bias */
#define DYN_ALIGN_MAX (1UL << 30)	/* largest p_align honoured */
#define BRK_RND_MAX (1UL << 25)		/* arch_randomize_brk: 32 MiB */
#define STACK_RND_MAX (1UL << 24)	/* random gap above the stack top */
#define STACK_SP_RND 8192		/* arch_align_stack */
#define STACK_DEFAULT (8UL << 20)	/* _STK_LIM, when stack_limit is 0 */
#define STACK_MAP_MAX (1UL << 30)	/* initial stack VMA at most */
#define STACK_EXPAND (128UL << 10)	/* room left beyond the arguments */
#define STACK_GUARD_GAP (256 * PAGE_SIZE) /* kept free below the stack */
/* An image with at most this many file bytes is mirrored whole before it
 * runs (read in one go: most of a small program's pages are touched at
 * start anyway); a larger one, only the 64 KiB around its entry point. */
#define WARM_IMAGE_MAX (2UL << 20)
#define WARM_ENTRY (64UL << 10)
#define WARM_STACK_BELOW (4 * PAGE_SIZE)
#define ARG_STRLEN_MAX (32 * PAGE_SIZE)	/* MAX_ARG_STRLEN, with the NUL */
#define ARG_STRINGS_MAX 0x7fffffffUL	/* MAX_ARG_STRINGS */
#define ARG_SPACE_MIN (32 * PAGE_SIZE)	/* ARG_MAX: granted whatever rlimit */
#define AUXV_WORDS 64			/* sizeof(mm->auxv) / 8 */
#define PLATFORM "x86_64"
#define HWCAP2_FSGSBASE (1UL << 1)

static int fail(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

/* Random bytes from the host. */
static int get_random(void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A page-aligned value in [0, max) from the random r; max is a nonzero
 * multiple of the page size. */
static uint64_t rnd_pages(uint64_t r, uint64_t max)
{
	return (r % (max / PAGE_SIZE)) * PAGE_SIZE;
}

/* Up to len bytes at off, stopping early only at end of file. */
static ssize_t read_upto(struct loader_file *f, void *buf, size_t len,
			 uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = f->pread(f->priv, (char *)buf + got, len - got,
				     off + got);
		if (n < 0)
			return n;
		if (n == 0 || (size_t)n > len - got)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Exactly len bytes at off; -ENOEXEC when the file ends before. */
static int read_exact(struct loader_file *f, void *buf, size_t len,
		      uint64_t off, const char **why)
{
	ssize_t n = read_upto(f, buf, len, off);

	if (n < 0)
		return (int)n;
	if ((size_t)n != len)
		return fail(why, "file shorter than its headers say",
			    -ENOEXEC);
	return 0;
}

/* Read and validate the headers of f. */
static int read_headers(struct loader_file *f, struct elf_image *img,
			const char **why)
{
	_Static_assert(HEAD_READ >= sizeof(Elf64_Ehdr), "HEAD_READ");
	char head[HEAD_READ];
	const Elf64_Ehdr *eh = &img->ehdr;
	uint64_t phsize;
	ssize_t n;
	int r;

	n = read_upto(f, head, sizeof(head), 0);
	if (n < 0)
		return (int)n;
	r = elf_parse_ehdr(head, (size_t)n, f->size, img, why);
	if (r)
		return r;
	phsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_phoff <= (uint64_t)n && phsize <= (uint64_t)n - eh->e_phoff)
		return elf_parse_phdrs(img, head + eh->e_phoff, f->size, why);
	/* The table lies further in; it fits in head (64 * 56 bytes). */
	_Static_assert(ELF_MAX_PHDRS * sizeof(Elf64_Phdr) <= HEAD_READ,
		      "phdrs fit in head");
	r = read_exact(f, head, phsize, eh->e_phoff, why);
	if (r)
		return r;
	return elf_parse_phdrs(img, head, f->size, why);
}

static int elf_prot(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) |
	       (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

/* What mapping an image produced. Addresses are biased. */
struct elf_load {
	uint64_t bias;
	uint64_t entry;
	uint64_t phdr;		/* AT_PHDR */
	uint64_t start_code, end_code, start_data, end_data;
};

/* Map one PT_LOAD at bias and copy its file bytes in. Like Linux's file
 * mapping, the bytes of the first page before p_vaddr come from the file
 * too, and so do those after p_filesz up to the end of the last page when
 * the segment has no bss (else they stay zero, like padzero()). Anonymous
 * memory is zero, which is the bss. */
/* With the file's memory object: the file pages of the segment are
 * mapped privately (copy-on-write over the page cache), the bytes after
 * p_filesz in its last page zeroed (a private copy of that page) when
 * there is bss, and the rest of the bss is anonymous memory. */
static int map_segment(struct mm *mm, struct mobj *obj, struct vm_file *file,
		       const Elf64_Phdr *ph, uint64_t bias, const char **why)
{
	uint64_t pageoff = ph->p_vaddr & (PAGE_SIZE - 1);
	uint64_t start = PAGE_ALIGN_DOWN(ph->p_vaddr) + bias;
	uint64_t end = PAGE_ALIGN_UP(ph->p_vaddr + ph->p_memsz) + bias;
	uint64_t off = ph->p_offset - pageoff;
	uint64_t filelen = PAGE_ALIGN_UP(pageoff + ph->p_filesz);
	int prot = elf_prot(ph->p_flags);
	int64_t addr = mm_mmap_file(mm, start, filelen, prot, MAP_PRIVATE | MAP_FIXED, obj, off, 0,
				    file);
	if (addr < 0)
		return fail(why, "cannot map a segment", (int)addr);
	if (ph->p_memsz > ph->p_filesz) {
		uint64_t tail = (pageoff + ph->p_filesz) & (PAGE_SIZE - 1);
		if (tail) {
			static const char zeros[PAGE_SIZE];
			int e = mm_poke(mm, start + pageoff + ph->p_filesz, zeros, PAGE_SIZE - tail);
			if (e)
				return fail(why, "cannot write a segment", e);
		}
		if (start + filelen < end) {
			addr = mm_mmap(mm, start + filelen, end - start - filelen, prot,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
			if (addr < 0)
				return fail(why, "cannot map a segment", (int)addr);
		}
	}
	return 0;
}

static int load_segment(struct mm *mm, struct loader_file *f,
			const Elf64_Phdr *ph, uint64_t bias, void *chunk,
			const char **why)
{
	uint64_t pageoff = ph->p_vaddr & (PAGE_SIZE - 1);
	uint64_t start = PAGE_ALIGN_DOWN(ph->p_vaddr) + bias;
	uint64_t end = PAGE_ALIGN_UP(ph->p_vaddr + ph->p_memsz) + bias;
	uint64_t off, len, done, avail;
	int64_t addr;

	if (ph->p_filesz && f->obj) {
		struct mobj *obj = f->obj(f->priv);
		if (obj) {
			int r = map_segment(mm, obj, f->file, ph, bias, why);
			mobj_put(obj);
			return r;
		}
	}

	/* The pages holding file bytes name the file, as a file mapping
	 * would; the rest of the bss is plain anonymous memory. */
	off = ph->p_offset - pageoff;
	uint64_t filelen = ph->p_filesz ? PAGE_ALIGN_UP(pageoff + ph->p_filesz) : 0;
	if (filelen > end - start)
		filelen = end - start;
	if (filelen) {
		addr = mm_mmap_file(mm, start, filelen, elf_prot(ph->p_flags),
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, off, 0, f->file);
		if (addr < 0)
			return fail(why, "cannot map a segment", (int)addr);
	}
	if (start + filelen < end) {
		addr = mm_mmap(mm, start + filelen, end - start - filelen, elf_prot(ph->p_flags),
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		if (addr < 0)
			return fail(why, "cannot map a segment", (int)addr);
	}
	if (!ph->p_filesz)
		return 0;
	/* elf_parse: p_offset ≡ p_vaddr (mod page), so p_offset >= pageoff,
	 * and p_offset + p_filesz <= f->size. */
	len = pageoff + ph->p_filesz;
	if (ph->p_memsz == ph->p_filesz) {
		avail = f->size - off;
		len = PAGE_ALIGN_UP(len);
		if (len > avail)
			len = avail;
	}
	for (done = 0; done < len;) {
		size_t n = len - done > LOAD_CHUNK ? LOAD_CHUNK
						   : (size_t)(len - done);
		int e = read_exact(f, chunk, n, off + done, why);
		if (e)
			return e;
		e = mm_poke(mm, start + done, chunk, n);
		if (e)
			return fail(why, "cannot write a segment", e);
		done += n;
	}
	return 0;
}

/* AT_PHDR before biasing: PT_PHDR, else the PT_LOAD holding the table in
 * the file (Linux), else 0. */
static uint64_t phdr_vaddr(const struct elf_image *img)
{
	uint64_t phoff = img->ehdr.e_phoff;
	int i;

	if (img->phdr_index >= 0)
		return img->phdrs[img->phdr_index].p_vaddr;
	for (i = 0; i < img->nphdrs; i++) {
		const Elf64_Phdr *ph = &img->phdrs[i];
		if (ph->p_type == PT_LOAD && ph->p_offset <= phoff &&
		    phoff - ph->p_offset < ph->p_filesz)
			return phoff - ph->p_offset + ph->p_vaddr;
	}
	return 0;
}

/* Map every PT_LOAD of img at bias (the caller checked that
 * [lo + bias, hi + bias) is free and in range) and describe the result. */
static int load_image(struct mm *mm, struct loader_file *f,
		      const struct elf_image *img, uint64_t bias,
		      struct elf_load *out, const char **why)
{
	uint64_t start_code = ~0ULL, end_code = 0;
	uint64_t start_data = 0, end_data = 0;
	void *chunk;
	int i, r = 0;

	chunk = malloc(LOAD_CHUNK);
	if (!chunk)
		return -ENOMEM;
	for (i = 0; i < img->nphdrs; i++) {
		const Elf64_Phdr *ph = &img->phdrs[i];
		uint64_t k;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		r = load_segment(mm, f, ph, bias, chunk, why);
		if (r)
			break;
		/* As load_elf_binary computes them. */
		k = ph->p_vaddr;
		if ((ph->p_flags & PF_X) && k < start_code)
			start_code = k;
		if (start_data < k)
			start_data = k;
		k = ph->p_vaddr + ph->p_filesz;
		if ((ph->p_flags & PF_X) && end_code < k)
			end_code = k;
		if (end_data < k)
			end_data = k;
	}
	free(chunk);
	if (r)
		return r;
	if (start_code == ~0ULL)	/* no executable segment */
		start_code = end_code = img->lo;
	out->bias = bias;
	out->entry = img->ehdr.e_entry + bias;
	out->phdr = phdr_vaddr(img) + bias;
	out->start_code = start_code + bias;
	out->end_code = end_code + bias;
	out->start_data = start_data + bias;
	out->end_data = end_data + bias;
	return 0;
}

/* The largest power-of-two p_align of the PT_LOADs, at least a page
 * (Linux's maximum_alignment). */
static uint64_t image_align(const struct elf_image *img)
{
	uint64_t align = PAGE_SIZE;
	int i;

	for (i = 0; i < img->nphdrs; i++) {
		uint64_t a = img->phdrs[i].p_align;
		if (img->phdrs[i].p_type != PT_LOAD || (a & (a - 1)))
			continue;
		if (a > align && a <= DYN_ALIGN_MAX)
			align = a;
	}
	return align;
}

/* Choose the bias of img so that it lies in [MMAP_MIN_ADDR, limit).
 * ET_EXEC stays where it is; ET_DYN goes at 2/3 of the address space plus
 * a random offset (ELF_ET_DYN_BASE), or as low as it can if that does not
 * fit. */
static int place_image(const struct mm *mm, const struct elf_image *img,
		       uint64_t limit, uint64_t rnd, uint64_t *bias,
		       const char **why)
{
	uint64_t extent = img->hi - img->lo, start, align;

	if (img->ehdr.e_type == ET_EXEC) {
		if (img->hi > mm->max_addr)
			return fail(why, "segment above the guest address "
				    "space", -ENOEXEC);
		if (img->lo < MMAP_MIN_ADDR)
			return fail(why, "segment below the lowest mappable "
				    "address", -ENOEXEC);
		if (img->hi > limit)
			return fail(why, "program overlaps the stack",
				    -ENOMEM);
		*bias = 0;
		return 0;
	}
	align = image_align(img);
	start = PAGE_ALIGN_DOWN(mm->max_addr / 3 * 2) +
		rnd_pages(rnd, DYN_RND_MAX);
	start &= ~(align - 1);
	if (start < MMAP_MIN_ADDR || start > limit ||
	    extent > limit - start) {
		start = (MMAP_MIN_ADDR + align - 1) & ~(align - 1);
		if (start > limit || extent > limit - start)
			return fail(why, "program too large for the address "
				    "space", -ENOMEM);
	}
	*bias = start - img->lo;	/* modulo 2^64: lo + bias == start */
	return 0;
}

/* argv or envp, counted and measured. */
struct strvec {
	char *const *v;
	size_t n;
	uint64_t bytes;		/* of the strings, NULs included */
};

/* Count v into sv, adding to *used (bytes of strings and pointers) and
 * failing with -E2BIG past limit or for a string of MAX_ARG_STRLEN. */
static int strvec_count(char *const *v, struct strvec *sv, uint64_t limit,
			uint64_t *used)
{
	sv->v = v;
	sv->n = 0;
	sv->bytes = 0;
	if (!v)
		return 0;
	for (; v[sv->n]; sv->n++) {
		size_t len = strnlen(v[sv->n], ARG_STRLEN_MAX);
		if (len >= ARG_STRLEN_MAX || sv->n >= ARG_STRINGS_MAX)
			return -E2BIG;
		sv->bytes += len + 1;
		*used += len + 1 + sizeof(uint64_t);
		if (*used > limit)
			return -E2BIG;
	}
	return 0;
}

/* The strings of the initial stack and the limits on them. */
struct stack_args {
	struct strvec argv, envp;
	const char *execfn;
	size_t execfn_len;
	uint64_t limit;		/* bytes of strings and pointers allowed */
	uint64_t size;		/* of the stack VMA */
};

/* Linux's bprm_stack_limits and copy_strings checks, before anything is
 * mapped: strings plus pointers within a quarter of the stack limit (at
 * most 6 MiB, at least ARG_MAX), each string shorter than MAX_ARG_STRLEN.
 * An empty argv becomes { "" } like Linux. */
static int stack_args_init(struct stack_args *sa, struct mm *mm,
			   struct loader_file *f,
			   const struct loader_args *args)
{
	static char empty[] = "";
	static char *const empty_argv[] = { empty, NULL };
	uint64_t rlim = mm->stack_limit ? mm->stack_limit : STACK_DEFAULT;
	uint64_t used;
	int r;

	sa->limit = STACK_DEFAULT / 4 * 3;
	if (sa->limit > rlim / 4)
		sa->limit = rlim / 4;
	if (sa->limit < ARG_SPACE_MIN)
		sa->limit = ARG_SPACE_MIN;
	sa->execfn = args->execfn ? args->execfn : f->path ? f->path : "";
	sa->execfn_len = strnlen(sa->execfn, ARG_STRLEN_MAX);
	if (sa->execfn_len >= ARG_STRLEN_MAX)
		return -E2BIG;
	used = sa->execfn_len + 1;
	r = strvec_count(args->argv, &sa->argv, sa->limit, &used);
	if (r)
		return r;
	if (!sa->argv.n)
		r = strvec_count(empty_argv, &sa->argv, sa->limit, &used);
	if (!r)
		r = strvec_count(args->envp, &sa->envp, sa->limit, &used);
	if (r)
		return r;
	/* The VMA: the stack rlimit (8 MiB if unset, at most 1 GiB), and
	 * always room for the arguments, the tables and STACK_EXPAND. */
	sa->size = mm->stack_limit ? mm->stack_limit : STACK_DEFAULT;
	if (sa->size > STACK_MAP_MAX)
		sa->size = STACK_MAP_MAX;
	sa->size = PAGE_ALIGN_UP(sa->size);
	if (sa->size < PAGE_ALIGN_UP(sa->limit) + STACK_EXPAND + 4 * PAGE_SIZE)
		sa->size = PAGE_ALIGN_UP(sa->limit) + STACK_EXPAND +
			   4 * PAGE_SIZE;
	return 0;
}

/* Inputs of the auxiliary vector. */
struct auxv_info {
	const struct elf_image *img;
	const struct elf_load *load;
	uint64_t at_base;
	uint64_t at_random, at_execfn, at_platform;
	uint64_t at_sysinfo_ehdr;	/* the vDSO, 0 without one */
};

/* The largest signal frame, as Linux's init_sigframe_size computes it:
 * sizeof(struct rt_sigframe) (440) + 15 bytes of alignment + the XSAVE
 * area of the enabled features (CPUID 0xD.0 EBX) + FP_XSTATE_MAGIC2_SIZE
 * (4) + 63 bytes of XSAVE alignment, rounded up to 16. Without XSAVE the
 * area is the 512-byte FXSAVE one. */
static uint64_t minsigstksz(void)
{
	unsigned a, b, c, d;
	uint64_t fpsize = 512;

	if (__get_cpuid_max(0, NULL) >= 0xd &&
	    __get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE)) {
		__cpuid_count(0xd, 0, a, b, c, d);
		if (b >= 512)
			fpsize = (uint64_t)b + 4;
	}
	return (440 + 15 + fpsize + 63 + 15) & ~15ULL;
}

static uint64_t hwcap(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	return d;
}

/* AT_HWCAP2: only FSGSBASE, and only when the host kernel grants it
 * (the guest runs on the host CPU with the host's CR4). */
static uint64_t hwcap2(void)
{
	return getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE;
}

/* Fill v with the auxv pairs in Linux's order, ending in AT_NULL; the
 * number of words. */
static size_t auxv_build(uint64_t *v, const struct auxv_info *ai)
{
	size_t n = 0;
#define AUX(type, val) do { v[n++] = (type); v[n++] = (val); } while (0)
	if (ai->at_sysinfo_ehdr)
		AUX(AT_SYSINFO_EHDR, ai->at_sysinfo_ehdr);
	AUX(AT_MINSIGSTKSZ, minsigstksz());
	AUX(AT_HWCAP, hwcap());
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, ai->load->phdr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, ai->img->ehdr.e_phnum);
	AUX(AT_BASE, ai->at_base);	/* the interpreter's bias */
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, ai->load->entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, ai->at_random);
	AUX(AT_HWCAP2, hwcap2());
	AUX(AT_EXECFN, ai->at_execfn);
	AUX(AT_PLATFORM, ai->at_platform);
	AUX(AT_NULL, 0);
#undef AUX
	return n;
}

/* Copy the strings of sv to guest address addr (buf mirrors the guest
 * range starting at base) and their addresses to ptrs; the end address. */
static uint64_t put_strings(char *buf, uint64_t base, uint64_t addr,
			    const struct strvec *sv, uint64_t *ptrs)
{
	size_t i;

	for (i = 0; i < sv->n; i++) {
		size_t len = strlen(sv->v[i]) + 1;
		memcpy(buf + (addr - base), sv->v[i], len);
		ptrs[i] = addr;
		addr += len;
	}
	ptrs[sv->n] = 0;
	return addr;
}

/* Random values for one exec, drawn with one getrandom. */
struct exec_rnd {
	uint64_t stack_gap, sp_off, bias, brk, interp;
	uint8_t at_random[16];
};

/* Map the stack VMA [top - size, top) and write the initial stack into
 * it; the new rsp. */
static int stack_build(struct mm *mm, const struct stack_args *sa,
		       uint64_t top, const struct exec_rnd *rnd,
		       const struct elf_image *img,
		       const struct elf_load *load, uint64_t at_base, uint64_t vdso,
		       uint64_t *rsp)
{
	_Static_assert(AUXV_WORDS * sizeof(uint64_t) == sizeof(mm->auxv),
		      "AUXV_WORDS");
	uint64_t auxv[AUXV_WORDS];
	struct auxv_info ai = { .img = img, .load = load, .at_base = at_base,
				.at_sysinfo_ehdr = vdso };
	uint64_t execfn, env_start, arg_start, p, sp, items, *words;
	size_t nauxv, size;
	char *buf;
	int prot = PROT_READ | PROT_WRITE | (img->exec_stack ? PROT_EXEC : 0);
	int64_t addr;
	int r;

	/* Strings, from the top down. stack_args_init bounded their
	 * total to sa->limit, far below sa->size. */
	execfn = top - sizeof(uint64_t) - (sa->execfn_len + 1);
	env_start = execfn - sa->envp.bytes;
	arg_start = env_start - sa->argv.bytes;
	p = (arg_start - rnd->sp_off % STACK_SP_RND) & ~15ULL;
	ai.at_platform = p - sizeof(PLATFORM);
	ai.at_random = ai.at_platform - sizeof(rnd->at_random);
	ai.at_execfn = execfn;
	nauxv = auxv_build(auxv, &ai);
	items = (sa->argv.n + 1) + (sa->envp.n + 1) + 1;
	sp = ai.at_random - nauxv * sizeof(uint64_t);
	sp = (sp - items * sizeof(uint64_t)) & ~15ULL;
	size = top - sp;

	buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	words = (uint64_t *)buf;	/* sp is 16-byte aligned */
	words[0] = sa->argv.n;
	put_strings(buf, sp, arg_start, &sa->argv, words + 1);
	put_strings(buf, sp, env_start, &sa->envp, words + 1 + sa->argv.n + 1);
	memcpy(words + items, auxv, nauxv * sizeof(uint64_t));
	memcpy(buf + (ai.at_random - sp), rnd->at_random,
	       sizeof(rnd->at_random));
	memcpy(buf + (ai.at_platform - sp), PLATFORM, sizeof(PLATFORM));
	memcpy(buf + (execfn - sp), sa->execfn, sa->execfn_len);

	addr = mm_mmap(mm, top - sa->size, sa->size, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN |
		       MAP_STACK, NULL, 0);
	r = addr < 0 ? (int)addr : mm_poke(mm, sp, buf, size);
	free(buf);
	if (r)
		return r;

	mm->stack_start = top - sa->size;
	mm->arg_start = arg_start;
	mm->arg_end = mm->env_start = env_start;
	mm->env_end = execfn;
	memcpy(mm->auxv, auxv, nauxv * sizeof(uint64_t));
	mm->auxv_len = nauxv;
	*rsp = sp;
	return 0;
}

/* Read the PT_INTERP path of img, open it with args->open_interp and
 * read its headers into iimg. The interpreter must itself be static. */
static int open_interp(struct loader_file *f, const struct elf_image *img,
		       const struct loader_args *args, struct loader_file *out,
		       struct elf_image *iimg, const char **why)
{
	const Elf64_Phdr *ph = &img->phdrs[img->interp_index];
	char path[PATH_MAX];
	int r;

	if (!args->open_interp)
		return fail(why, "dynamically linked programs need the VFS "
			    "to open their interpreter", -ENOEXEC);
	/* elf_parse bounded p_filesz to the file and to PATH_MAX. */
	if (ph->p_filesz < 2 || ph->p_filesz > sizeof(path))
		return fail(why, "bad interpreter path", -ENOEXEC);
	r = read_exact(f, path, ph->p_filesz, ph->p_offset, why);
	if (r)
		return r;
	if (path[ph->p_filesz - 1] != 0 || strlen(path) != ph->p_filesz - 1)
		return fail(why, "interpreter path not a C string", -ENOEXEC);
	r = args->open_interp(args->ctx, path, out);
	if (r)
		return fail(why, "cannot open the interpreter", r);
	r = read_headers(out, iimg, why);
	if (r == 0 && iimg->interp_index >= 0)
		r = fail(why, "the interpreter wants an interpreter", -ELIBBAD);
	if (r == 0 && iimg->ehdr.e_type != ET_DYN)
		r = fail(why, "the interpreter is not position independent",
			 -ELIBBAD);
	if (r && args->close_interp)
		args->close_interp(args->ctx, out);
	return r;
}

/* The bias of the interpreter: below mmap_base (where Linux's mmap would
 * put it), a random number of pages lower, clear of the program. */
static int place_interp(const struct mm *mm, const struct elf_image *iimg,
			uint64_t limit, uint64_t prog_lo, uint64_t prog_hi,
			uint64_t rnd, uint64_t *bias, const char **why)
{
	uint64_t extent = iimg->hi - iimg->lo, align = image_align(iimg);
	uint64_t top = mm->mmap_base < limit ? mm->mmap_base : limit;
	uint64_t r = rnd_pages(rnd, DYN_RND_MAX), start;

	if (top < extent + r + MMAP_MIN_ADDR)
		r = 0;
	if (top < extent + MMAP_MIN_ADDR)
		return fail(why, "no room for the interpreter", -ENOMEM);
	start = (top - extent - r) & ~(align - 1);
	if (start < prog_hi && start + extent > prog_lo)
		start = (prog_lo - extent) & ~(align - 1);
	if (start < MMAP_MIN_ADDR || start > top)
		return fail(why, "no room for the interpreter", -ENOMEM);
	*bias = start - iimg->lo;
	return 0;
}

/* What of an image its first instructions will touch (see mm_warm). */
static void warm_image(struct mm *mm, const struct elf_image *img, uint64_t bias,
		       uint64_t entry)
{
	uint64_t bytes = 0;
	for (int i = 0; i < img->nphdrs; i++)
		if (img->phdrs[i].p_type == PT_LOAD)
			bytes += img->phdrs[i].p_filesz;
	if (bytes <= WARM_IMAGE_MAX)
		mm_warm(mm, img->lo + bias, img->hi + bias);
	else
		mm_warm(mm, entry & ~(WARM_ENTRY - 1), (entry & ~(WARM_ENTRY - 1)) + WARM_ENTRY);
}

int loader_exec(struct mm *mm, struct loader_file *f,
		const struct loader_args *args,
		struct user_regs_struct *regs, const char **why)
{
	struct elf_image *img, *iimg;
	struct elf_load load, iload = { 0 };
	struct loader_file interp;
	bool have_interp = false;
	struct stack_args sa;
	struct exec_rnd rnd;
	uint64_t gap, top, limit, bias, brk, rsp;
	int r;

	if (why)
		*why = NULL;
	img = malloc(sizeof(*img));
	iimg = malloc(sizeof(*iimg));
	if (!img || !iimg) {
		free(img);
		free(iimg);
		return -ENOMEM;
	}
	r = read_headers(f, img, why);
	if (r)
		goto out;
	if (img->interp_index >= 0) {
		r = open_interp(f, img, args, &interp, iimg, why);
		if (r)
			goto out;
		have_interp = true;
	}
	r = stack_args_init(&sa, mm, f, args);
	if (r) {
		fail(why, "argument list too long", r);
		goto out;
	}
	r = get_random(&rnd, sizeof(rnd));
	if (r)
		goto out;

	/* The stack at the top, then the image below it. */
	gap = PAGE_SIZE + rnd_pages(rnd.stack_gap, STACK_RND_MAX);
	top = PAGE_ALIGN_DOWN(mm->max_addr);
	if (top < gap + sa.size + STACK_GUARD_GAP + MMAP_MIN_ADDR) {
		r = fail(why, "address space too small for the stack",
			 -ENOMEM);
		goto out;
	}
	top -= gap;
	limit = top - sa.size - STACK_GUARD_GAP;
	r = place_image(mm, img, limit, rnd.bias, &bias, why);
	if (r)
		goto out;
	if (img->ehdr.e_entry + bias >= mm->max_addr) {
		r = fail(why, "entry point outside the address space",
			 -ENOEXEC);
		goto out;
	}
	r = load_image(mm, f, img, bias, &load, why);
	if (r)
		goto out;
	if (have_interp) {
		uint64_t ibias;
		r = place_interp(mm, iimg, limit, img->lo + bias, img->hi + bias,
				 rnd.interp, &ibias, why);
		if (r == 0)
			r = load_image(mm, &interp, iimg, ibias, &iload, why);
		if (r)
			goto out;
		if (iload.entry >= mm->max_addr) {
			r = fail(why, "interpreter entry outside the address space",
				 -ENOEXEC);
			goto out;
		}
	}

	/* brk just above the image, randomized when there is room. */
	brk = img->hi + bias;
	if (limit - brk > BRK_RND_MAX)
		brk += rnd_pages(rnd.brk, BRK_RND_MAX);
	mm->brk_start = mm->brk = brk;
	mm->start_code = load.start_code;
	mm->end_code = load.end_code;
	mm->start_data = load.start_data;
	mm->end_data = load.end_data;

	int64_t vdso = vdso_map(mm);
	if (vdso < 0) {
		r = fail(why, "cannot map the vDSO", (int)vdso);
		goto out;
	}
	r = stack_build(mm, &sa, top, &rnd, img, &load,
			have_interp ? iload.bias : 0, (uint64_t)vdso, &rsp);
	if (r) {
		fail(why, "cannot build the stack", r);
		goto out;
	}
	warm_image(mm, img, bias, load.entry);
	if (have_interp)
		warm_image(mm, iimg, iload.bias, iload.entry);
	/* The initial stack, written above, and the pages below it that
	 * libc's start pushes into. */
	mm_warm(mm, rsp - WARM_STACK_BELOW, top);
	memset(regs, 0, sizeof(*regs));
	regs->rip = have_interp ? iload.entry : load.entry;
	regs->rsp = rsp;
	regs->eflags = 0x202;
	regs->cs = 0x33;
	regs->ss = 0x2b;
out:
	if (have_interp && args->close_interp)
		args->close_interp(args->ctx, &interp);
	free(img);
	free(iimg);
	return r;
}
