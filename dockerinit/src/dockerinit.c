/*
 * dockerinit: the first process of every sdc-docker container on Linux.
 *
 * The agent bind-mounts this binary (read-only) at /native/usr/vm/sbin/dockerinit
 * and the zone's instructions at /native/.zonecontrol/metadata: one "key=value"
 * per line, each value a JSON string or an array of JSON strings, under the
 * SmartOS keys (docker:cmd, docker:entrypoint, docker:env, docker:workdir,
 * docker:user, docker:tty, docker:open_stdin, sdc:hostname).
 *
 * It logs every step to /var/log/sdc-dockerinit.log, resolves the user against
 * the image's own /etc/passwd and /etc/group (no NSS: the image is not ours),
 * builds the environment, enters the workdir, drops privileges and exec()s the
 * command so that it becomes PID 1. Static, no heap beyond a few small arrays:
 * it must run in any image under a tight memory limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dockerinit.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static FILE *log_stream;
/* In exec mode failures go to the client on stderr; the first process's are reported by the
 * agent, which reads them from the log, as a failed start. */
static int exec_mode;

static void timestamp(char *buf, size_t len) {
    struct timeval tv;
    struct tm tm;
    if (gettimeofday(&tv, NULL) != 0 || gmtime_r(&tv.tv_sec, &tm) == NULL) {
        snprintf(buf, len, "1970-01-01T00:00:00.000Z");
        return;
    }
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

void dlog(const char *fmt, ...) {
    if (log_stream == NULL) return;
    char ts[40];
    timestamp(ts, sizeof(ts));
    fprintf(log_stream, "%s ", ts);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_stream, fmt, ap);
    va_end(ap);
    fputc('\n', log_stream);
    fflush(log_stream);
}

void fatal(int code, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    dlog("FATAL (code: %d): %s", code, msg);
    exit(code);
}

/* Like fatal, but the user sees the message too (as Docker prints runc's). */
static void fatal_user(int code, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (exec_mode) dprintf(STDERR_FILENO, "docker: %s\n", msg);
    fatal(code, "%s", msg);
}

static void open_log(void) {
    mkdir("/var", 0755);
    mkdir("/var/log", 0755);
    int fd = open(LOG_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) log_stream = fdopen(fd, "w");
    if (log_stream == NULL) {
        dprintf(STDERR_FILENO, "dockerinit: cannot open %s: %s\n", LOG_PATH, strerror(errno));
        exit(ERR_FDOPEN_LOG);
    }
}

static int is_true(const char *v) { return v != NULL && strcmp(v, "true") == 0; }

static void mkdirp(const char *path) {
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
        fatal(ERR_MKDIR, "mkdir(%s): path too long", path);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                fatal(ERR_MKDIR, "mkdir(%s): %s", buf, strerror(errno));
            *p = c;
            if (c == '\0') break;
        }
    }
}

static void setup_workdir(const char *workdir, const struct user_info *u) {
    char path[PATH_MAX];
    if (workdir == NULL || workdir[0] == '\0') workdir = "/";
    if (workdir[0] == '~')
        snprintf(path, sizeof(path), "%s%s", u->home, workdir + 1);
    else if (workdir[0] != '/')
        snprintf(path, sizeof(path), "/%s", workdir);
    else
        snprintf(path, sizeof(path), "%s", workdir);
    mkdirp(path);
    if (chdir(path) != 0) fatal(ERR_CHDIR, "chdir(%s): %s", path, strerror(errno));
    dlog("WORKDIR '%s'", path);
}

static void build_env(struct strlist *env, const struct user_info *u, const char *hostname,
                      int tty, const struct strlist *requested) {
    char buf[PATH_MAX + 16];
    snprintf(buf, sizeof(buf), "PATH=%s", DEFAULT_PATH);
    env_set(env, buf);
    if (hostname != NULL) {
        snprintf(buf, sizeof(buf), "HOSTNAME=%s", hostname);
        env_set(env, buf);
    }
    if (tty) env_set(env, "TERM=xterm");
    snprintf(buf, sizeof(buf), "HOME=%s", u->home);
    env_set(env, buf);
    for (size_t i = 0; i < requested->len; i++) {
        const char *e = requested->items[i];
        if (strchr(e, '=') == NULL || e[0] == '=') {
            dlog("WARN ignoring empty env var");
            continue;
        }
        env_set(env, e);
    }
    for (size_t i = 0; i < env->len; i++) {
        const char *eq = strchr(env->items[i], '=');
        dlog("ENV[%zu] %.*s", i, (int)(eq - env->items[i]), env->items[i]);
    }
}

/* --init: the child to forward signals to. */
static volatile pid_t init_child;

static void forward_signal(int sig) {
    if (init_child > 0) kill(init_child, sig);
}

/*
 * Stays PID 1: runs the command as a child, forwards every signal it can catch to it, reaps
 * every zombie, and ends with the command's status (the code, or 128+signal).
 */
static void run_as_init(const char *path, char **argv, char **envp) {
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid < 0) fatal(ERR_FORK_FAILED, "fork: %s", strerror(errno));
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        setpgid(0, 0);
        execve(path, argv, envp);
        dprintf(STDERR_FILENO, "docker: exec: \"%s\": %s\n", argv[0], strerror(errno));
        _exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
    }
    init_child = pid;
    dlog("INFO init: command is pid %d", (int)pid);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = forward_signal;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD) sigaction(sig, &sa, NULL);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    for (;;) {
        int status;
        pid_t w = waitpid(-1, &status, 0);
        if (w < 0) {
            if (errno == EINTR) continue;
            exit(ERR_EXEC_FAILED);
        }
        if (w == pid) {
            if (WIFEXITED(status)) exit(WEXITSTATUS(status));
            exit(128 + WTERMSIG(status));
        }
    }
}

