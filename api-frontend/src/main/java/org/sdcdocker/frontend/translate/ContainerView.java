package org.sdcdocker.frontend.translate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;
import org.sdcdocker.protocol.agent.ZoneState;

/** A zone record → Docker's inspect and list shapes, with the swagger file's field names. */
public final class ContainerView {
  private ContainerView() {}

  /** {@code GET /containers/{id}/json}. */
  public static Map<String, Object> inspect(ZoneRecord r, SentConfig sent) {
    ContainerSpec s = r.spec();
    ZoneState st = r.state();
    List<String> argv = new ArrayList<>(s.entrypoint());
    argv.addAll(s.cmd());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", s.id());
    m.put("Created", s.created());
    m.put("Path", argv.isEmpty() ? "" : argv.get(0));
    m.put("Args", argv.isEmpty() ? List.of() : argv.subList(1, argv.size()));
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("Status", st.status());
    state.put("Running", st.running() || st.restarting());
    state.put("Paused", st.paused());
    state.put("Restarting", st.restarting());
    state.put("OOMKilled", st.oomKilled());
    state.put("Dead", "dead".equals(st.status()));
    state.put("Pid", st.pid());
    state.put("ExitCode", st.exitCode());
    state.put("Error", st.error() == null ? "" : st.error());
    state.put("StartedAt", st.startedAt());
    state.put("FinishedAt", st.finishedAt());
    if (st.health() != null) {
      state.put(
          "Health",
          Map.of(
              "Status",
              st.health().status(),
              "FailingStreak",
              st.health().failingStreak(),
              "Log",
              st.health().log().stream()
                  .map(
                      p ->
                          Map.of(
                              "Start",
                              p.start(),
                              "End",
                              p.end(),
                              "ExitCode",
                              p.exitCode(),
                              "Output",
                              p.output()))
                  .toList()));
    } else if (s.host().healthcheck() != null && s.host().healthcheck().active()) {
      // as Docker's: a container with a check has a Health from its creation, "starting" until the
      // first
      state.put("Health", Map.of("Status", "starting", "FailingStreak", 0, "Log", List.of()));
    }
    m.put("State", state);
    m.put("Image", s.imageId());
    m.put("ResolvConfPath", "/etc/resolv.conf");
    m.put("HostnamePath", "/etc/hostname");
    m.put("HostsPath", "/etc/hosts");
    m.put("LogPath", "");
    m.put("Name", "/" + s.name());
    m.put("RestartCount", st.restartCount());
    m.put("Driver", "sdc");
    m.put("Platform", "linux");
    m.put("MountLabel", "");
    m.put("ProcessLabel", "");
    m.put("AppArmorProfile", "");
    m.put("ExecIDs", null);
    Map<String, Object> host = new LinkedHashMap<>();
    host.putAll(sent.hostConfig());
    var h = s.host(); // what the zone has now (update changes it), over what was sent
    host.put("Memory", h.memory());
    host.put("MemorySwap", h.memorySwap());
    host.put("MemoryReservation", h.memoryReservation());
    host.put("CpuShares", h.cpuShares());
    host.put("NanoCpus", h.nanoCpus());
    host.put("PidsLimit", h.pidsLimit());
    host.put("CpuPeriod", h.cpuPeriod());
    host.put("CpuQuota", h.cpuQuota());
    host.put("AutoRemove", s.autoRemove());
    host.put("Runtime", "runc");
    host.put("NetworkMode", NetworkView.mode(s));
    host.put(
        "RestartPolicy",
        Map.of(
            "Name",
            s.restartPolicy().name(),
            "MaximumRetryCount",
            s.restartPolicy().maximumRetryCount()));
    host.put("LogConfig", Map.of("Type", s.host().log().type(), "Config", s.host().log().config()));
    host.put("Binds", null);
    host.putIfAbsent("PortBindings", Map.of());
    host.put(
        "Links",
        s.network().links().isEmpty()
            ? null
            : s.network().links().stream()
                .map(l -> "/" + l.name() + ":/" + s.name() + "/" + l.alias())
                .toList());
    m.put("HostConfig", host);
    m.put("GraphDriver", Map.of("Name", "sdc", "Data", Map.of()));
    m.put("Mounts", mounts(s));
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("Hostname", s.hostname());
    cfg.put("Domainname", s.domainname() == null ? "" : s.domainname());
    cfg.put("User", s.user() == null ? "" : s.user());
    cfg.put("AttachStdin", sent.attachStdin());
    cfg.put("AttachStdout", sent.attachStdout());
    cfg.put("AttachStderr", sent.attachStderr());
    cfg.put("Tty", s.tty());
    cfg.put("OpenStdin", s.openStdin());
    cfg.put("StdinOnce", s.stdinOnce());
    cfg.put("Env", s.env());
    cfg.put("Cmd", s.cmd().isEmpty() ? null : s.cmd());
    cfg.put("Image", s.image());
    cfg.put("Volumes", null);
    if (!s.network().exposed().isEmpty()) {
      Map<String, Object> exposed = new LinkedHashMap<>();
      s.network().exposed().forEach(p -> exposed.put(p, Map.of()));
      cfg.put("ExposedPorts", exposed);
    }
    cfg.put("WorkingDir", s.workingDir() == null ? "" : s.workingDir());
    cfg.put("Entrypoint", s.entrypoint().isEmpty() ? null : s.entrypoint());
    cfg.put("OnBuild", null);
    cfg.put("Labels", s.labels());
    if (s.host().stopSignal() != null) {
      cfg.put("StopSignal", s.host().stopSignal());
    }
    if (s.host().stopTimeout() >= 0) {
      cfg.put("StopTimeout", s.host().stopTimeout());
    }
    var hc = s.host().healthcheck();
    if (hc != null) {
      cfg.put(
          "Healthcheck",
          Map.of(
              "Test",
              hc.test(),
              "Interval",
              hc.intervalNanos(),
              "Timeout",
              hc.timeoutNanos(),
              "Retries",
              hc.retries(),
              "StartPeriod",
              hc.startPeriodNanos()));
    }
    m.put("Config", cfg);
    m.put("NetworkSettings", NetworkView.settings(r));
    return m;
  }

