/* tests/unit/test_elf.c: the ELF parser and loader on valid and hostile
 * files.
 *
 * elf_parse() on a minimal valid header built in memory, on each kind of
 * malformed header (each must be -ENOEXEC with a reason), on 20000 random
 * mutations (never a crash, and what it accepts keeps its promises), and on
 * /bin/busybox. loader_exec() into a real mm: segment contents, bss, brk,
 * the initial stack and auxv, static-pie bias, E2BIG, PT_INTERP, files
 * shorter than their headers, and mutated images. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/user.h>
#undef PAGE_SIZE	/* <sys/user.h>'s; sentry/mm/memfile.h has its own */
#undef PAGE_MASK
#include "sentry/loader/loader.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

#define FILE_SIZE 0x2000
#define TEXT_VADDR 0x400000ULL
#define DATA_OFF 0x1800ULL
#define DATA_VADDR 0x402800ULL
#define DATA_FILESZ 0x100ULL
#define DATA_MEMSZ 0x3000ULL
#define ENTRY_OFF 0x1000ULL

static struct elf_image img;

/* A file of FILE_SIZE bytes: the ELF header, three program headers (text
 * R-X from offset 0, data RW- with bss, PT_GNU_STACK) and a byte pattern.
 * ET_DYN puts the text at vaddr 0. */
static void make_elf(uint8_t *buf, int type)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	uint64_t base = type == ET_EXEC ? TEXT_VADDR : 0;
	size_t i;

	for (i = 0; i < FILE_SIZE; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	memset(buf, 0, sizeof(*eh) + 3 * sizeof(*ph));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = type;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = base + ENTRY_OFF;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 3;
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
			      .p_offset = 0, .p_vaddr = base, .p_paddr = base,
			      .p_filesz = 0x1010, .p_memsz = 0x1010,
			      .p_align = 0x1000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
			      .p_offset = DATA_OFF,
			      .p_vaddr = base + DATA_VADDR - TEXT_VADDR,
			      .p_filesz = DATA_FILESZ, .p_memsz = DATA_MEMSZ,
			      .p_align = 0x1000 };
	ph[2] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
}

static Elf64_Ehdr *ehdr(uint8_t *buf) { return (Elf64_Ehdr *)buf; }
static Elf64_Phdr *phdr(uint8_t *buf, int i)
{
	return (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr)) + i;
}

static void expect_noexec(const uint8_t *buf, size_t len, uint64_t size)
{
	const char *why = NULL;
	int r = elf_parse(buf, len, size, &img, &why);

	cr_assert_eq(r, -ENOEXEC, "parse gave %d", r);
	cr_assert_not_null(why);
}

Test(elf_parse, valid)
{
	uint8_t buf[FILE_SIZE];
	const char *why = NULL;

	make_elf(buf, ET_EXEC);
	cr_assert_eq(elf_parse(buf, sizeof(buf), sizeof(buf), &img, &why), 0,
		     "%s", why);
	cr_assert_eq(img.nphdrs, 3);
	cr_assert_eq(img.lo, TEXT_VADDR);
	cr_assert_eq(img.hi, 0x406000);
	cr_assert_eq(img.interp_index, -1);
	cr_assert_eq(img.phdr_index, -1);
	cr_assert(!img.exec_stack);
	cr_assert_eq(img.ehdr.e_entry, TEXT_VADDR + ENTRY_OFF);

	make_elf(buf, ET_DYN);
	cr_assert_eq(elf_parse(buf, sizeof(buf), sizeof(buf), &img, &why), 0,
		     "%s", why);
	cr_assert_eq(img.lo, 0);
	cr_assert_eq(img.hi, 0x6000);

	/* Only the headers in the buffer; the file is larger. */
	make_elf(buf, ET_EXEC);
	cr_assert_eq(elf_parse(buf, 64 + 3 * 56, sizeof(buf), &img, &why), 0);
	phdr(buf, 2)->p_flags |= PF_X;
	cr_assert_eq(elf_parse(buf, sizeof(buf), sizeof(buf), &img, &why), 0);
	cr_assert(img.exec_stack);
}

