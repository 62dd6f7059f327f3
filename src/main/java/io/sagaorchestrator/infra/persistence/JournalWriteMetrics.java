package io.sagaorchestrator.infra.persistence;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;

/**
 * The journal's writes as the JDBC plugin batches them ({@link MeteredJournalDao}): the latency of
 * each batch insert and its size in rows. The plugin builds its DAO itself, so the meters live in
 * an extension of the actor system, and the node adds its registry to them once it has one.
 */
public final class JournalWriteMetrics implements Extension {
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(5)};
  private static final double[] BATCH_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 400, 1000};
  private static final Id ID = new Id();

  private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
  private final Timer writes = Timer.builder("saga.journal.write")
      .description("Batch inserts into the journal table, from the insert's start to its commit")
      .serviceLevelObjectives(LATENCY_BUCKETS)
      .register(registry);
  private final DistributionSummary rows = DistributionSummary.builder("saga.journal.write.batch")
      .description("Rows the journal wrote in one batch insert (events of many entities, gathered while the insert before ran)")
      .baseUnit("rows")
      .serviceLevelObjectives(BATCH_BUCKETS)
      .register(registry);

  public static JournalWriteMetrics get(ActorSystem system) {
    return ID.get(system);
  }

  /** From now on the meters report to {@code nodeRegistry} as well. */
  public void reportTo(MeterRegistry nodeRegistry) {
    registry.add(nodeRegistry);
  }

  void recordBatch(int rowCount, long nanos) {
    rows.record(rowCount);
    writes.record(Duration.ofNanos(nanos));
  }

  private static final class Id extends AbstractExtensionId<JournalWriteMetrics> {
    @Override
    public JournalWriteMetrics createExtension(ExtendedActorSystem system) {
      return new JournalWriteMetrics();
    }
  }
}
