/* loop.c — epoll plus a timer heap; see loop.h.
 *
 * Sockets: each watched fd has a small record (callback, argument) found
 * through a table indexed by fd, grown on demand, so epoll's data field is
 * just the fd and a closed-and-reused fd never points at freed memory.
 * The record also remembers what epoll has, so an unchanged interest costs
 * no system call. An fd the loop owns (loop_own ... loop_close) stays in
 * epoll while nobody watches it: a keep-alive connection between two
 * requests is dropped by libcurl and asked for again, and an EPOLL_CTL_DEL
 * plus EPOLL_CTL_ADD per request was a tenth of herd's CPU (make bench).
 * If such an idle fd reports an event (the server closed it), it leaves
 * epoll then.
 *
 * Timers: a binary min-heap of pointers to caller-owned struct loop_timer,
 * each knowing its heap index, so cancel and re-arm are O(log n). Timers
 * due within the same dispatch pass run in due order; a timer armed by a
 * callback for "now" runs in the same pass, a bounded number of times so
 * one pathological callback cannot starve sockets. */
/* epoll is Linux's: herd builds on Linux only (README, "Set-up"). */
#ifndef __linux__
#error "herd runs on Linux only: its event loop is epoll (build it on Linux, or in a Linux container)"
#endif
#include "loop.h"
#include "buf.h"
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* epoll_pwait2 (Linux 5.11) takes its timeout in nanoseconds; epoll_wait
 * only in milliseconds, which rounded up makes every timer up to 1 ms late
 * (half a millisecond on average) -- an open-model arrival or a think time
 * then lands that late, and the lateness shows in the latencies of a 5 ms
 * endpoint. Called through syscall(): musl has no wrapper. Numbers from
 * 424 up are the same on every architecture. */
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

/* Sockets handled per epoll_wait. Small on purpose: the due timers run
 * after each batch, and that is where libcurl sends the next requests of
 * the users whose responses the batch just read; with 16 their state is
 * still in cache and the server gets its work sooner. At 1,000
 * connections 16 measured ~6 % less CPU per request than 256 (12
 * alternating runs, 11 won), the same at 50; timer lateness no worse. */
#ifndef LOOP_MAX_EVENTS
#define LOOP_MAX_EVENTS 16
#endif
#define LOOP_MAX_TIMERS_PASS 100000

struct watch {
    loop_fd_fn fn;
    void *arg;
    int events;                   /* what the caller watches for */
    int kernel;                   /* what epoll has: LOOP_* bits, 0 = not in */
    int owned;                    /* between loop_own and loop_close */
};

struct loop {
    int epfd;
    struct watch *w;              /* indexed by fd */
    int nw;
    struct loop_timer **heap;
    int nheap, heap_cap;
};

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t loop_now_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

int64_t loop_wall_us(void)
{
    return clock_us(CLOCK_REALTIME);
}

struct loop *loop_new(void)
{
    int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) return NULL;
    struct loop *l = xcalloc(1, sizeof *l);
    l->epfd = fd;
    return l;
}

void loop_free(struct loop *l)
{
    if (!l) return;
    close(l->epfd);
    free(l->w);
    free(l->heap);
    free(l);
}

static struct watch *watch_of(struct loop *l, int fd)
{
    if (fd >= l->nw) {
        int n = l->nw ? l->nw : 64;
        while (n <= fd) n *= 2;
        l->w = xrealloc(l->w, (size_t)n * sizeof *l->w);
        memset(l->w + l->nw, 0, (size_t)(n - l->nw) * sizeof *l->w);
        l->nw = n;
    }
    return &l->w[fd];
}

/* Makes epoll's interest in fd equal to events (LOOP_* bits, 0 = out). */
static int set_kernel(struct loop *l, int fd, struct watch *w, int events)
{
    if (w->kernel == events) return 0;
    int rc;
    if (!events) {
        rc = epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
        /* The fd may already be closed (libcurl closes before telling us);
         * the kernel then dropped it from the set by itself. */
        if (rc < 0 && (errno == EBADF || errno == ENOENT)) rc = 0;
    } else {
        struct epoll_event ev = {0};
        ev.data.fd = fd;
        ev.events = (events & LOOP_READ ? EPOLLIN : 0) |
                    (events & LOOP_WRITE ? EPOLLOUT : 0);
        rc = epoll_ctl(l->epfd, w->kernel ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
                       fd, &ev);
        if (rc < 0 && errno == ENOENT)
            rc = epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
        else if (rc < 0 && errno == EEXIST)
            rc = epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
    }
    if (rc == 0) w->kernel = events;
    return rc;
}

int loop_watch(struct loop *l, int fd, int events, loop_fd_fn fn, void *arg)
{
    if (fd < 0) { errno = EBADF; return -1; }
    struct watch *w = watch_of(l, fd);
    if (!events) {
        w->events = 0;
        if (w->owned) return 0;           /* stays in epoll until it fires */
        int rc = set_kernel(l, fd, w, 0);
        memset(w, 0, sizeof *w);
        return rc;
    }
    if (set_kernel(l, fd, w, events) < 0) return -1;
    w->fn = fn;
    w->arg = arg;
    w->events = events;
    return 0;
}

