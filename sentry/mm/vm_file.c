/* sentry/mm/vm_file.c: the file a VMA maps (see vm_file.h). */
#include "sentry/mm/vm_file.h"

#include <stdlib.h>

struct vm_file *vm_file_new(const struct path *p)
{
	struct vm_file *vf = malloc(sizeof(*vf));
	if (!vf)
		return NULL;
	vf->refs = 1;
	vf->path = *p;
	path_get(&vf->path);
	return vf;
}

void vm_file_get(struct vm_file *vf)
{
	if (vf)
		__atomic_add_fetch(&vf->refs, 1, __ATOMIC_RELAXED);
}

void vm_file_put(struct vm_file *vf)
{
	if (!vf || __atomic_sub_fetch(&vf->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	path_put(&vf->path);
	free(vf);
}
