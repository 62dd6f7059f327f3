package io.sagaorchestrator.configured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.node.SagaNode;
import io.sagaorchestrator.testsupport.DataDir;
import io.sagaorchestrator.testsupport.Eventually;
import io.sagaorchestrator.testsupport.TestConfig;
import io.sagaorchestrator.tools.ParticipantServer;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The trip saga of conf/examples/trip.conf on a node with the stock modules (found on the
 * classpath), against three booking services on loopback: declared in configuration, started with
 * {@code POST /sagas}, no Java of its own.
 */
class TripSagaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final File TRIP_CONF = new File("conf/examples/trip.conf");
  private static DataDir dataDir;
  private static ParticipantServer hotel;
  private static ParticipantServer airline;
  private static ParticipantServer carRental;
  private static SagaNode node;

  @BeforeAll
  static void start() throws Exception {
    dataDir = new DataDir("trip");
    hotel = ParticipantServer.start();
    airline = ParticipantServer.start();
    carRental = ParticipantServer.start();
    var services = ConfigFactory.parseString(String.join("\n",
        "saga.participants.http.hotel.base-url = \"" + hotel.baseUrl() + "\"",
        "saga.participants.http.airline.base-url = \"" + airline.baseUrl() + "\"",
        "saga.participants.http.car-rental.base-url = \"" + carRental.baseUrl() + "\""));
    node = SagaNode.start(TestConfig.node(dataDir.path(), services.withFallback(ConfigFactory.parseFile(TRIP_CONF))));
  }

  @AfterAll
  static void stop() {
    node.close();
    dataDir.close();
    hotel.close();
    airline.close();
    carRental.close();
  }

  private static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (headers.length > 0) request.headers(headers);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String trip(String sagaId, String traveller) {
    return "{\"definition\": \"trip\", \"sagaId\": \"" + sagaId + "\", \"data\": {\"traveller\": \"" + traveller
        + "\", \"city\": \"Lisbon\", \"nights\": 3, \"flight\": \"TP1234\", \"car\": \"compact\"}}";
  }

  private static JsonNode awaitStatus(String sagaId, String status) {
    JsonNode[] saga = new JsonNode[1];
    Eventually.within(Duration.ofSeconds(15), () -> {
      saga[0] = JSON.readTree(send("GET", "/sagas/" + sagaId, null).body());
      assertEquals(status, saga[0].path("status").asText(), saga[0].toString());
    });
    return saga[0];
  }

  private static List<ParticipantServer.Received> callsFor(ParticipantServer server, String sagaId) {
    return server.received().stream().filter(call -> call.path().endsWith("/" + sagaId)).toList();
  }

  @Test
  void tripsRunToCompletedBookingHotelFlightAndCarUnderTheirStepsKeys() throws Exception {
    List<String> trips = List.of("t-" + UUID.randomUUID(), "t-" + UUID.randomUUID());
    for (String sagaId : trips) {
      HttpResponse<String> accepted = send("POST", "/sagas", trip(sagaId, "ada"), "X-Correlation-Id", "corr-" + sagaId);
      assertEquals(202, accepted.statusCode(), accepted.body());
    }
    for (String sagaId : trips) {
      awaitStatus(sagaId, "COMPLETED");
      assertTrue(hotel.isBooked(sagaId + ":hotel"));
      assertTrue(airline.isBooked(sagaId + ":flight"));
      assertTrue(carRental.isBooked(sagaId + ":car"));

      ParticipantServer.Received booking = callsFor(hotel, sagaId).get(0);
      assertEquals("PUT", booking.method());
      assertEquals("/bookings/" + sagaId, booking.path());
      assertEquals(JSON.readTree("{\"traveller\": \"ada\", \"city\": \"Lisbon\", \"nights\": 3}"), JSON.readTree(booking.body()));
      assertEquals("ada", booking.header("X-Traveller"));
      assertEquals("corr-" + sagaId, booking.header("X-Correlation-Id"));
      assertEquals(JSON.readTree("{\"traveller\": \"ada\", \"city\": \"Lisbon\", \"class\": \"compact\", \"days\": 3}"),
          JSON.readTree(callsFor(carRental, sagaId).get(0).body()));
    }
  }

  @Test
  void aTripTheCarServiceRefusesIsCompensatedWithFlightAndHotelCancelledUnderTheSameKeys() throws Exception {
    String sagaId = "t-" + UUID.randomUUID();
    carRental.refuse("no cars left in Lisbon");
    try {
      assertEquals(202, send("POST", "/sagas", trip(sagaId, "grace")).statusCode());
      JsonNode saga = awaitStatus(sagaId, "COMPENSATED");
      assertEquals("car rejected: no cars left in Lisbon", saga.path("reason").asText());
    } finally {
      carRental.book();
    }
    for (var expected : List.of(new Object[] {hotel, "hotel"}, new Object[] {airline, "flight"})) {
      ParticipantServer server = (ParticipantServer) expected[0];
      String key = sagaId + ":" + expected[1];
      List<ParticipantServer.Received> calls = callsFor(server, sagaId);
      assertEquals(List.of("PUT", "DELETE"), calls.stream().map(ParticipantServer.Received::method).toList());
      calls.forEach(call -> assertEquals(key, call.header("Idempotency-Key")));
      assertTrue(server.isCancelled(key), key);
    }
    assertEquals(List.of("PUT"), callsFor(carRental, sagaId).stream().map(ParticipantServer.Received::method).toList(),
        "the refused car applied nothing, so it is not cancelled");
    assertFalse(carRental.isBooked(sagaId + ":car"));
  }

  @Test
  void aFlightThatFailsTwiceIsRetriedUnderTheSameKeyAndTheTripCompletes() throws Exception {
    String sagaId = "t-" + UUID.randomUUID();
    airline.failNext(2);
    assertEquals(202, send("POST", "/sagas", trip(sagaId, "alan")).statusCode());
    awaitStatus(sagaId, "COMPLETED");
    List<ParticipantServer.Received> calls = callsFor(airline, sagaId);
    assertEquals(List.of("1", "2", "3"), calls.stream().map(call -> call.header("X-Saga-Attempt")).toList());
    calls.forEach(call -> assertEquals(sagaId + ":flight", call.header("Idempotency-Key")));
    assertTrue(airline.isBooked(sagaId + ":flight"));
  }

  @Test
  void dataThatDoesNotFitTheDeclaredFieldsIsRefusedWith400NamingTheField() throws Exception {
    record Bad(String data, String field) {}
    for (Bad bad : List.of(
        new Bad("{\"traveller\": \"ada\", \"city\": \"Lisbon\", \"nights\": \"three\", \"flight\": \"TP1\", \"car\": \"mini\"}", "data.nights"),
        new Bad("{\"traveller\": \"ada\", \"nights\": 3, \"flight\": \"TP1\", \"car\": \"mini\"}", "data.city"),
        new Bad("{\"traveller\": \"ada\", \"city\": \"Lisbon\", \"nights\": 2.5, \"flight\": \"TP1\", \"car\": \"mini\"}", "data.nights"))) {
      HttpResponse<String> response = send("POST", "/sagas", "{\"definition\": \"trip\", \"data\": " + bad.data() + "}");
      assertEquals(400, response.statusCode(), response.body());
      assertEquals(bad.field(), JSON.readTree(response.body()).path("details").path(0).asText(), response.body());
    }
  }

  @Test
  void theTripIsListedWithItsStepsBesideTheOrderSaga() throws Exception {
    JsonNode definitions = JSON.readTree(send("GET", "/definitions", null).body());
    JsonNode trip = null;
    for (JsonNode definition : definitions) if (definition.path("name").asText().equals("trip")) trip = definition;
    assertEquals("[\"hotel\",\"flight\",\"car\"]", String.valueOf(trip == null ? null : trip.path("steps")), definitions.toString());
    assertEquals("POST /sagas", trip.path("startedThrough").asText());
  }
}
