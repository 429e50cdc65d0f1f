/* test_loop.c — timer ordering, cancel/re-arm, socket readiness, and the
 * owned sockets that stay in epoll between watches. */
#include "t.h"
#include "loop.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int order[64], norder;

static void fire(void *arg)
{
    order[norder++] = (int)(long)arg;
}

static void test_timers(void)
{
    struct loop *l = loop_new();
    struct loop_timer t[10];
    int64_t now = loop_now_us();
    /* Arm in scrambled order; they must fire sorted by due time. */
    int due[10] = {5, 1, 9, 3, 7, 0, 8, 2, 6, 4};
    for (int i = 0; i < 10; i++) {
        loop_timer_init(&t[i], fire, (void *)(long)due[i]);
        loop_timer_arm(l, &t[i], now + due[i] * 1000);
    }
    loop_timer_cancel(l, &t[2]);                 /* due 9: never fires */
    loop_timer_arm(l, &t[1], now + 20000);       /* due 1 moved last */
    CHECK_INT(loop_timers(l), 9);
    CHECK(!loop_timer_armed(&t[2]));
    while (loop_timers(l)) loop_run_once(l, 100);
    CHECK_INT(norder, 9);
    int want[9] = {0, 2, 3, 4, 5, 6, 7, 8, 1};
    for (int i = 0; i < 9; i++) CHECK_INT(order[i], want[i]);
    CHECK(loop_now_us() - now >= 20000);         /* not early */
    loop_free(l);
}

static int readable;

static void on_fd(void *arg, int fd, int events)
{
    (void)arg;
    char b[8];
    if (events & LOOP_READ) readable += (int)read(fd, b, sizeof b);
}

static void test_sockets(void)
{
    struct loop *l = loop_new();
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(loop_watch(l, p[0], LOOP_READ, on_fd, NULL) == 0);
    CHECK(loop_run_once(l, 10) == 0);            /* nothing yet */
    CHECK(write(p[1], "abc", 3) == 3);
    CHECK(loop_run_once(l, 1000) == 1);
    CHECK_INT(readable, 3);
    CHECK(loop_watch(l, p[0], 0, NULL, NULL) == 0);
    CHECK(write(p[1], "d", 1) == 1);
    CHECK(loop_run_once(l, 10) == 0);            /* no longer watched */
    close(p[0]);
    close(p[1]);
    loop_free(l);
}

static int64_t last_due;
static int fired, out_of_order;

static void fire_checked(void *arg)
{
    struct loop_timer *t = arg;
    if (t->due_us < last_due) out_of_order++;
    last_due = t->due_us;
    fired++;
}

static void test_many_timers(void)
{
    /* A heap of 10,000 timers, some cancelled, fires every remaining one
     * exactly once, in due order. */
    struct loop *l = loop_new();
    enum { N = 10000 };
    struct loop_timer *t = calloc(N, sizeof *t);
    int64_t now = loop_now_us() - 1000000;       /* all already due */
    for (int i = 0; i < N; i++) {
        loop_timer_init(&t[i], fire_checked, &t[i]);
        loop_timer_arm(l, &t[i], now + (i * 7919) % N);
    }
    for (int i = 0; i < N; i += 10) loop_timer_cancel(l, &t[i]);
    while (loop_timers(l)) loop_run_once(l, 0);
    CHECK_INT(fired, N - N / 10);
    CHECK_INT(out_of_order, 0);
    free(t);
    loop_free(l);
}

/* How many fds the kernel's epoll set holds: the "tfd:" lines in the
 * fdinfo of this process's only epoll fd. */
static int epoll_entries(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    int n = -1;
    while (d && (de = readdir(d))) {
        char path[64], link[64] = "";
        snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
        if (readlink(path, link, sizeof link - 1) < 0 ||
            !strstr(link, "eventpoll")) continue;
        snprintf(path, sizeof path, "/proc/self/fdinfo/%s", de->d_name);
        FILE *f = fopen(path, "r");
        char line[256];
        n = 0;
        while (f && fgets(line, sizeof line, f))
            if (strncmp(line, "tfd:", 4) == 0) n++;
        if (f) fclose(f);
    }
    if (d) closedir(d);
    return n;
}

