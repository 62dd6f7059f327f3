package io.sagaorchestrator.order;

import com.typesafe.config.Config;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/** The order module's part of the configuration: its saga's policies and its participants' settings. */
public record OrderSettings(
    OrderSaga.Policies saga,
    Set<String> shippingCountries,
    Duration shipmentIdlePassivation,
    Duration participantsForgetAfter) {

  public static OrderSettings from(Config config) {
    Config saga = config.getConfig("saga");
    return new OrderSettings(
        policies(saga.getConfig("order-saga")),
        new LinkedHashSet<>(saga.getStringList("shipping.countries")),
        saga.getDuration("shipping.idle-passivation"),
        saga.getDuration("participants.forget-after"));
  }

  private static OrderSaga.Policies policies(Config c) {
    return new OrderSaga.Policies(
        stepPolicy(c.getConfig("payment")),
        stepPolicy(c.getConfig("inventory")),
        stepPolicy(c.getConfig("shipping")),
        RetryPolicy.from(c.getConfig("compensation")),
        c.getDuration("deadline"));
  }

  private static OrderSaga.StepPolicy stepPolicy(Config c) {
    return new OrderSaga.StepPolicy(RetryPolicy.from(c), c.getDuration("timeout"));
  }
}
