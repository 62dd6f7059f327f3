package io.sagaorchestrator.infra.readside;

import akka.projection.ProjectionId;
import akka.projection.StatusObserver;
import akka.projection.HandlerRecoveryStrategy;
import akka.projection.eventsourced.EventEnvelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * How far the read side runs behind the journal on this node: for each group a projection
 * commits, the time from the oldest event's write to the commit that makes its row visible.
 */
public final class ReadSideLag extends StatusObserver<EventEnvelope<Object>> {
  private final ConcurrentHistogram sinceStart = new ConcurrentHistogram(3_600_000L, 3);
  private final Map<ProjectionId, Long> oldestPending = new ConcurrentHashMap<>();
  private final Timer lag;
  private final Counter events;
  private final Counter restarts;

  public ReadSideLag(MeterRegistry metrics) {
    this.lag = Timer.builder("saga_read_side_lag")
        .description("Time from an event's write to its read-side row's commit")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .register(metrics);
    this.events = Counter.builder("saga_read_side_events").description("Events applied to the read side").register(metrics);
    this.restarts = Counter.builder("saga_read_side_restarts")
        .description("Read-side projections restarted after a failure").register(metrics);
  }

  /** Called by the handler with a group about to be applied. */
  void applying(ProjectionId projection, List<EventEnvelope<Object>> group) {
    long oldest = group.stream().mapToLong(EventEnvelope::timestamp).min().orElse(System.currentTimeMillis());
    oldestPending.merge(projection, oldest, Math::min);
    events.increment(group.size());
  }

  /** The lag seen since the node started: median, 99th percentile and maximum in milliseconds. */
  public Map<String, Long> sinceStartMillis() {
    return Map.of("p50", sinceStart.getValueAtPercentile(50), "p99", sinceStart.getValueAtPercentile(99),
        "max", sinceStart.getMaxValue(), "groups", sinceStart.getTotalCount());
  }

  @Override
  public void offsetProgress(ProjectionId projectionId, EventEnvelope<Object> envelope) {
    Long oldest = oldestPending.remove(projectionId);
    if (oldest == null) return;
    long millis = Math.max(0, System.currentTimeMillis() - oldest);
    sinceStart.recordValue(Math.min(millis, sinceStart.getHighestTrackableValue()));
    lag.record(Duration.ofMillis(millis));
  }

  @Override
  public void started(ProjectionId projectionId) {}

  @Override
  public void failed(ProjectionId projectionId, Throwable cause) {
    oldestPending.remove(projectionId);
    restarts.increment();
  }

  @Override
  public void stopped(ProjectionId projectionId) {}

  @Override
  public void beforeProcess(ProjectionId projectionId, EventEnvelope<Object> envelope) {}

  @Override
  public void afterProcess(ProjectionId projectionId, EventEnvelope<Object> envelope) {}

  @Override
  public void error(ProjectionId projectionId, EventEnvelope<Object> envelope, Throwable cause,
      HandlerRecoveryStrategy recoveryStrategy) {}
}
