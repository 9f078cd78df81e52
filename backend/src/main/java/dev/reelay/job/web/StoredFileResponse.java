package dev.reelay.job.web;

import java.util.List;

import dev.reelay.storage.VideoStorage;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.modulith.NamedInterface;
import org.springframework.web.server.ResponseStatusException;

/**
 * Serves a stored file whole or, for a single HTTP Range (the page's player seeks with these), just that part as
 * 206 with its Content-Range. The same for every store: only the bytes asked for are read, and the total length
 * comes from the job, so no extra request goes to the store. A Range that cannot be parsed, or lists several
 * ranges, is ignored and the whole file served (RFC 9110 allows both).
 */
@NamedInterface("web")
public final class StoredFileResponse {

	private StoredFileResponse() {
	}

	public static Mono<ResponseEntity<Flux<DataBuffer>>> serve(VideoStorage storage, String location, String contentType,
			long length, @Nullable String rangeHeader, @Nullable String disposition, String missing) {
		HttpRange range = singleRange(rangeHeader);
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.parseMediaType(contentType));
		headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
		if (disposition != null) {
			headers.set(HttpHeaders.CONTENT_DISPOSITION, disposition);
		}
		long first = 0;
		long last = length - 1;
		HttpStatus status = HttpStatus.OK;
		if (range != null) {
			try {
				first = range.getRangeStart(length);
				last = range.getRangeEnd(length);
			}
			catch (IllegalArgumentException unsatisfiable) {
				first = length;
			}
			if (first >= length || first > last) {
				headers.set(HttpHeaders.CONTENT_RANGE, "bytes */" + length);
				return Mono.just(ResponseEntity.status(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
					.headers(headers)
					.body(Flux.empty()));
			}
			status = HttpStatus.PARTIAL_CONTENT;
			headers.set(HttpHeaders.CONTENT_RANGE, "bytes " + first + "-" + last + "/" + length);
		}
		headers.setContentLength(last - first + 1);
		if (length == 0) {
			return Mono.just(ResponseEntity.ok().headers(headers).body(Flux.empty()));
		}
		HttpStatus answer = status;
		return storage.read(location, first, last)
			.switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.GONE, missing)))
			.map((body) -> ResponseEntity.status(answer).headers(headers).body(body));
	}

	private static @Nullable HttpRange singleRange(@Nullable String header) {
		if (header == null || header.isBlank()) {
			return null;
		}
		try {
			List<HttpRange> ranges = HttpRange.parseRanges(header);
			return (ranges.size() == 1) ? ranges.get(0) : null;
		}
		catch (IllegalArgumentException malformed) {
			return null;
		}
	}

}
