/*
 * Copyright (C) 2026 the check_nova_metadata authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A handler runs on whichever thread the kernel picks, in the middle of
 * whatever that thread does (a libcurl resolver thread, stdio), and a
 * handler that exists only for part of the run leaves the rest to the
 * default action: death without a status line. So no handler at all:
 * main blocks the signals before any thread exists, every thread
 * inherits the mask, and one thread takes them with sigwait(), where it
 * may lock and write like any code. Its lock is also how main claims
 * stdout: whoever takes it first prints the one status line.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core_config.h"
#include "core_signals.h"

/* Before the options are known, and when a line could not be made. */
static const char generic_interrupted[] = NM_LABEL " UNKNOWN - "
    "interrupted by a signal before the check finished\n";

/* Held by main while it claims stdout or changes a line, and by the
 * waiting thread from taking a signal until it ends the process. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int claimed, armed;
static char *interrupted, *timed_out;
static mp_state timeout_state = MP_CRITICAL;

static pthread_t waiter;
static int waiting;
static struct timespec started;
/* When the whole-run alarm is due (CLOCK_MONOTONIC), once armed. */
static struct timespec alarm_due;

static void
handled_signals(sigset_t *set)
{
	(void)sigemptyset(set);
	(void)sigaddset(set, SIGALRM);
	(void)sigaddset(set, SIGTERM);
	(void)sigaddset(set, SIGINT);
	(void)sigaddset(set, SIGHUP);
}

/* All of line, or as much as stdout takes: every round writes at least
 * one byte or stops. */
