package dev.reelay.storage;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.stereotype.Component;

/**
 * Videos as objects in an S3-compatible bucket, through the AWS SDK's non-blocking client. A PutObject needs its
 * length up front and a provider may not say it, so each download is spooled to a local temporary file (hashed on
 * the way) and then uploaded with its SHA-256 for the store to check; the object appears whole or not at all.
 * Reads are ranged GetObjects, streamed as they arrive.
 */
@Component
@ConditionalOnProperty(name = "reelay.storage.type", havingValue = "s3")
class S3VideoStorage implements VideoStorage, DisposableBean {

	private static final Path SPOOL = Path.of(System.getProperty("java.io.tmpdir"), "reelay-uploads");

	private final S3AsyncClient s3;

	private final String bucket;

	private final String prefix;

	S3VideoStorage(StorageSettings settings) {
		StorageSettings.S3 s3 = settings.s3();
		if (s3.bucket() == null || s3.bucket().isBlank()) {
			throw new IllegalStateException("reelay.storage.type is s3 but reelay.storage.s3.bucket is not set");
		}
		this.s3 = client(s3);
		this.bucket = s3.bucket();
		this.prefix = s3.prefix();
		Spool.deleteStale(SPOOL, settings.stalePartAge(), Instant.now());
	}

	private static S3AsyncClient client(StorageSettings.S3 settings) {
		S3AsyncClientBuilder builder = S3AsyncClient.builder()
			.region(Region.of(settings.region()))
			.forcePathStyle(settings.pathStyle())
			.credentialsProvider(credentials(settings))
			// Checksums only where S3 requires them: the SDK's default (CRC32 trailers on aws-chunked uploads) is
			// not understood by every S3-compatible store. Reelay sends its own SHA-256 instead.
			.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
			.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
		if (settings.endpoint() != null) {
			builder.endpointOverride(settings.endpoint());
		}
		return builder.build();
	}

	private static AwsCredentialsProvider credentials(StorageSettings.S3 settings) {
		String accessKey = settings.accessKey();
		String secretKey = settings.secretKey();
		if (accessKey != null && !accessKey.isBlank() && secretKey != null && !secretKey.isBlank()) {
			return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
		}
		return DefaultCredentialsProvider.builder().build();
	}

	@Override
	public Mono<StoredFile> store(String name, String contentType, Flux<DataBuffer> body) {
		String key = this.prefix + FileNames.of(name, contentType);
		return Mono.usingWhen(Spool.write(body, SPOOL, name), (spool) -> {
			PutObjectRequest put = PutObjectRequest.builder()
				.bucket(this.bucket)
				.key(key)
				.contentType(contentType)
				.contentLength(spool.length())
				.checksumSHA256(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(spool.sha256())))
				.build();
			return Mono.fromFuture(() -> this.s3.putObject(put, AsyncRequestBody.fromFile(spool.file())))
				.thenReturn(new StoredFile(key, contentType, spool.length(), spool.sha256()));
		}, Spool::delete);
	}

	@Override
	public Mono<Flux<DataBuffer>> read(String location, long first, long last) {
		GetObjectRequest get = GetObjectRequest.builder()
			.bucket(this.bucket)
			.key(location)
			.range("bytes=" + first + "-" + last)
			.build();
		return Mono.fromFuture(() -> this.s3.getObject(get, AsyncResponseTransformer.toPublisher()))
			.map((response) -> Flux.from(response).<DataBuffer>map(DefaultDataBufferFactory.sharedInstance::wrap))
			.onErrorResume(NoSuchKeyException.class, (missing) -> Mono.empty());
	}

	@Override
	public Mono<Void> delete(String location) {
		// S3 answers a delete of a missing key with success, as the interface asks.
		DeleteObjectRequest delete = DeleteObjectRequest.builder().bucket(this.bucket).key(location).build();
		return Mono.fromFuture(() -> this.s3.deleteObject(delete)).then();
	}

	@Override
	public void destroy() {
		this.s3.close();
	}

}
