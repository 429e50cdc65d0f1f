/* loop — one event loop per worker thread: epoll for sockets and a binary
 * min-heap of timers, in the spirit of Redis' ae.c.
 *
 * The only module that touches epoll and timers. Who calls it: engine
 * (curl's sockets, think times, poll intervals, retry back-off, the arrival
 * schedule, libcurl's own timeout). A timer is a struct the caller embeds
 * (e.g. one per virtual user), so arming one never allocates and a user
 * waiting on a timer costs no thread and no CPU. loop_run_once waits for
 * the earliest of: a socket event, the first timer, or max_wait_ms, then
 * dispatches. Timer callbacks may arm or cancel any timer, including their
 * own.
 *
 * Time: CLOCK_MONOTONIC microseconds (loop_now_us); timestamps that leave
 * the process (results, journal, shards) use the wall clock (loop_wall_us).
 * Not thread-safe: a loop belongs to one thread. */
#ifndef HERD_LOOP_H
#define HERD_LOOP_H
#include <stdint.h>

#define LOOP_READ  1
#define LOOP_WRITE 2

struct loop;
typedef void (*loop_fd_fn)(void *arg, int fd, int events);
typedef void (*loop_timer_fn)(void *arg);

struct loop_timer {
    int64_t due_us;
    int heap_idx;                /* -1 when not armed */
    loop_timer_fn fn;
    void *arg;
};

/* Monotonic clock in microseconds. */
int64_t loop_now_us(void);
/* Wall clock (CLOCK_REALTIME), microseconds since the Unix epoch. */
int64_t loop_wall_us(void);

/* Returns a new loop, or NULL if epoll_create fails (errno set). */
struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watches fd for events (LOOP_READ | LOOP_WRITE), replacing any previous
 * interest; events == 0 stops watching. fn(arg, fd, events) is called when
 * ready. Returns 0 or -1 (errno set). */
int loop_watch(struct loop *l, int fd, int events, loop_fd_fn fn, void *arg);

/* fd is a new socket the caller will close with loop_close and with
 * nothing else. While nobody watches it, the loop may then leave it in
 * epoll, which saves two system calls each time it is watched again (a
 * keep-alive connection between requests). */
void loop_own(struct loop *l, int fd);
/* Stops watching fd and closes it; returns close's result. */
int loop_close(struct loop *l, int fd);

/* Prepares a timer; must be called once before the first arm. */
void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg);
/* Arms (or re-arms) t to fire at due_us. O(log n). */
void loop_timer_arm(struct loop *l, struct loop_timer *t, int64_t due_us);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
static inline int loop_timer_armed(const struct loop_timer *t)
{
    return t->heap_idx >= 0;
}
/* Number of armed timers. */
int loop_timers(const struct loop *l);

/* Waits up to max_wait_ms (or until the earliest timer) and dispatches
 * ready sockets, then due timers. Returns the number of callbacks run, or
 * -1 on an epoll error other than EINTR. */
int loop_run_once(struct loop *l, int max_wait_ms);
#endif