void loop_own(struct loop *l, int fd)
{
    if (fd < 0) return;
    struct watch *w = watch_of(l, fd);
    memset(w, 0, sizeof *w);              /* a new fd: epoll has nothing */
    w->owned = 1;
}

int loop_close(struct loop *l, int fd)
{
    if (fd >= 0 && fd < l->nw) {
        /* Out of epoll first: a copy of the fd in another process would
         * keep it in the set after close. */
        set_kernel(l, fd, &l->w[fd], 0);
        memset(&l->w[fd], 0, sizeof l->w[fd]);
    }
    return close(fd);
}

/* ---- timer heap -------------------------------------------------------- */

static void heap_set(struct loop *l, int i, struct loop_timer *t)
{
    l->heap[i] = t;
    t->heap_idx = i;
}

static void heap_up(struct loop *l, int i)
{
    struct loop_timer *t = l->heap[i];
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (l->heap[parent]->due_us <= t->due_us) break;
        heap_set(l, i, l->heap[parent]);
        i = parent;
    }
    heap_set(l, i, t);
}

static void heap_down(struct loop *l, int i)
{
    struct loop_timer *t = l->heap[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= l->nheap) break;
        if (c + 1 < l->nheap && l->heap[c + 1]->due_us < l->heap[c]->due_us)
            c++;
        if (l->heap[c]->due_us >= t->due_us) break;
        heap_set(l, i, l->heap[c]);
        i = c;
    }
    heap_set(l, i, t);
}

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg)
{
    t->due_us = 0;
    t->heap_idx = -1;
    t->fn = fn;
    t->arg = arg;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
    int i = t->heap_idx;
    if (i < 0) return;
    t->heap_idx = -1;
    l->nheap--;
    if (i == l->nheap) return;
    heap_set(l, i, l->heap[l->nheap]);
    heap_up(l, i);
    heap_down(l, i);
}

void loop_timer_arm(struct loop *l, struct loop_timer *t, int64_t due_us)
{
    if (t->heap_idx >= 0) {
        int64_t old = t->due_us;
        t->due_us = due_us;
        if (due_us < old) heap_up(l, t->heap_idx);
        else heap_down(l, t->heap_idx);
        return;
    }
    if (l->nheap == l->heap_cap) {
        l->heap_cap = l->heap_cap ? l->heap_cap * 2 : 64;
        l->heap = xrealloc(l->heap, (size_t)l->heap_cap * sizeof *l->heap);
    }
    t->due_us = due_us;
    heap_set(l, l->nheap++, t);
    heap_up(l, t->heap_idx);
}

int loop_timers(const struct loop *l)
{
    return l->nheap;
}

/* ---- dispatch ---------------------------------------------------------- */

/* 1 until epoll_pwait2 is found missing (an old kernel, or a sandbox
 * that filters it): then epoll_wait for every loop in the process. */
static atomic_int have_pwait2 = 1;

/* Waits up to wait_us (>= 0) for events. */
static int wait_events(struct loop *l, struct epoll_event *ev, int64_t wait_us)
{
    if (atomic_load_explicit(&have_pwait2, memory_order_relaxed)) {
        struct timespec ts = {(time_t)(wait_us / 1000000),
                              (long)(wait_us % 1000000) * 1000};
        int n = (int)syscall(SYS_epoll_pwait2, l->epfd, ev, LOOP_MAX_EVENTS,
                             &ts, NULL, (size_t)0);
        if (n >= 0 || (errno != ENOSYS && errno != EPERM)) return n;
        atomic_store_explicit(&have_pwait2, 0, memory_order_relaxed);
    }
    /* Round up: waking early would only spin. */
    return epoll_wait(l->epfd, ev, LOOP_MAX_EVENTS, (int)((wait_us + 999) / 1000));
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
    int64_t now = loop_now_us();
    int64_t wait_us = (int64_t)max_wait_ms * 1000;
    if (l->nheap) {
        int64_t d = l->heap[0]->due_us - now;
        if (d < 0) d = 0;
        if (d < wait_us) wait_us = d;
    }
    struct epoll_event ev[LOOP_MAX_EVENTS];
    int n = wait_events(l, ev, wait_us);
    if (n < 0) {
        if (errno != EINTR) return -1;
        n = 0;
    }
    int ran = 0;
    for (int i = 0; i < n; i++) {
        int fd = ev[i].data.fd;
        if (fd >= l->nw) continue;
        struct watch *w = &l->w[fd];
        if (!w->events) {                 /* an idle owned fd: let it go */
            set_kernel(l, fd, w, 0);
            continue;
        }
        int events = 0;
        if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) events |= LOOP_READ;
        if (ev[i].events & (EPOLLOUT | EPOLLERR)) events |= LOOP_WRITE;
        w->fn(w->arg, fd, events);
        ran++;
    }
    now = loop_now_us();
    for (int k = 0; k < LOOP_MAX_TIMERS_PASS && l->nheap &&
         l->heap[0]->due_us <= now; k++) {
        struct loop_timer *t = l->heap[0];
        loop_timer_cancel(l, t);
        t->fn(t->arg);
        ran++;
    }
    return ran;
}
