package org.sdcdocker.protocol.agent;

import java.util.List;
import java.util.Map;

/**
 * What front ends tell each other: the Docker events they cause themselves (a kill, a pull, a tag;
 * those of containers come from the agents to every front end already), and the events a starting
 * front end copies from a running one.
 */
public final class FrontendEvents {
  private FrontendEvents() {}

  /** Published on {@link Addresses#FRONTEND_EVENTS}: one event, in Docker's terms. */
  public record DockerEvent(
      String account,
      String type,
      String action,
      String actorId,
      Map<String, String> attributes,
      long timeNano) {
    public DockerEvent {
      attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
  }

  /**
   * Published on {@link Addresses#FRONTEND_IMAGES}: a change of the image records a front end made
   * (pull, load, import, commit, build, tag, untag, removal), for the others to make too. {@code
   * kind}: add (the image, and {@code repoTag} when it was tagged), tag, untag, disown, delete. The
   * blobs of an added image are fetched from {@code blobSource}. {@code seq}: the change's number
   * at its origin (1, 2, ...; 0 in a copy of a front end's state), which each other front end's
   * {@link ImageCopied} names once it made the change.
   */
  public record ImageChange(
      String origin,
      String blobSource,
      String kind,
      String account,
      String imageId,
      List<LayerRef> layers,
      List<String> repoDigests,
      long size,
      String created,
      String parent,
      String repoTag,
      long seq) {
    public ImageChange {
      layers = layers == null ? List.of() : List.copyOf(layers);
      repoDigests = repoDigests == null ? List.of() : List.copyOf(repoDigests);
    }
  }

  /**
   * Published on {@link Addresses#FRONTEND_EXECS}: an exec instance a front end made, so that any
   * front end can start, resize and inspect it.
   */
  public record ExecCreated(
      String execId,
      String account,
      String containerId,
      String cnUuid,
      String command,
      boolean tty,
      boolean stdin,
      String detachKeys) {}

  /**
   * Published on {@link Addresses#FRONTEND_IMAGE_COPIES}: front end {@code by} made change {@code
   * seq} of front end {@code origin} (for an add: holds a copy of the image and its blobs); or,
   * with no origin, a beat: {@code by} is there.
   */
  public record ImageCopied(String origin, long seq, String by) {}

  /** Asked on {@link Addresses#FRONTEND_IMAGE_STATE}: every image record a front end has. */
  public record ImageStateRequest() {}

  /** The answer: each image as an add (with no tag), then each account's tags and images. */
  public record ImageState(
      String blobSource,
      List<ImageChange> images,
      Map<String, Map<String, String>> tags,
      Map<String, List<String>> owned) {
    public ImageState {
      images = images == null ? List.of() : List.copyOf(images);
      tags = tags == null ? Map.of() : Map.copyOf(tags);
      owned = owned == null ? Map.of() : Map.copyOf(owned);
    }
  }

  /** Asked on {@link Addresses#FRONTEND_EVENT_HISTORY}: the events a front end keeps. */
  public record HistoryRequest() {}

  /** The answer: the kept events, oldest first. */
  public record History(List<DockerEvent> events) {
    public History {
      events = events == null ? List.of() : List.copyOf(events);
    }
  }
}