Test(elf_parse, truncated)
{
	uint8_t buf[FILE_SIZE];

	make_elf(buf, ET_EXEC);
	expect_noexec(buf, 0, 0);
	expect_noexec(buf, 10, 10);
	expect_noexec(buf, 63, 63);
	expect_noexec(buf, 63, FILE_SIZE);
	/* Header whole, program headers cut off. */
	expect_noexec(buf, 64 + 56, 64 + 56);
	/* A buffer longer than the file counts only up to the file size. */
	expect_noexec(buf, sizeof(buf), 63);
}

Test(elf_parse, bad_ident)
{
	uint8_t buf[FILE_SIZE];

	make_elf(buf, ET_EXEC);
	buf[1] = 'F';
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	buf[EI_CLASS] = ELFCLASS32;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	buf[EI_DATA] = ELFDATA2MSB;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	buf[EI_VERSION] = 0;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_version = 2;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
}

Test(elf_parse, bad_header_fields)
{
	uint8_t buf[FILE_SIZE];

	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_machine = EM_386;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_machine = EM_AARCH64;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_type = ET_REL;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_type = ET_CORE;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_phentsize = 32;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_phnum = 0;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_phnum = 65535;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_phnum = ELF_MAX_PHDRS + 1;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
}

Test(elf_parse, phoff)
{
	uint8_t buf[FILE_SIZE];

	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_phoff = FILE_SIZE;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_phoff = FILE_SIZE - 56;	/* 3 headers do not fit */
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_phoff = UINT64_MAX - 10;	/* phoff + size wraps */
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_phoff = UINT64_MAX - 3 * 56 + 1;
	expect_noexec(buf, sizeof(buf), UINT64_MAX);
	/* Within the file but not within the bytes given. */
	make_elf(buf, ET_EXEC);
	ehdr(buf)->e_phoff = 0x1000;
	expect_noexec(buf, 0x100, sizeof(buf));
}

Test(elf_parse, bad_segments)
{
	uint8_t buf[FILE_SIZE];

	make_elf(buf, ET_EXEC);
	phdr(buf, 1)->p_filesz = DATA_MEMSZ + 1;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 1)->p_filesz = FILE_SIZE - DATA_OFF + 1;	/* past EOF */
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 1)->p_offset = UINT64_MAX - 0x7ff;	/* offset+size wraps */
	phdr(buf, 1)->p_vaddr = 0x402800 - 0x1000;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 1)->p_vaddr = UINT64_MAX - 0xfff + 0x800;	/* wraps */
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 1)->p_vaddr = 0x800000000800ULL;	/* above 1 << 47 */
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 1)->p_memsz = UINT64_MAX;
	phdr(buf, 1)->p_filesz = 0;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 1)->p_vaddr += 8;	/* vaddr and offset disagree */
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 1)->p_offset += 0x10;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 1)->p_vaddr = 0x300800;	/* descending */
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 0)->p_vaddr = 0x1000;		/* extent of 1 << 46 */
	phdr(buf, 1)->p_vaddr = 0x400000000800ULL;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 0)->p_type = PT_NOTE;
	phdr(buf, 1)->p_type = PT_NULL;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	make_elf(buf, ET_EXEC);
	phdr(buf, 0)->p_memsz = 0;		/* empty PT_LOADs do not count */
	phdr(buf, 0)->p_filesz = 0;
	phdr(buf, 1)->p_memsz = 0;
	phdr(buf, 1)->p_filesz = 0;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
}

Test(elf_parse, interp)
{
	uint8_t buf[FILE_SIZE];
	const char *why = NULL;

	make_elf(buf, ET_EXEC);
	*phdr(buf, 2) = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0x200,
				      .p_filesz = UINT64_MAX };
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	phdr(buf, 2)->p_filesz = 4097;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	phdr(buf, 2)->p_filesz = 0;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	phdr(buf, 2)->p_filesz = 100;
	phdr(buf, 2)->p_offset = FILE_SIZE - 50;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	phdr(buf, 2)->p_offset = UINT64_MAX - 10;
	expect_noexec(buf, sizeof(buf), sizeof(buf));
	phdr(buf, 2)->p_offset = 0x200;
	cr_assert_eq(elf_parse(buf, sizeof(buf), sizeof(buf), &img, &why), 0);
	cr_assert_eq(img.interp_index, 2);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static const uint64_t interesting[] = {
	0, 1, 2, 0x38, 0x40, 0xfff, 0x1000, 0x1001, 0x7fffffff, 0x80000000,
	0xffffffff, 0x100000000ULL, 0x3fffffffffffULL, 0x400000000000ULL,
	0x7ffffffff000ULL, 0x800000000000ULL, 0x7fffffffffffffffULL,
	0x8000000000000000ULL, UINT64_MAX - 0xfff, UINT64_MAX - 1, UINT64_MAX,
};

