#include <stdlib.h>
#include "calc.h"

long sum(int n, char **v)
{
	long s = 0;
	for (int i = 0; i < n; i++)
		s += strtol(v[i], NULL, 10);
	return s;
}
