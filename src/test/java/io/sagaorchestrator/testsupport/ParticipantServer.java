package io.sagaorchestrator.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A booking service on loopback for HTTP participant tests: real HTTP on a port the OS picks.
 * A POST or PUT books under its {@code Idempotency-Key} (a repeat answers the same, booking once);
 * a DELETE cancels the key's booking (a cancel before any booking leaves a tombstone, so a late
 * booking under that key is refused). It can be told to refuse bookings, to fail every call, to
 * hold calls unanswered, or to book and then hold the answer; it records every request it gets.
 */
public final class ParticipantServer implements AutoCloseable {
  private static final Duration LONGEST_HOLD = Duration.ofSeconds(30);

  /** A request as received; header names in lower case. */
  public record Received(String method, String path, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private enum Mode { BOOK, REFUSE, FAIL, HOLD, BOOK_THEN_HOLD }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Received> received = new ArrayList<>();
  private final Set<String> booked = ConcurrentHashMap.newKeySet();
  private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private volatile Mode mode = Mode.BOOK;
  private volatile String refusal = "";
  private volatile CompletableFuture<Void> hold = new CompletableFuture<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();

  private ParticipantServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  public static ParticipantServer start() throws IOException {
    return new ParticipantServer();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Back to booking and cancelling normally. */
  public void book() {
    mode = Mode.BOOK;
  }

  /** Bookings are answered 409 {"reason": reason}, nothing booked; cancels still succeed. */
  public void refuse(String reason) {
    refusal = reason;
    mode = Mode.REFUSE;
  }

  /** Every call is answered 503, nothing applied. */
  public void fail() {
    mode = Mode.FAIL;
  }

  /** The next {@code calls} calls are answered 503, nothing applied; then the mode decides again. */
  public void failNext(int calls) {
    failuresLeft.set(calls);
  }

  /** Calls wait unanswered, nothing applied, until {@link #release()}; then they are served as in BOOK. */
  public void hold() {
    mode = Mode.HOLD;
  }

  /** Calls are applied at once, and their answers wait until {@link #release()}. */
  public void bookThenHold() {
    mode = Mode.BOOK_THEN_HOLD;
  }

  /** Lets every held call go on, and serves new ones normally. */
  public void release() {
    mode = Mode.BOOK;
    hold.complete(null);
    hold = new CompletableFuture<>();
  }

  public synchronized List<Received> received() {
    return List.copyOf(received);
  }

  public boolean isBooked(String idempotencyKey) {
    return booked.contains(idempotencyKey) && !cancelled.contains(idempotencyKey);
  }

  public boolean isCancelled(String idempotencyKey) {
    return cancelled.contains(idempotencyKey);
  }

  public Set<String> bookedKeys() {
    return Set.copyOf(booked);
  }

  /** The most calls this server has had in progress at once. */
  public int mostInFlight() {
    return mostInFlight.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    mostInFlight.accumulateAndGet(now, Math::max);
    try {
      Received request = record(exchange);
      String key = request.header("Idempotency-Key");
      boolean cancel = request.method().equals("DELETE");
      Mode current = failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0 ? Mode.FAIL : mode;
      CompletableFuture<Void> waitFor = hold;
      switch (current) {
        case FAIL -> answer(exchange, new Answer(503, "{\"error\": \"service unavailable\"}"));
        case REFUSE -> {
          if (cancel) answer(exchange, apply(key, true));
          else answer(exchange, new Answer(409, "{\"reason\": \"" + refusal + "\"}"));
        }
        case HOLD -> {
          awaitRelease(waitFor);
          answer(exchange, apply(key, cancel));
        }
        case BOOK_THEN_HOLD -> {
          Answer applied = apply(key, cancel);
          awaitRelease(waitFor);
          answer(exchange, applied);
        }
        case BOOK -> answer(exchange, apply(key, cancel));
      }
    } catch (IOException clientGone) {
      // the caller stopped waiting (a timeout): nothing to answer
    } finally {
      inFlight.decrementAndGet();
      exchange.close();
    }
  }

  private record Answer(int status, String body) {}

  private synchronized Answer apply(String key, boolean cancel) {
    if (key == null) return new Answer(400, "{\"error\": \"Idempotency-Key missing\"}");
    if (cancel) {
      cancelled.add(key);
      return new Answer(200, "{\"cancelled\": \"" + key + "\"}");
    }
    if (cancelled.contains(key)) return new Answer(409, "{\"reason\": \"cancelled before it arrived\"}");
    booked.add(key);
    return new Answer(200, "{\"booked\": \"" + key + "\"}");
  }

  private synchronized Received record(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new TreeMap<>();
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Received request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body);
    received.add(request);
    return request;
  }

  private static void awaitRelease(CompletableFuture<Void> release) {
    try {
      release.get(LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // held long enough: answer anyway
    }
  }

  private static void answer(HttpExchange exchange, Answer answer) throws IOException {
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(answer.status(), bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    threads.shutdownNow();
  }
}
