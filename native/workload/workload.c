/*
 * workload — a precise synthetic "build" workload for rightsize tests.
 *
 * Plays a CPU / memory usage profile precisely enough that tests can check
 * what a collector measured (cgroup cpuacct, memory working set).
 *
 * Build (static, so it runs in a busybox-only container):
 *   gcc -O2 -static -pthread -o workload workload.c
 *
 * Usage: see usage() below or run `workload --help`.
 *
 * CPU: for a target of c cores, n = ceil(c) threads each target c/n of a core.
 * Every thread runs fixed 10 ms periods: it busy-spins until its own consumed
 * CPU time (CLOCK_THREAD_CPUTIME_ID) reaches share * elapsed wall time at the
 * end of the period, then sleeps until the period ends (absolute deadline).
 * Because the target is cumulative, preemption or CFS throttling is made up
 * for in later periods (bounded by MAX_DEBT_NS so a long stall doesn't turn
 * into a long 100% burst), and the long-run average converges on the target.
 * The target is the whole process's: CPU the main thread spends on memory
 * (page faults while a ramp touches new pages: a 200 MiB ramp cost a 0.5-core
 * build 0.1-0.25 cores for a couple of seconds on a loaded host) is counted,
 * each of the n threads taking 1/n of it, so the container uses what --cpu says.
 *
 * Memory: held in mmap()ed chunks; every byte is written with a non-zero
 * pattern so it is real anonymous RSS. Lowering the target munmap()s the
 * difference so it really goes back to the kernel. If the container's memory
 * limit is smaller the kernel OOM-kills us; that is intended (not caught).
 *
 * Signals: SIGTERM -> exit 143, SIGINT -> exit 130 (promptly). SIGTERM/SIGINT
 * are blocked in every thread and collected by the main thread with
 * sigtimedwait(), which also works when we run as PID 1 in a container.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_SEC 1000000000LL
#define NS_PER_MS 1000000LL
#define PERIOD_NS (10 * NS_PER_MS)       /* duty-cycle period per thread */
#define MAX_DEBT_NS (50 * NS_PER_MS)     /* at most this much CPU is made up: a stall never turns into a burst well above the target */
#define IDLE_POLL_NS (10 * NS_PER_MS)    /* idle threads check for new phase */
#define RAMP_TICK_NS (10 * NS_PER_MS)    /* memory ramp granularity */
#define CHUNK_BYTES (1024LL * 1024LL)    /* mmap chunk size */
#define MAX_THREADS 1024
#define MAX_PHASES 4096
#define INF_NS INT64_MAX

typedef struct {
    double cpu;       /* cores */
    int64_t mem;      /* bytes */
    int64_t dur_ns;   /* INF_NS = until signalled */
} phase_t;

static phase_t g_phases[MAX_PHASES];
static int g_nphases;
static const char *g_prog = "workload";

/* Published by the main thread, read by the CPU threads. */
static _Atomic unsigned g_gen;          /* bumped on each phase change */
static _Atomic double g_cur_cpu;        /* target cores of current phase */
static _Atomic int64_t g_mem_cpu_ns;    /* CPU time the main thread spent so far (memory work) */

static long g_page;

/* Tiny libm-free helpers (so `gcc -O2 -static -pthread` needs no -lm).
 * Only used on non-negative, bounded values. */
static int ceil_cores(double c) { /* ceil(c) with a little tolerance */
    int n = (int)c;
    if ((double)n < c - 1e-9) n++;
    return n;
}
static int64_t round_i64(double v) { return (int64_t)(v + 0.5); }
static int finite_d(double v) { return v == v && v < 1e300 && v > -1e300; }

/* ------------------------------------------------------------------------ */
/* time helpers */

