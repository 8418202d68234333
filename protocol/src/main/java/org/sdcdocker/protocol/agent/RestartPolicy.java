package org.sdcdocker.protocol.agent;

/**
 * A zone's restart policy: no, always, unless-stopped or on-failure with an optional maximum count
 * of retries (0 for none).
 */
public record RestartPolicy(String name, int maximumRetryCount) {
  public static final RestartPolicy NO = new RestartPolicy("no", 0);

  public RestartPolicy {
    name = name == null || name.isEmpty() ? "no" : name;
  }

  /** Whether a run that ended with this code, and restartCount restarts so far, starts again. */
  public boolean restartsAfter(int exitCode, int restartCount, boolean manuallyStopped) {
    if (manuallyStopped) {
      return false;
    }
    return switch (name) {
      case "always", "unless-stopped" -> true;
      case "on-failure" ->
          exitCode != 0 && (maximumRetryCount <= 0 || restartCount < maximumRetryCount);
      default -> false;
    };
  }

  /** Whether a zone that was running when its compute node went down comes back at boot. */
  public boolean startsAtBoot(int exitCode, int restartCount) {
    return switch (name) {
      case "always", "unless-stopped" -> true;
      case "on-failure" ->
          exitCode != 0 && (maximumRetryCount <= 0 || restartCount < maximumRetryCount);
      default -> false;
    };
  }

  /** The wait before the next automatic start: 100 ms × 2^count, at most a minute. */
  public static long delayMillis(int restartCount) {
    return Math.min(100L << Math.min(restartCount, 20), 60_000L);
  }
}
