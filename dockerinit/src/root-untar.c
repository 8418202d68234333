/*
 * root-untar: the agent's only writer of archives into a root (image layers, docker cp, build's
 * COPY). It reads a plain tar on stdin and extracts it into DIR of ROOT after chroot(ROOT), so the
 * kernel resolves every name, symlink and hard link inside ROOT: nothing an archive holds can
 * reach a file outside it, and every path an error names is a path inside the root.
 *
 *   root-untar [--layer] [--owners] ROOT DIR < archive.tar
 *
 * --layer  an image layer: owners kept; Docker's whiteouts (.wh.NAME, .wh..wh..opq) become
 *          overlayfs's (a 0/0 character device, the trusted.overlay.opaque xattr)
 * --owners keep the archive's owners (docker cp -a); otherwise files belong to 0:0 and device
 *          nodes are skipped, as docker cp does
 *
 * Exit status: 0 done; 2 DIR does not exist; 3 DIR is not a directory; 4 the archive is at fault
 * (malformed, an entry outside DIR, a name through something that is not a directory); 1 the
 * system is (no space, I/O). The one-line reason goes to stderr.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 512
#define MAX_META (1 << 20) /* largest PAX or GNU long-name record accepted */
#define MAX_XATTRS 64

static int layer_mode;
static int keep_owners;
static const char *dir_shown = "/"; /* DIR as the root sees it, for messages */

static void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(code);
}

/* Whether a failed call is the archive's fault rather than the system's. */
static int archive_fault(int err) {
  return err != ENOSPC && err != EDQUOT && err != EIO && err != ENOMEM && err != EROFS;
}

/* "open /a/b: no such file or directory", as Go's os errors read. */
static void fail(const char *call, const char *path, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s", strerror(err));
  if (msg[0] >= 'A' && msg[0] <= 'Z') {
    msg[0] = (char)(msg[0] - 'A' + 'a');
  }
  const char *sep = strcmp(dir_shown, "/") == 0 ? "" : dir_shown;
  die(archive_fault(err) ? 4 : 1, "%s %s/%s: %s", call, sep, path, msg);
}

static size_t read_full(void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(0, (char *)buf + got, n - got);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r < 0) {
      die(1, "reading the archive: %s", strerror(errno));
    }
    if (r == 0) {
      break;
    }
    got += (size_t)r;
  }
  return got;
}

static void read_exact(void *buf, size_t n) {
  if (read_full(buf, n) != n) {
    die(4, "unexpected EOF");
  }
}

static void skip(unsigned long long n) {
  char buf[1 << 16];
  while (n > 0) {
    size_t step = n < sizeof buf ? (size_t)n : sizeof buf;
    read_exact(buf, step);
    n -= step;
  }
}

static unsigned long long padded(unsigned long long n) { return (n + BLOCK - 1) / BLOCK * BLOCK; }

/* A numeric header field: octal (space or NUL padded) or GNU base-256. */
static long long number(const unsigned char *f, size_t len) {
  if (f[0] & 0x80) {
    unsigned long long v = f[0] & 0x7f;
    for (size_t i = 1; i < len; i++) {
      if (v >> 55) {
        die(4, "archive/tar: header field too large");
      }
      v = (v << 8) | f[i];
    }
    return (long long)v;
  }
  long long v = 0;
  size_t i = 0;
  while (i < len && (f[i] == ' ' || f[i] == 0)) {
    i++;
  }
  for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
    if (v >> 60) {
      die(4, "archive/tar: header field too large");
    }
    v = v * 8 + (f[i] - '0');
  }
  for (; i < len; i++) {
    if (f[i] != ' ' && f[i] != 0) {
      die(4, "archive/tar: invalid tar header");
    }
  }
  return v;
}

static int checksum_ok(const unsigned char *h) {
  long long want = number(h + 148, 8);
  long long u = 0, s = 0;
  for (int i = 0; i < BLOCK; i++) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];
    u += c;
    s += (signed char)c;
  }
  return want == u || want == s;
}

struct xattr {
  char *name;
  char *value;
  size_t len;
};

struct entry {
  char type;
  char *name;
  char *link;
  long long mode, uid, gid, size, devmajor, devminor;
  struct timespec mtime, atime;
  int has_atime;
  struct xattr xattrs[MAX_XATTRS];
  int nxattrs;
};