/* Damage buf in a few random ways: bytes, 16-bit fields (e_phnum...) and
 * 64-bit fields set to random or boundary values. */
static void mutate(uint8_t *buf, size_t hdrlen)
{
	int n = 1 + (int)(rng() % 6);

	while (n--) {
		uint64_t v, pos = rng() % hdrlen;
		switch (rng() % 5) {
		case 0:
			buf[pos] = (uint8_t)rng();
			break;
		case 1:
			buf[pos] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 2:
			v = rng() % 0x50;
			memcpy(buf + (pos & ~1ULL), &v, 2);
			break;
		case 3:
			v = interesting[rng() % (sizeof(interesting) /
						 sizeof(interesting[0]))];
			if (pos > hdrlen - 8)
				pos = hdrlen - 8;
			memcpy(buf + (pos & ~7ULL), &v, 8);
			break;
		default:
			v = rng();
			if (pos > hdrlen - 8)
				pos = hdrlen - 8;
			memcpy(buf + (pos & ~7ULL), &v, 8);
			break;
		}
	}
}

/* What a successful parse promises the loader. */
static void check_promises(uint64_t size)
{
	int i, nload = 0;

	cr_assert(img.nphdrs >= 1 && img.nphdrs <= ELF_MAX_PHDRS);
	cr_assert(img.lo < img.hi);
	cr_assert(img.hi - img.lo < (1ULL << 46));
	cr_assert(img.hi <= (1ULL << 47));
	cr_assert(img.interp_index < img.nphdrs);
	cr_assert(img.phdr_index < img.nphdrs);
	for (i = 0; i < img.nphdrs; i++) {
		const Elf64_Phdr *ph = &img.phdrs[i];
		if (ph->p_type == PT_INTERP && i == img.interp_index)
			cr_assert(ph->p_filesz <= 4096 &&
				  ph->p_offset + ph->p_filesz <= size);
		if (ph->p_type != PT_LOAD)
			continue;
		cr_assert(ph->p_filesz <= ph->p_memsz);
		cr_assert(ph->p_offset <= size &&
			  ph->p_filesz <= size - ph->p_offset);
		cr_assert(ph->p_vaddr + ph->p_memsz >= ph->p_vaddr);
		cr_assert_eq((ph->p_vaddr - ph->p_offset) % PAGE_SIZE, 0);
		if (ph->p_memsz) {
			cr_assert(ph->p_vaddr >= img.lo);
			cr_assert(ph->p_vaddr + ph->p_memsz <= img.hi);
			nload++;
		}
	}
	cr_assert(nload > 0);
}

Test(elf_parse, fuzz)
{
	static uint8_t valid[FILE_SIZE], buf[FILE_SIZE];
	size_t hdrlen = sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr);
	int i, ok = 0;

	for (i = 0; i < 20000; i++) {
		const char *why = NULL;
		size_t len = FILE_SIZE;
		uint64_t size = FILE_SIZE;
		int r;

		make_elf(valid, i % 2 ? ET_DYN : ET_EXEC);
		memcpy(buf, valid, sizeof(buf));
		mutate(buf, hdrlen);
		if (rng() % 8 == 0)
			len = rng() % (hdrlen + 16);
		if (rng() % 8 == 0)
			size = rng() % 2 ? rng() : rng() % (FILE_SIZE * 2);
		r = elf_parse(buf, len, size, &img, &why);
		cr_assert(r == 0 || r == -ENOEXEC, "iteration %d: %d", i, r);
		if (r) {
			cr_assert_not_null(why, "iteration %d", i);
			continue;
		}
		check_promises(size);
		ok++;
	}
	/* The mutations are not all fatal: both paths ran. */
	cr_assert(ok > 100 && ok < 20000, "%d accepted", ok);
}

