package io.sagaorchestrator.bench;

import io.sagaorchestrator.client.NodeClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sees orders end on the nodes' outcome streams ({@link OutcomeStream}), one per node: each node
 * announces the sagas it runs at once, other nodes' only after a moment. The streams deliver at
 * most once, so an order they have not shown ended after {@link #PATIENCE_SECONDS} s is long-polled
 * too, and so is every open order once a stream is lost.
 */
final class StreamFollower implements OrderFollower {
  /** How long an order may go unseen on the streams before it is long-polled. */
  static final long PATIENCE_SECONDS = 5;
  private static final Duration PATIENCE = Duration.ofSeconds(PATIENCE_SECONDS);
  private static final Duration SUBSCRIBE_PATIENCE = Duration.ofSeconds(10);

  private final OpenOrders orders;
  private final FollowTimers timers;
  private final PollFollower polls;
  private final List<OutcomeStream> streams = new ArrayList<>();
  private final AtomicBoolean streaming = new AtomicBoolean();

  private StreamFollower(OpenOrders orders, FollowTimers timers, PollFollower polls) {
    this.orders = orders;
    this.timers = timers;
    this.polls = polls;
  }

  /** Subscribes on every node; when that fails, every order is followed by {@code polls} alone. */
  static OrderFollower open(List<NodeClient> nodes, OpenOrders orders, FollowTimers timers, LoadMetrics metrics, ProgressLog log,
      PollFollower polls) {
    StreamFollower follower = new StreamFollower(orders, timers, polls);
    OutcomeStream.Listener listener = new OutcomeStream.Listener() {
      @Override
      public void outcome(String orderId, Outcome outcome) {
        TrackedOrder order = orders.get(orderId);
        if (order != null && orders.finish(order, outcome)) metrics.streamed();
      }

      @Override
      public void lost(URI node, String why) {
        if (!follower.streaming.getAndSet(false) || orders.over()) return;
        log.note("the outcome stream of " + node + " ended (" + why + "); following the open orders with long polls");
        orders.all().forEach(order -> {
          if (order.accepted) polls.follow(order);
        });
      }
    };
    try {
      for (NodeClient node : nodes) follower.streams.add(OutcomeStream.open(node, listener, SUBSCRIBE_PATIENCE));
      follower.streaming.set(true);
      return follower;
    } catch (Exception e) {
      follower.streams.forEach(OutcomeStream::close);
      log.note("no outcome stream (" + e + "); following every order with long polls");
      return polls;
    }
  }

  @Override
  public void follow(TrackedOrder order) {
    if (!streaming.get()) {
      polls.follow(order);
      return;
    }
    ScheduledFuture<?> reserve = timers.schedule(() -> polls.follow(order), PATIENCE);
    order.followTimer = reserve;
    if (reserve != null && !orders.isOpen(order)) reserve.cancel(false);
  }

  @Override
  public void close() {
    streaming.set(false);
    streams.forEach(OutcomeStream::close);
  }
}
