package org.sdcdocker.agent.zone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.sdcdocker.agent.image.LayerCache;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests;
import org.sdcdocker.protocol.agent.AgentRequests.ChangeList;
import org.sdcdocker.protocol.agent.AgentRequests.StatsResult;
import org.sdcdocker.protocol.agent.AgentRequests.TopResult;
import org.sdcdocker.protocol.agent.LayerRef;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The read-only questions about a zone: its changes (diff), its processes (top), its usage (stats).
 */
public final class ZoneQueries {
  private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

  private final LinuxZoneBackend zones;
  private final LayerCache layers;
  private final Function<String, Set<Integer>> helpers;

  /**
   * {@code helpers} names the agent's own processes in a zone's cgroups, which top and stats leave
   * out.
   */
  public ZoneQueries(
      LinuxZoneBackend zones, LayerCache layers, Function<String, Set<Integer>> helpers) {
    this.zones = zones;
    this.layers = layers;
    this.helpers = helpers;
  }

  public ChangeList changes(String id) throws IOException {
    ZoneRecord r = zones.get(id);
    List<Path> lowers = new ArrayList<>();
    for (LayerRef l : r.spec().layers()) {
      lowers.add(0, layers.ensure(l, ""));
    }
    Set<String> mountPoints = new HashSet<>();
    r.spec().mounts().forEach(m -> mountPoints.add(m.target()));
    return new ChangeList(ZoneInspector.changes(zones.paths(id).upper(), lowers, mountPoints));
  }

  private final Map<String, Long> layerSizes = new ConcurrentHashMap<>();

  /** Where the zone is on this node: its directory, its init log, its conmon's and init's pids. */
  public AgentRequests.WhereResult where(String id) throws IOException {
    ZoneRecord r = zones.get(id);
    ZonePaths p = zones.paths(id);
    Path log = InitVerdict.logOf(r.spec(), p);
    if (!Files.exists(log) && !r.spec().host().readOnlyRootfs()) { // its overlay is not mounted
      log = InRoot.resolve(p.upper(), "/var/log/sdc-dockerinit.log");
    }
    return new AgentRequests.WhereResult(
        p.dir().toString(),
        log.toString(),
        livePid(p.conmonPidFile()),
        r.state().running() ? livePid(p.pidFile()) : 0);
  }

