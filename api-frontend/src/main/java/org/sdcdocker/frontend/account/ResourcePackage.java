package org.sdcdocker.frontend.account;

import org.sdcdocker.frontend.cluster.VersionedReplica;

/**
 * A package, as Triton's: what a container may use, chosen at its creation by its memory or by name
 * (the label {@code com.joyent.package}). Memory, swap (memory and swap together, as Docker's
 * MemorySwap) and disk are in MiB; CPU shares are relative on a node (0: the runtime's default);
 * the CPU cap is in percent of one CPU (100 is a whole one; 0: none); pids is the most processes
 * (0: no limit). Only {@code active} ever changes: a package is deactivated and another added, as
 * the original's were. {@code updated} (ms) orders the versions front ends exchange.
 */
public record ResourcePackage(
    String name,
    String uuid,
    long memory,
    long swap,
    long disk,
    long cpuShares,
    long cpuCap,
    long pids,
    boolean active,
    String created,
    long updated)
    implements VersionedReplica.Versioned {
  /** The label that names a container's package. */
  public static final String LABEL = "com.joyent.package";

  @Override
  public String key() {
    return name;
  }

  /** The bytes of a size in MiB. */
  static long bytes(long mib) {
    return mib << 20;
  }

  /** The memory limit a container of this package gets, in bytes. */
  public long memoryBytes() {
    return bytes(memory);
  }

  /** Docker's MemorySwap (memory and swap together), in bytes. */
  public long swapBytes() {
    return bytes(swap);
  }

  /** Docker's NanoCpus for the cap: 100 % is 10^9. */
  public long nanoCpus() {
    return cpuCap * 10_000_000L;
  }

  ResourcePackage at(long time, boolean nowActive) {
    return new ResourcePackage(
        name, uuid, memory, swap, disk, cpuShares, cpuCap, pids, nowActive, created, time);
  }
}