static int64_t now_ns(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static struct timespec to_ts(int64_t ns) {
    struct timespec ts;
    ts.tv_sec = ns / NS_PER_SEC;
    ts.tv_nsec = ns % NS_PER_SEC;
    return ts;
}

static void sleep_until(int64_t mono_ns) {
    struct timespec ts = to_ts(mono_ns);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

/* ------------------------------------------------------------------------ */
/* argument parsing */

static void usage(FILE *out) {
    fprintf(out,
        "Usage: %s --cpu <cores> --mem <size> --duration <time>\n"
        "          [--mem-ramp <time>] [--exit <code>] [--quiet]\n"
        "       %s --phases <cpu:mem:duration>[,<cpu:mem:duration>...]\n"
        "          [--mem-ramp <time>] [--exit <code>] [--quiet]\n"
        "\n"
        "Plays a precise CPU/memory usage profile (synthetic build workload).\n"
        "\n"
        "  --cpu <cores>       CPU to burn, in cores; fractions allowed (0.25, 1.5, 3).\n"
        "                      Uses ceil(cores) threads, each burning cores/threads.\n"
        "                      Default 0 (no burning).\n"
        "  --mem <size>        Anonymous memory to allocate and touch and hold.\n"
        "                      Sizes: bytes, or with suffix k/m/g/t (also kb, KiB, MB,\n"
        "                      MiB, ...; always binary: 64m = 64 MiB). Default 0.\n"
        "  --duration <time>   How long to run: 500ms, 30s, 2m, 1h, 1.5s, plain number\n"
        "                      = seconds. 0 or inf = until SIGTERM/SIGINT. Required\n"
        "                      unless --phases is given.\n"
        "  --phases <spec>     Comma-separated cpu:mem:duration triples run in order,\n"
        "                      e.g. 0.2:100m:10s,1.5:300m:20s,0.1:50m:5s. Each phase\n"
        "                      sets target cores and held memory. Only the last phase\n"
        "                      may have duration 0/inf. Replaces --cpu/--mem/--duration.\n"
        "  --mem-ramp <time>   Grow memory linearly to the target over this time\n"
        "                      (from 0 at start; from the previous level whenever a\n"
        "                      phase raises memory). Decreases are immediate.\n"
        "  --exit <code>       Exit status after the profile finished (0-255, default\n"
        "                      0), to simulate a failed build.\n"
        "  --quiet             Don't print the start line.\n"
        "  --help              Show this help.\n"
        "\n"
        "Exit status: the --exit code when done; 143 on SIGTERM; 130 on SIGINT;\n"
        "2 on bad arguments; 137 (SIGKILL) if OOM-killed by the kernel.\n",
        g_prog, g_prog);
}

static void die_usage(const char *fmt, const char *arg) {
    fprintf(stderr, "%s: ", g_prog);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr);
    exit(2);
}

/* Parse a non-negative decimal number prefix; returns pointer to the rest. */
static int parse_number(const char *s, double *out, const char **rest) {
    char *end;
    if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ') return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || !finite_d(v) || v < 0) return -1;
    /* reject hex / inf / nan forms that strtod accepts */
    for (const char *p = s; p < end; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
              *p == '+' || *p == '-'))
            return -1;
    *out = v;
    *rest = end;
    return 0;
}

static int parse_size(const char *s, int64_t *out) {
    double v;
    const char *suf;
    if (parse_number(s, &v, &suf) < 0) return -1;
    double mul;
    if (*suf == '\0' || !strcasecmp(suf, "b")) mul = 1;
    else if (!strcasecmp(suf, "k") || !strcasecmp(suf, "kb") || !strcasecmp(suf, "kib")) mul = 1024.0;
    else if (!strcasecmp(suf, "m") || !strcasecmp(suf, "mb") || !strcasecmp(suf, "mib")) mul = 1024.0 * 1024;
    else if (!strcasecmp(suf, "g") || !strcasecmp(suf, "gb") || !strcasecmp(suf, "gib")) mul = 1024.0 * 1024 * 1024;
    else if (!strcasecmp(suf, "t") || !strcasecmp(suf, "tb") || !strcasecmp(suf, "tib")) mul = 1024.0 * 1024 * 1024 * 1024;
    else return -1;
    double b = v * mul;
    if (b > 9.0e18) return -1;
    *out = round_i64(b);
    return 0;
}