  /** The pid a pid file names, when that process lives; else 0. */
  private static long livePid(Path pidFile) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return Files.exists(Path.of("/proc", Long.toString(pid))) ? pid : 0;
    } catch (IOException | NumberFormatException none) {
      return 0;
    }
  }

  /** SizeRw and SizeRootFs, as docker ps -s and inspect -s show them. */
  public AgentRequests.SizesResult sizes(String id) throws IOException {
    ZoneRecord r = zones.get(id);
    long rw = bytes(zones.paths(id).upper());
    long image = 0;
    for (LayerRef l : r.spec().layers()) {
      Path dir = layers.ensure(l, "");
      Long known = layerSizes.get(l.digest());
      if (known == null) {
        known = bytes(dir);
        layerSizes.put(l.digest(), known);
      }
      image += known;
    }
    return new AgentRequests.SizesResult(rw, rw + image);
  }

  private static long bytes(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (var s = Files.walk(dir)) {
      return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    }
  }

  public TopResult top(String id, String psArgs) throws IOException {
    ZoneRecord before = running(id);
    try {
      return ZoneInspector.top(pids(id), psArgs);
    } catch (IOException e) {
      throw endedOr(id, before, e);
    }
  }

  private ZoneRecord running(String id) {
    ZoneRecord r = zones.get(id);
    if (!r.state().running()) {
      throw DockerException.conflict("Container %s is not running", id);
    }
    return r;
  }

  private static Path cgroup(String controller, String id) {
    return CGROUPS.resolve(controller).resolve("sdc-docker").resolve(id);
  }

  /** The zone's processes, without the agent's helpers. */
  private Set<Integer> pids(String id) throws IOException {
    Set<Integer> out = cgroupPids(id);
    out.removeAll(helpers.apply(id));
    return out;
  }

  private static Set<Integer> cgroupPids(String id) throws IOException {
    Set<Integer> out = new HashSet<>();
    for (String l : Files.readAllLines(cgroup("pids", id).resolve("cgroup.procs"))) {
      if (!l.isBlank()) {
        out.add(Integer.parseInt(l.trim()));
      }
    }
    return out;
  }

  /**
   * One reading of the zone's cgroup counters and the host's CPU time, as docker stats wants them.
   */
  public StatsResult stats(String id) throws IOException {
    ZoneRecord before = running(id);
    try {
      return sample(id);
    } catch (IOException e) {
      throw endedOr(id, before, e);
    }
  }

  /**
   * A cgroup file that went away (ENOENT, ENODEV) while it was read: the run read has ended,
   * whether or not another has started since (a restart makes new cgroups).
   */
  private IOException endedOr(String id, ZoneRecord before, IOException e) {
    if (zones.ended(id) || zones.get(id).state().generation() != before.state().generation()) {
      throw DockerException.conflict("Container %s is not running", id);
    }
    return e;
  }

  private StatsResult sample(String id) throws IOException {
    long cpu = number(cgroup("cpuacct", id).resolve("cpuacct.usage"));
    long memUsage = number(cgroup("memory", id).resolve("memory.usage_in_bytes"));
    long memLimit = number(cgroup("memory", id).resolve("memory.limit_in_bytes"));
    long hostMem = hostMemory();
    long inactive = 0;
    for (String l : Files.readAllLines(cgroup("memory", id).resolve("memory.stat"))) {
      if (l.startsWith("total_inactive_file ")) {
        inactive = Long.parseLong(l.substring(l.indexOf(' ') + 1).trim());
      }
    }
    Set<Integer> ours = new HashSet<>(helpers.apply(id));
    if (!ours.isEmpty()) {
      ours.retainAll(cgroupPids(id)); // the helpers in the cgroup now (each one task)
    }
    long pidsNow = Math.max(0, number(cgroup("pids", id).resolve("pids.current")) - ours.size());
    String max = Files.readString(cgroup("pids", id).resolve("pids.max")).trim();
    long read = 0;
    long write = 0;
    Path io = cgroup("blkio", id).resolve("blkio.throttle.io_service_bytes_recursive");
    if (Files.exists(io)) {
      for (String l : Files.readAllLines(io)) {
        String[] f = l.trim().split("\\s+");
        if (f.length == 3 && f[1].equals("Read")) {
          read += Long.parseLong(f[2]);
        } else if (f.length == 3 && f[1].equals("Write")) {
          write += Long.parseLong(f[2]);
        }
      }
    }
    return new StatsResult(
        cpu,
        systemCpuNanos(),
        Runtime.getRuntime().availableProcessors(),
        memUsage,
        Math.min(memLimit, hostMem),
        inactive,
        pidsNow,
        max.equals("max") ? 0 : Long.parseLong(max),
        read,
        write,
        Instant.now().toString(),
        networks(zones.get(id).state().pid()));
  }

  /** The zone's interfaces but loopback, from its first process's view of /proc/net/dev. */
  static Map<String, AgentRequests.NetCounters> networks(int pid) {
    Map<String, AgentRequests.NetCounters> out = new TreeMap<>();
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Integer.toString(pid), "net", "dev"))) {
        int colon = line.indexOf(':');
        if (colon < 0 || line.contains("|")) {
          continue;
        }
        String name = line.substring(0, colon).trim();
        String[] f = line.substring(colon + 1).trim().split("\\s+");
        if (name.equals("lo") || f.length < 12) {
          continue;
        }
        long[] n = new long[12];
        for (int i = 0; i < 12; i++) {
          n[i] = Long.parseLong(f[i]);
        }
        out.put(
            name, new AgentRequests.NetCounters(n[0], n[1], n[2], n[3], n[8], n[9], n[10], n[11]));
      }
    } catch (IOException | RuntimeException e) {
      // the process ended meanwhile: no counters
    }
    return out;
  }

  private static long number(Path p) throws IOException {
    return Long.parseLong(Files.readString(p).trim());
  }

  /** The host's CPU time from /proc/stat, in nanoseconds (USER_HZ is 100 on Linux). */
  private static long systemCpuNanos() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long ticks = 0;
    for (int i = 1; i < Math.min(f.length, 8); i++) {
      ticks += Long.parseLong(f[i]);
    }
    return ticks * 10_000_000L;
  }

  private static long hostMemory() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (l.startsWith("MemTotal:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return Long.MAX_VALUE;
  }
}
