package io.sagaorchestrator.infra.http;

import io.sagaorchestrator.orchestrator.AskFailures;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Repeats an idempotent ask that timed out (or got an answer worth asking again). While a shard
 * is handed over to another node, Cluster Sharding drops the messages it had buffered for it;
 * asking again reaches the shard at its new home.
 */
public final class IdempotentAsk {
  private IdempotentAsk() {}

  public static <T> CompletionStage<T> retrying(int attempts, Supplier<CompletionStage<T>> ask, Predicate<T> askAgain) {
    return ask.get().handle((reply, error) -> {
      boolean retry = attempts > 1 && (error != null ? AskFailures.isTimeout(error) : askAgain.test(reply));
      if (retry) return retrying(attempts - 1, ask, askAgain);
      return error != null ? CompletableFuture.<T>failedFuture(AskFailures.unwrap(error)) : CompletableFuture.completedFuture(reply);
    }).thenCompose(next -> next);
  }

  public static <T> CompletionStage<T> retrying(int attempts, Supplier<CompletionStage<T>> ask) {
    return retrying(attempts, ask, reply -> false);
  }
}
