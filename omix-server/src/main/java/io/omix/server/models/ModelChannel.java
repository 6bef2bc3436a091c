package io.omix.server.models;

import io.omix.server.common.http.ApiRequest;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The models' one way out of their sandbox: the server's own HTTP API on a Unix socket that every
 * box gets bound in ({@link Sandbox#CHANNEL_IN_BOX}). Requests through it are marked
 * ({@link ApiRequest#viaModelChannel()}), and the authenticators accept nothing there but a model
 * invocation's token, which counts nowhere else.
 */
final class ModelChannel {
    private ModelChannel() {}

    /** The most connections the models' channel holds at once (every box of the server together). */
    static final int MAX_CONNECTIONS = 256;
    /**
     * The most connections one box holds at once (its processes together, known by the uid the kernel gives for the peer):
     * a model's calls in flight at once, with room to spare.
     */
    static final int MAX_CONNECTIONS_PER_BOX = 32;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelChannel.class);

    /**
     * Adds the channel to {@code server} once its own connector has started (the server's first
     * connector must stay its TCP one: that is the port it reports).
     */
    static void addOnceStarted(Server server, Path socket) {
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                HttpConfiguration http = server.getConnectors().length == 0 ? new HttpConfiguration()
                        : server.getConnectors()[0].getConnectionFactory(HttpConnectionFactory.class).getHttpConfiguration();
                UnixDomainServerConnector connector = connector(server, http, socket);
                server.addConnector(connector);
                try {
                    if (!connector.isStarted()) connector.start();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot open the models' channel at " + socket + ": " + e.getMessage(), e);
                }
            }
        });
    }

    /** The connector, listening on {@code socket}. */
    static UnixDomainServerConnector connector(Server server, HttpConfiguration http, Path socket) {
        HttpConfiguration config = new HttpConfiguration(http);
        config.addCustomizer((request, responseHeaders) -> {
            request.setAttribute(ApiRequest.MODEL_CHANNEL, Boolean.TRUE);
            return request;
        });
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server, new HttpConnectionFactory(config));
        connector.setName("models");
        // At most this many of the boxes' connections held at once, all boxes together: each is a descriptor of the server's,
        // and one box's processes could hold thousands (the database's and the store's descriptors then ran out). Beyond it
        // the channel stops accepting until some close; the boxes' connections wait in the socket's queue.
        connector.addBean(new org.eclipse.jetty.server.NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        // And one box may not take them all, which made every other box's calls wait in the queue until it let go.
        connector.addEventListener(new ConnectionsPerBox());
        try {
            Files.createDirectories(socket.getParent());
            Files.setPosixFilePermissions(socket.getParent(), PosixFilePermissions.fromString("rwx--x--x"));
            Files.deleteIfExists(socket); // a socket left by a server that died
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the models' channel at " + socket, e);
        }
        connector.setUnixDomainPath(socket);
        connector.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                try {
                    // Boxes run as users of their own: they must be able to connect.
                    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void lifeCycleStopped(LifeCycle event) {
                // The socket goes with the server, and so does a directory made for it in the temporary directory.
                try {
                    Files.deleteIfExists(socket);
                    if (madeForTheSocket(socket.getParent())) Files.deleteIfExists(socket.getParent());
                } catch (IOException e) {
                    // left for the machine's own cleaning of its temporary directory: an empty directory
                }
            }
        });
        return connector;
    }

    /**
     * Closes, as soon as it is opened, a connection beyond {@link #MAX_CONNECTIONS_PER_BOX} of one box: every box runs as a
     * host uid of its own ({@link Sandbox#lease}), which the kernel gives for the connection's peer. A connection whose peer
     * cannot be told is closed too.
     */
    static final class ConnectionsPerBox implements org.eclipse.jetty.io.Connection.Listener {
        private final java.util.Map<String, Integer> held = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.Map<org.eclipse.jetty.io.Connection, String> peers = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void onOpened(org.eclipse.jetty.io.Connection connection) {
            String uid = peerUid(connection);
            if (uid == null) {
                LOG.warn("a connection to the models' channel was closed: its peer's user could not be told");
                connection.close();
                return;
            }
            peers.put(connection, uid);
            if (held.merge(uid, 1, Integer::sum) > MAX_CONNECTIONS_PER_BOX) {
                LOG.debug("a model box (uid {}) holds {} connections to the channel already: one more closed", uid, MAX_CONNECTIONS_PER_BOX);
                connection.close();
            }
        }

        @Override
        public void onClosed(org.eclipse.jetty.io.Connection connection) {
            String uid = peers.remove(connection);
            if (uid != null) held.computeIfPresent(uid, (k, n) -> n <= 1 ? null : n - 1);
        }

        /**
         * The user of the process at the other end of {@code connection}, as the kernel saw it connect (a box's uid, as a
         * number: the host has no account for it); null when unknown.
         */
        static String peerUid(org.eclipse.jetty.io.Connection connection) {
            if (!(connection.getEndPoint() instanceof org.eclipse.jetty.io.SocketChannelEndPoint endPoint)) return null;
            try {
                var peer = endPoint.getChannel().getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
                return peer == null ? null : peer.user().getName();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /** A directory made in the temporary directory for a socket whose path under the models' root would be too long. */
    private static final String SHORT_DIR_PREFIX = "omix-channel-";

    static boolean madeForTheSocket(Path dir) {
        return dir.getFileName().toString().startsWith(SHORT_DIR_PREFIX)
                && dir.getParent() != null && dir.getParent().equals(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Where the channel's socket goes: short enough for a Unix socket's path. */
    static Path socketUnder(Path modelsRoot) {
        Path socket = modelsRoot.resolve(".channel").resolve("api.sock");
        if (socket.toString().length() < 100) return socket;
        try {
            return Files.createTempDirectory(SHORT_DIR_PREFIX).resolve("api.sock");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
