package io.sagaorchestrator.infra.readside;

import akka.actor.typed.ActorSystem;
import akka.projection.eventsourced.EventEnvelope;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaEntity.Saga;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaFold;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code saga_summary}: a row per saga, folded from its events by the engine's own
 * {@link SagaFold}, with the columns a query filters on and the saga as the entity holds it
 * (less its data), so an ended saga is answered from here without waking its entity.
 */
public final class SagaSummaries implements ReadModel {
  private static final Logger log = LoggerFactory.getLogger(SagaSummaries.class);
  private static final String PID_PREFIX = SagaEntity.ENTITY_TYPE_KEY.name() + "|";
  private static final int IN_LIST = 100;
  private static final String COLUMNS =
      "saga_id, definition, version, status, current_step, attempts, reason, correlation_id, started_at, updated_at, ended_at";

  private final ReadSideDatabase database;
  private final ObjectMapper json;
  private final int maxPageSize;

  /** One saga as the list shows it. */
  public record Row(String sagaId, String definition, int version, SagaStatus status, String currentStep, int attempts,
      String reason, String correlationId, Instant startedAt, Instant updatedAt, Instant endedAt) {}

  /** A page of the list, and the cursor of the next page if there is one. */
  public record Page(List<Row> sagas, Optional<SagaQuery.Cursor> next) {}

  SagaSummaries(ActorSystem<?> system, ReadSideDatabase database, int maxPageSize) {
    this.database = database;
    this.json = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
    this.maxPageSize = maxPageSize;
  }

  public int maxPageSize() {
    return maxPageSize;
  }

  @Override
  public boolean keeps(String persistenceId) {
    return persistenceId.startsWith(PID_PREFIX);
  }

  @Override
  public List<String> schema(JournalConfig.Kind database) {
    String text = database == JournalConfig.Kind.POSTGRES ? "TEXT" : "CHARACTER LARGE OBJECT";
    String time = "TIMESTAMP WITH TIME ZONE";
    return List.of(
        "CREATE TABLE IF NOT EXISTS saga_summary ("
            + "saga_id VARCHAR(255) NOT NULL PRIMARY KEY, definition VARCHAR(255) NOT NULL, version INTEGER NOT NULL, "
            + "status VARCHAR(16) NOT NULL, current_step VARCHAR(255), attempts INTEGER NOT NULL, reason VARCHAR(4000), "
            + "correlation_id VARCHAR(255), started_at " + time + " NOT NULL, updated_at " + time + " NOT NULL, ended_at " + time + ", "
            + "state " + text + " NOT NULL)",
        "CREATE INDEX IF NOT EXISTS saga_summary_by_start ON saga_summary (started_at, saga_id)",
        "CREATE INDEX IF NOT EXISTS saga_summary_by_status ON saga_summary (status, started_at, saga_id)",
        "CREATE INDEX IF NOT EXISTS saga_summary_by_correlation ON saga_summary (correlation_id)");
  }

  @Override
  public void apply(Connection connection, List<EventEnvelope<Object>> events) throws SQLException {
    Map<String, List<SagaEntity.Event>> bySaga = new LinkedHashMap<>();
    for (EventEnvelope<Object> envelope : events) {
      if (envelope.event() instanceof SagaEntity.Event event && envelope.persistenceId().startsWith(PID_PREFIX)) {
        bySaga.computeIfAbsent(envelope.persistenceId().substring(PID_PREFIX.length()), id -> new ArrayList<>()).add(event);
      }
    }
    if (bySaga.isEmpty()) return;
    Map<String, Saga> stored = load(connection, bySaga.keySet());
    List<Folded> inserts = new ArrayList<>();
    List<Folded> updates = new ArrayList<>();
    bySaga.forEach((sagaId, sagaEvents) -> {
      Saga before = stored.get(sagaId);
      SagaEntity.State state = before != null ? before : new SagaEntity.NotStarted();
      Instant last = null;
      for (SagaEntity.Event event : sagaEvents) {
        if (state instanceof SagaEntity.NotStarted && !(event instanceof SagaEntity.SagaStarted)) {
          log.warn("read side: saga {} has events before its start in the projection; skipping {}", sagaId,
              event.getClass().getSimpleName());
          continue;
        }
        state = SagaFold.apply(state, event);
        last = event.at();
      }
      if (state instanceof Saga saga) {
        (before == null ? inserts : updates).add(new Folded(saga.withoutData(), last != null ? last : saga.startedAt()));
      }
    });
    write(connection, inserts,
        "INSERT INTO saga_summary (definition, version, status, current_step, attempts, reason, correlation_id, started_at, "
            + "updated_at, ended_at, state, saga_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    write(connection, updates,
        "UPDATE saga_summary SET definition = ?, version = ?, status = ?, current_step = ?, attempts = ?, reason = ?, "
            + "correlation_id = ?, started_at = ?, updated_at = ?, ended_at = ?, state = ? WHERE saga_id = ?");
  }

