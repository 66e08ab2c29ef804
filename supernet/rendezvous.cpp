#include "supernet/rendezvous.h"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace tinynas::supernet {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

std::string text(const nlohmann::json& j) {
  return j.is_null() ? std::string("(absent)") : j.dump();
}

void check_options(const DistributedOptions& o) {
  const auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
  if (o.world_size < 1) bad("--world-size must be at least 1, got " + std::to_string(o.world_size));
  if (o.rank < 0 || o.rank >= o.world_size)
    bad("--rank " + std::to_string(o.rank) + " is out of range: with --world-size " +
        std::to_string(o.world_size) + " ranks are 0 to " + std::to_string(o.world_size - 1));
  if (o.master_host.empty()) bad("--master needs a host: HOST:PORT");
  if (o.master_port < 1 || o.master_port > 65535)
    bad("--master port must be 1 to 65535, got " + std::to_string(o.master_port));
  if (!(o.timeout_s > 0)) bad("the distributed timeout must be positive");
}

c10::intrusive_ptr<c10d::TCPStore> connect(const DistributedOptions& o) {
  c10d::TCPStoreOptions so;
  so.port = static_cast<uint16_t>(o.master_port);
  so.isServer = o.rank == 0;
  so.waitWorkers = false;  // joining is checked below, with messages that name the missing rank
  so.timeout = millis(o.timeout_s);
  try {
    return c10::make_intrusive<c10d::TCPStore>(o.master_host, so);
  } catch (const std::exception& e) {
    if (o.rank == 0)
      throw std::invalid_argument("rank 0 cannot host the rendezvous at " + master_address(o) +
                                  " (is the port in use by another run, or the host not this "
                                  "machine's address?): " +
                                  e.what());
    throw std::invalid_argument(
        "rank " + std::to_string(o.rank) + " cannot reach the master at " + master_address(o) +
        " within " + std::to_string(static_cast<int>(o.timeout_s)) +
        " s (is rank 0 running, and the port open in its firewall?): " + e.what());
  }
}

// Every process counts itself in; all wait until world_size have come. Returns what is wrong with
// the ranks that came, or "".
std::string join(c10d::Store& store, const DistributedOptions& o) {
  const std::string where = " at " + master_address(o);
  store.add("rank/" + std::to_string(o.rank), 1);
  const int64_t arrival = store.add("joined", 1);
  if (arrival > o.world_size)
    throw std::invalid_argument("rank " + std::to_string(o.rank) + " joined" + where +
                                " after all " + std::to_string(o.world_size) +
                                " processes of --world-size had: one process too many (check "
                                "--rank and --world-size on every machine)");
  const Clock::time_point deadline = Clock::now() + millis(o.timeout_s);
  while (store.add("joined", 0) < o.world_size) {
    if (Clock::now() > deadline) {
      std::string missing;
      for (int r = 0; r < o.world_size; ++r)
        if (store.add("rank/" + std::to_string(r), 0) == 0)
          missing += (missing.empty() ? "" : ", ") + std::to_string(r);
      throw std::invalid_argument("only " + std::to_string(store.add("joined", 0)) + " of " +
                                  std::to_string(o.world_size) + " ranks joined" + where +
                                  " within " + std::to_string(static_cast<int>(o.timeout_s)) +
                                  " s; missing rank(s): " + missing);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (int r = 0; r < o.world_size; ++r) {
    const int64_t claims = store.add("rank/" + std::to_string(r), 0);
    if (claims != 1)
      return "rank " + std::to_string(r) + " was claimed by " + std::to_string(claims) +
             " processes" + where + " (check --rank on every machine: each of 0 to " +
             std::to_string(o.world_size - 1) + " exactly once)";
  }
  return "";
}

// What differs between this rank's fingerprint and the others', or "".
std::string compare_fingerprints(c10d::Store& store, const DistributedOptions& o,
                                 const nlohmann::json& mine) {
  const std::string dumped = mine.dump();
  store.set("config/" + std::to_string(o.rank), std::vector<uint8_t>(dumped.begin(), dumped.end()));
  for (int r = 0; r < o.world_size; ++r) {
    if (r == o.rank) continue;
    const std::vector<uint8_t> bytes = store.get("config/" + std::to_string(r));
    const nlohmann::json theirs = nlohmann::json::parse(bytes.begin(), bytes.end());
    if (theirs == mine) continue;
    const nlohmann::json patch = nlohmann::json::diff(mine, theirs);
    const nlohmann::json::json_pointer at(patch.at(0).at("path").get<std::string>());
    const auto value = [&](const nlohmann::json& j) {
      return j.contains(at) ? text(j.at(at)) : std::string("(absent)");
    };
    return "rank " + std::to_string(r) + "'s configuration differs from rank " +
           std::to_string(o.rank) + "'s at '" + at.to_string() + "': " + value(theirs) +
           " there, " + value(mine) +
           " here (every rank must run the same config, seed, world size and checkpoint)";
  }
  return "";
}

// Rank 0 hosts the store: it stays until every rank has read what it needs, so the others see
// the same verdict instead of a lost connection.
void wait_until_all_checked(c10d::Store& store, const DistributedOptions& o) {
  store.add("checked", 1);
  if (o.rank != 0) return;
  const Clock::time_point deadline = Clock::now() + millis(o.timeout_s);
  while (store.add("checked", 0) < o.world_size && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

}  // namespace

std::string master_address(const DistributedOptions& options) {
  return options.master_host + ":" + std::to_string(options.master_port);
}

c10::intrusive_ptr<c10d::Store> rendezvous(const DistributedOptions& options,
                                           const nlohmann::json& fingerprint) {
  check_options(options);
  c10::intrusive_ptr<c10d::TCPStore> store = connect(options);
  try {
    std::string problem = join(*store, options);
    if (problem.empty()) problem = compare_fingerprints(*store, options, fingerprint);
    wait_until_all_checked(*store, options);
    if (!problem.empty()) throw std::invalid_argument(problem);
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(options.rank) + ": the rendezvous at " +
                             master_address(options) + " failed: " + e.what());
  }
  return store;
}

}  // namespace tinynas::supernet
