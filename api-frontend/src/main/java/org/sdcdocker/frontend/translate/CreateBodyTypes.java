package org.sdcdocker.frontend.translate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;
import org.sdcdocker.protocol.DockerException;

/**
 * The JSON types of the create body's fields, checked before anything reads them: a field of the
 * wrong type is refused as Go's decoder in Docker refuses it ({@code json: cannot unmarshal string
 * into Go struct field HostConfig.Memory of type int64}), never read as a default. JSON {@code
 * null} is a missing field, as for Go. Unknown fields are ignored, as Docker ignores them.
 */
public final class CreateBodyTypes {
  /** A Go field type and the JSON values that decode into it. */
  enum Kind {
    STRING("string"),
    BOOL("bool"),
    INT("int64"),
    STRINGS("[]string"),
    STRSLICE("strslice.StrSlice"), // a string or an array of strings
    OBJECT("struct"),
    STRING_MAP("map[string]string"),
    OBJECT_MAP("map[string]struct {}"),
    ARRAY("[]struct");

    final String goType;

    Kind(String goType) {
      this.goType = goType;
    }
  }

  private static final Map<String, Kind> CONFIG =
      Map.ofEntries(
          Map.entry("Hostname", Kind.STRING),
          Map.entry("Domainname", Kind.STRING),
          Map.entry("User", Kind.STRING),
          Map.entry("AttachStdin", Kind.BOOL),
          Map.entry("AttachStdout", Kind.BOOL),
          Map.entry("AttachStderr", Kind.BOOL),
          Map.entry("ExposedPorts", Kind.OBJECT_MAP),
          Map.entry("Tty", Kind.BOOL),
          Map.entry("OpenStdin", Kind.BOOL),
          Map.entry("StdinOnce", Kind.BOOL),
          Map.entry("Env", Kind.STRINGS),
          Map.entry("Cmd", Kind.STRSLICE),
          Map.entry("Healthcheck", Kind.OBJECT),
          Map.entry("ArgsEscaped", Kind.BOOL),
          Map.entry("Image", Kind.STRING),
          Map.entry("Volumes", Kind.OBJECT_MAP),
          Map.entry("WorkingDir", Kind.STRING),
          Map.entry("Entrypoint", Kind.STRSLICE),
          Map.entry("NetworkDisabled", Kind.BOOL),
          Map.entry("MacAddress", Kind.STRING),
          Map.entry("OnBuild", Kind.STRINGS),
          Map.entry("Labels", Kind.STRING_MAP),
          Map.entry("StopSignal", Kind.STRING),
          Map.entry("StopTimeout", Kind.INT),
          Map.entry("Shell", Kind.STRSLICE),
          Map.entry("HostConfig", Kind.OBJECT),
          Map.entry("NetworkingConfig", Kind.OBJECT));

