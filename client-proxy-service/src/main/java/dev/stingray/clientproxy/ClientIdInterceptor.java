package dev.stingray.clientproxy;

import dev.stingray.proto.client.RayletLogStreamerGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * Reads the connection metadata every Ray Client call carries — {@code client_id} (a uuid hex) and
 * {@code reconnecting} ("True"/"False") — into the {@link Context} of the call (Ray:
 * {@code python/ray/util/client/common.py::_get_client_id_from_context}).
 *
 * <p>The streams that belong to one client session (the log stream, later the data stream) are
 * refused with INVALID_ARGUMENT without a {@code client_id}, as Ray's servicers do; unary calls are
 * accepted without it. Stateless and thread-safe.
 */
public final class ClientIdInterceptor implements ServerInterceptor {

    /** The caller's {@code client_id}, empty when the call carries none. */
    public static final Context.Key<String> CLIENT_ID = Context.keyWithDefault("stingray-client-id", "");
    /** Whether the caller says it is reconnecting an existing session. */
    public static final Context.Key<Boolean> RECONNECTING = Context.keyWithDefault("stingray-client-reconnecting", false);

    static final Metadata.Key<String> CLIENT_ID_HEADER = Metadata.Key.of("client_id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> RECONNECTING_HEADER = Metadata.Key.of("reconnecting", Metadata.ASCII_STRING_MARSHALLER);

    /** Services whose calls are part of a client session and so need to know the client. */
    private static final Set<String> SESSION_SERVICES = Set.of(RayletLogStreamerGrpc.SERVICE_NAME);

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        String clientId = headers.get(CLIENT_ID_HEADER);
        clientId = clientId == null ? "" : clientId.trim();
        if (clientId.isEmpty() && SESSION_SERVICES.contains(call.getMethodDescriptor().getServiceName())) {
            call.close(Status.INVALID_ARGUMENT.withDescription(
                    "client_id metadata is missing: Ray Client calls must carry the client_id header"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        // Ray sends Python's str(bool): "True" / "False".
        boolean reconnecting = Boolean.parseBoolean(headers.get(RECONNECTING_HEADER));
        Context context = Context.current().withValues(CLIENT_ID, clientId, RECONNECTING, reconnecting);
        return Contexts.interceptCall(context, call, headers, next);
    }
}
