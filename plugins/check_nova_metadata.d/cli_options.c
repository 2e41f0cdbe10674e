#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli_options.h"

const nm_optdesc nm_optdescs[] = {
#define NM_OPT(val, sh, name, has_arg, arg, syn, help) \
	{ val, sh, name, has_arg, arg, syn, help, false },
#define NM_EARLY_OPT(name, arg, syn, help) \
	{ 0, "", name, required_argument, arg, syn, help, true },
#include "cli_options.def"
#undef NM_OPT
#undef NM_EARLY_OPT
};

const size_t nm_optdesc_count = sizeof(nm_optdescs) / sizeof(nm_optdescs[0]);

/* getopt reports a missing value as ':' rather than '?'. */
static const char short_opts[] = ":"
#define NM_OPT(val, sh, name, has_arg, arg, syn, help) sh
#define NM_EARLY_OPT(name, arg, syn, help)
#include "cli_options.def"
#undef NM_OPT
#undef NM_EARLY_OPT
    ;

static const struct option long_opts[] = {
#define NM_OPT(val, sh, name, has_arg, arg, syn, help) \
	{ name, has_arg, NULL, val },
#define NM_EARLY_OPT(name, arg, syn, help)
#include "cli_options.def"
#undef NM_OPT
#undef NM_EARLY_OPT
	{ NULL, 0, NULL, 0 }
};

const struct option *
nm_long_options(void)
{
	return long_opts;
}

const char *
nm_short_options(void)
{
	return short_opts;
}

/* Appends s to buf, which holds *used bytes; -1 when it does not fit. */
static int
append(char *buf, size_t len, size_t *used, const char *s)
{
	size_t n = strlen(s);

	if (*used + n >= len)
		return -1;
	memcpy(buf + *used, s, n + 1);
	*used += n;
	return 0;
}

/* One option as the synopsis names it: "-H\tADDRESS", "-O[VERSION]",
 * "--agent-socket[=PATH]", "--cloud-init". */
static int
append_option(char *buf, size_t len, size_t *used, const nm_optdesc *d)
{
	char name[64];
	int r;

	if (d->short_opt[0] != '\0')
		r = snprintf(name, sizeof(name), "-%c%s", d->short_opt[0],
		    d->has_arg == no_argument ? "" :
		    d->has_arg == optional_argument ? "[" : "\t");
	else
		r = snprintf(name, sizeof(name), "--%s%s", d->name,
		    d->has_arg == no_argument ? "" :
		    d->has_arg == optional_argument ? "[=" : "=");
	if (r < 0 || (size_t)r >= sizeof(name) ||
	    append(buf, len, used, name) != 0)
		return -1;
	if (d->has_arg == no_argument)
		return 0;
	if (append(buf, len, used, d->arg) != 0)
		return -1;
	return d->has_arg == optional_argument ? append(buf, len, used, "]") :
	    0;
}

/* The options from first on that form one word: an option and those
 * after it that are its alternatives. */
static size_t
group_size(size_t first)
{
	size_t n = 1;

	while (first + n < nm_optdesc_count &&
	    (nm_optdescs[first + n].synopsis & NM_SYN_ALT) != 0)
		n++;
	return n;
}

static int
group_word(size_t first, size_t n, char *buf, size_t len)
{
	const nm_optdesc *d = &nm_optdescs[first];
	bool required = (d->synopsis & NM_SYN_REQUIRED) != 0;
	size_t used = 0, k;

	buf[0] = '\0';
	if (!required && append(buf, len, &used, "[") != 0)
		return -1;
	for (k = 0; k < n; k++) {
		if ((k > 0 && append(buf, len, &used, " | ") != 0) ||
		    append_option(buf, len, &used, &d[k]) != 0 ||
		    (n > 1 && (d[k].synopsis & NM_SYN_REPEAT) != 0 &&
		    append(buf, len, &used, "...") != 0))
			return -1;
	}
	if ((!required && append(buf, len, &used, "]") != 0) ||
	    (n == 1 && (d->synopsis & NM_SYN_REPEAT) != 0 &&
	    append(buf, len, &used, "...") != 0))
		return -1;
	return (int)used;
}

/* *i counts through the table twice: the required options, then the
 * others. */
int
nm_synopsis_word(size_t *i, char *buf, size_t len)
{
	bool want_required;
	size_t at, n;
	int syn;

	while (*i < 2 * nm_optdesc_count) {
		want_required = *i < nm_optdesc_count;
		at = want_required ? *i : *i - nm_optdesc_count;
		syn = nm_optdescs[at].synopsis;
		n = group_size(at);
		if ((syn & NM_SYN_NONE) != 0 ||
		    ((syn & NM_SYN_REQUIRED) != 0) != want_required) {
			*i += n;
			continue;
		}
		*i += n;
		return group_word(at, n, buf, len);
	}
	return 0;
}
