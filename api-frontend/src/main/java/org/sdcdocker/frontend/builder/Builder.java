package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.frontend.image.PullTask;
import org.sdcdocker.protocol.DockerException;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.AgentRequests.CommitResult;
import org.sdcdocker.protocol.agent.LayerRef;
import org.sdcdocker.protocol.agent.ZoneRecord;

/**
 * The classic builder: each instruction of the Dockerfile in turn, each making an image whose
 * parent is the one before. RUN runs in a real container on a compute node and its changes are
 * committed as a layer; COPY and ADD extract their files into a container and commit them; the
 * other instructions change only the config (an empty layer). A step whose parent and config match
 * an image made before is taken from that image (the cache). Blocking: runs on a worker.
 *
 * <p>Why it is long: it holds the build's state (stages, args, cache keys) and the StepContext its
 * steps use; the steps themselves are RunStep, CopyStep and ConfigSteps.
 */
final class Builder implements StepContext {
  static final Set<String> PREDEFINED_ARGS =
      Set.of(
          "HTTP_PROXY",
          "http_proxy",
          "HTTPS_PROXY",
          "https_proxy",
          "FTP_PROXY",
          "ftp_proxy",
          "NO_PROXY",
          "no_proxy",
          "ALL_PROXY",
          "all_proxy");
  private static final String GZIP_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

  private final BuildHost host;
  private final ImageStore images;
  private final String account;
  private final BuildOptions opts;
  private final BuildContext context;
  private final Consumer<ObjectNode> out;
  private final BuildCancel cancel;
  private final List<Stage> stages = new ArrayList<>();
  private final Map<String, String> globalArgs = new LinkedHashMap<>();
  private final Set<String> usedArgs = new LinkedHashSet<>();
  private char escape = '\\';
  private Stage stage;

  /** One stage of a multi-stage build: from its FROM to the next. */
  static final class Stage {
    final String name;
    final int index;
    ObjectNode config;
    ImageRecord image;
    boolean cmdSet;
    final Map<String, String> args = new LinkedHashMap<>();

    Stage(String name, int index) {
      this.name = name;
      this.index = index;
    }

    ObjectNode run() {
      return (ObjectNode) config.get("config");
    }
  }

  Builder(
      BuildHost host,
      ImageStore images,
      String account,
      BuildOptions opts,
      BuildContext context,
      Consumer<ObjectNode> out,
      BuildCancel cancel) {
    this.host = host;
    this.images = images;
    this.account = account;
    this.opts = opts;
    this.context = context;
    this.out = out;
    this.cancel = cancel;
  }

  /** Runs the build; the final image. */
  ImageRecord build(String dockerfileText) throws IOException {
    Dockerfile df = Dockerfile.parse(dockerfileText);
    escape = df.escape();
    List<Dockerfile.Instruction> steps = new ArrayList<>(df.instructions());
    if (!opts.labels().isEmpty()) { // as Docker: --label is one more LABEL at the end
      StringBuilder b = new StringBuilder("LABEL");
      opts.labels()
          .forEach(
              (k, v) -> b.append(' ').append(Json.encode(k)).append('=').append(Json.encode(v)));
      steps.add(Dockerfile.instruction(b.toString(), 0));
    }
    int last = steps.size();
    if (opts.target() != null && !opts.target().isEmpty()) {
      last = targetEnd(steps, opts.target());
    }
    if (steps.stream().noneMatch(i -> i.keyword().equals("FROM"))) {
      throw DockerException.invalid("no build stage in current context");
    }
    for (int i = 0; i < last; i++) {
      Dockerfile.Instruction in = steps.get(i);
      stream(String.format("Step %d/%d : %s%n", i + 1, last, in.original()));
      if (stage == null && !in.keyword().equals("FROM") && !in.keyword().equals("ARG")) {
        throw DockerException.invalid(
            "Please provide a source image with `from` prior to %s",
            in.keyword().toLowerCase(Locale.ROOT));
      }
      dispatch(in);
    }
    Set<String> unused = new LinkedHashSet<>(opts.buildArgs().keySet());
    unused.removeAll(usedArgs);
    unused.removeAll(PREDEFINED_ARGS);
    if (!unused.isEmpty()) {
      stream("[Warning] One or more build-args " + unused + " were not consumed\n");
    }
    return ensureImage(stage);
  }

