package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.agent.AgentRequests.CommitResult;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * RUN: the command (exec form, or under the stage's shell) in a container of the image so far, with
 * the stage's build args in its environment; its output streamed; a non-zero exit fails the build
 * with Docker's message; its changes committed as the step's layer. The cache key is the command
 * with the build args in effect ({@code |N k=v ...}), as Docker's.
 */
final class RunStep {
  private final StepContext b;
  private final Dockerfile.Instruction in;

  RunStep(StepContext b, Dockerfile.Instruction in) {
    this.b = b;
    this.in = in;
  }

  void run() throws IOException {
    for (String f : in.flags().keySet()) {
      throw DockerException.invalid("the --%s option requires BuildKit", f);
    }
    List<String> argv = new ArrayList<>();
    if (in.jsonForm()) {
      argv.addAll(in.json());
    } else {
      argv.addAll(b.shell());
      argv.add(in.args());
    }
    Map<String, String> args = runArgs();
    List<String> cacheCmd = new ArrayList<>();
    if (!args.isEmpty()) {
      cacheCmd.add("|" + args.size());
      args.forEach((k, v) -> cacheCmd.add(k + "=" + v));
    }
    cacheCmd.addAll(argv);
    ObjectNode runConfig = b.stage().run().deepCopy();
    if (b.useCache(cacheCmd, runConfig)) {
      return;
    }
    ImageRecord base = b.ensureImage(b.stage());
    ObjectNode body = b.containerBody(base, argv);
    ArrayNode env = body.putArray("Env");
    b.stage().run().path("Env").forEach(env::add);
    args.forEach(
        (k, v) -> {
          if (envValue(k) == null) {
            env.add(k + "=" + v);
          }
        });
    ZoneRecord c =
        b.host().create(body, true); // RUN: changes under a VOLUME are discarded, as Docker's
    b.stream(" ---> Running in " + Builder.shortId(c.spec().id()) + "\n");
    boolean ok = false;
    try {
      b.cancel()
          .onCancel(() -> b.host().kill(c)); // a client gone: the step ends now, not when it would
      try (InputStream frames = b.host().startAndFollow(c)) {
        relay(frames);
      } finally {
        b.cancel().clear();
      }
      if (b.cancel().cancelled()) {
        throw DockerException.internal("the client went away: build cancelled");
      }
      ZoneRecord end = b.host().waitExit(c);
      int code = end.state().exitCode();
      if (code != 0) {
        throw DockerException.internal(
            "The command '%s' returned a non-zero code: %d",
            String.join(" ", cacheCmd.stream().filter(s -> !s.startsWith("|")).toList()), code);
      }
      CommitResult layer = b.host().commit(c);
      b.commit(String.join(" ", cacheCmd), cacheCmd, runConfig, layer, c.spec().id());
      ok = true;
    } finally {
      if (ok ? b.options().remove() : b.options().forceRemove() || b.cancel().cancelled()) {
        b.host().remove(c);
        if (ok) {
          b.stream("Removing intermediate container " + Builder.shortId(c.spec().id()) + "\n");
        }
      }
    }
    b.stream(" ---> " + Builder.shortId(b.stage().image.id()) + "\n");
  }

  /** The step's output: Docker's framed stream, relayed as the build's "stream" messages. */
  private void relay(InputStream frames) throws IOException {
    byte[] head = new byte[8];
    while (frames.readNBytes(head, 0, 8) == 8) {
      int len =
          ((head[4] & 0xff) << 24)
              | ((head[5] & 0xff) << 16)
              | ((head[6] & 0xff) << 8)
              | (head[7] & 0xff);
      byte[] data = frames.readNBytes(len);
      if (!b.options().quiet()) {
        String text = new String(data, StandardCharsets.UTF_8);
        // as Docker's classic builder: a step's stderr is shown in red
        b.stream(head[0] == 2 ? "\u001b[91m" + text + "\u001b[0m" : text);
      }
    }
  }

  /** The build args in effect for RUN: those declared in the stage that have a value. */
  private Map<String, String> runArgs() {
    Map<String, String> out = new TreeMap<>();
    b.stage()
        .args
        .forEach(
            (k, v) -> {
              if (v != null) {
                out.put(k, v);
              }
            });
    b.options()
        .buildArgs()
        .forEach(
            (k, v) -> {
              if (Builder.PREDEFINED_ARGS.contains(k) && v != null) {
                out.put(k, v);
                b.used(k);
              }
            });
    return out;
  }

  private String envValue(String name) {
    for (JsonNode e : b.stage().run().path("Env")) {
      if (e.asText().startsWith(name + "=")) {
        return e.asText().substring(name.length() + 1);
      }
    }
    return null;
  }
}
