#include "supernet/evaluation.h"

#include <chrono>

namespace tinynas::supernet {
namespace {

// Every image once, in order.
LoaderOptions in_order(const Normalization& norm, const AugmentOptions& augment, int batch_size) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.shuffle = false;
  o.augment = augment;
  o.norm = norm;
  o.workers = 1;
  return o;
}

}  // namespace

void recalibrate_bn(OFANetwork& net, const data::ImageSet& images, const Normalization& norm,
                    const AugmentOptions& augment, int batch_size, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  const double dropout = net->dropout;
  net->dropout = 0;
  net->train(true);
  net->reset_bn_running_stats();
  BatchLoader loader(images, in_order(norm, augment, batch_size));
  loader.start_epoch(0);
  int64_t k = 0;
  while (auto batch = loader.next()) {
    // Momentum 1/k turns the running update into the average of the first k batch statistics.
    net->set_bn_momentum(1.0 / static_cast<double>(++k));
    net->forward(resize(batch->images.to(device), net->active().resolution));
  }
  net->set_bn_momentum(net->options().bn_momentum);
  net->dropout = dropout;
  net->eval();
}

Accuracy measure_top1(const std::function<torch::Tensor(const torch::Tensor&)>& forward,
                      const data::ImageSet& set, const Normalization& norm, int batch_size,
                      int resolution, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  const auto start = std::chrono::steady_clock::now();
  BatchLoader loader(set, in_order(norm, AugmentOptions::none(), batch_size));
  loader.start_epoch(0);
  int64_t correct = 0, total = 0;
  while (auto batch = loader.next()) {
    const torch::Tensor logits = forward(resize(batch->images.to(device), resolution));
    correct += logits.argmax(1).eq(batch->labels.to(device)).sum().item<int64_t>();
    total += batch->labels.size(0);
  }
  Accuracy a;
  a.images = total;
  a.top1 = total ? 100.0 * static_cast<double>(correct) / static_cast<double>(total) : 0;
  a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return a;
}

Accuracy measure_top1(OFANetwork& net, const data::ImageSet& set, const Normalization& norm,
                      int batch_size, const torch::Device& device) {
  net->eval();
  return measure_top1([&](const torch::Tensor& x) { return net->forward(x); }, set, norm,
                      batch_size, net->active().resolution, device);
}

std::vector<torch::Tensor> save_bn_stats(const OFANetwork& net) {
  std::vector<torch::Tensor> out;
  for (const auto& bn : net->batch_norms()) {
    out.push_back(bn->running_mean.clone());
    out.push_back(bn->running_var.clone());
  }
  return out;
}

void restore_bn_stats(OFANetwork& net, const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& bn : net->batch_norms()) {
    bn->running_mean.copy_(saved[i++]);
    bn->running_var.copy_(saved[i++]);
  }
}

}  // namespace tinynas::supernet
