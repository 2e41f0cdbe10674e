/*
 * check_nova_metadata - checks that the Nova metadata API serves a canary
 * instance, signing requests as the neutron metadata agent does.
 *
 * Copyright (C) 2026 the check_nova_metadata authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * main only dispatches: parse the command line into a config, arm the
 * whole-run limit, load the secret and sign, run the check into a result,
 * format it, print it, return its state. Only this file ends the process.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "check.h"
#include "harden.h"
#include "http.h"
#include "log.h"
#include "output.h"
#include "redact.h"
#include "secret.h"
#include "sign.h"
#include "version.h"

/* Formatted before the handlers are installed: a signal handler may
 * only write() and _exit(). */
static char *timeout_output, *interrupt_output;
static size_t timeout_output_len, interrupt_output_len;
static int timeout_exit = MP_CRITICAL;

/* SIGALRM is the whole-run limit; SIGTERM, SIGINT and SIGHUP (a
 * scheduler giving up, an operator's ^C) still end with a status line
 * and a plugin exit code. */
static void
on_signal(int sig)
{
	ssize_t ignored;

	if (sig == SIGALRM) {
		ignored = write(STDOUT_FILENO, timeout_output,
		    timeout_output_len);
		(void)ignored;
		_exit(timeout_exit);
	}
	ignored = write(STDOUT_FILENO, interrupt_output, interrupt_output_len);
	(void)ignored;
	_exit(MP_UNKNOWN);
}

/* Prints an UNKNOWN result with one line of explanation; returns 3. */
static int
unknown(mp_format format, const char *why)
{
	mp_check *c = mp_check_new(NM_LABEL);
	char *out = NULL;

	/* No sub-check: a usage error is one line, and a check without
	 * sub-checks is UNKNOWN. */
	if (c == NULL || mp_check_set_summary(c, "%s", why) != 0 ||
	    mp_check_format(c, format, &out) != 0) {
		/* The last resort must not need memory. */
		fputs(NM_LABEL " UNKNOWN - out of memory\n", stdout);
	} else {
		nm_redact(out);
		fputs(out, stdout);
	}
	free(out);
	mp_check_free(c);
	return MP_UNKNOWN;
}

static int
prepare_outputs(const nm_config *cfg)
{
	char subject[384];
	mp_check *c;
	int r;

	if ((c = nm_check_timeout_result(cfg)) == NULL)
		return -1;
	r = mp_check_format(c, cfg->output_format, &timeout_output);
	mp_check_free(c);
	if (r != 0 || nm_check_subject(cfg, subject, sizeof(subject)) != 0 ||
	    (c = mp_check_new(NM_LABEL)) == NULL)
		return -1;
	r = mp_check_set_summary(c, "%s: interrupted by a signal before the "
	    "check finished", subject) != 0 ||
	    mp_check_format(c, cfg->output_format, &interrupt_output) != 0;
	mp_check_free(c);
	if (r != 0)
		return -1;
	timeout_output_len = strlen(timeout_output);
	interrupt_output_len = strlen(interrupt_output);
	timeout_exit = (int)cfg->timeout_result;
	return 0;
}

static int
arm_limit(const nm_config *cfg, struct timespec *deadline)
{
	static const int sigs[] = { SIGALRM, SIGTERM, SIGINT, SIGHUP };
	struct itimerval itv;
	struct sigaction sa;
	size_t i;

	if (prepare_outputs(cfg) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* One handler at a time: two prepared lines must not interleave. */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -1;
	}
	memset(&itv, 0, sizeof(itv));
	itv.it_value.tv_sec = (time_t)cfg->timeout;
	if (clock_gettime(CLOCK_MONOTONIC, deadline) != 0 ||
	    setitimer(ITIMER_REAL, &itv, NULL) != 0)
		return -1;
	deadline->tv_sec += (time_t)cfg->timeout;
	return 0;
}

/* The lines the handlers print were made before the secret was read:
 * search them too, with the handlers held off meanwhile. */
static void
redact_prepared(void)
{
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &block, &old) != 0)
		return;
	nm_redact(timeout_output);
	nm_redact(interrupt_output);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Once the result is being printed, the alarm must not interleave. */
static void
disarm_limit(void)
{
	struct itimerval off;

	memset(&off, 0, sizeof(off));
	(void)setitimer(ITIMER_REAL, &off, NULL);
	(void)signal(SIGALRM, SIG_IGN);
	(void)signal(SIGTERM, SIG_DFL);
	(void)signal(SIGINT, SIG_DFL);
	(void)signal(SIGHUP, SIG_DFL);
	free(timeout_output);
	free(interrupt_output);
	timeout_output = interrupt_output = NULL;
}

