package io.sagaorchestrator.bench;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BiConsumer;

/**
 * Orders placed (or being placed) whose end the client has not seen. Removing one is the right to
 * end it, so an order seen to end on a stream and by a long poll at once is counted once.
 */
final class OpenOrders {
  private final Map<String, TrackedOrder> open = new ConcurrentHashMap<>();
  private final Duration orderTimeout;
  private final BiConsumer<TrackedOrder, Outcome> onEnd;
  /** Set when the run stopped waiting: ends seen later are not counted. */
  private volatile boolean over;

  OpenOrders(Duration orderTimeout, BiConsumer<TrackedOrder, Outcome> onEnd) {
    this.orderTimeout = orderTimeout;
    this.onEnd = onEnd;
  }

  void add(TrackedOrder order) {
    open.put(order.orderId, order);
  }

  /** The open order with this id; null once it has ended. */
  TrackedOrder get(String orderId) {
    return open.get(orderId);
  }

  Collection<TrackedOrder> all() {
    return open.values();
  }

  boolean isOpen(TrackedOrder order) {
    return open.containsKey(order.orderId);
  }

  boolean expired(TrackedOrder order) {
    return System.nanoTime() - order.startNanos > orderTimeout.toNanos();
  }

  /** Ends the order unless its end was already seen; true if this call ended it. */
  boolean finish(TrackedOrder order, Outcome outcome) {
    if (!open.remove(order.orderId, order)) return false;
    ScheduledFuture<?> followTimer = order.followTimer;
    if (followTimer != null) followTimer.cancel(false);
    if (!over) onEnd.accept(order, outcome);
    return true;
  }

  void giveUp() {
    over = true;
  }

  boolean over() {
    return over;
  }
}
