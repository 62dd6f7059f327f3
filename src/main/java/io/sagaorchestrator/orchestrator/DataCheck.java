package io.sagaorchestrator.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a definition asks of a saga's data beyond reading as its data type: a definition over a
 * JSON tree (one declared in configuration) says here which fields it needs. {@code POST /sagas}
 * answers 400 naming the first field with a problem.
 */
@FunctionalInterface
public interface DataCheck {
  DataCheck NONE = data -> List.of();

  /** A field (relative to the data: "nights") and what is wrong with it. */
  record FieldProblem(String field, String message) {}

  /** The data's problems, in field order; empty when it will do. */
  List<FieldProblem> problems(JsonNode data);
}
