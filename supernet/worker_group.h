// The processes of a data-parallel run as one group: rendezvous (supernet/rendezvous.h), then a
// c10d process group over it (Gloo on CPU; NCCL for CUDA tensors when this LibTorch was built
// with it) and the few collectives the trainer needs, each bounded by the timeout and failing with
// a message that names the rank and what was going on.
// LibTorch header: include only from supernet/ sources and tests.
//
//   WorkerGroup group(options, fingerprint);   // blocks until every rank has joined
//   group.broadcast_from_rank0(tensors, "initial weights");
//   group.all_reduce_sum(buckets, "gradients");
#pragma once

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <vector>

#include "supernet/distributed_options.h"

namespace tinynas::supernet {

class WorkerGroup {
 public:
  // Throws what rendezvous() throws, and std::runtime_error when the process group cannot be set
  // up. use_cuda selects NCCL (the tensors passed in must then live on the GPU).
  WorkerGroup(const DistributedOptions& options, const nlohmann::json& fingerprint,
              bool use_cuda = false);
  ~WorkerGroup();
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;

  int rank() const { return options_.rank; }
  int size() const { return options_.world_size; }
  const std::string& backend() const { return backend_; }

  // Rank 0's values land in every rank's tensors (in place). `what` names them in errors.
  void broadcast_from_rank0(std::vector<torch::Tensor>& tensors, const std::string& what);
  // Element-wise sums over the ranks, in place; the tensors are reduced concurrently.
  void all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& what);
  void barrier(const std::string& what);

 private:
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& what);

  DistributedOptions options_;
  std::string backend_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::ProcessGroup> group_;
};

}  // namespace tinynas::supernet
