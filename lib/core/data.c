/* data — finds bundled data files (see data.h). */
#include "data.h"
#include "err.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LCTK_DATADIR
#define LCTK_DATADIR "/usr/local/share/lctk"
#endif

static char *try_dir(const char *dir, const char *rel)
{
	size_t n = strlen(dir) + strlen(rel) + 2;
	char *p = lc_xmalloc(n);
	snprintf(p, n, "%s/%s", dir, rel);
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	return NULL;
}

char *lc_data_path(const char *rel)
{
	const char *env = getenv("LCTK_DATA");
	if (env && *env)
		return try_dir(env, rel);
	char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	if (n > 0) {
		dir[n] = 0;
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		/* PREFIX/bin/lcX -> PREFIX/share/lctk; build/bin/lcX -> ../../share/lctk */
		const char *ups[] = { "/../share/lctk", "/../../share/lctk" };
		for (size_t i = 0; i < 2; i++) {
			char d[PATH_MAX + 32];
			snprintf(d, sizeof d, "%s%s", dir, ups[i]);
			char *p = try_dir(d, rel);
			if (p)
				return p;
		}
	}
	return try_dir(LCTK_DATADIR, rel);
}
