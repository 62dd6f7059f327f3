package io.sagaorchestrator.orchestrator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Comparator;

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

  /**
   * The same data, whatever number types the trees hold: a tree read back from the journal may
   * hold 5 as an int where the one built from an object holds a long.
   */
  public static boolean same(JsonNode a, JsonNode b) {
    return a.equals(SAME_VALUE, b);
  }

  private static final Comparator<JsonNode> SAME_VALUE = (x, y) -> {
    if (x.equals(y)) return 0;
    return x.isNumber() && y.isNumber() && x.decimalValue().compareTo(y.decimalValue()) == 0 ? 0 : 1;
  };

  public static <D> D fromTree(JsonNode tree, Class<D> type) {
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("saga data does not read as " + type.getName(), e);
    }
  }
}