/* Pending overrides from PAX and GNU records for the next entry. */
struct meta {
  char *path, *linkpath;
  long long size, uid, gid;
  int has_size, has_uid, has_gid, has_mtime, has_atime;
  struct timespec mtime, atime;
  struct xattr xattrs[MAX_XATTRS];
  int nxattrs;
};

static char *field(const unsigned char *f, size_t len) {
  size_t n = strnlen((const char *)f, len);
  char *s = malloc(n + 1);
  if (!s) {
    die(1, "out of memory");
  }
  memcpy(s, f, n);
  s[n] = 0;
  return s;
}

static char *read_meta(long long size) {
  if (size < 0 || size > MAX_META) {
    die(4, "archive/tar: header record too large");
  }
  char *buf = malloc((size_t)padded((unsigned long long)size) + 1);
  if (!buf) {
    die(1, "out of memory");
  }
  read_exact(buf, (size_t)padded((unsigned long long)size));
  buf[size] = 0;
  return buf;
}

static struct timespec pax_time(const char *v) {
  struct timespec t = {0, 0};
  char *end;
  t.tv_sec = strtoll(v, &end, 10);
  if (*end == '.') {
    long ns = 0;
    int digits = 0;
    for (end++; *end >= '0' && *end <= '9' && digits < 9; end++, digits++) {
      ns = ns * 10 + (*end - '0');
    }
    for (; digits < 9; digits++) {
      ns *= 10;
    }
    t.tv_nsec = t.tv_sec < 0 ? -ns : ns;
  }
  return t;
}

/* PAX records, "LEN key=value\n" each. */
static void parse_pax(char *buf, long long size, struct meta *m) {
  long long off = 0;
  while (off < size) {
    char *rec = buf + off;
    char *end;
    long long len = strtoll(rec, &end, 10);
    if (len <= 0 || off + len > size || *end != ' ' || rec[len - 1] != '\n') {
      die(4, "archive/tar: invalid tar header");
    }
    char *key = end + 1;
    char *eq = memchr(key, '=', (size_t)(rec + len - 1 - key));
    if (!eq) {
      die(4, "archive/tar: invalid tar header");
    }
    *eq = 0;
    char *val = eq + 1;
    size_t vlen = (size_t)(rec + len - 1 - val);
    rec[len - 1] = 0;
    if (strcmp(key, "path") == 0) {
      free(m->path);
      m->path = strdup(val);
    } else if (strcmp(key, "linkpath") == 0) {
      free(m->linkpath);
      m->linkpath = strdup(val);
    } else if (strcmp(key, "size") == 0) {
      m->size = strtoll(val, NULL, 10);
      m->has_size = 1;
    } else if (strcmp(key, "uid") == 0) {
      m->uid = strtoll(val, NULL, 10);
      m->has_uid = 1;
    } else if (strcmp(key, "gid") == 0) {
      m->gid = strtoll(val, NULL, 10);
      m->has_gid = 1;
    } else if (strcmp(key, "mtime") == 0) {
      m->mtime = pax_time(val);
      m->has_mtime = 1;
    } else if (strcmp(key, "atime") == 0) {
      m->atime = pax_time(val);
      m->has_atime = 1;
    } else if (strncmp(key, "SCHILY.xattr.", 13) == 0 && m->nxattrs < MAX_XATTRS) {
      struct xattr *x = &m->xattrs[m->nxattrs++];
      x->name = strdup(key + 13);
      x->value = malloc(vlen + 1);
      if (!x->name || !x->value) {
        die(1, "out of memory");
      }
      memcpy(x->value, val, vlen);
      x->len = vlen;
    }
    off += len;
  }
}

