/*
 * bottega-launch: the agent's native job launcher. It does in one fork what the shell chain does with a
 * dozen execs (job-wrapper.sh, its parking process, the cgroup join, setsid, taskset, setpriv,
 * job-loader.bash, env), and the agent falls back to that chain when this program cannot be compiled.
 *
 * The agent starts it once, as `bottega-launch --server` (as the agent's user, root on a real node), and
 * sends it one request a job on its stdin: a 4-byte length (the host's byte order), then NUL-terminated
 * strings: the job id, the count N of the arguments that follow, N arguments
 *
 *   JOBDIR [--cgroup PROCS_FILE]... [--cpus LIST] [--user UID GID] --workdir DIR --input PATH
 *          --output PATH --error PATH|"" --mode append|truncate --umask OCTAL --aslimit KB|0
 *          --record TEXT -- PROGRAM [ARG]...
 *
 * and then the job's environment, an entry a string. For each it forks a launcher and answers on stdout
 * "S JOB_ID PID START_TIME" (START_TIME: field 22 of /proc/PID/stat) or "F JOB_ID MESSAGE"; when a
 * launcher has ended it says "E PID". It exits when its stdin closes (the agent stopped); the launchers it
 * started go on without it. The server never fork-execs: nothing is loaded again for a job.
 *
 * A launcher starts its own session, forks the job and stays outside the job (other session, other
 * cgroup), so killing the job never kills it. Before the job does anything it writes the job's record,
 * JOBDIR/pid (atomically: "wrapper_pid=LAUNCHER_PID", "wrapper_start=START_TIME", "job_pid=JOB_PID",
 * "park_pid=LAUNCHER_PID" lines, then TEXT, the agent's own lines); it does not run the job when it cannot.
 * It waits for the job with wait4 and appends the exact wait status and the job's CPU times to that record
 * in one write (the lines job-wrapper.sh writes to its status file, then "status_recorded=1"), so an agent
 * restarted later still learns the result, and the job's files are one inode fewer than a status file
 * written through a rename would make them. The job: default signal dispositions and an empty signal mask, joins the cgroups (the procs
 * files given), starts a session, is pinned to its CPUs (when no cpuset does it), drops to the job's user
 * (supplementary groups from the user database, then gid, then uid; never stays root when a user is
 * given), and then, as that user, as job-loader.bash does: sets the umask, opens stdout, stderr, stdin,
 * changes to the working directory (else /tmp, saying so), sets RLIMIT_AS when asked, and execs PROGRAM
 * with exactly the environment sent plus SLURM_TASK_PID.
 *
 * Exit statuses of a job that could not start: 125 the launcher's own steps (cgroup, session, CPUs,
 * user), 126 the job's files (output, input, working directory) or a PROGRAM that cannot be executed, 127
 * a PROGRAM that does not exist. What the job says before its stderr is open goes through a pipe to the
 * launcher, which appends it to JOBDIR/wrapper.log (created only then), as its own errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CGROUPS 16
#define MAX_REQUEST (64 * 1024 * 1024)

struct spec {
    const char *jobdir;
    const char *cgroups[MAX_CGROUPS];
    int ncgroups;
    const char *cpus;
    int switch_user;
    uid_t uid;
    gid_t gid;
    const char *workdir;
    const char *input;
    const char *output;
    const char *error;
    int append;
    mode_t umask;
    unsigned long long aslimit_kb;
    const char *record;   /* the agent's lines of JOBDIR/pid */
    char **argv;
    char **env;   /* the job's environment; one slot left free before the NULL for SLURM_TASK_PID */
};

/* The job's own messages until its stderr is open (then: its stderr). */
static void fail(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("bottega: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stderr);
    _exit(code);
}

/* The launcher's messages: appended to JOBDIR/wrapper.log, created only when there is something to say. */
static void note(const char *jobdir, const char *text, size_t len) {
    char path[PATH_MAX];
    if (len == 0 || snprintf(path, sizeof path, "%s/wrapper.log", jobdir) >= (int) sizeof path) return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return;
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text += n;
        len -= (size_t) n;
    }
    close(fd);
}

static void notef(const char *jobdir, const char *fmt, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n > 0) note(jobdir, text, (size_t) n < sizeof text ? (size_t) n : sizeof text - 1);
}

