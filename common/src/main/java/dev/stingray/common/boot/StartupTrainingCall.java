package dev.stingray.common.boot;

import dev.stingray.common.rpc.GrpcChannels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

/**
 * A start-up archive's training run ({@code bin/train-cds} sets {@code stingray.startup-training=true}): the
 * daemon starts as it really does — servers started, ready listeners run — makes one gRPC call to its own server,
 * and exits, so that the JVM writes the archive. A real daemon makes its first calls right after its start
 * (registration, health checks, long polls), and the first call of a process loads some 750 classes of gRPC's
 * client and server call paths and HTTP/2; a run that ends after the context refresh
 * ({@code spring.context.exit=onRefresh}) records neither those nor the started servers' classes.
 */
public final class StartupTrainingCall {

    private static final Logger log = LoggerFactory.getLogger(StartupTrainingCall.class);

    private final DaemonExit exit;
    private volatile int grpcPort;

    public StartupTrainingCall(DaemonExit exit) {
        this.exit = exit;
    }

    @EventListener
    public void onGrpcStarted(GrpcServerStartedEvent event) {
        grpcPort = event.getPort();
    }

    /** The daemon is up: call its own health service once (the standard gRPC health check), then exit. */
    @EventListener
    public void onReady(ApplicationReadyEvent event) {
        if (grpcPort > 0) {
            try {
                GrpcChannels.checkHealth("127.0.0.1:" + grpcPort, java.time.Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                // Only the classes matter: the training goes on without the answer.
                log.info("The training call to this daemon's own gRPC server failed: {}", e.toString());
            }
        }
        exit.exit(0, "start-up training run done");
    }
}
