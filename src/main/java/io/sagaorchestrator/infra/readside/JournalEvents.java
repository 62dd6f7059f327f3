package io.sagaorchestrator.infra.readside;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.pattern.Patterns;
import akka.persistence.query.Offset;
import akka.persistence.query.Sequence;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.javadsl.SourceProvider;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.stream.javadsl.Source;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slice of the journal, in the order of its global {@code ordering} column: the events of
 * the persistence ids whose hash falls in {@code slice}, for one of the read side's projections.
 * It reads the journal's rows directly, so entities write nothing extra for the read side (no
 * tags). A missing ordering value (a writer that took it and has not committed: PostgreSQL's
 * parallel writers commit out of order) holds the slice back until it appears, or for
 * {@code gapTimeout}, after which it counts as never coming (a rolled-back write, or values an
 * H2 crash left unused) and is logged with its value.
 */
final class JournalEvents extends SourceProvider<Offset, EventEnvelope<Object>> {
  private static final Logger log = LoggerFactory.getLogger(JournalEvents.class);

  private final ActorSystem<?> system;
  private final ReadSideDatabase database;
  private final String select;
  private final int slice;
  private final int slices;
  private final Predicate<String> wanted;
  private final ReadSideSettings settings;
  private final Serialization serialization;

  /** Where the slice stands: the last ordering value passed, and since when the value after it has been missing. */
  private record Position(long ordering, long gapSinceNanos) {}

  JournalEvents(ActorSystem<?> system, ReadSideDatabase database, String journalTable, int slice, Predicate<String> wanted,
      ReadSideSettings settings) {
    this.system = system;
    this.database = database;
    this.select = "SELECT \"ordering\", \"persistence_id\", \"sequence_number\", \"write_timestamp\", \"event_ser_id\", "
        + "\"event_ser_manifest\", \"event_payload\" FROM " + journalTable
        + " WHERE \"ordering\" > ? ORDER BY \"ordering\" FETCH FIRST " + settings.batch() + " ROWS ONLY";
    this.slice = slice;
    this.slices = settings.slices();
    this.wanted = wanted;
    this.settings = settings;
    this.serialization = SerializationExtension.get(system);
  }

  /** The slice a persistence id belongs to. */
  static int sliceOf(String persistenceId, int slices) {
    return Math.floorMod(persistenceId.hashCode(), slices);
  }

  @Override
  public CompletionStage<Source<EventEnvelope<Object>, NotUsed>> source(Supplier<CompletionStage<Optional<Offset>>> offset) {
    return offset.get().thenApply(stored -> {
      long start = stored.map(o -> ((Sequence) o).value()).orElse(0L);
      return Source.unfoldAsync(new Position(start, 0), this::next).mapConcat(events -> events);
    });
  }

  @Override
  public Offset extractOffset(EventEnvelope<Object> envelope) {
    return envelope.offset();
  }

  @Override
  public long extractCreationTime(EventEnvelope<Object> envelope) {
    return envelope.timestamp();
  }

  private CompletionStage<Optional<Pair<Position, List<EventEnvelope<Object>>>>> next(Position position) {
    return database.query(connection -> {
      List<Row> rows = new ArrayList<>();
      try (PreparedStatement statement = connection.prepareStatement(select)) {
        statement.setLong(1, position.ordering());
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            String persistenceId = rs.getString(2);
            boolean mine = sliceOf(persistenceId, slices) == slice && wanted.test(persistenceId);
            rows.add(new Row(rs.getLong(1), persistenceId, rs.getLong(3), rs.getLong(4), rs.getInt(5), rs.getString(6),
                mine ? rs.getBytes(7) : null));
          }
        }
      }
      return rows;
    }).thenCompose(rows -> {
      List<EventEnvelope<Object>> events = new ArrayList<>();
      Position after = advance(position, rows, events);
      boolean caughtUp = rows.size() < settings.batch() || after.ordering() == position.ordering();
      Optional<Pair<Position, List<EventEnvelope<Object>>>> step = Optional.of(Pair.create(after, events));
      if (!caughtUp) return CompletableFuture.completedFuture(step);
      return Patterns.after(settings.pollInterval(), system.classicSystem().scheduler(), system.executionContext(),
          () -> CompletableFuture.completedFuture(step));
    });
  }

  /** Passes the rows that follow {@code position} without a gap (or past a gap that timed out), collecting this slice's events. */
  private Position advance(Position position, List<Row> rows, List<EventEnvelope<Object>> events) {
    long ordering = position.ordering();
    long gapSince = position.gapSinceNanos();
    for (Row row : rows) {
      if (row.ordering() > ordering + 1) {
        long now = System.nanoTime();
        if (gapSince == 0) {
          return new Position(ordering, now);
        }
        if (now - gapSince < settings.gapTimeout().toNanos()) return new Position(ordering, gapSince);
        log.warn("read side slice {}: journal ordering values {} to {} did not appear within {}; passing them",
            slice, ordering + 1, row.ordering() - 1, settings.gapTimeout());
      }
      gapSince = 0;
      ordering = row.ordering();
      if (row.payload() != null) events.add(envelope(row));
    }
    return new Position(ordering, gapSince);
  }

  private EventEnvelope<Object> envelope(Row row) {
    Object event = serialization.deserialize(row.payload(), row.serializerId(), row.manifest()).get();
    return EventEnvelope.create(Offset.sequence(row.ordering()), row.persistenceId(), row.sequenceNr(), event, row.writtenAt());
  }

  private record Row(long ordering, String persistenceId, long sequenceNr, long writtenAt, int serializerId, String manifest,
      byte[] payload) {}
}
