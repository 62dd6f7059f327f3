package io.sagaorchestrator.participants.faults;

import akka.actor.typed.ActorSystem;
import akka.pattern.Patterns;
import io.sagaorchestrator.orchestrator.StepOutcome;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Sits in front of the in-process participants and, per their {@link FaultSettings}, fails a
 * call, delays it, or applies it and drops the reply. Draws come from one seeded generator, so
 * the same seed and the same call order give the same faults.
 */
public final class FaultInjector {
  private final ActorSystem<?> system;
  private volatile FaultSettings settings;
  private SplittableRandom random;

  public FaultInjector(ActorSystem<?> system, FaultSettings initial) {
    this.system = system;
    update(initial);
  }

  public synchronized void update(FaultSettings next) {
    this.settings = next;
    this.random = new SplittableRandom(next.seed());
  }

  public FaultSettings settings() {
    return settings;
  }

  public CompletionStage<StepOutcome> call(String participant, Supplier<CompletionStage<StepOutcome>> send) {
    FaultSettings.ParticipantFaults faults = settings.of(participant);
    if (faults.equals(FaultSettings.ParticipantFaults.NONE)) return send.get();
    double failureDraw;
    double timeoutDraw;
    synchronized (this) {
      failureDraw = random.nextDouble();
      timeoutDraw = random.nextDouble();
    }
    if (failureDraw < faults.failureRate()) {
      return CompletableFuture.completedFuture(new StepOutcome.Failed("injected failure at " + participant));
    }
    CompletionStage<StepOutcome> sent = faults.latencyMs() > 0
        ? Patterns.after(Duration.ofMillis(faults.latencyMs()), system.classicSystem().scheduler(),
            system.executionContext(), send::get)
        : send.get();
    if (timeoutDraw < faults.timeoutRate()) {
      return sent.thenCompose(outcome ->
          CompletableFuture.failedFuture(new TimeoutException("reply dropped by fault injector at " + participant)));
    }
    return sent;
  }
}
