package org.sdcdocker.protocol.agent;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a zone is made of and runs, engine-neutral: the front end translates Docker's create request
 * into this, with the image's defaults already merged in.
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
    List<VolumeRecords.MountSpec> mounts,
    NetworkSpec network) {

  public ContainerSpec {
    layers = layers == null ? List.of() : List.copyOf(layers);
    entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
    cmd = cmd == null ? List.of() : List.copyOf(cmd);
    env = env == null ? List.of() : List.copyOf(env);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    restartPolicy = restartPolicy == null ? RestartPolicy.NO : restartPolicy;
    host = host == null ? HostOptions.DEFAULT : host;
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    network = network == null ? NetworkSpec.DEFAULT : network;
  }

  /** The same spec with other host options and restart policy. */
  public ContainerSpec withHost(HostOptions newHost, RestartPolicy newPolicy) {
    return change(
        c -> {
          c.host = newHost;
          c.restartPolicy = newPolicy;
        });
  }

  /** The same spec with other mounts. */
  public ContainerSpec withMounts(List<VolumeRecords.MountSpec> newMounts) {
    return change(c -> c.mounts = newMounts);
  }

  /** The same spec with one label set. */
  public ContainerSpec withLabel(String key, String value) {
    Map<String, String> l = new LinkedHashMap<>(labels);
    l.put(key, value);
    return change(c -> c.labels = l);
  }

  /** The same spec with another name. */
  public ContainerSpec withName(String newName) {
    return change(c -> c.name = newName);
  }

  /** The same spec with another network. */
  public ContainerSpec withNetwork(NetworkSpec n) {
    return change(c -> c.network = n);
  }

  private ContainerSpec change(Consumer<Copy> edit) {
    Copy c = new Copy(this);
    edit.accept(c);
    return c.build();
  }

  /** A spec's fields, to change some of them. */
  private static final class Copy {
    String id;
    String name;
    String owner;
    String image;
    String imageId;
    List<LayerRef> layers;
    List<String> entrypoint;
    List<String> cmd;
    List<String> env;
    String workingDir;
    String user;
    String hostname;
    String domainname;
    Map<String, String> labels;
    boolean tty;
    boolean openStdin;
    boolean stdinOnce;
    boolean autoRemove;
    RestartPolicy restartPolicy;
    HostOptions host;
    String created;
    List<VolumeRecords.MountSpec> mounts;
    NetworkSpec network;

    Copy(ContainerSpec s) {
      id = s.id;
      name = s.name;
      owner = s.owner;
      image = s.image;
      imageId = s.imageId;
      layers = s.layers;
      entrypoint = s.entrypoint;
      cmd = s.cmd;
      env = s.env;
      workingDir = s.workingDir;
      user = s.user;
      hostname = s.hostname;
      domainname = s.domainname;
      labels = s.labels;
      tty = s.tty;
      openStdin = s.openStdin;
      stdinOnce = s.stdinOnce;
      autoRemove = s.autoRemove;
      restartPolicy = s.restartPolicy;
      host = s.host;
      created = s.created;
      mounts = s.mounts;
      network = s.network;
    }

    ContainerSpec build() {
      return new ContainerSpec(
          id,
          name,
          owner,
          image,
          imageId,
          layers,
          entrypoint,
          cmd,
          env,
          workingDir,
          user,
          hostname,
          domainname,
          labels,
          tty,
          openStdin,
          stdinOnce,
          autoRemove,
          restartPolicy,
          host,
          created,
          mounts,
          network);
    }
  }
}
