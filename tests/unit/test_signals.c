/* nm_signals: each case runs in a child of its own (the module starts a
 * thread and ends the process), its stdout a pipe; the case checks the
 * child's exit code and everything it printed. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core_signals.h"

#define GENERIC "NOVA METADATA UNKNOWN - interrupted by a signal before " \
    "the check finished\n"

struct child {
	int code;		/* exit code, or -1 when it did not exit */
	char out[512];
};

/* A child must not fail through cmocka (it would go on with the other
 * cases): it exits with code instead, which the parent reports. */
static void
must(int ok, int code)
{
	if (!ok)
		_exit(code);
}

/* Waits up to about 5 s for the signal thread to end the process; a
 * child still here afterwards exits 99. */
static void
linger(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 500; i++)
		(void)nanosleep(&ts, NULL);
	_exit(99);
}

static void
collect(int fd, pid_t pid, struct child *c)
{
	size_t used = 0;
	ssize_t n;
	int status = 0;

	memset(c, 0, sizeof(*c));
	while (used + 1 < sizeof(c->out) &&
	    (n = read(fd, c->out + used, sizeof(c->out) - 1 - used)) > 0)
		used += (size_t)n;
	c->out[used] = '\0';
	(void)close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	c->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
run_child(void (*body)(void), struct child *c)
{
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *cause = NULL;

		(void)close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0 ||
		    nm_signals_install(&cause) != 0)
			_exit(98);
		body();
		linger();
	}
	(void)close(fds[1]);
	collect(fds[0], pid, c);
}

/* A case: body runs in a child, which must exit with code, having
 * printed out. */
struct signal_case {
	void (*body)(void);
	int code;
	const char *out;
};

static void
run_case(void **state)
{
	const struct signal_case *k = *state;
	struct child c;

	run_child(k->body, &c);
	assert_int_equal(c.code, k->code);
	assert_string_equal(c.out, k->out);
}

static void
term_at_once(void)
{
	(void)kill(getpid(), SIGTERM);
}


static void
hup_with_a_prepared_line(void)
{
	must(nm_signals_set_interrupted(
	    strdup("NOVA METADATA UNKNOWN - canary x: interrupted\n")) == 0, 10);
	/* NULL (out of memory) keeps the line there was. */
	must(nm_signals_set_interrupted(NULL) == -1, 11);
	(void)kill(getpid(), SIGHUP);
}


static void
limit_of_zero_seconds(void)
{
	struct timespec deadline, now;

	must(nm_signals_set_timeout(
	    strdup("NOVA METADATA WARNING - timed out after 0 s\n"),
	    MP_WARNING) == 0, 10);
	/* Counted from nm_signals_install, so already behind us. */
	must(clock_gettime(CLOCK_MONOTONIC, &now) == 0, 11);
	must(nm_signals_arm(0, &deadline) == 0, 12);
	must(deadline.tv_sec < now.tv_sec || (deadline.tv_sec == now.tv_sec &&
	    deadline.tv_nsec <= now.tv_nsec), 13);
}


static void
alarm_before_arming(void)
{
	must(nm_signals_set_timeout(strdup("timed out\n"), MP_CRITICAL) == 0,
	    10);
	(void)kill(getpid(), SIGALRM);
}


static void
deadline_ahead(void)
{
	struct timespec deadline, now;
	double left;

	must(nm_signals_arm(5, &deadline) == 0, 10);
	must(clock_gettime(CLOCK_MONOTONIC, &now) == 0, 11);
	left = (double)(deadline.tv_sec - now.tv_sec) +
	    (double)(deadline.tv_nsec - now.tv_nsec) / 1e9;
	nm_signals_claim();
	must(left > 4.0 && left <= 5.0, 12);
	nm_signals_end();
	_exit(0);
}


/* Once main has claimed stdout, a signal neither prints nor ends the
 * process; nm_signals_end then returns (the thread is joined). */
static void
claim_then_signals(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	static const char mine[] = "NOVA METADATA OK - mine\n";

	nm_signals_claim();
	(void)kill(getpid(), SIGTERM);
	(void)kill(getpid(), SIGINT);
	(void)nanosleep(&ts, NULL);
	must(write(STDOUT_FILENO, mine, sizeof(mine) - 1) ==
	    (ssize_t)sizeof(mine) - 1, 10);
	nm_signals_end();
	_exit(0);
}


/* A signal sent just before the claim: whether or not the thread has
 * been scheduled to take it yet, its line wins, never main's. Many
 * times, as the race it guards against needs the right interleaving. */
static void
term_then_claim(void)
{
	static const char mine[] = "NOVA METADATA OK - mine\n";

	(void)kill(getpid(), SIGTERM);
	nm_signals_claim();
	must(write(STDOUT_FILENO, mine, sizeof(mine) - 1) ==
	    (ssize_t)sizeof(mine) - 1, 10);
	nm_signals_end();
	_exit(0);
}

static void
signal_before_claim_wins(void **state)
{
	struct child c;
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		run_child(term_then_claim, &c);
		assert_int_equal(c.code, 3);
		assert_string_equal(c.out, GENERIC);
	}
}

static void
end_without_signal(void)
{
	nm_signals_end();
	_exit(0);
}


/* A SIGTERM that came before the module was installed, the signal
 * already blocked (by a parent that started the process so, or between
 * main's block and the thread's start): install hands it to the thread,
 * which prints the generic line, and never returns to let main print a
 * result of its own. */
static void
pending_before_install(void **state)
{
	static const char mine[] = "NOVA METADATA OK - mine\n";
	const char *cause = NULL;
	struct child c;
	sigset_t set;
	int fds[2];
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)close(fds[0]);
		(void)sigemptyset(&set);
		(void)sigaddset(&set, SIGTERM);
		must(dup2(fds[1], STDOUT_FILENO) >= 0 &&
		    sigprocmask(SIG_BLOCK, &set, NULL) == 0 &&
		    kill(getpid(), SIGTERM) == 0, 98);
		(void)nm_signals_install(&cause);
		nm_signals_claim();
		must(write(STDOUT_FILENO, mine, sizeof(mine) - 1) ==
		    (ssize_t)sizeof(mine) - 1, 97);
		_exit(0);
	}
	(void)close(fds[1]);
	collect(fds[0], pid, &c);
	assert_int_equal(c.code, 3);
	assert_string_equal(c.out, GENERIC);
}

#define CASE(name, body, code, out) \
	{ name, run_case, NULL, NULL, \
	    (void *)&(const struct signal_case){ body, code, out } }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		CASE("generic_line_from_the_start", term_at_once, 3, GENERIC),
		CASE("prepared_interrupted_line", hup_with_a_prepared_line, 3,
		    "NOVA METADATA UNKNOWN - canary x: interrupted\n"),
		CASE("limit_prints_the_timeout_line", limit_of_zero_seconds, 1,
		    "NOVA METADATA WARNING - timed out after 0 s\n"),
		CASE("alarm_before_arming_is_an_interruption",
		    alarm_before_arming, 3, GENERIC),
		CASE("deadline_counts_from_install", deadline_ahead, 0, ""),
		CASE("claimed_output_is_kept", claim_then_signals, 0,
		    "NOVA METADATA OK - mine\n"),
		CASE("end_without_a_signal", end_without_signal, 0, ""),
		cmocka_unit_test(pending_before_install),
		cmocka_unit_test(signal_before_claim_wins),
	};

	return cmocka_run_group_tests_name("signals", tests, NULL, NULL);
}
