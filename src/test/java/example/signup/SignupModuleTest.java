package example.signup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.client.NodeClient;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.TestConfig;
import io.sagaorchestrator.tools.ParticipantServer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's user module, as a user runs it: from code, beside the stock modules, over two services on loopback. */
class SignupModuleTest {
  private static DataDir dataDir;
  private static ParticipantServer accounts;
  private static ParticipantServer billing;
  private static SagaNode node;
  private static NodeClient api;

  @BeforeAll
  static void start() throws Exception {
    dataDir = new DataDir("signup");
    accounts = ParticipantServer.start();
    billing = ParticipantServer.start();
    var services = ConfigFactory.parseString("saga.participants.http.accounts.base-url = \"" + accounts.baseUrl() + "\"\n"
        + "saga.participants.http.billing.base-url = \"" + billing.baseUrl() + "\"");
    node = SagaNode.start(TestConfig.node(dataDir.path(), services), List.of(new SignupModule()));
    api = NodeClient.onLoopback(node.httpPort(), node.adminToken());
  }

  @AfterAll
  static void stop() {
    node.close();
    dataDir.close();
    accounts.close();
    billing.close();
  }

  private static String signup(String sagaId) {
    return "{\"definition\": \"signup\", \"sagaId\": \"" + sagaId + "\", \"data\": {\"email\": \"ada@example.com\", \"plan\": \"team\", \"seats\": 5}}";
  }

  private static JsonNode awaitStatus(String sagaId, String status) {
    JsonNode[] saga = new JsonNode[1];
    Eventually.within(Duration.ofSeconds(15), () -> {
      saga[0] = api.get("/sagas/" + sagaId).json();
      assertEquals(status, saga[0].path("status").asText(), saga[0].toString());
    });
    return saga[0];
  }

  @Test
  void runsBesideTheStockModules() {
    String definitions = api.get("/definitions").body();
    assertTrue(definitions.contains("\"signup\"") && definitions.contains("\"order\""), definitions);
  }

  @Test
  void opensTheAccountThenTheSubscription() {
    String sagaId = "signup-" + UUID.randomUUID();
    assertEquals(202, api.post("/sagas", signup(sagaId)).status());
    awaitStatus(sagaId, "COMPLETED");
    assertTrue(accounts.isBooked(sagaId + ":account"));
    assertTrue(billing.isBooked(sagaId + ":subscription"));
    var subscription = billing.received().stream().filter(r -> r.header("Idempotency-Key").equals(sagaId + ":subscription")).findFirst().orElseThrow();
    assertTrue(subscription.body().contains("\"seats\":5"), subscription.body());
  }

  @Test
  void closesTheAccountWhenBillingRefuses() {
    billing.refuse("card declined");
    try {
      String sagaId = "signup-" + UUID.randomUUID();
      assertEquals(202, api.post("/sagas", signup(sagaId)).status());
      JsonNode saga = awaitStatus(sagaId, "COMPENSATED");
      assertTrue(saga.path("reason").asText().contains("card declined"), saga.toString());
      assertTrue(accounts.isCancelled(sagaId + ":account"));
    } finally {
      billing.book();
    }
  }

  @Test
  void refusesDataThatDoesNotFitTheSignup() {
    var response = api.post("/sagas", "{\"definition\": \"signup\", \"data\": {\"email\": \"ada@example.com\", \"plan\": \"team\", \"seats\": \"five\"}}");
    assertEquals(400, response.status(), response.body());
    assertEquals("data.seats", response.json().path("details").path(0).asText());
  }
}