static void test_owned(void)
{
    struct loop *l = loop_new();
    int sp[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    loop_own(l, sp[0]);
    readable = 0;
    CHECK(loop_watch(l, sp[0], LOOP_READ, on_fd, NULL) == 0);
    CHECK_INT(epoll_entries(), 1);
    /* Between two watches an owned fd stays in epoll: no system calls. */
    CHECK(loop_watch(l, sp[0], 0, NULL, NULL) == 0);
    CHECK_INT(epoll_entries(), 1);
    CHECK(loop_watch(l, sp[0], LOOP_READ, on_fd, NULL) == 0);
    CHECK(write(sp[1], "ab", 2) == 2);
    CHECK(loop_run_once(l, 1000) == 1);
    CHECK_INT(readable, 2);
    /* Unwatched, it reports nothing, and an event while idle (the peer
     * wrote or closed) takes it out of epoll instead of spinning. */
    CHECK(loop_watch(l, sp[0], 0, NULL, NULL) == 0);
    CHECK(write(sp[1], "c", 1) == 1);
    CHECK(loop_run_once(l, 100) == 0);
    CHECK_INT(epoll_entries(), 0);
    CHECK(loop_run_once(l, 10) == 0);
    CHECK_INT(readable, 2);
    /* Watched again, it is back and the pending byte is seen. */
    CHECK(loop_watch(l, sp[0], LOOP_READ, on_fd, NULL) == 0);
    CHECK_INT(epoll_entries(), 1);
    CHECK(loop_run_once(l, 1000) == 1);
    CHECK_INT(readable, 3);
    /* loop_close leaves epoll and closes. */
    int old = sp[0];
    CHECK(loop_close(l, sp[0]) == 0);
    CHECK_INT(epoll_entries(), 0);
    CHECK(fcntl(old, F_GETFD) < 0 && errno == EBADF);
    close(sp[1]);
    /* The number comes back for a new socket: it starts from nothing. */
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    CHECK_INT(sp[0], old);
    loop_own(l, sp[0]);
    CHECK(loop_watch(l, sp[0], LOOP_READ, on_fd, NULL) == 0);
    CHECK_INT(epoll_entries(), 1);
    CHECK(write(sp[1], "d", 1) == 1);
    CHECK(loop_run_once(l, 1000) == 1);
    CHECK_INT(readable, 4);
    CHECK(loop_close(l, sp[0]) == 0);
    close(sp[1]);
    /* Not owned: out of epoll as soon as it is unwatched, as before. */
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    CHECK(loop_watch(l, sp[0], LOOP_READ | LOOP_WRITE, on_fd, NULL) == 0);
    CHECK_INT(epoll_entries(), 1);
    CHECK(loop_watch(l, sp[0], 0, NULL, NULL) == 0);
    CHECK_INT(epoll_entries(), 0);
    close(sp[0]);
    close(sp[1]);
    loop_free(l);
}

static int hits[64];

static void on_hit(void *arg, int fd, int events)
{
    char b[8];
    hits[(long)arg]++;
    if (read(fd, b, sizeof b) < 0) hits[(long)arg] = -1000;
}

/* More ready sockets than one epoll_wait takes: every one is served,
 * once, over several passes. */
static void test_many_ready(void)
{
    struct loop *l = loop_new();
    int sp[40][2];
    for (long i = 0; i < 40; i++) {
        CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp[i]) == 0);
        CHECK(loop_watch(l, sp[i][0], LOOP_READ, on_hit, (void *)i) == 0);
        CHECK(write(sp[i][1], "x", 1) == 1);
    }
    int first = loop_run_once(l, 1000), total = first, passes = 1;
    while (total < 40 && passes < 100) { total += loop_run_once(l, 100); passes++; }
    CHECK(first < 40);                   /* a batch is smaller than 40 */
    CHECK_INT(total, 40);
    int once = 1;
    for (int i = 0; i < 40; i++) once &= hits[i] == 1;
    CHECK(once);
    CHECK(loop_run_once(l, 10) == 0);    /* nothing left, nothing twice */
    for (int i = 0; i < 40; i++) { close(sp[i][0]); close(sp[i][1]); }
    loop_free(l);
}

int main(void)
{
    T_RUN(test_timers);
    T_RUN(test_sockets);
    T_RUN(test_owned);
    T_RUN(test_many_ready);
    T_RUN(test_many_timers);
    return T_DONE();
}
