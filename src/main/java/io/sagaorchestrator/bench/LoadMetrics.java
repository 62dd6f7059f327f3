package io.sagaorchestrator.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A load run's counters and latency histograms, the measured window (journal rows and CPU time at
 * its start), and the timeline of one {@link Tick} per second.
 *
 * <p>A latency is the time from sending the POST to receiving the event or answer that shows a
 * terminal status: both are sent the moment the saga ends.
 */
final class LoadMetrics {
  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  private final Supplier<OptionalLong> journalRows;
  private final ConcurrentHistogram latency = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  /** The measured latencies again, by outcome: a compensated saga takes more steps than a completed one. */
  private final Map<Outcome, ConcurrentHistogram> latencyByOutcome = new ConcurrentHashMap<>();
  private final ConcurrentHistogram accept = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  /** The measured sagas again, from their acceptance: what admission control keeps short under overload. */
  private final ConcurrentHistogram sinceAccept = new ConcurrentHistogram(HIGHEST_MICROS, 3);
  private final Recorder perSecond = new Recorder(HIGHEST_MICROS, 3);
  private final LongAdder placed = new LongAdder();
  private final LongAdder terminal = new LongAdder();
  private final LongAdder follows = new LongAdder();
  private final LongAdder streamed = new LongAdder();
  private final LongAdder httpErrors = new LongAdder();
  private final LongAdder atCapacity = new LongAdder();
  private final LongAdder rejectedPlacements = new LongAdder();
  private final LongAdder unfinished = new LongAdder();
  private final LongAdder unexpected = new LongAdder();
  private final Map<Outcome, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong lastTerminalNanos = new AtomicLong();
  private final List<Tick> timeline = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private volatile long windowStartNanos;
  private volatile long terminalAtWindowStart;
  private volatile OptionalLong rowsAtWindowStart = OptionalLong.empty();
  private volatile long cpuAtWindowStart;
  private Histogram interval;
  private long lastTerminal;

  LoadMetrics(Supplier<OptionalLong> journalRows) {
    this.journalRows = journalRows;
  }

  void startWindow(long now) {
    terminalAtWindowStart = terminal.sum();
    rowsAtWindowStart = journalRows.get();
    cpuAtWindowStart = processCpuNanos();
    windowStartNanos = now;
  }

  void accepted(TrackedOrder order, long now) {
    order.acceptedNanos = now;
    if (order.measured) accept.recordValue(Math.min(HIGHEST_MICROS, (now - order.startNanos) / 1000));
    placed.increment();
  }

  void ended(TrackedOrder order, Outcome outcome, Outcome expected, long now) {
    if (outcome.terminal()) {
      long micros = Math.min(HIGHEST_MICROS, (now - order.startNanos) / 1000);
      perSecond.recordValue(micros);
      if (order.measured) {
        latency.recordValue(micros);
        latencyByOutcome.computeIfAbsent(outcome, k -> new ConcurrentHistogram(HIGHEST_MICROS, 3)).recordValue(micros);
        if (order.acceptedNanos != 0) sinceAccept.recordValue(Math.min(HIGHEST_MICROS, (now - order.acceptedNanos) / 1000));
      }
      terminal.increment();
      lastTerminalNanos.set(now);
      if (outcome != expected) unexpected.increment();
    } else if (outcome == Outcome.UNFINISHED) {
      unfinished.increment();
    }
    outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }

  void unfinished(long orders) {
    unfinished.add(orders);
  }

  void followSent() {
    follows.increment();
  }

  void streamed() {
    streamed.increment();
  }

  /** Returns how many requests failed so far. */
  long httpError() {
    httpErrors.increment();
    return httpErrors.sum();
  }

  /** A placement answered 429: the node was at its admission limit (it is placed again later). */
  void atCapacity() {
    atCapacity.increment();
  }

  /** Returns how many orders were refused so far. */
  long refused() {
    rejectedPlacements.increment();
    return rejectedPlacements.sum();
  }

  long placed() {
    return placed.sum();
  }

  long follows() {
    return follows.sum();
  }

  long streamedCount() {
    return streamed.sum();
  }

  long httpErrors() {
    return httpErrors.sum();
  }

  /** The 99th percentile of the measured latencies so far, in ms; null before the first. */
  Double p99SoFarMs() {
    return latency.getTotalCount() == 0 ? null : latency.getValueAtPercentile(99) / 1000.0;
  }

  /** The second since the last tick; null when less than 0.2 s have passed (the run's last tick may follow a regular one closely). */
  synchronized Tick tick() {
    long now = System.nanoTime();
    interval = interval == null ? perSecond.getIntervalHistogram() : perSecond.getIntervalHistogram(interval);
    long terminalNow = terminal.sum();
    double seconds = (now - startNanos) / 1e9;
    double elapsedSinceLast = timeline.isEmpty() ? seconds : seconds - timeline.get(timeline.size() - 1).t();
    if (elapsedSinceLast < 0.2) return null;
    double rate = (terminalNow - lastTerminal) / elapsedSinceLast;
    lastTerminal = terminalNow;
    double p50 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(50) / 1000.0;
    double p99 = interval.getTotalCount() == 0 ? 0 : interval.getValueAtPercentile(99) / 1000.0;
    Tick tick = new Tick(seconds, placed.sum(), terminalNow, rate, p50, p99, windowStartNanos == 0);
    timeline.add(tick);
    return tick;
  }

  /** Once the run is over: reads the journal and the CPU time at the window's end. */
  synchronized LoadResult result() {
    OptionalLong rowsAtEnd = journalRows.get();
    long cpuAtEnd = processCpuNanos();
    long end = lastTerminalNanos.get() == 0 ? System.nanoTime() : lastTerminalNanos.get();
    double window = Math.max(1e-9, (end - windowStartNanos) / 1e9);
    long inWindow = terminal.sum() - terminalAtWindowStart;
    Map<Outcome, Long> outcomeCounts = new EnumMap<>(Outcome.class);
    outcomes.forEach((outcome, count) -> outcomeCounts.put(outcome, count.sum()));
    Map<Outcome, Histogram> latencies = new EnumMap<>(Outcome.class);
    latencies.putAll(latencyByOutcome);
    return new LoadResult(placed.sum(), terminal.sum(), outcomeCounts, unexpected.sum(), unfinished.sum(), rejectedPlacements.sum(),
        httpErrors.sum(), follows.sum(), streamed.sum(), window, inWindow, inWindow / window, (end - startNanos) / 1e9,
        (windowStartNanos - startNanos) / 1e9, latency, latencies, accept, sinceAccept, atCapacity.sum(), List.copyOf(timeline),
        rowsAtWindowStart, rowsAtEnd,
        (cpuAtEnd - cpuAtWindowStart) / 1e9);
  }

  /** CPU time of this JVM (all threads): the node's and the client's when the bench runs its own node. */
  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
