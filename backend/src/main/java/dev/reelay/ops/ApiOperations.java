package dev.reelay.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BinarySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.tags.Tag;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * What springdoc cannot see in a controller's signature, for every operation under {@code /api/}: its feature tag
 * (in the order a reader needs them: jobs first, admin last), a summary, the status it answers on success (a
 * {@code ResponseEntity} built with {@code accepted()} looks like any 200 to it), and the problems it can answer
 * with. Problems are listed by rule (a path id can be unknown, a request with input can be invalid, every call can
 * be unauthorized or rate limited) plus the few that belong to one operation, so a new endpoint is documented with
 * its problems from the start. Operations outside {@code /api/} document themselves.
 */
final class ApiOperations implements OpenApiCustomizer {

	static final String PROBLEM = "Problem";

	static final String PROBLEM_JSON = "application/problem+json";

	private static final String API = "/api/";

	/** The OpenAI-compatible facade: its errors are OpenAI's shape, not problems. */
	private static final String OPENAI = "/v1/";

	static final String OPENAI_ERROR = "OpenAiError";

	/** Tags in the order the UI shows them, with the paths each covers (first match wins). */
	private static final List<Feature> FEATURES = List.of(
			new Feature("Jobs", "Submit video jobs, follow and manage them, download the videos", "/api/v1/jobs"),
			new Feature("Live streams", "Server-Sent Events of job state changes", "/api/v1/events"),
			new Feature("Models and providers", "What can be generated, and where", "/api/v1/models",
					"/api/v1/providers"),
			new Feature("Usage", "Spend, budgets and activity", "/api/v1/usage", "/api/v1/activity"),
			new Feature("Callbacks", "Signed webhooks for job events: settings and deliveries", "/api/v1/callbacks"),
			new Feature("Admin", "Tenants, API keys, budgets and webhook settings per tenant (admin key)",
					"/api/v1/admin"));

	private static final Map<String, String> SUMMARIES = Map.ofEntries(
			Map.entry("POST /api/v1/jobs", "Submit a video job"),
			Map.entry("POST /api/v1/jobs/batch", "Submit up to 100 jobs, all or none"),
			Map.entry("POST /api/v1/jobs/estimate", "Validate and price a job without storing it"),
			Map.entry("GET /api/v1/jobs", "List jobs, newest first"), Map.entry("GET /api/v1/jobs/{id}", "Get a job"),
			Map.entry("DELETE /api/v1/jobs/{id}", "Delete a finished job and its video"),
			Map.entry("POST /api/v1/jobs/{id}/cancel", "Cancel a job that has not finished"),
			Map.entry("POST /api/v1/jobs/{id}/retry", "Retry an ended job as a new job"),
			Map.entry("GET /api/v1/jobs/{id}/content", "Download the video (Range requests supported)"),
			Map.entry("GET /api/v1/jobs/{id}/thumbnail", "Download the video's thumbnail"),
			Map.entry("GET /api/v1/jobs/{id}/events", "Follow one job live"),
			Map.entry("GET /api/v1/events", "Follow all jobs live, optionally filtered"),
			Map.entry("GET /api/v1/models", "List the models and the parameters each takes"),
			Map.entry("GET /api/v1/providers", "List the provider instances and their state"),
			Map.entry("GET /api/v1/usage", "Spend per day and model, and this month's budget"),
			Map.entry("GET /api/v1/activity", "Jobs per minute by status, for the last minutes"),
			Map.entry("GET /api/v1/callbacks/settings", "Get the webhook settings"),
			Map.entry("PUT /api/v1/callbacks/settings", "Set the default webhook URL"),
			Map.entry("POST /api/v1/callbacks/secret/rotate", "Rotate the webhook signing secret"),
			Map.entry("GET /api/v1/callbacks/deliveries", "List webhook deliveries, newest first"),
			Map.entry("GET /api/v1/callbacks/deliveries/{id}", "Get a webhook delivery and its attempts"),
			Map.entry("POST /api/v1/callbacks/deliveries/{id}/replay", "Send a webhook delivery again"),
			Map.entry("GET /api/v1/admin/tenants", "List tenants"),
			Map.entry("POST /api/v1/admin/tenants", "Create a tenant"),
			Map.entry("GET /api/v1/admin/tenants/{tenant}/keys", "List a tenant's API keys"),
			Map.entry("POST /api/v1/admin/tenants/{tenant}/keys", "Issue an API key (shown only in this answer)"),
			Map.entry("POST /api/v1/admin/tenants/{tenant}/keys/{key}/revoke", "Revoke an API key at once"),
			Map.entry("GET /api/v1/admin/tenants/{id}/budget", "Get a tenant's budget and this month's figures"),
			Map.entry("PUT /api/v1/admin/tenants/{id}/budget", "Set a tenant's monthly budget"),
			Map.entry("GET /api/v1/admin/tenants/{tenant}/callbacks", "Get a tenant's webhook settings"),
			Map.entry("PUT /api/v1/admin/tenants/{tenant}/callbacks", "Set a tenant's default webhook URL"),
			Map.entry("POST /api/v1/admin/tenants/{tenant}/callbacks/secret/rotate",
					"Rotate a tenant's webhook signing secret"));

