package dev.reelay.callback;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.netty.resolver.AbstractAddressResolver;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The webhook client's only way from a host name to an address: it resolves the name, checks every address it
 * got, and hands the connector those checked addresses, so nothing can re-resolve the name to another address
 * between the check and the connect (DNS rebinding). Addresses given as literals are checked the same way: the
 * resolver claims nothing is resolved already. Lookups block, so they run on the bounded elastic scheduler, never
 * on the event loop.
 */
final class GuardedResolverGroup extends AddressResolverGroup<InetSocketAddress> {

	private final TargetGuard guard;

	private final Duration timeout;

	/** {@code timeout} bounds a lookup (the connect timeout does not cover name resolution). */
	GuardedResolverGroup(TargetGuard guard, Duration timeout) {
		this.guard = guard;
		this.timeout = timeout;
	}

	@Override
	protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
		return new Resolver(executor, this.guard, this.timeout);
	}

	private static final class Resolver extends AbstractAddressResolver<InetSocketAddress> {

		private final TargetGuard guard;

		private final Duration timeout;

		Resolver(EventExecutor executor, TargetGuard guard, Duration timeout) {
			super(executor, InetSocketAddress.class);
			this.guard = guard;
			this.timeout = timeout;
		}

		@Override
		protected boolean doIsResolved(InetSocketAddress address) {
			return false;
		}

		@Override
		protected void doResolve(InetSocketAddress address, Promise<InetSocketAddress> promise) {
			lookUp(address).subscribe((all) -> promise.trySuccess(all.get(0)), promise::tryFailure);
		}

		@Override
		protected void doResolveAll(InetSocketAddress address, Promise<List<InetSocketAddress>> promise) {
			lookUp(address).subscribe(promise::trySuccess, promise::tryFailure);
		}

		private Mono<List<InetSocketAddress>> lookUp(InetSocketAddress address) {
			return Mono.fromCallable(() -> {
				String host = address.getHostString();
				List<InetAddress> found = address.isUnresolved() ? Arrays.asList(InetAddress.getAllByName(host))
						: List.of(address.getAddress());
				this.guard.requireAllowed(host, found);
				return found.stream().map((ip) -> new InetSocketAddress(ip, address.getPort())).toList();
			}).subscribeOn(Schedulers.boundedElastic())
				.timeout(this.timeout, Mono.error(() -> new UnknownHostException(
						address.getHostString() + " did not resolve within " + this.timeout.toMillis() + " ms")));
		}

	}

}
