package org.sdcdocker.frontend.translate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.HostOptions;

/**
 * Docker's HostConfig (and Config's stop settings) → HostOptions, refused as Docker refuses them.
 */
final class HostOptionsTranslator {
  private static final long MIN_MEMORY = 6 * 1024 * 1024;

  private HostOptionsTranslator() {}

  static HostOptions translate(CreateBody config, CreateBody imageConfig) {
    CreateBody.HostConfig h = config.hostConfig();
    if (h.masksPaths()) { // a tenant's container keeps the default masks of /proc and /sys
      throw DockerException.invalid(
          "HostConfig.%s: custom masked and read-only paths are not available on this server",
          h.maskedPaths() != null ? "MaskedPaths" : "ReadonlyPaths");
    }
    long memory = h.memory();
    long swap = h.memorySwap();
    if (memory > 0 && memory < MIN_MEMORY) {
      throw DockerException.invalid("Minimum memory limit allowed is 6MB");
    }
    if (swap != 0 && memory == 0) {
      throw DockerException.invalid(
          "You should always set the Memory limit when using Memoryswap limit, see usage");
    }
    if (swap > 0 && swap < memory) {
      throw DockerException.invalid(
          "Minimum memoryswap limit should be larger than memory limit, see usage");
    }
    if (h.nanoCpus() > 0 && (h.cpuQuota() > 0 || h.cpuPeriod() > 0)) {
      throw DockerException.invalid(
          "Conflicting options: Nano CPUs and CPU Period cannot both be set");
    }
    List<HostOptions.Ulimit> ulimits =
        h.ulimits().stream()
            .map(u -> new HostOptions.Ulimit(u.name(), u.soft(), u.hard()))
            .toList();
    List<HostOptions.Device> devices =
        h.devices().stream()
            .map(
                d ->
                    new HostOptions.Device(
                        d.pathOnHost(), d.pathInContainer(), d.cgroupPermissions()))
            .toList();
    boolean noNewPrivileges = false;
    for (String opt : h.securityOpt()) {
      if (opt.equals("no-new-privileges")
          || opt.equals("no-new-privileges:true")
          || opt.equals("no-new-privileges=true")) {
        noNewPrivileges = true;
      } else if (!opt.equals("no-new-privileges:false")
          && !opt.endsWith("=unconfined")
          && !opt.startsWith("label")) {
        throw DockerException.invalid(
            "invalid --security-opt: \"%s\": only no-new-privileges and the unconfined "
                + "profiles are supported",
            opt);
      }
    }
    String stopSignal =
        config.stopSignal().isEmpty() ? imageConfig.stopSignal() : config.stopSignal();
    int stopTimeout = config.stopTimeout() != null ? config.stopTimeout() : -1;
    Map<String, String> tmpfs = new LinkedHashMap<>(h.tmpfs());
    for (CreateBody.Mount m :
        h.mounts()) { // --mount type=tmpfs,dst=PATH[,tmpfs-size=N][,tmpfs-mode=M]
      if (m.type().equals("tmpfs")) {
        List<String> o = new ArrayList<>();
        var t = m.tmpfsOptions();
        if (t != null && t.sizeBytes() != null) {
          o.add("size=" + t.sizeBytes());
        }
        if (t != null && t.mode() != null) {
          o.add("mode=" + Integer.toOctalString(t.mode()));
        }
        if (m.readOnly()) {
          o.add("ro");
        }
        tmpfs.put(m.target(), String.join(",", o));
      }
    }
    return new HostOptions(
        memory,
        swap,
        h.memoryReservation(),
        h.oomKillDisable(),
        h.cpuShares(),
        h.nanoCpus(),
        h.cpusetCpus(),
        h.pidsLimit(),
        ulimits,
        h.readonlyRootfs(),
        tmpfs,
        h.init(),
        h.capAdd(),
        h.capDrop(),
        h.privileged(),
        noNewPrivileges,
        devices,
        h.shmSize(),
        h.sysctls(),
        h.groupAdd(),
        stopSignal.isEmpty() ? null : stopSignal,
        stopTimeout,
        healthcheck(config.healthcheck(), imageConfig.healthcheck()),
        log(h.logConfig()),
        cpuPeriod(h),
        h.cpuQuota(),
        throttles(h));
  }

