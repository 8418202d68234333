package org.sdcdocker.frontend.translate;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;

/**
 * Docker's create body ({@code container.CreateRequest}: the container's Config with its HostConfig
 * and NetworkingConfig), decoded once into types. An image's config has the same shape as the
 * Config part and decodes into the same record, without the two host parts. Lists and maps are
 * never null; {@link #entrypoint} is null when not given (an empty one is given: it clears the
 * image's).
 *
 * <p>Why it is long: it is the wire shape, one record per Go struct of Docker's, and HostConfig
 * alone has 45 fields this server reads; the records hold no logic beyond their defaults.
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record CreateBody(
    String hostname,
    String domainname,
    String user,
    boolean attachStdin,
    boolean attachStdout,
    boolean attachStderr,
    Map<String, Object> exposedPorts,
    boolean tty,
    boolean openStdin,
    boolean stdinOnce,
    List<String> env,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> cmd,
    Healthcheck healthcheck,
    String image,
    Map<String, Object> volumes,
    String workingDir,
    @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> entrypoint,
    String macAddress,
    Map<String, String> labels,
    String stopSignal,
    Integer stopTimeout,
    HostConfig hostConfig,
    NetworkingConfig networkingConfig) {

  public CreateBody {
    hostname = text(hostname);
    domainname = text(domainname);
    user = text(user);
    exposedPorts = map(exposedPorts);
    env = list(env);
    cmd = list(cmd);
    healthcheck = healthcheck == null ? Healthcheck.NONE : healthcheck;
    image = text(image);
    volumes = map(volumes);
    workingDir = text(workingDir);
    entrypoint = entrypoint == null ? null : nonNull(entrypoint);
    macAddress = text(macAddress);
    labels = strings(labels);
    stopSignal = text(stopSignal);
    hostConfig = hostConfig == null ? HostConfig.EMPTY : hostConfig;
    networkingConfig = networkingConfig == null ? NetworkingConfig.EMPTY : networkingConfig;
  }

  /**
   * Decodes a create body: each field's JSON type checked first as Docker's Go decoder checks it
   * (see {@link CreateBodyTypes}), then the whole read once into these records.
   */
  public static CreateBody decode(JsonNode body) {
    CreateBodyTypes.check(body);
    return convert(body, CreateBody.class, "ContainerConfigWrapper");
  }

  /** An image config's {@code config} part (Docker's container.Config), as the same record. */
  public static CreateBody ofImage(JsonNode imageConfig) {
    if (imageConfig == null || !imageConfig.isObject()) {
      return decode(Json.MAPPER.createObjectNode());
    }
    return convert(imageConfig, CreateBody.class, "image config");
  }

  /** A network connect's EndpointConfig. */
  public static EndpointConfig endpointConfig(JsonNode config) {
    if (config == null || config.isNull() || config.isMissingNode()) {
      return EndpointConfig.EMPTY;
    }
    return convert(config, EndpointConfig.class, "EndpointSettings");
  }

  /**
   * Reads a checked tree into a record; a value of a nested field that does not fit its type is
   * refused in the words of Go's decoder.
   */
  public static <T> T convert(JsonNode tree, Class<T> type, String struct) {
    try {
      return Json.MAPPER.treeToValue(tree, type);
    } catch (MismatchedInputException e) {
      List<String> path = new ArrayList<>();
      JsonNode bad = tree;
      for (JsonMappingException.Reference r : e.getPath()) {
        if (r.getFieldName() != null) {
          path.add(r.getFieldName());
          bad = bad.path(r.getFieldName());
        } else {
          bad = bad.path(r.getIndex());
        }
      }
      throw DockerException.invalid(
          "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
          CreateBodyTypes.jsonType(bad), struct, String.join(".", path), goType(e.getTargetType()));
    } catch (Exception e) {
      throw DockerException.invalid("invalid JSON in %s", struct);
    }
  }

  private static String goType(Class<?> t) {
    if (t == null) {
      return "value";
    }
    if (t == String.class) {
      return "string";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "bool";
    }
    if (t == long.class || t == Long.class) {
      return "int64";
    }
    if (t == int.class || t == Integer.class) {
      return "int";
    }
    if (List.class.isAssignableFrom(t)) {
      return "[]string";
    }
    if (Map.class.isAssignableFrom(t)) {
      return "map[string]string";
    }
    return "struct";
  }

  /** Config.Healthcheck: durations in nanoseconds; a missing one is 0 (inherited). */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record Healthcheck(
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> test,
      long interval,
      long timeout,
      long startPeriod,
      long retries) {
    static final Healthcheck NONE = new Healthcheck(null, 0, 0, 0, 0);

    public Healthcheck {
      test = list(test);
    }
  }

  /** The HostConfig fields this server reads. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record HostConfig(
      List<String> binds,
      List<Mount> mounts,
      List<String> volumesFrom,
      Map<String, String> tmpfs,
      List<String> maskedPaths,
      List<String> readonlyPaths,
      long memory,
      long memorySwap,
      long memoryReservation,
      boolean oomKillDisable,
      long cpuShares,
      long nanoCpus,
      long cpuPeriod,
      long cpuQuota,
      String cpusetCpus,
      long pidsLimit,
      List<Ulimit> ulimits,
      List<Device> devices,
      List<String> securityOpt,
      boolean readonlyRootfs,
      boolean init,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> capAdd,
      @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> capDrop,
      boolean privileged,
      long shmSize,
      Map<String, String> sysctls,
      List<String> groupAdd,
      LogConfig logConfig,
      long blkioWeight,
      @JsonProperty("BlkioDeviceReadBps") List<Throttle> blkioDeviceReadBps,
      @JsonProperty("BlkioDeviceWriteBps") List<Throttle> blkioDeviceWriteBps,
      @JsonProperty("BlkioDeviceReadIOps") List<Throttle> blkioDeviceReadIOps,
      @JsonProperty("BlkioDeviceWriteIOps") List<Throttle> blkioDeviceWriteIOps,
      RestartPolicy restartPolicy,
      boolean autoRemove,
      String networkMode,
      Map<String, List<PortBinding>> portBindings,
      boolean publishAllPorts,
      List<String> dns,
      List<String> dnsSearch,
      List<String> dnsOptions,
      List<String> extraHosts,
      List<String> links) {
    static final HostConfig EMPTY = Json.MAPPER.convertValue(Map.of(), HostConfig.class);

    public HostConfig {
      binds = list(binds);
      mounts = nonNull(list(mounts));
      volumesFrom = list(volumesFrom);
      tmpfs = strings(tmpfs);
      cpusetCpus = text(cpusetCpus);
      ulimits = nonNull(list(ulimits));
      devices = nonNull(list(devices));
      securityOpt = list(securityOpt);
      capAdd = list(capAdd);
      capDrop = list(capDrop);
      sysctls = strings(sysctls);
      groupAdd = list(groupAdd);
      logConfig = logConfig == null ? new LogConfig(null, null) : logConfig;
      blkioDeviceReadBps = list(blkioDeviceReadBps);
      blkioDeviceWriteBps = list(blkioDeviceWriteBps);
      blkioDeviceReadIOps = list(blkioDeviceReadIOps);
      blkioDeviceWriteIOps = list(blkioDeviceWriteIOps);
      restartPolicy = restartPolicy == null ? new RestartPolicy(null, 0) : restartPolicy;
      networkMode = text(networkMode);
      portBindings = map(portBindings);
      dns = list(dns);
      dnsSearch = list(dnsSearch);
      dnsOptions = list(dnsOptions);
      extraHosts = list(extraHosts);
      links = list(links);
    }

    /** The four throttles by their field's name. */
    Map<String, List<Throttle>> throttles() {
      Map<String, List<Throttle>> out = new LinkedHashMap<>();
      out.put("BlkioDeviceReadBps", blkioDeviceReadBps);
      out.put("BlkioDeviceWriteBps", blkioDeviceWriteBps);
      out.put("BlkioDeviceReadIOps", blkioDeviceReadIOps);
      out.put("BlkioDeviceWriteIOps", blkioDeviceWriteIOps);
      return out;
    }

    /** Whether a field that only masks paths was given (even empty), as Docker tells them apart. */
    boolean masksPaths() {
      return maskedPaths != null || readonlyPaths != null;
    }
  }

  /** HostConfig.Mounts[]. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record Mount(
      String type,
      String source,
      String target,
      boolean readOnly,
      VolumeOptions volumeOptions,
      TmpfsOptions tmpfsOptions) {
    public Mount {
      type = type == null || type.isEmpty() ? "volume" : type;
      source = text(source);
      target = text(target);
    }
  }

  /** Mount.VolumeOptions (only Subpath is read, to refuse it). */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record VolumeOptions(String subpath) {}

  /** Mount.TmpfsOptions; a missing field is null. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record TmpfsOptions(Long sizeBytes, Integer mode) {}

  /** HostConfig.Ulimits[]. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record Ulimit(String name, long soft, long hard) {}

  /** HostConfig.Devices[]. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record Device(String pathOnHost, String pathInContainer, String cgroupPermissions) {
    public Device {
      pathOnHost = text(pathOnHost);
      pathInContainer = text(pathInContainer);
      cgroupPermissions = cgroupPermissions == null ? "rwm" : cgroupPermissions;
    }
  }

  /** HostConfig.BlkioDevice*Bps and *IOps entries; a missing rate is -1 (refused). */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record Throttle(String path, Long rate) {
    public Throttle {
      path = text(path);
      rate = rate == null ? -1 : rate;
    }
  }

  /** HostConfig.LogConfig. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record LogConfig(String type, Map<String, String> config) {
    public LogConfig {
      type = text(type);
      config = strings(config);
    }
  }

  /** HostConfig.RestartPolicy. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record RestartPolicy(String name, int maximumRetryCount) {
    public RestartPolicy {
      name = text(name);
    }
  }

  /** HostConfig.PortBindings values' entries. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record PortBinding(String hostIp, String hostPort) {
    public PortBinding {
      hostIp = text(hostIp);
      hostPort = text(hostPort);
    }
  }

  /** NetworkingConfig: the endpoints by network name, in the order given. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record NetworkingConfig(Map<String, EndpointConfig> endpointsConfig) {
    static final NetworkingConfig EMPTY = new NetworkingConfig(null);

    public NetworkingConfig {
      Map<String, EndpointConfig> m = new LinkedHashMap<>();
      if (endpointsConfig != null) {
        endpointsConfig.forEach((k, v) -> m.put(k, v == null ? EndpointConfig.EMPTY : v));
      }
      endpointsConfig = m;
    }
  }

  /** An endpoint's settings, in a create body or a network connect. */
  @JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
  public record EndpointConfig(
      @JsonProperty("IPAMConfig") IpamConfig ipamConfig,
      List<String> links,
      List<String> aliases,
      String macAddress,
      Map<String, String> driverOpts) {
    static final EndpointConfig EMPTY = new EndpointConfig(null, null, null, null, null);

    public EndpointConfig {
      ipamConfig = ipamConfig == null ? new IpamConfig(null, null) : ipamConfig;
      links = list(links);
      aliases = list(aliases);
      macAddress = text(macAddress);
      driverOpts = strings(driverOpts);
    }
  }

  /** EndpointConfig.IPAMConfig. */
  public record IpamConfig(
      @JsonProperty("IPv4Address") String ipv4Address,
      @JsonProperty("LinkLocalIPs") List<String> linkLocalIps) {
    public IpamConfig {
      ipv4Address = text(ipv4Address);
      linkLocalIps = list(linkLocalIps);
    }
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  /** A list without the nulls a JSON array may hold (an entry {@code null} is no entry). */
  private static <T> List<T> nonNull(List<T> l) {
    return l.stream().filter(x -> x != null).toList();
  }

  private static <V> Map<String, V> map(Map<String, V> m) {
    return m == null ? Map.of() : m;
  }

  /** A map of strings whose JSON nulls are empty strings, as Go decodes them. */
  private static Map<String, String> strings(Map<String, String> m) {
    if (m == null) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v == null ? "" : v));
    return out;
  }
}
