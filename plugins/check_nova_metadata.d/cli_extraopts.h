/* --extra-opts=[section][@file], as monitoring-plugins reads it: the
 * section (default: the plugin's name) of an ini file (default: found via
 * MP_CONFIG_FILE, NAGIOS_CONFIG_PATH, then the standard places) becomes
 * options put before the command line's, so the command line wins. Never
 * prints, never exits. */
#ifndef NM_EXTRAOPTS_H
#define NM_EXTRAOPTS_H

#include <stdbool.h>

#include "core_error.h"

#define NM_EXTRAOPTS_OPT "--extra-opts"

/* The standard places searched last, in monitoring-plugins' order. */
extern const char *const nm_extraopts_default_paths[];

/* Whether argv (up to a "--") holds --extra-opts. */
bool nm_extraopts_wanted(int argc, char *const *argv);

/* A new argv: argv[0], the options of every --extra-opts in turn, then
 * the rest of argv without them; *from_files is how many words after
 * argv[0] came from ini files, so that an error can say where an option
 * came from. A key that is no option of this plugin (nm_long_options,
 * nm_short_options), or has a value where its option takes none or
 * none where it needs one, is an error naming the file, section, line
 * and key, never the value. When argv (up to a "--") holds
 * --secret-file or --nova-conf, the files' secret-file and nova-conf
 * keys are dropped: secret sources on the command line replace theirs.
 * default_paths is NULL-terminated (NULL: nm_extraopts_default_paths).
 * NM_OK with *out_argc and *out_argv (free it with nm_argv_free);
 * NM_ERR_NOMEM; or NM_ERR_CONFIG with err's cause (one line naming the
 * file or section). */
nm_err nm_extraopts_expand(int argc, char *const *argv, const char *section,
    const char *const *default_paths, int *out_argc, char ***out_argv,
    int *from_files, nm_error *err);

void nm_argv_free(char **argv);

#endif