/* The whole of a host file, for parsing and loading. */
static uint8_t *slurp(const char *path, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t *data;
	off_t n;

	if (fd < 0)
		return NULL;
	n = lseek(fd, 0, SEEK_END);
	data = malloc((size_t)n);
	cr_assert(data);
	cr_assert_eq(pread(fd, data, (size_t)n, 0), n);
	close(fd);
	*size = (size_t)n;
	return data;
}

Test(elf_parse, busybox)
{
	uint8_t buf[4096];
	const char *why = NULL;
	int fd = open("/bin/busybox", O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		cr_skip_test("no /bin/busybox");
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq(pread(fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	close(fd);
	cr_assert_eq(elf_parse(buf, sizeof(buf), (uint64_t)st.st_size, &img,
			       &why), 0, "%s", why);
	cr_assert_eq(img.ehdr.e_type, ET_EXEC);
	cr_assert_eq(img.interp_index, -1);
}

/* loader_exec into a real mm. */

struct memsrc {
	const uint8_t *data;
	size_t size;		/* bytes that pread can return */
};

static ssize_t mem_pread(void *priv, void *buf, size_t len, uint64_t off)
{
	struct memsrc *m = priv;

	if (off >= m->size)
		return 0;
	if (len > m->size - off)
		len = m->size - off;
	/* Short reads on purpose, to exercise the loops. */
	if (len > 3000)
		len = 3000;
	memcpy(buf, m->data + off, len);
	return (ssize_t)len;
}

#define MAX_ADDR (1ULL << 47)

static struct mm *new_mm(uint64_t max_addr)
{
	static bool inited;
	struct mm *mm;

	if (!inited) {
		cr_assert_eq(memfile_init(1ULL << 32), 0);
		inited = true;
	}
	mm = mm_new(NULL, max_addr);
	cr_assert_not_null(mm);
	return mm;
}

static int exec_mem(struct mm *mm, const uint8_t *data, size_t size,
		    uint64_t claimed, char *const *argv, char *const *envp,
		    struct user_regs_struct *regs, const char **why)
{
	struct memsrc src = { data, size };
	struct loader_file f = { .priv = &src, .pread = mem_pread,
				 .size = claimed, .path = "/test/prog" };
	struct loader_args args = { .argv = argv, .envp = envp, .execfn = "/test/execfn" };

	return loader_exec(mm, &f, &args, regs, why);
}

static uint64_t peek64(struct mm *mm, uint64_t addr)
{
	uint64_t v;

	cr_assert_eq(copy_in(mm, &v, addr, 8), 0, "read at %#lx", addr);
	return v;
}

static void peek_str(struct mm *mm, uint64_t addr, char *buf, size_t max)
{
	cr_assert(copy_string_in(mm, buf, addr, max) >= 0, "string at %#lx",
		  addr);
}

/* Walk the initial stack at rsp and compare it with what was passed and
 * with mm->auxv. Returns AT_ENTRY. */
static uint64_t check_stack(struct mm *mm, uint64_t rsp, char *const *argv,
			    char *const *envp)
{
	char s[256];
	uint64_t a = rsp, argc, type, val, entry = 0, rnd = 0;
	size_t i, n = 0;
	bool seen_null = false;

	cr_assert_eq(rsp % 16, 0);
	argc = peek64(mm, a);
	a += 8;
	for (i = 0; argv[i]; i++, a += 8) {
		peek_str(mm, peek64(mm, a), s, sizeof(s));
		cr_assert_str_eq(s, argv[i]);
		if (i == 0)
			cr_assert_eq(peek64(mm, a), mm->arg_start);
	}
	cr_assert_eq(argc, i);
	cr_assert_eq(peek64(mm, a), 0);
	a += 8;
	for (i = 0; envp[i]; i++, a += 8) {
		peek_str(mm, peek64(mm, a), s, sizeof(s));
		cr_assert_str_eq(s, envp[i]);
		if (i == 0)
			cr_assert_eq(peek64(mm, a), mm->env_start);
	}
	cr_assert_eq(peek64(mm, a), 0);
	a += 8;
	while (!seen_null) {
		cr_assert(n + 2 <= mm->auxv_len);
		type = peek64(mm, a);
		val = peek64(mm, a + 8);
		cr_assert_eq(type, mm->auxv[n]);
		cr_assert_eq(val, mm->auxv[n + 1]);
		n += 2;
		a += 16;
		switch (type) {
		case AT_NULL: seen_null = true; break;
		case AT_PAGESZ: cr_assert_eq(val, 4096); break;
		case AT_CLKTCK: cr_assert_eq(val, 100); break;
		case AT_PHENT: cr_assert_eq(val, 56); break;
		case AT_ENTRY: entry = val; break;
		case AT_RANDOM: rnd = val; break;
		case AT_MINSIGSTKSZ: cr_assert(val >= 1024 && val % 16 == 0);
			break;
		case AT_EXECFN:
			peek_str(mm, val, s, sizeof(s));
			cr_assert_str_eq(s, "/test/execfn");
			cr_assert(val >= mm->env_end);
			break;
		case AT_PLATFORM:
			peek_str(mm, val, s, sizeof(s));
			cr_assert_str_eq(s, "x86_64");
			break;
		}
	}
	cr_assert_eq(n, mm->auxv_len);
	cr_assert(rnd > a && rnd + 16 <= mm->arg_start);
	cr_assert(mm->arg_end == mm->env_start && mm->env_start <= mm->env_end);
	cr_assert(mm->stack_start < rsp);
	return entry;
}

Test(loader, static_exec)
{
	static uint8_t file[FILE_SIZE];
	char *argv[] = { "prog", "a b", "", NULL };
	char *envp[] = { "HOME=/", "PATH=/bin", NULL };
	struct user_regs_struct regs;
	struct mm *mm = new_mm(MAX_ADDR);
	uint8_t got[0x1000];
	const char *why = NULL;
	int r;

	make_elf(file, ET_EXEC);
	r = exec_mem(mm, file, FILE_SIZE, FILE_SIZE, argv, envp, &regs, &why);
	cr_assert_eq(r, 0, "%d %s", r, why);
	cr_assert_eq(regs.rip, TEXT_VADDR + ENTRY_OFF);
	cr_assert_eq(regs.cs, 0x33);
	cr_assert_eq(regs.ss, 0x2b);
	cr_assert_eq(regs.eflags, 0x202);
	cr_assert_eq(regs.rax, 0);
	cr_assert_eq(check_stack(mm, regs.rsp, argv, envp), regs.rip);
	cr_assert_eq(mm->auxv[8], AT_PHDR);
	cr_assert_eq(mm->auxv[9], TEXT_VADDR + 64);

	/* Text, with the rest of its last page from the file. */
	cr_assert_eq(copy_in(mm, got, TEXT_VADDR, 0x1000), 0);
	cr_assert_eq(memcmp(got, file, 0x1000), 0);
	cr_assert_eq(copy_in(mm, got, TEXT_VADDR + 0x1000, 0x1000), 0);
	cr_assert_eq(memcmp(got, file + 0x1000, 0x1000), 0);
	/* Data: the file bytes of its first page before p_vaddr too, then
	 * zero from p_filesz on (bss). */
	cr_assert_eq(copy_in(mm, got, DATA_VADDR & ~0xfffULL, 0x1000), 0);
	cr_assert_eq(memcmp(got, file + (DATA_OFF & ~0xfffULL),
			    0x800 + DATA_FILESZ), 0);
	for (size_t i = 0x800 + DATA_FILESZ; i < 0x1000; i++)
		cr_assert_eq(got[i], 0, "bss byte %zu", i);
	cr_assert_eq(peek64(mm, DATA_VADDR + DATA_MEMSZ - 8), 0);

	cr_assert(mm->brk_start >= 0x406000 && mm->brk_start % 4096 == 0);
	cr_assert_eq(mm->brk, mm->brk_start);
	cr_assert_eq(mm->start_code, TEXT_VADDR);
	cr_assert_eq(mm->end_code, TEXT_VADDR + 0x1010);
	cr_assert_eq(mm->start_data, DATA_VADDR);
	cr_assert_eq(mm->end_data, DATA_VADDR + DATA_FILESZ);
	cr_assert(regs.rsp < MAX_ADDR && regs.rsp > MAX_ADDR - (1ULL << 25));
	mm_put(mm);
}

Test(loader, static_pie)
{
	static uint8_t file[FILE_SIZE];
	char *argv[] = { NULL };
	char *envp[] = { NULL };
	char *empty_argv[] = { "", NULL };
	struct user_regs_struct regs;
	struct mm *mm = new_mm(MAX_ADDR);
	uint64_t base = (MAX_ADDR / 3 * 2) & ~0xfffULL, magic;
	const char *why = NULL;
	int r;

	make_elf(file, ET_DYN);
	r = exec_mem(mm, file, FILE_SIZE, FILE_SIZE, argv, envp, &regs, &why);
	cr_assert_eq(r, 0, "%d %s", r, why);
	cr_assert(regs.rip >= base + ENTRY_OFF &&
		  regs.rip < base + (1ULL << 28) + ENTRY_OFF, "%#llx",
		  regs.rip);
	cr_assert_eq((regs.rip - ENTRY_OFF) % 4096, 0);
	/* Linux turns an empty argv into { "" }. */
	cr_assert_eq(check_stack(mm, regs.rsp, empty_argv, envp), regs.rip);
	memcpy(&magic, file, 8);
	cr_assert_eq(peek64(mm, regs.rip - ENTRY_OFF), magic);
	mm_put(mm);
}

Test(loader, busybox)
{
	char *argv[] = { "busybox", "true", NULL };
	char *envp[] = { "A=1", NULL };
	struct user_regs_struct regs;
	const char *why = NULL;
	size_t size;
	uint8_t *data = slurp("/bin/busybox", &size);
	struct mm *mm;
	uint8_t got[64];
	int r;

	if (!data)
		cr_skip_test("no /bin/busybox");
	mm = new_mm(MAX_ADDR);
	r = exec_mem(mm, data, size, size, argv, envp, &regs, &why);
	cr_assert_eq(r, 0, "%d %s", r, why);
	cr_assert_eq(regs.rip, ((Elf64_Ehdr *)data)->e_entry);
	check_stack(mm, regs.rsp, argv, envp);
	cr_assert_eq(copy_in(mm, got, regs.rip, sizeof(got)), 0);
	mm_put(mm);
	free(data);
}

Test(loader, interp_rejected)
{
	static uint8_t file[FILE_SIZE];
	char *argv[] = { "x", NULL };
	struct user_regs_struct regs;
	struct mm *mm = new_mm(MAX_ADDR);
	const char *why = NULL;

	make_elf(file, ET_EXEC);
	*phdr(file, 2) = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0x200,
				       .p_filesz = 28 };
	cr_assert_eq(exec_mem(mm, file, FILE_SIZE, FILE_SIZE, argv, argv + 1,
			      &regs, &why), -ENOEXEC);
	cr_assert_not_null(why);
	cr_assert(strstr(why, "VFS"));
	mm_put(mm);
}

Test(loader, short_file)
{
	static uint8_t file[FILE_SIZE];
	char *argv[] = { "x", NULL };
	struct user_regs_struct regs;
	struct mm *mm = new_mm(MAX_ADDR);
	const char *why = NULL;

	make_elf(file, ET_EXEC);
	/* The file claims FILE_SIZE bytes but only has 0x1800. */
	cr_assert_eq(exec_mem(mm, file, 0x1800, FILE_SIZE, argv, argv + 1,
			      &regs, &why), -ENOEXEC);
	cr_assert_not_null(why);
	mm_put(mm);
	/* Only part of the ELF header. */
	mm = new_mm(MAX_ADDR);
	why = NULL;
	cr_assert_eq(exec_mem(mm, file, 40, 40, argv, argv + 1, &regs, &why),
		     -ENOEXEC);
	cr_assert_not_null(why);
	mm_put(mm);
}

Test(loader, out_of_range)
{
	static uint8_t file[FILE_SIZE];
	char *argv[] = { "x", NULL };
	struct user_regs_struct regs;
	struct mm *mm = new_mm(1ULL << 40);
	const char *why = NULL;

	make_elf(file, ET_EXEC);
	phdr(file, 1)->p_vaddr = (1ULL << 41) + 0x800;
	cr_assert_eq(exec_mem(mm, file, FILE_SIZE, FILE_SIZE, argv, argv + 1,
			      &regs, &why), -ENOEXEC);
	cr_assert_not_null(why);
	mm_put(mm);
	/* Page zero. */
	mm = new_mm(MAX_ADDR);
	make_elf(file, ET_EXEC);
	phdr(file, 0)->p_vaddr = 0;
	cr_assert_eq(exec_mem(mm, file, FILE_SIZE, FILE_SIZE, argv, argv + 1,
			      &regs, &why), -ENOEXEC);
	mm_put(mm);
	/* Into the stack. */
	mm = new_mm(MAX_ADDR);
	make_elf(file, ET_EXEC);
	phdr(file, 1)->p_vaddr = MAX_ADDR - 0x100000 + 0x800;
	cr_assert_lt(exec_mem(mm, file, FILE_SIZE, FILE_SIZE, argv, argv + 1,
			      &regs, &why), 0);
	mm_put(mm);
}

Test(loader, e2big)
{
	static uint8_t file[FILE_SIZE];
	static char big[32 * 4096 + 1];
	char *argv[] = { "x", big, NULL };
	char *envp[] = { NULL };
	char **many;
	struct user_regs_struct regs;
	struct mm *mm = new_mm(MAX_ADDR);
	const char *why = NULL;
	size_t i, n = (6 << 20) / 8;

	make_elf(file, ET_EXEC);
	memset(big, 'a', sizeof(big) - 1);	/* 131072 + NUL: too long */
	cr_assert_eq(exec_mem(mm, file, FILE_SIZE, FILE_SIZE, argv, envp,
			      &regs, &why), -E2BIG);
	big[sizeof(big) - 2] = 0;		/* 131071 + NUL: fits */
	cr_assert_eq(exec_mem(mm, file, FILE_SIZE, FILE_SIZE, argv, envp,
			      &regs, &why), 0, "%s", why);
	mm_put(mm);
	/* Pointers count too: 6 MiB of empty strings is too much. */
	mm = new_mm(MAX_ADDR);
	many = calloc(n + 1, sizeof(*many));
	cr_assert(many);
	for (i = 0; i < n; i++)
		many[i] = big + sizeof(big) - 1;
	cr_assert_eq(exec_mem(mm, file, FILE_SIZE, FILE_SIZE, many, envp,
			      &regs, &why), -E2BIG);
	free(many);
	mm_put(mm);
}

Test(loader, fuzz)
{
	static uint8_t file[FILE_SIZE];
	size_t hdrlen = sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr);
	char *argv[] = { "x", NULL };
	int i, ok = 0;

	for (i = 0; i < 2000; i++) {
		struct user_regs_struct regs;
		struct mm *mm = new_mm(MAX_ADDR);
		const char *why = NULL;
		size_t have = FILE_SIZE;
		int r;

		make_elf(file, i % 2 ? ET_DYN : ET_EXEC);
		mutate(file, hdrlen);
		if (rng() % 8 == 0)
			have = rng() % FILE_SIZE;
		r = exec_mem(mm, file, have, FILE_SIZE, argv, argv + 1, &regs,
			     &why);
		cr_assert(r == 0 || r == -ENOEXEC || r == -ENOMEM ||
			  r == -EINVAL, "iteration %d: %d", i, r);
		if (r == -ENOEXEC)
			cr_assert_not_null(why);
		if (r == 0) {
			cr_assert(regs.rip < MAX_ADDR);
			cr_assert_eq(regs.rsp % 16, 0);
			ok++;
		}
		mm_put(mm);
	}
	cr_assert(ok > 10, "%d loaded", ok);
}
