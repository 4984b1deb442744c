package dev.stingray.runtime.rpc;

import dev.stingray.common.rpc.GrpcChannels;
import dev.stingray.proto.Address;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One cached channel per peer address (raylets, other core workers); closed together. */
public final class Channels implements AutoCloseable {

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public ManagedChannel to(Address address) {
        return to(address.getIpAddress() + ":" + address.getPort());
    }

    public ManagedChannel to(String hostAndPort) {
        return channels.computeIfAbsent(hostAndPort, GrpcChannels::forAddress);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
