package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.agent.AgentRequests.Ack;

/** Volumes: kept by the agent of the compute node whose disk holds their data. */
public final class VolumeRecords {
  private VolumeRecords() {}

  /**
   * A mount of a zone: a volume (named or anonymous), a host path (bind) or a file fetched from a
   * URL (url), at a path in the zone; {@code from} names the container a volume was taken from
   * (--volumes-from), null for the zone's own.
   */
  public record MountSpec(
      String type,
      String source,
      String target,
      boolean readOnly,
      boolean anonymous,
      String from,
      String propagation) {
    public MountSpec(
        String type, String source, String target, boolean readOnly, boolean anonymous) {
      this(type, source, target, readOnly, anonymous, null, null);
    }

    public MountSpec(
        String type,
        String source,
        String target,
        boolean readOnly,
        boolean anonymous,
        String from) {
      this(type, source, target, readOnly, anonymous, from, null);
    }

    /** The same volume, shared into another zone by --volumes-from. */
    public MountSpec sharedFrom(String containerId, boolean ro) {
      return new MountSpec(
          type, source, target, readOnly || ro, anonymous, containerId, propagation);
    }

    /**
     * A bind's mount propagation (rprivate, the default, when null): rshared, rslave, shared,
     * slave, private.
     */
    public MountSpec withPropagation(String p) {
      return new MountSpec(type, source, target, readOnly, anonymous, from, p);
    }
  }

  /** A volume of an account. */
  public record Volume(
      String name,
      String owner,
      String driver,
      Map<String, String> labels,
      String createdAt,
      String mountpoint,
      boolean anonymous) {
    public Volume {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
  }

  /** Create (or find) a volume. */
  public record CreateVolume(
      String name, String owner, Map<String, String> labels, boolean anonymous)
      implements AgentRequest<Volume> {}

  /** The volumes of an account, each with the zones that use it. */
  public record ListVolumes(String owner) implements AgentRequest<VolumeList> {}

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

  /** The bytes each of an account's volumes holds (docker system df). */
  public record VolumeSizes(String owner) implements AgentRequest<SizeMap> {}

  /** The answer to VolumeSizes: volume name → bytes. */
  public record SizeMap(Map<String, Long> sizes) {
    public SizeMap {
      sizes = sizes == null ? Map.of() : Map.copyOf(sizes);
    }
  }

  /** Remove a volume; refused while a zone uses it. */
  public record RemoveVolume(String name, String owner) implements AgentRequest<Ack> {}
}
