/* Scratch directories for unit tests that need real files. */
#ifndef TEST_TMPDIR_H
#define TEST_TMPDIR_H

/* Removes dir and everything below it, without a shell and without
 * following links. 0, or -1 when something could not be removed. */
int tmpdir_remove(const char *dir);

#endif
