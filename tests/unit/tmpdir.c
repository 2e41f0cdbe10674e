#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include "tmpdir.h"

static int
remove_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
tmpdir_remove(const char *dir)
{
	/* Depth first, so directories are empty when their turn comes. */
	return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}
