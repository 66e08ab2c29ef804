#include "supernet/gradient_averager.h"

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace tinynas::supernet {
namespace {

// Which parameters have gradients, as a small integer (sums of it over the ranks stay exact).
int64_t layout_checksum(const std::vector<size_t>& indices,
                        const std::vector<torch::Tensor>& parameters) {
  int64_t sum = 0;
  for (size_t i : indices)
    sum = (sum * 31 + static_cast<int64_t>(i) * 7 + parameters[i].numel()) % 65521;
  return sum;
}

}  // namespace

GradientAverager::GradientAverager(WorkerGroup& group, std::vector<torch::Tensor> parameters,
                                   int64_t bucket_bytes)
    : group_(group), parameters_(std::move(parameters)), bucket_bytes_(bucket_bytes) {
  for (const torch::Tensor& p : parameters_)
    if (p.scalar_type() != torch::kFloat)
      throw std::invalid_argument("GradientAverager: only float32 parameters are supported");
}

double GradientAverager::average(double loss) {
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  // Buckets in parameter order: the same on every rank, whatever order backward produced them.
  std::vector<std::vector<size_t>> buckets;
  int64_t bytes = bucket_bytes_;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (!parameters_[i].grad().defined()) continue;
    if (bytes >= bucket_bytes_) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().push_back(i);
    bytes += parameters_[i].numel() * 4;
  }
  // The ranks must agree on the set before the buckets go out (buckets of different sizes would
  // fail obscurely or, worse, add up unrelated numbers).
  std::vector<size_t> all;
  for (const auto& bucket : buckets) all.insert(all.end(), bucket.begin(), bucket.end());
  const int64_t checksum = layout_checksum(all, parameters_);
  std::vector<torch::Tensor> check{
      torch::tensor({static_cast<double>(checksum), loss}, torch::kDouble)};
  group_.all_reduce_sum(check, "the gradient layout");
  if (std::abs(check[0][0].item<double>() - static_cast<double>(checksum * group_.size())) > 0.5)
    throw std::runtime_error("rank " + std::to_string(group_.rank()) +
                             ": the ranks have gradients for different parameters this step; they "
                             "trained different sub-nets or networks");
  std::vector<torch::Tensor> flat;
  for (const std::vector<size_t>& bucket : buckets) {
    std::vector<torch::Tensor> parts;
    for (size_t i : bucket) parts.push_back(parameters_[i].grad().reshape(-1));
    flat.push_back(torch::cat(parts));
  }
  group_.all_reduce_sum(flat, "gradients");
  const double ranks = group_.size();
  for (size_t b = 0; b < buckets.size(); ++b) {
    flat[b].div_(ranks);
    int64_t offset = 0;
    for (size_t i : buckets[b]) {
      torch::Tensor& g = parameters_[i].mutable_grad();
      g.copy_(flat[b].narrow(0, offset, g.numel()).view_as(g));
      offset += g.numel();
    }
  }
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return check[0][1].item<double>() / ranks;
}

}  // namespace tinynas::supernet
