package io.sagaorchestrator.orchestrator;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many sagas are running or compensating in this node's memory now: each saga entity counts
 * itself from its start (or its recovery, or an operator's retry) until it ends, parks or stops.
 * Admission control measures the node's load by it (docs/design.md §5).
 */
public final class RunningSagas {
  private final AtomicInteger count = new AtomicInteger();

  public int count() {
    return count.get();
  }

  void add() {
    count.incrementAndGet();
  }

  void remove() {
    count.decrementAndGet();
  }
}
