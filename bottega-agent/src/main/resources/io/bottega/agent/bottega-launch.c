/*
 * bottega-launch: the agent's native job launcher. It does in one fork what the shell chain does with a
 * dozen execs (job-wrapper.sh, its parking process, the cgroup join, setsid, taskset, setpriv,
 * job-loader.bash, env), and the agent falls back to that chain when this program cannot be compiled.
 *
 * Started by the agent (as the agent's user, root on a real node) as:
 *
 *   bottega-launch JOBDIR [--cgroup PROCS_FILE]... [--cpus C,C,...] [--user UID GID]
 *                  --env FILE --workdir DIR --input PATH --output PATH --error PATH|"" --mode append|truncate
 *                  --umask OCTAL --aslimit KB|0 -- PROGRAM [ARG]...
 *
 * The parent starts its own session, forks the job and stays outside the job (other session, other
 * cgroup), so killing the job never kills it. It writes "JOB_PID LAUNCHER_PID" to JOBDIR/jobpid before
 * the job does anything, waits for the job with wait4 and writes the exact wait status and the job's CPU
 * times to JOBDIR/status (atomically, the format job-wrapper.sh writes), so an agent restarted later still
 * learns the result. The job: default signal dispositions and an empty signal mask, joins the cgroups
 * (the procs files given), starts a session, is pinned to its CPUs (when no cpuset does it), drops to the
 * job's user (supplementary groups from the user database, then gid, then uid; never stays root when a
 * user is given), and then, as that user, as job-loader.bash does: sets the umask, reads the job's
 * environment (NUL-separated), opens stdout, stderr, stdin, changes to the working directory (else /tmp,
 * saying so), sets RLIMIT_AS when asked, and execs PROGRAM with exactly that environment plus
 * SLURM_TASK_PID.
 *
 * Exit statuses of a job that could not start: 125 the launcher's own steps (cgroup, session, CPUs,
 * user), 126 the job's files (environment, output, input, working directory) or a PROGRAM that cannot
 * be executed, 127 a PROGRAM that does not exist. Messages go to the launcher's stderr (the spool's
 * wrapper.log) until the job's stderr is open, then there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CGROUPS 16

struct spec {
    const char *jobdir;
    const char *cgroups[MAX_CGROUPS];
    int ncgroups;
    const char *cpus;
    int switch_user;
    uid_t uid;
    gid_t gid;
    const char *envfile;
    const char *workdir;
    const char *input;
    const char *output;
    const char *error;
    int append;
    mode_t umask;
    unsigned long long aslimit_kb;
    char **argv;
};

static void fail(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("bottega: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    _exit(code);
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

static void usage(const char *why) {
    fprintf(stderr, "bottega-launch: %s\n", why);
    exit(2);
}

static void parse(int argc, char **argv, struct spec *s) {
    unsigned long long v;
    int have_mode = 0;
    memset(s, 0, sizeof *s);
    s->umask = 022;
    if (argc < 2) usage("no job directory");
    s->jobdir = argv[1];
    int i = 2;
    for (; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc) usage("an option lacks its value");
        const char *a = argv[i + 1];
        if (strcmp(o, "--cgroup") == 0) {
            if (s->ncgroups == MAX_CGROUPS) usage("too many cgroups");
            s->cgroups[s->ncgroups++] = a;
        } else if (strcmp(o, "--cpus") == 0) {
            s->cpus = a;
        } else if (strcmp(o, "--user") == 0) {
            unsigned long long g;
            if (i + 2 >= argc || parse_ulong(a, 10, &v) != 0 || parse_ulong(argv[i + 2], 10, &g) != 0) usage("--user UID GID");
            s->switch_user = 1;
            s->uid = (uid_t) v;
            s->gid = (gid_t) g;
            i++;
        } else if (strcmp(o, "--env") == 0) {
            s->envfile = a;
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
        } else if (strcmp(o, "--aslimit") == 0) {
            if (parse_ulong(a, 10, &v) != 0) usage("--aslimit KB");
            s->aslimit_kb = v;
        } else {
            usage("unknown option");
        }
        i++;
    }
    if (i >= argc) usage("no program");
    if (!s->envfile || !s->workdir || !s->input || !s->output || !s->error || !have_mode) usage("missing option");
    s->argv = argv + i;
}

/* Writes CONTENT to DIR/NAME through DIR/.NAME.tmp and a rename. */
static int write_atomic(const char *dir, const char *name, const char *content) {
    char tmp[PATH_MAX], dst[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name) >= (int) sizeof tmp) return -1;
    if (snprintf(dst, sizeof dst, "%s/%s", dir, name) >= (int) sizeof dst) return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -1;
    size_t len = strlen(content), off = 0;
    while (off < len) {
        ssize_t n = write(fd, content + off, len - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t) n;
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

/* The job's environment: the NUL-terminated entries of FILE, then SLURM_TASK_PID. */
static char **read_env(const char *file) {
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(126, "%s: %s", file, strerror(errno));
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) fail(126, "out of memory");
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (buf == NULL) fail(126, "out of memory");
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(126, "%s: %s", file, strerror(errno));
        }
        if (n == 0) break;
        len += (size_t) n;
    }
    close(fd);
    size_t count = 0;
    for (size_t k = 0; k < len; k++) if (buf[k] == '\0') count++;
    char **env = calloc(count + 2, sizeof *env);
    if (env == NULL) fail(126, "out of memory");
    size_t e = 0, start = 0;
    for (size_t k = 0; k < len; k++) {
        if (buf[k] == '\0') {   /* a last entry without its NUL is dropped, as the shell loader does */
            env[e++] = buf + start;
            start = k + 1;
        }
    }
    static char task_pid[64];
    snprintf(task_pid, sizeof task_pid, "SLURM_TASK_PID=%ld", (long) getpid());
    env[e++] = task_pid;
    env[e] = NULL;
    return env;
}

