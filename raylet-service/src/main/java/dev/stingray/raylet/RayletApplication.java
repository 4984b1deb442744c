package dev.stingray.raylet;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The per-node manager daemon ({@code raylet} in Ray's process table). */
@SpringBootApplication
public class RayletApplication {

    public static void main(String[] args) {
        SpringApplication.run(RayletApplication.class, args);
    }
}
