/*
 * Copyright (C) 2026 the check_nova_metadata authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The launcher's only architecture-specific code (plugins/launcher.c):
 * the process entry point, which hands the initial stack (argc, argv,
 * envp) to nm_launch() without any C library start-up, and one raw
 * system call. configure builds the launcher only where this file has
 * a section: x86_64 and aarch64.
 */
#if defined(__x86_64__)

	.text
	.globl	_start
	.type	_start, @function
_start:
	xor	%ebp, %ebp		/* the outermost frame */
	mov	%rsp, %rdi		/* nm_launch(initial stack) */
	and	$-16, %rsp		/* the ABI's call alignment */
	call	nm_launch
	hlt				/* nm_launch never returns */
	.size	_start, . - _start

/* long nm_syscall(long nr, long a, long b, long c, long d) */
	.globl	nm_syscall
	.type	nm_syscall, @function
nm_syscall:
	mov	%rdi, %rax
	mov	%rsi, %rdi
	mov	%rdx, %rsi
	mov	%rcx, %rdx
	mov	%r8, %r10
	syscall
	ret
	.size	nm_syscall, . - nm_syscall

#elif defined(__aarch64__)

	.text
	.globl	_start
	.type	_start, %function
_start:
	mov	x29, #0			/* the outermost frame */
	mov	x30, #0
	mov	x0, sp			/* nm_launch(initial stack) */
	bl	nm_launch
	brk	#0			/* nm_launch never returns */
	.size	_start, . - _start

/* long nm_syscall(long nr, long a, long b, long c, long d) */
	.globl	nm_syscall
	.type	nm_syscall, %function
nm_syscall:
	mov	x8, x0
	mov	x0, x1
	mov	x1, x2
	mov	x2, x3
	mov	x3, x4
	svc	#0
	ret
	.size	nm_syscall, . - nm_syscall

#else
#error "the launcher has no entry point for this architecture (configure --disable-launcher)"
#endif

	.section .note.GNU-stack, "", %progbits
