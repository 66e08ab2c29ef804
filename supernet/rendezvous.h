// How the processes of a data-parallel run find each other: rank 0 hosts a c10d TCPStore on
// master_host:master_port, every rank connects to it, says which rank it is and publishes a
// fingerprint of its configuration. Each rank then checks that exactly world_size processes came,
// each rank once, and that every fingerprint equals its own, so a misconfigured machine stops the
// whole run before any training with a message that says what is wrong.
// LibTorch header: include only from supernet/ sources and tests.
//
//   c10::intrusive_ptr<c10d::Store> store = rendezvous(options, fingerprint);
#pragma once

#include <nlohmann/json.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include "supernet/distributed_options.h"

namespace tinynas::supernet {

// Throws std::invalid_argument (bad input: exit 2) for options out of range, a port rank 0 cannot
// listen on, a master no one answers at within the timeout, ranks missing, claimed twice or in
// excess, and fingerprints that differ (naming the first differing key and both values).
c10::intrusive_ptr<c10d::Store> rendezvous(const DistributedOptions& options,
                                           const nlohmann::json& fingerprint);

// "host:port" as the messages name the master.
std::string master_address(const DistributedOptions& options);

}  // namespace tinynas::supernet
