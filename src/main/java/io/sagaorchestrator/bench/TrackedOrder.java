package io.sagaorchestrator.bench;

import io.sagaorchestrator.client.NodeClient;
import java.util.concurrent.ScheduledFuture;

/** One order on its way: the node it went to, when the client first sent it, whether it is measured. */
final class TrackedOrder {
  final int index;
  final NodeClient node;
  final String orderId;
  /** Placed after the warm-up: its latencies count. */
  final boolean measured;
  final long startNanos;
  volatile boolean accepted;
  /** When the node accepted it (202): the latency of an accepted saga is counted from here. */
  volatile long acceptedNanos;
  /** Placements answered 429 so far: each waits the node's Retry-After, doubled per refusal before it. */
  volatile int atCapacityAnswers;
  /** The long poll a stream follower holds in reserve for this order; cancelled when the order ends. */
  volatile ScheduledFuture<?> followTimer;

  TrackedOrder(int index, NodeClient node, String orderId, boolean measured) {
    this.index = index;
    this.node = node;
    this.orderId = orderId;
    this.measured = measured;
    this.startNanos = System.nanoTime();
  }
}
