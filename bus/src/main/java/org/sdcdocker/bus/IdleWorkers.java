package org.sdcdocker.bus;

import io.vertx.core.spi.ExecutorServiceFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Vert.x's worker pools (its workers and its internal blocking pool) as pools whose threads end
 * once idle. Vert.x's own are fixed pools: a fixed pool makes a new thread for each task until it
 * is full, idle threads or not, and keeps them all. An agent that had started held its 20 workers
 * for good, each with about 90 KiB of stack resident (the interpreter touches the whole shadow zone
 * of a thread's stack at its first call): 2 MiB of an idle agent's memory for nothing.
 *
 * <p>Here a task goes to an idle thread if there is one, the one idle for the shortest time; else
 * to a new thread while fewer than the pool's size run; else it waits in a queue, in order, as in
 * Vert.x's pool. A thread idle for {@link #KEEP_ALIVE_NANOS} ends. Handing work to the most
 * recently idle thread matters: a pool that woke its longest-idle thread instead would pass a
 * trickle of small tasks (an agent's heartbeats) round all its threads and keep every one alive.
 *
 * <p>Vert.x finds this factory as a service provider (META-INF/services), in every role.
 */
public final class IdleWorkers implements ExecutorServiceFactory {
  /** How long an idle worker thread waits for work before it ends. */
  static final long KEEP_ALIVE_NANOS = TimeUnit.SECONDS.toNanos(10);

  @Override
  public ExecutorService createExecutor(
      ThreadFactory threadFactory, Integer concurrency, Integer maxConcurrency) {
    return new Pool(threadFactory, maxConcurrency, KEEP_ALIVE_NANOS);
  }

  /** The pool: at most {@code size} threads, made when needed, ended when idle. */
  static final class Pool extends AbstractExecutorService {
    private final ThreadFactory threads;
    private final int size;
    private final long keepAliveNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminated = lock.newCondition();
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    /** The idle threads, the most recently idle first. */
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();

    private final Set<Worker> workers = new HashSet<>();
    private boolean shutdown;

    Pool(ThreadFactory threads, int size, long keepAliveNanos) {
      if (size < 1) {
        throw new IllegalArgumentException("a pool of " + size + " threads");
      }
      this.threads = threads;
      this.size = size;
      this.keepAliveNanos = keepAliveNanos;
    }

    @Override
    public void execute(Runnable task) {
      if (task == null) {
        throw new NullPointerException();
      }
      Worker fresh = null;
      lock.lock();
      try {
        if (shutdown) {
          throw new RejectedExecutionException("the worker pool is shut down");
        }
        Worker w = idle.pollFirst();
        if (w != null) {
          w.next = task;
          w.wake.signal();
          return;
        }
        if (workers.size() < size) {
          fresh = new Worker(task);
          Thread t = threads.newThread(fresh);
          if (t == null) {
            throw new RejectedExecutionException("no thread for the worker pool");
          }
          fresh.thread = t;
          workers.add(fresh);
        } else {
          queue.addLast(task);
          return;
        }
      } finally {
        lock.unlock();
      }
      try {
        fresh.thread.start();
      } catch (Throwable e) {
        lock.lock();
        try {
          workers.remove(fresh);
          if (shutdown && workers.isEmpty()) {
            terminated.signalAll();
          }
        } finally {
          lock.unlock();
        }
        throw new RejectedExecutionException("the worker pool could not start a thread", e);
      }
    }

    /** The next task for {@code w}, or null once it has been idle too long or the pool ends. */
    private Runnable next(Worker w) {
      lock.lock();
      try {
        Runnable task = queue.pollFirst();
        if (task != null || shutdown) {
          if (task == null) {
            exit(w);
          }
          return task;
        }
        idle.addFirst(w);
        long wait = keepAliveNanos;
        while (w.next == null && !shutdown && wait > 0) {
          try {
            wait = w.wake.awaitNanos(wait);
          } catch (InterruptedException e) {
            // interrupted while idle: only shutdownNow does that, and it sets shutdown first
          }
        }
        task = w.next;
        w.next = null;
        if (task == null) {
          idle.remove(w);
          exit(w);
        }
        return task;
      } finally {
        lock.unlock();
      }
    }

    /** Under the lock. */
    private void exit(Worker w) {
      workers.remove(w);
      if (shutdown && workers.isEmpty()) {
        terminated.signalAll();
      }
    }

    private final class Worker implements Runnable {
      final Condition wake = lock.newCondition();
      Thread thread;
      Runnable next;
      private Runnable first;

      Worker(Runnable first) {
        this.first = first;
      }

      @Override
      public void run() {
        Runnable task = first;
        first = null;
        while (task != null) {
          try {
            task.run();
          } catch (Throwable e) {
            // a task's failure is its own (Vert.x's tasks report theirs); the thread goes on
            Thread.currentThread()
                .getUncaughtExceptionHandler()
                .uncaughtException(Thread.currentThread(), e);
          }
          Thread.interrupted(); // an interrupt meant for that task ends with it
          task = next(this);
        }
      }
    }

    @Override
    public void shutdown() {
      lock.lock();
      try {
        shutdown = true;
        for (Worker w : idle) {
          w.wake.signal();
        }
        idle.clear();
        if (workers.isEmpty()) {
          terminated.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public List<Runnable> shutdownNow() {
      lock.lock();
      try {
        shutdown();
        List<Runnable> left = new ArrayList<>(queue);
        queue.clear();
        for (Worker w : workers) {
          w.thread.interrupt();
        }
        return left;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean isShutdown() {
      lock.lock();
      try {
        return shutdown;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean isTerminated() {
      lock.lock();
      try {
        return shutdown && workers.isEmpty();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      long wait = unit.toNanos(timeout);
      lock.lock();
      try {
        while (!(shutdown && workers.isEmpty())) {
          if (wait <= 0) {
            return false;
          }
          wait = terminated.awaitNanos(wait);
        }
        return true;
      } finally {
        lock.unlock();
      }
    }

    /** Threads alive now (tests). */
    int threads() {
      lock.lock();
      try {
        return workers.size();
      } finally {
        lock.unlock();
      }
    }
  }
}
