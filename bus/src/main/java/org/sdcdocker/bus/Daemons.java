package org.sdcdocker.bus;

import java.util.concurrent.ThreadFactory;

/**
 * Background threads of the agent and the front end: named, and daemons, so they never keep a
 * stopping process alive.
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
