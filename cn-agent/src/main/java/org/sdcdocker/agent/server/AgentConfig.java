package org.sdcdocker.agent.server;

import java.nio.file.Path;

/**
 * How an agent runs: its data root, the programs it drives, the dockerinit it installs and the
 * host its data-plane endpoint listens on.
 */
public record AgentConfig(Path dataRoot, String runtime, String conmon, Path dockerinit, String streamHost) {}
