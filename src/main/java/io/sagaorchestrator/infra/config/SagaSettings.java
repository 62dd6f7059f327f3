package io.sagaorchestrator.infra.config;

import com.typesafe.config.Config;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaEntity;
import io.sagaorchestrator.orchestrator.SagaKeeper;
import io.sagaorchestrator.order.OrderSaga;
import io.sagaorchestrator.participants.OrderParticipants;
import io.sagaorchestrator.participants.faults.FaultSettings;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The typed view of the {@code saga} section of the configuration. */
public record SagaSettings(
    HttpSettings http,
    SagaEntity.EngineSettings engine,
    SagaKeeper.Settings keeper,
    Set<String> shippingCountries,
    Duration shipmentIdlePassivation,
    Duration participantsForgetAfter,
    OrderSaga.Policies orderSaga,
    FaultSettings faults) {

  public record HttpSettings(String host, int port, String adminToken, Duration askTimeout, int askAttempts) {}

  public static SagaSettings from(Config config) {
    Config saga = config.getConfig("saga");
    Config http = saga.getConfig("http");
    return new SagaSettings(
        new HttpSettings(http.getString("host"), http.getInt("port"), http.getString("admin-token").trim(),
            http.getDuration("ask-timeout"), http.getInt("ask-attempts")),
        new SagaEntity.EngineSettings(saga.getDuration("engine.passivate-after-end")),
        new SagaKeeper.Settings(saga.getDuration("keeper.poll-interval"), saga.getDuration("keeper.stall-after"),
            saga.getDuration("keeper.gap-timeout"), saga.getDuration("keeper.checkpoint-interval"), saga.getInt("keeper.window")),
        new LinkedHashSet<>(saga.getStringList("shipping.countries")),
        saga.getDuration("shipping.idle-passivation"),
        saga.getDuration("participants.forget-after"),
        orderSagaPolicies(saga.getConfig("order-saga")),
        faults(saga.getConfig("faults")));
  }

  private static OrderSaga.Policies orderSagaPolicies(Config c) {
    return new OrderSaga.Policies(
        stepPolicy(c.getConfig("payment")),
        stepPolicy(c.getConfig("inventory")),
        stepPolicy(c.getConfig("shipping")),
        retry(c.getConfig("compensation")),
        c.getDuration("deadline"));
  }

  private static OrderSaga.StepPolicy stepPolicy(Config c) {
    return new OrderSaga.StepPolicy(retry(c), c.getDuration("timeout"));
  }

  private static RetryPolicy retry(Config c) {
    return RetryPolicy.exponential(c.getInt("max-attempts"), c.getDuration("initial-backoff"),
        c.getDuration("max-backoff"), c.getDouble("jitter"));
  }

  private static FaultSettings faults(Config c) {
    return new FaultSettings(c.getLong("seed"), Map.of(
        OrderParticipants.PAYMENT, participantFaults(c.getConfig(OrderParticipants.PAYMENT)),
        OrderParticipants.INVENTORY, participantFaults(c.getConfig(OrderParticipants.INVENTORY)),
        OrderParticipants.SHIPPING, participantFaults(c.getConfig(OrderParticipants.SHIPPING))));
  }

  private static FaultSettings.ParticipantFaults participantFaults(Config c) {
    return new FaultSettings.ParticipantFaults(c.getDouble("failure-rate"), c.getDouble("timeout-rate"), c.getLong("latency-ms"));
  }
}
