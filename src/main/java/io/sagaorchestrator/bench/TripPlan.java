package io.sagaorchestrator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sagaorchestrator.client.NodeClient;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * Every trip of a run (the saga of conf/examples/trip.conf, started with {@code POST /sagas}),
 * decided up front from a seed: traveller, city, nights, flight and car class. A compensating trip
 * asks for the car class {@link #REFUSED_CAR}, which the car rental refuses after the hotel and the
 * flight are booked, so both are cancelled.
 */
final class TripPlan implements Workload {
  static final String DEFINITION = "trip";
  /** The value the bench's participant servers refuse to book. */
  static final String REFUSED_CAR = "none";
  private static final String[] CITIES = {"Lisbon", "Porto", "Madrid", "Utrecht", "Rome"};
  private static final String[] CARS = {"compact", "estate", "van"};
  private static final int TRAVELLERS = 1_000;

  private final String runId;
  private final byte[] city;
  private final byte[] nights;
  private final short[] flight;
  /** Index into {@link #CARS}; -1: the refused class. */
  private final byte[] car;

  TripPlan(String runId, int trips, double compensateShare, long seed) {
    this.runId = runId;
    city = new byte[trips];
    nights = new byte[trips];
    flight = new short[trips];
    car = new byte[trips];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < trips; i++) {
      city[i] = (byte) random.nextInt(CITIES.length);
      nights[i] = (byte) (1 + random.nextInt(7));
      flight[i] = (short) (1000 + random.nextInt(9000));
      car[i] = random.nextDouble() < compensateShare ? -1 : (byte) random.nextInt(CARS.length);
    }
  }

  @Override
  public int size() {
    return city.length;
  }

  @Override
  public String id(int i) {
    return "t" + runId + "-" + i;
  }

  @Override
  public CompletableFuture<NodeClient.Response> place(NodeClient node, int i, Duration timeout) {
    return node.startSaga(json(i), timeout);
  }

  @Override
  public CompletableFuture<NodeClient.Response> awaitEnd(NodeClient node, String id, Duration wait, Duration timeout) {
    return node.awaitSaga(id, wait, timeout);
  }

  @Override
  public Outcome outcome(JsonNode saga) {
    return Outcome.ofSaga(saga);
  }

  @Override
  public Outcome expected(int i) {
    return car[i] < 0 ? Outcome.COMPENSATED : Outcome.COMPLETED;
  }

  String json(int i) {
    return "{\"definition\":\"" + DEFINITION + "\",\"sagaId\":\"" + id(i) + "\",\"data\":{\"traveller\":\"traveller-" + (i % TRAVELLERS)
        + "\",\"city\":\"" + CITIES[city[i]] + "\",\"nights\":" + nights[i] + ",\"flight\":\"TP" + flight[i]
        + "\",\"car\":\"" + (car[i] < 0 ? REFUSED_CAR : CARS[car[i]]) + "\"}}";
  }
}
