/* tools/cvisor/commands.h: the subcommands of the cvisor binary. Each takes
 * argv with argv[0] the subcommand name and returns the exit status. */
#pragma once

int cmd_run(int argc, char **argv);	/* the launcher */
int cmd_sentry(int argc, char **argv);	/* hidden: the sentry role */
int cmd_syscalls(int argc, char **argv);	/* cvisor syscalls --host */
