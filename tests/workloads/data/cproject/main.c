#include <stdio.h>
#include "calc.h"

int main(int argc, char **argv)
{
	printf("sum %ld fib %ld\n", sum(argc - 1, argv + 1), fib(30));
	return 0;
}
