package dev.reelay.provider.taskapi;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.reelay.provider.FamilyTraits;
import dev.reelay.provider.ProviderCallMeter;
import dev.reelay.provider.ProviderFamily;
import dev.reelay.provider.ProviderSettings;
import dev.reelay.provider.VideoProvider;
import dev.reelay.provider.WebhookVerifier;
import dev.reelay.provider.support.ProviderHttp;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The {@code task-api} family: an instance names its API file with {@code options.api} (default: the instance's own
 * name), e.g. {@code modelark} for the bundled {@code task-apis/modelark.yaml}. {@code options.auth-scheme}
 * overrides the file's scheme (Kling's plain API keys, unconfirmed, are {@code bearer}).
 */
@Component
class TaskApiFamily implements ProviderFamily {

	private final WebClient.Builder webClients;

	private final TaskApiSpecs specs;

	private final Environment environment;

	private final Clock clock;

	@Autowired
	TaskApiFamily(WebClient.Builder webClients, TaskApiSettings settings, Environment environment) {
		this(webClients, TaskApiSpecs.load(settings), environment, Clock.systemUTC());
	}

	TaskApiFamily(WebClient.Builder webClients, TaskApiSpecs specs, Environment environment, Clock clock) {
		this.webClients = webClients;
		this.specs = specs;
		this.environment = environment;
		this.clock = clock;
	}

	@Override
	public String name() {
		return "task-api";
	}

	@Override
	public VideoProvider create(String instanceName, ProviderSettings.Instance settings) {
		String api = api(instanceName, settings);
		TaskApiSpec spec = spec(instanceName, api);
		List<String> missing = missingSecrets(spec, settings);
		if (!missing.isEmpty()) {
			throw new IllegalStateException("Provider instance '" + instanceName + "' needs the environment variables "
					+ missing);
		}
		TaskApiAuth auth = new TaskApiAuth(auth(spec, settings), secrets(spec, settings), this.clock);
		return new TaskApiProvider(new ProviderHttp(instanceName, this.webClients, settings.timeout()), api, spec,
				settings.baseUrlOr(spec.baseUrl()), settings, auth, this.clock);
	}

	/** What the API's file says: the images it takes and whether it can cancel; no remix, no look-up of creates. */
	@Override
	public FamilyTraits traits(String instanceName, ProviderSettings.Instance settings) {
		Optional<TaskApiSpec> spec = this.specs.get(api(instanceName, settings));
		if (spec.isEmpty()) {
			return FamilyTraits.PLAIN;
		}
		Set<FamilyTraits.ImageSource> images = spec.get()
			.imageInputs()
			.stream()
			.flatMap((kind) -> Arrays.stream(FamilyTraits.ImageSource.values())
				.filter((source) -> source.name().equalsIgnoreCase(kind)))
			.collect(Collectors.toSet());
		return new FamilyTraits(images, false, spec.get().cancel() != null, false, FamilyTraits.FailedBilling.FULL);
	}

	@Override
	public WebhookVerifier webhooks(String instanceName, ProviderSettings.Instance settings,
			ProviderCallMeter calls) {
		String api = api(instanceName, settings);
		return new TaskApiWebhooks(instanceName, api, spec(instanceName, api), settings, this.clock);
	}

	private TaskApiSpec spec(String instanceName, String api) {
		return this.specs.get(api)
			.orElseThrow(() -> new IllegalStateException("Provider instance '" + instanceName + "' names task API '"
					+ api + "', but there is no task-apis/" + api + ".yaml; known: " + this.specs.names()));
	}

	@Override
	public Optional<String> unavailableReason(ProviderSettings.Instance settings) {
		String api = settings.option("api", "");
		if (!api.isEmpty() && this.specs.get(api).isEmpty()) {
			return Optional.of("there is no task API file named " + api + ".yaml");
		}
		if (api.isEmpty()) {
			// Named after the instance, which this method is not told: checked when the instance is built.
			return Optional.empty();
		}
		List<String> missing = missingSecrets(this.specs.get(api).get(), settings);
		return missing.isEmpty() ? Optional.empty()
				: Optional.of("set the environment variable(s) " + String.join(", ", missing));
	}

	private static String api(String instanceName, ProviderSettings.Instance settings) {
		return settings.option("api", instanceName);
	}

	private static TaskApiSpec.Auth auth(TaskApiSpec spec, ProviderSettings.Instance settings) {
		TaskApiSpec.Auth auth = spec.auth();
		String scheme = settings.options().get("auth-scheme");
		if (scheme == null || scheme.isBlank()) {
			return auth;
		}
		return new TaskApiSpec.Auth(
				TaskApiSpec.Auth.Scheme.valueOf(scheme.strip().replace('-', '_').toUpperCase(Locale.ROOT)),
				auth.header(), auth.issuer(), auth.signingSecret(), auth.lifetime(), auth.notBeforeSkew());
	}

	/** {@code key} is the instance's API key; the file's other secrets come from the variables it names. */
	private Map<String, String> secrets(TaskApiSpec spec, ProviderSettings.Instance settings) {
		Map<String, String> secrets = new HashMap<>();
		if (settings.apiKey() != null) {
			secrets.put("key", settings.apiKey());
		}
		spec.secrets().forEach((name, variable) -> {
			String value = this.environment.getProperty(variable);
			if (value != null) {
				secrets.put(name, value);
			}
		});
		return secrets;
	}

	/** The environment variables of the secrets the instance's scheme signs with that are not set. */
	private List<String> missingSecrets(TaskApiSpec spec, ProviderSettings.Instance settings) {
		TaskApiSpec.Auth auth = auth(spec, settings);
		if (auth.scheme() != TaskApiSpec.Auth.Scheme.JWT_HS256) {
			return List.of();
		}
		List<String> missing = new ArrayList<>();
		spec.secrets().forEach((name, variable) -> {
			String value = this.environment.getProperty(variable);
			boolean used = name.equals(auth.issuer()) || name.equals(auth.signingSecret());
			if (used && (value == null || value.isBlank())) {
				missing.add(variable);
			}
		});
		return missing.stream().sorted().toList();
	}

}
