package dev.stingray.common.rpc;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Netty event loops this process's gRPC channels ({@link GrpcChannels}) and a daemon's gRPC server run on,
 * owned here rather than taken from gRPC's shared default loops so that a daemon can stop them when it exits.
 * gRPC releases its shared loops only a second after their last user, and a JVM exits only after waiting up to
 * 300 ms for threads still in native code — an event loop in {@code epoll_wait} is one — so every daemon's exit
 * took 0.3 s longer (measured: a server started and stopped, then {@code System.exit}, 0.96 s with gRPC's loops,
 * 0.64–0.71 s with these shut down first). Loops are created on first use; after {@link #shutdown()} the next
 * use creates new ones. Threads are daemon threads.
 */
public final class NettyEventLoops {

    private static EventLoopGroup serverBoss;
    private static EventLoopGroup serverWorkers;
    private static EventLoopGroup client;

    private NettyEventLoops() {
    }

    /** The loop accepting a gRPC server's connections. */
    public static synchronized EventLoopGroup serverBoss() {
        if (serverBoss == null) {
            serverBoss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("grpc-server-boss", true), NioIoHandler.newFactory());
        }
        return serverBoss;
    }

    /** The loops serving a gRPC server's connections (Netty's default count: twice the cores). */
    public static synchronized EventLoopGroup serverWorkers() {
        if (serverWorkers == null) {
            serverWorkers = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("grpc-server-worker", true), NioIoHandler.newFactory());
        }
        return serverWorkers;
    }

    /** The loops of every client channel of this process. */
    public static synchronized EventLoopGroup client() {
        if (client == null) {
            client = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("grpc-client", true), NioIoHandler.newFactory());
        }
        return client;
    }

    public static Class<? extends ServerChannel> serverChannelType() {
        return NioServerSocketChannel.class;
    }

    public static Class<? extends Channel> clientChannelType() {
        return NioSocketChannel.class;
    }

    /**
     * Stops every loop at once, without Netty's quiet period, waiting up to a second for their threads: for a
     * daemon's exit, once its servers and channels are closed.
     */
    public static void shutdown() {
        List<EventLoopGroup> groups = new ArrayList<>();
        synchronized (NettyEventLoops.class) {
            for (EventLoopGroup g : new EventLoopGroup[] {serverBoss, serverWorkers, client}) {
                if (g != null) {
                    groups.add(g);
                }
            }
            serverBoss = null;
            serverWorkers = null;
            client = null;
        }
        groups.forEach(g -> g.shutdownGracefully(0, 1, TimeUnit.SECONDS));
        for (EventLoopGroup g : groups) {
            g.terminationFuture().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }
}
