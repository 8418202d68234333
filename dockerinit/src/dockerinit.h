/* Shared declarations of dockerinit's small parts. */
#ifndef DOCKERINIT_H
#define DOCKERINIT_H

#include <stddef.h>
#include <sys/types.h>

#define LOG_PATH "/var/log/sdc-dockerinit.log"
#define METADATA_PATH "/native/.zonecontrol/metadata"

/* The SmartOS dockerinit codes, where Docker has no number of its own. */
enum {
    ERR_CHDIR = 2,
    ERR_EXEC_FAILED = 3,
    ERR_FORK_FAILED = 4,
    ERR_INITGROUPS = 6,
    ERR_MDATA_FAIL = 8,
    ERR_NO_COMMAND = 13,
    ERR_NO_USER = 16,
    ERR_NOT_FOUND = 17,
    ERR_PARSE_JSON = 20,
    ERR_SETGID = 23,
    ERR_SETUID = 24,
    ERR_STAT_CMD = 25,
    ERR_STAT_DIR = 26,
    ERR_STAT_EXEC = 27,
    ERR_FDOPEN_LOG = 41,
    ERR_NO_MEMORY = 48,
    ERR_MKDIR = 49,
};

/* What Docker reports for a command it cannot run. */
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127

struct strlist {
    char **items;
    size_t len, cap;
};

#define MAX_MDATA 32
struct metadata {
    size_t len;
    char *keys[MAX_MDATA];
    char *values[MAX_MDATA];
};

#define MAX_GROUPS 64
struct user_info {
    char name[256];
    char home[1024];
    uid_t uid;
    gid_t gid;
    gid_t groups[MAX_GROUPS];
    size_t ngroups;
};

void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

void strlist_add(struct strlist *l, const char *s);
/* Sets NAME=VALUE, replacing an earlier NAME in place. */
void env_set(struct strlist *env, const char *entry);
const char *env_get(const struct strlist *env, const char *name);

int metadata_load(struct metadata *md, const char *path);
const char *metadata_string(const struct metadata *md, const char *key);
void metadata_array(const struct metadata *md, const char *key, struct strlist *out);
/* Parses a JSON string at *p into a new string; NULL on malformed input. */
char *json_string(const char **p);

/* Resolves "user", "uid", "user:group" or "uid:gid"; returns an error message or NULL. */
const char *resolve_user(const char *spec, struct user_info *u);

/* Adds a supplementary group (name or gid, as --group-add); an error message or NULL. */
const char *add_group(struct user_info *u, const char *group);

/* Finds argv0 as execve would be given it: 0, or one of ERR_NOT_FOUND/STAT_*. */
int find_executable(const char *cmd, const char *path, char *out, size_t outlen);

#endif
