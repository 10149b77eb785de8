export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** The dump was read, but without VMCOREINFO: facts are partial and no page filtering is possible. */
export const EXIT_INCOMPLETE = 3;
/** Stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;
/** --check-level: the level leaves out pages a debugger needs (the list is printed). */
export const EXIT_DROPS_NEEDED = 4;
/** --scan-secrets: the level keeps pages holding secrets (listed masked). */
export const EXIT_SECRETS_FOUND = 5;
