/* sentry/loader/vdso.h: the vDSO and its data page in guest address
 * spaces (vdso.c). */
#ifndef CVISOR_SENTRY_LOADER_VDSO_H
#define CVISOR_SENTRY_LOADER_VDSO_H

#include <stdint.h>

struct mm;

/* Load the image into the memory file and start the timekeeper. Until
 * it has run (unit tests), exec maps no vDSO. 0 or -errno. */
int vdso_init(void);
/* Map the data page and the vDSO into mm (top-down, like mmap). Returns
 * the vDSO's address for AT_SYSINFO_EHDR, 0 when there is none, or
 * -errno. */
int64_t vdso_map(struct mm *mm);

#endif
