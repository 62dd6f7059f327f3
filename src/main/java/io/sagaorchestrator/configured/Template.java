package io.sagaorchestrator.configured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.sagaorchestrator.orchestrator.StepContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A string with placeholders over a saga's data and the step attempt: {@code {data.<field>}},
 * {@code {data}} (the whole data as JSON), {@code {sagaId}}, {@code {correlationId}},
 * {@code {idempotencyKey}}, {@code {step}}, {@code {attempt}}, {@code {notAfter}}; {@code {{}
 * is a literal brace. Placeholders are checked as the node starts, so a typo fails the start.
 */
final class Template {
  private static final Set<String> STEP_VALUES = Set.of("sagaId", "correlationId", "idempotencyKey", "step", "attempt", "notAfter");

  private sealed interface Part {}

  private record Literal(String text) implements Part {}

  private record Placeholder(String name) implements Part {}

  private final List<Part> parts;

  private Template(List<Part> parts) {
    this.parts = List.copyOf(parts);
  }

  /** {@code text} as a template; {@code key} names it in the error when a placeholder is unknown. */
  static Template parse(String text, Set<String> dataFields, String key) {
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '{') {
        literal.append(c);
        i++;
      } else if (text.startsWith("{{", i)) {
        literal.append('{');
        i += 2;
      } else {
        int end = text.indexOf('}', i);
        if (end < 0) throw new IllegalArgumentException(key + ": '{' without '}' in \"" + text + "\" (write {{ for a brace)");
        String name = text.substring(i + 1, end);
        boolean known = STEP_VALUES.contains(name) || name.equals("data")
            || (name.startsWith("data.") && dataFields.contains(name.substring(5)));
        if (!known) {
          throw new IllegalArgumentException(key + ": unknown placeholder {" + name + "} in \"" + text + "\"; known: {data}, "
              + "{data.<a field declared in data>}, " + String.join(", ", STEP_VALUES.stream().sorted().map(v -> "{" + v + "}").toList()));
        }
        if (!literal.isEmpty()) parts.add(new Literal(literal.toString()));
        literal.setLength(0);
        parts.add(new Placeholder(name));
        i = end + 1;
      }
    }
    if (!literal.isEmpty()) parts.add(new Literal(literal.toString()));
    return new Template(parts);
  }

  boolean startsWith(String prefix) {
    return !parts.isEmpty() && parts.get(0) instanceof Literal l && l.text().startsWith(prefix);
  }

  /** The text, each placeholder's value passed through {@code encode} (URL encoding, or none). */
  String render(JsonNode data, StepContext step, UnaryOperator<String> encode) {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Literal l) out.append(l.text());
      else if (part instanceof Placeholder p) out.append(encode.apply(text(value(p.name(), data, step))));
    }
    return out.toString();
  }

  /** As a JSON value: a template that is one placeholder keeps its value's type ("{data.nights}" stays a number). */
  JsonNode renderJson(JsonNode data, StepContext step) {
    if (parts.size() == 1 && parts.get(0) instanceof Placeholder p) return value(p.name(), data, step);
    return TextNode.valueOf(render(data, step, UnaryOperator.identity()));
  }

  private static JsonNode value(String name, JsonNode data, StepContext step) {
    if (name.equals("data")) return data;
    if (name.startsWith("data.")) {
      JsonNode field = data.get(name.substring(5));
      return field == null ? TextNode.valueOf("") : field;
    }
    return TextNode.valueOf(switch (name) {
      case "sagaId" -> step.sagaId();
      case "correlationId" -> step.correlationId() == null ? "" : step.correlationId();
      case "idempotencyKey" -> step.idempotencyKey();
      case "step" -> step.stepName();
      case "attempt" -> Integer.toString(step.attempt());
      case "notAfter" -> step.notAfter().toString();
      default -> throw new IllegalStateException("placeholder " + name + " passed the check");
    });
  }

  private static String text(JsonNode value) {
    return value.isValueNode() ? value.asText() : value.toString();
  }
}
