// Supernet speed on this machine: training images per second of the largest, a random and the
// smallest sub-net in the once-for-all supernet, against a plain torch::nn network of the largest
// one (what a user would write by hand); and the search's cost per sub-net: BN re-calibration
// (2000 images in batches of 200, Once-for-All's) plus top-1 on 1000 held-out images. Random
// inputs: the compute, not the data, is measured. --memory-format nchw measures the layout the
// supernet used before it computed in channels_last (supernet/memory_format.h).
//
//   build/bench/supernet_bench [--space cifar] [--width 0.35] [--resolution 32] [--batch 128]
//                              [--steps 10] [--threads 2] [--memory-format channels_last|nchw]
//                              [--profile ROWS]   # per-operator self time of one step / pass
//                              [--heap kept|glibc]  # glibc: without supernet/heap_tuning.h
//                              [--calibration-batch 200] [--eval-batch 500]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/op_profile.h"
#include "data/synthetic.h"
#include "memory_model/graph.h"
#include "nas/arch_cost.h"
#include "nas/lowering.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "nas/search_space.h"
#include "supernet/batch_loader.h"
#include "supernet/evaluation.h"
#include "supernet/heap_tuning.h"
#include "supernet/memory_format.h"
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

// The layout the measured networks compute in; the supernet and its batches are channels_last
// by default, so nchw converts them back.
bool g_channels_last = true;

torch::Tensor in_layout(const torch::Tensor& t) {
  return g_channels_last ? tinynas::supernet::channels_last(t) : t.contiguous();
}

void module_in_layout(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  if (g_channels_last) return tinynas::supernet::to_channels_last(m);
  for (torch::Tensor& p : m.parameters()) p.set_data(p.contiguous());
  for (torch::Tensor& b : m.buffers()) b.set_data(b.contiguous());
}

// Training images per second: SGD steps (forward, cross-entropy, backward, update) on one batch.
// With a profile, one more step runs under the operator profiler and its table is printed.
template <typename Net>
double train_images_per_s(Net& net, int batch, int resolution, int classes, int steps,
                          size_t profile_rows = 0, const std::string& title = "") {
  net->train();
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  const torch::Tensor x = in_layout(torch::randn({batch, 3, resolution, resolution}));
  const torch::Tensor y = torch::randint(classes, {batch}, torch::kLong);
  const auto step = [&] {
    sgd.zero_grad();
    torch::nn::functional::cross_entropy(net->forward(x), y).backward();
    sgd.step();
  };
  for (int i = 0; i < 2; ++i) step();  // warm-up: allocator, thread pool, oneDNN primitives
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  const double images_per_s = batch * steps / seconds_since(t0);
  if (profile_rows > 0) print_profile(profile_ops(step), title, profile_rows);
  return images_per_s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string space_name = "cifar", memory_format = "channels_last", heap = "kept";
  double width = 0.35;
  int resolution = 32, batch = 128, steps = 10, threads = 2, profile_rows = 0;
  tinynas::supernet::EvalOptions eval;  // the search's defaults
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
    else if (flag == "--profile")
      profile_rows = std::atoi(v);
    else if (flag == "--calibration-batch")
      eval.calibration_batch = std::atoi(v);
    else if (flag == "--eval-batch")
      eval.batch_size = std::atoi(v);
    else if (flag == "--heap")
      heap = v;
    else if (flag == "--memory-format")
      memory_format = v;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if ((memory_format != "channels_last" && memory_format != "nchw") ||
      (heap != "kept" && heap != "glibc")) {
    std::fprintf(stderr, "--memory-format must be channels_last or nchw, --heap kept or glibc\n");
    return 2;
  }
  g_channels_last = memory_format == "channels_last";
  if (heap == "kept") tinynas::supernet::keep_freed_memory_in_process();
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  const tinynas::nas::SearchSpace space =
      tinynas::nas::load_space(space_name, TINYNAS_BENCH_CONFIG_DIR);
  tinynas::supernet::SupernetOptions options;
  options.width_mult = width;
  tinynas::supernet::OFANetwork supernet(space, options, space.num_classes);
  module_in_layout(*supernet);
  const tinynas::nas::Arch largest = supernet->largest(resolution);
  PlainNetwork plain(tinynas::nas::lower(largest, space));
  module_in_layout(*plain);
  std::printf("space %s, width %.2f, R%d, batch %d, %d steps, %d threads, %s, heap %s\n",
              space_name.c_str(), width, resolution, batch, steps, threads, memory_format.c_str(),
              heap.c_str());

  tinynas::nas::Rng rng(1);
  const std::pair<const char*, tinynas::nas::Arch> subnets[] = {
      {"largest", largest},
      {"random", tinynas::nas::sample_arch(space, resolution, width, rng)},
      {"smallest", supernet->smallest(resolution)}};
  tinynas::nas::CostModel cost(space);
  const double plain_train = train_images_per_s(plain, batch, resolution, space.num_classes, steps);
  std::printf("train img/s, plain torch::nn network of the largest sub-net: %.1f\n", plain_train);
  for (const auto& [name, arch] : subnets) {
    supernet->set_active(arch);
    const double img_s = train_images_per_s(supernet, batch, resolution, space.num_classes, steps,
                                            static_cast<size_t>(profile_rows),
                                            std::string("one training step, ") + name + " sub-net");
    std::printf("train img/s, supernet, %-8s sub-net (%5.2fM MACs): %.1f\n", name,
                static_cast<double>(cost.evaluate(arch).macs) / 1e6, img_s);
  }

  // The search's cost per sub-net, with EvalOptions' defaults unless the flags change the batch
  // sizes: BN re-calibration on 2000 images (batches of 200), then top-1 on 1000 held-out images
  // (batches of 500).
  const tinynas::data::ImageSet calibration = tinynas::data::synthetic_images(
      eval.calibration_images, resolution, resolution, 3, space.num_classes, 1);
  const tinynas::data::ImageSet held_out =
      tinynas::data::synthetic_images(1000, resolution, resolution, 3, space.num_classes, 2);
  const tinynas::supernet::Normalization norm{{0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}};
  const tinynas::supernet::AugmentOptions augment;  // training's default crops and flips
  const torch::Device cpu(torch::kCPU);
  for (const auto& [name, arch] : subnets) {
    supernet->set_active(arch);
    for (int repeat = 0; repeat < 2; ++repeat) {  // the first pass warms oneDNN's primitives
      const auto t0 = std::chrono::steady_clock::now();
      tinynas::supernet::recalibrate_bn(supernet, calibration, norm, augment,
                                        eval.calibration_batch, cpu);
      const double recalibration_s = seconds_since(t0);
      const double eval_s =
          tinynas::supernet::measure_top1(supernet, held_out, norm, eval.batch_size, cpu).seconds;
      if (repeat == 1 && profile_rows > 0)
        print_profile(profile_ops([&] {
                        tinynas::supernet::recalibrate_bn(supernet, calibration, norm, augment,
                                                          eval.calibration_batch, cpu);
                        tinynas::supernet::measure_top1(supernet, held_out, norm, eval.batch_size,
                                                        cpu);
                      }),
                      std::string("BN re-calibration + top-1, ") + name + " sub-net",
                      static_cast<size_t>(profile_rows));
      if (repeat == 1)
        std::printf(
            "search cost, %-8s sub-net: BN re-calibration %.2f s + top-1 on 1000 images %.2f s "
            "= %.2f s\n",
            name, recalibration_s, eval_s, recalibration_s + eval_s);
    }
  }
  return 0;
}