static void
write_line(const char *line)
{
	size_t len = strlen(line), done = 0;
	ssize_t n;

	while (done < len) {
		n = write(STDOUT_FILENO, line + done, len - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
}

/* Whether the whole-run alarm is due: a SIGALRM before it is someone
 * else's (kill -ALRM), a signal like SIGTERM, not a limit that was not
 * reached. The timer never fires early on the monotonic clock; the
 * microsecond it was set in is allowed for. */
static int
alarm_is_due(void)
{
	struct timespec now;
	long long early_us;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 1;
	early_us = (long long)(alarm_due.tv_sec - now.tv_sec) * 1000000 +
	    (alarm_due.tv_nsec - now.tv_nsec) / 1000;
	return early_us <= 1000;
}

/* Takes one signal. Once main has claimed stdout, that signal (or
 * nm_signals_end's wake-up) ends only this thread; before, its line is
 * the process's last word, written with the lock held so that main can
 * neither claim stdout nor free the line meanwhile. */
static void *
wait_for_signal(void *unused)
{
	const char *line;
	sigset_t set;
	int sig, code;

	(void)unused;
	handled_signals(&set);
	if (sigwait(&set, &sig) != 0)
		return NULL;
	(void)pthread_mutex_lock(&lock);
	if (claimed) {
		(void)pthread_mutex_unlock(&lock);
		return NULL;
	}
	if (sig == SIGALRM && armed && timed_out != NULL && alarm_is_due()) {
		line = timed_out;
		code = (int)timeout_state;
	} else {
		line = interrupted != NULL ? interrupted : generic_interrupted;
		code = MP_UNKNOWN;
	}
	write_line(line);
	_exit(code);
}

/* Whether one of the signals is pending, not yet taken by the waiting
 * thread: at install, one that came before the thread existed (between
 * main's block and the thread's start, or before main to a process
 * that its parent started with them blocked: the mask and pending
 * signals survive execve); at the claim, one the thread has not yet
 * been scheduled to take. */
static int
signal_pending(void)
{
	sigset_t pending, handled;
	int sig;

	handled_signals(&handled);
	if (sigpending(&pending) != 0)
		return 0;
	/* The four are among the standard signals, 1 to 31. */
	for (sig = 1; sig < 32; sig++)
		if (sigismember(&handled, sig) == 1 &&
		    sigismember(&pending, sig) == 1)
			return 1;
	return 0;
}

int
nm_signals_install(const char **cause)
{
	sigset_t set;
	int e;

	*cause = NULL;
	/* Before any thread exists: threads started later (libcurl's
	 * resolver too) inherit the mask. */
	handled_signals(&set);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0 ||
	    clock_gettime(CLOCK_MONOTONIC, &started) != 0) {
		*cause = "cannot block signals or read the monotonic clock";
		return -1;
	}
	if ((e = pthread_create(&waiter, NULL, wait_for_signal, NULL)) != 0) {
		*cause = e == EAGAIN ? "the monitoring host's limit of "
		    "processes and threads (ulimit -u) is reached: cannot "
		    "start the thread that handles signals" : "cannot start "
		    "the thread that handles signals";
		return -1;
	}
	waiting = 1;
	/* Stopped before the check started: the thread's sigwait() takes
	 * that signal and ends the process with the generic line. Main
	 * waits for it rather than race it to a quick result (help, a
	 * usage error) the signal's sender did not ask for. */
	if (signal_pending()) {
		(void)pthread_join(waiter, NULL);
		waiting = 0;
		*cause = "the thread that handles signals ended";
		return -1;
	}
	return 0;
}

static int
set_line(char **slot, char *line, const mp_state *state)
{
	char *old;

	if (line == NULL)
		return -1;
	(void)pthread_mutex_lock(&lock);
	old = *slot;
	*slot = line;
	if (state != NULL)
		timeout_state = *state;
	(void)pthread_mutex_unlock(&lock);
	free(old);
	return 0;
}

int
nm_signals_set_interrupted(char *line)
{
	return set_line(&interrupted, line, NULL);
}

int
nm_signals_set_timeout(char *line, mp_state state)
{
	return set_line(&timed_out, line, &state);
}

void
nm_signals_edit_lines(void (*edit)(char *line))
{
	(void)pthread_mutex_lock(&lock);
	if (interrupted != NULL)
		edit(interrupted);
	if (timed_out != NULL)
		edit(timed_out);
	(void)pthread_mutex_unlock(&lock);
}

int
nm_signals_arm(unsigned int seconds, struct timespec *deadline)
{
	struct itimerval itv;
	struct timespec now;
	long long left_us;

	*deadline = started;
	deadline->tv_sec += (time_t)seconds;
	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return -1;
	left_us = (long long)(deadline->tv_sec - now.tv_sec) * 1000000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000;
	/* Already past: at once (an it_value of 0 would disarm). */
	if (left_us < 1)
		left_us = 1;
	memset(&itv, 0, sizeof(itv));
	itv.it_value.tv_sec = (time_t)(left_us / 1000000);
	itv.it_value.tv_usec = (suseconds_t)(left_us % 1000000);
	(void)pthread_mutex_lock(&lock);
	armed = 1;
	alarm_due = now;
	alarm_due.tv_sec += (time_t)(left_us / 1000000);
	alarm_due.tv_nsec += (long)(left_us % 1000000) * 1000;
	if (alarm_due.tv_nsec >= 1000000000L) {
		alarm_due.tv_sec++;
		alarm_due.tv_nsec -= 1000000000L;
	}
	(void)pthread_mutex_unlock(&lock);
	if (setitimer(ITIMER_REAL, &itv, NULL) != 0) {
		(void)pthread_mutex_lock(&lock);
		armed = 0;
		(void)pthread_mutex_unlock(&lock);
		return -1;
	}
	return 0;
}

void
nm_signals_claim(void)
{
	/* Blocks for good once the waiting thread has taken a signal: it
	 * keeps the lock until it ends the process. */
	(void)pthread_mutex_lock(&lock);
	/* A signal that came before the claim but that the thread has not
	 * taken yet (not scheduled since, as after a SIGSTOP and SIGCONT
	 * on a busy machine) is the thread's: main waits while it takes
	 * the signal, prints its line and ends the process, rather than
	 * race it with a result the signal came before. */
	if (!claimed && waiting && signal_pending()) {
		(void)pthread_mutex_unlock(&lock);
		(void)pthread_join(waiter, NULL);
		(void)pthread_mutex_lock(&lock);
		waiting = 0;
	}
	claimed = 1;
	(void)pthread_mutex_unlock(&lock);
}

void
nm_signals_end(void)
{
	struct itimerval off;

	nm_signals_claim();
	if (waiting) {
		/* Wakes the thread if no signal has yet; it sees the claim. */
		(void)pthread_kill(waiter, SIGTERM);
		(void)pthread_join(waiter, NULL);
		waiting = 0;
	}
	memset(&off, 0, sizeof(off));
	(void)setitimer(ITIMER_REAL, &off, NULL);
	free(interrupted);
	free(timed_out);
	interrupted = timed_out = NULL;
}
