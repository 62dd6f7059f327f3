package io.sagaorchestrator.infra.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;

/** Assembles a node's configuration from its layers; see saga-node.conf for the order. */
public final class NodeConfig {
  public static final String DEFAULTS_RESOURCE = "saga-node.conf";
  /** The actor system's name: every node of a cluster must use the same one (it is part of each address). */
  public static final String SYSTEM_NAME = "saga";
  static final Path LOCAL_CONFIG = Path.of("conf", "application.conf");

  private NodeConfig() {}

  /** The configuration a node started from the command line runs with. */
  public static Config load() {
    return load(ConfigFactory.empty());
  }

  /** As {@link #load()}, with {@code overrides} above everything else. */
  public static Config load(Config overrides) {
    String explicit = System.getProperty("config.file");
    Config file = ConfigFactory.empty();
    if (explicit != null) {
      Path path = Path.of(explicit);
      if (!Files.isRegularFile(path)) throw new IllegalArgumentException("config file " + path.toAbsolutePath() + " does not exist");
      file = ConfigFactory.parseFile(path.toFile());
    } else if (Files.isRegularFile(LOCAL_CONFIG)) {
      file = ConfigFactory.parseFile(LOCAL_CONFIG.toFile());
    }
    return withLayers(overrides.withFallback(ConfigFactory.systemProperties()).withFallback(file));
  }

  /** {@code overrides} on top of the packed defaults, resolved, with the journal wired in. */
  public static Config withLayers(Config overrides) {
    Config config = overrides
        .withFallback(ConfigFactory.parseResources(DEFAULTS_RESOURCE))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    return JournalConfig.from(config).asAkkaConfig()
        .withFallback(seedNodes(config))
        .withFallback(config);
  }

  /** {@code saga.cluster.seed-nodes} (host:port pairs, a list or one comma-separated string) as Akka addresses. */
  static Config seedNodes(Config config) {
    List<String> pairs = config.getValue("saga.cluster.seed-nodes").valueType() == ConfigValueType.LIST
        ? config.getStringList("saga.cluster.seed-nodes")
        : Arrays.asList(config.getString("saga.cluster.seed-nodes").split(","));
    List<String> addresses = new ArrayList<>();
    for (String pair : pairs) {
      String hostPort = pair.trim();
      if (hostPort.isEmpty()) continue;
      if (!hostPort.matches("[^:/@\\s]+:\\d{1,5}")) {
        throw new IllegalArgumentException("saga.cluster.seed-nodes: '" + hostPort + "' is not host:port");
      }
      addresses.add("akka://" + SYSTEM_NAME + "@" + hostPort);
    }
    if (addresses.isEmpty()) return ConfigFactory.empty();
    return ConfigFactory.empty().withValue("akka.cluster.seed-nodes", ConfigValueFactory.fromIterable(addresses));
  }
}