static void redirect(const char *path, int flags, int target) {
    int fd = open(path, flags, 0666);
    if (fd < 0) fail(126, "%s: %s", path, strerror(errno));
    if (fd != target) {
        if (dup2(fd, target) < 0) fail(126, "%s: %s", path, strerror(errno));
        close(fd);
    }
}

static void run_job(const struct spec *s) {
    /* default dispositions and no blocked signal, whatever the agent's JVM left */
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
    char **env = read_env(s->envfile);
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

static long long ticks(const struct timeval *tv) {
    return (long long) tv->tv_sec * 100 + tv->tv_usec / 10000;   /* USER_HZ, as /proc/PID/stat counts */
}

int main(int argc, char **argv) {
    struct spec s;
    parse(argc, argv, &s);
    umask(077);
    setsid();   /* fails only when already a session leader: then we are outside the agent's session anyway */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/jobpid", s.jobdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/status", s.jobdir);
    unlink(path);

    int gate[2];
    if (pipe2(gate, O_CLOEXEC) != 0) {
        fprintf(stderr, "bottega: cannot create a pipe: %s\n", strerror(errno));
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "bottega: cannot fork the job: %s\n", strerror(errno));
        return 1;
    }
    if (child == 0) {
        char c;
        close(gate[1]);
        while (read(gate[0], &c, 1) < 0 && errno == EINTR) {}   /* until the parent has written jobpid */
        close(gate[0]);
        run_job(&s);
        _exit(126);
    }
    close(gate[0]);
    char line[128];
    snprintf(line, sizeof line, "%ld %ld\n", (long) child, (long) getpid());
    if (write_atomic(s.jobdir, "jobpid", line) != 0) fprintf(stderr, "bottega: cannot write %s/jobpid: %s\n", s.jobdir, strerror(errno));
    close(gate[1]);

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
        snprintf(text, sizeof text, "known=1\nexit_code=%d\nsignal=%d\ncore_dumped=%d\nended_ms=%lld\nticks=%lld %lld 0 0\nchild=%ld\n",
                 code, sig, core, ended, ticks(&ru.ru_utime), ticks(&ru.ru_stime), (long) child);
    } else {
        snprintf(text, sizeof text, "known=0\nexit_code=0\nsignal=0\ncore_dumped=0\nended_ms=%lld\nticks=\nchild=%ld\n",
                 ended, (long) child);
    }
    if (write_atomic(s.jobdir, "status", text) != 0) {
        fprintf(stderr, "bottega: cannot write %s/status: %s\n", s.jobdir, strerror(errno));
        return 1;
    }
    return 0;
}
