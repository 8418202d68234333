/* The zone's instructions: "key=<JSON string or array of strings>" lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dockerinit.h"

void strlist_add(struct strlist *l, const char *s) {
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = realloc(l->items, l->cap * sizeof(char *));
        if (l->items == NULL) fatal(ERR_NO_MEMORY, "out of memory");
    }
    l->items[l->len] = s == NULL ? NULL : strdup(s);
    if (s != NULL && l->items[l->len] == NULL) fatal(ERR_NO_MEMORY, "out of memory");
    l->len++;
}

void env_set(struct strlist *env, const char *entry) {
    size_t n = strchr(entry, '=') - entry;
    for (size_t i = 0; i < env->len; i++) {
        if (strncmp(env->items[i], entry, n) == 0 && env->items[i][n] == '=') {
            free(env->items[i]);
            env->items[i] = strdup(entry);
            if (env->items[i] == NULL) fatal(ERR_NO_MEMORY, "out of memory");
            return;
        }
    }
    strlist_add(env, entry);
}

const char *env_get(const struct strlist *env, const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i < env->len && env->items[i] != NULL; i++)
        if (strncmp(env->items[i], name, n) == 0 && env->items[i][n] == '=')
            return env->items[i] + n + 1;
    return NULL;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Appends the UTF-8 encoding of code point cp. */
static char *put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

static int read_hex4(const char *s, unsigned *cp) {
    *cp = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if (h < 0) return -1;
        *cp = (*cp << 4) | (unsigned)h;
    }
    return 0;
}

char *json_string(const char **p) {
    const char *s = *p;
    if (*s != '"') return NULL;
    s++;
    char *out = malloc(strlen(s) + 1), *o = out;
    if (out == NULL) fatal(ERR_NO_MEMORY, "out of memory");
    while (*s != '"') {
        if (*s == '\0') goto bad;
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        s++;
        switch (*s) {
        case '"': case '\\': case '/': *o++ = *s; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (read_hex4(s + 1, &cp) != 0) goto bad;
            s += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && s[1] == '\\' && s[2] == 'u' &&
                read_hex4(s + 3, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                s += 6;
            }
            o = put_utf8(o, cp);
            break;
        }
        default: goto bad;
        }
        s++;
    }
    *o = '\0';
    *p = s + 1;
    return out;
bad:
    free(out);
    return NULL;
}

int metadata_load(struct metadata *md, const char *path) {
    md->len = 0;
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') line[n - 1] = '\0';
        char *eq = strchr(line, '=');
        if (eq == NULL || md->len == MAX_MDATA) continue;
        *eq = '\0';
        md->keys[md->len] = strdup(line);
        md->values[md->len] = strdup(eq + 1);
        dlog("MDATA %s", line);
        md->len++;
    }
    free(line);
    fclose(f);
    return 0;
}

static const char *raw(const struct metadata *md, const char *key) {
    for (size_t i = 0; i < md->len; i++)
        if (strcmp(md->keys[i], key) == 0) return md->values[i];
    return NULL;
}

const char *metadata_string(const struct metadata *md, const char *key) {
    const char *v = raw(md, key);
    if (v == NULL) {
        dlog("INFO no metadata for '%s'", key);
        return NULL;
    }
    const char *p = v;
    char *s = json_string(&p);
    if (s == NULL) fatal(ERR_PARSE_JSON, "failed to parse JSON(%s)", key);
    return s;
}

static const char *skip_ws(const char *p) {
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

void metadata_array(const struct metadata *md, const char *key, struct strlist *out) {
    const char *p = raw(md, key);
    if (p == NULL) {
        dlog("INFO no metadata for '%s'", key);
        return;
    }
    p = skip_ws(p);
    if (strncmp(p, "null", 4) == 0) return;
    if (*p++ != '[') fatal(ERR_PARSE_JSON, "failed to parse JSON(%s): not an array", key);
    p = skip_ws(p);
    if (*p == ']') return;
    for (;;) {
        p = skip_ws(p);
        char *s = json_string(&p);
        if (s == NULL) fatal(ERR_PARSE_JSON, "failed to parse JSON(%s): bad string", key);
        strlist_add(out, s);
        free(s);
        p = skip_ws(p);
        if (*p == ']') return;
        if (*p++ != ',') fatal(ERR_PARSE_JSON, "failed to parse JSON(%s): expected ','", key);
    }
}
