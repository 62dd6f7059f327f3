package io.sagaorchestrator.bench;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The run's retries and reserve long polls. A cancelled timer is removed at once, so it and its
 * order do not stay reachable until it would have fired (the client shares the node's heap).
 */
final class FollowTimers implements AutoCloseable {
  /** A node that failed to answer is asked again after this pause. */
  private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

  private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("bench-timer"));

  FollowTimers() {
    executor.setRemoveOnCancelPolicy(true);
  }

  /** Null once the run is over (it gave up waiting): nothing more is sent then. */
  ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    try {
      return executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  void retryLater(Runnable request) {
    schedule(request, RETRY_PAUSE);
  }

  /**
   * A placement the node refused at capacity is sent again as a well-behaved client would: after
   * its {@code Retry-After}, doubled for each refusal before it (up to 8×), with jitter so that the
   * refused do not all return at once.
   */
  void retryAfterRefusal(Runnable request, Duration retryAfter, int refusalsBefore) {
    long base = retryAfter.toMillis() << Math.min(3, refusalsBefore);
    schedule(request, Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base)));
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