/* The next entry, or 0 at the end of the archive. */
static int next_entry(struct entry *e) {
  struct meta m;
  memset(&m, 0, sizeof m);
  unsigned char h[BLOCK];
  for (;;) {
    size_t got = read_full(h, BLOCK);
    if (got == 0) {
      return 0; /* EOF on a header boundary: the end, as Go's reader takes it */
    }
    if (got != BLOCK) {
      die(4, "unexpected EOF");
    }
    int zero = 1;
    for (int i = 0; i < BLOCK && zero; i++) {
      zero = h[i] == 0;
    }
    if (zero) {
      return 0;
    }
    if (!checksum_ok(h)) {
      die(4, "archive/tar: invalid tar header");
    }
    char type = (char)h[156];
    long long size = number(h + 124, 12);
    if (type == 'x' || type == 'g') {
      char *buf = read_meta(size);
      if (type == 'x') {
        parse_pax(buf, size, &m);
      }
      free(buf);
      continue;
    }
    if (type == 'L' || type == 'K') {
      char *buf = read_meta(size);
      char **slot = type == 'L' ? &m.path : &m.linkpath;
      free(*slot);
      *slot = buf;
      continue;
    }
    memset(e, 0, sizeof *e);
    e->type = type == 0 ? '0' : type;
    if (m.path) {
      e->name = m.path;
    } else if (memcmp(h + 257, "ustar", 5) == 0 && h[345] != 0 && memcmp(h + 257, "ustar  ", 7) != 0) {
      char *prefix = field(h + 345, 155), *base = field(h, 100);
      if (asprintf(&e->name, "%s/%s", prefix, base) < 0) {
        die(1, "out of memory");
      }
      free(prefix);
      free(base);
    } else {
      e->name = field(h, 100);
    }
    e->link = m.linkpath ? m.linkpath : field(h + 157, 100);
    e->mode = number(h + 100, 8) & 07777;
    e->uid = m.has_uid ? m.uid : number(h + 108, 8);
    e->gid = m.has_gid ? m.gid : number(h + 116, 8);
    e->size = m.has_size ? m.size : size;
    e->mtime = m.has_mtime ? m.mtime : (struct timespec){number(h + 136, 12), 0};
    e->atime = m.has_atime ? m.atime : e->mtime;
    e->devmajor = number(h + 329, 8);
    e->devminor = number(h + 337, 8);
    memcpy(e->xattrs, m.xattrs, sizeof m.xattrs);
    e->nxattrs = m.nxattrs;
    if (e->size < 0 || e->uid < 0 || e->gid < 0 || e->uid > 0xfffffffeLL || e->gid > 0xfffffffeLL) {
      die(4, "archive/tar: invalid tar header");
    }
    return 1;
  }
}

/*
 * The entry's name made relative to DIR: "." and empty parts dropped, ".." taken back; a name
 * that climbs out of DIR is refused. Returns "" for DIR itself.
 */
static char *clean(const char *name, const char *what) {
  size_t n = strlen(name);
  char *out = malloc(n + 1);
  if (!out) {
    die(1, "out of memory");
  }
  size_t len = 0;
  const char *p = name;
  while (*p) {
    while (*p == '/') {
      p++;
    }
    const char *q = p;
    while (*q && *q != '/') {
      q++;
    }
    size_t part = (size_t)(q - p);
    if (part == 0 || (part == 1 && p[0] == '.')) {
      /* nothing */
    } else if (part == 2 && p[0] == '.' && p[1] == '.') {
      if (len == 0) {
        die(4, "%s %s is outside of the extraction point %s", what, name, dir_shown);
      }
      while (len > 0 && out[len - 1] != '/') {
        len--;
      }
      if (len > 0) {
        len--;
      }
    } else {
      if (len > 0) {
        out[len++] = '/';
      }
      memcpy(out + len, p, part);
      len += part;
    }
    p = q;
  }
  out[len] = 0;
  return out;
}

static void remove_tree(const char *path);

static void remove_tree_at(int at, const char *name, const char *shown) {
  if (unlinkat(at, name, 0) == 0 || errno == ENOENT) {
    return;
  }
  if (errno != EISDIR && errno != EPERM) {
    fail("remove", shown, errno);
  }
  int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    fail("remove", shown, errno);
  }
  DIR *d = fdopendir(fd);
  if (!d) {
    fail("remove", shown, errno);
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
      continue;
    }
    remove_tree_at(dirfd(d), de->d_name, shown);
  }
  closedir(d);
  if (unlinkat(at, name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
    fail("remove", shown, errno);
  }
}

static void remove_tree(const char *path) { remove_tree_at(AT_FDCWD, path, path); }

