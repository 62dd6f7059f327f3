package io.sagaorchestrator.bench;

import io.sagaorchestrator.client.NodeClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Places the planned orders (or sagas, as the {@link Workload} says) over HTTP, spread over the
 * nodes, with at most {@code concurrency} in flight: one is in flight from its POST until the
 * client has seen it reach a terminal status, which an {@link OrderFollower} looks for.
 */
final class LoadRun {
  /** How long the client gives the node to answer a POST. */
  private static final Duration PLACE_TIMEOUT = Duration.ofSeconds(30);
  /** How much longer than the order timeout the run waits for the last orders' ends. */
  private static final Duration END_GRACE = Duration.ofSeconds(30);

  record Settings(int concurrency, int warmup, Duration followWait, Duration orderTimeout, OrderFollower.Mode follow) {}

  private final List<NodeClient> nodes;
  private final Workload plan;
  private final Settings settings;
  private final Semaphore inFlight;
  private final CountDownLatch finished;
  private final LoadMetrics metrics;
  private final ProgressLog log;
  private final OpenOrders orders;
  private final FollowTimers timers = new FollowTimers();

  LoadRun(List<NodeClient> nodes, Workload plan, Settings settings, PrintWriter out, Supplier<OptionalLong> journalRows) {
    this.nodes = nodes;
    this.plan = plan;
    this.settings = settings;
    this.inFlight = new Semaphore(settings.concurrency());
    this.finished = new CountDownLatch(plan.size());
    this.metrics = new LoadMetrics(journalRows);
    this.log = new ProgressLog(out, metrics, settings.concurrency());
    this.orders = new OpenOrders(settings.orderTimeout(), this::end);
  }

  LoadResult run() throws InterruptedException {
    PollFollower polls = new PollFollower(plan, orders, timers, metrics, log, settings.followWait());
    OrderFollower follower = settings.follow() == OrderFollower.Mode.STREAM
        ? StreamFollower.open(nodes, orders, timers, metrics, log, polls)
        : polls;
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("bench-progress"));
    ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    try {
      for (int i = 0; i < plan.size(); i++) {
        inFlight.acquire();
        TrackedOrder order = new TrackedOrder(i, nodes.get(i % nodes.size()), plan.id(i), i >= settings.warmup());
        if (i == settings.warmup()) metrics.startWindow(order.startNanos);
        orders.add(order);
        place(order, follower);
      }
      if (!finished.await(settings.orderTimeout().plus(END_GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
        orders.giveUp();
        log.note("gave up waiting for " + finished.getCount() + " orders");
        metrics.unfinished(finished.getCount());
      }
    } finally {
      follower.close();
      ticker.shutdownNow();
      ticker.awaitTermination(5, TimeUnit.SECONDS);
      timers.close();
    }
    tick();
    return metrics.result();
  }

  private void place(TrackedOrder order, OrderFollower follower) {
    plan.place(order.node, order.index, PLACE_TIMEOUT).whenComplete((response, error) -> {
      int status = error == null ? response.status() : -1;
      if (status == 202 || status == 200) {
        metrics.accepted(order, System.nanoTime());
        order.accepted = true;
        follower.follow(order);
      } else if (status == 429) {
        // At its admission limit, the node stored nothing: the same id again later is safe.
        metrics.atCapacity();
        if (orders.expired(order)) orders.finish(order, Outcome.UNFINISHED);
        else timers.retryAfterRefusal(() -> place(order, follower), retryAfter(response), order.atCapacityAnswers++);
      } else if (status == -1 || status >= 500) {
        // Unreachable or unsure: the same id again later is safe (one saga per id).
        log.retrying("placing", order, response, error);
        if (orders.expired(order)) orders.finish(order, Outcome.UNFINISHED);
        else timers.retryLater(() -> place(order, follower));
      } else {
        log.refused(order, response);
        orders.finish(order, Outcome.REFUSED);
      }
    });
  }

  private static Duration retryAfter(NodeClient.Response response) {
    String seconds = response.header("Retry-After");
    try {
      return Duration.ofSeconds(seconds == null ? 1 : Math.max(1, Long.parseLong(seconds.trim())));
    } catch (NumberFormatException e) {
      return Duration.ofSeconds(1);
    }
  }

  /** The order's end was seen (or it was given up): it leaves the flight. */
  private void end(TrackedOrder order, Outcome outcome) {
    metrics.ended(order, outcome, plan.expected(order.index), System.nanoTime());
    inFlight.release();
    finished.countDown();
  }

  private void tick() {
    Tick tick = metrics.tick();
    if (tick != null) log.second(tick, inFlight.availablePermits());
  }
}
