#include "config.h"

#include "options.h"

const nm_optdesc nm_optdescs[] = {
#define NM_OPT(val, sh, name, has_arg, arg, help) \
	{ val, sh, name, has_arg, arg, help, false },
#define NM_EARLY_OPT(name, arg, help) \
	{ 0, "", name, required_argument, arg, help, true },
#include "options.def"
#undef NM_OPT
#undef NM_EARLY_OPT
};

const size_t nm_optdesc_count = sizeof(nm_optdescs) / sizeof(nm_optdescs[0]);
