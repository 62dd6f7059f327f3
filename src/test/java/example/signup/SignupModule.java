package example.signup;

import io.sagaorchestrator.infra.config.NodeConfig;
import io.sagaorchestrator.node.ModuleContext;
import io.sagaorchestrator.node.SagaModule;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaData;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.participants.http.HttpCall;
import io.sagaorchestrator.participants.http.HttpParticipant;
import io.sagaorchestrator.participants.http.HttpParticipants;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A user's saga over two services of theirs: open an account, then start its subscription. */
public final class SignupModule implements SagaModule {
  /** What {@code POST /sagas} carries as "data"; a field that does not fit is a 400 naming it. */
  public record Signup(String email, String plan, int seats) {}

  @Override
  public String name() {
    return "signup";
  }

  @Override
  public void install(ModuleContext node) {
    // Base URLs and limits: saga.participants.http.accounts { base-url, max-concurrent, breaker {...} }
    HttpParticipant accounts = HttpParticipants.get(node.system()).named("accounts");
    HttpParticipant billing = HttpParticipants.get(node.system()).named("billing");
    RetryPolicy retry = RetryPolicy.exponential(5, Duration.ofMillis(100), Duration.ofSeconds(2), 0.2);

    node.definition(SagaDefinition.builder("signup", 1, Signup.class)
        .step("account", step -> step
            .action(accounts.action((signup, at) -> HttpCall.put("/accounts/" + at.sagaId(), SagaData.toTree(signup).toString())))
            .compensation(accounts.action((signup, at) -> HttpCall.delete("/accounts/" + at.sagaId())))
            .retry(retry).timeout(Duration.ofSeconds(2)))
        .step("subscription", step -> step
            .action(billing.action((signup, at) -> HttpCall.post("/subscriptions",
                SagaData.toTree(Map.of("account", at.sagaId(), "plan", signup.plan(), "seats", signup.seats())).toString())))
            .compensation(billing.action((signup, at) -> HttpCall.delete("/subscriptions/" + at.sagaId())))
            .retry(retry).timeout(Duration.ofSeconds(2)))
        .compensationRetry(RetryPolicy.exponential(20, Duration.ofMillis(200), Duration.ofSeconds(5), 0.2))
        .deadline(Duration.ofMinutes(5))
        .build());
  }

  /** A node running this module beside the ones on the classpath (the order saga, configured sagas). */
  public static void main(String[] args) throws Exception {
    SagaNode.start(NodeConfig.load(), List.of(new SignupModule()));
  }
}
