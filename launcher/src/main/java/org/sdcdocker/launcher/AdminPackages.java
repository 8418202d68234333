package org.sdcdocker.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sdcdocker.protocol.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code sdc-dockeradm package add|ls|get|deactivate}: what a container may use. Once one is
 * defined every new container gets one, chosen by its {@code -m} or by its label {@code
 * com.joyent.package}.
 */
@Command(
    name = "package",
    mixinStandardHelpOptions = true,
    description = "Packages: the memory, swap, disk, CPU and processes a container may use.")
final class AdminPackages {
  @ParentCommand Admin admin;

  @Command(name = "add", description = "Define a package (sizes in MiB, or with m, g or t).")
  int add(
      @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--memory", required = true, description = "Its memory.") String memory,
      @Option(
              names = "--swap",
              description =
                  "Memory and swap together, as Docker's --memory-swap (default: twice"
                      + " the memory).")
          String swap,
      @Option(names = "--disk", description = "Its disk (recorded; not enforced here).")
          String disk,
      @Option(names = "--cpu-shares", description = "Relative CPU weight (default: the runtime's).")
          long cpuShares,
      @Option(names = "--cpu-cap", description = "Percent of one CPU (100 is one; default: none).")
          long cpuCap,
      @Option(names = "--pids", description = "The most processes (default: no limit).") long pids)
      throws IOException {
    long mem = mib(memory);
    long sw = swap == null ? 0 : mib(swap);
    long dk = disk == null ? 0 : mib(disk);
    if (mem < 0 || sw < 0 || dk < 0) {
      System.err.println(
          "sdc-dockeradm: sizes are MiB, or a number with m, g or t (512m, 2g): "
              + (mem < 0 ? memory : sw < 0 ? swap : disk));
      return 2;
    }
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("Name", name)
        .put("Memory", mem)
        .put("Swap", sw)
        .put("Disk", dk)
        .put("CpuShares", cpuShares)
        .put("CpuCap", cpuCap)
        .put("Pids", pids);
    return AdminAccounts.run(
        admin.call("POST", "/packages", b.toString()),
        201,
        a -> System.out.println("added package " + name + " " + a.json().get("uuid").asText()));
  }

  @Command(name = "ls", description = "List the packages.")
  int ls(@Option(names = "--json", description = "As JSON, for scripts.") boolean json)
      throws IOException {
    return AdminAccounts.show(
        admin.call("GET", "/packages"),
        json,
        a -> {
          List<List<String>> rows = new ArrayList<>();
          rows.add(
              List.of(
                  "NAME",
                  "UUID",
                  "ACTIVE",
                  "MEMORY",
                  "SWAP",
                  "DISK",
                  "CPU SHARES",
                  "CPU CAP",
                  "PIDS"));
          for (JsonNode p : a.json()) {
            rows.add(
                List.of(
                    p.get("name").asText(),
                    p.get("uuid").asText().substring(0, 8),
                    p.get("active").asBoolean() ? "yes" : "no",
                    p.get("memory").asText() + "M",
                    p.get("swap").asText() + "M",
                    p.get("disk").asLong() == 0 ? "-" : p.get("disk").asText() + "M",
                    p.get("cpuShares").asLong() == 0 ? "-" : p.get("cpuShares").asText(),
                    p.get("cpuCap").asLong() == 0 ? "-" : p.get("cpuCap").asText() + "%",
                    p.get("pids").asLong() == 0 ? "-" : p.get("pids").asText()));
          }
          System.out.print(Admin.table(rows));
        });
  }

  @Command(name = "get", description = "Show a package (by name or uuid).")
  int get(
      @Parameters(paramLabel = "PACKAGE") String which,
      @Option(names = "--json", description = "As JSON, for scripts.") boolean json)
      throws IOException {
    return AdminAccounts.show(
        admin.call("GET", "/packages/" + AdminAccounts.enc(which)),
        json,
        a -> {
          JsonNode p = a.json();
          List<List<String>> rows = new ArrayList<>();
          for (String f :
              List.of(
                  "name",
                  "uuid",
                  "active",
                  "memory",
                  "swap",
                  "disk",
                  "cpuShares",
                  "cpuCap",
                  "pids",
                  "created")) {
            rows.add(List.of(f.toUpperCase(Locale.ROOT), p.path(f).asText()));
          }
          System.out.print(Admin.table(rows));
        });
  }

  @Command(
      name = "deactivate",
      description = "No new container gets the package; those that have it keep it.")
  int deactivate(@Parameters(paramLabel = "PACKAGE") String which) throws IOException {
    return AdminAccounts.run(
        admin.call("POST", "/packages/" + AdminAccounts.enc(which) + "/deactivate"),
        200,
        a -> System.out.println("deactivated package " + a.json().get("name").asText()));
  }

  /** A size in MiB (a number of MiB, or with the suffix m, g or t), or -1 when it is not one. */
  static long mib(String size) {
    String s = size.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (s.endsWith("m") || s.endsWith("g") || s.endsWith("t")) {
      unit = s.endsWith("m") ? 1 : s.endsWith("g") ? 1024 : 1024 * 1024;
      s = s.substring(0, s.length() - 1);
    }
    try {
      long n = Long.parseLong(s);
      return n < 0 ? -1 : Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      return -1;
    }
  }
}