/* 0 / inf -> INF_NS */
static int parse_time(const char *s, int64_t *out) {
    if (!strcasecmp(s, "inf") || !strcasecmp(s, "infinity") || !strcasecmp(s, "forever")) {
        *out = INF_NS;
        return 0;
    }
    double v;
    const char *suf;
    if (parse_number(s, &v, &suf) < 0) return -1;
    double mul;
    if (*suf == '\0' || !strcmp(suf, "s")) mul = 1e9;
    else if (!strcmp(suf, "ms")) mul = 1e6;
    else if (!strcmp(suf, "us")) mul = 1e3;
    else if (!strcmp(suf, "m") || !strcmp(suf, "min")) mul = 60e9;
    else if (!strcmp(suf, "h")) mul = 3600e9;
    else return -1;
    double ns = v * mul;
    if (ns > 9.0e18) return -1;
    int64_t r = round_i64(ns);
    *out = r == 0 ? INF_NS : r;
    return 0;
}

static int parse_cpu(const char *s, double *out) {
    double v;
    const char *rest;
    if (parse_number(s, &v, &rest) < 0 || *rest != '\0') return -1;
    if (v > MAX_THREADS) return -1;
    *out = v;
    return 0;
}

static int parse_phases(const char *spec) {
    char *copy = strdup(spec);
    if (!copy) { perror("strdup"); exit(1); }
    char *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n >= MAX_PHASES) die_usage("too many phases (max 4096): %s", spec);
        char *c1 = strchr(tok, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c1 || !c2 || strchr(c2 + 1, ':')) die_usage("bad phase '%s' (want cpu:mem:duration)", tok);
        *c1 = '\0';
        *c2 = '\0';
        phase_t *p = &g_phases[n];
        if (parse_cpu(tok, &p->cpu) < 0) die_usage("bad cpu in phase: '%s'", tok);
        if (parse_size(c1 + 1, &p->mem) < 0) die_usage("bad memory size in phase: '%s'", c1 + 1);
        if (parse_time(c2 + 1, &p->dur_ns) < 0) die_usage("bad duration in phase: '%s'", c2 + 1);
        n++;
    }
    /* reject empty spec and empty elements like "a,,b" or trailing comma */
    if (n == 0 || strstr(spec, ",,") || spec[0] == ',' || spec[strlen(spec) - 1] == ',')
        die_usage("bad --phases spec: '%s'", spec);
    for (int i = 0; i < n - 1; i++)
        if (g_phases[i].dur_ns == INF_NS)
            die_usage("only the last phase may run forever (duration 0/inf): '%s'", spec);
    free(copy);
    return n;
}

