package org.sdcdocker.agent.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sdcdocker.protocol.Cidr;

/** The host's IPv4 routes, from /proc/net/route, so a new network's subnet clashes with none. */
final class HostRoutes {
  private HostRoutes() {}

  static List<Cidr> ipv4() {
    List<Cidr> out = new ArrayList<>();
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 8) {
          continue;
        }
        int dest = Integer.reverseBytes((int) Long.parseLong(f[1], 16));
        int mask = Integer.reverseBytes((int) Long.parseLong(f[7], 16));
        out.add(new Cidr(dest, Integer.bitCount(mask)));
      }
    } catch (IOException | RuntimeException e) {
      // without the table, only the networks' own subnets are avoided
    }
    return out;
  }
}
