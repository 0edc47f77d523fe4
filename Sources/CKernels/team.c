/* A fixed team of worker threads for the trainer's parallel phases (see CKernels.h).
 *
 * Each job gives every worker a slot: OPEN when published, TAKEN by the worker that runs it,
 * DONE when it finished, or CLOSED by the caller, who then runs that part itself. So a job never
 * waits for a worker that has not started it (descheduled by other load, or still waking up): it
 * only waits for parts already running. Between jobs a worker spins for a while (the trainer
 * publishes about one job every half millisecond; an idle virtual CPU can take far longer than that
 * to wake), then sleeps on a condition variable. */
#include "CKernels.h"
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

enum { SLOT_DONE = 0, SLOT_OPEN = 1, SLOT_TAKEN = 2, SLOT_CLOSED = 3 };
#define SPIN_NS 200000LL /* how long an idle worker spins before it sleeps */
#define WAIT_SPIN_NS 100000LL /* how long fmnist_wait_until yields before it naps */

typedef struct {
    struct fmnist_team *team;
    int index; /* 1..threads-1 (the caller is part 0) */
    pthread_t thread;
    int started;
    /* generation * 4 + state; written by the caller (OPEN, CLOSED) and the worker (TAKEN, DONE) */
    long slot __attribute__((aligned(64)));
} worker_t;

struct fmnist_team {
    int threads;
    worker_t *workers;
    fmnist_team_fn fn;
    void *ctx;
    long generation;
    int shutdown;
    int sleepers;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* A new job for this worker: its slot is OPEN with a generation it has not seen, or shutdown. */
static inline int has_news(worker_t *w, long seen) {
    const long s = __atomic_load_n(&w->slot, __ATOMIC_SEQ_CST);
    return (s != seen && (s & 3) == SLOT_OPEN) || __atomic_load_n(&w->team->shutdown, __ATOMIC_SEQ_CST);
}

static void *worker_main(void *arg) {
    worker_t *w = arg;
    struct fmnist_team *team = w->team;
    long seen = -1;
    for (;;) {
        /* Spin, then sleep, until there is news. */
        const long long start = now_ns();
        int spins = 0;
        while (!has_news(w, seen)) {
            cpu_relax();
            if (++spins % 256 == 0 && now_ns() - start > SPIN_NS) {
                pthread_mutex_lock(&team->mutex);
                __atomic_add_fetch(&team->sleepers, 1, __ATOMIC_SEQ_CST);
                while (!has_news(w, seen)) pthread_cond_wait(&team->wake, &team->mutex);
                __atomic_sub_fetch(&team->sleepers, 1, __ATOMIC_SEQ_CST);
                pthread_mutex_unlock(&team->mutex);
                break;
            }
        }
        if (__atomic_load_n(&team->shutdown, __ATOMIC_SEQ_CST)) return NULL;
        long open = __atomic_load_n(&w->slot, __ATOMIC_ACQUIRE);
        if ((open & 3) != SLOT_OPEN) continue;
        seen = open;
        /* Take the part unless the caller closed it meanwhile. */
        if (__atomic_compare_exchange_n(&w->slot, &open, open + 1, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            team->fn(team->ctx, w->index);
            __atomic_store_n(&w->slot, open - SLOT_OPEN + SLOT_DONE, __ATOMIC_RELEASE);
        }
    }
}

fmnist_team *fmnist_team_create(int threads) {
    if (threads < 1) threads = 1;
    fmnist_team *team = calloc(1, sizeof *team);
    if (!team) return NULL;
    team->threads = threads;
    pthread_mutex_init(&team->mutex, NULL);
    pthread_cond_init(&team->wake, NULL);
    if (threads > 1) {
        if (posix_memalign((void **)&team->workers, 64, sizeof(worker_t) * (size_t)threads) != 0) {
            team->workers = NULL;
            team->threads = 1; /* no memory for workers: run everything on the caller */
            return team;
        }
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 8u << 20);
        for (int i = 1; i < threads; i++) {
            worker_t *w = &team->workers[i];
            w->team = team;
            w->index = i;
            w->slot = SLOT_DONE;
            w->started = pthread_create(&w->thread, &attr, worker_main, w) == 0;
        }
        pthread_attr_destroy(&attr);
    }
    return team;
}

int fmnist_team_threads(const fmnist_team *team) { return team ? team->threads : 1; }

void fmnist_team_run(fmnist_team *team, fmnist_team_fn fn, void *ctx) {
    if (!team || team->threads == 1) {
        fn(ctx, 0);
        return;
    }
    team->fn = fn;
    team->ctx = ctx;
    const long base = ++team->generation * 4;
    for (int i = 1; i < team->threads; i++)
        __atomic_store_n(&team->workers[i].slot, base + SLOT_OPEN, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&team->sleepers, __ATOMIC_SEQ_CST) > 0) {
        pthread_mutex_lock(&team->mutex);
        pthread_cond_broadcast(&team->wake);
        pthread_mutex_unlock(&team->mutex);
    }
    fn(ctx, 0);
    for (int i = 1; i < team->threads; i++) {
        worker_t *w = &team->workers[i];
        long open = base + SLOT_OPEN;
        /* A part nobody took (or a worker that failed to start): run it here. */
        if (!w->started ||
            __atomic_compare_exchange_n(&w->slot, &open, base + SLOT_CLOSED, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            fn(ctx, i);
            continue;
        }
        /* Taken: wait for it to finish (it is running; yield now and then under load). */
        for (int spins = 1; __atomic_load_n(&w->slot, __ATOMIC_ACQUIRE) != base + SLOT_DONE; spins++) {
            cpu_relax();
            if (spins >= 1024) sched_yield(); /* under load, let the descheduled worker run */
        }
    }
}

void fmnist_team_destroy(fmnist_team *team) {
    if (!team) return;
    if (team->workers) {
        pthread_mutex_lock(&team->mutex);
        __atomic_store_n(&team->shutdown, 1, __ATOMIC_SEQ_CST);
        pthread_cond_broadcast(&team->wake);
        pthread_mutex_unlock(&team->mutex);
        for (int i = 1; i < team->threads; i++)
            if (team->workers[i].started) pthread_join(team->workers[i].thread, NULL);
        free(team->workers);
    }
    pthread_cond_destroy(&team->wake);
    pthread_mutex_destroy(&team->mutex);
    free(team);
}

void fmnist_work_done(int32_t *done) { __atomic_fetch_add(done, 1, __ATOMIC_RELEASE); }

void fmnist_wait_until(const int32_t *done, int32_t target) {
    long long start = 0;
    for (int spins = 1; __atomic_load_n(done, __ATOMIC_ACQUIRE) < target; spins++) {
        cpu_relax();
        if (spins < 1024) continue;
        /* Under load (more threads than free cores), let the thread that holds the piece run:
         * yield, and after WAIT_SPIN_NS of waiting sleep briefly, so that a waiter does not keep
         * competing for the core the holder needs. */
        if (!start) start = now_ns();
        if (now_ns() - start < WAIT_SPIN_NS) {
            sched_yield();
        } else {
            const struct timespec nap = {0, 20000};
            nanosleep(&nap, NULL);
        }
    }
}
