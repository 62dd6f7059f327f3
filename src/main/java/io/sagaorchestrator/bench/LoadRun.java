package io.sagaorchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Places the planned orders over HTTP with at most {@code concurrency} in flight — an order is in
 * flight from its POST until the client has seen it reach a terminal status — and sees each end
 * on the nodes' outcome streams ({@link OutcomeStream}), or, with {@code streamOutcomes} off, by
 * long polls: {@code GET /orders/{id}?waitMs=…}, which the node answers as soon as the order has
 * ended (or its saga parked), or when the wait is up; then the client asks again. An order the
 * streams have not shown ended after {@link #STREAM_PATIENCE} is followed by long polls too (the
 * streams deliver at most once), and so is every open order once a stream is lost.
 *
 * <p>A latency is the time from sending the POST to receiving the event or answer that shows a
 * terminal status: both are sent the moment the saga ends.
 */
final class LoadRun {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  record Settings(int concurrency, int warmup, Duration followWait, Duration orderTimeout, boolean streamOutcomes, String adminToken) {}

  /** How long an order may go unseen on the streams before it is long-polled. */
  static final long STREAM_PATIENCE_SECONDS = 5;
  private static final Duration STREAM_PATIENCE = Duration.ofSeconds(STREAM_PATIENCE_SECONDS);

  /** One second of the run, for the progress line and the chart. */
  record Tick(double t, long placed, long terminal, double sagasPerSecond, double p50Ms, double p99Ms, boolean warmup) {}

  record Result(
      long placed,
      long terminal,
      Map<String, Long> outcomes,
      long unexpectedOutcomes,
      long unfinished,
      long rejectedPlacements,
      long httpErrors,
      long follows,
      long streamed,
      double windowSeconds,
      long terminalInWindow,
      double sagasPerSecond,
      double runSeconds,
      double windowStartSeconds,
      Histogram latencyMicros,
      Map<String, Histogram> latencyMicrosByStatus,
      Histogram acceptMicros,
      List<Tick> timeline,
      OptionalLong journalRowsAtWindowStart,
      OptionalLong journalRowsAtWindowEnd,
      double cpuSecondsInWindow) {}

  private final HttpClient http;
  private final List<URI> urls;
  private final OrderPlan plan;
  private final Settings settings;
  private final PrintWriter out;
  private final Supplier<OptionalLong> journalRows;

  private final Semaphore inFlight;
  private final ScheduledThreadPoolExecutor timers = followTimers();
  private final CountDownLatch finished;
  private final ConcurrentHistogram latency = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  /** The measured latencies again, by terminal status: a compensated saga takes more steps than a completed one. */
  private final Map<String, ConcurrentHistogram> latencyByStatus = new ConcurrentHashMap<>();
  private final ConcurrentHistogram accept = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final Recorder perSecond = new Recorder(HIGHEST_MICROS, 3);
  private final LongAdder placed = new LongAdder();
  private final LongAdder terminal = new LongAdder();
  private final LongAdder follows = new LongAdder();
  private final LongAdder streamed = new LongAdder();
  private final LongAdder httpErrors = new LongAdder();
  private final LongAdder rejectedPlacements = new LongAdder();
  private final LongAdder unfinished = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  /** Orders placed (or being placed) whose end the client has not seen; removing one is the right to end it. */
  private final Map<String, Tracked> open = new ConcurrentHashMap<>();
  private final List<OutcomeStream> streams = new ArrayList<>();
  private final AtomicBoolean streaming = new AtomicBoolean();
  private final AtomicLong lastTerminalNanos = new AtomicLong();
  private final List<Tick> timeline = new ArrayList<>();
  private volatile long windowStartNanos;
  /** Set when the run stopped waiting: answers that arrive later are not counted. */
  private volatile boolean over;
  private volatile long terminalAtWindowStart;
  private volatile OptionalLong rowsAtWindowStart = OptionalLong.empty();
  private volatile long cpuAtWindowStart;
  private long startNanos;

  LoadRun(HttpClient http, List<URI> urls, OrderPlan plan, Settings settings, PrintWriter out, Supplier<OptionalLong> journalRows) {
    this.http = http;
    this.urls = urls;
    this.plan = plan;
    this.settings = settings;
    this.out = out;
    this.journalRows = journalRows;
    this.inFlight = new Semaphore(settings.concurrency());
    this.finished = new CountDownLatch(plan.size());
  }

