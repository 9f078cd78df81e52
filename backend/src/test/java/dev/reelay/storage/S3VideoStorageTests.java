package dev.reelay.storage;

import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The S3 store against an S3 stand-in over real HTTP, signed with SigV4 as a real bucket requires. */
class S3VideoStorageTests extends VideoStorageContract {

	// One client for the class: closing one waits out its event loop's quiet period. Tests use distinct names.
	private static final S3StandIn STAND_IN = new S3StandIn();

	private static final StorageSettings.S3 SETTINGS = new StorageSettings.S3(URI.create(STAND_IN.endpoint()),
			S3StandIn.REGION, S3StandIn.BUCKET, true, "videos/", S3StandIn.ACCESS_KEY, S3StandIn.SECRET_KEY);

	private static final S3VideoStorage STORAGE = new S3VideoStorage(
			new StorageSettings(StorageSettings.Type.S3, Path.of("unused"), SETTINGS, java.time.Duration.ofHours(1)));

	private static final Path SPOOL = Path.of(System.getProperty("java.io.tmpdir"), "reelay-uploads");

	@AfterAll
	static void close() {
		STORAGE.destroy();
		STAND_IN.close();
	}

	@Override
	VideoStorage storage() {
		return STORAGE;
	}

	@Override
	boolean holdsAnything(String fileName) {
		// Nothing in the bucket, and nothing left of the local spool file the upload was sent from.
		File[] spooled = SPOOL.toFile().listFiles((dir, name) -> name.startsWith(fileName));
		return STAND_IN.objects().keySet().stream().anyMatch((key) -> key.startsWith("videos/" + fileName))
				|| (spooled != null && spooled.length > 0);
	}

	@Test
	void uploadsUnderThePrefixWithTypeLengthAndChecksumForTheStoreToVerify() {
		StoredFile stored = STORAGE.store("job-7", "video/mp4", chunks(VIDEO, 8_192)).block();
		assertThat(stored.location()).isEqualTo("videos/job-7.mp4");
		S3StandIn.StoredObject object = STAND_IN.object("videos/job-7.mp4");
		assertThat(object.bytes()).isEqualTo(VIDEO);
		assertThat(object.contentType()).isEqualTo("video/mp4");
		assertThat(object.checksumSha256())
			.isEqualTo(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(stored.sha256())));
	}

	@Test
	void readsOnlyTheRangeAskedFor() {
		StoredFile stored = STORAGE.store("job-8", "video/mp4", chunks(VIDEO, 8_192)).block();
		assertThat(read(stored.location(), 1_000, 1_999)).hasSize(1_000);
		assertThat(STAND_IN.requests).contains("GET videos/job-8.mp4 bytes=1000-1999");
	}

	@Test
	void neverPrintsItsKeys() {
		assertThat(SETTINGS.toString()).doesNotContain(S3StandIn.ACCESS_KEY, S3StandIn.SECRET_KEY)
			.contains(S3StandIn.BUCKET);
	}

}
