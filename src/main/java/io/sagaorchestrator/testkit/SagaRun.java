package io.sagaorchestrator.testkit;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import io.sagaorchestrator.orchestrator.SagaData;
import io.sagaorchestrator.orchestrator.SagaDefinitions;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaEntity.SagaStatus;
import io.sagaorchestrator.orchestrator.SagaEntity.Summary;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** One saga the kit runs: its summary as the API shows it, its stored events, and restarts on other nodes. */
public final class SagaRun {
  private final SagaTestKit kit;
  private final String sagaId;
  private ActorRef<SagaEntity.Command> entity;
  private int incarnation;

  SagaRun(SagaTestKit kit, String sagaId) {
    this.kit = kit;
    this.sagaId = sagaId;
  }

  public String sagaId() {
    return sagaId;
  }

  void startOn(SagaDefinitions definitions, String definition, Object data) {
    spawn(definitions);
    StatusReply<Done> started = ask(replyTo -> new SagaEntity.StartSaga(definition, SagaData.toTree(data), "corr-" + sagaId, false, replyTo));
    if (started.isError()) throw new AssertionError("the saga did not start: " + started.getError().getMessage());
  }

  /**
   * Stops the saga where it stands and recovers it on a node with {@code definitions}: a restart,
   * a rebalance, or a deploy of another build. Its calls in flight are never answered.
   */
  public SagaRun restartOn(SagaDefinitions definitions) {
    kit.actors().stop(entity, SagaTestKit.WAIT);
    spawn(definitions);
    return this;
  }

  /** What the keeper sends a saga that made no progress: a blocked one looks at its node's definitions again. */
  public void wake() {
    entity.tell(new SagaEntity.Wake());
  }

  public Summary summary() {
    StatusReply<Summary> reply = ask(SagaEntity.GetSaga::new);
    return reply.getValue();
  }

  public SagaStatus status() {
    return summary().status();
  }

  /** Waits, on the wall clock, until the saga shows {@code status}; returns its summary then. */
  public Summary awaitStatus(SagaStatus status) {
    return kit.actors().createTestProbe().awaitAssert(SagaTestKit.WAIT, () -> {
      Summary summary = summary();
      if (summary.status() != status) throw new AssertionError("saga " + sagaId + " is not " + status + ": " + summary);
      return summary;
    });
  }

  /** Every event stored so far, in order. */
  public List<SagaEntity.Event> events() {
    String persistenceId = PersistenceId.of(SagaEntity.ENTITY_TYPE_KEY.name(), sagaId).id();
    return kit.journal().persistedInStorage(persistenceId).stream().map(SagaEntity.Event.class::cast).toList();
  }

  /** The simple class names of {@link #events()}: "SagaStarted", "StepSucceeded", … */
  public List<String> eventNames() {
    return events().stream().map(event -> event.getClass().getSimpleName()).toList();
  }

  private void spawn(SagaDefinitions definitions) {
    entity = kit.actors().spawn(kit.entity(sagaId, definitions), sagaId + "-" + ++incarnation);
  }

  private <R> R ask(Function<ActorRef<R>, SagaEntity.Command> command) {
    CompletionStage<R> answer = AskPattern.ask(entity, command::apply, SagaTestKit.WAIT, kit.actors().scheduler());
    try {
      return answer.toCompletableFuture().get(SagaTestKit.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("saga " + sagaId + " did not answer", e);
    }
  }
}
