package io.sagaorchestrator.bench;

import io.sagaorchestrator.client.NodeClient;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Follows an order by long polls: {@code GET /orders/{id}?waitMs=…} (a saga: {@code GET
 * /sagas/{id}?waitMs=…}), which the node answers as soon as it has ended (or its saga parked), or
 * when the wait is up; then it asks again.
 */
final class PollFollower implements OrderFollower {
  /** How much longer than the wait the client gives the node to answer. */
  private static final Duration ANSWER_GRACE = Duration.ofSeconds(30);

  private final Workload workload;
  private final OpenOrders orders;
  private final FollowTimers timers;
  private final LoadMetrics metrics;
  private final ProgressLog log;
  private final Duration wait;

  PollFollower(Workload workload, OpenOrders orders, FollowTimers timers, LoadMetrics metrics, ProgressLog log, Duration wait) {
    this.workload = workload;
    this.orders = orders;
    this.timers = timers;
    this.metrics = metrics;
    this.log = log;
    this.wait = wait;
  }

  @Override
  public void follow(TrackedOrder order) {
    if (!orders.isOpen(order)) return;
    if (orders.expired(order)) {
      orders.finish(order, Outcome.UNFINISHED);
      return;
    }
    metrics.followSent();
    workload.awaitEnd(order.node, order.orderId, wait, wait.plus(ANSWER_GRACE)).whenComplete((response, error) -> {
      if (error != null || response.status() != 200) {
        log.retrying("following", order, response, error);
        timers.retryLater(() -> follow(order));
        return;
      }
      Outcome outcome = outcomeOf(response);
      // Not ended: the wait was up, or the saga left memory (a rebalance) and could not answer.
      if (outcome == null) follow(order);
      else orders.finish(order, outcome);
    });
  }

  private Outcome outcomeOf(NodeClient.Response response) {
    try {
      return workload.outcome(response.json());
    } catch (UncheckedIOException e) {
      return null;
    }
  }

  @Override
  public void close() {}
}
