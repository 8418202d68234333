package org.sdcdocker.frontend.translate;

import org.sdcdocker.protocol.agent.ContainerSpec;

/**
 * A create request, translated: the zone's spec, whether the client chose its name (a drawn name
 * that is taken is drawn again), the container whose volumes it shares (or null), and what the
 * front end keeps for inspect.
 */
public record Creation(
    ContainerSpec spec, boolean nameChosen, VolumesFrom volumesFrom, SentConfig sent) {
  /** HostConfig.VolumesFrom's one entry: {@code container[:ro|:rw]}. */
  public record VolumesFrom(String container, boolean readOnly) {}
}
