package io.sagaorchestrator.configured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.orchestrator.SagaDefinition;
import io.sagaorchestrator.orchestrator.StepContext;
import io.sagaorchestrator.participants.http.HttpCall;
import io.sagaorchestrator.participants.http.HttpParticipant;
import io.sagaorchestrator.participants.http.HttpParticipantSettings;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.TestConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Reading {@code saga.definitions}: what a declared step sends, and every mistake named by its key. */
class ConfiguredSagaTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PARTICIPANTS = """
      saga.participants.http-defaults { base-url = "", max-concurrent = 4, breaker { max-failures = 5, call-timeout = 1s, reset-timeout = 1s } }
      saga.participants.http.hotel.base-url = "http://127.0.0.1:9/api"
      """;
  private static final String STEP = """
      { name = hotel, action { method = PUT, url = "/hotels/{data.city}/bookings/{sagaId}", headers { X-Nights = "{data.nights}" },
          body { nights = "{data.nights}", note = "{data.city} for {data.nights} nights", tags = ["{step}"] } },
        compensation { method = DELETE, url = "/hotels/{data.city}/bookings/{sagaId}" },
        retry { max-attempts = 2, initial-backoff = 10ms, max-backoff = 20ms, jitter = 0 }, timeout = 1s }
      """;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static SagaDefinition<JsonNode> read(String definition) {
    Config config = ConfigFactory.parseString(PARTICIPANTS + "\nsaga.definitions.trip {" + definition + "}").resolve();
    return ConfiguredSaga.from("trip", config.getConfig("saga.definitions.trip"),
        name -> HttpParticipant.create(testKit.system(), HttpParticipantSettings.from(config, name)));
  }

  private static String definition(String data, String steps) {
    return "version = 1, deadline = 1m, data { " + data + " }, steps = [ " + steps + " ]";
  }

  private static void assertRefused(String definition, String message) {
    var error = assertThrows(IllegalArgumentException.class, () -> read(definition));
    assertTrue(error.getMessage().startsWith(message), error.getMessage());
  }

  @Test
  void aDeclaredStepSendsItsTemplatesFilledFromTheDataAndTheAttempt() throws Exception {
    SagaDefinition<JsonNode> saga = read(definition("city = string, nights = integer, note = \"string?\"", STEP));
    assertEquals(JsonNode.class, saga.dataType());
    JsonNode data = JSON.readTree("{\"city\": \"São Paulo\", \"nights\": 2}");
    var step = new StepContext("t-1", "hotel", "t-1:hotel", 1, Duration.ofSeconds(1), Instant.now().plusSeconds(1), "c-1");
    HttpCall call = HttpCallTemplate.from(ConfigFactory.parseString(STEP).getConfig("action"), "action", Set.of("city", "nights"))
        .render(data, step);
    assertEquals("PUT", call.method());
    assertEquals("/hotels/S%C3%A3o%20Paulo/bookings/t-1", call.url());
    assertEquals(Map.of("X-Nights", "2"), call.headers());
    assertEquals(JSON.readTree("{\"nights\": 2, \"note\": \"São Paulo for 2 nights\", \"tags\": [\"hotel\"]}"), JSON.readTree(call.body()));
    assertEquals("application/json", call.contentType());
  }

  @Test
  void theDataCheckNamesMissingAndMistypedFields() throws Exception {
    SagaDefinition<JsonNode> saga = read(definition("city = string, nights = integer, note = \"string?\"", STEP));
    assertEquals("[]", saga.dataCheck().problems(JSON.readTree("{\"city\": \"Oslo\", \"nights\": 1}")).toString());
    var problems = saga.dataCheck().problems(JSON.readTree("{\"nights\": true, \"note\": 5}"));
    assertEquals(List.of("city: required, a string", "nights: must be a whole number", "note: must be a string"),
        problems.stream().map(p -> p.field() + ": " + p.message()).toList());
  }

  @Test
  void everyMistakeIsNamedByItsKey() {
    assertRefused(definition("city = string, nights = int", STEP), "saga.definitions.trip.data.nights: must be string, integer");
    assertRefused(definition("city = string", STEP), "saga.definitions.trip.steps[0].action.headers.X-Nights: unknown placeholder {data.nights}");
    assertRefused(definition("city = string, nights = integer", STEP.replace("PUT", "TELEPORT")),
        "saga.definitions.trip.steps[0].action.method: must be one of");
    assertRefused(definition("city = string, nights = integer", STEP.replace("timeout = 1s", "timeouts = 1s")),
        "saga.definitions.trip.steps[0].timeouts: unknown key");
    assertRefused(definition("city = string, nights = integer", STEP.replace(", timeout = 1s", "")),
        "saga.definitions.trip.steps[0]: ");
    assertRefused(definition("city = string, nights = integer", STEP.replace("name = hotel", "name = hotel, participant = spa")),
        "saga.definitions.trip.steps[0].action.url: a path needs saga.participants.http.spa.base-url");
    assertRefused(definition("city = string, nights = integer", ""), "saga.definitions.trip.steps: must list at least one step");
    assertRefused("version = 1, data {}, steps = []", "saga.definitions.trip: ");
  }

  @Test
  void aNodeWithABadDefinitionDoesNotStart() {
    try (DataDir dataDir = new DataDir("bad-definition")) {
      Config bad = ConfigFactory.parseString("saga.definitions.trip {" + definition("city = string", STEP) + "}\n"
          + "saga.participants.http.hotel.base-url = \"http://127.0.0.1:9\"");
      var error = assertThrows(IllegalArgumentException.class, () -> SagaNode.start(TestConfig.node(dataDir.path(), bad)));
      assertTrue(error.getMessage().contains("saga.definitions.trip.steps[0].action.headers.X-Nights: unknown placeholder"), error.getMessage());
    }
  }
}
