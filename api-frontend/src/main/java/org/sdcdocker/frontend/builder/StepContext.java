package org.sdcdocker.frontend.builder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.sdcdocker.frontend.image.ImageRecord;
import org.sdcdocker.frontend.image.ImageStore;
import org.sdcdocker.protocol.agent.AgentRequests.CommitResult;

/**
 * What a build step sees of its build: the stage so far, the build's context and options, the
 * containers and images it uses, and the ways a step ends (cached, committed). The builder is the
 * one implementation; steps get nothing else of it.
 */
interface StepContext {
  /** The stage the step belongs to. */
  Builder.Stage stage();

  /** An earlier stage (by name or index) or null, for COPY --from. */
  Builder.Stage stageForCopy(String ref);

  /** The stage's image, committed from its config when the stage changed only that. */
  ImageRecord ensureImage(Builder.Stage s) throws IOException;

  /** The body of a create for a step's container from {@code base}, running {@code cmd}. */
  ObjectNode containerBody(ImageRecord base, List<String> cmd);

  /** The SHELL of the stage. */
  List<String> shell();

  /** The variables a step's words are expanded with (ARG and ENV). */
  Map<String, String> expansionEnv();

  /** Records that a build argument was used. */
  void used(String arg);

  /** The Dockerfile's escape character. */
  char escape();

  /**
   * Whether an image made from the stage with this command and config exists (then the stage is
   * it).
   */
  boolean useCache(List<String> cacheCmd, ObjectNode runConfig) throws IOException;

  /** Makes the step's image from a container's layer; its parent is the image so far. */
  void commit(
      String createdBy,
      List<String> cacheCmd,
      ObjectNode runConfig,
      CommitResult layer,
      String container)
      throws IOException;

  /**
   * A step that writes files (COPY, ADD, WORKDIR): a container made, written, committed, removed.
   */
  void filesStep(List<String> cmd, ObjectNode rc, Builder.FilesWork work) throws IOException;

  /** Writes a line to the client's build output. */
  void stream(String text);

  BuildCancel cancel();

  BuildHost host();

  BuildContext context();

  BuildOptions options();

  ImageStore images();
}
