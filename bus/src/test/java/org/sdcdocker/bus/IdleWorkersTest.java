package org.sdcdocker.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdleWorkersTest {
  private static final long KEEP_ALIVE = TimeUnit.MILLISECONDS.toNanos(100);
  private final IdleWorkers.Pool pool =
      new IdleWorkers.Pool(r -> Daemons.thread(r, "test-worker"), 3, KEEP_ALIVE);

  @AfterEach
  void close() throws Exception {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Waits, at most 10 s, for {@code done}. */
  private static boolean eventually(BooleanSupplier done) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      if (done.getAsBoolean()) {
        return true;
      }
      Thread.sleep(10);
    }
    return done.getAsBoolean();
  }

  /** A task that waits until {@code release} opens (10 s at most). */
  private static Runnable waitingFor(CountDownLatch release) {
    return () -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Test
  void atMostItsSizeRunAtOnce_andTheOthersWaitInOrder() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<Integer> order = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(8);
    for (int i = 0; i < 8; i++) {
      int n = i;
      pool.execute(
          () -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            waitingFor(release).run();
            synchronized (order) {
              order.add(n);
            }
            running.decrementAndGet();
            done.countDown();
          });
    }
    assertThat(eventually(() -> running.get() == 3)).isTrue();
    assertThat(pool.threads()).isEqualTo(3);
    release.countDown();
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(most.get()).isEqualTo(3);
    assertThat(order).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);

    // with one thread, what waits runs in the order it came
    IdleWorkers.Pool one = new IdleWorkers.Pool(r -> Daemons.thread(r, "w"), 1, KEEP_ALIVE);
    List<Integer> ran = new ArrayList<>();
    CountDownLatch all = new CountDownLatch(20);
    for (int i = 0; i < 20; i++) {
      int n = i;
      one.execute(
          () -> {
            ran.add(n);
            all.countDown();
          });
    }
    assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
    one.shutdown();
    assertThat(one.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    synchronized (ran) {
      assertThat(ran).isEqualTo(IntStream.range(0, 20).boxed().toList());
    }
  }

  @Test
  void idleThreadsEnd_andATrickleOfTasksKeepsOneThread() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < 3; i++) {
      pool.execute(waitingFor(release));
    }
    assertThat(pool.threads()).isEqualTo(3);
    release.countDown();
    // a small task every 10 ms, a tenth of the keep-alive: the most recently idle thread takes
    // each, so the two others end while the trickle goes on (a pool that woke its longest-idle
    // thread would keep all three)
    AtomicInteger ran = new AtomicInteger();
    int sent = 0;
    while (sent < 500 && (sent < 5 || pool.threads() > 1)) {
      pool.execute(ran::incrementAndGet);
      sent++;
      Thread.sleep(10);
    }
    assertThat(pool.threads()).isLessThanOrEqualTo(1);
    int all = sent;
    assertThat(eventually(() -> ran.get() == all)).isTrue();
    // and once no task comes, the last one ends too; the next task makes a thread again
    assertThat(eventually(() -> pool.threads() == 0)).isTrue();
    CountDownLatch again = new CountDownLatch(1);
    pool.execute(again::countDown);
    assertThat(again.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aFailingTaskLeavesItsThreadServing() throws Exception {
    pool.execute(
        () -> {
          throw new IllegalStateException("a task's own failure");
        });
    CountDownLatch next = new CountDownLatch(1);
    pool.execute(next::countDown);
    assertThat(next.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownRunsWhatWasQueued_shutdownNowHandsItBack() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < 3; i++) {
      pool.execute(waitingFor(release));
    }
    Runnable queued = () -> {};
    pool.execute(queued);
    List<Runnable> left = pool.shutdownNow();
    assertThat(left).containsExactly(queued);
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(pool.isTerminated()).isTrue();
    assertThatThrownBy(() -> pool.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);

    IdleWorkers.Pool other = new IdleWorkers.Pool(r -> Daemons.thread(r, "w"), 1, KEEP_ALIVE);
    CountDownLatch hold = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    other.execute(waitingFor(hold));
    other.execute(ran::incrementAndGet);
    other.shutdown();
    assertThat(other.isShutdown()).isTrue();
    hold.countDown();
    assertThat(other.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran.get()).isEqualTo(1);
  }

  @Test
  void vertxRunsItsBlockingWorkOnThesePools() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      StackTraceElement[] stack =
          vertx
              .executeBlocking(() -> Thread.currentThread().getStackTrace())
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      assertThat(Arrays.stream(stack).map(StackTraceElement::getClassName))
          .contains(IdleWorkers.Pool.class.getName() + "$Worker");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
