package org.sdcdocker.frontend.translate;

import com.fasterxml.jackson.databind.JsonNode;
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

  static HostOptions translate(JsonNode config, JsonNode imageConfig) {
    JsonNode h = config.path("HostConfig");
    for (String paths : List.of("MaskedPaths", "ReadonlyPaths")) {
      if (h.hasNonNull(paths)) { // a tenant's container keeps the default masks of /proc and /sys
        throw DockerException.invalid(
            "HostConfig.%s: custom masked and read-only paths are not available on this "
                + "server",
            paths);
      }
    }
    long memory = h.path("Memory").asLong(0);
    long swap = h.path("MemorySwap").asLong(0);
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
    long nanoCpus = h.path("NanoCpus").asLong(0);
    if (nanoCpus > 0 && (h.path("CpuQuota").asLong(0) > 0 || h.path("CpuPeriod").asLong(0) > 0)) {
      throw DockerException.invalid(
          "Conflicting options: Nano CPUs and CPU Period cannot both be set");
    }
    List<HostOptions.Ulimit> ulimits = new ArrayList<>();
    for (JsonNode u : h.path("Ulimits")) {
      ulimits.add(
          new HostOptions.Ulimit(
              u.path("Name").asText(), u.path("Soft").asLong(), u.path("Hard").asLong()));
    }
    List<HostOptions.Device> devices = new ArrayList<>();
    for (JsonNode d : h.path("Devices")) {
      devices.add(
          new HostOptions.Device(
              d.path("PathOnHost").asText(),
              d.path("PathInContainer").asText(""),
              d.path("CgroupPermissions").asText("rwm")));
    }
    boolean noNewPrivileges = false;
    for (JsonNode o : h.path("SecurityOpt")) {
      String opt = o.asText();
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
    String stopSignal = config.path("StopSignal").asText(imageConfig.path("StopSignal").asText(""));
    int stopTimeout = config.hasNonNull("StopTimeout") ? config.get("StopTimeout").asInt() : -1;
    Map<String, String> tmpfs = map(h.path("Tmpfs"));
    for (JsonNode m :
        h.path("Mounts")) { // --mount type=tmpfs,dst=PATH[,tmpfs-size=N][,tmpfs-mode=M]
      if ("tmpfs".equals(m.path("Type").asText())) {
        List<String> o = new ArrayList<>();
        if (m.path("TmpfsOptions").has("SizeBytes")) {
          o.add("size=" + m.path("TmpfsOptions").path("SizeBytes").asLong());
        }
        if (m.path("TmpfsOptions").has("Mode")) {
          o.add("mode=" + Integer.toOctalString(m.path("TmpfsOptions").path("Mode").asInt()));
        }
        if (m.path("ReadOnly").asBoolean(false)) {
          o.add("ro");
        }
        tmpfs.put(m.path("Target").asText(), String.join(",", o));
      }
    }
    return new HostOptions(
        memory,
        swap,
        h.path("MemoryReservation").asLong(0),
        h.path("OomKillDisable").asBoolean(false),
        h.path("CpuShares").asLong(0),
        nanoCpus,
        h.path("CpusetCpus").asText(""),
        h.path("PidsLimit").asLong(0),
        ulimits,
        h.path("ReadonlyRootfs").asBoolean(false),
        tmpfs,
        h.path("Init").asBoolean(false),
        CreateTranslator.strings(h.get("CapAdd")),
        CreateTranslator.strings(h.get("CapDrop")),
        h.path("Privileged").asBoolean(false),
        noNewPrivileges,
        devices,
        h.path("ShmSize").asLong(0),
        map(h.path("Sysctls")),
        CreateTranslator.strings(h.get("GroupAdd")),
        stopSignal.isEmpty() ? null : stopSignal,
        stopTimeout,
        healthcheck(config.path("Healthcheck"), imageConfig.path("Healthcheck")),
        log(h.path("LogConfig")),
        cpuPeriod(h),
        h.path("CpuQuota").asLong(0),
        throttles(h));
  }

  /**
   * BlkioDeviceReadBps, BlkioDeviceWriteBps, BlkioDeviceReadIOps, BlkioDeviceWriteIOps: [{Path,
   * Rate}].
   */
  static List<HostOptions.Throttle> throttles(JsonNode h) {
    List<HostOptions.Throttle> out = new ArrayList<>();
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
    kinds.forEach(
        (field, kind) -> {
          for (JsonNode t : h.path(field)) {
            String path = t.path("Path").asText("");
            long rate = t.path("Rate").asLong(-1);
            if (path.isEmpty() || rate < 0) {
              throw DockerException.invalid("invalid %s: %s", field, t);
            }
            out.add(new HostOptions.Throttle(path, kind, rate));
          }
        });
    return out;
  }

  /** json-file (or local, kept the same way) and none; max-size as Docker writes sizes. */
  static HostOptions.LogConfig log(JsonNode lc) {
    String type = lc.path("Type").asText("");
    if (type.isEmpty()) {
      type = "json-file";
    }
    if (!List.of("json-file", "local", "none").contains(type)) {
      throw DockerException.invalid("logger: no log driver named '%s' is registered", type);
    }
    Map<String, String> cfg = map(lc.path("Config"));
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
  static long cpuPeriod(JsonNode h) {
    long p = h.path("CpuPeriod").asLong(0);
    if (p != 0 && (p < 1000 || p > 1_000_000)) {
      throw DockerException.invalid(
          "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
    }
    long q = h.path("CpuQuota").asLong(0);
    if (q > 0 && q < 1000) {
      throw DockerException.invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
    }
    return p;
  }

  /** The container's health check over the image's, field by field, as Docker merges them. */
  static HostOptions.Healthcheck healthcheck(JsonNode mine, JsonNode image) {
    List<String> test = CreateTranslator.strings(mine.get("Test"));
    if (test.isEmpty()) {
      test = CreateTranslator.strings(image.get("Test"));
    }
    if (test.isEmpty()) {
      return null;
    }
    if (!List.of("NONE", "CMD", "CMD-SHELL").contains(test.get(0))) {
      throw DockerException.invalid(
          "invalid healthcheck: the test must start with NONE, CMD or CMD-SHELL");
    }
    long interval = first(mine, image, "Interval");
    long timeout = first(mine, image, "Timeout");
    long start = first(mine, image, "StartPeriod");
    // Docker's checks, each with its words
    if (interval != 0 && interval < 1_000_000) {
      throw DockerException.invalid("Interval in Healthcheck cannot be less than 1ms");
    }
    if (timeout != 0 && timeout < 1_000_000) {
      throw DockerException.invalid("Timeout in Healthcheck cannot be less than 1ms");
    }
    long retries = first(mine, image, "Retries");
    if (retries < 0) {
      throw DockerException.invalid("Retries in Healthcheck cannot be negative");
    }
    if (start != 0 && start < 1_000_000) {
      throw DockerException.invalid("StartPeriod in Healthcheck cannot be less than 1ms");
    }
    return new HostOptions.Healthcheck(test, interval, timeout, (int) retries, start);
  }

  private static long first(JsonNode mine, JsonNode image, String field) {
    long v = mine.path(field).asLong(0);
    return v != 0 ? v : image.path(field).asLong(0);
  }

  private static Map<String, String> map(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
