package org.sdcdocker.agent.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.sdcdocker.agent.runtime.SpecFactory.SpecOpt;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.HostOptions;

/**
 * The spec options that carry a zone's host options: resources, capabilities, mounts, sysctls.
 *
 * <p>Why it is long: one small option per host option Docker has (resources, capabilities, devices,
 * tmpfs, shm, sysctls, block-I/O throttles), each with the rules the kernel and runc impose.
 */
public final class HostSpecOpts {
  /** Every capability Linux has, for --privileged and --cap-add ALL. */
  static final List<String> ALL_CAPS =
      Stream.of(
              ("CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP "
                      + "LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER "
                      + "SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE "
                      + "SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP "
                      + "MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF "
                      + "CHECKPOINT_RESTORE")
                  .split(" "))
          .map(c -> "CAP_" + c)
          .toList();

  /**
   * The capabilities this host can give: ALL_CAPS (in number order) less those outside the agent's
   * bounding set.
   */
  static final List<String> HOST_CAPS = hostCaps();

  private HostSpecOpts() {}

  private static List<String> hostCaps() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapBnd:")) {
          long bits = Long.parseUnsignedLong(line.substring(7).trim(), 16);
          List<String> out = new ArrayList<>();
          for (int i = 0; i < ALL_CAPS.size(); i++) {
            if ((bits & (1L << i)) != 0) {
              out.add(ALL_CAPS.get(i));
            }
          }
          return List.copyOf(out);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall back to every capability
    }
    return ALL_CAPS;
  }

  /** All the options for these host options, in order. */
  public static List<SpecOpt> of(HostOptions h, Path dockerinitLog) {
    List<SpecOpt> opts = new ArrayList<>();
    opts.add(resources(h));
    opts.add(capabilities(h.privileged(), h.capAdd(), h.capDrop()));
    if (h.privileged()) {
      opts.add(privileged());
    }
    if (h.noNewPrivileges()) {
      opts.add(s -> process(s).put("noNewPrivileges", true));
    }
    if (!h.ulimits().isEmpty()) {
      opts.add(
          s -> {
            ArrayNode r = process(s).putArray("rlimits");
            h.ulimits()
                .forEach(
                    u ->
                        r.addObject()
                            .put("type", "RLIMIT_" + u.name().toUpperCase(Locale.ROOT))
                            .put("soft", u.soft())
                            .put("hard", u.hard()));
          });
    }
    if (h.readOnlyRootfs()) {
      opts.add(s -> ((ObjectNode) s.get("root")).put("readonly", true));
      // dockerinit's log stays writable, as a file of the zone's own
      opts.add(
          SpecFactory.withBind(dockerinitLog.toString(), "/var/log/sdc-dockerinit.log", false));
    }
    h.tmpfs().forEach((path, options) -> opts.add(tmpfs(path, options)));
    if (h.shmSize() > 0) {
      opts.add(
          s -> {
            for (var m : s.get("mounts")) {
              if ("/dev/shm".equals(m.path("destination").asText())) {
                ArrayNode o = ((ObjectNode) m).putArray("options");
                o.add("nosuid")
                    .add("noexec")
                    .add("nodev")
                    .add("mode=1777")
                    .add("size=" + h.shmSize());
              }
            }
          });
    }
    if (!h.sysctls().isEmpty()) {
      opts.add(
          s -> {
            ObjectNode sys = ((ObjectNode) s.get("linux")).putObject("sysctl");
            h.sysctls().forEach(sys::put);
          });
    }
    for (HostOptions.Device d : h.devices()) {
      opts.add(device(d));
    }
    for (HostOptions.Throttle t : h.throttles()) {
      opts.add(throttle(t));
    }
    return opts;
  }

  private static ObjectNode process(ObjectNode s) {
    return (ObjectNode) s.get("process");
  }

  static SpecOpt resources(HostOptions h) {
    return s -> {
      ObjectNode res = (ObjectNode) s.get("linux").get("resources");
      if (h.memory() > 0 || h.memoryReservation() > 0 || h.oomKillDisable()) {
        ObjectNode mem = res.putObject("memory");
        if (h.memory() > 0) {
          mem.put("limit", h.memory());
          // Docker: swap unset means as much swap as memory; -1 unlimited
          mem.put("swap", h.memorySwap() == 0 ? 2 * h.memory() : h.memorySwap());
        }
        if (h.memoryReservation() > 0) {
          mem.put("reservation", h.memoryReservation());
        }
        if (h.oomKillDisable()) {
          mem.put("disableOOMKiller", true);
        }
      }
      if (h.cpuShares() > 0
          || h.nanoCpus() > 0
          || h.cpuQuota() > 0
          || h.cpuPeriod() > 0
          || (h.cpusetCpus() != null && !h.cpusetCpus().isEmpty())) {
        ObjectNode cpu = res.putObject("cpu");
        if (h.cpuShares() > 0) {
          cpu.put("shares", h.cpuShares());
        }
        if (h.nanoCpus() > 0) {
          cpu.put("period", 100_000).put("quota", h.nanoCpus() * 100_000 / 1_000_000_000L);
        }
        if (h.cpuPeriod() > 0) {
          cpu.put("period", h.cpuPeriod());
        }
        if (h.cpuQuota() > 0) {
          cpu.put("quota", h.cpuQuota());
        }
        if (h.cpusetCpus() != null && !h.cpusetCpus().isEmpty()) {
          cpu.put("cpus", h.cpusetCpus());
        }
      }
      if (h.pidsLimit() != 0) {
        res.putObject("pids").put("limit", h.pidsLimit());
      }
    };
  }

  /**
   * An exec's process gets the container's capabilities (its --privileged, --cap-add and
   * --cap-drop), and every one the node has with exec --privileged, as Docker's.
   */
  public static void execCapabilities(
      ObjectNode process, HostOptions container, boolean privilegedExec) {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.set("process", process);
    capabilities(container.privileged() || privilegedExec, container.capAdd(), container.capDrop())
        .accept(spec);
  }

  /**
   * The capabilities of a process's set ({@code bounding}, {@code effective}...) as a mask: bit N
   * is capability N.
   */
  public static long capabilityMask(ObjectNode process, String set) {
    long mask = 0;
    for (var c : process.path("capabilities").path(set)) {
      int n = ALL_CAPS.indexOf(c.asText());
      if (n >= 0) {
        mask |= 1L << n;
      }
    }
    return mask;
  }

  static SpecOpt capabilities(boolean privileged, List<String> add, List<String> drop) {
    return s -> {
      Set<String> caps = new LinkedHashSet<>(privileged ? HOST_CAPS : SpecFactory.DEFAULT_CAPS);
      for (String c : add) {
        if (c.equalsIgnoreCase("ALL")) {
          caps.addAll(HOST_CAPS);
        } else {
          caps.add(name(c));
        }
      }
      for (String c : drop) {
        if (c.equalsIgnoreCase("ALL")) {
          caps.clear();
        } else {
          caps.remove(name(c));
        }
      }
      ObjectNode capNode = process(s).putObject("capabilities");
      for (String set : List.of("bounding", "effective", "permitted")) {
        ArrayNode a = capNode.putArray(set);
        caps.forEach(a::add);
      }
    };
  }

  /** CAP_X or X, any case; refuses names Linux does not have. */
  static String name(String cap) {
    String n = cap.toUpperCase(Locale.ROOT);
    if (!n.startsWith("CAP_")) {
      n = "CAP_" + n;
    }
    if (!ALL_CAPS.contains(n)) {
      throw DockerException.invalid("unknown capability: \"%s\"", n);
    }
    if (!HOST_CAPS.contains(n)) {
      throw DockerException.invalid("capability %s is not available on this compute node", n);
    }
    return n;
  }

  /**
   * Every device cgroup rule open, the host's devices, no masked or read-only paths, /sys writable.
   */
  static SpecOpt privileged() {
    List<Object[]> hostDevices = hostDevices();
    return s -> {
      ObjectNode linux = (ObjectNode) s.get("linux");
      linux.putArray("maskedPaths");
      linux.putArray("readonlyPaths");
      ((ObjectNode) linux.get("resources"))
          .putArray("devices")
          .addObject()
          .put("allow", true)
          .put("access", "rwm");
      ArrayNode devs =
          linux.has("devices") ? (ArrayNode) linux.get("devices") : linux.putArray("devices");
      for (Object[] d : hostDevices) {
        devs.addObject()
            .put("path", (String) d[0])
            .put("type", (String) d[1])
            .put("major", (long) d[2])
            .put("minor", (long) d[3])
            .put("fileMode", (int) d[4])
            .put("uid", 0)
            .put("gid", 0);
      }
      for (var m : s.get("mounts")) {
        String dest = m.path("destination").asText();
        if (dest.equals("/sys") || dest.equals("/sys/fs/cgroup")) {
          ArrayNode o = ((ObjectNode) m).putArray("options");
          o.add("nosuid").add("noexec").add("nodev").add("rw");
        }
      }
    };
  }

  /** Directories of /dev that are not device nodes of the host's own, as Docker skips them. */
  private static final Set<String> NOT_HOST_DEVICES =
      Set.of(
          "/dev/pts",
          "/dev/shm",
          "/dev/fd",
          "/dev/mqueue",
          "/dev/.lxc",
          "/dev/.lxd-mounts",
          "/dev/.udev");

  /** What the runtime makes in every zone itself. */
  private static final Set<String> RUNTIME_DEVICES =
      Set.of(
          "/dev/null",
          "/dev/zero",
          "/dev/full",
          "/dev/random",
          "/dev/urandom",
          "/dev/tty",
          "/dev/console",
          "/dev/ptmx");

  /**
   * The host's device nodes under /dev, as Docker gives them to a privileged container: path, type,
   * major, minor, mode.
   */
  static List<Object[]> hostDevices() {
    List<Object[]> out = new ArrayList<>();
    try (var walk = Files.walk(Path.of("/dev"))) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String path = p.toString();
        if (NOT_HOST_DEVICES.stream().anyMatch(x -> path.equals(x) || path.startsWith(x + "/"))
            || RUNTIME_DEVICES.contains(path)
            || Files.isSymbolicLink(p)) {
          continue;
        }
        try {
          int mode = (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
          String type =
              (mode & 0170000) == 0020000 ? "c" : (mode & 0170000) == 0060000 ? "b" : null;
          if (type == null) {
            continue;
          }
          long rdev = (long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
          out.add(new Object[] {path, type, major(rdev), minor(rdev), mode & 0777});
        } catch (IOException | RuntimeException e) {
          // a node that went away meanwhile
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // /dev unreadable: the zone gets the runtime's devices only
    }
    return out;
  }

  private static long major(long rdev) {
    return ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffL);
  }

  private static long minor(long rdev) {
    return (rdev & 0xff) | ((rdev >> 12) & ~0xffL);
  }

  static SpecOpt tmpfs(String path, String options) {
    return s -> {
      ObjectNode m = ((ArrayNode) s.get("mounts")).addObject();
      m.put("destination", path).put("type", "tmpfs").put("source", "tmpfs");
      ArrayNode o = m.putArray("options").add("nosuid").add("nodev").add("noexec");
      if (options != null && !options.isEmpty()) {
        for (String opt : options.split(",")) {
          o.add(opt);
        }
      }
    };
  }

  /** A host device: its node in the zone and a cgroup rule allowing it. */
  static SpecOpt device(HostOptions.Device d) {
    Path host = Path.of(d.pathOnHost());
    int mode;
    long rdev;
    try {
      mode = (int) Files.getAttribute(host, "unix:mode");
      rdev = (long) Files.getAttribute(host, "unix:rdev");
    } catch (IOException e) {
      throw DockerException.invalid(
          "error gathering device information while adding custom device \"%s\": "
              + "no such file or directory",
          d.pathOnHost());
    }
    String type = (mode & 0170000) == 0020000 ? "c" : (mode & 0170000) == 0060000 ? "b" : null;
    if (type == null) {
      throw DockerException.invalid("%s is not a device", d.pathOnHost());
    }
    long major = major(rdev);
    long minor = minor(rdev);
    String perms = d.permissions() == null || d.permissions().isEmpty() ? "rwm" : d.permissions();
    String inZone =
        d.pathInContainer() == null || d.pathInContainer().isEmpty()
            ? d.pathOnHost()
            : d.pathInContainer();
    return s -> {
      ObjectNode linux = (ObjectNode) s.get("linux");
      ArrayNode devs =
          linux.has("devices") ? (ArrayNode) linux.get("devices") : linux.putArray("devices");
      devs.addObject()
          .put("path", inZone)
          .put("type", type)
          .put("major", major)
          .put("minor", minor)
          .put("fileMode", mode & 0777)
          .put("uid", 0)
          .put("gid", 0);
      ((ArrayNode) linux.get("resources").get("devices"))
          .addObject()
          .put("allow", true)
          .put("type", type)
          .put("major", major)
          .put("minor", minor)
          .put("access", perms);
    };
  }

  /** A block-I/O limit on a host block device (the blkio cgroup's throttle). */
  static SpecOpt throttle(HostOptions.Throttle t) {
    Path host = Path.of(t.path());
    long rdev;
    try {
      int mode = (int) Files.getAttribute(host, "unix:mode");
      if ((mode & 0170000) != 0060000) {
        throw DockerException.invalid("%s is not a block device", t.path());
      }
      rdev = (long) Files.getAttribute(host, "unix:rdev");
    } catch (IOException e) {
      throw DockerException.invalid(
          "error gathering device information while adding custom device \"%s\": "
              + "no such file or directory",
          t.path());
    }
    String field =
        switch (t.kind()) {
          case "readBps" -> "throttleReadBpsDevice";
          case "writeBps" -> "throttleWriteBpsDevice";
          case "readIops" -> "throttleReadIOPSDevice";
          default -> "throttleWriteIOPSDevice";
        };
    return s -> {
      ObjectNode res = (ObjectNode) s.get("linux").get("resources");
      ObjectNode io =
          res.has("blockIO") ? (ObjectNode) res.get("blockIO") : res.putObject("blockIO");
      ArrayNode list = io.has(field) ? (ArrayNode) io.get(field) : io.putArray(field);
      list.addObject().put("major", major(rdev)).put("minor", minor(rdev)).put("rate", t.rate());
    };
  }

  /** The sysctls Docker allows in a zone of its own namespaces. */
  static boolean namespaced(String key) {
    return key.startsWith("net.")
        || key.startsWith("fs.mqueue.")
        || key.startsWith("kernel.msg")
        || key.startsWith("kernel.sem")
        || key.startsWith("kernel.shm")
        || key.equals("kernel.domainname");
  }

  /** Refuses sysctls outside the zone's own namespaces, as Docker. */
  public static Map<String, String> check(Map<String, String> sysctls) {
    sysctls
        .keySet()
        .forEach(
            k -> {
              if (!namespaced(k)) {
                throw DockerException.invalid("sysctl '%s' is not allowed", k);
              }
            });
    return sysctls;
  }
}