static void fmt_size(char *buf, size_t len, int64_t b) {
    if (b >= 1024LL * 1024 * 1024) snprintf(buf, len, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    else if (b >= 1024LL * 1024) snprintf(buf, len, "%.1f MiB", b / (1024.0 * 1024));
    else if (b >= 1024) snprintf(buf, len, "%.1f KiB", b / 1024.0);
    else snprintf(buf, len, "%lld B", (long long)b);
}

static void fmt_time(char *buf, size_t len, int64_t ns) {
    if (ns == INF_NS) snprintf(buf, len, "inf");
    else if (ns % NS_PER_SEC == 0) snprintf(buf, len, "%llds", (long long)(ns / NS_PER_SEC));
    else snprintf(buf, len, "%gs", ns / 1e9);
}

/* ------------------------------------------------------------------------ */
/* CPU burning */

static volatile uint64_t g_sink;

/* well under a microsecond of pure ALU work */
static inline void spin_work(void) {
    uint64_t x = g_sink | 1;
    for (int i = 0; i < 100; i++) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    g_sink = x;
}

static void *cpu_thread(void *arg) {
    int idx = (int)(intptr_t)arg;
    for (;;) {
        unsigned gen = atomic_load(&g_gen);
        double c = atomic_load(&g_cur_cpu);
        int n = ceil_cores(c);
        double share = (idx < n && n > 0) ? c / n : 0.0;
        if (share <= 0.0) {
            sleep_until(now_ns(CLOCK_MONOTONIC) + IDLE_POLL_NS);
            continue;
        }
        if (share > 1.0) share = 1.0;
        int64_t w0 = now_ns(CLOCK_MONOTONIC);
        int64_t u0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
        int64_t m0 = atomic_load(&g_mem_cpu_ns);
        int64_t k = 0;
        while (atomic_load(&g_gen) == gen) {
            int64_t w = now_ns(CLOCK_MONOTONIC);
            int64_t pend = w0 + (k + 1) * PERIOD_NS;
            if (w >= pend) {             /* we missed periods (preempted / throttled) */
                k = (w - w0) / PERIOD_NS;
                pend = w0 + (k + 1) * PERIOD_NS;
            }
            /* cumulative CPU time we should have used by the end of this period */
            int64_t target = (int64_t)(share * (double)(pend - w0));
            /* our own CPU plus our share of the main thread's memory work */
            int64_t mem_share = (atomic_load(&g_mem_cpu_ns) - m0) / n;
            int64_t used = now_ns(CLOCK_THREAD_CPUTIME_ID) - u0 + mem_share;
            int64_t debt = target - used;
            int64_t max_debt = MAX_DEBT_NS + (int64_t)(share * PERIOD_NS);
            if (debt > max_debt) u0 -= debt - max_debt;             /* forgive old debt */
            else if (debt < -PERIOD_NS) u0 += -PERIOD_NS - debt;    /* forget surplus */
            /* Busy until we used our share, but never past the period end.
             * Spin against the cheap (vDSO) wall clock for the remaining CPU
             * time, then re-check the (syscall) thread CPU clock: if we were
             * preempted meanwhile, the re-check asks for more. */
            for (;;) {
                int64_t rem = target - (now_ns(CLOCK_THREAD_CPUTIME_ID) - u0 + mem_share);
                if (rem <= 0) break;
                int64_t t = now_ns(CLOCK_MONOTONIC);
                if (t >= pend) break;
                int64_t until = t + rem < pend ? t + rem : pend;
                while (now_ns(CLOCK_MONOTONIC) < until) spin_work();
            }
            if (share < 1.0) sleep_until(pend);
            k++;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Memory */

typedef struct {
    unsigned char *p;
    size_t len;
} chunk_t;

static chunk_t *g_chunks;
static size_t g_nchunks, g_capchunks;
static int64_t g_held; /* bytes currently held (page-rounded) */

static int64_t page_round(int64_t b) {
    return (b + g_page - 1) / g_page * g_page;
}

static void mem_grow(int64_t want) {
    while (g_held < want) {
        int64_t len = want - g_held;
        if (len > CHUNK_BYTES) len = CHUNK_BYTES;
        len = page_round(len);
        unsigned char *p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("workload: mmap");
            exit(1);
        }
        /* touch every byte with a non-zero, per-page varying pattern so this is
         * real anonymous RSS (not the shared zero page) */
        memset(p, 0xA5, (size_t)len);
        for (int64_t off = 0; off < len; off += g_page)
            *(uint64_t *)(p + off) = (uint64_t)(uintptr_t)(p + off) | 1;
        if (g_nchunks == g_capchunks) {
            g_capchunks = g_capchunks ? g_capchunks * 2 : 256;
            g_chunks = realloc(g_chunks, g_capchunks * sizeof *g_chunks);
            if (!g_chunks) { perror("workload: realloc"); exit(1); }
        }
        g_chunks[g_nchunks++] = (chunk_t){p, (size_t)len};
        g_held += len;
    }
}

static void mem_shrink(int64_t want) {
    want = page_round(want);
    while (g_held > want && g_nchunks > 0) {
        chunk_t *c = &g_chunks[g_nchunks - 1];
        int64_t excess = g_held - want;
        if ((int64_t)c->len <= excess) {
            munmap(c->p, c->len);
            g_held -= (int64_t)c->len;
            g_nchunks--;
        } else {
            size_t keep = c->len - (size_t)excess; /* page multiple */
            munmap(c->p + keep, (size_t)excess);
            c->len = keep;
            g_held -= excess;
        }
    }
}

static void mem_set(int64_t want) {
    if (want > g_held) mem_grow(want);
    else if (want < page_round(g_held) && page_round(want) < g_held) mem_shrink(want);
}

/* ------------------------------------------------------------------------ */

static void noop_handler(int sig) {
    (void)sig;
}

int main(int argc, char **argv) {
    g_page = sysconf(_SC_PAGESIZE);
    if (g_page <= 0) g_page = 4096;
    if (argc > 0 && argv[0] && *argv[0]) {
        const char *b = strrchr(argv[0], '/');
        g_prog = b ? b + 1 : argv[0];
    }

    double cpu = 0;
    int64_t mem = 0, dur = -1, ramp = 0;
    int exit_code = 0, quiet = 0, have_cpu = 0, have_mem = 0;
    const char *phases = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char name[64];
        /* support --opt=value and --opt value */
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        if (eq) {
            size_t l = (size_t)(eq - a);
            if (l >= sizeof name) die_usage("unknown option: %s", a);
            memcpy(name, a, l);
            name[l] = '\0';
            val = eq + 1;
        } else {
            snprintf(name, sizeof name, "%s", a);
        }
        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(name, "--quiet") || !strcmp(name, "-q")) {
            if (val) die_usage("--quiet takes no value: %s", a);
            quiet = 1;
            continue;
        }
        int takes = !strcmp(name, "--cpu") || !strcmp(name, "--mem") ||
                    !strcmp(name, "--duration") || !strcmp(name, "--phases") ||
                    !strcmp(name, "--mem-ramp") || !strcmp(name, "--exit");
        if (!takes) die_usage("unknown argument: %s", a);
        if (!val) {
            if (i + 1 >= argc) die_usage("missing value for %s", name);
            val = argv[++i];
        }
        if (!strcmp(name, "--cpu")) {
            if (parse_cpu(val, &cpu) < 0) die_usage("bad --cpu (cores, e.g. 0.5, 1.5, 3; max 1024): '%s'", val);
            have_cpu = 1;
        } else if (!strcmp(name, "--mem")) {
            if (parse_size(val, &mem) < 0) die_usage("bad --mem size (e.g. 64m, 1g, 200MiB, 4096): '%s'", val);
            have_mem = 1;
        } else if (!strcmp(name, "--duration")) {
            if (parse_time(val, &dur) < 0) die_usage("bad --duration (e.g. 500ms, 30s, 2m, inf): '%s'", val);
        } else if (!strcmp(name, "--mem-ramp")) {
            if (parse_time(val, &ramp) < 0) die_usage("bad --mem-ramp time (e.g. 5s): '%s'", val);
            if (ramp == INF_NS) ramp = 0; /* 0 = no ramp */
        } else if (!strcmp(name, "--phases")) {
            phases = val;
        } else if (!strcmp(name, "--exit")) {
            char *end;
            errno = 0;
            long v = strtol(val, &end, 10);
            if (*val == '\0' || *end != '\0' || errno || v < 0 || v > 255)
                die_usage("bad --exit code (0-255): '%s'", val);
            exit_code = (int)v;
        }
    }

    if (phases) {
        if (have_cpu || have_mem || dur >= 0)
            die_usage("%s", "--phases cannot be combined with --cpu/--mem/--duration");
        g_nphases = parse_phases(phases);
    } else {
        if (dur < 0) die_usage("%s", "--duration is required (or use --phases)");
        g_phases[0] = (phase_t){cpu, mem, dur};
        g_nphases = 1;
    }

    double max_cpu = 0;
    for (int i = 0; i < g_nphases; i++)
        if (g_phases[i].cpu > max_cpu) max_cpu = g_phases[i].cpu;
    int nthreads = ceil_cores(max_cpu);

    if (!quiet) {
        char s1[32], s2[32], s3[32];
        fmt_time(s3, sizeof s3, ramp);
        if (g_nphases == 1) {
            int n = ceil_cores(g_phases[0].cpu);
            fmt_size(s1, sizeof s1, g_phases[0].mem);
            fmt_time(s2, sizeof s2, g_phases[0].dur_ns);
            printf("workload: pid %d: cpu %.3g cores (%d thread%s x %.3g), mem %s (%lld bytes)%s%s, "
                   "duration %s, then exit %d\n",
                   (int)getpid(), g_phases[0].cpu, n, n == 1 ? "" : "s",
                   n ? g_phases[0].cpu / n : 0.0, s1, (long long)g_phases[0].mem,
                   ramp ? ", ramp " : "", ramp ? s3 : "", s2, exit_code);
        } else {
            printf("workload: pid %d: %d phases [", (int)getpid(), g_nphases);
            for (int i = 0; i < g_nphases; i++) {
                fmt_size(s1, sizeof s1, g_phases[i].mem);
                fmt_time(s2, sizeof s2, g_phases[i].dur_ns);
                printf("%s%.3g cores, %s for %s", i ? "; " : "", g_phases[i].cpu, s1, s2);
            }
            printf("]%s%s, then exit %d\n", ramp ? ", mem ramp " : "", ramp ? s3 : "", exit_code);
        }
        fflush(stdout);
    }

    /* Block SIGTERM/SIGINT everywhere (inherited by threads); the main thread
     * collects them with sigtimedwait. A (never-run) handler is installed too,
     * so the signals are not SIG_DFL — required to receive them as PID 1. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = noop_handler;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    atomic_store(&g_cur_cpu, g_phases[0].cpu);
    atomic_store(&g_gen, 1);
    for (int i = 0; i < nthreads; i++) {
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setstacksize(&at, 256 * 1024);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &at, cpu_thread, (void *)(intptr_t)i);
        pthread_attr_destroy(&at);
        if (rc != 0) {
            fprintf(stderr, "%s: pthread_create: %s\n", g_prog, strerror(rc));
            return 1;
        }
    }

    int64_t phase_start = now_ns(CLOCK_MONOTONIC);
    int64_t ramp_from = 0; /* memory level the current ramp starts at */
    for (int pi = 0; pi < g_nphases; pi++) {
        phase_t *p = &g_phases[pi];
        if (pi > 0) {
            atomic_store(&g_cur_cpu, p->cpu);
            atomic_fetch_add(&g_gen, 1);
        }
        ramp_from = g_held < p->mem ? g_held : p->mem;
        int64_t end = p->dur_ns == INF_NS ? INF_NS : phase_start + p->dur_ns;
        for (;;) {
            int64_t now = now_ns(CLOCK_MONOTONIC);
            /* memory target at this moment */
            int64_t target = p->mem;
            int ramping = 0;
            if (ramp > 0 && p->mem > ramp_from && now - phase_start < ramp) {
                double f = (double)(now - phase_start) / (double)ramp;
                target = ramp_from + (int64_t)((double)(p->mem - ramp_from) * f);
                ramping = 1;
            }
            mem_set(target);
            atomic_store(&g_mem_cpu_ns, now_ns(CLOCK_THREAD_CPUTIME_ID));
            if (end != INF_NS && now >= end) break;
            int64_t wake = ramping ? now + RAMP_TICK_NS : end;
            if (end != INF_NS && wake > end) wake = end;
            int64_t wait = wake == INF_NS ? 3600 * NS_PER_SEC : wake - now;
            if (wait < 0) wait = 0;
            struct timespec ts = to_ts(wait);
            int sig = sigtimedwait(&sigs, NULL, &ts);
            if (sig == SIGTERM) _exit(143);
            if (sig == SIGINT) _exit(130);
        }
        phase_start = end;
    }
    fflush(stdout);
    _exit(exit_code);
}
