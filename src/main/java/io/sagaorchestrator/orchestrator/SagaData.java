package io.sagaorchestrator.orchestrator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Saga data travels and is persisted as a JSON tree, so the engine stays generic: each
 * definition names the Java type its steps read the tree into.
 */
public final class SagaData {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .findAndRegisterModules()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private SagaData() {}

  public static JsonNode toTree(Object data) {
    return MAPPER.valueToTree(data);
  }

  public static <D> D fromTree(JsonNode tree, Class<D> type) {
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("saga data does not read as " + type.getName(), e);
    }
  }
}
