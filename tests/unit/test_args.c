/* test_args.c — the command line's whole-number options keep their range:
 * a value past it (or past what an int holds) is refused with one clear
 * line and exit 2, never truncated (--users 4294967297 once ran 1 user).
 *
 * main.c is not in the unit tests' library, so this runs the herd binary
 * built beside them (BUILD/herd, or $HERD): `make all unit` builds it. The
 * plan is never run: every case stops at option parsing. */
#include "t.h"
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char herd[PATH_MAX];

/* Runs herd run PLAN opt value; returns the exit code and the first line of
 * stderr in line. */
static int run(const char *opt, const char *value, char *line, size_t len)
{
    int fd[2];
    if (pipe(fd) < 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        execl(herd, "herd", "run", "no-such-plan.json", opt, value, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    ssize_t n = read(fd[0], line, len - 1);
    line[n > 0 ? n : 0] = '\0';
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void refused(const char *opt, const char *value, const char *want)
{
    char line[512];
    CHECK_INT(run(opt, value, line, sizeof line), 2);
    if (!strstr(line, want)) {
        t_fail++;
        fprintf(stderr, "%s %s: \"%s\"\n  does not contain \"%s\"\n", opt,
                value, line, want);
    } else {
        t_pass++;
    }
}

static void test_ranges(void)
{
    refused("--users", "4294967297", "--users: expected a whole number from "
            "1 to 1000000, got 4294967297");
    refused("--users", "1000001", "from 1 to 1000000");
    refused("--users", "99999999999999999999999", "from 1 to 1000000");
    refused("--users", "0", "from 1 to 1000000");
    refused("--users", "12x", "--users: expected a whole number, got \"12x\"");
    refused("--threads", "4294967298", "--threads: expected a whole number "
            "from 1 to 1000000");
    refused("--invocations", "4294967297", "--invocations: expected a whole "
            "number from 1 to 100000");
    refused("--shard-retries", "4294967296", "--shard-retries: expected a "
            "whole number from 0 to 1000");
    refused("--rate", "nan", "--rate: expected iterations per second from "
            "0.001 to 1e+07, got \"nan\"");
    refused("--rate", "inf", "from 0.001 to 1e+07");
    refused("--rate", "0", "from 0.001 to 1e+07");
    refused("--iterations", "1000000000001", "--iterations: expected a whole "
            "number from 1 to 1000000000000");
}

static void test_in_range(void)
{
    /* A value in range passes parsing: the missing plan is what stops it. */
    char line[512];
    int rc = run("--users", "1000000", line, sizeof line);
    CHECK(rc != 0);
    CHECK(strstr(line, "--users") == NULL);
}

int main(int argc, char **argv)
{
    (void)argc;
    const char *env = getenv("HERD");
    if (env && *env) {
        snprintf(herd, sizeof herd, "%s", env);
    } else {
        char self[PATH_MAX];
        snprintf(self, sizeof self, "%s", argv[0]);
        snprintf(herd, sizeof herd, "%s/../herd", dirname(self));
    }
    if (access(herd, X_OK) != 0) {
        fprintf(stderr, "test_args: %s not built (make all unit)\n", herd);
        t_fail++;
        return T_DONE();
    }
    T_RUN(test_ranges);
    T_RUN(test_in_range);
    return T_DONE();
}