	/** Successes that are not 200, with what they mean. */
	private static final Map<String, Success> SUCCESSES = Map.of("POST /api/v1/jobs",
			new Success("202", "Accepted: the job is queued. `Location` names it; `Idempotent-Replayed: true` when an "
					+ "`Idempotency-Key` returned the job it created before"),
			"POST /api/v1/jobs/batch", new Success("202", "Accepted: every job is queued"),
			"POST /api/v1/jobs/{id}/retry", new Success("202", "Accepted: the new job is queued"),
			"POST /api/v1/callbacks/deliveries/{id}/replay", new Success("202", "Accepted: the delivery is due again"),
			"POST /api/v1/admin/tenants", new Success("201", "Created"),
			"POST /api/v1/admin/tenants/{tenant}/keys", new Success("201", "Created: the key, shown this once"),
			"DELETE /api/v1/jobs/{id}", new Success("204", "Deleted"));

	/** Problems one operation has beyond the rules of {@link #problems}. */
	private static final Map<String, List<String>> OWN_PROBLEMS = Map.of("POST /api/v1/jobs",
			List.of("402", "413", "415", "422"), "POST /api/v1/jobs/batch", List.of("402", "413", "415", "422"),
			"POST /api/v1/jobs/estimate", List.of("402", "415"), "POST /api/v1/jobs/{id}/retry", List.of("402", "409"),
			"POST /api/v1/jobs/{id}/cancel", List.of("409"), "DELETE /api/v1/jobs/{id}", List.of("409"),
			"GET /api/v1/jobs/{id}/content", List.of("409"), "POST /api/v1/callbacks/deliveries/{id}/replay",
			List.of("409"));

	private static final Map<String, String> PROBLEM_MEANINGS = Map.ofEntries(
			Map.entry("400", "Invalid request: `field` names what to fix, `detail` says how"),
			Map.entry("401", "No API key, or one that is not valid (only with tenants on)"),
			Map.entry("402", "Over the tenant's monthly budget"),
			Map.entry("403", "Not allowed: the admin API needs the admin key; local mode answers only this machine"),
			Map.entry("404", "No such resource, or not the caller's"),
			Map.entry("409", "The job's (or delivery's) state does not allow it"),
			Map.entry("413", "The body is too large"), Map.entry("415", "The body is not of a type this takes"),
			Map.entry("422", "The Idempotency-Key was used before with a different body"),
			Map.entry("429", "Rate limited: retry after `Retry-After` seconds"),
			Map.entry("500", "An unexpected error; nothing was changed"),
			Map.entry("503", "The database is unavailable for a moment: retry after `Retry-After` seconds"));

