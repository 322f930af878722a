/* size — "200M"-style byte sizes (see size.h). */
#include "size.h"

#include <errno.h>
#include <stdlib.h>

unsigned long long lc_size_parse(const char *opt, const char *arg, lc_err *e)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	unsigned long long mul = 1;
	if (end != arg && *end && !end[1]) {
		switch (*end) {
		case 'k': case 'K': mul = 1000ULL; end++; break;
		case 'm': case 'M': mul = 1000ULL * 1000; end++; break;
		case 'g': case 'G': mul = 1000ULL * 1000 * 1000; end++; break;
		}
	}
	if (end == arg || *end || errno || arg[0] == '-' || v == 0 || v > ~0ULL / mul) {
		lc_err_set(e, LC_EXIT_USAGE, "%s '%s': expected a positive size such as 200M (K, M, G = 1000s)", opt, arg);
		return 0;
	}
	return v * mul;
}
