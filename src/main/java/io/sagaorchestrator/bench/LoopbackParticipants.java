package io.sagaorchestrator.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.sagaorchestrator.tools.ParticipantServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The HTTP participants of a saga declared in configuration, for the bench's own node: a booking
 * service ({@link ParticipantServer}) in this JVM on a free loopback port for each participant the
 * configuration names and {@code --participant-url} does not, refusing bookings that carry
 * {@link TripPlan#REFUSED_CAR}. Each participant may have as many calls in flight as the bench
 * has sagas, so that its bulkhead is not what the run measures.
 */
final class LoopbackParticipants implements AutoCloseable {
  private static final String PARTICIPANTS = "saga.participants.http";

  private final List<ParticipantServer> servers;
  private final Map<String, String> baseUrls;
  private final Config layer;

  private LoopbackParticipants(List<ParticipantServer> servers, Map<String, String> baseUrls, Config layer) {
    this.servers = servers;
    this.baseUrls = baseUrls;
    this.layer = layer;
  }

  static LoopbackParticipants start(Path sagaConfig, String definition, Map<String, URI> given, int concurrency) throws IOException {
    if (!Files.isRegularFile(sagaConfig)) throw new IOException("no saga configuration at " + sagaConfig.toAbsolutePath());
    Config file = ConfigFactory.parseFile(sagaConfig.toFile()).resolve();
    if (!file.hasPath("saga.definitions." + definition)) {
      throw new IOException(sagaConfig + " declares no saga.definitions." + definition);
    }
    List<ParticipantServer> servers = new ArrayList<>();
    Map<String, String> baseUrls = new LinkedHashMap<>();
    Config layer = ConfigFactory.empty();
    try {
      for (String name : file.hasPath(PARTICIPANTS) ? file.getObject(PARTICIPANTS).keySet() : List.<String>of()) {
        String url;
        if (given.containsKey(name)) {
          url = given.get(name).toString();
        } else {
          ParticipantServer server = ParticipantServer.serve("127.0.0.1", 0, TripPlan.REFUSED_CAR);
          servers.add(server);
          url = server.baseUrl();
        }
        baseUrls.put(name, url + (given.containsKey(name) ? "" : " (in this JVM)"));
        String path = PARTICIPANTS + "." + name;
        int maxConcurrent = Math.max(concurrency, file.hasPath(path + ".max-concurrent") ? file.getInt(path + ".max-concurrent") : 0);
        layer = layer.withValue(path + ".base-url", ConfigValueFactory.fromAnyRef(url))
            .withValue(path + ".max-concurrent", ConfigValueFactory.fromAnyRef(maxConcurrent));
      }
    } catch (IOException | RuntimeException e) {
      servers.forEach(ParticipantServer::close);
      throw e;
    }
    return new LoopbackParticipants(servers, baseUrls, layer.withFallback(file));
  }

  /** The saga's configuration with the participants' base URLs and limits, to layer on the node's. */
  Config layer() {
    return layer;
  }

  String describe() {
    return baseUrls.entrySet().stream()
        .map(entry -> entry.getKey() + " " + entry.getValue())
        .collect(Collectors.joining(", ", "participants, each with max-concurrent at least --concurrency: ", ""));
  }

  @Override
  public void close() {
    servers.forEach(ParticipantServer::close);
  }
}
