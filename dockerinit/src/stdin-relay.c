/*
 * stdin-relay DIR: holds a zone's stdin across restarts of the agent.
 *
 * conmon closes a container's stdin when its attached client goes away, if the container was
 * created with StdinOnce (docker run -i). The agent's own connection to conmon's attach socket
 * would go away with the agent, so for such a zone the agent talks to this relay instead: it
 * connects once to DIR/attach (conmon's SOCK_SEQPACKET socket) and keeps that connection, and
 * listens on DIR/stdin.sock (SOCK_SEQPACKET) for the agent. Each of the agent's messages starts
 * with its kind: 'd' and bytes for the zone's stdin, or 'e' for the end of input (the relay then
 * shuts down its side, conmon closes the stdin, and the relay exits). An agent that goes away
 * without 'e' is waited for again. When conmon's socket closes (the zone ended), the relay exits.
 * What conmon sends on the attach socket (the output) is read and dropped: the agent reads the
 * output from the zone's log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)

static char buf[BUF_SIZE];

static int unix_socket(const char *name, int listening) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(name) >= sizeof addr.sun_path) {
    return -1;
  }
  strcpy(addr.sun_path, name);
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return -1;
  }
  int rc = listening ? bind(fd, (struct sockaddr *) &addr, sizeof addr) : connect(fd, (struct sockaddr *) &addr,
      sizeof addr);
  if (rc < 0 || (listening && listen(fd, 4) < 0)) {
    close(fd);
    return -1;
  }
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 2 || chdir(argv[1]) < 0) {
    fprintf(stderr, "usage: stdin-relay ZONE-DIR\n");
    return 2;
  }
  setsid();
  signal(SIGPIPE, SIG_IGN);
  int conmon = unix_socket("attach", 0);
  if (conmon < 0) {
    perror("stdin-relay: attach");
    return 1;
  }
  int listener = unix_socket("stdin.sock", 1);
  if (listener < 0) {
    return 0; /* another relay serves this zone */
  }
  int agent = -1;
  for (;;) {
    struct pollfd p[3] = {{conmon, POLLIN, 0}, {listener, POLLIN, 0}, {agent, POLLIN, 0}};
    if (poll(p, agent < 0 ? 2 : 3, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    if (p[0].revents) {
      ssize_t n = recv(conmon, buf, sizeof buf, 0);
      if (n <= 0 && !(n < 0 && errno == EINTR)) {
        break; /* the zone ended: its stdin is gone */
      }
    }
    if (p[1].revents & POLLIN) {
      int next = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
      if (next >= 0) {
        if (agent >= 0) {
          close(agent); /* a new agent replaces the one that went away */
        }
        agent = next;
      }
    }
    if (agent >= 0 && p[2].revents) {
      ssize_t n = recv(agent, buf, sizeof buf, 0);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) {
          continue;
        }
        close(agent); /* gone without an end: the next agent takes over */
        agent = -1;
      } else if (buf[0] == 'e') {
        shutdown(conmon, SHUT_WR);
        break;
      } else if (buf[0] == 'd' && n > 1) {
        if (send(conmon, buf + 1, (size_t) n - 1, 0) < 0) {
          break;
        }
      }
    }
  }
  unlink("stdin.sock");
  return 0;
}
