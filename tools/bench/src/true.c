/* true: start-to-exit benchmark; does nothing.  Built with cc -O2 -static. */
int main(void)
{
	return 0;
}