  /** The number of steps up to the end of the stage named {@code target}. */
  private static int targetEnd(List<Dockerfile.Instruction> steps, String target) {
    boolean in = false;
    for (int i = 0; i < steps.size(); i++) {
      Dockerfile.Instruction s = steps.get(i);
      if (s.keyword().equals("FROM")) {
        if (in) {
          return i;
        }
        String[] w = s.args().split("\\s+");
        in = w.length == 3 && w[1].equalsIgnoreCase("AS") && w[2].equalsIgnoreCase(target);
      }
    }
    if (!in) {
      throw DockerException.invalid("failed to reach build target %s in Dockerfile", target);
    }
    return steps.size();
  }

  private void dispatch(Dockerfile.Instruction in) throws IOException {
    switch (in.keyword()) {
      case "FROM" -> from(in);
      case "ARG" -> arg(in);
      case "RUN" -> new RunStep(this, in).run();
      case "COPY", "ADD" -> new CopyStep(this, in).run();
      default -> ConfigSteps.apply(this, in);
    }
  }

  // ---- FROM and ARG

  private void from(Dockerfile.Instruction in) throws IOException {
    List<String> w = ShellWords.words(in.args(), globalArgs, escape);
    if (w.isEmpty()
        || w.size() == 2
        || w.size() > 3
        || w.size() == 3 && !w.get(1).equalsIgnoreCase("AS")) {
      throw DockerException.invalid("FROM requires either one or three arguments");
    }
    String base = w.get(0);
    String name = w.size() == 3 ? w.get(2).toLowerCase(Locale.ROOT) : null;
    Stage s = new Stage(name, stages.size());
    Stage earlier = stageNamed(base);
    if (earlier != null) {
      s.image = ensureImage(earlier);
      s.config = earlier.config.deepCopy();
    } else if (base.equals("scratch")) {
      s.config = scratchConfig();
    } else {
      s.image =
          host.image(
              base,
              p -> {
                if (!opts.quiet()) {
                  out.accept(p);
                }
              });
      s.config = ((ObjectNode) images.config(s.image)).deepCopy();
      if (!s.config.path("config").isObject()) {
        s.config.putObject("config");
      }
    }
    stages.add(s);
    stage = s;
    stream(" ---> " + (s.image == null ? "" : shortId(s.image.id())) + "\n");
    JsonNode onBuild = s.run().path("OnBuild");
    if (onBuild.isArray() && !onBuild.isEmpty()) {
      s.run().putNull("OnBuild");
      stream(
          String.format(
              "# Executing %d build trigger%s%n", onBuild.size(), onBuild.size() == 1 ? "" : "s"));
      for (JsonNode t : onBuild) {
        dispatch(Dockerfile.instruction(t.asText(), in.line()));
      }
    }
  }

  private Stage stageNamed(String ref) {
    for (Stage s : stages) {
      if (s.name != null && s.name.equalsIgnoreCase(ref)) {
        return s;
      }
    }
    return null;
  }

  /** COPY --from's stage by name or index; null when it names an image. */
  @Override
  public Stage stageForCopy(String ref) {
    Stage s = stageNamed(ref);
    if (s == null && ref.matches("[0-9]+")) {
      int i = Integer.parseInt(ref);
      if (i >= stages.size() - 1) {
        throw DockerException.invalid(
            "invalid from flag value %s: refers to current build stage", ref);
      }
      s = stages.get(i);
    }
    return s;
  }

  private static ObjectNode scratchConfig() {
    ObjectNode c = Json.MAPPER.createObjectNode();
    c.put("architecture", PullTask.architecture()).put("os", "linux");
    ObjectNode rc = c.putObject("config");
    rc.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    c.putObject("rootfs").put("type", "layers").putArray("diff_ids");
    c.putArray("history");
    return c;
  }

