/*
 * check_nova_metadata - checks that the Nova metadata API serves a canary
 * instance, signing requests as the neutron metadata agent does.
 *
 * Copyright (C) 2026 the check_nova_metadata authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * main only dispatches: start the signal thread, parse the command line
 * into a config, arm the whole-run limit, load the secret and sign, run
 * the check into a result, format it, print it, return its state. Only
 * this file (and the signal thread, with its prepared line) ends the
 * process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_args.h"
#include "check.h"
#include "check_prom.h"
#include "core_harden.h"
#include "cli_help.h"
#include "transport_http.h"
#include "core_log.h"
#include "output.h"
#include "core_redact.h"
#include "secret_source.h"
#include "core_sign.h"
#include "core_wipe.h"
#include "core_signals.h"
#include "cli_version.h"

/* main's own output (a result, a usage error, help) goes out only with
 * stdout claimed from the signal thread, so that a signal from now on
 * adds no second line; flushed here, so that nothing is left for exit. */
static void
print_status(const char *text)
{
	nm_signals_claim();
	(void)fputs(text, stdout);
	(void)fflush(stdout);
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
		print_status(NM_LABEL " UNKNOWN - out of memory\n");
	} else {
		nm_redact(out);
		print_status(out);
	}
	free(out);
	mp_check_free(c);
	return MP_UNKNOWN;
}

/* Prints an error that ends the run, in the state nm_err_state() gives
 * it (UNKNOWN for every error that reaches main: the plugin's own, a
 * bad option); returns that state. */
static int
report_error(mp_format format, const nm_error *err)
{
	mp_state state = nm_err_state(err->code, MP_UNKNOWN);
	mp_check *c;
	char *out = NULL;

	if (state == MP_UNKNOWN)
		return unknown(format, nm_error_text(err));
	/* A sub-check carries any other state. */
	if ((c = mp_check_new(NM_LABEL)) == NULL ||
	    mp_check_add(c, state, "%s", nm_error_text(err)) == NULL ||
	    mp_check_set_summary(c, "%s", nm_error_text(err)) != 0 ||
	    mp_check_format(c, format, &out) != 0) {
		mp_check_free(c);
		return unknown(format, nm_err_name(NM_ERR_NOMEM));
	}
	nm_redact(out);
	print_status(out);
	free(out);
	mp_check_free(c);
	return (int)state;
}

/* The line a signal prints before the check has finished; cfg is NULL
 * and subject "" while the options are not yet known. NULL on out of
 * memory. */
static char *
interrupted_line(mp_format format, const nm_config *cfg, const char *subject)
{
	mp_check *c = mp_check_new(NM_LABEL);
	char *out = NULL;

	if (c != NULL && mp_check_set_summary(c, "%s%sinterrupted by a signal "
	    "before the check finished", subject, subject[0] != '\0' ?
	    ": " : "") == 0 && (cfg != NULL ? nm_check_format(c, cfg, NULL,
	    &out) : mp_check_format(c, format, &out)) == 0)
		nm_redact(out);
	mp_check_free(c);
	return out;
}

/* The signal thread's lines for this configuration; searched for the
 * secret in place once that is known (nm_signals_edit_lines). */
static int
prepare_lines(const nm_config *cfg)
{
	char subject[384], *line = NULL;	/* nm_check_subject()'s */
	nm_outcomes outcomes;
	nm_error err = { NM_OK, NULL };
	mp_check *c;
	int r;

	if ((c = nm_check_timeout_result(cfg)) == NULL)
		return -1;
	r = nm_check_timeout_outcomes(cfg, &outcomes, &err) != NM_OK ||
	    nm_check_format(c, cfg, &outcomes, &line) != 0 ? -1 : 0;
	nm_outcomes_free(&outcomes);
	nm_error_clear(&err);
	mp_check_free(c);
	if (r != 0)
		return -1;
	nm_redact(line);
	if (nm_signals_set_timeout(line, cfg->timeout_result) != 0 ||
	    nm_check_subject(cfg, subject, sizeof(subject)) != 0)
		return -1;
	return nm_signals_set_interrupted(interrupted_line(cfg->output_format,
	    cfg, subject));
}

