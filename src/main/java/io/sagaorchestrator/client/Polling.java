package io.sagaorchestrator.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Asks again after a pause until an answer is the one wanted or a deadline passes. The pause is a
 * delayed task, so no thread waits in between.
 */
public final class Polling {
  private Polling() {}

  /** Completes with the first wanted answer, or with the last one when the deadline has passed. */
  public static <T> CompletableFuture<T> until(Supplier<? extends CompletionStage<T>> attempt, Predicate<? super T> wanted,
      Duration pause, Duration deadline) {
    long deadlineNanos = System.nanoTime() + deadline.toNanos();
    return next(attempt, answer -> wanted.test(answer) || System.nanoTime() - deadlineNanos >= 0, pause);
  }

  /** Completes with the first wanted answer; {@code wanted} must bound the attempts itself. */
  public static <T> CompletableFuture<T> until(Supplier<? extends CompletionStage<T>> attempt, Predicate<? super T> wanted, Duration pause) {
    return next(attempt, wanted, pause);
  }

  private static <T> CompletableFuture<T> next(Supplier<? extends CompletionStage<T>> attempt, Predicate<? super T> done, Duration pause) {
    return attempt.get().toCompletableFuture().thenCompose(answer -> {
      if (done.test(answer)) return CompletableFuture.completedFuture(answer);
      Executor later = CompletableFuture.delayedExecutor(pause.toMillis(), TimeUnit.MILLISECONDS);
      return CompletableFuture.runAsync(() -> {}, later).thenCompose(paused -> next(attempt, done, pause));
    });
  }
}
