package io.sagaorchestrator.infra.http;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.japi.Pair;
import akka.pattern.Patterns;
import akka.stream.BufferOverflowException;
import akka.stream.OverflowStrategy;
import akka.stream.javadsl.Source;
import io.sagaorchestrator.infra.http.dto.Dtos.HistoryResponse;
import io.sagaorchestrator.infra.persistence.EntityEvents;
import io.sagaorchestrator.orchestrator.Ids;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaFold;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /sagas/{id}/events}: the saga's history as server-sent events, then each step as it
 * happens, read from the journal. Each {@code step} event's id is its place in the journal
 * ({@code <offset>:<n>}, n counting the entries one journal event adds), so a client that
 * reconnects with {@code Last-Event-ID} gets exactly the entries after it. The stream ends with
 * an {@code end} event once the saga has ended. A client that falls {@code BUFFER} events behind
 * gets a final {@code error} event and is disconnected, so it never grows the node's memory.
 */
public final class SagaEventStream extends AllDirectives {
  static final int BUFFER = 256;
  private static final Duration POLL = Duration.ofMillis(250);
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final EntityEvents events;

  /** Where a stream stands: the journal offset read up to, the saga folded so far, and what the client has seen. */
  private record Position(long readUpTo, SagaEntity.State saga, long seenOffset, int seenEntry, boolean ended) {}

  public SagaEventStream(ActorSystem<?> system, EntityEvents events) {
    this.system = system;
    this.events = events;
  }

  /** Inside {@code /sagas/{id}}: 404 for a saga the journal does not hold. */
  public Route route(String sagaId) {
    if (!Ids.isValid(sagaId)) {
      return complete(HttpJson.error(StatusCodes.BAD_REQUEST, Ids.RULE, List.of("id")));
    }
    return get(() -> optionalHeaderValueByName("Last-Event-ID", lastEventId ->
        onSuccess(open(sagaId, start(lastEventId)), stream -> stream
            .<Route>map(events -> completeOK(events, EventStreamMarshalling.toEventStream()))
            .orElseGet(() -> complete(HttpJson.error(StatusCodes.NOT_FOUND, "saga " + sagaId + " not found"))))));
  }

  /** The stream reads the saga from its start and sends what follows the client's last event id. */
  private static Position start(Optional<String> lastEventId) {
    if (lastEventId.isEmpty()) return fromStart(0, -1);
    String[] parts = lastEventId.get().split(":", -1);
    try {
      if (parts.length == 2) return fromStart(Long.parseLong(parts[0]), Integer.parseInt(parts[1]));
    } catch (NumberFormatException e) {
      // a 400 below
    }
    throw new HttpJson.BadRequest("Last-Event-ID: not an id this stream gave (<offset>:<n>)", List.of("Last-Event-ID"));
  }

  private static Position fromStart(long seenOffset, int seenEntry) {
    return new Position(0, new SagaEntity.NotStarted(), seenOffset, seenEntry, false);
  }

  private CompletionStage<Optional<Source<ServerSentEvent, NotUsed>>> open(String sagaId, Position start) {
    String persistenceId = SagaEntity.ENTITY_TYPE_KEY.name() + "|" + sagaId;
    return step(persistenceId, start).thenApply(first -> {
      if (first.first().saga() instanceof SagaEntity.NotStarted) return Optional.empty();
      Source<List<ServerSentEvent>, NotUsed> later = Source.unfoldAsync(first.first(),
          position -> position.ended() ? CompletableFuture.completedFuture(Optional.empty())
              : Patterns.after(POLL, system.classicSystem().scheduler(), system.executionContext(),
                  () -> step(persistenceId, position).thenApply(Optional::of)));
      return Optional.of(Source.from(first.second())
          .concat(later.mapConcat(events -> events))
          .buffer(BUFFER, OverflowStrategy.fail())
          .recover(BufferOverflowException.class, () ->
              ServerSentEvent.create(HttpJson.write(Map.of("error", "client too slow: more than " + BUFFER + " events behind")), "error"))
          .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat));
    });
  }

  /** Reads what the journal holds after the position, folds it, and turns the entries the client has not seen into events. */
  private CompletionStage<Pair<Position, List<ServerSentEvent>>> step(String persistenceId, Position position) {
    return events.after(persistenceId, position.readUpTo()).thenApply(stored -> {
      SagaEntity.State state = position.saga();
      long readUpTo = position.readUpTo();
      List<ServerSentEvent> out = new ArrayList<>();
      for (EntityEvents.Stored row : stored) {
        if (!(row.event() instanceof SagaEntity.Event event)) continue;
        int before = state instanceof SagaEntity.Saga saga ? saga.history().size() : 0;
        state = SagaFold.apply(state, event);
        readUpTo = row.ordering();
        if (!(state instanceof SagaEntity.Saga saga)) continue;
        List<SagaEntity.HistoryEntry> added = saga.history().subList(before, saga.history().size());
        for (int n = 0; n < added.size(); n++) {
          boolean seen = row.ordering() < position.seenOffset() || (row.ordering() == position.seenOffset() && n <= position.seenEntry());
          if (seen) continue;
          SagaEntity.HistoryEntry h = added.get(n);
          out.add(ServerSentEvent.create(HttpJson.write(new HistoryResponse(h.seq(), h.at(), h.type(), h.step(), h.detail())),
              Optional.of("step"), Optional.of(row.ordering() + ":" + n), OptionalInt.empty()));
        }
      }
      boolean ended = state instanceof SagaEntity.Saga saga && saga.status().isEnded();
      if (ended && !position.ended()) {
        SagaEntity.Saga saga = (SagaEntity.Saga) state;
        out.add(ServerSentEvent.create(HttpJson.write(Map.of("sagaId", saga.sagaId(), "status", saga.status().name())), "end"));
      }
      return Pair.create(new Position(readUpTo, state, position.seenOffset(), position.seenEntry(), ended), out);
    });
  }
}
