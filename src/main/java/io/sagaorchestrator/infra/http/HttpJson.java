package io.sagaorchestrator.infra.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.sagaorchestrator.infra.http.dto.Dtos.ErrorResponse;
import java.util.List;
import java.util.stream.Collectors;

/** JSON in and out, and the one error shape: {"error": "...", "details": [...]}. */
public final class HttpJson {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .findAndRegisterModules()
      .registerModule(new SimpleModule("strict-strings").addDeserializer(String.class, new StrictStringDeserializer()))
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  private HttpJson() {}

  /** Jackson turns a number into a string by default; an id sent as 12 is a client error here. */
  private static final class StrictStringDeserializer extends StdScalarDeserializer<String> {
    StrictStringDeserializer() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
      if (parser.hasToken(JsonToken.VALUE_STRING)) return parser.getText();
      return (String) context.handleUnexpectedToken(String.class, parser);
    }
  }

  /** Thrown for a body that cannot be read; answered with 400 and its message. */
  public static final class BadRequest extends RuntimeException {
    private final List<String> details;

    public BadRequest(String message, List<String> details) {
      super(message);
      this.details = List.copyOf(details);
    }

    public List<String> details() {
      return details;
    }
  }

  public static <T> T read(String body, Class<T> type) {
    if (body == null || body.isBlank()) throw new BadRequest("request body is empty: a JSON object is required", List.of());
    try {
      T value = MAPPER.readValue(body, type);
      if (value == null) throw new BadRequest("request body must be a JSON object", List.of());
      return value;
    } catch (JsonProcessingException e) {
      throw badRequest(e, "");
    }
  }

  /** {@code node}, a part of a request body found at {@code at} ("payment", "data"), as {@code type}. */
  public static <T> T convert(JsonNode node, Class<T> type, String at) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException e) {
      throw badRequest(e, at);
    }
  }

  /** The 400 for a body Jackson could not read, naming the field it stopped at (below {@code at}). */
  private static BadRequest badRequest(JsonProcessingException error, String at) {
    if (error instanceof MismatchedInputException e) {
      String field = join(at, fieldPath(e));
      String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
      return new BadRequest(field.isEmpty() ? "request body must be a JSON object" : field + ": must be " + expected,
          List.of(field.isEmpty() ? "body" : field));
    }
    if (error instanceof JsonMappingException e) {
      String field = join(at, fieldPath(e));
      return new BadRequest((field.isEmpty() ? "body" : field) + ": " + e.getOriginalMessage(),
          field.isEmpty() ? List.of() : List.of(field));
    }
    return new BadRequest("malformed JSON: " + error.getOriginalMessage(), List.of());
  }

  private static String join(String at, String field) {
    if (at.isEmpty()) return field;
    return field.isEmpty() ? at : at + "." + field;
  }

  private static String describe(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "a whole number";
    if (type == Double.class || type == double.class) return "a number";
    if (type == String.class) return "a string";
    if (java.util.Collection.class.isAssignableFrom(type)) return "an array";
    return "an object";
  }

  private static String fieldPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining())
        .replaceFirst("^\\.", "");
  }

  public static HttpResponse response(StatusCode status, Object body) {
    try {
      return HttpResponse.create().withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw cannotRender(body, e);
    }
  }

  public static String write(Object body) {
    try {
      return MAPPER.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw cannotRender(body, e);
    }
  }

  private static IllegalStateException cannotRender(Object body, JsonProcessingException e) {
    return new IllegalStateException("cannot render " + body.getClass().getSimpleName(), e);
  }

  public static HttpResponse ok(Object body) {
    return response(StatusCodes.OK, body);
  }

  public static HttpResponse error(StatusCode status, String message) {
    return error(status, message, List.of());
  }

  public static HttpResponse error(StatusCode status, String message, List<String> details) {
    return response(status, new ErrorResponse(message, details));
  }
}
