/* The fuzz targets without libFuzzer: reads each file named on the
 * command line (a directory: each regular file in it, in name order)
 * and hands it to LLVMFuzzerTestOneInput once, so that make check
 * replays the corpora and regression inputs in the normal build, and
 * with ASan and UBSan under --enable-sanitizers. A crash or a broken
 * property aborts the process; with NM_REPLAY_VERBOSE set, each file is
 * named before it runs, so the log shows which one. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* libFuzzer's default -max_len is 4096; corpus files stay far below. */
#define REPLAY_MAX_INPUT (1024 * 1024)

static int verbose;

/* 0 when path was run, 1 when it is not a regular file, -1 on error. */
static int
replay_file(const char *path)
{
	uint8_t *buf = NULL;
	struct stat st;
	ssize_t got;
	int fd, r = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0)
		goto out;
	r = 1;
	if (!S_ISREG(st.st_mode))
		goto out;
	r = -1;
	if (st.st_size > REPLAY_MAX_INPUT ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	got = read(fd, buf, (size_t)st.st_size + 1);
	if (got != (ssize_t)st.st_size)
		goto out;
	if (verbose)
		fprintf(stderr, "replay: %s\n", path);
	(void)LLVMFuzzerTestOneInput(buf, (size_t)got);
	r = 0;
 out:
	if (r < 0)
		fprintf(stderr, "replay: cannot read %s\n", path);
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

/* Every regular file in dir; the count run, or -1. */
static long
replay_dir(const char *dir)
{
	struct dirent **names = NULL;
	char path[4096];
	long count = 0;
	int i, n, r;

	if ((n = scandir(dir, &names, NULL, alphasort)) < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (count >= 0 && names[i]->d_name[0] != '.') {
			r = snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			if (r < 0 || (size_t)r >= sizeof(path) ||
			    (r = replay_file(path)) < 0)
				count = -1;
			else if (r == 0)
				count++;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int
main(int argc, char **argv)
{
	struct stat st;
	long total = 0, n;
	int i;

	verbose = getenv("NM_REPLAY_VERBOSE") != NULL;
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			return 2;
		}
		n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) :
		    replay_file(argv[i]) == 0 ? 1 : -1;
		if (n < 0)
			return 2;
		total += n;
	}
	printf("%s: %ld inputs replayed\n", argc > 0 ? argv[0] : "replay",
	    total);
	return 0;
}
