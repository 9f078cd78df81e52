package dev.reelay.storage;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Where the filesystem storage keeps videos. */
@ConfigurationProperties("reelay.storage")
record StorageSettings(@DefaultValue("./data/videos") Path directory) {
}
