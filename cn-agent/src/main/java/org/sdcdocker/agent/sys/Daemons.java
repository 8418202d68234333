package org.sdcdocker.agent.sys;

import java.util.concurrent.ThreadFactory;

/**
 * The agent's background threads: named, and daemons, so they never keep a stopping agent alive.
 */
public final class Daemons {
  private Daemons() {}

  /** A factory of daemon threads called {@code name}. */
  public static ThreadFactory named(String name) {
    return r -> thread(r, name);
  }

  /** A daemon thread, not started. */
  public static Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