  /**
   * A follow-up timer is cancelled when its order ends; removed at once, so the timer and its order
   * do not stay reachable for {@link #STREAM_PATIENCE} (the client shares the node's heap in a run).
   */
  private static ScheduledThreadPoolExecutor followTimers() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, daemon("bench-timer"));
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** One order on its way: which node it went to, when the client first sent it. */
  private final class Tracked {
    final int index;
    final URI base;
    final String orderId;
    final boolean measured;
    long startNanos;
    volatile boolean accepted;
    volatile ScheduledFuture<?> followTimer;

    Tracked(int index) {
      this.index = index;
      this.base = urls.get(index % urls.size());
      this.orderId = plan.orderId(index);
      this.measured = index >= settings.warmup();
    }
  }

  Result run() throws InterruptedException {
    startNanos = System.nanoTime();
    if (settings.streamOutcomes()) openStreams();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("bench-progress"));
    ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    try {
      for (int i = 0; i < plan.size(); i++) {
        inFlight.acquire();
        Tracked order = new Tracked(i);
        order.startNanos = System.nanoTime();
        if (i == settings.warmup()) startWindow(order.startNanos);
        open.put(order.orderId, order);
        place(order);
      }
      long patience = settings.orderTimeout().toMillis() + 30_000;
      if (!finished.await(patience, TimeUnit.MILLISECONDS)) {
        over = true;
        out.println("bench: gave up waiting for " + finished.getCount() + " orders");
        out.flush();
        unfinished.add(finished.getCount());
      }
    } finally {
      streaming.set(false);
      streams.forEach(OutcomeStream::close);
      ticker.shutdownNow();
      ticker.awaitTermination(5, TimeUnit.SECONDS);
      timers.shutdownNow();
    }
    tick();
    OptionalLong rowsAtEnd = journalRows.get();
    long cpuAtEnd = processCpuNanos();
    long end = lastTerminalNanos.get() == 0 ? System.nanoTime() : lastTerminalNanos.get();
    double window = Math.max(1e-9, (end - windowStartNanos) / 1e9);
    long inWindow = terminal.sum() - terminalAtWindowStart;
    Map<String, Long> outcomeCounts = new TreeMap<>();
    outcomes.forEach((status, count) -> outcomeCounts.put(status, count.sum()));
    return new Result(placed.sum(), terminal.sum(), outcomeCounts, unexpected.sum(), unfinished.sum(), rejectedPlacements.sum(),
        httpErrors.sum(), follows.sum(), streamed.sum(), window, inWindow, inWindow / window, (end - startNanos) / 1e9,
        (windowStartNanos - startNanos) / 1e9, latency, Map.copyOf(latencyByStatus), accept, List.copyOf(timeline), rowsAtWindowStart, rowsAtEnd,
        (cpuAtEnd - cpuAtWindowStart) / 1e9);
  }

  /** CPU time of this JVM (all threads): the node's and the client's when the bench runs its own node. */
  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private void startWindow(long now) {
    terminalAtWindowStart = terminal.sum();
    rowsAtWindowStart = journalRows.get();
    cpuAtWindowStart = processCpuNanos();
    windowStartNanos = now;
  }

  // ---- the outcome streams --------------------------------------------------------------

  /** One stream per node: each node announces the sagas it runs at once, other nodes' only after a moment. */
  private void openStreams() {
    OutcomeStream.Listener listener = new OutcomeStream.Listener() {
      @Override
      public void outcome(String orderId, String status) {
        Tracked order = open.get(orderId);
        if (order != null && finish(order, status)) streamed.increment();
      }

      @Override
      public void lost(URI node, String why) {
        if (!streaming.getAndSet(false) || over) return;
        out.println("bench: the outcome stream of " + node + " ended (" + why + "); following the open orders with long polls");
        out.flush();
        open.values().forEach(order -> {
          if (order.accepted) follow(order);
        });
      }
    };
    try {
      for (URI url : urls) streams.add(OutcomeStream.open(http, url, settings.adminToken(), listener, Duration.ofSeconds(10)));
      streaming.set(true);
    } catch (Exception e) {
      streams.forEach(OutcomeStream::close);
      out.println("bench: no outcome stream (" + e + "); following every order with long polls");
      out.flush();
    }
  }

  // ---- placing --------------------------------------------------------------------------

  private void place(Tracked order) {
    HttpRequest request = HttpRequest.newBuilder(order.base.resolve("/orders"))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(plan.json(order.index)))
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
      int status = error == null ? response.statusCode() : -1;
      if (status == 202 || status == 200) {
        long now = System.nanoTime();
        if (order.measured) accept.recordValue(Math.min(HIGHEST_MICROS, (now - order.startNanos) / 1000));
        placed.increment();
        order.accepted = true;
        if (streaming.get()) followLater(order);
        else follow(order);
      } else if (status == -1 || status == 429 || status >= 500) {
        // Overloaded or unreachable: the same order id again later is safe (one saga per order id).
        countHttpError("placing", order, response, error);
        if (expired(order)) finish(order, "UNFINISHED");
        else retryLater(() -> place(order));
      } else {
        rejectedPlacements.increment();
        if (rejectedPlacements.sum() <= 5) out.println("bench: order " + order.orderId + " refused: HTTP " + status + " " + response.body());
        finish(order, "REFUSED");
      }
    });
  }

  /** Counts a failed request, which is retried; the first few are shown so the count can be explained. */
  private void countHttpError(String doing, Tracked order, HttpResponse<String> response, Throwable error) {
    httpErrors.increment();
    if (httpErrors.sum() <= 3) {
      out.println("bench: " + doing + " order " + order.orderId + " failed, retrying: "
          + (error != null ? error.toString() : "HTTP " + response.statusCode() + " " + response.body()));
    }
  }

  private boolean expired(Tracked order) {
    return System.nanoTime() - order.startNanos > settings.orderTimeout().toNanos();
  }

  /** A node that failed to answer is asked again after this pause. */
  private static final long RETRY_PAUSE_MILLIS = 100;

  private void retryLater(Runnable request) {
    try {
      timers.schedule(request, RETRY_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // The run is over (gave up waiting): nothing more to send.
    }
  }

  // ---- following ------------------------------------------------------------------------

  /** Long polls for an order the streams have not shown ended in time. */
  private void followLater(Tracked order) {
    try {
      order.followTimer = timers.schedule(() -> follow(order), STREAM_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      if (!open.containsKey(order.orderId)) order.followTimer.cancel(false);
    } catch (RejectedExecutionException e) {
      // The run is over (gave up waiting).
    }
  }

  private void follow(Tracked order) {
    if (!open.containsKey(order.orderId)) return;
    if (expired(order)) {
      finish(order, "UNFINISHED");
      return;
    }
    follows.increment();
    HttpRequest request = HttpRequest.newBuilder(order.base.resolve("/orders/" + order.orderId + "?waitMs=" + settings.followWait().toMillis()))
        .timeout(settings.followWait().plusSeconds(30))
        .GET()
        .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
      if (error != null || response.statusCode() != 200) {
        countHttpError("following", order, response, error);
        retryLater(() -> follow(order));
        return;
      }
      String status = terminalStatus(readOrder(response.body()));
      // Not ended: the wait was up, or the saga left memory (a rebalance) and could not answer.
      if (status == null) follow(order);
      else finish(order, status);
    });
  }

  private static JsonNode readOrder(String body) {
    try {
      return MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      return MAPPER.missingNode();
    }
  }

  /**
   * From an order or an outcome event ({@code status}, {@code sagaStatus}): COMPLETED, CANCELLED,
   * or PARKED (the saga waits for an operator: the order stays PENDING); null while running.
   */
  static String terminalStatus(JsonNode order) {
    String status = order.path("status").asText();
    if (status.equals("COMPLETED") || status.equals("CANCELLED")) return status;
    return order.path("sagaStatus").asText().equals("PARKED") ? "PARKED" : null;
  }

  /** Ends the order unless its end was already seen; true if this call ended it. */
  private boolean finish(Tracked order, String outcome) {
    if (!open.remove(order.orderId, order)) return false;
    ScheduledFuture<?> followTimer = order.followTimer;
    if (followTimer != null) followTimer.cancel(false);
    end(order, outcome);
    return true;
  }

  private void end(Tracked order, String outcome) {
    if (over) return;
    long now = System.nanoTime();
    boolean terminalStatus = outcome.equals("COMPLETED") || outcome.equals("CANCELLED") || outcome.equals("PARKED");
    if (terminalStatus) {
      long micros = Math.min(HIGHEST_MICROS, (now - order.startNanos) / 1000);
      perSecond.recordValue(micros);
      if (order.measured) {
        latency.recordValue(micros);
        latencyByStatus.computeIfAbsent(outcome, k -> new ConcurrentHistogram(HIGHEST_MICROS, 3)).recordValue(micros);
      }
      terminal.increment();
      lastTerminalNanos.set(now);
      String expected = plan.compensating(order.index) ? "CANCELLED" : "COMPLETED";
      if (!outcome.equals(expected)) unexpected.increment();
    } else if (outcome.equals("UNFINISHED")) {
      unfinished.increment();
    }
    outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    inFlight.release();
    finished.countDown();
  }

  // ---- progress -------------------------------------------------------------------------

  private Histogram interval;
  private long lastTerminal;

  private synchronized void tick() {
    long now = System.nanoTime();
    interval = interval == null ? perSecond.getIntervalHistogram() : perSecond.getIntervalHistogram(interval);
    long terminalNow = terminal.sum();
    double seconds = (now - startNanos) / 1e9;
    double elapsedSinceLast = timeline.isEmpty() ? seconds : seconds - timeline.get(timeline.size() - 1).t();
    if (elapsedSinceLast < 0.2) return;
    double rate = (terminalNow - lastTerminal) / elapsedSinceLast;
    lastTerminal = terminalNow;
    boolean warmup = windowStartNanos == 0;
    double p50 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(50) / 1000.0;
    double p99 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1000.0;
    timeline.add(new Tick(seconds, placed.sum(), terminalNow, rate, p50, p99, warmup));
    double p99SoFar = latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(99) / 1000.0;
    out.printf("[%5.1fs]%s placed %,d  terminal %,d  in flight %d  sagas/s %,.0f  p99 %,.0f ms (so far %s)  streamed %,d  follow requests %,d  http errors %,d%n",
        seconds, warmup ? " warm-up" : "", placed.sum(), terminalNow, settings.concurrency() - inFlight.availablePermits(), rate, p99,
        latency.getTotalCount() == 0 ? "-" : String.format("%,.0f ms", p99SoFar), streamed.sum(), follows.sum(), httpErrors.sum());
    out.flush();
  }
}
