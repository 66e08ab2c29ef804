// Supernet overhead on this machine: training images per second with the largest sub-net
// active in the once-for-all supernet against a plain torch::nn network of the same
// architecture (what a user would write by hand), evaluation images per second, and BN
// re-calibration time per sub-net. Random inputs: the compute, not the data, is measured.
//
//   build/bench/supernet_bench [--space cifar] [--width 0.35] [--resolution 32] [--batch 128]
//                              [--steps 10] [--threads 2]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "data/synthetic.h"
#include "memory_model/graph.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "nas/search_space.h"
#include "supernet/batch_loader.h"
#include "supernet/evaluation.h"
#include "supernet/ofa_network.h"

namespace {

using tinynas::memory::Activation;
using tinynas::memory::OpType;

// The lowered graph as ordinary modules: Conv2d (+ BatchNorm2d), residual adds, average pool,
// Linear. No elastic kernels, channel slicing or depth skipping.
class PlainNetworkImpl : public torch::nn::Module {
 public:
  explicit PlainNetworkImpl(const tinynas::memory::Graph& graph) : graph_(graph) {
    for (size_t i = 0; i < graph.ops().size(); ++i) {
      const auto& op = graph.ops()[i];
      const int in_c = graph.tensor(op.input).shape.c, out_c = graph.tensor(op.output).shape.c;
      Layer l;
      const std::string name = "op" + std::to_string(i);
      if (op.type == OpType::kConv2d || op.type == OpType::kDepthwiseConv2d) {
        auto o = torch::nn::Conv2dOptions(in_c, out_c, op.kernel)
                     .stride(op.stride)
                     .padding(op.pad)
                     .bias(false)
                     .groups(op.type == OpType::kDepthwiseConv2d ? in_c : 1);
        l.conv = register_module(name, torch::nn::Conv2d(o));
        l.bn = register_module(name + "_bn", torch::nn::BatchNorm2d(out_c));
      } else if (op.type == OpType::kLinear) {
        l.linear = register_module(name, torch::nn::Linear(in_c, out_c));
      }
      layers_.push_back(l);
    }
  }

  torch::Tensor forward(const torch::Tensor& x) {
    std::vector<torch::Tensor> t(graph_.tensors().size());
    t[static_cast<size_t>(graph_.input())] = x;
    for (size_t i = 0; i < graph_.ops().size(); ++i) {
      const auto& op = graph_.ops()[i];
      Layer& l = layers_[i];
      const torch::Tensor& in = t[static_cast<size_t>(op.input)];
      torch::Tensor y;
      switch (op.type) {
        case OpType::kConv2d:
        case OpType::kDepthwiseConv2d:
          y = l.bn->forward(l.conv->forward(in));
          break;
        case OpType::kAdd:
          y = in + t[static_cast<size_t>(op.input2)];
          break;
        case OpType::kGlobalAvgPool:
          y = in.mean({2, 3}, true);
          break;
        case OpType::kLinear:
          y = l.linear->forward(in.flatten(1));
          break;
        case OpType::kMaxPool2d:
          y = torch::max_pool2d(in, op.kernel, op.stride, op.pad);
          break;
      }
      if (op.activation == Activation::kRelu6) y = torch::hardtanh(y, 0, 6);
      t[static_cast<size_t>(op.output)] = y;
    }
    return t[static_cast<size_t>(graph_.output())];
  }

 private:
  struct Layer {
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
    torch::nn::Linear linear{nullptr};
  };
  tinynas::memory::Graph graph_;
  std::vector<Layer> layers_;
};
TORCH_MODULE(PlainNetwork);

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Training images per second: SGD steps (forward, cross-entropy, backward, update) on one batch.
template <typename Net>
double train_images_per_s(Net& net, int batch, int resolution, int classes, int steps) {
  net->train();
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  const torch::Tensor x = torch::randn({batch, 3, resolution, resolution});
  const torch::Tensor y = torch::randint(classes, {batch}, torch::kLong);
  const auto step = [&] {
    sgd.zero_grad();
    torch::nn::functional::cross_entropy(net->forward(x), y).backward();
    sgd.step();
  };
  for (int i = 0; i < 2; ++i) step();  // warm-up: allocator, thread pool
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  return batch * steps / seconds_since(t0);
}

template <typename Net>
double eval_images_per_s(Net& net, int batch, int resolution, int repeats) {
  torch::NoGradGuard no_grad;
  net->eval();
  const torch::Tensor x = torch::randn({batch, 3, resolution, resolution});
  net->forward(x);
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i) net->forward(x);
  return batch * repeats / seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  std::string space_name = "cifar";
  double width = 0.35;
  int resolution = 32, batch = 128, steps = 10, threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--space")
      space_name = v;
    else if (flag == "--width")
      width = std::atof(v);
    else if (flag == "--resolution")
      resolution = std::atoi(v);
    else if (flag == "--batch")
      batch = std::atoi(v);
    else if (flag == "--steps")
      steps = std::atoi(v);
    else if (flag == "--threads")
      threads = std::atoi(v);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  const tinynas::nas::SearchSpace space =
      tinynas::nas::load_space(space_name, TINYNAS_BENCH_CONFIG_DIR);
  tinynas::supernet::SupernetOptions options;
  options.width_mult = width;
  tinynas::supernet::OFANetwork supernet(space, options, space.num_classes);
  const tinynas::nas::Arch largest = supernet->largest(resolution);
  supernet->set_active(largest);
  PlainNetwork plain(tinynas::nas::lower(largest, space));
  std::printf("space %s, width %.2f, R%d, batch %d, %d steps, %d threads\n", space_name.c_str(),
              width, resolution, batch, steps, threads);
  std::printf("largest sub-net: %s\n", largest.summary().c_str());

  const double plain_train = train_images_per_s(plain, batch, resolution, space.num_classes, steps);
  const double super_train =
      train_images_per_s(supernet, batch, resolution, space.num_classes, steps);
  std::printf("train img/s: plain %.1f, supernet (largest active) %.1f -> overhead %.2fx\n",
              plain_train, super_train, plain_train / super_train);

  const double plain_eval = eval_images_per_s(plain, 500, resolution, 3);
  const double super_eval = eval_images_per_s(supernet, 500, resolution, 3);
  std::printf("eval img/s (batch 500): plain %.1f, supernet (largest) %.1f -> overhead %.2fx\n",
              plain_eval, super_eval, plain_eval / super_eval);

  // BN re-calibration as evaluation does it: 2000 images in batches of 200 (Once-for-All's).
  const tinynas::data::ImageSet images =
      tinynas::data::synthetic_images(2000, resolution, resolution, 3, space.num_classes, 1);
  const tinynas::supernet::Normalization norm{{0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}};
  tinynas::nas::Rng rng(1);
  const std::pair<const char*, tinynas::nas::Arch> subnets[] = {
      {"largest", largest},
      {"random", tinynas::nas::sample_arch(space, resolution, width, rng)},
      {"smallest", supernet->smallest(resolution)}};
  for (const auto& [name, arch] : subnets) {
    supernet->set_active(arch);
    const auto t0 = std::chrono::steady_clock::now();
    tinynas::supernet::recalibrate_bn(supernet, images, norm, 200, torch::Device(torch::kCPU));
    const double s = seconds_since(t0);
    std::printf(
        "BN re-calibration, %s sub-net: %.2f s for 2000 images (%.0f img/s); eval %.1f "
        "img/s\n",
        name, s, 2000 / s, eval_images_per_s(supernet, 500, resolution, 2));
  }
  return 0;
}
