package io.sagaorchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Places the planned orders over HTTP with at most {@code concurrency} in flight — an order is in
 * flight from its POST until the client has seen it reach a terminal status — and follows each
 * by polling {@code GET /orders/{id}}.
 *
 * <p>Polling: the first poll of an order waits 3/4 of the running median latency (at least one
 * poll interval), then the order is polled every interval. A latency is the time from sending
 * the POST to receiving the first answer that shows a terminal status: an upper bound, with the
 * poll interval as resolution. Orders that end before their first poll are counted as ending at
 * that poll, which overstates only the low percentiles.
 */
final class LoadRun {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  record Settings(int concurrency, int warmup, Duration pollInterval, Duration orderTimeout) {}

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
      long polls,
      double windowSeconds,
      long terminalInWindow,
      double sagasPerSecond,
      double runSeconds,
      double windowStartSeconds,
      Histogram latencyMicros,
      Histogram acceptMicros,
      List<Tick> timeline,
      OptionalLong journalRowsAtWindowStart,
      OptionalLong journalRowsAtWindowEnd) {}

  private final HttpClient http;
  private final List<URI> urls;
  private final OrderPlan plan;
  private final Settings settings;
  private final PrintWriter out;
  private final Supplier<OptionalLong> journalRows;

  private final Semaphore inFlight;
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("bench-timer"));
  private final CountDownLatch finished;
  private final ConcurrentHistogram latency = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final ConcurrentHistogram accept = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final Recorder perSecond = new Recorder(HIGHEST_MICROS, 3);
  private final LongAdder placed = new LongAdder();
  private final LongAdder terminal = new LongAdder();
  private final LongAdder polls = new LongAdder();
  private final LongAdder httpErrors = new LongAdder();
  private final LongAdder rejectedPlacements = new LongAdder();
  private final LongAdder unfinished = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong medianEstimateMicros = new AtomicLong();
  private final AtomicLong lastTerminalNanos = new AtomicLong();
  private final List<Tick> timeline = new ArrayList<>();
  private volatile long windowStartNanos;
  /** Set when the run stopped waiting: answers that arrive later are not counted. */
  private volatile boolean over;
  private volatile long terminalAtWindowStart;
  private volatile OptionalLong rowsAtWindowStart = OptionalLong.empty();
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

  static java.util.concurrent.ThreadFactory daemon(String name) {
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

    Tracked(int index) {
      this.index = index;
      this.base = urls.get(index % urls.size());
      this.orderId = plan.orderId(index);
      this.measured = index >= settings.warmup();
    }
  }

  Result run() throws InterruptedException {
    startNanos = System.nanoTime();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("bench-progress"));
    ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    try {
      for (int i = 0; i < plan.size(); i++) {
        inFlight.acquire();
        Tracked order = new Tracked(i);
        order.startNanos = System.nanoTime();
        if (i == settings.warmup()) startWindow(order.startNanos);
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
      ticker.shutdownNow();
      ticker.awaitTermination(5, TimeUnit.SECONDS);
      timers.shutdownNow();
    }
    tick();
    OptionalLong rowsAtEnd = journalRows.get();
    long end = lastTerminalNanos.get() == 0 ? System.nanoTime() : lastTerminalNanos.get();
    double window = Math.max(1e-9, (end - windowStartNanos) / 1e9);
    long inWindow = terminal.sum() - terminalAtWindowStart;
    Map<String, Long> outcomeCounts = new java.util.TreeMap<>();
    outcomes.forEach((status, count) -> outcomeCounts.put(status, count.sum()));
    return new Result(placed.sum(), terminal.sum(), outcomeCounts, unexpected.sum(), unfinished.sum(), rejectedPlacements.sum(),
        httpErrors.sum(), polls.sum(), window, inWindow, inWindow / window, (end - startNanos) / 1e9,
        (windowStartNanos - startNanos) / 1e9, latency, accept, List.copyOf(timeline), rowsAtWindowStart, rowsAtEnd);
  }

  private void startWindow(long now) {
    terminalAtWindowStart = terminal.sum();
    rowsAtWindowStart = journalRows.get();
    windowStartNanos = now;
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
        schedulePoll(order, firstPollDelayMicros());
      } else if (status == -1 || status == 429 || status >= 500) {
        // Overloaded or unreachable: the same order id again later is safe (one saga per order id).
        httpErrors.increment();
        if (expired(order)) end(order, "UNFINISHED");
        else timers.schedule(() -> place(order), 100, TimeUnit.MILLISECONDS);
      } else {
        rejectedPlacements.increment();
        if (rejectedPlacements.sum() <= 5) out.println("bench: order " + order.orderId + " refused: HTTP " + status + " " + response.body());
        end(order, "REFUSED");
      }
    });
  }

  private long firstPollDelayMicros() {
    long interval = settings.pollInterval().toNanos() / 1000;
    return Math.max(interval, medianEstimateMicros.get() * 3 / 4);
  }

  private boolean expired(Tracked order) {
    return System.nanoTime() - order.startNanos > settings.orderTimeout().toNanos();
  }

  // ---- following ------------------------------------------------------------------------

  private void schedulePoll(Tracked order, long delayMicros) {
    if (expired(order)) {
      end(order, "UNFINISHED");
      return;
    }
    try {
      timers.schedule(() -> poll(order), delayMicros, TimeUnit.MICROSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The run is over (gave up waiting): nothing more to follow.
    }
  }

  private void poll(Tracked order) {
    polls.increment();
    HttpRequest request = HttpRequest.newBuilder(order.base.resolve("/orders/" + order.orderId))
        .timeout(Duration.ofSeconds(30))
        .GET()
        .build();
    long interval = settings.pollInterval().toNanos() / 1000;
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
      if (error != null || response.statusCode() != 200) {
        httpErrors.increment();
        schedulePoll(order, interval);
        return;
      }
      String status = terminalStatus(response.body());
      if (status == null) schedulePoll(order, interval);
      else end(order, status);
    });
  }

  /** COMPLETED, CANCELLED, or PARKED (the saga waits for an operator: the order stays PENDING); null while running. */
  private static String terminalStatus(String body) {
    try {
      JsonNode order = MAPPER.readTree(body);
      String status = order.path("status").asText();
      if (status.equals("COMPLETED") || status.equals("CANCELLED")) return status;
      return order.path("sagaStatus").asText().equals("PARKED") ? "PARKED" : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private void end(Tracked order, String outcome) {
    if (over) return;
    long now = System.nanoTime();
    boolean terminalStatus = outcome.equals("COMPLETED") || outcome.equals("CANCELLED") || outcome.equals("PARKED");
    if (terminalStatus) {
      long micros = Math.min(HIGHEST_MICROS, (now - order.startNanos) / 1000);
      perSecond.recordValue(micros);
      if (order.measured) latency.recordValue(micros);
      long estimate = medianEstimateMicros.get();
      // A running median: step a little towards each observation.
      medianEstimateMicros.set(estimate == 0 ? micros : estimate + Long.signum(micros - estimate) * Math.max(1, estimate / 200));
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
    out.printf("[%5.1fs]%s placed %,d  terminal %,d  in flight %d  sagas/s %,.0f  p99 %,.0f ms (so far %s)  polls %,d  http errors %,d%n",
        seconds, warmup ? " warm-up" : "", placed.sum(), terminalNow, settings.concurrency() - inFlight.availablePermits(), rate, p99,
        latency.getTotalCount() == 0 ? "-" : String.format("%,.0f ms", p99SoFar), polls.sum(), httpErrors.sum());
    out.flush();
  }
}
