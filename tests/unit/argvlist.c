#include "config.h"

#include <stdarg.h>
#include <stddef.h>

#include "argvlist.h"

#define MAXARGS 32

nm_args_result
vparse(nm_config **cfg, nm_error *err, va_list ap)
{
	char *argv[MAXARGS + 1];
	int argc = 0;
	const char *a;

	argv[argc++] = (char *)"check_nova_metadata";
	while ((a = va_arg(ap, const char *)) != NULL && argc < MAXARGS)
		argv[argc++] = (char *)a;
	argv[argc] = NULL;
	return parse_words(argc, argv, cfg, err);
}

nm_args_result
parse_words(int argc, char **argv, nm_config **cfg, nm_error *err)
{
	nm_cmdline cl;
	nm_args_result r;

	nm_cmdline_read(argc, argv, &cl);
	r = nm_parse_args(&cl, cfg, err);
	nm_cmdline_free(&cl);
	return r;
}

nm_args_result
parse(nm_config **cfg, nm_error *err, ...)
{
	nm_args_result r;
	va_list ap;

	va_start(ap, err);
	r = vparse(cfg, err, ap);
	va_end(ap);
	return r;
}