	@Override
	public void customise(OpenAPI api) {
		if (api.getPaths() == null) {
			return;
		}
		api.getComponents().addSchemas(PROBLEM, problemSchema());
		api.getComponents().addSchemas(OPENAI_ERROR, openAiErrorSchema());
		api.getPaths().forEach((path, item) -> {
			if (path.startsWith(OPENAI)) {
				item.readOperationsMap().forEach((method, operation) -> documentOpenAiErrors(path, operation));
			}
			if (!path.startsWith(API)) {
				return;
			}
			item.readOperationsMap().forEach((method, operation) -> document(method + " " + path, path, operation));
		});
		// The paths in the same order, so the document reads as the UI shows it.
		Paths ordered = new Paths();
		api.getPaths()
			.entrySet()
			.stream()
			.sorted(Comparator.comparingInt((Map.Entry<String, PathItem> entry) -> rank(entry.getKey()))
				.thenComparing(Map.Entry::getKey))
			.forEach((entry) -> ordered.addPathItem(entry.getKey(), entry.getValue()));
		ordered.setExtensions(api.getPaths().getExtensions());
		api.setPaths(ordered);
		List<Tag> tags = new ArrayList<>(FEATURES.stream()
			.map((feature) -> new Tag().name(feature.name()).description(feature.description()))
			.toList());
		if (api.getTags() != null) {
			// Tags of operations outside /api/ keep their place, after these.
			api.getTags().stream().filter((tag) -> tags.stream().noneMatch((own) -> own.getName().equals(tag.getName())))
				.forEach(tags::add);
		}
		api.setTags(tags);
	}

