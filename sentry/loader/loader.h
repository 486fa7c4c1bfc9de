/* sentry/loader/loader.h: loading a program into a fresh address space.
 *
 * ELF64 x86-64 executables (ET_EXEC and ET_DYN, with a PT_INTERP
 * interpreter opened through loader_args->open_interp), the initial stack (argv, envp, auxv) and the first
 * registers. The file is read through struct loader_file so the loader
 * never knows where the bytes come from. Malformed files give -ENOEXEC and
 * a reason string, never a crash. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <elf.h>

struct mm;
struct mobj;
struct vm_file;
/* From <sys/user.h>, not included here: it defines PAGE_SIZE and
 * PAGE_MASK differently from sentry/mm/memfile.h. */
struct user_regs_struct;

struct loader_file {
	void *priv;
	/* Read up to len bytes at off; bytes read (short at EOF) or -errno. */
	ssize_t (*pread)(void *priv, void *buf, size_t len, uint64_t off);
	uint64_t size;
	const char *path;	/* for AT_EXECFN and messages */
	/* Optional: the memory object of the file's pages (a new
	 * reference), so segments map them copy-on-write instead of copying
	 * the file; NULL (or a NULL result) to copy. */
	struct mobj *(*obj)(void *priv);
	/* Optional: the file the segments' VMAs name (/proc/PID/maps);
	 * the loader takes references of its own. */
	struct vm_file *file;
};

#define ELF_MAX_PHDRS 64

/* The validated headers of an ELF file. */
struct elf_image {
	Elf64_Ehdr ehdr;
	Elf64_Phdr phdrs[ELF_MAX_PHDRS];
	int nphdrs;
	uint64_t lo, hi;	/* page-aligned extent of the PT_LOAD segments */
	int interp_index;	/* index of PT_INTERP in phdrs, or -1 */
	int phdr_index;		/* index of PT_PHDR, or -1 */
	bool exec_stack;	/* PT_GNU_STACK with PF_X */
};

/* Validate the first bytes of a file (buf holds len bytes from offset 0,
 * at least the ELF header and the program headers when the file has them
 * within len) and fill img. 0, or -ENOEXEC with *why set to a static
 * message naming the problem. */
int elf_parse(const void *buf, size_t len, uint64_t file_size,
	      struct elf_image *img, const char **why);

/* The two halves of elf_parse, for a caller whose program headers are not
 * within the first bytes it read: elf_parse_ehdr checks the ELF header
 * (and that the program header table lies within the file); the caller
 * then reads e_phnum * sizeof(Elf64_Phdr) bytes at e_phoff and passes them
 * to elf_parse_phdrs. Same results as elf_parse. */
int elf_parse_ehdr(const void *buf, size_t len, uint64_t file_size,
		   struct elf_image *img, const char **why);
int elf_parse_phdrs(struct elf_image *img, const void *phdrs,
		    uint64_t file_size, const char **why);

struct loader_args {
	char *const *argv;	/* sentry memory, NULL terminated */
	char *const *envp;
	const char *execfn;	/* AT_EXECFN string */
	/* Open the PT_INTERP path (NULL: dynamic programs are -ENOEXEC);
	 * close_interp releases what open_interp filled in. */
	int (*open_interp)(void *ctx, const char *path, struct loader_file *out);
	void (*close_interp)(void *ctx, struct loader_file *f);
	void *ctx;
};

/* Load f into mm (which must be empty), build the initial stack and set
 * *regs to start the program. 0, or -errno (-ENOEXEC: *why says why;
 * -E2BIG: argv/envp too long; -ENOMEM: no room in the address space).
 * Also sets mm->brk_start/brk, start_code..env_end, stack_start and
 * auxv/auxv_len (uint64_t words, including the final AT_NULL pair).
 * On failure mm may hold part of the image: throw it away. */
int loader_exec(struct mm *mm, struct loader_file *f,
		const struct loader_args *args,
		struct user_regs_struct *regs, const char **why);
