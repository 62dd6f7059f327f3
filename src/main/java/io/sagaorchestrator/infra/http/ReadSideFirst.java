package io.sagaorchestrator.infra.http;

import io.sagaorchestrator.infra.readside.ReadSide;
import io.sagaorchestrator.orchestrator.SagaEntity;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads that do not wake entities: an ended saga never changes again, so once its read-side row
 * says so, the row is the answer. Anything else (in flight, not projected yet, the read side off
 * or failing) is for the entity to answer.
 */
public final class ReadSideFirst {
  private static final Logger log = LoggerFactory.getLogger(ReadSideFirst.class);

  private ReadSideFirst() {}

  public static CompletionStage<Optional<SagaEntity.Summary>> ended(ReadSide readSide, String sagaId) {
    return readSide.sagas()
        .map(sagas -> sagas.findEnded(sagaId)
            .exceptionally(error -> {
              log.warn("read side unavailable for saga {}, asking its entity: {}", sagaId, error.getMessage());
              return Optional.empty();
            }))
        .orElseGet(() -> CompletableFuture.completedFuture(Optional.empty()));
  }
}
