package io.sagaorchestrator.infra.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sagaorchestrator.infra.persistence.JournalConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/** Assembles a node's configuration from its layers; see saga-node.conf for the order. */
public final class NodeConfig {
  public static final String DEFAULTS_RESOURCE = "saga-node.conf";
  static final Path LOCAL_CONFIG = Path.of("conf", "application.conf");

  private NodeConfig() {}

  /** The configuration a node started from the command line runs with. */
  public static Config load() {
    String explicit = System.getProperty("config.file");
    Config file = ConfigFactory.empty();
    if (explicit != null) {
      Path path = Path.of(explicit);
      if (!Files.isRegularFile(path)) throw new IllegalArgumentException("config file " + path.toAbsolutePath() + " does not exist");
      file = ConfigFactory.parseFile(path.toFile());
    } else if (Files.isRegularFile(LOCAL_CONFIG)) {
      file = ConfigFactory.parseFile(LOCAL_CONFIG.toFile());
    }
    return withLayers(ConfigFactory.systemProperties().withFallback(file));
  }

  /** {@code overrides} on top of the packed defaults, resolved, with the journal wired in. */
  public static Config withLayers(Config overrides) {
    Config config = overrides
        .withFallback(ConfigFactory.parseResources(DEFAULTS_RESOURCE))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    return JournalConfig.from(config).asAkkaConfig().withFallback(config);
  }
}
