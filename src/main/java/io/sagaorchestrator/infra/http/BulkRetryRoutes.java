package io.sagaorchestrator.infra.http;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.sagaorchestrator.infra.http.dto.Dtos.BulkRetryAccepted;
import io.sagaorchestrator.infra.readside.ReadSide;
import io.sagaorchestrator.infra.readside.SagaQuery;
import io.sagaorchestrator.infra.readside.SagaSummaries;
import io.sagaorchestrator.infra.readside.StuckRule;
import io.sagaorchestrator.orchestrator.SagaEntity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/sagas/retry}: resume the PARKED sagas a filter selects (GET /sagas's
 * filters, at most {@code max}), at most {@code saga.http.bulk-retry-per-second}, so the
 * participants that parked them are not hit by all of them at once. It answers 202 with the
 * sagas selected once the selection is made, and logs how the resumption went.
 */
public final class BulkRetryRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(BulkRetryRoutes.class);
  static final int DEFAULT_MAX = 1_000;
  static final int MOST = 10_000;
  private static final Set<String> PARAMETERS = Set.of("definition", "step", "since", "until", "correlationId", "max");
  private static final int IN_FLIGHT = 4;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ReadSide readSide;
  private final StuckRule stuck;
  private final Duration askTimeout;
  private final int perSecond;

  public BulkRetryRoutes(ActorSystem<?> system, ReadSide readSide, StuckRule stuck, Duration askTimeout, int perSecond) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.readSide = readSide;
    this.stuck = stuck;
    this.askTimeout = askTimeout;
    this.perSecond = perSecond;
  }

  public Route route() {
    return path(PathMatchers.segment("sagas").slash("retry"), () -> post(() -> parameterMap(parameters -> completeWithFuture(retry(parameters)))));
  }

  private CompletionStage<HttpResponse> retry(Map<String, String> parameters) {
    PageParameters.rejectUnknown(parameters, PARAMETERS, "POST /admin/sagas/retry");
    int max = PageParameters.number(parameters, "max", DEFAULT_MAX, MOST);
    if (readSide.sagas().isEmpty()) {
      return CompletableFuture.completedFuture(HttpJson.error(StatusCodes.SERVICE_UNAVAILABLE,
          "the read side is off on this node (saga.read-side.enabled); POST /sagas/{id}/retry retries one saga"));
    }
    SagaSummaries sagas = readSide.sagas().get();
    Map<String, String> filter = new HashMap<>(parameters);
    filter.remove("max");
    filter.put("status", SagaEntity.SagaStatus.PARKED.name());
    filter.put("limit", Integer.toString(Math.min(max, sagas.maxPageSize())));
    SagaQuery first = SagaListing.query(filter, sagas.maxPageSize());
    return select(sagas, first, max, new ArrayList<>()).thenApply(selected -> {
      resume(selected);
      return HttpJson.response(StatusCodes.ACCEPTED, new BulkRetryAccepted(selected.size(), perSecond, selected));
    });
  }

  /** The parked sagas' ids, page after page, up to {@code max}. */
  private CompletionStage<List<String>> select(SagaSummaries sagas, SagaQuery query, int max, List<String> selected) {
    return sagas.list(query, stuck, Instant.now()).thenCompose(page -> {
      for (SagaSummaries.Row row : page.sagas()) {
        if (selected.size() < max) selected.add(row.sagaId());
      }
      if (selected.size() >= max || page.next().isEmpty()) return CompletableFuture.completedFuture(selected);
      return select(sagas, query.after(page.next().get()), max, selected);
    });
  }

  private void resume(List<String> sagaIds) {
    if (sagaIds.isEmpty()) return;
    log.info("bulk retry: resuming {} parked sagas at {} a second", sagaIds.size(), perSecond);
    Source.from(sagaIds)
        .throttle(perSecond, Duration.ofSeconds(1))
        .mapAsyncUnordered(IN_FLIGHT, sagaId -> sharding.entityRefFor(SagaEntity.ENTITY_TYPE_KEY, sagaId)
            .<SagaEntity.ControlReply>ask(SagaEntity.ResumeSaga::new, askTimeout)
            .thenApply(reply -> reply.result().name())
            .exceptionally(error -> "FAILED"))
        .runWith(Sink.fold(new HashMap<String, Integer>(), (counts, result) -> {
          counts.merge(result, 1, Integer::sum);
          return counts;
        }), system)
        .thenAccept(counts -> log.info("bulk retry done: {} (ACCEPTED: resumed; CONFLICT: no longer parked)", counts));
  }
}
