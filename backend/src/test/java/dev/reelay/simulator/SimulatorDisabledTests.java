package dev.reelay.simulator;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

@TestPropertySource(properties = "reelay.simulator.enabled=false")
class SimulatorDisabledTests extends SimulatorTestSupport {

	@Autowired
	ApplicationContext context;

	@Test
	void noRoutesAndNoBeansWhenDisabled() {
		assertThat(this.context.getBeansOfType(SimulatorLedger.class)).isEmpty();

		this.client.get()
			.uri("/videos")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.doesNotExist(SimulatorFilter.REQUEST_ID_HEADER);
	}

}
