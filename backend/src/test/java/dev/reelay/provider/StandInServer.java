package dev.reelay.provider;

/** What {@link StandInContractTests} needs of a family's stand-in, whichever way it scripts its answers. */
public interface StandInServer extends AutoCloseable {

	/** {@code path} on the stand-in. */
	String url(String path);

	/** The next answer comes only after a second, far longer than {@link StandIn#IMPATIENT}. */
	void slowly();

	@Override
	void close();

}
