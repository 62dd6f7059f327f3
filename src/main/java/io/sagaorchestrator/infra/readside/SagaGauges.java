package io.sagaorchestrator.infra.readside;

import akka.actor.Cancellable;
import akka.actor.typed.ActorSystem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the sagas not ended, by definition, read from {@code saga_summary} every
 * {@code saga.read-side.gauge-interval}: in flight (running or compensating), parked, stuck
 * ({@link StuckRule}), and the age of the oldest in flight. The table is the cluster's, so every
 * node reports the same figures: aggregate them with {@code max}, not {@code sum}.
 */
final class SagaGauges implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SagaGauges.class);

  private final ReadSideDatabase database;
  private final StuckRule stuck;
  private final MultiGauge inFlight;
  private final MultiGauge parked;
  private final MultiGauge stuckSagas;
  private final MultiGauge oldestAge;
  private final Cancellable refreshing;
  /** Definitions seen once stay at zero rather than vanish when none of their sagas is in flight. */
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  /** One definition's figures. */
  private record Counts(long inFlight, long parked, long stuck, Instant oldestStart) {}

  SagaGauges(ActorSystem<?> system, ReadSideDatabase database, StuckRule stuck, MeterRegistry metrics, Duration interval) {
    this.database = database;
    this.stuck = stuck;
    this.inFlight = MultiGauge.builder("saga_in_flight").description("Sagas running or compensating (cluster-wide, from the read side)")
        .register(metrics);
    this.parked = MultiGauge.builder("saga_parked").description("Sagas parked for an operator (cluster-wide, from the read side)")
        .register(metrics);
    this.stuckSagas = MultiGauge.builder("saga_stuck")
        .description("Sagas in flight with no event for longer than saga.stuck-after (cluster-wide, from the read side)")
        .register(metrics);
    this.oldestAge = MultiGauge.builder("saga_oldest_in_flight_age").baseUnit("seconds")
        .description("Age of the oldest saga in flight (cluster-wide, from the read side)").register(metrics);
    this.refreshing = system.scheduler().scheduleWithFixedDelay(Duration.ZERO, interval, this::refresh, system.executionContext());
  }

  private void refresh() {
    Instant now = Instant.now();
    database.query(connection -> counts(connection, now)).whenComplete((counts, error) -> {
      if (error != null) {
        log.warn("saga gauges: the read side cannot be read: {}", error.getMessage());
        return;
      }
      seen.addAll(counts.keySet());
      seen.forEach(definition -> counts.putIfAbsent(definition, new Counts(0, 0, 0, null)));
      inFlight.register(rows(counts, c -> c.inFlight()), true);
      parked.register(rows(counts, c -> c.parked()), true);
      stuckSagas.register(rows(counts, c -> c.stuck()), true);
      oldestAge.register(rows(counts, c -> c.oldestStart() == null ? 0 : Duration.between(c.oldestStart(), now).toMillis() / 1000.0),
          true);
    });
  }

  private Map<String, Counts> counts(Connection connection, Instant now) throws SQLException {
    Map<String, Counts> byDefinition = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT definition, status, count(*), min(started_at) FROM saga_summary "
        + "WHERE status IN ('RUNNING', 'COMPENSATING', 'PARKED') GROUP BY definition, status");
        ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        String definition = rs.getString(1);
        boolean isParked = rs.getString(2).equals("PARKED");
        long n = rs.getLong(3);
        Instant oldest = isParked ? null : rs.getTimestamp(4).toInstant();
        byDefinition.merge(definition, new Counts(isParked ? 0 : n, isParked ? n : 0, 0, oldest), SagaGauges::sum);
      }
    }
    List<Object> args = new ArrayList<>();
    String condition = stuck.condition(now, args);
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT definition, count(*) FROM saga_summary WHERE " + condition + " GROUP BY definition")) {
      for (int i = 0; i < args.size(); i++) select.setObject(i + 1, args.get(i));
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) byDefinition.merge(rs.getString(1), new Counts(0, 0, rs.getLong(2), null), SagaGauges::sum);
      }
    }
    return byDefinition;
  }

  private static Counts sum(Counts a, Counts b) {
    Instant oldest = a.oldestStart() == null ? b.oldestStart()
        : b.oldestStart() == null || a.oldestStart().isBefore(b.oldestStart()) ? a.oldestStart() : b.oldestStart();
    return new Counts(a.inFlight() + b.inFlight(), a.parked() + b.parked(), a.stuck() + b.stuck(), oldest);
  }

  private static List<MultiGauge.Row<?>> rows(Map<String, Counts> counts, ToDoubleFunction<Counts> value) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    counts.forEach((definition, c) -> rows.add(MultiGauge.Row.of(Tags.of("definition", definition), value.applyAsDouble(c))));
    return rows;
  }

  @Override
  public void close() {
    refreshing.cancel();
  }
}