static int parse_ulong(const char *s, int base, unsigned long long *out) {
    char *end;
    if (s == NULL || *s == '\0') return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0') return -1;
    *out = v;
    return 0;
}

/* Reads the arguments of a request; returns NULL, or what is wrong with them. */
static const char *parse(int argc, char **argv, struct spec *s) {
    unsigned long long v;
    int have_mode = 0, i = 1;
    s->umask = 022;
    if (argc < 1) return "no job directory";
    s->jobdir = argv[0];
    for (; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc) return "an option lacks its value";
        const char *a = argv[i + 1];
        if (strcmp(o, "--cgroup") == 0) {
            if (s->ncgroups == MAX_CGROUPS) return "too many cgroups";
            s->cgroups[s->ncgroups++] = a;
        } else if (strcmp(o, "--cpus") == 0) {
            s->cpus = a;
        } else if (strcmp(o, "--user") == 0) {
            unsigned long long g;
            if (i + 2 >= argc || parse_ulong(a, 10, &v) != 0 || parse_ulong(argv[i + 2], 10, &g) != 0) return "--user UID GID";
            s->switch_user = 1;
            s->uid = (uid_t) v;
            s->gid = (gid_t) g;
            i++;
        } else if (strcmp(o, "--workdir") == 0) {
            s->workdir = a;
        } else if (strcmp(o, "--input") == 0) {
            s->input = a;
        } else if (strcmp(o, "--output") == 0) {
            s->output = a;
        } else if (strcmp(o, "--error") == 0) {
            s->error = a;
        } else if (strcmp(o, "--mode") == 0) {
            s->append = strcmp(a, "append") == 0;
            have_mode = 1;
        } else if (strcmp(o, "--umask") == 0) {
            s->umask = parse_ulong(a, 8, &v) == 0 && v <= 0777 ? (mode_t) v : 022;
        } else if (strcmp(o, "--record") == 0) {
            s->record = a;
        } else if (strcmp(o, "--aslimit") == 0) {
            if (parse_ulong(a, 10, &v) != 0) return "--aslimit KB";
            s->aslimit_kb = v;
        } else {
            return "unknown option";
        }
        i++;
    }
    if (i >= argc) return "no program";
    if (!s->workdir || !s->input || !s->output || !s->error || !s->record || !have_mode) return "missing option";
    s->argv = argv + i;
    return NULL;
}

/* Writes CONTENT to DIR/NAME through DIR/.NAME.tmp and a rename. A .NAME.tmp already there (a recycled job
   directory keeps its record's under that name) is written again from its start and cut to the new length: it is
   never truncated to zero first, which would make ext4 (auto_da_alloc) write its blocks out when it is closed. */
static int write_atomic(const char *dir, const char *name, const char *content) {
    char tmp[PATH_MAX], dst[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name) >= (int) sizeof tmp) return -1;
    if (snprintf(dst, sizeof dst, "%s/%s", dir, name) >= (int) sizeof dst) return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != geteuid()) {
        /* not a plain file of ours alone: start from a new one */
        close(fd);
        if (unlink(tmp) != 0) return -1;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) return -1;
    }
    size_t len = strlen(content), off = 0;
    while (off < len) {
        ssize_t n = pwrite(fd, content + off, len - off, (off_t) off);
        if (n < 0) {
            if (errno == EINTR) continue;
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t) n;
    }
    if (ftruncate(fd, (off_t) len) != 0 || fchmod(fd, 0600) != 0) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, dst) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void set_cpus(const char *list) {
    cpu_set_t set;
    CPU_ZERO(&set);
    char *copy = strdup(list), *save = NULL;
    if (copy == NULL) fail(125, "out of memory");
    for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        unsigned long long lo, hi;
        char *dash = strchr(t, '-');
        if (dash != NULL) {
            *dash = '\0';
            if (parse_ulong(t, 10, &lo) != 0 || parse_ulong(dash + 1, 10, &hi) != 0 || hi < lo) fail(125, "bad CPU list: %s", list);
        } else {
            if (parse_ulong(t, 10, &lo) != 0) fail(125, "bad CPU list: %s", list);
            hi = lo;
        }
        if (hi >= CPU_SETSIZE) fail(125, "bad CPU list: %s", list);
        for (unsigned long long c = lo; c <= hi; c++) CPU_SET((int) c, &set);
    }
    free(copy);
    if (sched_setaffinity(0, sizeof set, &set) != 0) fail(125, "cannot pin the job to CPUs %s: %s", list, strerror(errno));
}

