package org.sdcdocker.agent.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;
import org.sdcdocker.protocol.Json;

/**
 * Composes a zone's OCI config.json from an ordered list of small options, starting from the
 * defaults every zone shares (Docker's capabilities, masked paths, /dev and /proc mounts).
 */
public final class SpecFactory {
  /** One small change to the spec under construction. */
  public interface SpecOpt extends Consumer<ObjectNode> {}

  static final List<String> DEFAULT_CAPS =
      List.of(
          "CAP_CHOWN",
          "CAP_DAC_OVERRIDE",
          "CAP_FSETID",
          "CAP_FOWNER",
          "CAP_MKNOD",
          "CAP_NET_RAW",
          "CAP_SETGID",
          "CAP_SETUID",
          "CAP_SETFCAP",
          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE",
          "CAP_SYS_CHROOT",
          "CAP_KILL",
          "CAP_AUDIT_WRITE");

  private SpecFactory() {}

  /** The spec: defaults, then each option in order. */
  public static ObjectNode build(List<SpecOpt> opts) {
    ObjectNode spec = defaults();
    opts.forEach(o -> o.accept(spec));
    return spec;
  }

  static ObjectNode defaults() {
    ObjectNode s = Json.MAPPER.createObjectNode();
    s.put("ociVersion", "1.0.2");
    ObjectNode p = s.putObject("process");
    p.put("terminal", false);
    p.putObject("user").put("uid", 0).put("gid", 0);
    p.putArray("args");
    p.putArray("env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    p.put("cwd", "/");
    ObjectNode caps = p.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "permitted")) {
      ArrayNode a = caps.putArray(set);
      DEFAULT_CAPS.forEach(a::add);
    }
    s.putObject("root").put("path", "rootfs").put("readonly", false);
    ArrayNode mounts = s.putArray("mounts");
    mount(mounts, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
    mount(
        mounts,
        "/dev",
        "tmpfs",
        "tmpfs",
        List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
    mount(
        mounts,
        "/dev/pts",
        "devpts",
        "devpts",
        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
    mount(
        mounts,
        "/dev/shm",
        "tmpfs",
        "shm",
        List.of("nosuid", "noexec", "nodev", "mode=1777", "size=67108864"));
    mount(mounts, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
    mount(mounts, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
    mount(
        mounts,
        "/sys/fs/cgroup",
        "cgroup",
        "cgroup",
        List.of("nosuid", "noexec", "nodev", "relatime", "ro"));
    ObjectNode linux = s.putObject("linux");
    ArrayNode ns = linux.putArray("namespaces");
    for (String n : List.of("pid", "network", "ipc", "uts", "mount")) {
      ns.addObject().put("type", n);
    }
    linux
        .putObject("resources")
        .putArray("devices")
        .addObject()
        .put("allow", false)
        .put("access", "rwm");
    ArrayNode masked = linux.putArray("maskedPaths");
    for (String m :
        List.of(
            "/proc/acpi",
            "/proc/asound",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/sys/firmware")) {
      masked.add(m);
    }
    ArrayNode ro = linux.putArray("readonlyPaths");
    for (String r :
        List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")) {
      ro.add(r);
    }
    return s;
  }

  private static void mount(
      ArrayNode mounts, String dest, String type, String source, List<String> options) {
    ObjectNode m =
        mounts.addObject().put("destination", dest).put("type", type).put("source", source);
    ArrayNode o = m.putArray("options");
    options.forEach(o::add);
  }

  /** The process object alone, for {@code runc exec}: the defaults with these arguments. */
  public static ObjectNode process(List<String> args) {
    ObjectNode p = (ObjectNode) defaults().get("process");
    ArrayNode a = p.putArray("args");
    args.forEach(a::add);
    return p;
  }

  /** The process to run as the zone's first process. */
  public static SpecOpt withArgs(List<String> args) {
    return s -> {
      ArrayNode a = ((ObjectNode) s.get("process")).putArray("args");
      args.forEach(a::add);
    };
  }

  /** A terminal for the first process. */
  public static SpecOpt withTerminal(boolean tty) {
    return s -> ((ObjectNode) s.get("process")).put("terminal", tty);
  }

  public static SpecOpt withHostname(String hostname) {
    return s -> s.put("hostname", hostname);
  }

  /** A bind mount; read-only when asked. */
  public static SpecOpt withBind(String source, String dest, boolean readOnly) {
    return withBind(source, dest, readOnly, null);
  }

  /**
   * A bind mount with a propagation (runc's option: rshared, rslave, ...; null for the default).
   */
  public static SpecOpt withBind(String source, String dest, boolean readOnly, String propagation) {
    return s -> {
      ObjectNode m = ((ArrayNode) s.get("mounts")).addObject();
      m.put("destination", dest).put("type", "bind").put("source", source);
      ArrayNode o = m.putArray("options").add("rbind").add("nosuid").add("nodev");
      o.add(readOnly ? "ro" : "rw");
      if (propagation != null) {
        o.add(propagation);
      }
    };
  }

  /** The cgroup every controller puts the zone in. */
  public static SpecOpt withCgroupsPath(String path) {
    return s -> ((ObjectNode) s.get("linux")).put("cgroupsPath", path);
  }

  /**
   * The zone joins this network namespace (made and wired before it starts) instead of a new one.
   */
  public static SpecOpt withNetns(String path) {
    return s -> {
      if (path == null || path.isEmpty()) {
        return;
      }
      for (var n : s.get("linux").get("namespaces")) {
        if (n.path("type").asText().equals("network")) {
          ((ObjectNode) n).put("path", path);
        }
      }
    };
  }
}
