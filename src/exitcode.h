/* exitcode — the process exit codes every command returns (README, "Exit
 * codes"). A list of numbers and nothing else, so a header without a .c:
 * main.c dispatches, each command module (run, review, init) returns one
 * of these, and only `herd run` has several failures to choose from
 * (run_exit_code in run.c holds that precedence). */
#ifndef HERD_EXITCODE_H
#define HERD_EXITCODE_H

enum exit_code {
    EXIT_OK = 0,
    EXIT_THRESHOLDS = 1,
    EXIT_USAGE = 2,
    EXIT_PLAN = 3,
    EXIT_SETUP = 4,
    EXIT_INTERRUPTED = 5,
    EXIT_IO = 6,
    EXIT_DB = 7,
    EXIT_REGRESSION = 8,
    EXIT_SHARDS = 9,
    EXIT_NO_SUCCESS = 10,
    EXIT_INCOMPLETE = 11,
    EXIT_INTERNAL = 70,
};
#endif