  private void arg(Dockerfile.Instruction in) throws IOException {
    Map<String, String> env = stage == null ? globalArgs : expansionEnv();
    for (String w : ShellWords.words(in.args(), env, escape)) {
      int eq = w.indexOf('=');
      String name = eq < 0 ? w : w.substring(0, eq);
      String value =
          opts.buildArgs().containsKey(name)
              ? opts.buildArgs().get(name)
              : eq >= 0 ? w.substring(eq + 1) : stage != null ? globalArgs.get(name) : null;
      usedArgs.add(name);
      if (stage == null) {
        globalArgs.put(name, value == null ? "" : value);
      } else {
        stage.args.put(name, value);
      }
    }
    if (stage != null) {
      ConfigSteps.nop(this, "ARG " + in.args(), stage.run().deepCopy());
    }
  }

  /**
   * A step's container: from the image so far, its user and workdir, no entrypoint, no health
   * check.
   */
  @Override
  public ObjectNode containerBody(ImageRecord base, List<String> cmd) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("Image", base.id());
    ArrayNode c = body.putArray("Cmd");
    cmd.forEach(c::add);
    body.putArray("Entrypoint");
    body.put("WorkingDir", stage.run().path("WorkingDir").asText(""));
    body.put("User", stage.run().path("User").asText(""));
    body.putObject("Healthcheck").putArray("Test").add("NONE");
    ObjectNode hc = body.putObject("HostConfig");
    if (opts.networkMode() != null
        && !opts.networkMode().isEmpty()
        && !opts.networkMode().equals("default")) {
      hc.put("NetworkMode", opts.networkMode());
    }
    hc.setAll(opts.stepHost()); // -m, --cpu-*, --shm-size, --ulimit, --add-host of docker build
    return body;
  }

  // ---- images of steps

  /** The shell of RUN and of shell-form commands: SHELL's, or /bin/sh -c. */
  @Override
  public List<String> shell() {
    JsonNode s = stage.run().path("Shell");
    if (s.isArray() && !s.isEmpty()) {
      List<String> out = new ArrayList<>();
      s.forEach(x -> out.add(x.asText()));
      return out;
    }
    return List.of("/bin/sh", "-c");
  }

  /** Variables for expansion: the stage's build args, overridden by its env. */
  @Override
  public Map<String, String> expansionEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    stage.args.forEach((k, v) -> env.put(k, v == null ? "" : v));
    for (JsonNode e : stage.run().path("Env")) {
      String s = e.asText();
      int eq = s.indexOf('=');
      env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
    }
    return env;
  }

  /**
   * Takes the step from the cache when an image of the account has the current image as parent and
   * was made by the same step with the same config; says so, as Docker.
   */
  @Override
  public boolean useCache(List<String> cacheCmd, ObjectNode runConfig) throws IOException {
    if (opts.noCache()) {
      return false;
    }
    ObjectNode wanted = runConfig.deepCopy();
    ArrayNode c = wanted.putArray("Cmd");
    cacheCmd.forEach(c::add);
    String parent = ensureImage(stage).id();
    Set<String> allowed = cacheSources();
    for (ImageRecord img : images.list(account)) {
      if (!parent.equals(img.parent()) || allowed != null && !allowed.contains(img.id())) {
        continue;
      }
      JsonNode cfg = images.config(img);
      if (wanted.equals(cfg.path("container_config"))) {
        stage.image = img;
        stage.config = ((ObjectNode) cfg).deepCopy();
        stream(" ---> Using cache\n");
        stream(" ---> " + shortId(img.id()) + "\n");
        return true;
      }
    }
    return false;
  }

  /**
   * With {@code cache_from}, the images a step may take from the cache, as Docker's classic
   * builder: those named and their parents, nothing else; null (any image of the account) without.
   */
  private Set<String> cacheSources() {
    if (opts.cacheFrom().isEmpty()) {
      return null;
    }
    Set<String> ids = new HashSet<>();
    for (String name : opts.cacheFrom()) {
      Optional<ImageRecord> img;
      try {
        img = images.find(account, name);
      } catch (RuntimeException notAReference) {
        continue; // a cache source that is not there is no source, as Docker's
      }
      for (ImageRecord i = img.orElse(null); i != null && ids.add(i.id()); ) {
        String p = i.parent();
        i = p == null || p.isEmpty() ? null : images.find(account, p).orElse(null);
      }
    }
    return ids;
  }

  /**
   * Makes the step's image: the stage's config with {@code runConfig}, a history entry, the layer's
   * diff id when there is one; its parent is the image so far.
   */
  @Override
  public void commit(
      String createdBy,
      List<String> cacheCmd,
      ObjectNode runConfig,
      CommitResult layer,
      String container)
      throws IOException {
    ObjectNode cfg = stage.config.deepCopy();
    String now = Instant.now().toString();
    cfg.put("created", now);
    cfg.set("config", runConfig);
    ObjectNode cc = runConfig.deepCopy();
    ArrayNode c = cc.putArray("Cmd");
    cacheCmd.forEach(c::add);
    cfg.set("container_config", cc);
    if (container != null) {
      cfg.put("container", container);
    } else {
      cfg.remove("container");
    }
    ArrayNode history =
        cfg.has("history") && cfg.get("history").isArray()
            ? (ArrayNode) cfg.get("history")
            : cfg.putArray("history");
    ObjectNode h = history.addObject().put("created", now).put("created_by", createdBy);
    List<LayerRef> layers = new ArrayList<>(stage.image == null ? List.of() : stage.image.layers());
    long size = stage.image == null ? 0 : stage.image.size();
    if (layer == null) {
      h.put("empty_layer", true);
    } else {
      ObjectNode rootfs =
          cfg.has("rootfs") && cfg.get("rootfs").isObject()
              ? (ObjectNode) cfg.get("rootfs")
              : cfg.putObject("rootfs").put("type", "layers");
      (rootfs.has("diff_ids") ? (ArrayNode) rootfs.get("diff_ids") : rootfs.putArray("diff_ids"))
          .add(layer.diffId());
      layers.add(new LayerRef(layer.digest(), GZIP_LAYER, layer.size()));
      size += layer.size();
    }
    stage.image =
        images.addMade(
            account, cfg, layers, size, now, stage.image == null ? null : stage.image.id());
    stage.config = cfg;
  }

  /** What a files step does in its container before the container's changes are committed. */
  interface FilesWork {
    /** Writes the step's files into the container. */
    void in(ZoneRecord c) throws IOException;
  }

  /**
   * A step that writes files (COPY, ADD, WORKDIR): a container of the image so far that is never
   * started (the image's VOLUMEs not mounted in it), {@code work} done in it, its changes committed
   * as the step's layer, the container removed as --rm and --force-rm say.
   */
  @Override
  public void filesStep(List<String> cmd, ObjectNode rc, FilesWork work) throws IOException {
    ZoneRecord c = host.create(containerBody(ensureImage(stage), cmd), false);
    boolean ok = false;
    try {
      work.in(c);
      commit(String.join(" ", cmd), cmd, rc, host.commit(c), c.spec().id());
      ok = true;
    } finally {
      if (ok ? opts.remove() : opts.forceRemove() || cancel.cancelled()) {
        host.remove(c);
      }
    }
    stream(" ---> " + shortId(stage.image.id()) + "\n");
  }

  /** The stage's image; a stage that is still bare scratch gets one with no layers. */
  @Override
  public ImageRecord ensureImage(Stage s) throws IOException {
    if (s.image == null) {
      s.image = images.addMade(account, s.config, List.of(), 0, Instant.now().toString(), null);
    }
    return s.image;
  }

  @Override
  public BuildCancel cancel() {
    return cancel;
  }

  @Override
  public void stream(String text) {
    if (!opts.quiet() || text.startsWith("[Warning]")) {
      out.accept(Json.MAPPER.createObjectNode().put("stream", text));
    }
  }

  static String shortId(String id) {
    return id.substring(7, 19);
  }

  // ---- what the steps share

  @Override
  public Stage stage() {
    return stage;
  }

  /** A build arg was used (no "not consumed" warning for it). */
  @Override
  public void used(String arg) {
    usedArgs.add(arg);
  }

  @Override
  public BuildHost host() {
    return host;
  }

  @Override
  public BuildContext context() {
    return context;
  }

  @Override
  public BuildOptions options() {
    return opts;
  }

  @Override
  public char escape() {
    return escape;
  }

  @Override
  public ImageStore images() {
    return images;
  }

  String account() {
    return account;
  }
}
