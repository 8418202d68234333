/* User and group lookup in the image's own /etc/passwd and /etc/group. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerinit.h"

static int parse_id(const char *s, unsigned long *out) {
    if (*s == '\0') return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*end != '\0' || errno != 0 || v > 0x7fffffffUL) return -1;
    *out = v;
    return 0;
}

/* Splits a colon-separated line into at most n fields; returns how many. */
static int split(char *line, char **fields, int n) {
    int i = 0;
    fields[i++] = line;
    for (char *p = line; *p && i < n; p++) {
        if (*p == ':') {
            *p = '\0';
            fields[i++] = p + 1;
        }
    }
    char *nl = strchr(fields[i - 1], '\n');
    if (nl) *nl = '\0';
    return i;
}

/* Finds a passwd entry by name, or by uid when byid; fills u. */
static int find_passwd(const char *name, unsigned long uid, int byid, struct user_info *u) {
    FILE *f = fopen("/etc/passwd", "re");
    if (f == NULL) return -1;
    char line[2048];
    int found = -1;
    while (found != 0 && fgets(line, sizeof(line), f) != NULL) {
        char *fl[7];
        unsigned long id, gid;
        if (split(line, fl, 7) < 7 || parse_id(fl[2], &id) || parse_id(fl[3], &gid)) continue;
        if (byid ? id != uid : strcmp(fl[0], name) != 0) continue;
        snprintf(u->name, sizeof(u->name), "%s", fl[0]);
        snprintf(u->home, sizeof(u->home), "%s", fl[5][0] ? fl[5] : "/");
        u->uid = (uid_t)id;
        u->gid = (gid_t)gid;
        found = 0;
    }
    fclose(f);
    return found;
}

/* Finds a group by name or id; 0 and *gid set when found. */
static int find_group(const char *name, unsigned long id, int byid, gid_t *gid) {
    FILE *f = fopen("/etc/group", "re");
    if (f == NULL) return -1;
    char line[4096];
    int found = -1;
    while (found != 0 && fgets(line, sizeof(line), f) != NULL) {
        char *fl[4];
        unsigned long g;
        if (split(line, fl, 4) < 3 || parse_id(fl[2], &g)) continue;
        if (byid ? g != id : strcmp(fl[0], name) != 0) continue;
        *gid = (gid_t)g;
        found = 0;
    }
    fclose(f);
    return found;
}

/* The supplementary groups that list u->name as a member, plus the primary group. */
static void member_groups(struct user_info *u) {
    u->ngroups = 0;
    u->groups[u->ngroups++] = u->gid;
    FILE *f = fopen("/etc/group", "re");
    if (f == NULL) return;
    char line[4096];
    while (u->ngroups < MAX_GROUPS && fgets(line, sizeof(line), f) != NULL) {
        char *fl[4];
        unsigned long g;
        if (split(line, fl, 4) < 4 || parse_id(fl[2], &g) || (gid_t)g == u->gid) continue;
        for (char *m = strtok(fl[3], ","); m != NULL; m = strtok(NULL, ","))
            if (strcmp(m, u->name) == 0) {
                u->groups[u->ngroups++] = (gid_t)g;
                break;
            }
    }
    fclose(f);
}

const char *resolve_user(const char *spec, struct user_info *u) {
    static char err[600];
    char user[512], *group = NULL;
    snprintf(user, sizeof(user), "%s", spec);
    char *colon = strchr(user, ':');
    if (colon != NULL) {
        *colon = '\0';
        group = colon + 1;
    }
    memset(u, 0, sizeof(*u));
    unsigned long id;
    int numeric = parse_id(user, &id) == 0;
    if (find_passwd(user, numeric ? id : 0, numeric, u) != 0) {
        if (!numeric) {
            snprintf(err, sizeof(err), "unable to find user %s: no matching entries in passwd file", user);
            return err;
        }
        /* A bare uid with no entry is allowed, as in Docker: gid 0, HOME=/. */
        snprintf(u->name, sizeof(u->name), "%lu", id);
        snprintf(u->home, sizeof(u->home), "/");
        u->uid = (uid_t)id;
        u->gid = 0;
    }
    if (group != NULL && *group != '\0') {
        unsigned long gid;
        int gnum = parse_id(group, &gid) == 0;
        gid_t g;
        if (find_group(group, gnum ? gid : 0, gnum, &g) == 0) {
            u->gid = g;
        } else if (gnum) {
            u->gid = (gid_t)gid;
        } else {
            snprintf(err, sizeof(err), "unable to find group %s: no matching entries in group file", group);
            return err;
        }
        u->ngroups = 1;
        u->groups[0] = u->gid;
        return NULL;
    }
    member_groups(u);
    return NULL;
}

const char *add_group(struct user_info *u, const char *group) {
    static char err[600];
    unsigned long id;
    gid_t g;
    int num = parse_id(group, &id) == 0;
    if (find_group(group, num ? id : 0, num, &g) != 0) {
        if (!num) {
            snprintf(err, sizeof(err), "unable to find group %s: no matching entries in group file", group);
            return err;
        }
        g = (gid_t)id;
    }
    if (u->ngroups < MAX_GROUPS) u->groups[u->ngroups++] = g;
    return NULL;
}
