package io.sagaorchestrator.configured;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.node.ModuleContext;
import io.sagaorchestrator.node.SagaModule;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.participants.http.HttpParticipants;

/**
 * The sagas declared in configuration under {@code saga.definitions}, over HTTP participants: no
 * Java needed. Each is started with {@code POST /sagas}; its data is a JSON object checked
 * against the definition's {@code data} fields. Bad configuration fails the node's start.
 */
public final class ConfiguredSagasModule implements SagaModule {
  @Override
  public String name() {
    return "configured-sagas";
  }

  @Override
  public void install(ModuleContext node) {
    for (SagaDefinition<JsonNode> definition : ConfiguredSaga.all(node.config(), HttpParticipants.get(node.system()))) {
      node.definition(definition);
    }
  }
}
