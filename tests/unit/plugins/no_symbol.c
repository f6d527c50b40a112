/* Test plugin that is a shared object but not a cellftpd module. */
int no_symbol_answer(void);

int no_symbol_answer(void)
{
	return 42;
}