static void drop_privileges(uid_t uid, gid_t gid) {
    struct passwd *pw = getpwuid(uid);
    if (pw == NULL) fail(125, "uid %lu not found in the user database: cannot set its groups", (unsigned long) uid);
    if (initgroups(pw->pw_name, gid) != 0) fail(125, "cannot set the groups of %s: %s", pw->pw_name, strerror(errno));
    if (setresgid(gid, gid, gid) != 0) fail(125, "cannot set gid %lu: %s", (unsigned long) gid, strerror(errno));
    if (setresuid(uid, uid, uid) != 0) fail(125, "cannot set uid %lu: %s", (unsigned long) uid, strerror(errno));
    uid_t r, e, sv;
    gid_t gr, ge, gs;
    if (getresuid(&r, &e, &sv) != 0 || r != uid || e != uid || sv != uid
            || getresgid(&gr, &ge, &gs) != 0 || gr != gid || ge != gid || gs != gid) {
        fail(125, "the switch to uid %lu did not hold", (unsigned long) uid);
    }
    if (uid != 0 && setuid(0) == 0) fail(125, "could regain root after the switch to uid %lu", (unsigned long) uid);
}

static void redirect(const char *path, int flags, int target) {
    int fd = open(path, flags, 0666);
    if (fd < 0) fail(126, "%s: %s", path, strerror(errno));
    if (fd != target) {
        if (dup2(fd, target) < 0) fail(126, "%s: %s", path, strerror(errno));
        close(fd);
    }
}

/* The job, in the forked child: never returns. */
static void run_job(const struct spec *s) {
    /* default dispositions and no blocked signal, whatever the agent's JVM and the server left */
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    for (int k = 0; k < s->ncgroups; k++) {
        int fd = open(s->cgroups[k], O_WRONLY | O_CLOEXEC);
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long) getpid());
        if (fd < 0 || write(fd, pid, (size_t) n) != n) fail(125, "cannot join cgroup %s: %s", s->cgroups[k], strerror(errno));
        close(fd);
    }
    if (setsid() < 0) fail(125, "cannot start a session: %s", strerror(errno));
    if (s->cpus != NULL) set_cpus(s->cpus);
    if (s->switch_user) drop_privileges(s->uid, s->gid);

    /* as the job's user, from here on */
    umask(s->umask);
    char **env = s->env;
    size_t e = 0;
    while (env[e] != NULL) e++;
    static char task_pid[64];
    snprintf(task_pid, sizeof task_pid, "SLURM_TASK_PID=%ld", (long) getpid());
    env[e] = task_pid;
    env[e + 1] = NULL;
    int out = O_WRONLY | O_CREAT | (s->append ? O_APPEND : O_TRUNC);
    redirect(s->output, out, STDOUT_FILENO);
    if (s->error[0] == '\0') {
        if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0) fail(126, "cannot redirect stderr: %s", strerror(errno));
    } else {
        redirect(s->error, out, STDERR_FILENO);
    }
    redirect(s->input, O_RDONLY, STDIN_FILENO);
    if (chdir(s->workdir) != 0) {
        fprintf(stderr, "bottega: error: could not chdir to %s, going to /tmp instead\n", s->workdir);
        if (chdir("/tmp") != 0) _exit(126);
    }
    if (s->aslimit_kb > 0) {
        struct rlimit rl;
        rl.rlim_cur = rl.rlim_max = (rlim_t) (s->aslimit_kb * 1024ULL);
        if (setrlimit(RLIMIT_AS, &rl) != 0) fail(126, "cannot limit the address space: %s", strerror(errno));
    }
    execve(s->argv[0], s->argv, env);
    fail(errno == ENOENT ? 127 : 126, "%s: %s", s->argv[0], strerror(errno));
}

static long long start_time(pid_t pid);

/* Appends CONTENT to DIR/NAME (which must exist) in one write. */
static int append_once(const char *dir, const char *name, const char *content) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int) sizeof path) return -1;
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    size_t len = strlen(content);
    ssize_t n;
    do {
        n = write(fd, content, len);
    } while (n < 0 && errno == EINTR);
    if (close(fd) != 0 || n != (ssize_t) len) return -1;
    return 0;
}