static void
log_config(const nm_config *cfg)
{
	size_t i;

	nm_log(2, "target %s://%s:%u, family %s, url %s, timeout %u s "
	    "(then %s)", cfg->ssl ? "https" : "http", cfg->host, cfg->port,
	    cfg->family == 0 ? "any" : cfg->family == 4 ? "IPv4" : "IPv6",
	    cfg->url, cfg->timeout, mp_state_name(cfg->timeout_result));
	nm_log(2, "canary %s, tenant %s%s%s", cfg->instance, cfg->tenant,
	    cfg->forwarded_for != NULL ? ", X-Forwarded-For " : "",
	    cfg->forwarded_for != NULL ? cfg->forwarded_for : "");
	for (i = 0; i < cfg->key_count; i++)
		nm_log(2, "key that must be listed: %s", cfg->keys[i]);
	for (i = 0; i < cfg->expect_count; i++)
		nm_log(2, "expected value: %s = '%s'", cfg->expects[i].key,
		    cfg->expects[i].value);
	if (cfg->ssl && cfg->insecure)
		nm_log(1, "--insecure: the server's certificate is NOT "
		    "verified");
}

/* Loads the secret, signs, and wipes the secret at once. */
static int
make_signature(const nm_config *cfg, char sig[NM_SIGNATURE_HEX_LEN + 1],
    char **cause)
{
	nm_secret secret;
	int r;

	if (nm_secret_load(cfg, &secret, cause) != 0)
		return -1;
	/* Armed before anything is logged: from here on, no line printed
	 * can hold the secret, whichever option it was pasted into. */
	r = nm_sign(secret.data, secret.len, cfg->instance, sig) != 0 ||
	    nm_redact_arm(secret.data, secret.len, cfg->instance) != 0;
	if (r == 0) {
		redact_prepared();
		nm_log(1, "shared secret from %s%s%s (%zu bytes)",
		    secret.source, secret.origin != NULL ? " " : "",
		    secret.origin != NULL ? secret.origin : "", secret.len);
		if (secret.warning != NULL)
			nm_log(1, "warning: %s", secret.warning);
	}
	nm_secret_clear(&secret);
	if (r != 0) {
		*cause = strdup("HMAC-SHA256 failed in libcrypto (or out of "
		    "memory)");
		return -1;
	}
	nm_log(1, "signature %.8s... for instance %s", sig, cfg->instance);
	return 0;
}

/* The configuration is logged only once the search for the secret is
 * armed: a secret pasted into -H, -T or -e must not reach -vv either. */
static mp_check *
sign_and_check(const nm_config *cfg, char sig[NM_SIGNATURE_HEX_LEN + 1],
    const struct timespec *deadline, char **cause)
{
	if (make_signature(cfg, sig, cause) != 0)
		return NULL;
	log_config(cfg);
	return nm_check_run(cfg, sig, deadline, cause);
}

static int
run(const nm_config *cfg)
{
	char sig[NM_SIGNATURE_HEX_LEN + 1];
	struct timespec deadline;
	mp_check *result = NULL;
	char *cause = NULL, *out = NULL;
	int state;

	if (arm_limit(cfg, &deadline) != 0)
		return unknown(cfg->output_format, "cannot arm the whole-run "
		    "limit (out of memory?)");
	if ((result = sign_and_check(cfg, sig, &deadline, &cause)) == NULL ||
	    mp_check_format(result, cfg->output_format, &out) != 0) {
		disarm_limit();
		state = unknown(cfg->output_format, cause != NULL ? cause :
		    "out of memory");
		goto out;
	}
	disarm_limit();
	nm_redact(out);
	fputs(out, stdout);
	state = (int)mp_check_state(result);
 out:
	nm_redact_disarm();
	nm_wipe(sig, sizeof(sig));
	free(cause);
	free(out);
	mp_check_free(result);
	return state;
}

static void
print_version(void)
{
	char text[512];

	if (nm_version_text(text, sizeof(text)) < 0)
		fputs(NM_PROGNAME " " PACKAGE_VERSION "\n", stdout);
	else
		fputs(text, stdout);
}

int
main(int argc, char **argv)
{
	nm_config *cfg = NULL;
	char *cause = NULL;
	const char *unhardened = NULL;
	int state = MP_UNKNOWN;

	/* First: the environment may hold the secret from the start. */
	(void)nm_harden(&unhardened);
	switch (nm_parse_args(argc, argv, &cfg, &cause)) {
	case NM_ARGS_HELP:
		/* UNKNOWN, as monitoring-plugins do: a check left in help
		 * mode must not look healthy. */
		fputs(nm_help_text(), stdout);
		return MP_UNKNOWN;
	case NM_ARGS_VERSION:
		print_version();
		return MP_UNKNOWN;
	case NM_ARGS_ERROR:
		state = unknown(nm_args_output_format(argc, argv), cause);
		free(cause);
		return state;
	case NM_ARGS_NOMEM:
		return unknown(nm_args_output_format(argc, argv),
		    "out of memory");
	case NM_ARGS_RUN:
		break;
	}
	nm_log_set_level(cfg->verbose);
	if (unhardened != NULL)
		nm_log(1, "warning: %s", unhardened);
	/* libcurl leaves SIGPIPE alone with CURLOPT_NOSIGNAL, and a TLS write
	 * to a peer that hung up would otherwise kill the process without a
	 * status line or a plugin exit code. */
	(void)signal(SIGPIPE, SIG_IGN);
	if (nm_http_global_init() != NM_OK)
		state = unknown(cfg->output_format, "libcurl failed to "
		    "initialise");
	else {
		state = run(cfg);
		nm_http_global_cleanup();
	}
	nm_config_free(cfg);
	return state;
}