  private Map<String, Saga> load(Connection connection, Collection<String> sagaIds) throws SQLException {
    Map<String, Saga> found = new HashMap<>();
    List<String> ids = List.copyOf(sagaIds);
    for (int from = 0; from < ids.size(); from += IN_LIST) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT saga_id, state FROM saga_summary WHERE saga_id IN (" + marks + ")")) {
        for (int i = 0; i < chunk.size(); i++) select.setString(i + 1, chunk.get(i));
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) found.put(rs.getString(1), parse(rs.getString(2)));
        }
      }
    }
    return found;
  }

  /** A saga after this group's events, and the time of the last of them. */
  private record Folded(Saga saga, Instant updatedAt) {}

  private void write(Connection connection, List<Folded> sagas, String sql) throws SQLException {
    if (sagas.isEmpty()) return;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (Folded folded : sagas) {
        Saga saga = folded.saga();
        SagaEntity.StepView current = saga.steps().get(saga.currentStep());
        int attempts = saga.status() == SagaStatus.RUNNING || saga.status() == SagaStatus.COMPLETED
            ? current.attempts() : current.compensationAttempts();
        statement.setString(1, saga.definition());
        statement.setInt(2, saga.version());
        statement.setString(3, saga.status().name());
        statement.setString(4, saga.status().isEnded() ? null : current.name());
        statement.setInt(5, attempts);
        statement.setString(6, saga.reason());
        statement.setString(7, saga.correlationId());
        statement.setTimestamp(8, Timestamp.from(saga.startedAt()));
        statement.setTimestamp(9, Timestamp.from(folded.updatedAt()));
        statement.setTimestamp(10, saga.endedAt() == null ? null : Timestamp.from(saga.endedAt()));
        statement.setString(11, render(saga));
        statement.setString(12, saga.sagaId());
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  /** The saga as its entity last stored it, if the read side has it ended; a saga in flight is its entity's to answer. */
  public CompletionStage<Optional<SagaEntity.Summary>> findEnded(String sagaId) {
    return database.query(connection -> {
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT state FROM saga_summary WHERE saga_id = ? AND status IN ('COMPLETED', 'COMPENSATED')")) {
        select.setString(1, sagaId);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next() ? Optional.of(parse(rs.getString(1)).summary()) : Optional.empty();
        }
      }
    });
  }

  /** The sagas {@code query} selects, newest first, one page; {@code stuck} decides its {@code stuck} filter at {@code now}. */
  public CompletionStage<Page> list(SagaQuery query, StuckRule stuck, Instant now) {
    return database.query(connection -> {
      List<Object> args = new ArrayList<>();
      StringBuilder where = new StringBuilder(" WHERE 1 = 1");
      query.stuck().ifPresent(wanted -> where.append(wanted ? " AND " : " AND NOT ").append(stuck.condition(now, args)));
      query.status().ifPresent(status -> condition(where, args, "status = ?", status.name()));
      query.definition().ifPresent(definition -> condition(where, args, "definition = ?", definition));
      query.step().ifPresent(step -> condition(where, args, "current_step = ?", step));
      query.correlationId().ifPresent(id -> condition(where, args, "correlation_id = ?", id));
      query.since().ifPresent(since -> condition(where, args, "started_at >= ?", Timestamp.from(since)));
      query.until().ifPresent(until -> condition(where, args, "started_at < ?", Timestamp.from(until)));
      query.cursor().ifPresent(cursor -> {
        where.append(" AND (started_at < ? OR (started_at = ? AND saga_id < ?))");
        args.add(Timestamp.from(cursor.startedAt()));
        args.add(Timestamp.from(cursor.startedAt()));
        args.add(cursor.sagaId());
      });
      String sql = "SELECT " + COLUMNS + " FROM saga_summary" + where
          + " ORDER BY started_at DESC, saga_id DESC FETCH FIRST " + (query.limit() + 1) + " ROWS ONLY";
      List<Row> rows = new ArrayList<>();
      try (PreparedStatement select = connection.prepareStatement(sql)) {
        for (int i = 0; i < args.size(); i++) select.setObject(i + 1, args.get(i));
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) rows.add(row(rs));
        }
      }
      if (rows.size() <= query.limit()) return new Page(rows, Optional.empty());
      List<Row> page = rows.subList(0, query.limit());
      Row last = page.get(page.size() - 1);
      return new Page(List.copyOf(page), Optional.of(new SagaQuery.Cursor(last.startedAt(), last.sagaId())));
    });
  }

  private static void condition(StringBuilder where, List<Object> args, String condition, Object value) {
    where.append(" AND ").append(condition);
    args.add(value);
  }

  private static Row row(ResultSet rs) throws SQLException {
    Timestamp ended = rs.getTimestamp(11);
    return new Row(rs.getString(1), rs.getString(2), rs.getInt(3), SagaStatus.valueOf(rs.getString(4)), rs.getString(5),
        rs.getInt(6), rs.getString(7), rs.getString(8), rs.getTimestamp(9).toInstant(), rs.getTimestamp(10).toInstant(),
        ended == null ? null : ended.toInstant());
  }

  private String render(Saga saga) {
    try {
      return json.writerFor(SagaEntity.State.class).writeValueAsString(saga);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("saga " + saga.sagaId() + " cannot be written as JSON", e);
    }
  }

  private Saga parse(String text) {
    try {
      return (Saga) json.readValue(text, SagaEntity.State.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a saga_summary row cannot be read: " + e.getMessage(), e);
    }
  }
}
