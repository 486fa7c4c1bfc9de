/* sentry/loader/elf.c: validation of ELF64 x86-64 headers.
 *
 * The file is hostile. elf_parse() checks every header value that the
 * loader later computes with, so that loading never does arithmetic that
 * can wrap: after a successful parse, for every PT_LOAD segment
 * p_offset + p_filesz <= file size, p_filesz <= p_memsz,
 * p_vaddr + p_memsz <= 1 << 47, p_vaddr and p_offset are congruent modulo
 * the page size, and the page-aligned extent [lo, hi) of the non-empty
 * segments is shorter than 1 << 46. Headers are copied out of the buffer
 * with memcpy, so the buffer needs no alignment. */
#include <errno.h>
#include <string.h>
#include "sentry/loader/loader.h"
#include "sentry/mm/memfile.h"

#define ELF_ADDR_LIMIT (1ULL << 47)	/* no segment ends above this */
#define ELF_EXTENT_MAX (1ULL << 46)	/* hi - lo is below this */
#define ELF_INTERP_MAX 4096		/* PATH_MAX, with its NUL */

static int bad(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -ENOEXEC;
}

int elf_parse_ehdr(const void *buf, size_t len, uint64_t file_size,
		   struct elf_image *img, const char **why)
{
	const Elf64_Ehdr *eh = &img->ehdr;
	uint64_t phsize;

	img->nphdrs = 0;
	img->lo = img->hi = 0;
	img->interp_index = -1;
	img->phdr_index = -1;
	img->exec_stack = false;
	if (len > file_size)
		len = file_size;
	if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG))
		return bad(why, "not an ELF file");
	if (len < sizeof(Elf64_Ehdr))
		return bad(why, "ELF header truncated");
	memcpy(&img->ehdr, buf, sizeof(Elf64_Ehdr));

	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return bad(why, "not a 64-bit ELF file");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return bad(why, "not a little-endian ELF file");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return bad(why, "unknown ELF version");
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return bad(why, "not an executable (ET_EXEC or ET_DYN)");
	if (eh->e_machine != EM_X86_64)
		return bad(why, "not x86-64");
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return bad(why, "bad program header entry size");
	if (eh->e_phnum == 0)
		return bad(why, "no program headers");
	if (eh->e_phnum > ELF_MAX_PHDRS)
		return bad(why, "too many program headers");
	phsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_phoff > file_size || phsize > file_size - eh->e_phoff)
		return bad(why, "program header outside the file");
	return 0;
}

/* A PT_LOAD segment on its own. */
static int check_load(const Elf64_Phdr *ph, uint64_t file_size,
		      const char **why)
{
	if (ph->p_filesz > ph->p_memsz)
		return bad(why, "segment file size larger than memory size");
	if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset)
		return bad(why, "segment outside the file");
	if ((ph->p_vaddr - ph->p_offset) & (PAGE_SIZE - 1))
		return bad(why, "segment address and file offset misaligned");
	if (ph->p_memsz > ELF_ADDR_LIMIT ||
	    ph->p_vaddr > ELF_ADDR_LIMIT - ph->p_memsz)
		return bad(why, "segment address out of range");
	return 0;
}

int elf_parse_phdrs(struct elf_image *img, const void *phdrs,
		    uint64_t file_size, const char **why)
{
	uint64_t lo = 0, hi = 0, prev = 0;
	int i, n = img->ehdr.e_phnum, nload = 0, r;

	if (n < 1 || n > ELF_MAX_PHDRS)
		return bad(why, "bad program header count");
	memcpy(img->phdrs, phdrs, (size_t)n * sizeof(Elf64_Phdr));
	img->nphdrs = n;
	for (i = 0; i < n; i++) {
		const Elf64_Phdr *ph = &img->phdrs[i];
		uint64_t end;

		switch (ph->p_type) {
		case PT_LOAD:
			r = check_load(ph, file_size, why);
			if (r)
				return r;
			if (!ph->p_memsz)
				break;	/* maps nothing, like Linux */
			if (nload && ph->p_vaddr < prev)
				return bad(why, "loadable segments not in "
					   "ascending address order");
			prev = ph->p_vaddr;
			if (!nload)
				lo = PAGE_ALIGN_DOWN(ph->p_vaddr);
			end = PAGE_ALIGN_UP(ph->p_vaddr + ph->p_memsz);
			if (end > hi)
				hi = end;
			nload++;
			break;
		case PT_INTERP:
			if (img->interp_index >= 0)
				break;	/* the first one counts, like Linux */
			if (ph->p_filesz < 2 || ph->p_filesz > ELF_INTERP_MAX)
				return bad(why, "interpreter path size out "
					   "of range");
			if (ph->p_offset > file_size ||
			    ph->p_filesz > file_size - ph->p_offset)
				return bad(why, "interpreter path outside "
					   "the file");
			img->interp_index = i;
			break;
		case PT_PHDR:
			if (img->phdr_index < 0)
				img->phdr_index = i;
			break;
		case PT_GNU_STACK:
			/* The last one counts, like Linux. */
			img->exec_stack = (ph->p_flags & PF_X) != 0;
			break;
		}
	}
	if (!nload)
		return bad(why, "no loadable segment");
	if (hi - lo >= ELF_EXTENT_MAX)
		return bad(why, "loadable segments span too much address "
			   "space");
	img->lo = lo;
	img->hi = hi;
	return 0;
}

int elf_parse(const void *buf, size_t len, uint64_t file_size,
	      struct elf_image *img, const char **why)
{
	const Elf64_Ehdr *eh = &img->ehdr;
	uint64_t phsize;
	int r;

	r = elf_parse_ehdr(buf, len, file_size, img, why);
	if (r)
		return r;
	if (len > file_size)
		len = file_size;
	phsize = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_phoff > len || phsize > len - eh->e_phoff)
		return bad(why, "program headers beyond the bytes read");
	return elf_parse_phdrs(img, (const char *)buf + eh->e_phoff,
			       file_size, why);
}
