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
	return nm_parse_args(argc, argv, cfg, err);
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
