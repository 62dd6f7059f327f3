package io.sagaorchestrator.infra.http;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.japi.Pair;
import akka.pattern.Patterns;
import akka.stream.BufferOverflowException;
import akka.stream.OverflowStrategy;
import akka.stream.javadsl.Source;
import io.sagaorchestrator.infra.http.dto.Dtos.HistoryResponse;
import io.sagaorchestrator.infra.http.dto.Dtos.SagaTransition;
import io.sagaorchestrator.infra.persistence.EntityEvents;
import io.sagaorchestrator.infra.persistence.JdbcJournalTail;
import io.sagaorchestrator.orchestrator.Ids;
import io.sagaorchestrator.orchestrator.JournalCursor;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaFold;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /events[?definition=&status=]}: every saga transition in the cluster as server-sent
 * events, read from the shared journal in {@code ordering} order with a {@link JournalCursor}, so
 * a row that commits late is waited for, not skipped. Each event's id is its journal offset: a
 * client that reconnects with {@code Last-Event-ID} gets every transition after it (at least once,
 * in journal order); without one the stream starts at the journal's end ({@code Last-Event-ID: 0}
 * replays the whole journal). A client that falls {@code BUFFER} events behind gets a final
 * {@code error} event and is disconnected.
 */
public final class SagaTransitionStream extends AllDirectives {
  static final int BUFFER = 256;
  private static final int WINDOW = 1_000;
  /** Sagas whose fold the stream keeps between events; one it forgot is folded again from the journal. */
  private static final int REMEMBERED_SAGAS = 4_096;
  private static final Duration POLL = Duration.ofMillis(250);
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);
  private static final String SAGA_PREFIX = SagaEntity.ENTITY_TYPE_KEY.name() + "|";

  private final ActorSystem<?> system;
  private final JdbcJournalTail journal;
  private final EntityEvents events;
  private final Duration gapTimeout;

  /** What a client asked for: a definition and a status after the transition, each optional. */
  private record Filter(Optional<String> definition, Optional<SagaEntity.SagaStatus> status) {
    boolean accepts(SagaEntity.Saga saga) {
      return definition.map(saga.definition()::equals).orElse(true) && status.map(saga.status()::equals).orElse(true);
    }
  }

  /** One client's stream: its place in the journal and the sagas it has folded (least recently used first). */
  private static final class Follower {
    final JournalCursor cursor;
    final Filter filter;
    final LinkedHashMap<String, SagaEntity.Saga> sagas = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, SagaEntity.Saga> eldest) {
        return size() > REMEMBERED_SAGAS;
      }
    };

    Follower(long offset, Filter filter) {
      this.cursor = new JournalCursor(offset);
      this.filter = filter;
    }
  }

  public SagaTransitionStream(ActorSystem<?> system, JdbcJournalTail journal, EntityEvents events, Duration gapTimeout) {
    this.system = system;
    this.journal = journal;
    this.events = events;
    this.gapTimeout = gapTimeout;
  }

  public Route route() {
    return path("events", () -> get(() -> parameterOptional("definition", definition -> parameterOptional("status", status ->
        optionalHeaderValueByName("Last-Event-ID", lastEventId -> {
          Filter filter = new Filter(definition.map(SagaTransitionStream::definitionName), status.map(SagaTransitionStream::status));
          return onSuccess(start(lastEventId, filter), follower ->
              completeOK(stream(follower), EventStreamMarshalling.toEventStream()));
        })))));
  }

  private static String definitionName(String given) {
    if (!Ids.isValid(given)) throw new HttpJson.BadRequest("definition: " + Ids.RULE, List.of("definition"));
    return given;
  }

  private static SagaEntity.SagaStatus status(String given) {
    try {
      return SagaEntity.SagaStatus.valueOf(given);
    } catch (IllegalArgumentException e) {
      throw new HttpJson.BadRequest("status: one of " + Arrays.toString(SagaEntity.SagaStatus.values()), List.of("status"));
    }
  }

  private CompletionStage<Follower> start(Optional<String> lastEventId, Filter filter) {
    if (lastEventId.isPresent()) {
      try {
        long offset = Long.parseLong(lastEventId.get().trim());
        if (offset >= 0) return CompletableFuture.completedFuture(new Follower(offset, filter));
      } catch (NumberFormatException e) {
        // a 400 below
      }
      throw new HttpJson.BadRequest("Last-Event-ID: not an id this stream gave (a journal offset)", List.of("Last-Event-ID"));
    }
    return journal.highestOrdering().thenApply(end -> new Follower(end, filter));
  }

  private Source<ServerSentEvent, NotUsed> stream(Follower follower) {
    return Source.unfoldAsync(follower, f -> next(f).thenApply(events -> Optional.of(Pair.create(f, events))))
        .mapConcat(events -> events)
        .buffer(BUFFER, OverflowStrategy.fail())
        .recover(BufferOverflowException.class, () ->
            ServerSentEvent.create(HttpJson.write(Map.of("error", "client too slow: more than " + BUFFER + " events behind")), "error"))
        .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat);
  }

  /** The next window's transitions; once the stream has caught up with the journal, after a pause. */
  private CompletionStage<List<ServerSentEvent>> next(Follower follower) {
    return journal.readEvents(follower.cursor.offset(), WINDOW, SAGA_PREFIX).thenCompose(window -> {
      List<JdbcJournalTail.EventRow> rows = follower.cursor.advance(window.rows(), window.windowEnd(), window.maxOrdering(),
          System.currentTimeMillis(), gapTimeout.toMillis());
      CompletionStage<List<ServerSentEvent>> out = recall(follower, rows).thenApply(recalled -> transitions(follower, rows, recalled));
      if (!follower.cursor.caughtUp(window.maxOrdering())) return out;
      return out.thenCompose(events -> Patterns.after(POLL, system.classicSystem().scheduler(), system.executionContext(),
          () -> CompletableFuture.completedFuture(events)));
    });
  }

  /** The sagas of these rows that the stream has not folded (it started after them, or forgot them), folded from the journal up to their first row here. */
  private CompletionStage<Map<String, SagaEntity.State>> recall(Follower follower, List<JdbcJournalTail.EventRow> rows) {
    Map<String, Long> firstRow = new LinkedHashMap<>();
    for (JdbcJournalTail.EventRow row : rows) {
      if (row.event() instanceof SagaEntity.Event && !follower.sagas.containsKey(row.persistenceId())) {
        // a saga that starts in these rows is folded from its start here, like the rest
        firstRow.putIfAbsent(row.persistenceId(), row.event() instanceof SagaEntity.SagaStarted ? -1L : row.ordering());
      }
    }
    firstRow.values().removeIf(ordering -> ordering < 0);
    Map<String, SagaEntity.State> recalled = new HashMap<>();
    CompletableFuture<?>[] reads = firstRow.entrySet().stream().map(entry -> events.after(entry.getKey(), 0).thenAccept(stored -> {
      SagaEntity.State state = new SagaEntity.NotStarted();
      for (EntityEvents.Stored event : stored) {
        if (event.ordering() >= entry.getValue()) break;
        if (event.event() instanceof SagaEntity.Event sagaEvent) state = SagaFold.apply(state, sagaEvent);
      }
      synchronized (recalled) {
        recalled.put(entry.getKey(), state);
      }
    }).toCompletableFuture()).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(reads).thenApply(done -> recalled);
  }

  private List<ServerSentEvent> transitions(Follower follower, List<JdbcJournalTail.EventRow> rows, Map<String, SagaEntity.State> recalled) {
    List<ServerSentEvent> out = new ArrayList<>();
    for (JdbcJournalTail.EventRow row : rows) {
      if (!(row.event() instanceof SagaEntity.Event event)) continue;
      SagaEntity.State before = follower.sagas.containsKey(row.persistenceId())
          ? follower.sagas.get(row.persistenceId())
          : recalled.getOrDefault(row.persistenceId(), new SagaEntity.NotStarted());
      if (!(SagaFold.apply(before, event) instanceof SagaEntity.Saga saga)) continue;
      if (saga.status().isEnded()) follower.sagas.remove(row.persistenceId());
      else follower.sagas.put(row.persistenceId(), saga);
      if (!follower.filter.accepts(saga)) continue;
      int seen = before instanceof SagaEntity.Saga earlier ? earlier.history().size() : 0;
      List<HistoryResponse> entries = saga.history().subList(seen, saga.history().size()).stream()
          .map(h -> new HistoryResponse(h.seq(), h.at(), h.type(), h.step(), h.detail())).toList();
      SagaTransition transition = new SagaTransition(saga.sagaId(), saga.definition(), saga.version(), saga.status().name(),
          saga.correlationId(), event.at(), entries);
      out.add(ServerSentEvent.create(HttpJson.write(transition), Optional.of("transition"), Optional.of(Long.toString(row.ordering())),
          OptionalInt.empty()));
    }
    return out;
  }
}
