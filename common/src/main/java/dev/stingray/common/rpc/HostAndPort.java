package dev.stingray.common.rpc;

/** A {@code host:port} address as users type it (Ray's {@code --address=HOST:PORT}). */
public record HostAndPort(String host, int port) {

    public HostAndPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("Address has no host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Port " + port + " is outside 1-65535");
        }
    }

    /** Parses {@code host:port}; the message names the bad value and the expected form. */
    public static HostAndPort parse(String address) {
        String value = address == null ? "" : address.trim();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException(
                    "Invalid address '" + address + "': expected HOST:PORT, for example 127.0.0.1:6379");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "Invalid address '" + address + "': the port is not a number; expected HOST:PORT, for example 127.0.0.1:6379");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Invalid address '" + address + "': port " + port + " is outside 1-65535");
        }
        return new HostAndPort(host, port);
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
