long sum(int n, char **v);
long fib(int n);
