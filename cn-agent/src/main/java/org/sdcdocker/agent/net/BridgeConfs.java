package org.sdcdocker.agent.net;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.sdcdocker.protocol.Cidr;
import org.sdcdocker.protocol.Json;
import org.sdcdocker.protocol.agent.NetworkRecords.Network;

/**
 * The CNI configuration of a zone's attachment to a network: the network's bridge on this node with
 * host-local addresses from its subnet, a MAC when one was asked for, published ports.
 */
final class BridgeConfs {
  private final String cnUuid;
  private final Path ipamDir;

  BridgeConfs(String cnUuid, Path ipamDir) {
    this.cnUuid = cnUuid;
    this.ipamDir = ipamDir;
  }

  ObjectNode confList(Network net, String mac, boolean withPorts) {
    return confList(net, mac, withPorts, null, 0);
  }

  /**
   * The same; on a fleet-wide network ({@code fleetAddress} not null) the zone's address is the one
   * the front ends gave it (CNI's static IPAM, not this node's leases) and its interface and the
   * bridge have the tunnel's {@code mtu}.
   */
  ObjectNode confList(Network net, String mac, boolean withPorts, String fleetAddress, int mtu) {
    ObjectNode bridge = Json.MAPPER.createObjectNode();
    bridge
        .put("type", "bridge")
        .put("bridge", bridgeName(cnUuid, net.id()))
        .put("isGateway", true)
        .put("ipMasq", false)
        .put("hairpinMode", true); // masquerading is one rule per bridge: HostNet's
    if (mtu > 0) {
      bridge.put("mtu", mtu);
    }
    bridge.putObject("capabilities").put("ips", true);
    ObjectNode ipam = bridge.putObject("ipam");
    if (fleetAddress != null) {
      ipam.put("type", "static")
          .putArray("addresses")
          .addObject()
          .put("address", fleetAddress + "/" + Cidr.parse(net.subnet()).bits())
          .put("gateway", net.gateway());
    } else {
      ipam.put("type", "host-local").put("dataDir", ipamDir.toString());
      ObjectNode range = ipam.putArray("ranges").addArray().addObject();
      range.put("subnet", net.subnet()).put("gateway", net.gateway());
      if (net.ipRange() != null) {
        Cidr r = Cidr.parse(net.ipRange());
        range.put("rangeStart", Cidr.dotted(r.host(1))).put("rangeEnd", Cidr.dotted(r.lastHost()));
      }
    }
    if (!net.internal()) {
      ipam.putArray("routes").addObject().put("dst", "0.0.0.0/0");
    }
    List<ObjectNode> plugins = new ArrayList<>(List.of(bridge));
    if (mac != null && !mac.isEmpty()) {
      plugins.add(Json.MAPPER.createObjectNode().put("type", "tuning").put("mac", mac));
    }
    if (withPorts) {
      ObjectNode pm = Json.MAPPER.createObjectNode().put("type", "portmap").put("snat", true);
      pm.putObject("capabilities").put("portMappings", true);
      plugins.add(pm);
    }
    return Cni.confList(confName(net.id()), plugins);
  }

  /** The configuration's name, which also names the network's address leases directory. */
  static String confName(String networkId) {
    return "sdc-" + networkId;
  }

  /** The bridge of a network on a node: unique per node and network, within IFNAMSIZ. */
  public static String bridgeName(String cnUuid, String networkId) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest((cnUuid + ":" + networkId).getBytes(StandardCharsets.UTF_8));
      return HostNet.BRIDGE_PREFIX + HexFormat.of().formatHex(d).substring(0, 11);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