  /**
   * BlkioDeviceReadBps, BlkioDeviceWriteBps, BlkioDeviceReadIOps, BlkioDeviceWriteIOps: [{Path,
   * Rate}].
   */
  static List<HostOptions.Throttle> throttles(CreateBody.HostConfig h) {
    Map<String, String> kinds =
        Map.of(
            "BlkioDeviceReadBps",
            "readBps",
            "BlkioDeviceWriteBps",
            "writeBps",
            "BlkioDeviceReadIOps",
            "readIops",
            "BlkioDeviceWriteIOps",
            "writeIops");
    List<HostOptions.Throttle> out = new ArrayList<>();
    h.throttles()
        .forEach(
            (field, list) -> {
              for (CreateBody.Throttle t : list) {
                if (t == null || t.path().isEmpty() || t.rate() < 0) {
                  throw DockerException.invalid(
                      "invalid %s: a device path and a rate of 0 or more are needed", field);
                }
                out.add(new HostOptions.Throttle(t.path(), kinds.get(field), t.rate()));
              }
            });
    return out;
  }

  /** json-file (or local, kept the same way) and none; max-size as Docker writes sizes. */
  static HostOptions.LogConfig log(CreateBody.LogConfig lc) {
    String type = lc.type();
    if (type.isEmpty()) {
      type = "json-file";
    }
    if (!List.of("json-file", "local", "none").contains(type)) {
      throw DockerException.invalid("logger: no log driver named '%s' is registered", type);
    }
    Map<String, String> cfg = lc.config();
    for (String k : cfg.keySet()) {
      if (!List.of("max-size", "max-file", "compress", "labels", "env", "tag").contains(k)) {
        throw DockerException.invalid("unknown log opt '%s' for %s log driver", k, type);
      }
    }
    long maxSize = cfg.containsKey("max-size") ? size(cfg.get("max-size")) : 0;
    return new HostOptions.LogConfig(type, type.equals("none") ? 1 << 20 : maxSize, cfg);
  }

  /** "10m", "1g", "512k", "100" → bytes, as Docker's units.RAMInBytes. */
  static long size(String v) {
    Matcher m = Pattern.compile("(?i)([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)i?b?").matcher(v.trim());
    if (!m.matches()) {
      throw DockerException.invalid("invalid size: '%s'", v);
    }
    double n = Double.parseDouble(m.group(1));
    int shift =
        switch (m.group(2).toLowerCase()) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          case "t" -> 40;
          default -> 0;
        };
    return (long) (n * (1L << shift));
  }

  /** --cpu-period: 1 ms to 1 s, as Docker checks it. */
  static long cpuPeriod(CreateBody.HostConfig h) {
    long p = h.cpuPeriod();
    if (p != 0 && (p < 1000 || p > 1_000_000)) {
      throw DockerException.invalid(
          "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
    }
    long q = h.cpuQuota();
    if (q > 0 && q < 1000) {
      throw DockerException.invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
    }
    return p;
  }

  /** The container's health check over the image's, field by field, as Docker merges them. */
  static HostOptions.Healthcheck healthcheck(
      CreateBody.Healthcheck mine, CreateBody.Healthcheck image) {
    List<String> test = mine.test().isEmpty() ? image.test() : mine.test();
    if (test.isEmpty()) {
      return null;
    }
    if (!List.of("NONE", "CMD", "CMD-SHELL").contains(test.get(0))) {
      throw DockerException.invalid(
          "invalid healthcheck: the test must start with NONE, CMD or CMD-SHELL");
    }
    long interval = mine.interval() != 0 ? mine.interval() : image.interval();
    long timeout = mine.timeout() != 0 ? mine.timeout() : image.timeout();
    long start = mine.startPeriod() != 0 ? mine.startPeriod() : image.startPeriod();
    long retries = mine.retries() != 0 ? mine.retries() : image.retries();
    // Docker's checks, each with its words
    if (interval != 0 && interval < 1_000_000) {
      throw DockerException.invalid("Interval in Healthcheck cannot be less than 1ms");
    }
    if (timeout != 0 && timeout < 1_000_000) {
      throw DockerException.invalid("Timeout in Healthcheck cannot be less than 1ms");
    }
    if (retries < 0) {
      throw DockerException.invalid("Retries in Healthcheck cannot be negative");
    }
    if (start != 0 && start < 1_000_000) {
      throw DockerException.invalid("StartPeriod in Healthcheck cannot be less than 1ms");
    }
    return new HostOptions.Healthcheck(test, interval, timeout, (int) retries, start);
  }
}
