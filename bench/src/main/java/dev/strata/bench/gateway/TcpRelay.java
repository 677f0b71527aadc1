package dev.strata.bench.gateway;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thinnest gateway there is, as the overhead benchmark's floor: a loopback TCP relay that copies
 * bytes both ways between each client connection and its own upstream connection (blocking sockets,
 * {@code TCP_NODELAY}, one platform thread per direction, no HTTP parsing). Whatever it adds over
 * calling the upstream directly is the price of one more process hop on this machine: two more
 * loopback round trips through the kernel and two more thread wake-ups per request, which any
 * gateway pays before it does any work of its own.
 *
 * <p>Run as its own process ({@code java -cp strata-bench.jar dev.strata.bench.gateway.TcpRelay
 * --listen PORT --to PORT}, both on 127.0.0.1) so that its CPU and memory are read like the other
 * gateways'; it stops on SIGTERM.
 */
public final class TcpRelay implements AutoCloseable {
    private static final int BUFFER = 16 * 1024;

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private TcpRelay(ServerSocket server, InetSocketAddress upstream) {
        this.server = server;
        this.upstream = upstream;
        this.acceptor = Thread.ofPlatform().name("relay-accept").start(this::accept);
    }

    /** Listens on {@code port} of 127.0.0.1 (0: any free port) and relays every connection to {@code upstream}. */
    public static TcpRelay start(int port, InetSocketAddress upstream) throws IOException {
        return new TcpRelay(new ServerSocket(port, 1024, InetAddress.getLoopbackAddress()), upstream);
    }

    public int port() {
        return server.getLocalPort();
    }

    public static void main(String[] args) throws Exception {
        int listen = -1;
        int to = -1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--listen" -> listen = parsePort(args[i + 1]);
                case "--to" -> to = parsePort(args[i + 1]);
                default -> listen = -2;
            }
        }
        if (listen < 0 || to < 1 || args.length % 2 != 0) {
            System.err.println("usage: TcpRelay --listen PORT --to PORT (both on 127.0.0.1)");
            System.exit(2);
        }
        TcpRelay relay = start(listen, new InetSocketAddress(InetAddress.getLoopbackAddress(), to));
        Runtime.getRuntime().addShutdownHook(new Thread(relay::close));
        relay.acceptor.join();
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            return port >= 0 && port < 65536 ? port : -2;
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            try {
                Socket out = new Socket();
                out.setTcpNoDelay(true);
                out.connect(upstream, 5_000);
                client.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(out);
                AtomicInteger open = new AtomicInteger(2);
                Thread.ofPlatform().daemon().name("relay-up").start(() -> copy(client, out, open));
                Thread.ofPlatform().daemon().name("relay-down").start(() -> copy(out, client, open));
            } catch (IOException e) {
                closeQuietly(client); // upstream unreachable: the client sees the connection close
            }
        }
    }

    /**
     * Copies {@code from} to {@code to} until end of stream, then ends {@code to}'s output (half-close);
     * on an error, or when the pair's other direction ({@code open} counts them) has ended too, closes both.
     */
    private void copy(Socket from, Socket to, AtomicInteger open) {
        byte[] buffer = new byte[BUFFER];
        boolean failed = false;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            failed = true;
        }
        if (open.decrementAndGet() == 0 || failed) {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void closeQuietly(Closeable socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() {
        closeQuietly(server);
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
