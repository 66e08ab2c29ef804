// Where a training process stands in a data-parallel run: how many processes train together, which
// one this is, and where rank 0 hosts the rendezvous. A plain struct (no LibTorch), so the CLI can
// fill it. world_size 1 is an ordinary single-process run.
//
//   DistributedOptions d;  d.world_size = 2;  d.rank = 1;  d.master_host = "10.0.0.5";
#pragma once

#include <string>

namespace tinynas::supernet {

struct DistributedOptions {
  int world_size = 1;
  int rank = 0;                           // 0 .. world_size - 1; rank 0 hosts the store
  std::string master_host = "127.0.0.1";  // rank 0's address as the other ranks reach it
  int master_port = 29500;                // the rendezvous store's TCP port on rank 0
  double timeout_s = 300;                 // rendezvous and every collective operation
  std::string interface;  // network interface Gloo binds to ("eth1"); empty: the host's address
  bool enabled() const { return world_size > 1; }
};

}  // namespace tinynas::supernet