	private static void document(String key, String path, Operation operation) {
		Feature feature = feature(path);
		if (feature != null) {
			operation.setTags(List.of(feature.name()));
		}
		String summary = SUMMARIES.get(key);
		if (summary != null) {
			operation.setSummary(summary);
		}
		ApiResponses responses = (operation.getResponses() != null) ? operation.getResponses() : new ApiResponses();
		operation.setResponses(responses);
		Success success = SUCCESSES.get(key);
		if (success != null) {
			ApiResponse ok = responses.remove("200");
			responses.addApiResponse(success.status(),
					((ok != null) ? ok : new ApiResponse()).description(success.description()));
		}
		if (key.equals("POST /api/v1/jobs")) {
			createExamples(operation);
		}
		if (key.equals("GET /api/v1/jobs/{id}/events")) {
			responses.addApiResponse("204", new ApiResponse()
				.description("The job has ended and Last-Event-ID is its last event: nothing more will come"));
		}
		if (key.endsWith("/content") || key.endsWith("/thumbnail")) {
			ApiResponse ok = responses.get("200");
			if (ok != null) {
				ok.setContent(new Content().addMediaType(key.endsWith("/content") ? "video/mp4" : "image/*",
						new MediaType().schema(new BinarySchema())));
				ok.setDescription(key.endsWith("/content") ? "The video; 206 with a Content-Range for a Range request"
						: "The image");
			}
		}
		problems(key, path, operation).forEach((status) -> responses.computeIfAbsent(status,
				(code) -> new ApiResponse().description(PROBLEM_MEANINGS.get(code))
					.content(new Content().addMediaType(PROBLEM_JSON,
							new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))))));
	}

	/**
	 * The facade answers every failure in OpenAI's error shape (the SDKs read it into typed errors): the same rules as
	 * the problems of the native API, without the statuses only the native API has.
	 */
	private static void documentOpenAiErrors(String path, Operation operation) {
		ApiResponses responses = (operation.getResponses() != null) ? operation.getResponses() : new ApiResponses();
		operation.setResponses(responses);
		SortedSet<String> statuses = new TreeSet<>(List.of("401", "429", "500"));
		if (operation.getRequestBody() != null
				|| (operation.getParameters() != null && !operation.getParameters().isEmpty())) {
			statuses.add("400");
		}
		if (path.contains("{")) {
			statuses.add("404");
		}
		statuses.forEach((status) -> responses.computeIfAbsent(status,
				(code) -> new ApiResponse().description(PROBLEM_MEANINGS.get(code))
					.content(new Content().addMediaType("application/json",
							new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + OPENAI_ERROR))))));
	}

	private static Schema<?> openAiErrorSchema() {
		return new ObjectSchema().description("OpenAI's error body, as the OpenAI SDKs read it")
			.addProperty("error", new ObjectSchema()
				.addProperty("message", new StringSchema().description("What went wrong, in plain words"))
				.addProperty("type", new StringSchema().description("invalid_request_error, authentication_error, ..."))
				.addProperty("param", new StringSchema().description("The parameter at fault, when one is"))
				.addProperty("code", new StringSchema().description("A machine-readable code, when there is one")));
	}

	/** One job's stream sits under the job's path but belongs with the other stream. */
	private static @Nullable Feature feature(String path) {
		String featurePath = path.endsWith("/events") ? "/api/v1/events" : path;
		return FEATURES.stream().filter((candidate) -> candidate.covers(featurePath)).findFirst().orElse(null);
	}

	private static int rank(String path) {
		Feature feature = path.startsWith(API) ? feature(path) : null;
		return (feature != null) ? FEATURES.indexOf(feature) : FEATURES.size();
	}

	/** The problems an operation can answer with, in status order. */
	private static List<String> problems(String key, String path, Operation operation) {
		SortedSet<String> statuses = new TreeSet<>(List.of("401", "403", "429", "500", "503"));
		boolean input = operation.getRequestBody() != null
				|| (operation.getParameters() != null && !operation.getParameters().isEmpty());
		if (input) {
			statuses.add("400");
		}
		if (path.contains("{")) {
			statuses.add("404");
		}
		statuses.addAll(OWN_PROBLEMS.getOrDefault(key, List.of()));
		return List.copyOf(statuses);
	}

	private static void createExamples(Operation operation) {
		if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
			MediaType json = operation.getRequestBody().getContent().get("application/json");
			if (json != null) {
				json.addExamples("four seconds of 16:9", new Example().summary("A four-second 16:9 clip at 720p")
					.value(Map.of("prompt", "A calico cat playing a grand piano", "duration_seconds", 4, "aspect_ratio",
							"16:9", "resolution", "720p", "priority", 0)));
			}
		}
		ApiResponse invalid = new ApiResponse().description(PROBLEM_MEANINGS.get("400"))
			.content(new Content().addMediaType(PROBLEM_JSON,
					new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))
						.addExamples("priority as a word", new Example().summary("\"priority\": \"low\"")
							.value(invalidExample()))));
		operation.getResponses().addApiResponse("400", invalid);
	}

	private static Map<String, Object> invalidExample() {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", "https://reelay.dev/problems/invalid-request");
		problem.put("title", "Invalid request");
		problem.put("status", 400);
		problem.put("detail", "Field 'priority' must be a whole number");
		problem.put("instance", "/api/v1/jobs");
		problem.put("field", "priority");
		problem.put("errors", List.of(Map.of("field", "priority", "message", "Field 'priority' must be a whole number")));
		return problem;
	}

	private static Schema<?> problemSchema() {
		return new ObjectSchema().description("An RFC 9457 problem (application/problem+json)")
			.addProperty("type", new StringSchema().description("A URI naming the kind of problem"))
			.addProperty("title", new StringSchema().description("The kind of problem, in words"))
			.addProperty("status", new IntegerSchema().description("The HTTP status"))
			.addProperty("detail", new StringSchema().description("What went wrong and how to fix it, in plain words"))
			.addProperty("instance", new StringSchema().description("The path that was called"))
			.addProperty("field", new StringSchema()
				.description("The request field, parameter or header at fault (jobs[3].prompt in a batch)"))
			.addProperty("errors", new ArraySchema().items(new ObjectSchema()
				.addProperty("field", new StringSchema())
				.addProperty("message", new StringSchema())).description("Each field at fault with its message"));
	}

	private record Feature(String name, String description, List<String> prefixes) {

		Feature(String name, String description, String... prefixes) {
			this(name, description, List.of(prefixes));
		}

		boolean covers(String path) {
			return this.prefixes.stream().anyMatch((prefix) -> path.equals(prefix) || path.startsWith(prefix + "/"));
		}

	}

	private record Success(String status, String description) {
	}

}
