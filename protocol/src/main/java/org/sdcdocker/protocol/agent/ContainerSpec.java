package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;

/**
 * What a zone is made of and runs, engine-neutral: the front end translates Docker's create
 * request into this, with the image's defaults already merged in.
 */
public record ContainerSpec(
    String id,
    String name,
    String owner,
    String image,
    String imageId,
    List<LayerRef> layers,
    List<String> entrypoint,
    List<String> cmd,
    List<String> env,
    String workingDir,
    String user,
    String hostname,
    String domainname,
    Map<String, String> labels,
    boolean tty,
    boolean openStdin,
    boolean stdinOnce,
    boolean autoRemove,
    RestartPolicy restartPolicy,
    HostOptions host,
    String created,
    Map<String, String> frontend,
    List<VolumeRecords.MountSpec> mounts,
    NetworkSpec network) {

  public ContainerSpec {
    layers = layers == null ? List.of() : List.copyOf(layers);
    entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
    cmd = cmd == null ? List.of() : List.copyOf(cmd);
    env = env == null ? List.of() : List.copyOf(env);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    frontend = frontend == null ? Map.of() : Map.copyOf(frontend);
    restartPolicy = restartPolicy == null ? RestartPolicy.NO : restartPolicy;
    host = host == null ? HostOptions.DEFAULT : host;
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    network = network == null ? NetworkSpec.DEFAULT : network;
  }

  /** The same spec without a network argument: the account's fabric. */
  public ContainerSpec(String id, String name, String owner, String image, String imageId, List<LayerRef> layers,
      List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user, String hostname,
      String domainname, Map<String, String> labels, boolean tty, boolean openStdin, boolean stdinOnce,
      boolean autoRemove, RestartPolicy restartPolicy, HostOptions host, String created, Map<String, String> frontend,
      List<VolumeRecords.MountSpec> mounts) {
    this(id, name, owner, image, imageId, layers, entrypoint, cmd, env, workingDir, user, hostname, domainname,
        labels, tty, openStdin, stdinOnce, autoRemove, restartPolicy, host, created, frontend, mounts, null);
  }

  /** The same spec without mounts argument: no volumes. */
  public ContainerSpec(String id, String name, String owner, String image, String imageId, List<LayerRef> layers,
      List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user, String hostname,
      String domainname, Map<String, String> labels, boolean tty, boolean openStdin, boolean stdinOnce,
      boolean autoRemove, RestartPolicy restartPolicy, HostOptions host, String created, Map<String, String> frontend) {
    this(id, name, owner, image, imageId, layers, entrypoint, cmd, env, workingDir, user, hostname, domainname,
        labels, tty, openStdin, stdinOnce, autoRemove, restartPolicy, host, created, frontend, List.of(), null);
  }

  /** The same spec with other host options and restart policy. */
  public ContainerSpec withHost(HostOptions newHost, RestartPolicy newPolicy) {
    return new ContainerSpec(
        id, name, owner, image, imageId, layers, entrypoint, cmd, env, workingDir, user,
        hostname, domainname, labels, tty, openStdin, stdinOnce, autoRemove, newPolicy, newHost, created, frontend,
        mounts, network);
  }

  /** The same spec with other mounts. */
  public ContainerSpec withMounts(List<VolumeRecords.MountSpec> newMounts) {
    return new ContainerSpec(
        id, name, owner, image, imageId, layers, entrypoint, cmd, env, workingDir, user,
        hostname, domainname, labels, tty, openStdin, stdinOnce, autoRemove, restartPolicy, host, created, frontend,
        newMounts, network);
  }

  /** The same spec under a new name. */
  public ContainerSpec withName(String newName) {
    return new ContainerSpec(
        id, newName, owner, image, imageId, layers, entrypoint, cmd, env, workingDir, user,
        hostname, domainname, labels, tty, openStdin, stdinOnce, autoRemove, restartPolicy, host, created, frontend,
        mounts, network);
  }

  /** The same spec with another network. */
  public ContainerSpec withNetwork(NetworkSpec n) {
    return new ContainerSpec(
        id, name, owner, image, imageId, layers, entrypoint, cmd, env, workingDir, user,
        hostname, domainname, labels, tty, openStdin, stdinOnce, autoRemove, restartPolicy, host, created, frontend,
        mounts, n);
  }
}