static long long ticks(const struct timeval *tv) {
    return (long long) tv->tv_sec * 100 + tv->tv_usec / 10000;   /* USER_HZ, as /proc/PID/stat counts */
}

/* The launcher, in the server's forked child: starts the job, waits for it, records how it ended. */
static int launch(const struct spec *s) {
    setsid();
    char path[PATH_MAX];
    /* no record, pids, status or result of an earlier run in this directory (a requeued job whose entry
       outlived its ack) */
    static const char *const stale[] = {"pid", "jobpid", "status", "outcome.json"};
    for (size_t k = 0; k < sizeof stale / sizeof stale[0]; k++) {
        snprintf(path, sizeof path, "%s/%s", s->jobdir, stale[k]);
        unlink(path);
    }

    int gate[2], errs[2];
    if (pipe2(gate, O_CLOEXEC) != 0 || pipe2(errs, O_CLOEXEC) != 0) {
        notef(s->jobdir, "bottega: cannot create a pipe: %s\n", strerror(errno));
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        notef(s->jobdir, "bottega: cannot fork the job: %s\n", strerror(errno));
        return 1;
    }
    if (child == 0) {
        char c;
        close(gate[1]);
        close(errs[0]);
        dup2(errs[1], STDERR_FILENO);   /* the job's messages until its own stderr is open */
        ssize_t g;
        while ((g = read(gate[0], &c, 1)) < 0 && errno == EINTR) {}   /* until the parent has written the record */
        if (g != 1) _exit(125);   /* it could not: the job must not run unrecorded */
        close(gate[0]);
        run_job(s);
        _exit(126);
    }
    close(gate[0]);
    close(errs[1]);
    size_t rlen = strlen(s->record) + 256;
    char *record = malloc(rlen);
    int recorded = 0;
    if (record != NULL) {
        snprintf(record, rlen, "wrapper_pid=%ld\nwrapper_start=%lld\njob_pid=%ld\npark_pid=%ld\n%s",
                 (long) getpid(), start_time(getpid()), (long) child, (long) getpid(), s->record);
        recorded = write_atomic(s->jobdir, "pid", record) == 0;
        free(record);
    }
    if (!recorded) {
        /* the job must not run unrecorded: it has not started (it waits at the gate); it is gone when we are */
        notef(s->jobdir, "bottega: cannot write %s/pid: %s\n", s->jobdir, strerror(errno));
        kill(child, SIGKILL);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
        return 1;
    }
    while (write(gate[1], "g", 1) < 0 && errno == EINTR) {}
    close(gate[1]);

    /* what the job said before its stderr was open (at most a few lines: it ends or closes the pipe then) */
    char said[4096];
    size_t nsaid = 0;
    for (;;) {
        ssize_t n = read(errs[0], said + nsaid, sizeof said - 1 - nsaid);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        nsaid += (size_t) n;
        if (nsaid == sizeof said - 1) {
            note(s->jobdir, said, nsaid);
            nsaid = 0;
        }
    }
    close(errs[0]);
    note(s->jobdir, said, nsaid);

    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    pid_t w;
    do {
        w = wait4(child, &status, 0, &ru);
    } while (w < 0 && errno == EINTR);

    int known = w == child, code = 0, sig = 0, core = 0;
    if (known) {
        if (WIFSIGNALED(status)) {
            sig = WTERMSIG(status);
            core = WCOREDUMP(status) ? 1 : 0;
        } else {
            code = WEXITSTATUS(status);
        }
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long ended = (long long) now.tv_sec * 1000 + now.tv_nsec / 1000000;
    char text[512];
    if (known) {
        snprintf(text, sizeof text, "known=1\nexit_code=%d\nsignal=%d\ncore_dumped=%d\nended_ms=%lld\nticks=%lld %lld 0 0\nchild=%ld\nstatus_recorded=1\n",
                 code, sig, core, ended, ticks(&ru.ru_utime), ticks(&ru.ru_stime), (long) child);
    } else {
        snprintf(text, sizeof text, "known=0\nexit_code=0\nsignal=0\ncore_dumped=0\nended_ms=%lld\nticks=\nchild=%ld\nstatus_recorded=1\n",
                 ended, (long) child);
    }
    if (append_once(s->jobdir, "pid", text) != 0) {
        notef(s->jobdir, "bottega: cannot append the status to %s/pid: %s\n", s->jobdir, strerror(errno));
        return 1;
    }
    return 0;
}

/* ---- the server ---------------------------------------------------------------------------------------- */

static void say(const char *fmt, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    if ((size_t) n >= sizeof text) n = sizeof text - 1;
    const char *p = text;
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, (size_t) n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) exit(0);   /* the agent is gone */
        p += w;
        n -= (int) w;
    }
}