static void drop_privileges(const struct user_info *u) {
    dlog("DROP PRIVS uid=%u gid=%u groups=%zu", (unsigned)u->uid, (unsigned)u->gid, u->ngroups);
    if (setgroups(u->ngroups, u->groups) != 0)
        fatal(ERR_INITGROUPS, "setgroups: %s", strerror(errno));
    if (setgid(u->gid) != 0) fatal(ERR_SETGID, "setgid(%u): %s", (unsigned)u->gid, strerror(errno));
    if (setuid(u->uid) != 0) fatal(ERR_SETUID, "setuid(%u): %s", (unsigned)u->uid, strerror(errno));
}

/*
 * dockerinit [--exec INSTRUCTIONS]: without arguments, the zone's first process; with --exec, a
 * process that `docker exec` starts beside it (as SmartOS's dockerexec): the same user, env,
 * workdir and command steps from the exec's own instructions, with no log file (the zone's log
 * belongs to its first process); failures go to stderr only.
 */
int main(int argc, char **args) {
    const char *instructions = METADATA_PATH;
    if (argc == 3 && strcmp(args[1], "--exec") == 0) {
        instructions = args[2];
        exec_mode = 1;
    } else {
        open_log();
        dlog("INFO dockerinit starting as pid %d", (int)getpid());
    }

    struct metadata md;
    if (metadata_load(&md, instructions) != 0)
        fatal_user(ERR_MDATA_FAIL, "failed to read %s: %s", instructions, strerror(errno));

    struct strlist entrypoint = {0}, cmd = {0}, requested_env = {0}, argv = {0}, env = {0};
    metadata_array(&md, "docker:entrypoint", &entrypoint);
    metadata_array(&md, "docker:cmd", &cmd);
    metadata_array(&md, "docker:env", &requested_env);
    const char *user = metadata_string(&md, "docker:user");
    const char *workdir = metadata_string(&md, "docker:workdir");
    const char *hostname = metadata_string(&md, "sdc:hostname");
    int tty = is_true(metadata_string(&md, "docker:tty"));
    int init = is_true(metadata_string(&md, "docker:init"));
    struct strlist group_add = {0};
    metadata_array(&md, "docker:groupadd", &group_add);
    is_true(metadata_string(&md, "docker:open_stdin"));

    if (hostname != NULL) dlog("INFO hostname = '%s'", hostname);

    struct user_info u;
    const char *err = resolve_user(user == NULL || user[0] == '\0' ? "0" : user, &u);
    if (err != NULL) fatal_user(ERR_NO_USER, "%s", err);
    for (size_t i = 0; i < group_add.len; i++) {
        const char *gerr = add_group(&u, group_add.items[i]);
        if (gerr != NULL) fatal_user(ERR_NO_USER, "%s", gerr);
    }
    dlog("INFO user '%s' uid=%u gid=%u home='%s'", u.name, (unsigned)u.uid, (unsigned)u.gid, u.home);

    setup_workdir(workdir, &u);
    build_env(&env, &u, hostname, tty, &requested_env);

    for (size_t i = 0; i < entrypoint.len; i++) {
        dlog("ARGV[%zu]:ENTRYPOINT \"%s\"", argv.len, entrypoint.items[i]);
        strlist_add(&argv, entrypoint.items[i]);
    }
    for (size_t i = 0; i < cmd.len; i++) {
        dlog("ARGV[%zu]:CMD \"%s\"", argv.len, cmd.items[i]);
        strlist_add(&argv, cmd.items[i]);
    }
    if (argv.len == 0) fatal_user(ERR_NO_COMMAND, "No command specified");
    strlist_add(&argv, NULL);
    strlist_add(&env, NULL);

    char resolved[PATH_MAX];
    int code = find_executable(argv.items[0], env_get(&env, "PATH"), resolved, sizeof(resolved));
    if (code == ERR_NOT_FOUND)
        fatal_user(EXIT_NOT_FOUND, "exec: \"%s\": executable file not found in $PATH", argv.items[0]);
    if (code == ERR_STAT_CMD)
        fatal_user(EXIT_NOT_FOUND, "exec: \"%s\": stat %s: no such file or directory", argv.items[0],
                   argv.items[0]);
    if (code == ERR_STAT_DIR || code == ERR_STAT_EXEC)
        fatal_user(EXIT_NOT_EXECUTABLE, "exec: \"%s\": permission denied", argv.items[0]);
    dlog("EXECNAME \"%s\"", resolved);

    drop_privileges(&u);
    if (init) run_as_init(resolved, argv.items, env.items);
    /* The log is close-on-exec: it stays open for a failure and closes on success. */
    execve(resolved, argv.items, env.items);
    int e = errno;
    if (e == EACCES)
        fatal_user(EXIT_NOT_EXECUTABLE, "exec: \"%s\": permission denied", argv.items[0]);
    if (e == ENOENT)
        fatal_user(EXIT_NOT_FOUND, "exec: \"%s\": no such file or directory", argv.items[0]);
    fatal_user(ERR_EXEC_FAILED, "execve(%s) failed: %s", resolved, strerror(e));
    return ERR_EXEC_FAILED;
}

