package io.sagaorchestrator.infra.readside;

import com.typesafe.config.Config;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaStep;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When a saga that has not ended counts as stuck (docs/design.md §9): no event for
 * {@code saga.stuck-after}, by default ({@code auto}) twice its current step's timeout plus the
 * longest backoff before the next attempt of that step (or of its compensation). A step of a
 * definition this node does not run gets the longest threshold it knows.
 */
public final class StuckRule {
  private final Map<Key, Duration> thresholds;
  private final Duration fallback;

  private record Key(String definition, String step, SagaStatus status) {}

  private StuckRule(Map<Key, Duration> thresholds, Duration fallback) {
    this.thresholds = Map.copyOf(thresholds);
    this.fallback = fallback;
  }

  public static StuckRule from(Config config, SagaDefinitions definitions) {
    String value = config.getString("saga.stuck-after");
    if (!value.equals("auto")) {
      Duration after = config.getDuration("saga.stuck-after");
      if (after.isZero() || after.isNegative()) throw new IllegalArgumentException("saga.stuck-after: must be positive or auto");
      return new StuckRule(Map.of(), after);
    }
    Map<Key, Duration> thresholds = new HashMap<>();
    definitions.all().values().stream().flatMap(List::stream).forEach(definition -> {
      for (SagaStep<?> step : definition.steps()) {
        Duration twice = step.timeout().multipliedBy(2);
        thresholds.merge(new Key(definition.name(), step.name(), SagaStatus.RUNNING), twice.plus(step.retry().maxBackoff()),
            StuckRule::longer);
        thresholds.merge(new Key(definition.name(), step.name(), SagaStatus.COMPENSATING),
            twice.plus(definition.compensationRetry().maxBackoff()), StuckRule::longer);
      }
    });
    Duration fallback = thresholds.values().stream().reduce(StuckRule::longer).orElse(Duration.ofMinutes(1));
    return new StuckRule(thresholds, fallback);
  }

  private static Duration longer(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  public boolean isStuck(SagaSummaries.Row row, Instant now) {
    if (row.status() != SagaStatus.RUNNING && row.status() != SagaStatus.COMPENSATING) return false;
    Duration threshold = thresholds.getOrDefault(new Key(row.definition(), row.currentStep(), row.status()), fallback);
    return row.updatedAt().isBefore(now.minus(threshold));
  }

  /** The condition, over saga_summary's columns, that a saga is stuck at {@code now}; its arguments go to {@code args}. */
  String condition(Instant now, List<Object> args) {
    StringBuilder sql = new StringBuilder("(status IN ('RUNNING', 'COMPENSATING') AND updated_at < ");
    if (thresholds.isEmpty()) {
      args.add(Timestamp.from(now.minus(fallback)));
      return sql.append("?)").toString();
    }
    sql.append("CASE");
    thresholds.forEach((key, threshold) -> {
      sql.append(" WHEN definition = ? AND current_step = ? AND status = ? THEN ?");
      args.add(key.definition());
      args.add(key.step());
      args.add(key.status().name());
      args.add(Timestamp.from(now.minus(threshold)));
    });
    args.add(Timestamp.from(now.minus(fallback)));
    return sql.append(" ELSE ? END)").toString();
  }
}
