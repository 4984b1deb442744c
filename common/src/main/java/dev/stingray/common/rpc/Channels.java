package dev.stingray.common.rpc;

import dev.stingray.proto.Address;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One cached channel per peer address (raylets, core workers); closed together. Used by core workers
 * and by the GCS's actor scheduler.
 *
 * <p>Calls on these channels belong to their owner, not to the thread that happens to start them:
 * they start in the root gRPC {@link Context}. A caller that is itself serving a gRPC call (the Ray
 * Client server's session drivers, the GCS creating an actor inside {@code CreateActor}) would otherwise
 * start lease requests and pushes inside that call, and gRPC cancels them as soon as it returns.
 */
public final class Channels implements AutoCloseable {

    private static final ClientInterceptor OWN_CONTEXT = new ClientInterceptor() {
        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
            Context previous = Context.ROOT.attach();
            try {
                return next.newCall(method, options);
            } finally {
                Context.ROOT.detach(previous);
            }
        }
    };

    private record Peer(ManagedChannel managed, Channel calls) {
    }

    private final Map<String, Peer> channels = new ConcurrentHashMap<>();

    public Channel to(Address address) {
        return to(address.getIpAddress() + ":" + address.getPort());
    }

    public Channel to(String hostAndPort) {
        return channels.computeIfAbsent(hostAndPort, address -> {
            ManagedChannel managed = GrpcChannels.forAddress(address);
            return new Peer(managed, ClientInterceptors.intercept(managed, OWN_CONTEXT));
        }).calls();
    }

    @Override
    public void close() {
        channels.values().forEach(p -> p.managed().shutdownNow());
        channels.clear();
    }
}