  /** One entry of {@code GET /containers/json}. */
  public static Map<String, Object> summary(ZoneRecord r) {
    ContainerSpec s = r.spec();
    List<String> argv = new ArrayList<>(s.entrypoint());
    argv.addAll(s.cmd());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", s.id());
    m.put("Names", List.of("/" + s.name()));
    m.put("Image", s.image());
    m.put("ImageID", s.imageId());
    m.put("Command", String.join(" ", argv));
    m.put("Created", Instant.parse(s.created()).getEpochSecond());
    m.put("Ports", NetworkView.summaryPorts(r));
    m.put("Labels", s.labels());
    m.put("State", r.state().status());
    m.put("Status", status(r.state(), Instant.now()) + health(r.state()));
    m.put("HostConfig", Map.of("NetworkMode", NetworkView.mode(s)));
    m.put("NetworkSettings", Map.of("Networks", NetworkView.networks(r, false)));
    m.put("Mounts", mounts(s));
    return m;
  }

  /** Docker's Mounts: type, name and source, destination, RW. */
  static List<Map<String, Object>> mounts(ContainerSpec s) {
    return s.mounts().stream()
        .map(
            mt -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("Type", mt.type());
              if (mt.type().equals("volume")) {
                m.put("Name", mt.source());
                m.put("Driver", "local");
              } else {
                m.put("Source", mt.source());
              }
              m.put("Destination", mt.target());
              m.put(
                  "Mode",
                  (mt.readOnly() ? "ro" : "")
                      + (mt.propagation() == null
                          ? ""
                          : (mt.readOnly() ? "," : "") + mt.propagation()));
              m.put("RW", !mt.readOnly());
              m.put(
                  "Propagation",
                  !mt.type().equals("bind")
                      ? ""
                      : mt.propagation() == null ? "rprivate" : mt.propagation());
              return m;
            })
        .toList();
  }

  /** ps's health suffix: " (healthy)", " (unhealthy)", " (health: starting)". */
  static String health(ZoneState st) {
    if (st.health() == null || !st.running()) {
      return "";
    }
    return st.health().status().equals("starting")
        ? " (health: starting)"
        : " (" + st.health().status() + ")";
  }

  /** Docker's human status: "Up 3 seconds", "Exited (3) 2 minutes ago", "Created". */
  static String status(ZoneState st, Instant now) {
    return switch (st.status()) {
      case ZoneState.RUNNING -> "Up " + human(Duration.between(Instant.parse(st.startedAt()), now));
      case ZoneState.PAUSED ->
          "Up " + human(Duration.between(Instant.parse(st.startedAt()), now)) + " (Paused)";
      case ZoneState.RESTARTING ->
          "Restarting ("
              + st.exitCode()
              + ") "
              + human(Duration.between(Instant.parse(st.finishedAt()), now))
              + " ago";
      case ZoneState.EXITED ->
          "Exited ("
              + st.exitCode()
              + ") "
              + human(Duration.between(Instant.parse(st.finishedAt()), now))
              + " ago";
      case ZoneState.CREATED -> "Created";
      default -> st.status();
    };
  }

  /** Docker's go-units HumanDuration. */
  static String human(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 1) {
      return "Less than a second";
    } else if (s == 1) {
      return "1 second";
    } else if (s < 60) {
      return s + " seconds";
    }
    long min = s / 60;
    if (min == 1) {
      return "About a minute";
    } else if (min < 60) {
      return min + " minutes";
    }
    long h = Math.round(s / 3600.0);
    if (h == 1) {
      return "About an hour";
    } else if (h < 48) {
      return h + " hours";
    } else if (h < 24 * 7 * 2) {
      return h / 24 + " days";
    } else if (h < 24 * 30 * 2) {
      return h / 24 / 7 + " weeks";
    } else if (h < 24 * 365 * 2) {
      return h / 24 / 30 + " months";
    }
    return h / 24 / 365 + " years";
  }
}
