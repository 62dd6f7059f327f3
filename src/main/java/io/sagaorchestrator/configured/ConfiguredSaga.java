package io.sagaorchestrator.configured;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigUtil;
import io.sagaorchestrator.orchestrator.RetryPolicy;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.participants.http.HttpParticipant;
import io.sagaorchestrator.participants.http.HttpParticipants;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One saga declared under {@code saga.definitions.<name>} (docs/http-participant.md): its data
 * fields, and steps whose action and compensation are HTTP calls. Any mistake fails with the key
 * it is at, so a node with bad definitions does not start.
 */
final class ConfiguredSaga {
  static final String DEFINITIONS = "saga.definitions";
  private static final Set<String> DEFINITION_KEYS = Set.of("version", "deadline", "compensation-retry", "data", "steps");
  private static final Set<String> STEP_KEYS =
      Set.of("name", "participant", "action", "compensation", "retry", "timeout", "rejection-applies-nothing");

  private ConfiguredSaga() {}

  static SagaDefinition<JsonNode> from(String name, Config c, Function<String, HttpParticipant> participants) {
    String key = DEFINITIONS + "." + ConfigUtil.joinPath(name);
    return parsed(key, () -> {
      onlyKeys(c, DEFINITION_KEYS, key);
      DataFields data = DataFields.from(c.getConfig("data"), key + ".data");
      var builder = SagaDefinition.builder(name, c.getInt("version"), JsonNode.class)
          .deadline(c.getDuration("deadline"))
          .dataCheck(data);
      if (c.hasPath("compensation-retry")) builder.compensationRetry(RetryPolicy.from(c.getConfig("compensation-retry")));
      List<? extends Config> steps = c.getConfigList("steps");
      if (steps.isEmpty()) throw new IllegalArgumentException(key + ".steps: must list at least one step");
      for (int i = 0; i < steps.size(); i++) {
        String stepKey = key + ".steps[" + i + "]";
        Config step = steps.get(i);
        parsed(stepKey, () -> {
          onlyKeys(step, STEP_KEYS, stepKey);
          String stepName = step.getString("name");
          HttpParticipant participant = participants.apply(step.hasPath("participant") ? step.getString("participant") : stepName);
          HttpCallTemplate action = call(step.getConfig("action"), stepKey + ".action", data, participant);
          HttpCallTemplate compensation = call(step.getConfig("compensation"), stepKey + ".compensation", data, participant);
          RetryPolicy retry = RetryPolicy.from(step.getConfig("retry"));
          boolean firm = step.hasPath("rejection-applies-nothing") && step.getBoolean("rejection-applies-nothing");
          builder.step(stepName, spec -> {
            spec.action(participant.action(action::render)).compensation(participant.action(compensation::render))
                .retry(retry).timeout(step.getDuration("timeout"));
            return firm ? spec.rejectionAppliesNothing() : spec;
          });
          return null;
        });
      }
      return builder.build();
    });
  }

  private static HttpCallTemplate call(Config c, String key, DataFields data, HttpParticipant participant) {
    HttpCallTemplate call = HttpCallTemplate.from(c, key, data.names());
    if (call.isRelative() && participant.baseUrl().isEmpty()) {
      throw new IllegalArgumentException(key + ".url: a path needs saga.participants.http."
          + ConfigUtil.joinPath(participant.name()) + ".base-url, which is not set");
    }
    return call;
  }

  static void onlyKeys(Config c, Set<String> known, String key) {
    Set<String> unknown = new TreeSet<>(c.root().keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(key + "." + unknown.iterator().next() + ": unknown key; known: " + new TreeSet<>(known));
    }
  }

  /** Runs {@code parse}, naming {@code key} in a configuration library error (which knows only the key inside it). */
  private static <T> T parsed(String key, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  static List<SagaDefinition<JsonNode>> all(Config config, HttpParticipants participants) {
    Config definitions = config.getConfig(DEFINITIONS);
    return new TreeSet<>(definitions.root().keySet()).stream()
        .map(name -> from(name, definitions.getConfig(ConfigUtil.joinPath(name)), participants::named))
        .toList();
  }
}