/* Makes the parents of path that do not exist, as Docker does (an existing one is used as it is). */
static void parents(const char *path) {
  char *p = strdup(path);
  if (!p) {
    die(1, "out of memory");
  }
  char *slash = strrchr(p, '/');
  if (slash) {
    *slash = 0;
    struct stat st;
    if (lstat(p, &st) != 0) {
      if (errno != ENOENT) {
        fail("lstat", p, errno);
      }
      parents(p);
      if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        fail("mkdir", p, errno);
      }
    }
  }
  free(p);
}

struct dirtime {
  char *path;
  struct timespec times[2];
};

static struct dirtime *dirtimes;
static size_t ndirtimes, capdirtimes;

static void remember_dir_time(const char *path, const struct entry *e) {
  if (ndirtimes == capdirtimes) {
    capdirtimes = capdirtimes ? capdirtimes * 2 : 64;
    dirtimes = realloc(dirtimes, capdirtimes * sizeof *dirtimes);
    if (!dirtimes) {
      die(1, "out of memory");
    }
  }
  dirtimes[ndirtimes].path = strdup(path);
  dirtimes[ndirtimes].times[0] = e->atime;
  dirtimes[ndirtimes].times[1] = e->mtime;
  ndirtimes++;
}

static void copy_data(int fd, long long size, const char *path) {
  char buf[1 << 16];
  unsigned long long left = (unsigned long long)size;
  while (left > 0) {
    size_t step = left < sizeof buf ? (size_t)left : sizeof buf;
    read_exact(buf, step);
    size_t off = 0;
    while (off < step) {
      ssize_t w = write(fd, buf + off, step - off);
      if (w < 0 && errno == EINTR) {
        continue;
      }
      if (w < 0) {
        fail("write", path, errno);
      }
      off += (size_t)w;
    }
    left -= step;
  }
  skip(padded((unsigned long long)size) - (unsigned long long)size);
}

/* Clears the way for a new entry at path: whatever is there goes, except a directory for a directory. */
static void clear(const char *path, int new_is_dir) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    if (errno != ENOENT) {
      fail("lstat", path, errno);
    }
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    if (new_is_dir) {
      return;
    }
    if (!layer_mode) {
      die(4, "cannot overwrite directory %s%s%s with non-directory", strcmp(dir_shown, "/") == 0 ? "" : dir_shown,
          "/", path);
    }
    remove_tree(path);
  } else if (unlink(path) != 0 && errno != ENOENT) {
    fail("unlink", path, errno);
  }
}

static void set_attrs(const char *path, const struct entry *e, int is_link) {
  uid_t uid = keep_owners ? (uid_t)e->uid : 0;
  gid_t gid = keep_owners ? (gid_t)e->gid : 0;
  if (lchown(path, uid, gid) != 0) {
    fail("lchown", path, errno);
  }
  for (int i = 0; i < e->nxattrs; i++) {
    if (lsetxattr(path, e->xattrs[i].name, e->xattrs[i].value, e->xattrs[i].len, 0) != 0 && errno != ENOTSUP &&
        errno != EPERM) {
      fail("lsetxattr", path, errno);
    }
  }
  if (!is_link && chmod(path, (mode_t)e->mode) != 0) {
    fail("chmod", path, errno);
  }
  struct timespec ts[2] = {e->atime, e->mtime};
  if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOTSUP) {
    fail("utimes", path, errno);
  }
}

static void whiteout(const char *path, const char *base) {
  parents(path);
  size_t dirlen = (size_t)(base - path);
  char *dir = strndup(path, dirlen > 0 ? dirlen - 1 : 0);
  if (!dir) {
    die(1, "out of memory");
  }
  if (strcmp(base, ".wh..wh..opq") == 0) {
    const char *target = dir[0] ? dir : ".";
    if (lsetxattr(target, "trusted.overlay.opaque", "y", 1, 0) != 0) {
      fail("lsetxattr", dir, errno);
    }
  } else {
    char *hidden;
    if (asprintf(&hidden, "%s%s%s", dir, dir[0] ? "/" : "", base + 4) < 0) {
      die(1, "out of memory");
    }
    clear(hidden, 0);
    if (mknod(hidden, S_IFCHR, makedev(0, 0)) != 0) {
      fail("mknod", hidden, errno);
    }
    free(hidden);
  }
  free(dir);
}

