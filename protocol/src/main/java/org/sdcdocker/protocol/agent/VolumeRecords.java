package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;

/** Volumes: kept by the agent of the compute node whose disk holds their data. */
public final class VolumeRecords {
  private VolumeRecords() {}

  /** A mount of a zone: a volume (named or anonymous) or a host path, at a path in the zone. */
  public record MountSpec(String type, String source, String target, boolean readOnly, boolean anonymous) {}

  /** A volume of an account. */
  public record Volume(String name, String owner, String driver, Map<String, String> labels, String createdAt,
      String mountpoint, boolean anonymous) {
    public Volume {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
  }

  /** Create (or find) a volume. */
  public record CreateVolume(String name, String owner, Map<String, String> labels, boolean anonymous) {}

  /** The volumes of an account, each with the zones that use it. */
  public record ListVolumes(String owner) {}

  /** A volume and its users. */
  public record VolumeUse(Volume volume, List<String> usedBy) {
    public VolumeUse {
      usedBy = usedBy == null ? List.of() : List.copyOf(usedBy);
    }
  }

  /** The answer to ListVolumes. */
  public record VolumeList(List<VolumeUse> volumes) {
    public VolumeList {
      volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }
  }

  /** Remove a volume; refused while a zone uses it. */
  public record RemoveVolume(String name, String owner) {}
}
