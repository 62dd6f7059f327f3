package io.sagaorchestrator.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

/** A client of the node's server-sent event streams, over real HTTP on loopback. */
public final class ServerSentEvents {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ServerSentEvents() {}

  /** One event of a stream: its type, id and data. */
  public record Sse(String event, String id, JsonNode data) {}

  /** Opens {@code path} on the node at {@code port}, resuming after {@code lastEventId} when given. */
  public static HttpResponse<Stream<String>> open(int port, String path, String lastEventId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30));
    if (lastEventId != null) request.header("Last-Event-ID", lastEventId);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
  }

  /** The server-sent events in a stream of lines (heartbeats, which carry no data, left out). */
  public static Iterator<Sse> events(Stream<String> lines) {
    Iterator<String> text = lines.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return text.hasNext();
      }

      @Override
      public Sse next() {
        String event = "message";
        String id = null;
        String data = null;
        while (text.hasNext()) {
          String line = text.next();
          if (line.isEmpty()) {
            if (data != null) return parse(event, id, data);
            continue;
          }
          if (line.startsWith("event:")) event = line.substring(6).trim();
          else if (line.startsWith("id:")) id = line.substring(3).trim();
          else if (line.startsWith("data:")) data = line.substring(5).trim();
        }
        throw new IllegalStateException("the stream ended");
      }
    };
  }

  private static Sse parse(String event, String id, String data) {
    try {
      return new Sse(event, id, JSON.readTree(data));
    } catch (Exception e) {
      throw new IllegalStateException(data, e);
    }
  }
}
