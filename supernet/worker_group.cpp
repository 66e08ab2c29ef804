#include "supernet/worker_group.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <csignal>
#include <map>
#include <stdexcept>

#include "supernet/rendezvous.h"

namespace tinynas::supernet {
namespace {

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// Gloo's end of the connections: with a loopback master everything stays on this machine;
// otherwise the address this machine's hostname resolves to (GLOO's own default), or the network
// interface the options name when that address is not the one the other machines can reach.
std::shared_ptr<::gloo::transport::Device> gloo_device(const DistributedOptions& o) {
  if (!o.interface.empty()) return c10d::ProcessGroupGloo::createDeviceForInterface(o.interface);
  if (is_loopback(o.master_host))
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

WorkerGroup::WorkerGroup(const DistributedOptions& options, const nlohmann::json& fingerprint,
                         bool use_cuda)
    : options_(options) {
  // A rank that dies closes its sockets; writing to them must be an error this group reports
  // (the collectives throw, naming the exchange), not a SIGPIPE that ends this process silently.
  std::signal(SIGPIPE, SIG_IGN);
  store_ = rendezvous(options_, fingerprint);
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_s * 1000));
  const auto prefixed = c10::make_intrusive<c10d::PrefixStore>("pg", store_);
  try {
    if (use_cuda) {
#ifdef USE_C10D_NCCL
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = timeout;
      group_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, options_.rank,
                                                           options_.world_size, o);
      backend_ = "nccl";
#else
      throw std::invalid_argument(
          "data-parallel training on CUDA needs a LibTorch built with NCCL; this one has only "
          "Gloo (train on the CPU, or use another LibTorch)");
#endif
    } else {
      auto o = c10d::ProcessGroupGloo::Options::create(timeout);
      o->devices.push_back(gloo_device(options_));
      group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, options_.rank,
                                                           options_.world_size, o);
      backend_ = "gloo";
    }
  } catch (const std::invalid_argument&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(options_.rank) +
                             ": cannot connect the process group of " +
                             std::to_string(options_.world_size) + " ranks (master " +
                             master_address(options_) + "): " + e.what());
  }
}

WorkerGroup::~WorkerGroup() = default;

void WorkerGroup::wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& what) {
  try {
    work->wait();
  } catch (const std::exception& e) {
    throw std::runtime_error(
        "rank " + std::to_string(options_.rank) + " of " + std::to_string(options_.world_size) +
        ": exchanging " + what +
        " failed (another rank stopped, or the network between them did): " + e.what());
  }
}

void WorkerGroup::broadcast_from_rank0(std::vector<torch::Tensor>& tensors,
                                       const std::string& what) {
  // One flat message per dtype (float weights, int64 BN counters) instead of one per tensor.
  std::map<c10::ScalarType, std::vector<torch::Tensor*>> by_type;
  for (torch::Tensor& t : tensors) by_type[t.scalar_type()].push_back(&t);
  torch::NoGradGuard no_grad;
  for (auto& [type, group] : by_type) {
    std::vector<torch::Tensor> flat_parts;
    for (torch::Tensor* t : group) flat_parts.push_back(t->reshape(-1));
    std::vector<at::Tensor> flat{torch::cat(flat_parts)};
    c10d::BroadcastOptions o;
    o.rootRank = 0;
    wait(group_->broadcast(flat, o), what);
    int64_t offset = 0;
    for (torch::Tensor* t : group) {
      t->copy_(flat[0].narrow(0, offset, t->numel()).view_as(*t));
      offset += t->numel();
    }
  }
}

void WorkerGroup::all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what) {
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (torch::Tensor& t : tensors) {
    std::vector<at::Tensor> one{t};
    works.push_back(group_->allreduce(one));
  }
  for (const auto& w : works) wait(w, what);
}

void WorkerGroup::barrier(const std::string& what) {
  wait(group_->barrier(), what);
}

}  // namespace tinynas::supernet
