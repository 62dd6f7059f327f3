package io.sagaorchestrator.infra.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaMetrics;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The engine's metrics in the node's registry: sagas started and settled by definition and
 * status, each step attempt's latency by definition, step, kind and answer, retries and
 * compensations. Meters are looked up once per label set and kept, since every saga records
 * several times.
 */
public final class EngineMetrics implements SagaMetrics {
  /** Bucket bounds of the step latency histogram: from a local call to the longest step timeouts. */
  private static final Duration[] STEP_BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private record StepKey(String definition, String step, boolean compensation, Answer answer) {}

  private record RetryKey(String definition, String step, boolean compensation) {}

  private record SettledKey(String definition, SagaStatus status) {}

  private final MeterRegistry registry;
  private final Map<String, Counter> started = new ConcurrentHashMap<>();
  private final Map<String, Counter> compensating = new ConcurrentHashMap<>();
  private final Map<SettledKey, Counter> settled = new ConcurrentHashMap<>();
  private final Map<StepKey, Timer> attempts = new ConcurrentHashMap<>();
  private final Map<RetryKey, Counter> retries = new ConcurrentHashMap<>();

  private final AtomicInteger keeperOpenSagas = new AtomicInteger();
  private final Counter keeperStarts;
  private final Counter keeperReadFailures;

  public EngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.keeperStarts = Counter.builder("saga.keeper.starts")
        .description("Starts of the saga keeper on this node: first, after a failure (with backoff), or after a failover").register(registry);
    this.keeperReadFailures = Counter.builder("saga.keeper.read.failures")
        .description("Reads of the journal by the saga keeper on this node that failed (retried after its poll interval)").register(registry);
    Gauge.builder("saga.keeper.open.sagas", keeperOpenSagas, AtomicInteger::get)
        .description("Sagas the saga keeper follows as open, on the node it runs on (0 elsewhere)").register(registry);
  }

  @Override
  public void keeperStarted(int openSagas) {
    keeperStarts.increment();
    keeperOpenSagas.set(openSagas);
  }

  @Override
  public void keeperReadFailed() {
    keeperReadFailures.increment();
  }

  @Override
  public void keeperFollowing(int openSagas) {
    keeperOpenSagas.set(openSagas);
  }

  @Override
  public void started(String definition) {
    counter(started, definition, d -> Counter.builder("saga.started").description("Sagas started on this node")
        .tag("definition", d).register(registry)).increment();
  }

  @Override
  public void attempted(String definition, String step, boolean compensation, Answer answer, long nanos) {
    attempts.computeIfAbsent(new StepKey(definition, step, compensation, answer), key -> Timer.builder("saga.step.attempt")
            .description("Step attempts, from the command sent to its answer (or timeout)")
            .tag("definition", key.definition()).tag("step", key.step())
            .tag("kind", key.compensation() ? "compensation" : "action")
            .tag("answer", key.answer().name().toLowerCase(Locale.ROOT))
            .serviceLevelObjectives(STEP_BUCKETS)
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void retrying(String definition, String step, boolean compensation) {
    retries.computeIfAbsent(new RetryKey(definition, step, compensation), key -> Counter.builder("saga.step.retries")
            .description("Failed step attempts that will be tried again after their backoff")
            .tag("definition", key.definition()).tag("step", key.step())
            .tag("kind", key.compensation() ? "compensation" : "action")
            .register(registry))
        .increment();
  }

  @Override
  public void compensating(String definition) {
    counter(compensating, definition, d -> Counter.builder("saga.compensations").description("Sagas that began to compensate")
        .tag("definition", d).register(registry)).increment();
  }

  @Override
  public void settled(String definition, SagaStatus status) {
    settled.computeIfAbsent(new SettledKey(definition, status), key -> Counter.builder("saga.settled")
            .description("Sagas that ended (COMPLETED, COMPENSATED) or parked on this node")
            .tag("definition", key.definition()).tag("status", key.status().name())
            .register(registry))
        .increment();
  }

  private static Counter counter(Map<String, Counter> counters, String definition, Function<String, Counter> create) {
    return counters.computeIfAbsent(definition, create);
  }
}