static long long start_time(pid_t pid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long) pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (p == NULL) return 0;
    /* fields from 3 (state) on; the start time is field 22 */
    int field = 2;
    for (char *t = p + 1; *t; t++) {
        if (*t == ' ') {
            field++;
            if (field == 22) return strtoll(t + 1, NULL, 10);
        }
    }
    return 0;
}

/* One request: "ID\0N\0ARG\0...ARG\0ENV\0...ENV\0" in buf[0..len). */
static void handle(char *buf, size_t len, int sfd) {
    char *end = buf + len, *p = buf;
    char *fields[4096];
    size_t nf = 0;
    while (p < end) {
        char *z = memchr(p, '\0', (size_t) (end - p));
        if (z == NULL || nf == sizeof fields / sizeof fields[0] - 2) break;
        fields[nf++] = p;
        p = z + 1;
    }
    unsigned long long argc;
    if (nf < 2 || parse_ulong(fields[1], 10, &argc) != 0 || argc > nf - 2) {
        say("F %s malformed request\n", nf > 0 ? fields[0] : "?");
        return;
    }
    struct spec s;
    memset(&s, 0, sizeof s);
    const char *bad = parse((int) argc, fields + 2, &s);
    if (bad != NULL) {
        say("F %s %s\n", fields[0], bad);
        return;
    }
    size_t nenv = nf - 2 - (size_t) argc;
    char **env = calloc(nenv + 2, sizeof *env);
    if (env == NULL) {
        say("F %s out of memory\n", fields[0]);
        return;
    }
    memcpy(env, fields + 2 + argc, nenv * sizeof *env);
    s.env = env;
    /* the argument list of the program ends where the environment starts */
    char **prog = calloc((size_t) (fields + 2 + argc - s.argv) + 1, sizeof *prog);
    if (prog == NULL) {
        free(env);
        say("F %s out of memory\n", fields[0]);
        return;
    }
    memcpy(prog, s.argv, (size_t) (fields + 2 + argc - s.argv) * sizeof *prog);
    s.argv = prog;
    pid_t pid = fork();
    if (pid < 0) {
        say("F %s cannot fork: %s\n", fields[0], strerror(errno));
    } else if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        close(sfd);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
            close(null);
        }
        _exit(launch(&s));
    } else {
        say("S %s %ld %lld\n", fields[0], (long) pid, start_time(pid));
    }
    free(prog);
    free(env);
}

int main(int argc, char **argv) {
    if (argc != 2 || strcmp(argv[1], "--server") != 0) {
        fprintf(stderr, "usage: bottega-launch --server (started by the bottega agent)\n");
        return 2;
    }
    umask(077);
    signal(SIGPIPE, SIG_IGN);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        perror("bottega-launch: signalfd");
        return 1;
    }
    size_t cap = 1 << 16, len = 0;
    char *in = malloc(cap);
    if (in == NULL) return 1;
    for (;;) {
        struct pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sfd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            perror("bottega-launch: poll");
            return 1;
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) > 0) {}
            int st;
            pid_t p;
            while ((p = waitpid(-1, &st, WNOHANG)) > 0) say("E %ld\n", (long) p);
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (len == cap) {
                cap *= 2;
                if (cap > MAX_REQUEST + 8) {
                    fprintf(stderr, "bottega-launch: request too long\n");
                    return 1;
                }
                in = realloc(in, cap);
                if (in == NULL) return 1;
            }
            ssize_t n = read(STDIN_FILENO, in + len, cap - len);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return 0;   /* the agent closed the pipe: the launchers go on without us */
            len += (size_t) n;
            size_t off = 0;
            while (len - off >= 4) {
                uint32_t size;
                memcpy(&size, in + off, 4);
                if (size > MAX_REQUEST) {
                    fprintf(stderr, "bottega-launch: request too long\n");
                    return 1;
                }
                if (len - off - 4 < size) break;
                handle(in + off + 4, size, sfd);
                off += 4 + size;
            }
            memmove(in, in + off, len - off);
            len -= off;
        }
    }
}
