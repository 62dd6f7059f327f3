package io.sagaorchestrator.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sagaorchestrator.testsupport.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The booking service the participant-server subcommand runs, over real HTTP on loopback. */
class ParticipantServerTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static CompletableFuture<HttpResponse<String>> send(ParticipantServer server, String method, String path, String key,
      String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void refusesEachBookingThatCarriesTheRefusedValueAndBooksTheOthers() throws Exception {
    try (ParticipantServer cars = ParticipantServer.serve("127.0.0.1", 0, "none")) {
      HttpResponse<String> refused = send(cars, "PUT", "/rentals/t-1", "t-1:car", "{\"class\": \"none\", \"days\": 3}").join();
      assertEquals(409, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("cannot book \\\"none\\\""), refused.body());
      assertFalse(cars.isBooked("t-1:car"));
      assertEquals(409, send(cars, "PUT", "/rentals/none", "t-2:car", "{\"class\": \"compact\"}").join().statusCode());
      // A value that merely contains the refused one is not refused.
      assertEquals(200, send(cars, "PUT", "/rentals/t-3", "t-3:car", "{\"class\": \"nonessential\", \"note\": \"none of it\"}")
          .join().statusCode());
      assertTrue(cars.isBooked("t-3:car"));
      assertEquals(200, send(cars, "DELETE", "/rentals/t-1", "t-1:car", null).join().statusCode());
      assertEquals(List.of(), cars.received(), "a served server records nothing");
    }
  }

  @Test
  void answersHundredsOfConcurrentBookingsOnItsFewThreads() throws Exception {
    try (ParticipantServer hotel = ParticipantServer.start()) {
      hotel.bookThenHold();
      List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 300)
          .mapToObj(i -> send(hotel, "PUT", "/bookings/t-" + i, "t-" + i + ":hotel", "{\"nights\": 2}"))
          .toList();
      // Every call is in progress at once, each held after booking; none has taken a thread of its own.
      Eventually.within(Duration.ofSeconds(20), () -> assertEquals(300, hotel.bookedKeys().size()));
      hotel.release();
      calls.forEach(call -> assertEquals(200, call.join().statusCode()));
      assertEquals(300, hotel.mostInFlight());
    }
  }
}