static void
log_config(const nm_config *cfg)
{
	size_t i;

	nm_log(2, "target %s://%s:%u, family %s, url %s, timeout %u s "
	    "(then %s)", cfg->ssl ? "https" : "http", cfg->host, cfg->port,
	    cfg->family == 0 ? "any" : cfg->family == 4 ? "IPv4" : "IPv6",
	    cfg->url, cfg->timeout, mp_state_name(cfg->timeout_result));
	nm_log(2, "canary %s, tenant %s%s%s", cfg->instance,
	    cfg->tenant != NULL ? cfg->tenant : "(not given)",
	    cfg->forwarded_for != NULL ? ", X-Forwarded-For " : "",
	    cfg->forwarded_for != NULL ? cfg->forwarded_for : "");
	if (cfg->agent_socket != NULL)
		nm_log(2, "through the agent's socket %s%s", cfg->agent_socket,
		    cfg->agent_and_nova ? ", and Nova directly" : " alone");
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
    nm_error *err)
{
	nm_secret secret;
	int r;

	if (nm_secret_load(cfg, &secret, err) != NM_OK)
		return -1;
	/* Armed before anything is logged: from here on, no line printed
	 * can hold the secret, whichever option it was pasted into. */
	r = nm_sign(secret.data, secret.len, cfg->instance, sig) != 0 ||
	    nm_redact_arm(secret.data, secret.len, cfg->instance, sig) != 0;
	if (r == 0) {
		nm_log(1, "shared secret from %s%s%s (%zu bytes)",
		    secret.source, secret.origin != NULL ? " " : "",
		    secret.origin != NULL ? secret.origin : "", secret.len);
		if (secret.warning != NULL)
			nm_log(1, "warning: %s", secret.warning);
	}
	nm_secret_clear(&secret);
	if (r != 0) {
		(void)nm_error_set(err, NM_ERR_SETUP, "HMAC-SHA256 failed in "
		    "libcrypto (or out of memory)");
		return -1;
	}
	nm_log(1, "signature %.8s... for instance %s", sig, cfg->instance);
	return 0;
}

/* A mode that signs nothing (an instance's view, the agent alone) reads
 * no secret; one that is available all the same (the environment's) is
 * loaded to be searched for, so that a copy pasted into an option is
 * still starred out. That it cannot be loaded changes nothing else. */
static void
arm_without_signing(const nm_config *cfg)
{
	nm_secret secret;
	nm_error err = { NM_OK, NULL };

	if (getenv(NM_SECRET_ENV) == NULL && cfg->secret_file == NULL &&
	    cfg->nova_conf_count == 0)
		return;
	if (nm_secret_load(cfg, &secret, &err) == NM_OK) {
		if (nm_redact_arm(secret.data, secret.len, cfg->instance,
		    NULL) != 0)
			nm_log(1, "warning: the secret in the environment "
			    "cannot be searched for in the output");
		nm_secret_clear(&secret);
	}
	nm_error_clear(&err);
}

/* The configuration is logged only once the search for the secret is
 * armed: a secret pasted into -H, -T or -e must not reach -vv either. */
static mp_check *
sign_and_check(const nm_config *cfg, char sig[NM_SIGNATURE_HEX_LEN + 1],
    const struct timespec *deadline, nm_outcomes *outcomes, nm_error *err)
{
	const char *signature = NULL;

	/* Nothing is signed inside an instance (the agent signs) nor
	 * through the agent alone: no secret is read. */
	if (!cfg->instance_view && (cfg->agent_socket == NULL ||
	    cfg->agent_and_nova)) {
		if (make_signature(cfg, sig, err) != 0)
			return NULL;
		signature = sig;
	} else
		arm_without_signing(cfg);
	/* The signal thread's lines, too, may hold a secret pasted into
	 * an option: searched now. */
	nm_signals_edit_lines(nm_redact);
	log_config(cfg);
	/* Each target's figures (logged at -vv, one line each), for
	 * Prometheus' format. */
	return nm_check_run(cfg, signature, deadline, outcomes, err);
}

