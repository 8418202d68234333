package org.sdcdocker.agent.zone;

import java.util.List;
import org.sdcdocker.protocol.agent.ContainerSpec;
import org.sdcdocker.protocol.agent.ZoneRecord;

/** What a compute node does with zones, whatever runs them (Linux runc, SmartOS vmadm). */
public interface ZoneBackend {
  /** Builds a zone from its spec, fetching missing layers from the image service. */
  ZoneRecord create(ContainerSpec spec, String blobSource);

  /** Runs the zone's first process. */
  ZoneRecord start(String id);

  /** Sends a signal to the zone's first process; a manual kill keeps restart policies off. */
  void kill(String id, int signal, boolean manual);

  /** Removes the zone and everything it had; force kills a running one first. */
  void delete(String id, boolean force);

  /** Every zone of this compute node. */
  List<ZoneRecord> list();
}
