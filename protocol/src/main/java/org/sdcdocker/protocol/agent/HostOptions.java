package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;

/**
 * How a zone runs beyond its command: resources, privileges, mounts of its own, stop behaviour.
 * Zero or null means "not set" (the runtime's default).
 */
public record HostOptions(
    long memory,
    long memorySwap,
    long memoryReservation,
    boolean oomKillDisable,
    long cpuShares,
    long nanoCpus,
    String cpusetCpus,
    long pidsLimit,
    List<Ulimit> ulimits,
    boolean readOnlyRootfs,
    Map<String, String> tmpfs,
    boolean init,
    List<String> capAdd,
    List<String> capDrop,
    boolean privileged,
    boolean noNewPrivileges,
    List<Device> devices,
    long shmSize,
    Map<String, String> sysctls,
    List<String> groupAdd,
    String stopSignal,
    int stopTimeout,
    Healthcheck healthcheck,
    LogConfig log,
    long cpuPeriod,
    long cpuQuota,
    List<Throttle> throttles) {

  /** A block-I/O limit on one host device: readBps, writeBps, readIops or writeIops, per second. */
  public record Throttle(String path, String kind, long rate) {}

  /** The log driver: json-file (the zone's log, kept to maxSize bytes when set) or none. */
  public record LogConfig(String type, long maxSize, Map<String, String> config) {
    public static final LogConfig DEFAULT = new LogConfig("json-file", 0, Map.of());

    public LogConfig {
      type = type == null || type.isEmpty() ? "json-file" : type;
      config = config == null ? Map.of() : Map.copyOf(config);
    }

    /** Whether docker logs may read it. */
    public boolean readable() {
      return !type.equals("none");
    }
  }

  /** A health check: the test (CMD args, or a CMD-SHELL line) and its timing in nanoseconds. */
  public record Healthcheck(
      List<String> test,
      long intervalNanos,
      long timeoutNanos,
      int retries,
      long startPeriodNanos) {
    public Healthcheck {
      test = test == null ? List.of() : List.copyOf(test);
    }

    /** Whether there is a check to run (not absent, not NONE). */
    public boolean active() {
      return !test.isEmpty() && !test.get(0).equals("NONE");
    }
  }

  /** A resource limit, as {@code --ulimit nofile=1024:2048}. */
  public record Ulimit(String name, long soft, long hard) {}

  /** A host device made available in the zone. */
  public record Device(String pathOnHost, String pathInContainer, String permissions) {}

  public static final HostOptions DEFAULT =
      new HostOptions(
          0,
          0,
          0,
          false,
          0,
          0,
          null,
          0,
          List.of(),
          false,
          Map.of(),
          false,
          List.of(),
          List.of(),
          false,
          false,
          List.of(),
          0,
          Map.of(),
          List.of(),
          null,
          -1,
          null,
          LogConfig.DEFAULT,
          0,
          0,
          List.of());

  /** These options with other resource limits (0 leaves one as it was). */
  public HostOptions withLimits(
      long newMemory,
      long newSwap,
      long newReservation,
      long newShares,
      long newNanoCpus,
      long newPids) {
    return withResources(
        newMemory > 0 ? newMemory : memory,
        newSwap != 0 ? newSwap : newMemory > 0 ? 2 * newMemory : memorySwap,
        newReservation > 0 ? newReservation : memoryReservation,
        newShares > 0 ? newShares : cpuShares,
        newNanoCpus > 0 ? newNanoCpus : nanoCpus,
        newPids != 0 ? newPids : pidsLimit,
        cpuPeriod,
        cpuQuota);
  }

  /**
   * These options with a package's limits, whatever was asked: memory, swap (with memory), CPU
   * shares, CPU cap (as NanoCpus) and pids exactly as given (0 sets none); no reservation and no
   * CPU period or quota of their own.
   */
  public HostOptions withPackage(
      long pkgMemory, long pkgSwap, long pkgShares, long pkgNanoCpus, long pkgPids) {
    return withResources(pkgMemory, pkgSwap, 0, pkgShares, pkgNanoCpus, pkgPids, 0, 0);
  }

  private HostOptions withResources(
      long mem,
      long swap,
      long reservation,
      long shares,
      long nano,
      long pids,
      long period,
      long quota) {
    return new HostOptions(
        mem,
        swap,
        reservation,
        oomKillDisable,
        shares,
        nano,
        cpusetCpus,
        pids,
        ulimits,
        readOnlyRootfs,
        tmpfs,
        init,
        capAdd,
        capDrop,
        privileged,
        noNewPrivileges,
        devices,
        shmSize,
        sysctls,
        groupAdd,
        stopSignal,
        stopTimeout,
        healthcheck,
        log,
        period,
        quota,
        throttles);
  }

  public HostOptions {
    ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
    tmpfs = tmpfs == null ? Map.of() : Map.copyOf(tmpfs);
    capAdd = capAdd == null ? List.of() : List.copyOf(capAdd);
    capDrop = capDrop == null ? List.of() : List.copyOf(capDrop);
    devices = devices == null ? List.of() : List.copyOf(devices);
    sysctls = sysctls == null ? Map.of() : Map.copyOf(sysctls);
    groupAdd = groupAdd == null ? List.of() : List.copyOf(groupAdd);
    log = log == null ? LogConfig.DEFAULT : log;
    throttles = throttles == null ? List.of() : List.copyOf(throttles);
  }
}
