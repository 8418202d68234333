/* Finds the executable the way runc does before exec: a path as given, else a PATH walk. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dockerinit.h"

static int check(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return ERR_STAT_CMD;
    if (S_ISDIR(st.st_mode)) return ERR_STAT_DIR;
    if (access(path, X_OK) != 0 && (st.st_mode & 0111) == 0) return ERR_STAT_EXEC;
    return 0;
}

int find_executable(const char *cmd, const char *path, char *out, size_t outlen) {
    if (strchr(cmd, '/') != NULL) {
        snprintf(out, outlen, "%s", cmd);
        return check(cmd);
    }
    if (path == NULL) path = "";
    int denied = 0;
    const char *p = path;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char cand[4096];
        if (n == 0)
            snprintf(cand, sizeof(cand), "./%s", cmd);
        else
            snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, p, cmd);
        dlog("TRYPATH \"%s\"", cand);
        int r = check(cand);
        if (r == 0) {
            snprintf(out, outlen, "%s", cand);
            return 0;
        }
        if (r == ERR_STAT_EXEC) denied = 1;
        if (end == NULL) break;
        p = end + 1;
    }
    (void)denied; /* Go's LookPath, as runc uses it, reports "not found" even then. */
    return ERR_NOT_FOUND;
}
