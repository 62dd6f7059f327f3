package io.sagaorchestrator.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.sagaorchestrator.infra.config.NodeConfig;
import java.nio.file.Path;

/** A node's configuration for tests: the packed defaults, saga-test.conf, a private data directory. */
public final class TestConfig {
  private TestConfig() {}

  public static Config node(Path dataDir, String extra) {
    return node(dataDir, ConfigFactory.parseString(extra));
  }

  /** {@code layers} (e.g. a file from conf/examples over which a test sets ports) above saga-test.conf. */
  public static Config node(Path dataDir, Config layers) {
    Config overrides = layers
        .withFallback(ConfigFactory.empty().withValue("saga.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString())))
        .withFallback(ConfigFactory.parseResources("saga-test.conf"));
    return NodeConfig.withLayers(overrides);
  }

  public static Config node(Path dataDir) {
    return node(dataDir, "");
  }
}
