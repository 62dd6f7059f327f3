package io.sagaorchestrator.testkit;

import io.sagaorchestrator.orchestrator.StepAction;
import io.sagaorchestrator.orchestrator.StepContext;
import io.sagaorchestrator.orchestrator.StepOutcome;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A step action (or compensation) the test answers: each call waits in {@link #expectCall()} until the test takes it. */
public final class TestParticipant<D> implements StepAction<D> {
  private final String name;
  private final LinkedBlockingQueue<Call<D>> calls = new LinkedBlockingQueue<>();

  TestParticipant(String name) {
    this.name = name;
  }

  /** One call the saga made: what it was told, and the answer the test gives. */
  public record Call<D>(D data, StepContext context, CompletableFuture<StepOutcome> answer) {
    public void succeed() {
      answer.complete(StepOutcome.succeeded());
    }

    public void reject(String reason) {
      answer.complete(new StepOutcome.Rejected(reason));
    }

    public void fail(String reason) {
      answer.complete(new StepOutcome.Failed(reason));
    }
  }

  @Override
  public CompletionStage<StepOutcome> invoke(D data, StepContext context) {
    var call = new Call<>(data, context, new CompletableFuture<>());
    calls.add(call);
    return call.answer();
  }

  /** The next call, waiting up to a few seconds of wall clock for it (the saga's clock does not move). */
  public Call<D> expectCall() {
    try {
      Call<D> call = calls.poll(SagaTestKit.WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (call == null) throw new AssertionError("participant " + name + " was not called");
      return call;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** No call waits to be taken now. */
  public boolean hasNoCall() {
    return calls.isEmpty();
  }
}
