package dev.reelay;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ReelayApplication {

	public static void main(String[] args) {
		SpringApplication.run(ReelayApplication.class, args);
	}

}
