package io.sagaorchestrator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A booking service on the JDK's HttpServer that keeps the participant contract of
 * docs/http-participant.md: a POST or PUT books under its {@code Idempotency-Key} (a repeat answers
 * the same, booking once); a DELETE cancels the key's booking (a cancel before any booking leaves a
 * tombstone, so a late booking under that key is refused). A booking whose path or JSON body
 * carries the refused value (say a car class {@code "none"}) is refused with 409, nothing booked.
 *
 * <p>The {@code participant-server} subcommand serves it for users and the bench; tests also tell
 * it to refuse every booking, fail calls, or hold answers, and read the requests it recorded.
 */
public final class ParticipantServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ParticipantServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LONGEST_HOLD = Duration.ofSeconds(30);
  /**
   * Booking is in memory and instant, and a held call waits on a future rather than a thread, so a
   * few threads carry hundreds of concurrent calls.
   */
  private static final int THREADS = 4;
  /** Pending connections the socket queues: a node opens one per call in flight, hundreds at once. */
  private static final int BACKLOG = 1024;

  /** A request as received; header names in lower case. */
  public record Received(String method, String path, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private enum Mode { BOOK, REFUSE, FAIL, HOLD, BOOK_THEN_HOLD }

  private record Answer(int status, String body) {}

  private final HttpServer server;
  private final ExecutorService threads;
  private final String refusedValue;
  /** Null when requests are not recorded (a long-running server would keep every one). */
  private final List<Received> received;
  private final Set<String> booked = ConcurrentHashMap.newKeySet();
  private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile Mode mode = Mode.BOOK;
  private volatile String refusal = "";
  private volatile CompletableFuture<Void> hold = new CompletableFuture<>();

  private ParticipantServer(InetSocketAddress address, String refusedValue, boolean record) throws IOException {
    this.refusedValue = refusedValue == null || refusedValue.isEmpty() ? null : refusedValue;
    this.received = record ? new ArrayList<>() : null;
    server = HttpServer.create(address, BACKLOG);
    threads = Executors.newFixedThreadPool(THREADS, daemonThreads("participant-server-" + server.getAddress().getPort()));
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** On loopback, on a port the OS picks, recording every request: for tests. */
  public static ParticipantServer start() throws IOException {
    return new ParticipantServer(new InetSocketAddress("127.0.0.1", 0), null, true);
  }

  /**
   * A server that records nothing, for as long as it runs.
   *
   * @param port 0: one the OS picks
   * @param refusedValue bookings carrying it are refused; null or empty: none are
   */
  public static ParticipantServer serve(String host, int port, String refusedValue) throws IOException {
    return new ParticipantServer(new InetSocketAddress(host, port), refusedValue, false);
  }

  public String baseUrl() {
    return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
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

  /** The requests received so far; empty for a server that does not record. */
  public synchronized List<Received> received() {
    return received == null ? List.of() : List.copyOf(received);
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

  /** The most calls this server has had in progress (received, not yet answered) at once. */
  public int mostInFlight() {
    return mostInFlight.get();
  }

  private void handle(HttpExchange exchange) {
    int now = inFlight.incrementAndGet();
    mostInFlight.accumulateAndGet(now, Math::max);
    Received request;
    try {
      request = read(exchange);
    } catch (IOException clientGone) {
      finish(exchange);
      return;
    }
    String key = request.header("Idempotency-Key");
    boolean cancel = request.method().equals("DELETE");
    Mode current = failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0 ? Mode.FAIL : mode;
    switch (current) {
      case FAIL -> answer(exchange, request, new Answer(503, "{\"error\": \"service unavailable\"}"));
      case REFUSE -> answer(exchange, request, cancel ? apply(request, key, true) : refusal(refusal));
      case HOLD -> afterRelease(() -> answer(exchange, request, apply(request, key, cancel)));
      case BOOK_THEN_HOLD -> {
        Answer applied = apply(request, key, cancel);
        afterRelease(() -> answer(exchange, request, applied));
      }
      case BOOK -> answer(exchange, request, apply(request, key, cancel));
    }
  }

  private static Answer refusal(String reason) {
    return new Answer(409, JSON.createObjectNode().put("reason", reason).toString());
  }

  private synchronized Answer apply(Received request, String key, boolean cancel) {
    if (key == null) return new Answer(400, "{\"error\": \"Idempotency-Key missing\"}");
    if (cancel) {
      cancelled.add(key);
      return new Answer(200, "{\"cancelled\": \"" + key + "\"}");
    }
    if (cancelled.contains(key)) return refusal("cancelled before it arrived");
    if (booked.contains(key)) return new Answer(200, "{\"booked\": \"" + key + "\"}");
    if (carriesRefusedValue(request)) return refusal("cannot book \"" + refusedValue + "\"");
    booked.add(key);
    return new Answer(200, "{\"booked\": \"" + key + "\"}");
  }

  /** A path segment equal to the refused value, or a string anywhere in the JSON body. */
  private boolean carriesRefusedValue(Received request) {
    if (refusedValue == null) return false;
    if (Arrays.asList(request.path().split("/")).contains(refusedValue)) return true;
    if (!request.body().contains("\"" + refusedValue + "\"")) return false;
    try {
      return holdsString(JSON.readTree(request.body()));
    } catch (IOException notJson) {
      return false;
    }
  }

  private boolean holdsString(JsonNode node) {
    if (node.isTextual()) return node.asText().equals(refusedValue);
    for (JsonNode child : node) if (holdsString(child)) return true;
    return false;
  }

  private Received read(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new TreeMap<>();
    exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Received request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers, body);
    if (received != null) {
      synchronized (this) {
        received.add(request);
      }
    }
    return request;
  }

  /** Runs {@code answer} on the server's threads once released, or when held long enough; no thread waits meanwhile. */
  private void afterRelease(Runnable answer) {
    hold.copy().completeOnTimeout(null, LONGEST_HOLD.toMillis(), TimeUnit.MILLISECONDS).thenRunAsync(answer, threads);
  }

  private void answer(HttpExchange exchange, Received request, Answer answer) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} key {} attempt {}: {} {}", request.method(), request.path(), request.header("Idempotency-Key"),
          request.header("X-Saga-Attempt"), answer.status(), answer.body());
    }
    try {
      byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer.status(), bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (IOException clientGone) {
      // the caller stopped waiting (a timeout): nothing to answer
    } finally {
      finish(exchange);
    }
  }

  private void finish(HttpExchange exchange) {
    inFlight.decrementAndGet();
    exchange.close();
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    release();
    server.stop(0);
    threads.shutdownNow();
  }
}
