package dev.patchbay.plugin.ipam;

import dev.patchbay.core.ipam.AllocationRequest;
import dev.patchbay.core.ipam.IpamConfig;
import dev.patchbay.core.model.IfName;
import dev.patchbay.core.model.IpPrefix;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One allocating process of the multi-process tests: waits for {@code <go file>}, then for i in 0..count-1
 * allocates for {@code <prefix>-i}/eth0 and prints "A address", and releases every odd owner right after its
 * allocation, printing "R address" (not with a 7th argument "keep"). Args: dataDir network subnet prefix count goFile [keep].
 */
public final class AllocateMain {
    private AllocateMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.print(run(args));
        System.out.flush();
    }

    static String run(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        String network = args[1];
        IpamConfig config = IpamConfig.ofSubnets(IpPrefix.parse(args[2]));
        String prefix = args[3];
        int count = Integer.parseInt(args[4]);
        Path go = Path.of(args[5]);
        boolean keep = args.length > 6 && args[6].equals("keep");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(go) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        HostLocalIpam ipam = new HostLocalIpam();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String owner = prefix + "-" + i;
            var a = ipam.allocate(AllocationRequest.of(data, network, owner, IfName.of("eth0"), config));
            out.append("A ").append(a.addresses().get(0).address().address().getHostAddress()).append('\n');
            if (i % 2 == 1 && !keep) {
                for (var ip : ipam.release(data, network, owner, IfName.of("eth0"))) {
                    out.append("R ").append(ip.getHostAddress()).append('\n');
                }
            }
        }
        return out.toString();
    }
}
