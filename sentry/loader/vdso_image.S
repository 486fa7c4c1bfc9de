/* sentry/loader/vdso_image.S: the built vDSO (CVISOR_VDSO_SO, made from
 * sentry/loader/vdso/ by CMake) as read-only data. */
	.section .rodata
	.balign 4096
	.globl cvisor_vdso_start, cvisor_vdso_end
cvisor_vdso_start:
	.incbin CVISOR_VDSO_SO
cvisor_vdso_end:
	.section .note.GNU-stack, "", @progbits
