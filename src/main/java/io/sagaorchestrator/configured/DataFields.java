package io.sagaorchestrator.configured;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sagaorchestrator.orchestrator.DataCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The data a configured saga needs, from its {@code data} block: {@code <field> = string | integer
 * | number | boolean}, {@code "string?"} (and so on) for a field that may be left out.
 */
final class DataFields implements DataCheck {
  enum Type {
    STRING("a string"), INTEGER("a whole number"), NUMBER("a number"), BOOLEAN("true or false");

    final String described;

    Type(String described) {
      this.described = described;
    }

    boolean accepts(JsonNode value) {
      return switch (this) {
        case STRING -> value.isTextual();
        case INTEGER -> value.isIntegralNumber();
        case NUMBER -> value.isNumber();
        case BOOLEAN -> value.isBoolean();
      };
    }
  }

  record Field(String name, Type type, boolean required) {}

  private final List<Field> fields;

  private DataFields(List<Field> fields) {
    this.fields = List.copyOf(fields);
  }

  static DataFields from(Config data, String key) {
    List<Field> fields = new ArrayList<>();
    Map<String, ConfigValue> sorted = new TreeMap<>();
    data.root().forEach(sorted::put);
    sorted.forEach((name, value) -> {
      String declared = value.valueType() == ConfigValueType.STRING ? (String) value.unwrapped() : "";
      boolean required = !declared.endsWith("?");
      String typeName = required ? declared : declared.substring(0, declared.length() - 1);
      Type type = switch (typeName) {
        case "string" -> Type.STRING;
        case "integer" -> Type.INTEGER;
        case "number" -> Type.NUMBER;
        case "boolean" -> Type.BOOLEAN;
        default -> throw new IllegalArgumentException(key + "." + name
            + ": must be string, integer, number or boolean (with a ? for an optional field), not " + value.render());
      };
      fields.add(new Field(name, type, required));
    });
    return new DataFields(fields);
  }

  Set<String> names() {
    return Set.copyOf(fields.stream().map(Field::name).toList());
  }

  @Override
  public List<FieldProblem> problems(JsonNode data) {
    List<FieldProblem> problems = new ArrayList<>();
    for (Field field : fields) {
      JsonNode value = data.get(field.name());
      if (value == null || value.isNull()) {
        if (field.required()) problems.add(new FieldProblem(field.name(), "required, " + field.type().described));
      } else if (!field.type().accepts(value)) {
        problems.add(new FieldProblem(field.name(), "must be " + field.type().described));
      }
    }
    return problems;
  }
}