static int
run(const nm_config *cfg, const struct timespec *deadline)
{
	char sig[NM_SIGNATURE_HEX_LEN + 1];
	mp_check *result = NULL;
	nm_outcomes outcomes = { NULL, 0, false };
	nm_error err = { NM_OK, NULL };
	char *out = NULL;
	int state;

	if ((result = sign_and_check(cfg, sig, deadline, &outcomes, &err)) !=
	    NULL && nm_check_format(result, cfg, &outcomes, &out) != 0)
		(void)nm_error_nomem(&err);
	if (out == NULL) {
		state = report_error(cfg->output_format, &err);
		goto out;
	}
	nm_redact(out);
	print_status(out);
	state = (int)mp_check_state(result);
 out:
	nm_redact_disarm();
	nm_wipe(sig, sizeof(sig));
	nm_error_clear(&err);
	free(out);
	nm_outcomes_free(&outcomes);
	mp_check_free(result);
	return state;
}

/* From the parsed options to the exit code: the signal thread's lines
 * and the whole-run limit first, so that they cover libcurl's set-up. */
static int
configure_and_run(const nm_config *cfg, const char *unhardened)
{
	struct timespec deadline;
	int state;

	nm_log_set_level(cfg->verbose);
	if (unhardened != NULL)
		nm_log(1, "warning: %s", unhardened);
	if (prepare_lines(cfg) != 0 ||
	    nm_signals_arm(cfg->timeout, &deadline) != 0)
		return unknown(cfg->output_format, "cannot arm the whole-run "
		    "limit (out of memory?)");
	if (nm_crypto_init() != 0)
		return unknown(cfg->output_format, "libcrypto failed to "
		    "initialise");
	if (nm_http_global_init() != NM_OK)
		return unknown(cfg->output_format, "libcurl failed to "
		    "initialise");
	state = run(cfg, &deadline);
	nm_http_global_cleanup();
	return state;
}

static int
print_version(void)
{
	char text[512];	/* library version strings: a few dozen bytes */

	if (nm_version_text(text, sizeof(text)) < 0)
		print_status(NM_PROGNAME " " PACKAGE_VERSION "\n");
	else
		print_status(text);
	return MP_UNKNOWN;
}

static int
dispatch(int argc, char **argv, const char *unhardened)
{
	nm_config *cfg = NULL;
	nm_error err = { NM_OK, NULL };
	nm_cmdline cl;
	int state = MP_UNKNOWN;

	nm_cmdline_read(argc, argv, &cl);
	/* A signal while the options are read: the line in the output
	 * format asked for, if that much can be made out. */
	(void)nm_signals_set_interrupted(interrupted_line(cl.format, NULL,
	    ""));
	switch (nm_parse_args(&cl, &cfg, &err)) {
	case NM_ARGS_HELP:
		/* UNKNOWN, as monitoring-plugins do: a check left in help
		 * mode must not look healthy. */
		print_status(nm_help_text());
		break;
	case NM_ARGS_VERSION:
		state = print_version();
		break;
	case NM_ARGS_ERROR:
	case NM_ARGS_NOMEM:
		state = report_error(cl.format, &err);
		break;
	case NM_ARGS_RUN:
		state = configure_and_run(cfg, unhardened);
		break;
	}
	nm_error_clear(&err);
	nm_config_free(cfg);
	nm_cmdline_free(&cl);
	return state;
}

/* A descriptor of 0-2 that the caller left closed would be the next
 * one opened (a socket, a file): the log written to "stderr" would go
 * into the HTTP connection. Each closed one gets /dev/null instead,
 * which open() gives the lowest free descriptor, this one. -1 when one
 * cannot be had: then nothing is safe to write to. */
static int
open_standard_descriptors(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *unhardened = NULL, *why = NULL;
	int state;

	/* First of all: no descriptor opened later may become 0-2. */
	if (open_standard_descriptors() != 0)
		return MP_UNKNOWN;
	/* Before anything is written: help, a usage error or the result
	 * written into a pipe whose reader is gone must end with a plugin
	 * exit code, not death by SIGPIPE (141). libcurl leaves SIGPIPE
	 * alone with CURLOPT_NOSIGNAL, so this also covers a TLS write to
	 * a peer that hung up. Ignored (inherited by every thread), not
	 * handled: the write fails with EPIPE and the run goes on. */
	(void)signal(SIGPIPE, SIG_IGN);
	/* First: the environment may hold the secret from the start. */
	(void)nm_harden(&unhardened);
	/* Before any thread exists, so that every thread inherits the
	 * blocked signals. */
	if (nm_signals_install(&why) != 0)
		state = unknown(MP_FORMAT_CLASSIC, why);
	else
		state = dispatch(argc, argv, unhardened);
	nm_signals_end();
	return state;
}