  private static final Map<String, Kind> HOST_CONFIG =
      Map.ofEntries(
          Map.entry("Binds", Kind.STRINGS),
          Map.entry("ContainerIDFile", Kind.STRING),
          Map.entry("LogConfig", Kind.OBJECT),
          Map.entry("NetworkMode", Kind.STRING),
          Map.entry("PortBindings", Kind.OBJECT),
          Map.entry("RestartPolicy", Kind.OBJECT),
          Map.entry("AutoRemove", Kind.BOOL),
          Map.entry("VolumeDriver", Kind.STRING),
          Map.entry("VolumesFrom", Kind.STRINGS),
          Map.entry("Mounts", Kind.ARRAY),
          Map.entry("CapAdd", Kind.STRSLICE),
          Map.entry("CapDrop", Kind.STRSLICE),
          Map.entry("CgroupnsMode", Kind.STRING),
          Map.entry("Dns", Kind.STRINGS),
          Map.entry("DnsOptions", Kind.STRINGS),
          Map.entry("DnsSearch", Kind.STRINGS),
          Map.entry("ExtraHosts", Kind.STRINGS),
          Map.entry("GroupAdd", Kind.STRINGS),
          Map.entry("IpcMode", Kind.STRING),
          Map.entry("Cgroup", Kind.STRING),
          Map.entry("Links", Kind.STRINGS),
          Map.entry("OomScoreAdj", Kind.INT),
          Map.entry("PidMode", Kind.STRING),
          Map.entry("Privileged", Kind.BOOL),
          Map.entry("PublishAllPorts", Kind.BOOL),
          Map.entry("ReadonlyRootfs", Kind.BOOL),
          Map.entry("SecurityOpt", Kind.STRINGS),
          Map.entry("StorageOpt", Kind.STRING_MAP),
          Map.entry("Tmpfs", Kind.STRING_MAP),
          Map.entry("UTSMode", Kind.STRING),
          Map.entry("UsernsMode", Kind.STRING),
          Map.entry("ShmSize", Kind.INT),
          Map.entry("Sysctls", Kind.STRING_MAP),
          Map.entry("Runtime", Kind.STRING),
          Map.entry("Isolation", Kind.STRING),
          Map.entry("CpuShares", Kind.INT),
          Map.entry("Memory", Kind.INT),
          Map.entry("NanoCpus", Kind.INT),
          Map.entry("CgroupParent", Kind.STRING),
          Map.entry("BlkioWeight", Kind.INT),
          Map.entry("BlkioWeightDevice", Kind.ARRAY),
          Map.entry("BlkioDeviceReadBps", Kind.ARRAY),
          Map.entry("BlkioDeviceWriteBps", Kind.ARRAY),
          Map.entry("BlkioDeviceReadIOps", Kind.ARRAY),
          Map.entry("BlkioDeviceWriteIOps", Kind.ARRAY),
          Map.entry("CpuPeriod", Kind.INT),
          Map.entry("CpuQuota", Kind.INT),
          Map.entry("CpuRealtimePeriod", Kind.INT),
          Map.entry("CpuRealtimeRuntime", Kind.INT),
          Map.entry("CpusetCpus", Kind.STRING),
          Map.entry("CpusetMems", Kind.STRING),
          Map.entry("Devices", Kind.ARRAY),
          Map.entry("DeviceCgroupRules", Kind.STRINGS),
          Map.entry("DeviceRequests", Kind.ARRAY),
          Map.entry("MemoryReservation", Kind.INT),
          Map.entry("MemorySwap", Kind.INT),
          Map.entry("MemorySwappiness", Kind.INT),
          Map.entry("OomKillDisable", Kind.BOOL),
          Map.entry("PidsLimit", Kind.INT),
          Map.entry("Ulimits", Kind.ARRAY),
          Map.entry("CpuCount", Kind.INT),
          Map.entry("CpuPercent", Kind.INT),
          Map.entry("IOMaximumIOps", Kind.INT),
          Map.entry("IOMaximumBandwidth", Kind.INT),
          Map.entry("MaskedPaths", Kind.STRINGS),
          Map.entry("ReadonlyPaths", Kind.STRINGS),
          Map.entry("Init", Kind.BOOL),
          Map.entry("KernelMemory", Kind.INT),
          Map.entry("KernelMemoryTCP", Kind.INT),
          Map.entry("ConsoleSize", Kind.ARRAY));

  private CreateBodyTypes() {}

  /**
   * Refuses a create body that is not an object, or one of whose known fields has the wrong type.
   */
  public static void check(JsonNode body) {
    if (!body.isObject()) {
      throw DockerException.invalid(
          "json: cannot unmarshal %s into Go value of type container.CreateRequest",
          jsonType(body));
    }
    check(body, CONFIG, "ContainerConfigWrapper");
    JsonNode host = body.path("HostConfig");
    if (host.isObject()) {
      check(host, HOST_CONFIG, "ContainerConfigWrapper.HostConfig");
    }
  }

  private static void check(JsonNode object, Map<String, Kind> fields, String struct) {
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      Kind kind = fields.get(f.getKey());
      if (kind != null && !fits(f.getValue(), kind)) {
        JsonNode bad = f.getValue();
        String goType = kind.goType;
        if ((kind == Kind.STRINGS || kind == Kind.STRSLICE) && bad.isArray()
            || kind == Kind.STRING_MAP && bad.isObject()) {
          for (JsonNode e : bad) { // as Go: the element that does not fit
            if (!e.isTextual() && !(kind == Kind.STRING_MAP && e.isNull())) {
              bad = e;
              goType = "string";
              break;
            }
          }
        }
        throw DockerException.invalid(
            "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
            jsonType(bad), struct, f.getKey(), goType);
      }
    }
  }

  static boolean fits(JsonNode v, Kind kind) {
    if (v.isNull()) {
      return true;
    }
    return switch (kind) {
      case STRING -> v.isTextual();
      case BOOL -> v.isBoolean();
      case INT -> v.isIntegralNumber() || v.isNumber() && v.asDouble() == Math.rint(v.asDouble());
      case STRINGS -> v.isArray() && all(v, JsonNode::isTextual);
      case STRSLICE -> v.isTextual() || v.isArray() && all(v, JsonNode::isTextual);
      case OBJECT -> v.isObject();
      case STRING_MAP -> v.isObject() && all(v, e -> e.isTextual() || e.isNull());
      case OBJECT_MAP -> v.isObject() && all(v, e -> e.isObject() || e.isNull());
      case ARRAY -> v.isArray();
    };
  }

  private static boolean all(JsonNode container, Predicate<JsonNode> p) {
    for (JsonNode e : container) {
      if (!p.test(e)) {
        return false;
      }
    }
    return true;
  }

  /** The JSON type as Go's decoder names it in its errors. */
  public static String jsonType(JsonNode v) {
    if (v.isTextual()) {
      return "string";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "bool";
    }
    if (v.isArray()) {
      return "array";
    }
    return v.isObject() ? "object" : "null";
  }
}