static void extract(struct entry *e) {
  char *path = clean(e->name, "archive entry");
  unsigned long long data = e->type == '0' || e->type == '7' ? (unsigned long long)e->size : 0;
  if (path[0] == 0) { /* DIR itself ("./"): only its data, if any, is skipped */
    skip(padded(data));
    free(path);
    return;
  }
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (layer_mode && strncmp(base, ".wh.", 4) == 0) {
    whiteout(path, base);
    skip(padded(data));
    free(path);
    return;
  }
  parents(path);
  switch (e->type) {
    case '5':
      clear(path, 1);
      if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        fail("mkdir", path, errno);
      }
      set_attrs(path, e, 0);
      remember_dir_time(path, e);
      break;
    case '0':
    case '7': {
      clear(path, 0);
      int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0) {
        fail("open", path, errno);
      }
      copy_data(fd, e->size, path);
      if (close(fd) != 0) {
        fail("close", path, errno);
      }
      set_attrs(path, e, 0);
      break;
    }
    case '2':
      clear(path, 0);
      if (symlink(e->link, path) != 0) {
        fail("symlink", path, errno);
      }
      set_attrs(path, e, 1);
      break;
    case '1': {
      char *target = clean(e->link, "hard link target");
      if (target[0] == 0) {
        die(4, "hard link %s points at the extraction point", e->name);
      }
      if (strcmp(target, path) != 0) {
        clear(path, 0);
        /* linkat without AT_SYMLINK_FOLLOW: a symlink is linked, never what it points at */
        if (linkat(AT_FDCWD, target, AT_FDCWD, path, 0) != 0) {
          fail("link", path, errno);
        }
      }
      free(target);
      break;
    }
    case '3':
    case '4':
    case '6': {
      if (!layer_mode && !keep_owners && e->type != '6') {
        break; /* docker cp leaves device nodes out */
      }
      mode_t kind = e->type == '3' ? S_IFCHR : e->type == '4' ? S_IFBLK : S_IFIFO;
      clear(path, 0);
      if (mknod(path, kind | (mode_t)e->mode,
              makedev((unsigned)e->devmajor, (unsigned)e->devminor)) != 0) {
        fail("mknod", path, errno);
      }
      set_attrs(path, e, 0);
      break;
    }
    default:
      /* other types (sparse GNU files, volume labels) carry nothing to extract */
      skip(padded(e->size));
      free(path);
      return;
  }
  free(path);
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
    if (strcmp(argv[i], "--layer") == 0) {
      layer_mode = 1;
      keep_owners = 1;
    } else if (strcmp(argv[i], "--owners") == 0) {
      keep_owners = 1;
    } else {
      die(1, "usage: root-untar [--layer] [--owners] ROOT DIR < archive.tar");
    }
  }
  if (argc - i != 2 || argv[i + 1][0] != '/') {
    die(1, "usage: root-untar [--layer] [--owners] ROOT DIR < archive.tar");
  }
  char *shown = strdup(argv[i + 1]);
  for (size_t n = strlen(shown); n > 1 && shown[n - 1] == '/'; n--) {
    shown[n - 1] = 0;
  }
  dir_shown = shown;
  umask(0);
  if (chdir(argv[i]) != 0 || chroot(".") != 0) {
    die(1, "entering the root: %s", strerror(errno));
  }
  if (chdir(dir_shown) != 0) {
    die(errno == ENOENT ? 2 : errno == ENOTDIR ? 3 : 1, "%s", strerror(errno));
  }
  struct stat st;
  if (lstat(".", &st) != 0 || !S_ISDIR(st.st_mode)) {
    die(3, "not a directory");
  }
  struct entry e;
  while (next_entry(&e)) {
    extract(&e);
    free(e.name);
    free(e.link);
    for (int x = 0; x < e.nxattrs; x++) {
      free(e.xattrs[x].name);
      free(e.xattrs[x].value);
    }
  }
  /* directory times last: writing their children changed them */
  for (size_t d = ndirtimes; d > 0; d--) {
    utimensat(AT_FDCWD, dirtimes[d - 1].path, dirtimes[d - 1].times, AT_SYMLINK_NOFOLLOW);
  }
  return 0;
}
