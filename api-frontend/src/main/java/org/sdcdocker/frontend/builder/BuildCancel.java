package org.sdcdocker.frontend.builder;

/**
 * A build's cancellation, set when its client goes away: the running step is told at once (its
 * container is killed), the build stops at its next message.
 */
public final class BuildCancel {
  private volatile boolean cancelled;
  private volatile Runnable hook = () -> {};

  /** The client went away. */
  public void cancel() {
    cancelled = true;
    hook.run();
  }

  public boolean cancelled() {
    return cancelled;
  }

  /** What the running step does on a cancel (run now if the build is cancelled already). */
  void onCancel(Runnable r) {
    hook = r;
    if (cancelled) {
      r.run();
    }
  }

  void clear() {
    hook = () -> {};
  }
}
