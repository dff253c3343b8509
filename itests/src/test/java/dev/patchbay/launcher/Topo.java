package dev.patchbay.launcher;

import dev.patchbay.testing.Sandbox;

/** Test topology helpers: an "outside" namespace on an uplink of the sandbox host. */
final class Topo {
    static final String HOST_UPLINK_IP = "198.51.100.1";
    static final String OUTSIDE_IP = "198.51.100.2";

    private Topo() {
    }

    /** host {@code up0} 198.51.100.1/24 <-> {@code outside} eth0 198.51.100.2/24, no route back to containers. */
    static void uplink(Sandbox sandbox, String outside) {
        sandbox.run("ip", "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", outside);
        sandbox.run("ip", "addr", "add", HOST_UPLINK_IP + "/24", "dev", "up0");
        sandbox.run("ip", "link", "set", "up0", "up");
        sandbox.run("ip", "-n", outside, "addr", "add", OUTSIDE_IP + "/24", "dev", "eth0");
        sandbox.run("ip", "-n", outside, "link", "set", "eth0", "up");
    }

    /** A line echo server on {@code port} in {@code netns}, serving many connections at once. */
    static Process echoServer(String netns, int port) throws Exception {
        String py = "import socketserver\n"
                + "class H(socketserver.StreamRequestHandler):\n"
                + "    def handle(self):\n"
                + "        for line in self.rfile:\n"
                + "            self.wfile.write(line); self.wfile.flush()\n"
                + "socketserver.ThreadingTCPServer.allow_reuse_address = True\n"
                + "socketserver.ThreadingTCPServer(('0.0.0.0', " + port + "), H).serve_forever()\n";
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "python3", "-c", py)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(400);
        return p;
    }
}
