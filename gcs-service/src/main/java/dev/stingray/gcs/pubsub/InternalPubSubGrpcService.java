package dev.stingray.gcs.pubsub;

import dev.stingray.common.rpc.GrpcReplies;
import dev.stingray.proto.GcsPublishReply;
import dev.stingray.proto.GcsPublishRequest;
import dev.stingray.proto.GcsSubscriberCommandBatchReply;
import dev.stingray.proto.GcsSubscriberCommandBatchRequest;
import dev.stingray.proto.GcsSubscriberPollReply;
import dev.stingray.proto.GcsSubscriberPollRequest;
import dev.stingray.proto.InternalPubSubGcsServiceGrpc;
import dev.stingray.proto.PubMessage;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** gRPC adapter of {@link GcsPublisher} ({@code InternalPubSubGcsService}). */
public final class InternalPubSubGrpcService extends InternalPubSubGcsServiceGrpc.InternalPubSubGcsServiceImplBase {

    private final GcsPublisher publisher;

    public InternalPubSubGrpcService(GcsPublisher publisher) {
        this.publisher = publisher;
    }

    /** Publishes messages from other processes (log monitor batches, errors). */
    @Override
    public void gcsPublish(GcsPublishRequest request, StreamObserver<GcsPublishReply> observer) {
        GrpcReplies.reply(observer, () -> {
            for (PubMessage m : request.getPubMessagesList()) {
                if (m.getInnerMessageCase() == PubMessage.InnerMessageCase.INNERMESSAGE_NOT_SET) {
                    throw new IllegalArgumentException("A published message on channel " + m.getChannelType() + " has no payload");
                }
                publisher.publish(m.getChannelType(), m.getKeyId(), m.toBuilder());
            }
            return GcsPublishReply.getDefaultInstance();
        });
    }

    /** Long poll: answered when messages are queued for the subscriber or the poll times out. */
    @Override
    public void gcsSubscriberPoll(GcsSubscriberPollRequest request, StreamObserver<GcsSubscriberPollReply> observer) {
        if (request.getSubscriberId().isEmpty()) {
            observer.onError(Status.INVALID_ARGUMENT.withDescription("subscriber_id must not be empty").asRuntimeException());
            return;
        }
        publisher.handlePoll(request.getSubscriberId(), request.getMaxProcessedSequenceId(), request.getPublisherId(), observer);
    }

    /** Subscribes or unsubscribes channels. */
    @Override
    public void gcsSubscriberCommandBatch(GcsSubscriberCommandBatchRequest request,
            StreamObserver<GcsSubscriberCommandBatchReply> observer) {
        GrpcReplies.reply(observer, () -> {
            if (request.getSubscriberId().isEmpty()) {
                throw new IllegalArgumentException("subscriber_id must not be empty");
            }
            publisher.handleCommandBatch(request.getSubscriberId(), request.getCommandsList());
            return GcsSubscriberCommandBatchReply.getDefaultInstance();
        });
    }
}
