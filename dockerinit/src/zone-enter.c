/*
 * zone-enter: the agent's way into a running zone for `docker exec` without a terminal and for
 * health checks (host side, a child of the agent). It does what `runc exec` does for our zones,
 * in a few syscalls instead of a Go runtime's start:
 *
 *   zone-enter [--standby] PID CGROUP
 *   then on stdin one line: BOUNDING EFFECTIVE PROGRAM [ARG...]; what follows is the exec's input
 *
 * PID is the zone's first process, CGROUP the zone's cgroup path (checked against PID's, so a
 * reused pid is refused), BOUNDING and EFFECTIVE the exec's capabilities as hex masks (bit N is
 * capability N). It enters PID's mount, pid, network, IPC, UTS and cgroup namespaces through a
 * pidfd (one atomic setns), forks (the child is then in the zone's pid namespace), and the child
 * joins every cgroup hierarchy PID is in, drops to the given capabilities and execs PROGRAM
 * (dockerinit in exec mode, which does the user, env, workdir and command). This process stays,
 * passes on the signals it gets and exits with the child's code, or 128+signal.
 *
 * Moving a process into a cgroup waits for an RCU grace period on cgroup v1 (7-20 ms here), so
 * with --standby this process joins the zone's cgroups itself as soon as it starts and then waits
 * for its line: the agent keeps one such process ready per zone, and the exec's child is forked
 * inside the cgroups, with no move on the exec's way.
 *
 * Its own failures are reported on stderr as "docker: OCI runtime exec failed: ..." with exit
 * code 126, as Docker reports a runtime's. A standby whose input ends before its line exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define MAX_HIERARCHIES 32
#define EXIT_RUNTIME 126

static void fail(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    dprintf(STDERR_FILENO, "docker: OCI runtime exec failed: %s\n", msg);
    _exit(EXIT_RUNTIME);
}

/* Whether every comma-separated token of `want` is one of `have`'s. */
static int tokens_within(const char *want, const char *have) {
    char w[256];
    snprintf(w, sizeof(w), "%s", want);
    char *save = NULL;
    for (char *t = strtok_r(w, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(t);
        const char *p = have;
        int found = 0;
        while (*p) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (len == n && strncmp(p, t, n) == 0) {
                found = 1;
                break;
            }
            if (!end) break;
            p = end + 1;
        }
        if (!found) return 0;
    }
    return 1;
}

/* The host's cgroup mounts (the root of each hierarchy), read once from our mountinfo. */
struct cgroup_mount {
    char dir[512];
    char super[256]; /* the superblock options: the v1 controllers; "" for cgroup2 */
    int v2;
};
static struct cgroup_mount mounts[MAX_HIERARCHIES];
static int nmounts;

static void read_mounts(void) {
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL) fail("reading mountinfo: %s", strerror(errno));
    char line[4096];
    while (nmounts < MAX_HIERARCHIES && fgets(line, sizeof(line), f) != NULL) {
        char *fields[24];
        int n = 0;
        char *save = NULL;
        for (char *t = strtok_r(line, " \n", &save); t != NULL && n < 24; t = strtok_r(NULL, " \n", &save))
            fields[n++] = t;
        /* id parent dev root mountpoint options [optional...] - fstype source superoptions */
        int dash = -1;
        for (int i = 6; i < n; i++)
            if (strcmp(fields[i], "-") == 0) {
                dash = i;
                break;
            }
        if (dash < 0 || dash + 3 >= n) continue;
        if (strcmp(fields[3], "/") != 0) continue; /* a bind of a sub-tree: not the hierarchy's root */
        int v2 = strcmp(fields[dash + 1], "cgroup2") == 0;
        if (!v2 && strcmp(fields[dash + 1], "cgroup") != 0) continue;
        struct cgroup_mount *m = &mounts[nmounts++];
        m->v2 = v2;
        snprintf(m->dir, sizeof(m->dir), "%s", fields[4]);
        snprintf(m->super, sizeof(m->super), "%s", v2 ? "" : fields[dash + 3]);
    }
    fclose(f);
}

/* Where the hierarchy named by a /proc/PID/cgroup line's controllers ("" for cgroup2) is mounted. */
static const char *mount_of(const char *controllers) {
    for (int i = 0; i < nmounts; i++)
        if (controllers[0] == '\0' ? mounts[i].v2 : !mounts[i].v2 && tokens_within(controllers, mounts[i].super))
            return mounts[i].dir;
    return NULL;
}

/* Opens cgroup.procs of every hierarchy PID is in; refuses a PID outside the zone's cgroup. */
static int open_cgroups(pid_t pid, const char *want, int *fds) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) fail("container process %d is gone: %s", (int)pid, strerror(errno));
    char line[4096];
    int n = 0, ours = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *a = strchr(line, ':');
        char *b = a ? strchr(a + 1, ':') : NULL;
        if (b == NULL) continue;
        *b = '\0';
        const char *controllers = a + 1;
        const char *cg = b + 1;
        if (strcmp(cg, want) == 0) ours = 1;
        const char *mnt = mount_of(controllers);
        if (mnt == NULL) continue; /* not mounted here: nothing to join */
        if (n == MAX_HIERARCHIES) fail("too many cgroup hierarchies");
        char procs[8192];
        snprintf(procs, sizeof(procs), "%s%s/cgroup.procs", mnt, cg);
        fds[n] = open(procs, O_WRONLY | O_CLOEXEC);
        if (fds[n] < 0) fail("opening %s: %s", procs, strerror(errno));
        n++;
    }
    fclose(f);
    if (!ours) fail("process %d is not the container's (not in cgroup %s)", (int)pid, want);
    return n;
}

static pid_t child;

static void forward(int sig) {
    if (child > 0) kill(child, sig);
}

/* In the child: keep only the exec's capabilities, then run PROGRAM. */
static void become(uint64_t bounding, uint64_t effective, int last_cap, char **argv) {
    for (int c = 0; c <= last_cap; c++)
        if (!(bounding & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0)
            fail("dropping capability %d: %s", c, strerror(errno));
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    data[0].effective = data[0].permitted = (uint32_t)effective;
    data[1].effective = data[1].permitted = (uint32_t)(effective >> 32);
    if (syscall(SYS_capset, &hdr, data) != 0) fail("setting capabilities: %s", strerror(errno));
    syscall(SYS_close_range, 3, ~0U, 0); /* nothing of the host's beyond stdio goes in */
    char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL};
    execve(argv[0], argv, envp);
    fail("exec %s: %s", argv[0], strerror(errno));
}

/* The go line, read a byte at a time so nothing of the exec's input after it is taken. */
static int read_line(char *buf, size_t len) {
    size_t n = 0;
    for (;;) {
        char c;
        ssize_t r = read(STDIN_FILENO, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        if (c == '\n') break;
        if (n + 1 == len) fail("instructions too long");
        buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

static void join(int *cgfds, int ncg, pid_t pid) {
    char pidstr[32];
    int len = snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
    for (int i = 0; i < ncg; i++) {
        if (write(cgfds[i], pidstr, (size_t)len) != len) {
            int e = errno;
            if (pid != getpid()) kill(pid, SIGKILL);
            fail("joining the container's cgroups: %s", strerror(e));
        }
        close(cgfds[i]);
    }
}

int main(int argc, char **argv) {
    int standby = argc > 1 && strcmp(argv[1], "--standby") == 0;
    if (argc != 3 + standby) {
        dprintf(STDERR_FILENO, "usage: zone-enter [--standby] PID CGROUP, then BOUNDING EFFECTIVE PROGRAM [ARG...] on stdin\n");
        return 2;
    }
    pid_t pid = (pid_t)strtol(argv[1 + standby], NULL, 10);
    const char *cgroup = argv[2 + standby];
    if (pid <= 0) fail("bad pid %s", argv[1 + standby]);

    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) fail("container process %d is gone: %s", (int)pid, strerror(errno));
    int cgfds[MAX_HIERARCHIES];
    read_mounts();
    int ncg = open_cgroups(pid, cgroup, cgfds);
    /* Still alive after its cgroup was read: the pidfd and that reading are of the same process. */
    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0)
        fail("container process %d is gone", (int)pid);
    if (standby) {
        join(cgfds, ncg, getpid());
        ncg = 0;
    }

    int last_cap = 40;
    FILE *lc = fopen("/proc/sys/kernel/cap_last_cap", "re");
    if (lc != NULL) {
        if (fscanf(lc, "%d", &last_cap) != 1) last_cap = 40;
        fclose(lc);
    }
    if (last_cap > 63) last_cap = 63;

    static char line[8192];
    if (read_line(line, sizeof(line)) != 0) {
        if (standby) return 0; /* dismissed */
        fail("no instructions");
    }
    char *args[256];
    int nargs = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
        if (nargs == 255) fail("too many arguments");
        args[nargs++] = t;
    }
    args[nargs] = NULL;
    if (nargs < 3) fail("bad instructions");
    uint64_t bounding = strtoull(args[0], NULL, 16);
    uint64_t effective = strtoull(args[1], NULL, 16) & bounding;

    if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) != 0)
        fail("container process %d is gone", (int)pid);
    if (setns(pidfd, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP) != 0)
        fail("entering the container's namespaces: %s", strerror(errno));
    close(pidfd);

    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0) fail("pipe: %s", strerror(errno));
    child = fork();
    if (child < 0) fail("fork: %s", strerror(errno));
    if (child == 0) {
        close(go[1]);
        for (int i = 0; i < ncg; i++) close(cgfds[i]);
        char b;
        if (read(go[0], &b, 1) != 1) _exit(EXIT_RUNTIME); /* the parent failed and said why */
        close(go[0]);
        setsid();
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        become(bounding, effective, last_cap, args + 2);
    }
    close(go[0]);
    /* Without --standby the child joins the zone's cgroups before it runs anything; this process stays outside. */
    join(cgfds, ncg, child);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = forward;
    int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) sigaction(sigs[i], &sa, NULL);
    if (write(go[1], "g", 1) != 1) {
        kill(child, SIGKILL);
        fail("starting the process: %s", strerror(errno));
    }
    close(go[1]);
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) fail("waiting: %s", strerror(errno));
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
